"""Settings for the portal: one module, driven by the environment (see README, "Configure").

Unset DATABASE_URL and REDIS_URL give the embedded default: a SQLite file under .data/, eager Celery
and a local-memory cache. DJANGO_ENV=production turns on the deployment hardening and requires a
real SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import importlib.util
import secrets
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.env import (
    EnvError,
    env_bool,
    env_choice,
    env_hosts,
    env_int,
    env_origins,
    env_str,
    parse_database_url,
    parse_email_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PORTAL_DATA_DIR", str(BASE_DIR / ".data")))

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"
# Off by default even in development, so `make run` shows the real 404/500 pages users get.
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise EnvError("DEBUG: must be false when DJANGO_ENV=production")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if PRODUCTION:
        if key is None:
            raise EnvError("SECRET_KEY: required when DJANGO_ENV=production (or set SECRET_KEY_FILE)")
        if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
            raise EnvError(
                "SECRET_KEY: too weak; use at least 50 random characters (e.g. `openssl rand -base64 48`)"
            )
        return key
    if key is not None:
        return key
    # Development: generate once and keep it, so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_hosts("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise EnvError("ALLOWED_HOSTS: required when DJANGO_ENV=production, e.g. portal.example.org")
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "portal.apps.PortalConfig",
    "procurement.apps.ProcurementConfig",
    "pledges.apps.PledgesConfig",
    "standards.apps.StandardsConfig",
    "boards.apps.BoardsConfig",
]

MIDDLEWARE = [
    "portal.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.TimeZoneMiddleware",
    # Inside WhiteNoise, so static files keep their long-lived caching.
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it inspects the response of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": parse_database_url(
        "DATABASE_URL",
        env_str("DATABASE_URL"),
        sqlite_default=DATA_DIR / "portal.sqlite3",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = parse_redis_url("REDIS_URL", env_str("REDIS_URL"))
# Short timeouts everywhere Redis is touched from a web request: a down Redis must degrade a
# page, never hang it.
REDIS_SOCKET_TIMEOUT = 1.0

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                # A cache miss is better than a 500 when Redis is briefly away.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # job state lives in JobRun, not a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Redelivery of an unacked task after a worker dies; longer than the hard time limit.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    # How often a worker looks for such abandoned messages (kombu's default is ~100 s apart).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 30, minimum=1),
    "unacked_restore_throttle": 1,
}
# A published run still unclaimed after this long lost its message (e.g. Redis restarted without
# persistence): the sweeper sends it again. Longer than a job may run (an atomic job's claim is not
# visible until it commits), so a duplicate is rare; the claim makes it harmless anyway.
JOB_REPUBLISH_AFTER = timedelta(
    seconds=env_int("JOB_REPUBLISH_AFTER_SECONDS", max(900, CELERY_TASK_TIME_LIMIT * 2), minimum=10)
)
# A run the broker accepted but no worker started for this long is marked failed, not kept for ever.
JOB_GIVE_UP_AFTER = timedelta(hours=env_int("JOB_GIVE_UP_AFTER_HOURS", 24, minimum=1))
# Publishing from a web request: a couple of quick retries, then fail (the outbox keeps the job).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "heartbeat-ping": {"task": "portal.tasks.ping", "schedule": timedelta(minutes=10)},
    "sweep-job-outbox": {"task": "portal.tasks.sweep_outbox", "schedule": timedelta(minutes=1)},
    "purge-old-job-runs": {"task": "portal.tasks.purge_job_runs", "schedule": crontab(hour=3, minute=17)},
    "mark-overdue-plans": {
        "task": "pledges.tasks.mark_overdue_plans",
        "schedule": crontab(hour=0, minute=30),
    },
    "recompute-dip-metrics": {
        "task": "pledges.tasks.recompute_all_dip_metrics",
        "schedule": crontab(hour=1, minute=45),
    },
    "flag-overdue-actions": {
        "task": "boards.tasks.flag_overdue_actions",
        "schedule": crontab(hour=0, minute=40),
    },
    # Reminders are idempotent (one per object, kind and threshold), so hourly costs nothing and
    # a missed run is caught up within the hour.
    "send-reminders": {"task": "portal.tasks.send_reminders", "schedule": crontab(minute=5)},
    # Catches any notification mail the on-commit job did not send (broker down, a lost message).
    "send-notification-emails": {
        "task": "portal.tasks.send_notification_emails",
        "schedule": timedelta(minutes=5),
    },
    "send-notification-digests": {
        "task": "portal.tasks.send_notification_digests",
        "schedule": crontab(hour=6, minute=0),
    },
}

# --- Email and notifications ----------------------------------------------------------------
# EMAIL_URL: smtp://user:password@relay:587?tls=true, smtps://…, file:///dir or console:. Unset,
# mails are written as files under .data/mail/ (one per message) for a developer to read.
globals().update(parse_email_url("EMAIL_URL", env_str("EMAIL_URL"), file_default=DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "NATO Production Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails are absolute: the address users reach the portal at.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
NOTIFICATION_EMAIL_ATTEMPTS = env_int("NOTIFICATION_EMAIL_ATTEMPTS", 5, minimum=1)
# An "overdue" reminder is sent for this many days after the due date, and not for older ones.
NOTIFICATION_OVERDUE_DAYS = env_int("NOTIFICATION_OVERDUE_DAYS", 30, minimum=1)

# --- Auth, sessions, login throttling ------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "portal_session"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind the TLS proxy every request comes from the proxy's address: the client's is in
# X-Forwarded-For, trusted only when this is on (portal.proxy.client_ip).
AXES_CLIENT_IP_CALLABLE = "portal.proxy.client_ip"

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^health$"]  # the load balancer probes over plain HTTP
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", PRODUCTION)
# Proxies that append to X-Forwarded-For in front of the app; the client is that many entries
# from the right, and anything further left is what the client itself sent.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=10)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script, no eval: every script is a static file from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date style per language ("1 Dec 2026", "1 déc. 2026"), 24-hour times with their zone.
FORMAT_MODULE_PATH = ["portal.locale_formats"]
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
# Production serves hashed, compressed files from collectstatic; development and tests serve
# straight from the source folders through WhiteNoise.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", PRODUCTION)


def _document_storage() -> dict:
    """Where meeting documents are kept (boards.models.Document): a private folder on local disk
    (the default) or an S3-compatible bucket. Either way nothing serves them but the boards
    download view, which checks who may read each one."""
    kind = env_choice("BOARDS_DOCUMENT_STORAGE", "local", ("local", "s3"))
    if kind == "local":
        root = Path(env_str("BOARDS_DOCUMENT_ROOT", str(DATA_DIR / "documents"))).resolve()
        for public in (STATIC_ROOT, *STATICFILES_DIRS):
            if root.is_relative_to(Path(public).resolve()):
                raise EnvError(f"BOARDS_DOCUMENT_ROOT: {root} is under {public}, which is served publicly")
        return {
            "BACKEND": "boards.models.documents.PrivateFileSystemStorage",
            "OPTIONS": {
                "location": str(root),
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    options = {
        "bucket_name": env_str("BOARDS_DOCUMENT_S3_BUCKET", required=True),
        # An S3-compatible service (MinIO, Ceph, a national cloud) gives its own endpoint.
        "endpoint_url": env_str("BOARDS_DOCUMENT_S3_ENDPOINT_URL"),
        "region_name": env_str("BOARDS_DOCUMENT_S3_REGION"),
        # Unset: boto3's own chain (instance role, AWS_* variables). Both may come from *_FILE.
        "access_key": env_str("BOARDS_DOCUMENT_S3_ACCESS_KEY_ID"),
        "secret_key": env_str("BOARDS_DOCUMENT_S3_SECRET_ACCESS_KEY"),
        "location": env_str("BOARDS_DOCUMENT_S3_PREFIX", "boards-documents"),
        # No per-object ACL, so the bucket's own (private) policy applies; no overwrite, so a
        # clash of names gets another name rather than replacing a document.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    if importlib.util.find_spec("storages") is None:
        raise EnvError("BOARDS_DOCUMENT_STORAGE: s3 needs django-storages[s3] installed")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "boards_documents": _document_storage(),
}
# Issue 13: a meeting document is at most 20 MB (tests lower it to stay fast).
BOARDS_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root

# --- API -------------------------------------------------------------------------------------
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
# Read per request by portal.api.throttling, so tests (and the conftest) can change them.
API_THROTTLE_RATES = {
    "anon": f"{env_int('API_THROTTLE_ANON_PER_MINUTE', 60, minimum=1)}/min",
    "user": f"{env_int('API_THROTTLE_USER_PER_MINUTE', 600, minimum=1)}/min",
}
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1, maximum=366)
# Knox stores only a digest of each token; portal.services.token_create sets each expiry.
REST_KNOX = {"TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS), "AUTH_HEADER_PREFIX": "Token"}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with WWW-Authenticate, not a bare 403.
        "portal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.CappedPageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API speaks JSON: a view that takes a file upload names its multipart parser itself.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    # Documents every operation's errors (400 to 429) in one place.
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonRateThrottle",
        "portal.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NATO Defence Production Portal API",
    "DESCRIPTION": "Demand, contracts, national plans, investment metrics, standards and boards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
    # Several models have a "kind" or "status" field; name each enum after its choices class.
    "ENUM_NAME_OVERRIDES": {
        "NationKindEnum": "portal.choices.NationKind",
        "RoleEnum": "portal.choices.Role",
        "JobStateEnum": "portal.choices.JobState",
        "ProgrammeKindEnum": "procurement.choices.ProgrammeKind",
        "FrameworkStatusEnum": "procurement.choices.FrameworkStatus",
        "FirmnessEnum": "procurement.choices.Firmness",
        "CapabilityAreaEnum": "procurement.choices.CapabilityArea",
        "AmendmentRationaleEnum": "procurement.choices.AmendmentRationale",
        "ThrottledCodeEnum": ["throttled"],  # portal.api.schema's 429
    },
}

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.request_context.RequestIDLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "nato-demo-2026!")
# Cells from fewer nations are withheld from readers who may not read their rows (portal.aggregates).
AGGREGATE_MIN_NATIONS = env_int("AGGREGATE_MIN_NATIONS", 3, minimum=1)
