"""The site's name and domain come from the settings, not from the sites framework's default.

django.contrib.sites creates its row as "example.com", and allauth's emails greet with it
("Hello from example.com!") and sign with its domain. After every `migrate` (and every test
database flush, which sends post_migrate too) the row `SITE_ID` is written from
`PORTAL_SITE_NAME` and the host of `PORTAL_BASE_URL`, so a deployment's emails name it.
"""

from django.conf import settings
from django.db import router


def site_identity() -> dict[str, str]:
    return {"name": settings.PORTAL_SITE_NAME, "domain": settings.PORTAL_SITE_DOMAIN}


def sync_site(*, apps=None, using: str = "default", **kwargs) -> None:
    """post_migrate: make the current site's row say what the settings say."""
    # Deferred for start-up order: portal.apps imports this module before models are loaded.
    from django.contrib.sites.models import Site as CurrentSite

    try:
        Site = apps.get_model("sites", "Site") if apps is not None else CurrentSite
    except LookupError:  # the sites framework's tables are not in this database's state
        return
    if not router.allow_migrate_model(using, Site):
        return
    Site.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults=site_identity())
    # get_current_site() caches the row per process.
    CurrentSite.objects.clear_cache()
