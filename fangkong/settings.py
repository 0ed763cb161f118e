"""Settings for fangkong: one file, driven by environment variables.

Every variable read here is documented in docs/configuration.md. Defaults suit one community
office on a laptop (SQLite under var/); a district sets DATABASE_URL and the secrets.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd style)."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return default


def dev_secret(filename: str) -> str:
    """A per-machine secret under var/, created on first use, for development and demos only.

    Production sets the real secrets in the environment; DEBUG-less servers refuse to start
    without them (see below), so a forgotten variable never silently uses a laptop key.
    """
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("FANGKONG_DEBUG", False)
# pytest sets PYTEST_VERSION before anything is imported, so a bare `pytest` is a test run too.
TESTING = env_bool("FANGKONG_TESTING", "PYTEST_VERSION" in os.environ)
ALLOW_DEV_SECRETS = env_bool("FANGKONG_ALLOW_DEV_SECRETS", DEBUG or TESTING)


def required_secret(name: str, dev_file: str) -> str:
    value = env_secret(name)
    if value:
        return value
    if TESTING:
        return f"test-only-{name.lower()}"  # fixed, so tests never touch the laptop's var/ keys
    if ALLOW_DEV_SECRETS:
        return dev_secret(dev_file)
    raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when FANGKONG_DEBUG is off")


SECRET_KEY = required_secret("FANGKONG_SECRET_KEY", "secret.key")
# Key for personal data (ID numbers, phones). Held outside the database; see
# docs/configuration.md. FANGKONG_DATA_KEYS_OLD lists retired keys still able to decrypt and
# still looked up, until `manage.py rotate_data_key` has rewritten every row (docs/deploy.md).
DATA_KEY = required_secret("FANGKONG_DATA_KEY", "data.key")
DATA_KEYS_OLD = env_list("FANGKONG_DATA_KEYS_OLD")

ALLOWED_HOSTS = env_list("FANGKONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("FANGKONG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, with a site held to two-step login (accounts/admin_site.py); mounted
    # only with FANGKONG_ADMIN=1 (see ADMIN_ENABLED).
    "fangkong.accounts.admin_apps.TwoStepAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, no CDN
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fangkong.core",
    "fangkong.areas",
    "fangkong.accounts",
    "fangkong.registry",
    "fangkong.staff",
    "fangkong.screening",
    "fangkong.access",
    "fangkong.health",
    "fangkong.reports",
    "fangkong.daily",
    "fangkong.supplies",
    "fangkong.volunteers",
    "fangkong.merchants",
    "fangkong.outreach",
    "fangkong.inquiries",
    "fangkong.counselling",
    "fangkong.selfservice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangkong.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "fangkong.core.middleware.SensitiveQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fangkong.accounts.middleware.TwoFactorMiddleware",
    "fangkong.accounts.middleware.PasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "fangkong.core.middleware.OversizedIdMiddleware",
    "fangkong.core.ratelimit.RateLimitMiddleware",
]

# Household self-service (fangkong.selfservice): how long a household's link lasts, the SMS
# backend of the sign-in code (a dotted path; see docs/selfservice.md) and a multiplier of the
# self-service rate limits (1 in production; a benchmark from one address raises it).
SELFSERVICE_LINK_DAYS = env_int("FANGKONG_SELFSERVICE_LINK_DAYS", 180)
SMS_BACKEND = env_str(
    "FANGKONG_SMS_BACKEND",
    "fangkong.selfservice.sms.MemoryBackend"
    if TESTING
    else "fangkong.selfservice.sms.ConsoleBackend",
)
SELFSERVICE_RATE_SCALE = env_int("FANGKONG_SELFSERVICE_RATE_SCALE", 1)

# Caches. "ratelimit" holds the counts of core.ratelimit (self-service and shop sign-in
# pages) in tests only; elsewhere the counts are files under RATELIMIT_DIR, which every worker
# process of one machine shares (one byte appended per use: see core/ratelimit.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    },
}
RATELIMIT_DIR: Path | None = None if TESTING else VAR_DIR / "ratelimit"

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fangkong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "fangkong.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default: WAL so readers never block the writer, a busy timeout so concurrent
# writers wait instead of failing, and IMMEDIATE transactions so a transaction that will
# write takes the lock at BEGIN (no "database is locked" upgrade deadlocks). The same options
# apply however SQLite is chosen: unset DATABASE_URL, FANGKONG_SQLITE_PATH or a sqlite:///
# DATABASE_URL (options given in the URL's query string win).
DATABASE_URL = env_str("DATABASE_URL")
CONN_MAX_AGE = env_int("FANGKONG_CONN_MAX_AGE", 60)
SQLITE_OPTIONS = {
    "timeout": env_int("FANGKONG_SQLITE_BUSY_TIMEOUT", 20),
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "FANGKONG_PG_PREPARED_STATEMENTS", True
    ):
        # Only the hot statements run through ``core.db.prepared_cursor()`` are prepared
        # (Django's own cursors bind on the client and never are); 0: at their first run.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("FANGKONG_SQLITE_PATH", str(VAR_DIR / "fangkong.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Gate scans on PostgreSQL: commit without waiting for the WAL to reach the disk (only the
# scan's own transaction; nothing else). Off by default: a crash of PostgreSQL or its machine
# (not of fangkong) may then lose the last moment of scans, which the phones were already
# answered for; nothing is ever corrupted or half-written. SQLite with synchronous=NORMAL
# above makes a similar trade for every write. See docs/configuration.md.
GATE_ASYNC_COMMIT = env_bool("FANGKONG_GATE_ASYNC_COMMIT", False)
# Whatever the database: a connection kept between requests (CONN_MAX_AGE) is checked before
# a request uses it, so after a database restart the next request reconnects, never fails.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("FANGKONG_SESSION_AGE", 12 * 3600)

# Failed logins are throttled per (username, IP) pair: an attacker elsewhere cannot lock the
# real user out, and every lock-out expires after the cool-off period.
AXES_FAILURE_LIMIT = env_int("FANGKONG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("FANGKONG_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("FANGKONG_AXES_ENABLED", True)
# Behind a reverse proxy every request comes from the proxy's address, so the (username,
# address) pair above would let anyone lock a user out for everyone. The client's address is
# taken from X-Forwarded-For only when the request comes from one of these proxies (addresses
# or networks; empty: no proxy, REMOTE_ADDR is the client). See accounts/client_ip.py.
AXES_CLIENT_IP_CALLABLE = "fangkong.accounts.client_ip.client_ip"
TRUSTED_PROXIES = env_list("FANGKONG_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"FANGKONG_TRUSTED_PROXIES: {_proxy!r} is not an address or a network"
        ) from None

# Two-factor login with authenticator apps (django-otp's TOTP devices; accounts/two_factor.py).
# A user with a confirmed device enters a code after the password; wrong codes count towards
# the axes pause above. Users of these roles (codes of accounts.choices.Role) must enrol
# before they can open any page. API Bearer tokens are not affected.
TWO_FACTOR_REQUIRED_ROLES = env_list("FANGKONG_2FA_REQUIRED_ROLES")
OTP_TOTP_ISSUER = env_str("FANGKONG_2FA_ISSUER", "fangkong")
# Django's admin at /admin/: off unless asked for. Nothing of fangkong's own is managed there,
# and a second login form is a second way in; when on, it opens only to staff who logged in
# with a code (accounts/admin_site.py).
ADMIN_ENABLED = env_bool("FANGKONG_ADMIN", False)

# API tokens expire after this many days unless issued with another lifetime (at most 366:
# accounts.models.API_TOKEN_MAX_DAYS; checked by accounts/checks.py).
API_TOKEN_DAYS = env_int("FANGKONG_API_TOKEN_DAYS", 90)

# Shops' personnel registers (merchants): entries are deleted after this many days by the
# purge job; the sign-in page opened from a shop's QR poster takes at most so many sign-ins
# per shop and per client address a minute (a phone network's NAT puts many customers
# behind one address, so the address limit is generous).
MERCHANT_REGISTER_DAYS = env_int("FANGKONG_MERCHANT_REGISTER_DAYS", 28)
MERCHANT_SIGNINS_PER_SHOP = env_int("FANGKONG_MERCHANT_SIGNINS_PER_SHOP", 120)
MERCHANT_SIGNINS_PER_ADDRESS = env_int("FANGKONG_MERCHANT_SIGNINS_PER_ADDRESS", 600)

# --- HTTPS behind the TLS proxy ---------------------------------------------------------------
# In production a TLS proxy (Caddy or nginx, docs/deploy.md) speaks plain HTTP to the app on
# 127.0.0.1. FANGKONG_BEHIND_TLS_PROXY=1 says so: the proxy's X-Forwarded-Proto then tells
# Django which requests came over HTTPS, so links (the API's next/previous among them) say
# https://, and cookies and HSTS follow. Set it only when the app is reachable through that
# proxy alone, which overwrites the header: anyone else could send "https" themselves.
BEHIND_TLS_PROXY = env_bool("FANGKONG_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A plain-HTTP request is sent to https:// (the proxy usually does this already).
SECURE_SSL_REDIRECT = env_bool("FANGKONG_SSL_REDIRECT", BEHIND_TLS_PROXY)
SESSION_COOKIE_SECURE = env_bool("FANGKONG_SECURE_COOKIES", BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# An expired form or blocked cookies: a Chinese page in the site's frame, not Django's English one.
CSRF_FAILURE_VIEW = "fangkong.core.error_views.csrf_failure"
# Strict-Transport-Security on HTTPS responses (never on plain HTTP ones, so a laptop demo on
# http://127.0.0.1 is unaffected): browsers that saw it refuse plain HTTP to the host for that
# long. Subdomains and the browsers' preload list stay off unless asked for: a LAN name such
# as fangkong.lan does not own its neighbours, and preloading needs a public domain. Django's
# deployment check warns about both; it is told they are off on purpose.
SECURE_HSTS_SECONDS = env_int("FANGKONG_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGKONG_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("FANGKONG_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fangkong" / "locale"]
# Dates written one way, 2026-12-07, on every page (core/formats/__init__.py says why).
FORMAT_MODULE_PATH = ["fangkong.core.formats"]
TIME_ZONE = env_str("FANGKONG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Imports' uploads between the preview and the import (core.imports.uploads). Web and
    # worker machines must share it: a shared directory here, or another storage backend.
    "uploads": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "imports"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Every asset is served by the app itself; nothing loads from another origin.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Background jobs ------------------------------------------------------------------------
# Jobs run on Django's tasks framework; the database backend keeps them in the same database,
# so a laptop needs no broker. Tests run them inline.
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING or env_bool("FANGKONG_TASKS_INLINE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Filters --------------------------------------------------------------------------------
# The choice of a filter's select that filters nothing (django-filter's "---------" says
# nothing to a resident's officer); every filter and core.filtersets' selects read it.
from django.utils.translation import gettext_lazy  # noqa: E402

FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

# --- API ------------------------------------------------------------------------------------
# The classes named here live in core.api_plumbing and core.api_schema, not core.api: DRF
# imports them while defining its own views, which core.api's base viewsets import.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fangkong.core.api_plumbing.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "fangkong.core.api_plumbing.Pagination",
    "PAGE_SIZE": 50,
    # Every number filter bounded to what a database integer holds (core/filtersets.py).
    "DEFAULT_FILTER_BACKENDS": ["fangkong.core.filtersets.FilterBackend"],
    # JSON bounded in size and depth (413, 400); forms and uploads as REST framework has them.
    "DEFAULT_PARSER_CLASSES": [
        "fangkong.core.api_plumbing.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "fangkong.core.api_schema.ApiSchema",
    "EXCEPTION_HANDLER": "fangkong.core.api_plumbing.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fangkong API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Swagger UI's files come from the drf-spectacular-sidecar package, served by the app.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several fields share (drf-spectacular would otherwise
    # invent hashed names such as "Status0ecEnum" and warn in `check --deploy`).
    "ENUM_NAME_OVERRIDES": {
        "GateDecisionEnum": "fangkong.access.choices.Decision",
        "HealthChangeReasonEnum": "fangkong.health.choices.ChangeReason",
        "QuarantineKindEnum": "fangkong.health.choices.QuarantineKind",
        "ContactKindEnum": "fangkong.health.choices.ContactKind",
        "CaseOutcomeEnum": "fangkong.health.choices.Outcome",
        "CallOutcomeEnum": "fangkong.screening.choices.Outcome",
        "TaskStatusEnum": "fangkong.staff.choices.TaskStatus",
        "UserRoleEnum": "fangkong.accounts.choices.Role",
        "SupplyUnitEnum": "fangkong.supplies.choices.Unit",
        "SupplyCategoryEnum": "fangkong.supplies.choices.Category",
        "InquiryCategoryEnum": "fangkong.inquiries.choices.Category",
        "ReportTemplateLevelEnum": "fangkong.daily.choices.TemplateLevel",
        "CounsellingRiskLevelEnum": "fangkong.counselling.choices.RiskLevel",
        "AreaLevelEnum": "fangkong.areas.choices.AreaLevel",
    },
}

# The largest request body Django or the API reads into memory (Django's default, 2.5 MB);
# a larger one is answered 413. File uploads (imports) are not counted against it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Logging --------------------------------------------------------------------------------
# Error reports never carry request bodies or personal data: the default Django error e-mail
# is off, and the formatter logs only what the request id and path say. Each line carries the
# request id, which a 500 page shows the user.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fangkong.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("FANGKONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
ADMINS: list[tuple[str, str]] = []

# --- fangkong -------------------------------------------------------------------------------
FEVER_THRESHOLD_DEFAULT = 37.3
DEMO_PASSWORD = env_str("FANGKONG_DEMO_PASSWORD", "fangkong-demo-2020")

if TESTING:
    # Cheap hashing keeps the suite fast; production keeps argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
