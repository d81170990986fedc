"""The two stores (portal/storage.py): on the file system by default, the public one served at
MEDIA_URL with long cache headers and nothing else reachable there; on S3 (moto's server,
started here) the public bucket readable by anyone and the private one by no one without a
signature, its files streamed by `serve_private`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.test import Client

from portal import settings as portal_settings
from portal import storage
from portal.storage import private_storage, public_storage, serve_private
from tests.upload_files import pdf

ROOT = Path(__file__).resolve().parents[2]
LONG_CACHE = "public, max-age=31536000, immutable"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


class Stored:
    """A FieldFile's two parts serve_private reads: its storage and name."""

    def __init__(self, store, name):
        self.storage, self.name = store, name


# --- The file system (the default) ----------------------------------------------------------


def test_the_default_stores_are_two_folders_under_media_root(media):
    public, private = public_storage(), private_storage()
    assert isinstance(public, storage.PublicFileSystemStorage)
    assert isinstance(private, storage.PrivateFileSystemStorage)
    assert public.location == str(media / "public") and private.location == str(media / "private")
    assert public.url("logos/a.webp") == "/media/logos/a.webp"
    with pytest.raises(ValueError):  # a private file has no URL at all
        private.url("evidence/x.pdf")
    # Deal attachments are private, whatever the store in force.
    from deals.models import Attachment

    field = Attachment._meta.get_field("file")
    assert field.storage is private_storage() and field.deconstruct()[3]["storage"] is private_storage


def test_a_public_file_is_served_with_long_cache_headers(media, client):
    name = public_storage().save("products/photo.webp", ContentFile(b"RIFF\x00\x00\x00\x00WEBPVP8 "))
    response = client.get(public_storage().url(name))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == LONG_CACHE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the site's CSP still applies
    head = client.head(public_storage().url(name))
    assert head.status_code == 200 and head["Cache-Control"] == LONG_CACHE
    again = client.get(public_storage().url(name), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.post(public_storage().url(name)).status_code == 405


def test_a_public_pdf_is_shown_and_anything_else_is_only_a_download(media, client):
    public_storage().save("catalogues/c.pdf", ContentFile(pdf()))
    public_storage().save("odd/page.html", ContentFile(b"<script>alert(1)</script>"))
    response = client.get("/media/catalogues/c.pdf")
    assert response["Content-Type"] == "application/pdf" and "attachment" not in response.get(
        "Content-Disposition", ""
    )
    response = client.get("/media/odd/page.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


TRAVERSALS = [
    "../private/{name}",
    "..%2fprivate%2f{name}",
    "%2e%2e/private/{name}",
    "products/../../private/{name}",
    "..\\private\\{name}",
    "/{root}/private/{name}",
    "./products/photo.webp",
    "products//photo.webp",
    "products/.hidden",
    "products",
    "",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_but_the_public_folder_is_reachable_under_media_url(media, client, path):
    secret = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    public_storage().save("products/photo.webp", ContentFile(b"x"))
    public_storage().save("products/.hidden", ContentFile(b"x"))
    (media / "outside.txt").write_text("not in a store")
    url = "/media/" + path.format(name=secret, root=str(media).lstrip("/"))
    assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_private_file_is_not_under_media_url_by_its_own_name(media, client):
    secret = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    assert client.get("/media/" + secret).status_code == 404
    assert client.get("/media/private/" + secret).status_code == 404
    client.force_login(_staff())  # nobody, staff included
    assert client.get("/media/" + secret).status_code == 404


def test_a_link_in_the_public_folder_to_a_private_file_is_404(media, client):
    secret = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    public_storage().save("products/keep.webp", ContentFile(b"x"))
    os.symlink(media / "private" / secret, media / "public" / "products" / "link.pdf")
    assert client.get("/media/products/link.pdf").status_code == 404


def test_serve_private_streams_a_download_never_cached(media):
    name = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    response = serve_private(
        Stored(private_storage(), name), filename="جواز.pdf", content_type="application/pdf"
    )
    assert b"".join(response.streaming_content) == pdf()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in (response["Content-Disposition"])
    )
    assert "sandbox" in response["Content-Security-Policy"]
    inline = serve_private(
        Stored(private_storage(), name), filename="a.pdf", content_type="application/pdf", as_attachment=False
    )
    assert inline["Content-Disposition"].startswith("inline")
    for missing in (Stored(private_storage(), "evidence/none.pdf"), Stored(private_storage(), "")):
        with pytest.raises(Http404):
            serve_private(missing, filename="x.pdf", content_type="application/pdf")


def test_the_stores_follow_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "one")
    assert public_storage().location == str(tmp_path / "one" / "public")
    settings.MEDIA_ROOT = str(tmp_path / "two")
    assert private_storage().location == str(tmp_path / "two" / "private")


def settings_with(**variables: str) -> subprocess.CompletedProcess:
    """portal/settings.py read in a fresh process with `variables` in its environment: its
    STORAGES and image sources as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_S3_")}
    env.update(variables)
    probe = (
        "import json; from portal import settings as s; "
        "print(json.dumps({'storages': s.STORAGES, 'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
    )
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_both_buckets_or_neither():
    only_one = settings_with(MEDIA_S3_BUCKET_PUBLIC="eb-public")
    assert only_one.returncode != 0 and "Set both MEDIA_S3_BUCKET_PUBLIC and MEDIA_S3_BUCKET_PRIVATE" in (
        only_one.stderr
    )
    same = settings_with(MEDIA_S3_BUCKET_PUBLIC="eb", MEDIA_S3_BUCKET_PRIVATE="eb")
    assert same.returncode != 0 and "must be two buckets" in same.stderr
    default = json.loads(settings_with().stdout)
    assert default["storages"]["public"]["BACKEND"] == "portal.storage.PublicFileSystemStorage"
    assert default["storages"]["default"]["BACKEND"] == "portal.storage.PrivateFileSystemStorage"


def test_the_s3_settings_from_the_environment():
    result = settings_with(
        MEDIA_S3_BUCKET_PUBLIC="eb-public",
        MEDIA_S3_BUCKET_PRIVATE="eb-private",
        MEDIA_S3_ENDPOINT_URL="http://minio:9000",
        MEDIA_S3_PUBLIC_URL="http://127.0.0.1:9000/eb-public/",
        MEDIA_S3_ACCESS_KEY_ID="portal",
        MEDIA_S3_SECRET_ACCESS_KEY="portal-secret",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    public, private = found["storages"]["public"], found["storages"]["default"]
    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    public, private = public["OPTIONS"], private["OPTIONS"]
    assert (public["bucket_name"], private["bucket_name"]) == ("eb-public", "eb-private")
    assert public["querystring_auth"] is False and private["querystring_auth"] is True
    assert private["default_acl"] == "private" and public["default_acl"] is None
    assert public["object_parameters"] == {"CacheControl": LONG_CACHE}
    assert (public["url_protocol"], public["custom_domain"]) == ("http:", "127.0.0.1:9000/eb-public")
    assert private["endpoint_url"] == "http://minio:9000" and private["addressing_style"] == "path"
    assert (private["access_key"], private["secret_key"]) == ("portal", "portal-secret")
    assert "http://127.0.0.1:9000" in found["img"]  # pages may show the bucket's images


def _staff():
    from tests.factories import UserFactory

    return UserFactory(role="staff")


# --- S3 (moto's server, on this machine) ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on a free local port, with a public bucket (anonymous download, as the compose
    stack's bucket maker sets it) and a private one (no anonymous access)."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as missing:  # pragma: no cover - requirements-dev.txt installs them
        pytest.skip(f"moto's server is not installed: {missing}")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except Exception as error:  # pragma: no cover - a machine where it cannot listen
        pytest.skip(f"moto's server could not start: {error}")
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="eb-public")
    client.create_bucket(Bucket="eb-private")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["*"]},
                "Action": ["s3:GetObject"],
                "Resource": ["arn:aws:s3:::eb-public/*"],
            }
        ],
    }
    client.put_bucket_policy(Bucket="eb-public", Policy=json.dumps(policy))
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3(settings, s3_server):
    endpoint, client = s3_server
    settings.STORAGES = {
        **settings.STORAGES,
        **portal_settings.s3_media_storages(
            public_bucket="eb-public",
            private_bucket="eb-private",
            endpoint_url=endpoint,
            region="us-east-1",
            access_key="test",
            secret_key="test",
        ),
    }
    return endpoint, client


def test_s3_public_objects_are_readable_by_anyone_with_a_long_cache(s3):
    endpoint, client = s3
    assert not isinstance(public_storage(), FileSystemStorage)
    name = public_storage().save("products/photo.webp", ContentFile(b"RIFF-webp-bytes"))
    url = public_storage().url(name)
    assert url == f"{endpoint}/eb-public/products/photo.webp"  # unsigned, by path
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content == b"RIFF-webp-bytes"
    assert response.headers["Cache-Control"] == LONG_CACHE
    assert response.headers["Content-Type"] == "image/webp"
    # The portal does not serve a bucket's files at MEDIA_URL.
    assert Client().get("/media/products/photo.webp").status_code == 404


def test_s3_private_objects_are_not_readable_without_a_signature(s3):
    endpoint, client = s3
    name = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    direct = f"{endpoint}/eb-private/{name}"
    assert requests.get(direct, timeout=10).status_code == 403
    assert requests.get(f"{endpoint}/eb-public/{name}", timeout=10).status_code in (403, 404)
    signed = private_storage().url(name)  # the store's own signed URL works, and expires
    assert "Signature=" in signed or "X-Amz-Signature=" in signed
    grants = client.get_object_acl(Bucket="eb-private", Key=name)["Grants"]
    assert grants and not any("AllUsers" in grant["Grantee"].get("URI", "") for grant in grants)


def test_s3_private_objects_are_streamed_by_serve_private(s3):
    name = private_storage().save("evidence/licence.pdf", ContentFile(pdf()))
    response = serve_private(
        Stored(private_storage(), name), filename="licence.pdf", content_type="application/pdf"
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf()
    assert (
        response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"
    )
    assert "Location" not in response
    with pytest.raises(Http404):
        serve_private(
            Stored(private_storage(), "evidence/none.pdf"), filename="x.pdf", content_type="application/pdf"
        )


@pytest.mark.django_db
def test_s3_a_deal_attachment_goes_to_the_private_bucket_and_is_served_to_readers(s3):
    from deals import attachments
    from tests.matchmaking.conftest import make_buyer, make_producer
    from tests.matchmaking.lifecycle_support import make_counsellor, make_match
    from tests.upload_files import upload

    endpoint, client = s3
    counsellor = make_counsellor("IQ")
    producer, buyer = make_producer(), make_buyer()
    match = make_match(producer, buyer, status="forwarded", counsellor=counsellor)
    [stored] = attachments.attach_files(
        match=match, files=[upload("offer.pdf", pdf())], uploaded_by=producer.owner
    )
    assert client.get_object(Bucket="eb-private", Key=stored.file.name)["Body"].read() == pdf()
    assert requests.get(f"{endpoint}/eb-private/{stored.file.name}", timeout=10).status_code == 403
    reader = Client()
    reader.force_login(buyer.owner)
    response = reader.get(f"/deals/attachments/{stored.token}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "private, no-store"
    outsider = Client()
    outsider.force_login(make_buyer().owner)
    assert outsider.get(f"/deals/attachments/{stored.token}/").status_code == 404


# --- Attachments written before the private store -------------------------------------------


@pytest.mark.django_db
def test_the_migration_moves_old_attachments_into_the_private_store(media):
    import importlib

    from django.apps import apps

    from deals.models import Attachment
    from tests.matchmaking.conftest import make_buyer, make_producer
    from tests.matchmaking.lifecycle_support import make_match

    match = make_match(make_producer(), make_buyer(), status="forwarded")
    rows = []
    for token in ("a" * 32, "b" * 32):
        name = f"deals/{match.pk}/{token}"
        rows.append(
            Attachment.objects.create(
                match=match, token=token, file=name, name="x.pdf", content_type="application/pdf", size=3
            )
        )
    old = media / "deals" / str(match.pk)
    old.mkdir(parents=True)
    (old / ("a" * 32)).write_bytes(b"old")  # the second one's file is long gone
    migration = importlib.import_module("deals.migrations.0002_attachment_private_storage")
    migration.move_to_private_storage(apps, None)
    migration.move_to_private_storage(apps, None)  # again: nothing to do
    assert not (old / ("a" * 32)).exists()
    with private_storage().open(rows[0].file.name) as moved:
        assert moved.read() == b"old"
    assert not private_storage().exists(rows[1].file.name)
