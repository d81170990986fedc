"""Every named page answers each role with 200 or a redirect to sign in, never an error."""

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse

from tests.conftest import ROLES

# Pages that only take POST: a GET is refused, not an error.
POST_ONLY = {
    "set_language",
    "api-token",
    "counsellors:queue_bulk",
    "matchmaking:request_introduction",
    "accounts:profile_logo",
    "producer_import:commit",
    "producer_import:resend",
}
# API resources are checked by their own tests; the docs and schema are pages.
API_PAGES = {"api-schema", "api-docs", "api-redoc"}
# allauth pages that need a pending flow (a code sent, a social login) to make sense, or an
# authenticator app to turn off or recovery codes to show (allauth answers 404 without them).
FLOW_ONLY = {
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reauthenticate",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}


def _names(resolver, prefix: str = "") -> set[str]:
    """Every URL name, namespaced ones ("catalogue:product-list") included."""
    names = {prefix + name for name in resolver.reverse_dict if isinstance(name, str)}
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        names |= _names(sub, f"{prefix}{namespace}:")
    return names


def named_pages() -> list[str]:
    names = []
    for name in _names(get_resolver()):
        if name in FLOW_ONLY or name.startswith("admin:"):
            continue
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue  # needs arguments
        if path.startswith("/api/v1/") and name not in API_PAGES:
            continue
        names.append(name)
    return sorted(set(names))


PAGES = named_pages()


def test_the_shell_pages_are_all_found():
    for expected in ["home", "dashboard", "healthz", "account_login", "account_signup", "api-docs"]:
        assert expected in PAGES
    for expected in ["catalogue:product-list", "counsellors:queue", "matchmaking:leads"]:
        assert expected in PAGES


def assert_answers(response, name, *, signed_in=False):
    """200, or a redirect (to sign in, or elsewhere); a signed-in role a page is not for may
    also be refused (403, the portal's own page) — never a 404 or a server error."""
    if name in POST_ONLY:  # refused to a GET (or to whoever may not post there at all)
        assert response.status_code in (405, 302, 403), name
        return
    allowed = (200, 302, 403) if signed_in else (200, 302)
    assert response.status_code in allowed, (name, response.status_code)
    if response.status_code == 302:
        location = response["Location"]
        assert location.startswith(("/accounts/", "/admin/login/", "/dashboard/", "/")), (name, location)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitor(client, name):
    assert_answers(client.get(reverse(name)), name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role(client, make_user, role):
    client.force_login(make_user(role))
    for name in PAGES:
        assert_answers(client.get(reverse(name)), name, signed_in=True)


@pytest.mark.django_db
def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_admin_lists_users_for_staff_with_filters_and_search(client, make_user):
    admin = make_user("staff", is_superuser=True)
    make_user("buyer", email="buyer.iraq@example.com")
    client.force_login(admin)
    response = client.get("/admin/accounts/user/?role__exact=buyer&q=iraq")
    assert response.status_code == 200
    assert b"buyer.iraq@example.com" in response.content
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200


@pytest.mark.django_db
def test_admin_refuses_portal_users(client, make_user):
    client.force_login(make_user("producer"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
