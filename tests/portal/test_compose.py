"""The compose stack is safe by default: checked on what `docker compose config` makes of the
files (no daemon needed), with docker-compose 1.29 (Debian's) or the Compose v2 plugin."""

import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = "docker-compose.yml"
DEMO = "docker-compose.demo.yml"
SECRETS = {
    "DJANGO_SECRET_KEY": "compose-test-secret-Zq4x8Lm7Pn1Kd5Rt9Vb3Hc6Jf0Wy2Ga",
    "POSTGRES_PASSWORD": "pg0test9pw",
    "MINIO_ROOT_PASSWORD": "minio0test9root9pw",
    "MEDIA_S3_SECRET_ACCESS_KEY": "media0test9portal9secret",
}
PORTAL = ("migrate", "web", "worker", "beat")
# One-shot services: they run, succeed and exit.
ONE_SHOT = ("migrate", "buckets")
# Exact versions: a tag with at least major.minor (postgres:16.8-bookworm, v1.22.3), MinIO's
# dated releases (RELEASE.2025-09-07T16-13-09Z), or a digest.
PINNED_TAG = re.compile(r"^(v?\d+\.\d+|RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$)")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|CREDENTIAL|_KEY\b", re.IGNORECASE)


@cache
def compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


pytestmark = pytest.mark.skipif(
    compose_command() is None, reason="neither docker-compose nor the docker compose plugin is installed"
)


def compose_config(*files: str, **variables: str) -> subprocess.CompletedProcess:
    """`config` on `files` with only `variables` set: not the caller's shell, not a local .env."""
    env = {
        k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith(("COMPOSE_", "PORTAL_"))
    }
    env.update(variables)
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.env"
        empty.write_text("")
        args = [*compose_command(), "--env-file", str(empty)]
        for name in files:
            args += ["-f", name]
        return subprocess.run(
            [*args, "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )


@cache
def config(*files: str) -> dict:
    result = compose_config(*(files or (BASE,)), **SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def services(*files: str) -> dict[str, dict]:
    return config(*files)["services"]


def command_of(service: dict) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else " ".join(command)


def published_hosts(service: dict) -> list[str]:
    """The host address of every published port, in v1's short and v2's long syntax."""
    hosts = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            hosts.append(port.get("host_ip") or "0.0.0.0")
        else:
            parts = str(port).split(":")
            hosts.append(parts[0] if len(parts) == 3 else "0.0.0.0")
    return hosts


def assert_pinned(image: str, where: str) -> None:
    name, _, digest = image.partition("@")
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    assert digest.startswith("sha256:") or PINNED_TAG.match(tag), f"{where}: {image} is not pinned"
    assert tag != "latest", f"{where}: {image}"


# --- Valid, and no secret has a default --------------------------------------------------


@pytest.mark.parametrize("files", [(BASE,), (BASE, DEMO)], ids=["plain", "demo"])
def test_compose_config_is_valid(files):
    found = services(*files)
    assert {"migrate", "web", "worker", "beat", "postgres", "redis", "mailpit", "minio", "buckets"} <= set(
        found
    )
    for name in PORTAL:
        env = found[name]["environment"]
        assert env["DJANGO_DEBUG"] == "False"
        assert env["DJANGO_SECRET_KEY"] == SECRETS["DJANGO_SECRET_KEY"]


@pytest.mark.parametrize("files", [(BASE,), (BASE, DEMO)], ids=["plain", "demo"])
@pytest.mark.parametrize("missing", list(SECRETS))
def test_compose_refuses_to_start_without_each_secret(files, missing):
    given = {k: v for k, v in SECRETS.items() if k != missing}
    for value in (None, ""):
        result = compose_config(*files, **given, **({} if value is None else {missing: value}))
        assert result.returncode != 0, f"config passed without {missing}"
        assert f"set {missing} to a" in result.stderr


def test_no_compose_file_gives_a_secret_a_default():
    for name in (BASE, DEMO):
        text = (ROOT / name).read_text(encoding="utf-8")
        for variable, operator in re.findall(r"\$\{(\w+)(:?[-?+])?", text):
            if variable.endswith("_FALLBACKS"):
                # Old keys while rotating: none is the normal case, never a value written here.
                assert operator == ":-" and f"${{{variable}:-}}" in text, f"{name}: ${{{variable}}}"
                continue
            if SECRET_NAME.search(variable):
                assert operator in (":?", "?"), f"{name}: ${{{variable}}} must be required (:?)"
    # Every secret in the environment is the one given, never a value written in the file.
    found = services()
    assert found["postgres"]["environment"]["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
    for name in PORTAL:
        assert urlsplit(found[name]["environment"]["DATABASE_URL"]).password == SECRETS["POSTGRES_PASSWORD"]


# --- The demo is opt-in ------------------------------------------------------------------


def test_no_service_seeds_the_demo_without_the_demo_file():
    for name, service in services().items():
        assert "seed_demo" not in command_of(service), name
        assert "seed_demo" not in str(service.get("entrypoint") or ""), name


def test_the_demo_file_seeds_once_and_says_so_explicitly():
    seeding = {
        name: command_of(s) for name, s in services(BASE, DEMO).items() if "seed_demo" in command_of(s)
    }
    assert list(seeding) == ["migrate"]
    assert "seed_demo --allow-production" in seeding["migrate"]
    # Migrations first, then the seed; everything else as without the demo.
    assert seeding["migrate"].index("migrate --noinput") < seeding["migrate"].index("seed_demo")
    for name, service in services(BASE, DEMO).items():
        if name != "migrate":
            assert service == services()[name], name


# --- Migrations once, before anything that uses the database ------------------------------


@pytest.mark.parametrize("files", [(BASE,), (BASE, DEMO)], ids=["plain", "demo"])
def test_migrations_run_in_a_one_shot_service_that_the_portal_waits_for(files):
    found = services(*files)
    assert "manage.py migrate --noinput" in command_of(found["migrate"])
    assert found["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in command_of(found[name]), name
        condition = found[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    assert found["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_long_running_service_restarts():
    for name, service in services().items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        assert service.get("restart") in ("unless-stopped", "always"), name


def test_published_ports_answer_on_localhost_only():
    found = services()
    assert published_hosts(found["mailpit"]) == ["127.0.0.1"]
    for name, service in found.items():
        assert set(published_hosts(service)) <= {"127.0.0.1"}, name


def test_every_image_is_pinned():
    for name, service in services().items():
        if "build" in service:
            assert not service.get("image", "").endswith(":latest"), name
            continue
        assert_pinned(service["image"], name)
    stages = set()
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line.strip(), re.IGNORECASE)
        if match:
            if match[1] not in stages:
                assert_pinned(match[1], "Dockerfile")
            if match[2]:
                stages.add(match[2])
    assert stages == {"assets"}  # the scan read the Dockerfile


# --- Uploaded files: MinIO, its two buckets made at start ---------------------------------


def test_minio_keeps_its_files_in_a_volume_and_answers_on_localhost():
    minio = services()["minio"]
    assert minio["image"].startswith("minio/minio:RELEASE.")
    assert "server /data" in command_of(minio)
    # Short syntax ("minio-data:/data", v1 adds ":rw") or v2's long one.
    mounts = [
        (v["source"], v["target"]) if isinstance(v, dict) else tuple(str(v).split(":")[:2])
        for v in minio["volumes"]
    ]
    assert ("minio-data", "/data") in mounts
    assert "minio-data" in config()["volumes"]
    assert published_hosts(minio) == ["127.0.0.1"]
    assert minio["environment"]["MINIO_ROOT_PASSWORD"] == SECRETS["MINIO_ROOT_PASSWORD"]
    assert minio["healthcheck"]["test"]


def test_the_bucket_maker_makes_a_public_and_a_private_bucket_once_minio_answers():
    found = services()
    maker = found["buckets"]
    assert maker["image"].startswith("minio/mc:RELEASE.")
    assert maker["depends_on"]["minio"]["condition"] == "service_healthy"
    env = maker["environment"]
    script = command_of(maker)
    public, private = env["PUBLIC_BUCKET"], env["PRIVATE_BUCKET"]
    assert public != private
    assert 'mc mb --ignore-existing "store/$$PUBLIC_BUCKET" "store/$$PRIVATE_BUCKET"' in script
    assert 'mc anonymous set download "store/$$PUBLIC_BUCKET"' in script  # read by anyone, not listed
    assert 'mc anonymous set none "store/$$PRIVATE_BUCKET"' in script
    assert "anonymous set public" not in script and "anonymous set upload" not in script
    # The portal's own user, allowed the two buckets only (not MinIO's root).
    assert 'mc admin user add store "$$PORTAL_KEY" "$$PORTAL_SECRET"' in script
    assert "arn:aws:s3:::*" not in script
    assert env["PORTAL_SECRET"] == SECRETS["MEDIA_S3_SECRET_ACCESS_KEY"]
    assert env["MINIO_ROOT_PASSWORD"] == SECRETS["MINIO_ROOT_PASSWORD"]
    for name in PORTAL:
        portal = found[name]["environment"]
        assert portal["MEDIA_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert (portal["MEDIA_S3_BUCKET_PUBLIC"], portal["MEDIA_S3_BUCKET_PRIVATE"]) == (public, private), (
            name
        )
        assert portal["MEDIA_S3_ACCESS_KEY_ID"] == env["PORTAL_KEY"], name
        assert portal["MEDIA_S3_SECRET_ACCESS_KEY"] == SECRETS["MEDIA_S3_SECRET_ACCESS_KEY"], name
        assert portal["MEDIA_S3_PUBLIC_URL"].endswith("/" + public), name
        assert portal["MEDIA_S3_PRIVATE_ACL"] == "", name  # MinIO: the bucket policy, no object ACLs
        assert "MINIO_ROOT_PASSWORD" not in portal, name  # the portal never holds the root password
        assert found[name]["depends_on"]["buckets"]["condition"] == "service_completed_successfully", name


def test_the_bucket_script_is_valid_shell():
    script = command_of(services()["buckets"]).replace("$$", "$")
    result = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- Health checks: each service on the right one ---------------------------------------------


def healthcheck_of(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return test if isinstance(test, str) else " ".join(test)


def test_each_service_is_checked_by_what_says_it_works():
    found = services()
    expected = {
        # The process serves: a Redis or database outage must not get web restarted.
        "web": "http://127.0.0.1:8000/healthz/live",
        "worker": "celery -A portal inspect ping",
        "postgres": "pg_isready",
        "redis": "redis-cli ping",
        "minio": "mc ready local",
        "mailpit": "/livez",
        "backup": "find /backups -name 'exportbridge-*.tar.gz'",
    }
    for name, needle in expected.items():
        assert needle in healthcheck_of(found[name]), (name, healthcheck_of(found[name]))
    # No container is restarted for a dependency: nothing checks itself on /healthz/ready or
    # the old /healthz that mixed both.
    for name, service in found.items():
        check = healthcheck_of(service)
        assert "/healthz/ready" not in check, name
        assert not re.search(r"/healthz(?![/\w])", check), name
    assert "--max-time" in healthcheck_of(found["web"])  # a hung process fails the check
    # What waits on another waits for it to be healthy (ready), or done.
    for name, service in found.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert condition["condition"] == wanted, (name, dependency)
            assert found[dependency].get("healthcheck") or dependency in ONE_SHOT, dependency


# --- Backups and Redis's data -----------------------------------------------------------------


def mounts_of(service: dict) -> list[tuple[str, str]]:
    return [
        (v["source"], v["target"]) if isinstance(v, dict) else tuple(str(v).split(":")[:2])
        for v in service.get("volumes") or []
    ]


def test_redis_keeps_its_data_in_a_volume():
    redis = services()["redis"]
    assert ("redis-data", "/data") in mounts_of(redis)
    assert "redis-data" in config()["volumes"]
    assert "--appendonly yes" in command_of(redis)


def test_a_backup_service_backs_up_daily_into_a_volume_keeping_the_newest():
    found = services()
    backup = found["backup"]
    assert backup["image"] == found["web"]["image"]  # the portal's image: pg_dump and manage.py
    assert backup["restart"] == "unless-stopped"
    assert ("backups", "/backups") in mounts_of(backup)
    assert "backups" in config()["volumes"]
    script = command_of(backup)
    assert 'python manage.py backup_database /backups/ --keep "$$keep"' in script
    assert backup["environment"]["BACKUP_INTERVAL_SECONDS"] == "86400"
    assert backup["environment"]["BACKUP_KEEP"] == "14"
    assert backup["environment"]["DATABASE_URL"] == found["web"]["environment"]["DATABASE_URL"]
    assert (
        backup["environment"]["MEDIA_S3_BUCKET_PRIVATE"]
        == found["web"]["environment"]["MEDIA_S3_BUCKET_PRIVATE"]
    )
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert backup["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "backups" not in str(found["web"].get("volumes"))  # only the backup service holds them


def test_backup_retention_and_interval_come_from_the_environment():
    result = compose_config(BASE, **SECRETS, BACKUP_KEEP="30", BACKUP_INTERVAL_SECONDS="43200")
    assert result.returncode == 0, result.stderr
    backup = yaml.safe_load(result.stdout)["services"]["backup"]
    assert backup["environment"]["BACKUP_KEEP"] == "30"
    assert backup["environment"]["BACKUP_INTERVAL_SECONDS"] == "43200"


def test_the_backup_scripts_are_valid_shell():
    backup = services()["backup"]
    [_, _, script] = backup["command"]
    for text in (script, healthcheck_of(backup).removeprefix("CMD-SHELL ")):
        result = subprocess.run(["sh", "-n", "-c", text.replace("$$", "$")], capture_output=True, text=True)
        assert result.returncode == 0, (text, result.stderr)


def test_the_image_has_the_postgres_client_of_the_compose_server_and_a_supported_node():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    server_major = re.match(r"postgres:(\d+)\.", services()["postgres"]["image"])[1]
    assert f"ARG POSTGRES_MAJOR={server_major}\n" in dockerfile
    assert '"postgresql-client-${POSTGRES_MAJOR}"' in dockerfile
    node = re.search(r"^FROM node:(\d+)\.\S+ AS assets$", dockerfile, re.MULTILINE)
    assert node, "the assets stage builds with an official Node image"
    # An LTS line (even) that is still supported: 24 until April 2028, 26 until April 2029.
    assert int(node[1]) % 2 == 0 and int(node[1]) >= 24, node[0]
    # The backup volume's folder exists in the image, owned by the portal's user.
    assert "mkdir -p /backups" in dockerfile and "chown -R portal /app /backups" in dockerfile


def test_error_reports_are_configured_from_the_environment():
    result = compose_config(
        BASE,
        **SECRETS,
        DJANGO_ADMINS="Ops desk <ops@example.org>",
        SENTRY_DSN="https://key@glitchtip.example.org/1",
        SENTRY_RELEASE="v1.2.3",
    )
    assert result.returncode == 0, result.stderr
    found = yaml.safe_load(result.stdout)["services"]
    for name in (*PORTAL, "backup"):
        env = found[name]["environment"]
        assert env["DJANGO_ADMINS"] == "Ops desk <ops@example.org>", name
        assert env["SENTRY_DSN"] == "https://key@glitchtip.example.org/1", name
        assert env["SENTRY_RELEASE"] == "v1.2.3" and env["SENTRY_ENVIRONMENT"] == "production", name
    # Unset: no mail, nothing sent anywhere.
    assert services()["web"]["environment"]["SENTRY_DSN"] == ""
    assert services()["web"]["environment"]["DJANGO_ADMINS"] == ""
