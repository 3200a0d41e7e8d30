"""QMSS settings, driven by environment variables (see README, section Configuration)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository checkout


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(os.environ.get("QMSS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A random key per installation, kept beside the local database; never committed.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")


def _data_dir() -> Path | None:
    configured = os.environ.get("QMSS_DATA_DIR")
    if configured:
        return Path(configured)
    default = BASE_DIR.parent / "shared" / "data"
    return default if default.is_dir() else None


QMSS_DATA_DIR = _data_dir()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "auditlog",
    "django_tasks",
    "qmss.registry.worker",  # before django_tasks_db: its db_worker (registry housekeeping first) must win
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "ninja",  # serves the API docs' Swagger UI from its own static files instead of a CDN
    "qmss.core",
    "qmss.territory",
    "qmss.registry",
    "qmss.frameworks",
    "qmss.assessments",
    "qmss.needs",
    "qmss.network",
    "qmss.financing",
    "qmss.improvement",
    "qmss.portal",
    "qmss.setup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qmss.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qmss.core.middleware.SecondFactorMiddleware",
    "qmss.core.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "qmss.urls"
WSGI_APPLICATION = "qmss.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qmss.core.context_processors.qmss",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'qmss.sqlite3'}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "cs"
LANGUAGES = [("cs", _("Czech")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Prague"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("QMSS_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "QMSS <noreply@qmss.localhost>")

# Absolute links in e-mails sent by background tasks (no request to build them from).
QMSS_BASE_URL = os.environ.get("QMSS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security: safe by default; HTTPS-only cookies and HSTS when served over TLS (QMSS_HTTPS=1).
QMSS_HTTPS = env_bool("QMSS_HTTPS", False)
SESSION_COOKIE_SECURE = QMSS_HTTPS
CSRF_COOKIE_SECURE = QMSS_HTTPS
SECURE_SSL_REDIRECT = QMSS_HTTPS and env_bool("QMSS_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if QMSS_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("QMSS_BEHIND_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 12

# Login protection (django-axes): after QMSS_LOGIN_FAILURE_LIMIT failed logins of one user name, or from one
# address, within the cool-off window, every login of it is refused (even with the right password) until the
# cool-off has passed. Covers the login page and /admin/. The client address comes from qmss.core.throttle.
AXES_ENABLED = env_bool("QMSS_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("QMSS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("QMSS_LOGIN_COOLOFF_MINUTES", "15")))
# Locked per user name (from any address): colleagues behind one office NAT do not lock each other out by typos.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that without the address an attacker may rotate user agents or cookies; with the user name as
# the parameter those rotations do not reset the count. Password spraying across many user names from one
# address is the accepted trade-off (see README, Security).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "qmss.core.views_accounts.locked_out"  # a Czech page (registration/locked_out.html), 429
AXES_CLIENT_IP_CALLABLE = "qmss.core.throttle.client_ip"
AXES_VERBOSE = False
# Password reset requests (not covered by axes): per address and per e-mail within a window (qmss.core.throttle).
QMSS_RESET_LIMIT_PER_IP = int(os.environ.get("QMSS_RESET_LIMIT_PER_IP", "10"))
QMSS_RESET_LIMIT_PER_EMAIL = int(os.environ.get("QMSS_RESET_LIMIT_PER_EMAIL", "3"))
QMSS_RESET_WINDOW_SECONDS = int(os.environ.get("QMSS_RESET_WINDOW_SECONDS", "3600"))

# Second factor (django-otp, TOTP + one-time recovery codes): required for the accounts that
# qmss.core.mfa.must_use_second_factor names (regions, ministry, auditors, superusers); optional
# for everybody else. QMSS_REQUIRE_2FA=0 turns the requirement off (e.g. for a local trial), never in production.
QMSS_REQUIRE_2FA = env_bool("QMSS_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "QMSS"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Content-Security-Policy (django-csp): our own origin only, no inline scripts, no third-party origins.
# Styles: our stylesheets plus the app's few fixed <style> elements by hash (QMSS_CSP_STYLE_HASHES, checked by
# tests/core/test_headers.py against the sources) and inline style *attributes* only (style-src-attr), which
# the SVG figures drawn by the app use for their width; attributes cannot carry selectors or at-rules.
QMSS_CSP_STYLE_HASHES = [
    "'sha256-kB6mxK7HSpUiuibcVsXcGdzKpDcfH1NA3xLUt3KI2po='",  # LINK_STYLE of qmss.improvement.svg (process map)
    "'sha256-cshBQwAIMQsSh39h2or1FE5z3Xrtul4+z0mGvTpE2hA='",  # templates/errors/500.html (no static files needed)
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *QMSS_CSP_STYLE_HASHES],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Portal video / radio spots and films (issue #13, content part): embedded only from the configured provider, e.g.
# "https://www.youtube-nocookie.com/embed/{id}"; empty = no iframe (the page says the recording is available on
# request; the transcript is always shown). When set, CSP frame-src allows exactly that provider's origin.
QMSS_VIDEO_EMBED_URL = os.environ.get("QMSS_VIDEO_EMBED_URL", "").strip()
if QMSS_VIDEO_EMBED_URL:
    from urllib.parse import urlsplit as _urlsplit

    _embed = _urlsplit(QMSS_VIDEO_EMBED_URL)
    if _embed.scheme != "https" or not _embed.netloc or "{id}" not in QMSS_VIDEO_EMBED_URL:
        raise ImproperlyConfigured("QMSS_VIDEO_EMBED_URL must be an https:// address containing {id}.")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-src"] = [f"https://{_embed.netloc}"]
QMSS_PORTAL_ATTACHMENT_MAX_BYTES = int(os.environ.get("QMSS_PORTAL_ATTACHMENT_MAX_BYTES", str(25 * 1024 * 1024)))

# Cache: on disk by default so that the web and worker processes share it (import progress);
# set CACHE_URL-style backends through QMSS_CACHE_BACKEND / QMSS_CACHE_LOCATION (e.g. Redis) in production.
# The shared cache holds few, important entries (data-version tokens, progress, throttle counters, computed
# tables): a file cache culls a random third of its entries when full, so it is given room and never holds the
# many rendered page fragments – those live in each process's memory ("fragments", keyed by the data versions, so
# they never go stale; registry.cache.fragment_cache).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("QMSS_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": os.environ.get("QMSS_CACHE_LOCATION", str(VAR_DIR / "cache")),
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("QMSS_CACHE_MAX_ENTRIES", "20000"))},
    },
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "qmss-fragments",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("QMSS_FRAGMENT_CACHE_ENTRIES", "2000"))},
    },
}
QMSS_FRAGMENT_CACHE = "fragments"

# Background work: django-tasks with the database backend; `qmss db_worker` runs the queue.
TASKS = {"default": {"BACKEND": os.environ.get("QMSS_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Uploads: the registry file may be large (the national file is > 30 MB).
QMSS_REGISTRY_UPLOAD_MAX_BYTES = int(os.environ.get("QMSS_REGISTRY_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024)))
# Registry import bounds (checked by a pre-scan before parsing) and the safety threshold for ending services:
# an import whose valid records are fewer than this share of the services in the registry ends none unless forced.
QMSS_REGISTRY_MAX_DEPTH = int(os.environ.get("QMSS_REGISTRY_MAX_DEPTH", "64"))
QMSS_REGISTRY_MAX_RECORDS = int(os.environ.get("QMSS_REGISTRY_MAX_RECORDS", "200000"))
QMSS_REGISTRY_MIN_SHARE = float(os.environ.get("QMSS_REGISTRY_MIN_SHARE", "0.5"))
# A running import whose progress has not moved for this long is marked failed (its worker is gone).
QMSS_REGISTRY_IMPORT_STALL_SECONDS = int(os.environ.get("QMSS_REGISTRY_IMPORT_STALL_SECONDS", str(60 * 60)))
# Uploaded import files left behind (e.g. by a killed worker) are removed at worker start after this long.
QMSS_REGISTRY_UPLOAD_KEEP_SECONDS = int(os.environ.get("QMSS_REGISTRY_UPLOAD_KEEP_SECONDS", str(24 * 60 * 60)))
QMSS_REGISTRY_URL = os.environ.get("QMSS_REGISTRY_URL", "https://data.mpsv.cz/od/soubory/rpss/rpss.json")
QMSS_CODELIST_URL = os.environ.get("QMSS_CODELIST_URL", "https://data.mpsv.cz/od/soubory/ciselniky/")
QMSS_EVIDENCE_MAX_BYTES = int(os.environ.get("QMSS_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Audit log: record who changed what; the object's organisation goes into additional_data.
AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must not be an insecure development key when DEBUG is off.")
