"""Settings shared by every environment.

The environment is read here and only here; every variable is documented in
.env.example and the README.
"""
import os
from datetime import timedelta
from pathlib import Path

import csp.constants as _csp
import dj_database_url
from celery.schedules import crontab as _crontab
from django.core.exceptions import ImproperlyConfigured

from config import storage as _storage
from core.parsing import parse_ascii_int

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Environment -----------------------------------------------------------
ENV = os.environ
SECRET_KEY = ENV.get("SECRET_KEY", "")
DEBUG = ENV.get("DEBUG", "") in {"1", "true", "True"}
ALLOWED_HOSTS = [h for h in ENV.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in ENV.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
DATABASE_URL = ENV.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
CELERY_BROKER_URL = ENV.get("CELERY_BROKER_URL", "")
REDIS_URL = ENV.get("REDIS_URL", "")
EMAIL_URL = ENV.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "BNM – Métropole Européenne de Lille <bnm@lillemetropole.fr>")
BNM_TEAM_EMAIL = ENV.get("BNM_TEAM_EMAIL", "bnm@lillemetropole.fr")
BNM_PORTAL_URL = ENV.get("BNM_PORTAL_URL", "https://asuivre.lillemetropole.fr/")
SITE_BASE_URL = ENV.get("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PRIVATE_MEDIA_ROOT = Path(ENV.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
MEDIA_ROOT = Path(ENV.get("MEDIA_ROOT", BASE_DIR / "media"))
STATIC_ROOT = Path(ENV.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# E-mail outbox and background processes (see ami/tasks.py, ami/heartbeat.py, /sante/).
OUTBOX_RETRY_HOURS = float(ENV.get("OUTBOX_RETRY_HOURS", "48"))
OUTBOX_RETRY_DELAY = float(ENV.get("OUTBOX_RETRY_DELAY", "60"))
OUTBOX_SWEEP_SECONDS = float(ENV.get("OUTBOX_SWEEP_SECONDS", "60"))
HEARTBEAT_SECONDS = float(ENV.get("HEARTBEAT_SECONDS", "30"))
# Deadline reminders (J−7, J−2, closing day) are looked for this often; each goes out once.
REMINDER_SWEEP_SECONDS = float(ENV.get("REMINDER_SWEEP_SECONDS", "900"))
HEALTH_HEARTBEAT_MAX_AGE = float(ENV.get("HEALTH_HEARTBEAT_MAX_AGE", "180"))


def _env_count(name: str, default: int) -> int:
    if name not in ENV:
        return default
    value = parse_ascii_int(ENV[name], max_digits=4)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be a whole number written with the digits 0-9, got {ENV[name]!r}.")
    return value


# Days a private resume link stays valid (never after the campaign's deadline).
AMI_LINK_LIFETIME_DAYS = _env_count("AMI_LINK_LIFETIME_DAYS", 30)
# Reverse proxies in front of the site that append to X-Forwarded-For (0: use the address of
# the connection). Rate limits are keyed on the client address this gives (core.net.client_ip).
TRUSTED_PROXY_COUNT = _env_count("TRUSTED_PROXY_COUNT", 0)
if AMI_LINK_LIFETIME_DAYS < 1:
    raise ImproperlyConfigured("AMI_LINK_LIFETIME_DAYS must be at least 1.")
# Admin accounts (accounts/): failed logins before a lockout, its length, and whether every
# admin user must use a second factor (TOTP). Lockouts are keyed on core.net.client_ip.
ADMIN_LOCKOUT_FAILURES = _env_count("ADMIN_LOCKOUT_FAILURES", 5)
ADMIN_LOCKOUT_MINUTES = _env_count("ADMIN_LOCKOUT_MINUTES", 15)
ADMIN_REQUIRE_2FA = ENV.get("ADMIN_REQUIRE_2FA", "") in {"1", "true", "True"}
if ADMIN_LOCKOUT_FAILURES < 1 or ADMIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("ADMIN_LOCKOUT_FAILURES and ADMIN_LOCKOUT_MINUTES must be at least 1.")
# Idle time after which a browser loses access to the dossiers it opened (sliding, in seconds).
AMI_SESSION_IDLE_SECONDS = parse_ascii_int(ENV.get("AMI_SESSION_IDLE_SECONDS", "7200"), max_digits=7)
if not AMI_SESSION_IDLE_SECONDS or AMI_SESSION_IDLE_SECONDS < 60:
    raise ImproperlyConfigured("AMI_SESSION_IDLE_SECONDS must be a number of seconds, at least 60.")

# --- Applications ----------------------------------------------------------
INSTALLED_APPS = [
    "accounts",
    "home",
    "faq",
    "ami",
    "wagtail_modeladmin",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    # First: a hit is answered before any other middleware runs; what they add to an answer
    # (security headers, CSP) is stored with it (core/pagecache.py).
    "core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come pre-compressed) and above everything that writes the body
    # or marks a response as private: compresses public responses only (README « Compression »).
    "config.middleware.PublicGZipMiddleware",
    # Below the page cache (a hit needs no site): Wagtail's site of the request from the cache (home.routing).
    "home.routing.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "ami.middleware.PrivateDossierMiddleware",
    "ami.middleware.AmiAdminForbiddenMiddleware",
    # Last: turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------
# The embedded default (SQLite file) in WAL mode, so pages read while a save writes, and with
# immediate transactions: every atomic block takes the write lock when it begins and waits
# for it (busy timeout), instead of reading first and failing with « database is locked » when
# another process wrote meanwhile (SQLite cannot wait when a read transaction turns into a
# write). synchronous=NORMAL is durable across application crashes in WAL mode; a power loss
# may lose the last commits. Limits of this mode: README « The embedded database (SQLite) ».
SQLITE_BUSY_TIMEOUT_SECONDS = 20
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def database_settings(url: str, **kwargs) -> dict:
    """DATABASES["default"] for `url` (dj-database-url), with the SQLite options above on SQLite."""
    config = dj_database_url.parse(url, **kwargs)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": database_settings(DATABASE_URL, conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_CACHE_OPTIONS = {"SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3, "BREAKER_SECONDS": 5}
if REDIS_URL:
    # Fail soft (config/cache.py): Redis down or hung reads as a miss, writes as a no-op, after at
    # most one short timeout per BREAKER_SECONDS; pages are then built from the database.
    CACHES = {
        "default": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_CACHE_OPTIONS}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page cache for anonymous visitors (core/pagecache.py): on Redis with the rest (one
# connection pool, one breaker), else in files shared by the processes of this host.
# PAGE_CACHE_SECONDS = 0 turns it off.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(BASE_DIR / "var" / "pagecache"),
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
PAGE_CACHE_ALIAS = "default" if REDIS_URL else "pages"
PAGE_CACHE_SECONDS = int(ENV.get("PAGE_CACHE_SECONDS", "600"))
# Never looked up: static files, media, the admin and documents (served with their own checks).
PAGE_CACHE_EXCLUDED_PREFIXES = ("/static/", "/media/", "/admin/", "/documents/")
# Rate limits count in that cache. Without Redis the count cannot be read: let the request
# through (django-ratelimit would otherwise refuse every POST); see README « When Redis is down ».
RATELIMIT_FAIL_OPEN = True

# --- Celery ------------------------------------------------------------------
# No broker configured: tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
# A publish (the e-mail dispatch after a submission commits) must answer quickly whatever Redis
# does: short socket timeouts, at most one quick retry; a failed dispatch leaves the outbox row
# pending for the sweep, and publish_or_skip (config/cache.py) skips publishing for
# CELERY_BROKER_BREAKER_SECONDS after a failure. Worst case of one publish ≈ 2 × (0.5 + 0.5) s.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BROKER_BREAKER_SECONDS = 10

# --- Outbox scheduling and heartbeats (beat runs as its own process: `make beat`) ---------
# The outbox rows, not Celery countdowns, hold the retry schedule: the sweep is the only
# scheduler of retries. Queued copies of these periodic tasks expire with their period, so
# nothing piles up while the worker is down.
OUTBOX_RETRY_MAX_DELAY = 3600.0  # backoff: OUTBOX_RETRY_DELAY, ×2 after each failure, capped at 1 h
CELERY_BEAT_SCHEDULE = {
    "ami-send-pending-emails": {
        "task": "ami.tasks.send_pending_emails",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    "ami-heartbeat": {
        "task": "ami.tasks.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    "ami-deadline-reminders": {
        "task": "ami.tasks.send_deadline_reminders",
        "schedule": REMINDER_SWEEP_SECONDS,
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    # Retention periods of « Données personnelles » (ami.services.personal_data), once a day at
    # 9:30 Paris (CELERY_TIMEZONE): the warnings one month before a draft's deletion go out in
    # office hours. Idempotent, so a missed or doubled run is harmless.
    "ami-purge-personal-data": {
        "task": "ami.tasks.purge_personal_data",
        "schedule": _crontab(hour=9, minute=30),
        "options": {"expires": 12 * 3600},
    },
}

# --- E-mail ------------------------------------------------------------------
if EMAIL_URL.startswith(("smtp://", "smtps://")):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = "tls=1" in (_email.query or "")
    EMAIL_TIMEOUT = 20
elif EMAIL_URL == "console://":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("file://"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = EMAIL_URL.removeprefix("file://")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security & auth ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
# The session (a dossier opened through a private link, an admin login) ends with the browser;
# dossier access also ends after AMI_SESSION_IDLE_SECONDS without a dossier page (ami.middleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LOGIN_URL = "wagtailadmin_login"
# Admin login lockout (django-axes, accounts/): ADMIN_LOCKOUT_FAILURES failed logins from one client
# address (whatever the user names), or for one user name (from any address), lock that address or
# account until ADMIN_LOCKOUT_MINUTES pass without an attempt; the lockout page is French (HTTP 429). A successful login
# clears the failures; successful logins are not logged (no address kept for them).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = ADMIN_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=ADMIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"  # the address behind TRUSTED_PROXY_COUNT proxies
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# Second factor (django-otp, TOTP): optional for each admin user (« Double authentification » in
# the account menu), required for all when ADMIN_REQUIRE_2FA is on (accounts.middleware).
OTP_TOTP_ISSUER = "BNM Métropole Européenne de Lille"
# Every rate limit keyed on "ip" reads the client's address there (IPv6 grouped by /64).
RATELIMIT_IP_META_KEY = "core.net.client_ip"

# Content-Security-Policy (django-csp) on the public site and the AMI: only this origin, scripts
# and styles from files or carrying the request's nonce (`{{ CSP_NONCE }}`), never inline code.
# The Wagtail admin is left out: its editor relies on inline styles and scripts.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [_csp.SELF],
        "script-src": [_csp.SELF, _csp.NONCE],
        "style-src": [_csp.SELF, _csp.NONCE],
        "img-src": [_csp.SELF],
        "font-src": [_csp.SELF],
        "connect-src": [_csp.SELF],
        "object-src": [_csp.NONE],
        "base-uri": [_csp.SELF],
        "form-action": [_csp.SELF],
        "frame-ancestors": [_csp.NONE],
    },
}
# Browser features no page uses (config.middleware.PermissionsPolicyMiddleware, every response).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera",
        "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection",
        "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static & media ----------------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
# Uploaded files on the web host's disk, or on S3-compatible object storage when S3_MEDIA_BUCKET /
# S3_PRIVATE_BUCKET are set (config/storage.py; README « Deployment on several machines »).
STORAGES = {
    "default": _storage.media_storage(ENV),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_STORAGE = _storage.private_storage(ENV)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Wagtail -----------------------------------------------------------------
WAGTAIL_SITE_NAME = "Bibliothèque Numérique Métropolitaine"
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# The admin calls no other host: no Gravatar (it would send a hash of each staff e-mail), no update check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"ami": {"level": "INFO"}, "home": {"level": "INFO"}},
}
