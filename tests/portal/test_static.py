"""WhiteNoise serves the vendored assets under hashed names after collectstatic."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.django_db
def test_collectstatic_hashes_every_asset_the_shell_uses(tmp_path, client):
    storage = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={"staticfiles": storage}):
        call_command("collectstatic", "--noinput", verbosity=0)
        html = client.get("/").content.decode()
    assert (tmp_path / "staticfiles.json").exists()
    for asset in ["bootstrap.rtl.min", "Vazirmatn-font-face", "bootstrap-icons.min", "htmx.min", "site"]:
        assert re.search(rf"/{re.escape(asset)}\.[0-9a-f]{{12}}\.(css|js)\"", html), asset
    assert list(tmp_path.rglob("Vazirmatn-Regular.*.woff2"))
