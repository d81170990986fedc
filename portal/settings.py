"""Export Bridge settings: one module, every knob read from the environment.

Defaults make a laptop work with no servers (SQLite, Celery eager, console
mail while debugging); production sets the variables listed in `.env.example`
and `manage.py check --deploy` then reports nothing.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.sentry import init_sentry

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No default: with DEBUG off, a missing or insecure key stops the process ("Secrets" below).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
# Absolute links in emails (invitations, digests) start with this.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Secrets and the site's name --------------------------------------------
# No secret has a default once DEBUG is off: a key that is unset, empty, short, or one that was
# ever published (the old defaults and placeholders of this repository) stops every process
# (web, worker, beat, commands) here with the reason. Only a laptop (DJANGO_DEBUG=True) falls
# back to the development key. Tests get a test-only key from pyproject.toml ([tool.pytest_env]).
DEVELOPMENT_SECRET_KEY = "django-insecure-export-bridge-development-key-do-not-use-in-production"
PUBLISHED_SECRET_KEYS = {
    DEVELOPMENT_SECRET_KEY,
    "change-me-to-a-long-random-secret-for-compose-only-0123456789",
    "replace-with-a-long-random-string",
    "build-only",
}
SECRET_KEY_MIN_LENGTH = 50


def _refuse_insecure_secret(name: str, value: str) -> None:
    how = (
        f"Set {name} to a long random value of your own, e.g. the output of "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`, or set DJANGO_DEBUG=True '
        "on a laptop."
    )
    if not value.strip():
        problem = "is not set"
    elif value in PUBLISHED_SECRET_KEYS or value.startswith("django-insecure-"):
        problem = "is a published, insecure value"
    elif len(value) < SECRET_KEY_MIN_LENGTH:
        problem = f"is too short ({len(value)} characters; at least {SECRET_KEY_MIN_LENGTH})"
    elif len(set(value)) < 5:
        problem = "has fewer than 5 different characters"
    else:
        return
    raise ImproperlyConfigured(f"{name} {problem}, and DJANGO_DEBUG is off. {how}")


# Rotating the key (docs/operations.md, "Rotate secrets"): the previous keys, comma-separated.
# Sessions, password-reset and email links signed with them keep working until they expire;
# new ones are signed with DJANGO_SECRET_KEY. Remove them once those have expired.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
else:
    _refuse_insecure_secret("DJANGO_SECRET_KEY", SECRET_KEY)
    for _fallback in SECRET_KEY_FALLBACKS:
        _refuse_insecure_secret("DJANGO_SECRET_KEY_FALLBACKS", _fallback)

# The site's name and domain, as emails say them ("Hello from ..."): written into the sites
# framework's row after every `migrate` (portal/site.py), never django's "example.com".
PORTAL_SITE_NAME = env("PORTAL_SITE_NAME", default="Export Bridge")
PORTAL_SITE_DOMAIN = urlsplit(PORTAL_BASE_URL).netloc

INSTALLED_APPS = [
    # Before the admin, whose forms it extends with a field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_countries",
    "django_celery_beat",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Who did each write (portal/audit.py); the apps register their models in ready().
    "auditlog",
    # Ours first among the template owners, so our allauth templates win; listed from the
    # bottom of the house up (README, "Layout"): each app imports only those above it here.
    "portal",
    "taxonomy",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "catalogue",
    "sourcing",
    "matchmaking",
    "counsellors",
    "deals",
    "digests",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response below it, error pages included (see "Security").
    "csp.middleware.CSPMiddleware",
    # Hostile input: NUL in a path, query, header, cookie or form body, and bodies
    # over REQUEST_MAX_BODY_BYTES, answered before any view or library sees them.
    "portal.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without two-factor sign-in are sent to its setup from every page (accounts/two_factor.py).
    "accounts.middleware.TwoFactorEnrolmentMiddleware",
    # The actor of each logged write: the request's user, read when the write happens.
    "portal.audit.AuditActorMiddleware",
    # A view's lost database connection: 503, not 500 (portal/outages.py).
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site_shell",
                # The "Messages" link and its unread badge (one query, only when shown).
                "deals.context_processors.conversations",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A laptop's SQLite is shared by the web process and the demo seeding.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that is down or unreachable fails a connection within this many seconds, not
    # after the system's TCP timeout (minutes): pages and /healthz/ready answer 503 quickly.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Cache (shared in production, where locks must span processes) --------

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://export-bridge")}
# A cache (Redis) that is down or hangs must not take the site with it: django-redis with
# IGNORE_EXCEPTIONS makes a failed call a miss (get: the default; add/set/delete: None) and
# logs it, and the socket timeouts bound how long a hung server can hold a request. Callers
# that must tell "already there" from "the cache failed" compare `cache.add(...) is False`.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=1.0)
if CACHES["default"]["BACKEND"] in (
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.redis.RedisCache",
):
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"]["OPTIONS"] = {
        **{key.upper(): value for key, value in CACHES["default"].get("OPTIONS", {}).items()},
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
        "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "portal.cache"
# Rate limits with Redis down: allauth's limits and the API's throttles count in this
# cache, which falls back to each process's memory while Redis fails (portal/cache.py), so
# sign-in works and the limits hold per process. Without Redis: the same store as `default`.
CACHES["ratelimit"] = {
    **CACHES["default"],
    **(
        {"BACKEND": "portal.cache.FallbackRedisCache"}
        if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
        else {}
    ),
}

# --- Authentication -------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out email + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
# Two-factor sign-in (allauth.mfa; accounts/two_factor.py): an authenticator app's codes and
# recovery codes, required for staff, offered to everyone else.
MFA_ADAPTER = "accounts.two_factor.TwoFactorAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Accept the code of the period before and after (a phone's clock a little off).
MFA_TOTP_TOLERANCE = env.int("MFA_TOTP_TOLERANCE", default=1)
# The audit log (django-auditlog): the changes as JSON, no client addresses kept with them.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True

# allauth's own per-email failed-login limit would pre-empt django-axes (below) with a
# different message and window; its per-address limit stays, against password spraying.
ACCOUNT_RATE_LIMITS = {"login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", default="10/m/ip")}

# --- Sign-in brute force (django-axes; accounts/lockout.py) ----------------

AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Failures of one email from one address before that pair is locked out...
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# ...for this long after the last failure (staff unlock earlier: `manage.py axes_reset_username`).
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)

# --- Internationalisation -------------------------------------------------

LANGUAGE_CODE = "fa"
# The interface languages (portal/languages.py has their own names and how a request's is
# chosen): Persian first, then the markets the province sells to.
LANGUAGES = [
    ("fa", _("Persian")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("tr", _("Turkish")),
]
RTL_LANGUAGES = {"fa", "ar"}
# The province's usual export markets (ISO 3166 codes): the forms' country picker lists them
# first (taxonomy.countries), above the world regions. The demo province's biggest markets.
USUAL_MARKETS = env.list(
    "USUAL_MARKETS", default=["IQ", "AF", "TR", "AZ", "AM", "RU", "AE", "GE", "TM", "KZ"]
)
# Content in several languages (names, descriptions, briefs, HS names): a column per language
# (django-modeltranslation). What a reader is shown (their language, else English, else the
# original) is decided in portal/content.py, for `obj.name` too; the library's fallback order
# below is left only to its admin widgets.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fa"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = False
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Tehran")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Media: uploaded files (portal/storage.py, portal/uploads.py) ----------
# Two stores: "public" (logos, product photos, catalogues: a public URL, cached for a year) and
# "default", the private one (verification evidence, deal attachments: served only by views
# that check permission). By default two folders under MEDIA_ROOT, the public one served by
# the portal at MEDIA_URL; with both MEDIA_S3_BUCKET_* set, two buckets of an S3-compatible
# store (MinIO in docker-compose.yml, AWS S3...).
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# The largest upload (bytes) and the most pixels an image may have.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)

MEDIA_S3_BUCKET_PUBLIC = env("MEDIA_S3_BUCKET_PUBLIC", default="")
MEDIA_S3_BUCKET_PRIVATE = env("MEDIA_S3_BUCKET_PRIVATE", default="")
# Unset for AWS itself; MinIO or another S3-compatible store: its URL (http://minio:9000).
MEDIA_S3_ENDPOINT_URL = env("MEDIA_S3_ENDPOINT_URL", default="") or None
MEDIA_S3_REGION = env("MEDIA_S3_REGION", default="us-east-1")
# Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., an instance role).
MEDIA_S3_ACCESS_KEY_ID = env("MEDIA_S3_ACCESS_KEY_ID", default="") or None
MEDIA_S3_SECRET_ACCESS_KEY = env("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None
# Where browsers fetch public objects (a CDN, or MinIO's published address); unset: the
# endpoint's URL of the bucket.
MEDIA_S3_PUBLIC_URL = env("MEDIA_S3_PUBLIC_URL", default="").rstrip("/")
# Public objects are public by the bucket's policy; a store that works by object ACLs instead:
# MEDIA_S3_PUBLIC_ACL=public-read. Private objects get MEDIA_S3_PRIVATE_ACL (a bucket with ACLs
# disabled, AWS's default: set it empty).
MEDIA_S3_PUBLIC_ACL = env("MEDIA_S3_PUBLIC_ACL", default="") or None
MEDIA_S3_PRIVATE_ACL = env("MEDIA_S3_PRIVATE_ACL", default="private") or None
MEDIA_S3 = bool(MEDIA_S3_BUCKET_PUBLIC or MEDIA_S3_BUCKET_PRIVATE)
if MEDIA_S3 and not (MEDIA_S3_BUCKET_PUBLIC and MEDIA_S3_BUCKET_PRIVATE):
    raise ImproperlyConfigured(
        "Set both MEDIA_S3_BUCKET_PUBLIC and MEDIA_S3_BUCKET_PRIVATE (two buckets), or neither "
        "(files under MEDIA_ROOT)."
    )
if MEDIA_S3 and MEDIA_S3_BUCKET_PUBLIC == MEDIA_S3_BUCKET_PRIVATE:
    raise ImproperlyConfigured("MEDIA_S3_BUCKET_PUBLIC and MEDIA_S3_BUCKET_PRIVATE must be two buckets.")


def s3_media_storages(
    *,
    public_bucket,
    private_bucket,
    endpoint_url=None,
    region=None,
    access_key=None,
    secret_key=None,
    public_url="",
    public_acl=None,
    private_acl="private",
):
    """The "public" and "default" (private) STORAGES entries for two S3 buckets."""
    common = {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,
        "secret_key": secret_key,
        "signature_version": "s3v4",
        # MinIO and most S3-compatible stores address buckets by path.
        "addressing_style": "path" if endpoint_url else None,
        # A name taken is never overwritten (names are random tokens anyway).
        "file_overwrite": False,
    }
    public = {
        **common,
        "bucket_name": public_bucket,
        "default_acl": public_acl,
        "querystring_auth": False,
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    if public_url:
        parts = urlsplit(public_url)
        public["url_protocol"] = f"{parts.scheme}:"
        public["custom_domain"] = f"{parts.netloc}{parts.path}".rstrip("/")
    private = {
        **common,
        "bucket_name": private_bucket,
        "default_acl": private_acl,
        # Were a URL ever made of a private object, it is signed and short-lived.
        "querystring_auth": True,
        "querystring_expire": 300,
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    return {
        "public": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": public},
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": private},
    }


if MEDIA_S3:
    _media_storages = s3_media_storages(
        public_bucket=MEDIA_S3_BUCKET_PUBLIC,
        private_bucket=MEDIA_S3_BUCKET_PRIVATE,
        endpoint_url=MEDIA_S3_ENDPOINT_URL,
        region=MEDIA_S3_REGION,
        access_key=MEDIA_S3_ACCESS_KEY_ID,
        secret_key=MEDIA_S3_SECRET_ACCESS_KEY,
        public_url=MEDIA_S3_PUBLIC_URL,
        public_acl=MEDIA_S3_PUBLIC_ACL,
        private_acl=MEDIA_S3_PRIVATE_ACL,
    )
    # Pages show public images from the store's address: the CSP lets them in.
    _public_base = MEDIA_S3_PUBLIC_URL or MEDIA_S3_ENDPOINT_URL or ""
    _public_parts = urlsplit(_public_base)
    MEDIA_PUBLIC_ORIGIN = f"{_public_parts.scheme}://{_public_parts.netloc}" if _public_parts.netloc else ""
else:
    _media_storages = {
        "public": {"BACKEND": "portal.storage.PublicFileSystemStorage"},
        "default": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    }
    MEDIA_PUBLIC_ORIGIN = ""
STORAGES = {
    **_media_storages,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ----------------------------------------------------------------

_email_default = "consolemail://" if DEBUG else "smtp://localhost:25"
vars().update(env.email_url("EMAIL_URL", default=_email_default))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Export Bridge <noreply@exportbridge.local>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Subjects start with "[PORTAL_SITE_NAME] ", in the mail's language (accounts/adapter.py).

# --- Security: TLS and proxy switches -------------------------------------

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Our own proxies in front of the app, each appending to X-Forwarded-For: the sign-in lockout
# takes the client address from there (0: REMOTE_ADDR, i.e. no proxy).
AXES_TRUSTED_PROXY_COUNT = env.int(
    "DJANGO_PROXY_COUNT", default=1 if env.bool("DJANGO_BEHIND_PROXY", default=False) else 0
)
# Load balancers and container health checks probe /healthz, /healthz/live and /healthz/ready
# over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp). Everything comes from the portal itself (no
# CDN): no inline script or style, no eval. A page that needs an inline <script>/<style> gives
# it the request's `csp_nonce` (the 503 page does); NONCE adds the nonce to the header only on
# the responses that used it. Two views loosen style only: ReDoc's page (portal/api/urls.py)
# and the digest preview's email (digests/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", *([MEDIA_PUBLIC_ORIGIN] if MEDIA_PUBLIC_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- REST framework and OpenAPI -------------------------------------------

REST_FRAMEWORK = {
    # Token first: its `WWW-Authenticate: Token` header makes an anonymous call to what needs
    # a sign-in a 401 (docs/api.md), not the 403 DRF answers when only sessions are offered.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "accounts.api.authentication.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    # Counted in the default cache (CACHE_URL: Redis when several processes serve).
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's, counting in the `ratelimit` cache (portal/cache.py).
        "portal.api.throttling.AnonRateThrottle",
        "portal.api.throttling.UserRateThrottle",
        "portal.api.throttling.EndpointRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="300/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        # POST /api/v1/auth/token/, per client address.
        "token": env("API_THROTTLE_TOKEN", default="30/minute"),
        # Introduction requests per buyer, the page's and the API's together (counted by
        # matchmaking.lifecycle.request_introduction: a message on the page, 429 on the API).
        "introductions": env("API_THROTTLE_INTRODUCTIONS", default="60/hour"),
        # Invitations to join a company (accounts.teams), per inviting user.
        "invitations": env("API_THROTTLE_INVITATIONS", default="30/day"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Hostile input: JSON nested deeper than 32 levels or with a lone surrogate is a 400
# (portal/api/parsers.py); every request body, JSON included, is capped (portal/request_guard.py).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "portal.api.parsers.JSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=2_621_440)  # 2.5 MiB, as for forms
# Stricter budgets for writes to these endpoints (URL name -> throttle scope above).
API_ENDPOINT_THROTTLES: dict[str, str] = {}
# --- API tokens and shared limits ---
# Tokens: only for accounts whose email is verified (as allauth requires to sign in), they end
# on a password change and when revoked (DELETE /api/v1/auth/token/), and live this many days
# from their issue; staff change the lifetime in the admin ("API token settings").
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0] = (
    "accounts.api.authentication.ExpiringTokenAuthentication"
)
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Export Bridge API",
    "DESCRIPTION": "Producers, buyers, counsellors and the matches between them.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would fetch a validity badge from validator.swagger.io: nothing from another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.declare_error_responses",
        # Links from an answer carrying a resource to the operations on it (stateful fuzzing).
        "portal.api.schema.declare_links",
    ],
    # Choice sets shared by several fields get one name each.
    "ENUM_NAME_OVERRIDES": {
        "MatchStatusEnum": "matchmaking.models.MatchStatus",
        "PartyResponseEnum": "matchmaking.models.PartyResponse",
        "MatchOutcomeEnum": "matchmaking.api.serializers.OUTCOME_CHOICES",
        "RequestStatusEnum": "sourcing.models.RequestStatus",
        # A product's capacity unit, a request line's and a quote's unit.
        "CapacityUnitEnum": "taxonomy.models.CapacityUnit",
        # A user's preferred language and the language of a text are the same five codes.
        "LanguageEnum": LANGUAGES,
        # A user's role, and a message's author's part in the match (deals): two sets of "role".
        "RoleEnum": "accounts.models.Role",
        "AuthorRoleEnum": "deals.authors.ROLE_CHOICES",
        # A member's place in their company (owner, editor), a third set of "role".
        "CompanyRoleEnum": "accounts.models.CompanyRole",
    },
}

# --- Celery ---------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or None
# No broker configured: tasks run in process, so a laptop needs no Redis.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True

# Exports (portal/exports.py): an Excel file of more rows than this is built by a task.
EXPORT_XLSX_INLINE_MAX_ROWS = env.int("EXPORT_XLSX_INLINE_MAX_ROWS", default=2000)
# The staff page that imports producers (catalogue/import_uploads.py) runs in the request: at
# most this many rows (a larger list: split it, or `manage.py import_producers`), this size,
# and a dry run may be committed for this many minutes.
PRODUCER_IMPORT_PAGE_MAX_ROWS = env.int("PRODUCER_IMPORT_PAGE_MAX_ROWS", default=500)
PRODUCER_IMPORT_PAGE_MAX_BYTES = env.int("PRODUCER_IMPORT_PAGE_MAX_BYTES", default=5 * 1024 * 1024)
PRODUCER_IMPORT_UPLOAD_TTL_MINUTES = env.int("PRODUCER_IMPORT_UPLOAD_TTL_MINUTES", default=60)
# Finished export jobs and their files are deleted this many days after they finished
# (portal/export_retention.py, daily).
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request must fail fast when the broker is down or hangs (the task then
# goes to the outbox, portal/outbox.py): a bounded connect/read timeout and few, short retries.
CELERY_BROKER_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# acks_late on Redis: an unacked task comes back after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT * 2),
    "socket_connect_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# The same for the result backend (Redis too, by default), which `apply_async` also touches.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database by the scheduler at start; editable in admin.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": 24 * 3600,
    },
    "matchmaking-escalate-overdue": {
        "task": "matchmaking.tasks.escalate_overdue_matches",
        "schedule": crontab(hour=8, minute=0),
    },
    "matchmaking-outcome-checkins": {
        "task": "matchmaking.tasks.send_outcome_checkins",
        "schedule": crontab(hour=9, minute=0),
    },
    # Open quotes past their validity expire (deals/quote_expiry.py), just after midnight.
    "deals-expire-quotes": {
        "task": "deals.tasks.expire_quotes",
        "schedule": crontab(hour=0, minute=20),
    },
    # Tasks that could not be published (broker down) wait in the outbox; sent again from here.
    "portal-resend-pending-tasks": {
        "task": "portal.tasks.resend_pending_tasks",
        "schedule": env.int("OUTBOX_RESEND_SECONDS", default=60),
    },
    # A sweep whose workers died is given up and sent again (matchmaking/sweeps.py).
    "matchmaking-recover-sweep": {
        "task": "matchmaking.tasks.recover_sweep",
        "schedule": env.int("MATCHING_SWEEP_RECOVER_SECONDS", default=60),
    },
    # Verification evidence past its expiry stops counting: certificates for matching, the
    # licence for the badge (accounts/verifications.py).
    "accounts-expire-verifications": {
        "task": "accounts.tasks.expire_verifications",
        "schedule": crontab(hour=0, minute=25),
    },
    # Export jobs (and their files) older than EXPORT_RETENTION_DAYS go (portal/export_retention.py).
    "portal-delete-old-exports": {
        "task": "portal.tasks.delete_old_exports",
        "schedule": crontab(hour=0, minute=35),
    },
    # Published buying requests whose deadline has passed are closed (sourcing/services.py).
    "sourcing-close-expired-requests": {
        "task": "sourcing.tasks.close_expired_requests",
        "schedule": crontab(hour=0, minute=15),
    },
    "matchmaking-nightly-sweep": {
        "task": "matchmaking.tasks.sweep_all",
        "schedule": crontab(
            hour=env.int("MATCHING_SWEEP_HOUR", default=2),
            minute=env.int("MATCHING_SWEEP_MINUTE", default=30),
        ),
    },
}
# How long a periodic task's single-instance lock lives if its holder dies.
PERIODIC_TASK_LOCK_SECONDS = env.int("PERIODIC_TASK_LOCK_SECONDS", default=CELERY_TASK_TIME_LIMIT)

# --- Matching (matchmaking) ------------------------------------------------

# Weights, the minimum score and the top-K caps live in the database (admin); these are
# how the work is cut up. A nightly sweep splits the buyers into chunks of this size,
# one Celery task each.
MATCHING_SWEEP_CHUNK_SIZE = env.int("MATCHING_SWEEP_CHUNK_SIZE", default=1000)
# A pause after each chunk (seconds), to spread a sweep's load on a shared database.
MATCHING_SWEEP_CHUNK_DELAY = env.float("MATCHING_SWEEP_CHUNK_DELAY", default=0.0)
# Rows per upsert statement.
MATCHING_PERSIST_BATCH = env.int("MATCHING_PERSIST_BATCH", default=2000)
# A burst of edits to one profile within this many seconds gives one rematch.
MATCHING_REMATCH_DEBOUNCE_SECONDS = env.int("MATCHING_REMATCH_DEBOUNCE_SECONDS", default=10)
# The debounce key outlives the countdown by this much, in case the task starts late.
MATCHING_REMATCH_DEBOUNCE_GRACE = env.int("MATCHING_REMATCH_DEBOUNCE_GRACE", default=300)
# One sweep at a time (matchmaking/sweeps.py): it holds a lease of this many seconds, renewed
# every heartbeat by its running chunks. A sweep whose workers all died frees the lease within
# this time; a chunk that died while others run is noticed once its own mark lapses (the same
# time) plus a heartbeat, and the sweep is started again, up to MATCHING_SWEEP_MAX_ATTEMPTS
# times in a row. Lease + heartbeat must stay well under 5 minutes.
MATCHING_SWEEP_LEASE_SECONDS = env.int("MATCHING_SWEEP_LEASE_SECONDS", default=120)
MATCHING_SWEEP_HEARTBEAT_SECONDS = env.float("MATCHING_SWEEP_HEARTBEAT_SECONDS", default=20)
MATCHING_SWEEP_MAX_ATTEMPTS = env.int("MATCHING_SWEEP_MAX_ATTEMPTS", default=3)
# Each process keeps every ready producer prepared for buyer rematches, patched from what
# changed (matchmaking/producer_cache.py); rebuilt in full after this many seconds.
MATCHING_PRODUCER_CACHE = env.bool("MATCHING_PRODUCER_CACHE", default=True)
MATCHING_PRODUCER_CACHE_MAX_AGE_SECONDS = env.int("MATCHING_PRODUCER_CACHE_MAX_AGE_SECONDS", default=3600)

# Service levels of the review queue (days): a proposed match older than the first is shown
# as ageing (queue, counsellor's digest); past the second it is escalated to staff. A
# connected match gets an outcome check-in email to both sides after the third.
MATCH_AGEING_DAYS = env.int("MATCH_AGEING_DAYS", default=7)
MATCH_ESCALATION_DAYS = env.int("MATCH_ESCALATION_DAYS", default=14)
MATCH_CHECKIN_DAYS = env.int("MATCH_CHECKIN_DAYS", default=42)
# A pair declined by either side may be asked for again (a buyer's introduction request) once
# this many days have passed since the decline.
INTRODUCTION_REQUEST_AGAIN_DAYS = env.int("INTRODUCTION_REQUEST_AGAIN_DAYS", default=365)

# --- Deals: the conversation of a forwarded match and its files ------------------

# An email tells each participant of the messages they have not read this many seconds after
# a message is posted: one email for all that piled up meanwhile (deals/notices.py).
DEALS_MESSAGE_NOTICE_DELAY = env.int("DEALS_MESSAGE_NOTICE_DELAY", default=600)
# Files on messages and quotes (deals/attachments.py): each at most this many bytes, this many
# on one message, images at most this many pixels (larger ones are refused as possible bombs).
DEALS_ATTACHMENT_MAX_BYTES = env.int("DEALS_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DEALS_ATTACHMENT_MAX_FILES = env.int("DEALS_ATTACHMENT_MAX_FILES", default=5)
DEALS_IMAGE_MAX_PIXELS = env.int("DEALS_IMAGE_MAX_PIXELS", default=40_000_000)

# --- Digests ---------------------------------------------------------------

# Local time (TIME_ZONE) of the daily digests, and the day of the weekly ones (a crontab day:
# "saturday", "sat" or 6; Saturday starts the Iranian week).
DIGEST_SEND_HOUR = env.int("DIGEST_SEND_HOUR", default=7)
DIGEST_SEND_MINUTE = env.int("DIGEST_SEND_MINUTE", default=0)
DIGEST_WEEKLY_DAY = env("DIGEST_WEEKLY_DAY", default="saturday")
# How long the signed unsubscribe link in a digest works.
DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS", default=60)
# The mailto: of the List-Unsubscribe header: unset = the sender's address; empty = none.
DIGEST_UNSUBSCRIBE_EMAIL = env("DIGEST_UNSUBSCRIBE_EMAIL", default=None)
# A delivery still "claimed" this long after its claim (its worker died) is sent again by the
# next run. Keep it above DIGEST_RETRY_BACKOFF_MAX, so recovery does not race a pending retry.
DIGEST_CLAIM_LEASE_MINUTES = env.int("DIGEST_CLAIM_LEASE_MINUTES", default=15)
# Deliveries built and sent per task.
DIGEST_BATCH_SIZE = env.int("DIGEST_BATCH_SIZE", default=200)
# SMTP failures: retries of one delivery, exponential backoff from/to (seconds, jittered).
DIGEST_SEND_RETRIES = env.int("DIGEST_SEND_RETRIES", default=5)
DIGEST_RETRY_BACKOFF = env.int("DIGEST_RETRY_BACKOFF", default=30)
DIGEST_RETRY_BACKOFF_MAX = env.int("DIGEST_RETRY_BACKOFF_MAX", default=600)

CELERY_BEAT_SCHEDULE.update(
    {
        "digests-daily": {
            "task": "digests.tasks.send_due_digests",
            "schedule": crontab(hour=DIGEST_SEND_HOUR, minute=DIGEST_SEND_MINUTE),
            "args": ("daily",),
        },
        "digests-weekly": {
            "task": "digests.tasks.send_due_digests",
            "schedule": crontab(
                hour=DIGEST_SEND_HOUR, minute=DIGEST_SEND_MINUTE, day_of_week=DIGEST_WEEKLY_DAY
            ),
            "args": ("weekly",),
        },
        "digests-recover-stale": {
            "task": "digests.tasks.recover_stale_deliveries",
            "schedule": crontab(minute="*/5"),
        },
    }
)

# --- Error reports (docs/operations.md, "Error reports") ---------------------------------
# With DEBUG off, every 500 is mailed to ADMINS, "Name <address>" separated by commas, e.g.
# DJANGO_ADMINS="Ops desk <ops@example.org>, Reza <reza@example.org>"; unset: no mail. What a
# report may carry is decided in portal/scrubbing.py: no contact, credential or cookie, for
# the mails (portal/error_reports.py) and Sentry (portal/sentry.py) alike.


def _admins(value: str) -> list[tuple[str, str]]:
    admins = []
    for name, address in getaddresses([value]):
        if not address:
            continue
        if "@" not in address:
            raise ImproperlyConfigured(f"DJANGO_ADMINS: “{address}” is not an email address.")
        admins.append((name or address, address))
    return admins


ADMINS = _admins(env("DJANGO_ADMINS", default=""))
MANAGERS = ADMINS
DEFAULT_EXCEPTION_REPORTER = "portal.error_reports.ScrubbingExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.error_reports.ScrubbingExceptionReporterFilter"
# Sentry or a self-hosted GlitchTip (the same DSN): unset, nothing is sent anywhere.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
# The deployed version (a git tag or commit), to tell which release an error belongs to.
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")
# Share of requests and tasks traced for performance (0 to 1); errors are always sent.
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
SENTRY_ENABLED = init_sentry(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)

# --- Logging --------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Errors of requests (500s) and of Django's own checks, mailed to ADMINS, scrubbed.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "portal.error_reports.ScrubbingAdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Instead of Django's default, whose mail to ADMINS is not scrubbed; printed by the root.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        # A request for a host not in DJANGO_ALLOWED_HOSTS (scanners): printed, not mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is the worker's business; in process (eager) it buries
        # what a command prints.
        "celery.app.trace": {"level": env("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
    },
}

# --- Pictures and documents in the catalogue ---------------------------------

# Product photos (catalogue/pictures.py): at most this many a product, each upload at most this
# many bytes; a product's catalogue PDF at most this many bytes; a company logo (accounts/logos.py)
# at most this many bytes. Pixels are capped by the upload checks (portal/uploads.py).
CATALOGUE_IMAGES_PER_PRODUCT = env.int("CATALOGUE_IMAGES_PER_PRODUCT", default=8)
CATALOGUE_IMAGE_MAX_BYTES = env.int("CATALOGUE_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
CATALOGUE_PDF_MAX_BYTES = env.int("CATALOGUE_PDF_MAX_BYTES", default=20 * 1024 * 1024)
ACCOUNTS_LOGO_MAX_BYTES = env.int("ACCOUNTS_LOGO_MAX_BYTES", default=5 * 1024 * 1024)
