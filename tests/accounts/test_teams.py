"""Company teams (issue 17): invitations by email, editors acting for the company, removal,
leaving, ownership handed over, and every write recorded with who did it (django-auditlog)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts import teams
from accounts.models import CompanyRole, Invitation, Role, User
from catalogue.models import Product
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def producer():
    return ProducerProfileFactory(name="Azar Appliances")


@pytest.fixture
def product(producer):
    return ProductFactory(producer=producer, name="Chest freezer")


@pytest.fixture
def english():
    """The refusals these tests read, in English (the portal's default language is Persian)."""
    with translation.override("en"):
        yield


def _token_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"/team/join/([A-Za-z0-9_-]+)/", body).group(1)


def _editor(producer, email="editor@azar.example") -> User:
    """A producer's editor, invited and accepted through the services."""
    _invitation, token = teams.invite(company=producer.company, actor=producer.owner, email=email)
    user = UserFactory(email=email, role=Role.BUYER)
    teams.accept_invitation(token=token, actor=user)
    user.refresh_from_db()
    return user


def _api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# --- The journey ----------------------------------------------------------------------------


def test_an_invited_editor_signs_up_accepts_and_edits_a_product_recorded_as_theirs(
    client, producer, product, django_capture_on_commit_callbacks
):
    owner = producer.owner
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:team"), {"email": "Export.Manager@Azar.example"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "export.manager@azar.example"
    assert invitation.role == CompanyRole.EDITOR
    assert invitation.invited_by == owner
    message = mail.outbox[-1]
    assert message.to == ["export.manager@azar.example"]
    assert message.alternatives and "Azar Appliances" in message.alternatives[0][0]
    token = _token_from_mail()
    assert invitation.token_hash == teams.token_digest(token) and token not in invitation.token_hash
    client.logout()

    # Signed out, the link offers to sign up with the address filled in.
    join_url = reverse("accounts:team-join", args=[token])
    page = client.get(join_url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    signup_url = page.context["signup_url"]
    assert "email=export.manager%40azar.example" in signup_url
    response = client.post(
        reverse("account_signup") + "?next=" + join_url,
        {
            "full_name": "Sara Export",
            "email": "export.manager@azar.example",
            "role": "buyer",
            "preferred_language": "en",
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
            "next": join_url,
        },
    )
    assert response.status_code == 302, response.content[:500]
    # The link proved the mailbox: signed in at once and sent back to the invitation.
    assert response["Location"] == join_url
    response = client.post(join_url)
    assert response.status_code == 302
    editor = User.objects.get(email="export.manager@azar.example")
    assert editor.company_id == producer.company_id
    assert editor.company_role == CompanyRole.EDITOR
    assert editor.role == Role.PRODUCER  # the company's kind
    invitation.refresh_from_db()
    assert invitation.accepted_by == editor and invitation.accepted_at is not None

    # The editor edits the company's product on its page ...
    edit = reverse("my_products:edit", kwargs={"pk": product.pk})
    assert client.get(edit).status_code == 200
    form = {
        "name": "Chest freezer 300 l",
        "hs_code": "841810",
        "annual_capacity": "1000",
        "available_capacity": "800",
        "capacity_unit": "units",
        "currency": "USD",
        "is_active": "on",
    }
    assert client.post(edit, form).status_code == 302
    product.refresh_from_db()
    assert product.name == "Chest freezer 300 l"
    # ... and over the API.
    response = _api(editor).patch(
        f"/api/v1/products/{product.pk}/", {"name": "Chest freezer 320 l"}, format="json"
    )
    assert response.status_code == 200, response.content
    entries = LogEntry.objects.get_for_object(product).order_by("timestamp", "id")
    assert [entry.actor for entry in entries if entry.action == LogEntry.Action.UPDATE][-2:] == [
        editor,
        editor,
    ]
    assert entries.last().changes_dict["name"] == ["Chest freezer 300 l", "Chest freezer 320 l"]


def test_an_editor_acts_for_the_company_but_does_not_manage_it(client, producer, product):
    editor = _editor(producer)
    client.force_login(editor)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("my_products:list")).context["producer"] == producer
    assert _api(editor).get("/api/v1/producers/me/").json()["id"] == producer.pk
    # The team read only: no inviting, removing or handing over.
    page = client.get(reverse("accounts:team"))
    assert page.status_code == 200 and not page.context["manages"]
    assert client.post(reverse("accounts:team"), {"email": "x@azar.example"}).status_code == 403
    assert client.get(reverse("accounts:team-remove", args=[producer.owner.pk])).status_code == 403
    api = _api(editor)
    assert api.get(f"/api/v1/companies/{producer.company_id}/members/").status_code == 200
    assert (
        api.post(f"/api/v1/companies/{producer.company_id}/members/", {"email": "x@azar.example"}).status_code
        == 403
    )
    assert (
        api.delete(f"/api/v1/companies/{producer.company_id}/members/{producer.owner.pk}/").status_code == 403
    )
    assert api.delete(f"/api/v1/producers/{producer.pk}/").status_code == 403
    assert not Invitation.objects.filter(email="x@azar.example").exists()


# --- Removal and leaving --------------------------------------------------------------------


def test_a_removed_member_loses_access_at_once_on_pages_and_api(client, producer, product):
    editor = _editor(producer)
    product.is_active = False
    product.save()
    client.force_login(editor)
    api = _api(editor)
    edit = reverse("my_products:edit", kwargs={"pk": product.pk})
    assert client.get(edit).status_code == 200
    assert api.get(f"/api/v1/products/{product.pk}/").status_code == 200  # unlisted: members see it

    owner_api = _api(producer.owner)
    response = owner_api.delete(f"/api/v1/companies/{producer.company_id}/members/{editor.pk}/")
    assert response.status_code == 204
    editor.refresh_from_db()
    assert editor.company_id is None and editor.company_role == "" and editor.is_active

    # The next request: the page no longer finds the product, the token is gone.
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "Hijacked"}).status_code == 404
    assert client.get(reverse("accounts:team")).status_code == 302
    assert api.get(f"/api/v1/products/{product.pk}/").status_code == 401
    assert not Token.objects.filter(user=editor).exists()
    # A new token is scoped out too.
    fresh = _api(editor)
    assert fresh.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert (
        fresh.patch(f"/api/v1/producers/{producer.pk}/", {"name": "Hijacked"}, format="json").status_code
        == 403
    )
    assert fresh.get("/api/v1/producers/me/").status_code == 404
    product.refresh_from_db()
    assert product.name == "Chest freezer"


def test_the_owner_cannot_be_removed_and_an_editor_may_leave(producer):
    editor = _editor(producer)
    with pytest.raises(teams.TeamError):
        teams.remove_member(company=producer.company, member=producer.owner, actor=producer.owner)
    with pytest.raises(teams.TeamError):
        teams.leave_company(actor=producer.owner)
    teams.leave_company(actor=editor)
    editor.refresh_from_db()
    assert editor.company_id is None


def test_a_member_of_another_company_cannot_remove_or_see_its_team(producer):
    other = ProducerProfileFactory()
    editor = _editor(producer)
    api = _api(other.owner)
    assert api.get(f"/api/v1/companies/{producer.company_id}/members/").status_code == 404
    assert api.delete(f"/api/v1/companies/{producer.company_id}/members/{editor.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        teams.remove_member(company=producer.company, member=editor, actor=other.owner)
    editor.refresh_from_db()
    assert editor.company_id == producer.company_id


# --- Ownership ------------------------------------------------------------------------------


def test_the_owner_hands_over_ownership_to_an_editor(client, producer):
    owner, editor = producer.owner, _editor(producer)
    client.force_login(owner)
    url = reverse("accounts:team-transfer", args=[editor.pk])
    assert client.get(url).status_code == 200  # the confirmation
    assert client.post(url).status_code == 302
    producer.refresh_from_db()
    owner.refresh_from_db()
    editor.refresh_from_db()
    assert producer.owner == editor
    assert editor.company_role == CompanyRole.OWNER and owner.company_role == CompanyRole.EDITOR
    assert owner.company_id == editor.company_id == producer.company_id
    # The new owner manages; the old one edits.
    assert (
        _api(editor)
        .post(f"/api/v1/companies/{producer.company_id}/members/", {"email": "n@azar.example"})
        .status_code
        == 201
    )
    assert (
        _api(owner)
        .post(f"/api/v1/companies/{producer.company_id}/members/", {"email": "m@azar.example"})
        .status_code
        == 403
    )
    user_type = ContentType.objects.get_for_model(User)
    assert LogEntry.objects.filter(content_type=user_type, object_pk=str(editor.pk), actor=owner).exists()


def test_ownership_goes_only_to_an_editor_of_the_company(producer):
    stranger = UserFactory(role=Role.PRODUCER)
    with pytest.raises(teams.TeamError):
        teams.transfer_ownership(company=producer.company, new_owner=stranger, actor=producer.owner)
    editor = _editor(producer)
    with pytest.raises(PermissionDenied):
        teams.transfer_ownership(company=producer.company, new_owner=editor, actor=editor)
    producer.refresh_from_db()
    assert producer.owner_id != editor.pk


# --- Invitations: who, which address, which state -------------------------------------------


def test_non_owners_cannot_invite_and_staff_can(producer):
    url = f"/api/v1/companies/{producer.company_id}/members/"
    buyer = BuyerProfileFactory()
    assert _api(buyer.owner).post(url, {"email": "a@x.example"}).status_code == 404
    counsellor = UserFactory(role=Role.COUNSELLOR)
    assert _api(counsellor).post(url, {"email": "a@x.example"}).status_code == 404
    assert APIClient().post(url, {"email": "a@x.example"}).status_code == 401
    staff = UserFactory(role=Role.STAFF, is_staff=True)
    response = _api(staff).post(url, {"email": "a@x.example"}, **EN)
    assert response.status_code == 201
    assert response.json()["email"] == "a@x.example" and response.json()["role"] == "editor"
    team = _api(staff).get(url).json()
    assert team["company"] == producer.company_id
    assert [m["role"] for m in team["members"]] == ["owner"]
    assert [i["email"] for i in team["invitations"]] == ["a@x.example"]


def test_an_owner_invites_only_editors_and_valid_addresses(producer):
    api, url = _api(producer.owner), f"/api/v1/companies/{producer.company_id}/members/"
    response = api.post(url, {"email": "a@x.example", "role": "owner"}, **EN)
    assert response.status_code == 400 and "role" in response.json()
    assert api.post(url, {"email": "not an address"}, **EN).status_code == 400
    assert api.post(url, {"email": ""}, **EN).status_code == 400
    assert api.post(url, {"role": ["x"]}, format="json").status_code == 400
    assert not Invitation.objects.exists()


def test_a_member_of_another_company_cannot_be_invited(producer, english):
    other = BuyerProfileFactory()
    with pytest.raises(teams.TeamError) as refused:
        teams.invite(company=producer.company, actor=producer.owner, email=other.owner.email)
    assert "another company" in str(refused.value)
    with pytest.raises(teams.TeamError):
        teams.invite(company=producer.company, actor=producer.owner, email=producer.owner.email)


def test_inviting_an_address_again_replaces_its_link(producer):
    first, old = teams.invite(company=producer.company, actor=producer.owner, email="a@x.example")
    second, new = teams.invite(company=producer.company, actor=producer.owner, email="A@x.example")
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    user = UserFactory(email="a@x.example")
    with pytest.raises(teams.TeamError):
        teams.accept_invitation(token=old, actor=user)
    teams.accept_invitation(token=new, actor=user)


def test_an_expired_invitation_is_refused(producer, client, english):
    invitation, token = teams.invite(company=producer.company, actor=producer.owner, email="a@x.example")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    user = UserFactory(email="a@x.example")
    with pytest.raises(teams.TeamError) as refused:
        teams.accept_invitation(token=token, actor=user)
    assert "expired" in str(refused.value)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:team-join", args=[token]))
    assert "expired" in page.content.decode()
    user.refresh_from_db()
    assert user.company_id is None


def test_an_invitation_works_once(producer, english):
    _invitation, token = teams.invite(company=producer.company, actor=producer.owner, email="a@x.example")
    user = UserFactory(email="a@x.example")
    teams.accept_invitation(token=token, actor=user)
    teams.leave_company(actor=user)
    user.refresh_from_db()
    with pytest.raises(teams.TeamError) as refused:
        teams.accept_invitation(token=token, actor=user)
    assert "already used" in str(refused.value)


def test_an_invitation_for_another_address_is_refused(producer, client, english):
    _invitation, token = teams.invite(company=producer.company, actor=producer.owner, email="a@x.example")
    intruder = UserFactory(email="intruder@x.example")
    client.force_login(intruder)
    client.cookies["django_language"] = "en"
    join = reverse("accounts:team-join", args=[token])
    assert "another email address" in client.get(join).content.decode()
    client.post(join)
    intruder.refresh_from_db()
    assert intruder.company_id is None


def test_a_user_in_a_company_cannot_accept_another(producer, english):
    other = ProducerProfileFactory()
    _invitation, token = teams.invite(company=producer.company, actor=producer.owner, email="x@x.example")
    # The address became another company's owner after the invitation was sent.
    User.objects.filter(pk=other.owner.pk).update(email="x@x.example")
    other.owner.refresh_from_db()
    with pytest.raises(teams.TeamError) as refused:
        teams.accept_invitation(token=token, actor=other.owner)
    assert "already belongs to a company" in str(refused.value)


def test_a_revoked_invitation_is_refused(producer, client):
    invitation, token = teams.invite(company=producer.company, actor=producer.owner, email="a@x.example")
    client.force_login(producer.owner)
    assert client.post(reverse("accounts:team-revoke", args=[invitation.pk])).status_code == 302
    user = UserFactory(email="a@x.example")
    # A page request activates its own language: English again for the service's refusal.
    with translation.override("en"), pytest.raises(teams.TeamError) as refused:
        teams.accept_invitation(token=token, actor=user)
    assert "withdrawn" in str(refused.value)


def test_an_unknown_link_is_a_404(client):
    assert client.get(reverse("accounts:team-join", args=["nothing-here"])).status_code == 404


def test_invitations_are_rate_limited(producer, monkeypatch):
    from portal.ratelimits import UserRateLimit, ratelimit_cache

    monkeypatch.setattr(
        UserRateLimit, "THROTTLE_RATES", {**UserRateLimit.THROTTLE_RATES, "invitations": "2/day"}
    )
    ratelimit_cache.clear()
    api, url = _api(producer.owner), f"/api/v1/companies/{producer.company_id}/members/"
    assert api.post(url, {"email": "a@x.example"}).status_code == 201
    assert api.post(url, {"email": "b@x.example"}).status_code == 201
    assert api.post(url, {"email": "c@x.example"}).status_code == 429
    assert Invitation.objects.count() == 2


# --- The audit log --------------------------------------------------------------------------


def test_profile_writes_outside_a_request_are_logged_as_the_services_actor(producer):
    from accounts import services

    editor = _editor(producer)
    services.producer_profile_update(profile=producer, actor=editor, data={"description": "Since 1990"})
    entry = (
        LogEntry.objects.get_for_object(producer).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    )
    assert entry.actor == editor
    assert "description" in entry.changes_dict
    assert "updated_at" not in entry.changes_dict


def test_a_product_write_costs_few_more_queries(producer, product, django_assert_max_num_queries):
    from catalogue import services

    with django_assert_max_num_queries(14):
        services.product_update(product=product, actor=producer.owner, data={"name": "Chest freezer 2"})
    assert Product.objects.get(pk=product.pk).name == "Chest freezer 2"


def test_the_team_page_speaks_persian_first(client, producer):
    client.force_login(producer.owner)
    html = client.get(reverse("accounts:team")).content.decode()
    assert "تیم شما" in html and "دعوت از یک همکار" in html
    assert 'lang="fa"' in html and 'dir="rtl"' in html
