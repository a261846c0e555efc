"""One env-driven settings module.

Every default is the embedded one (SQLite, eager Celery, in-memory channel layer),
so `make run` needs nothing else. Production sets DATABASE_URL, REDIS_URL,
CELERY_BROKER_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "apps.core",
    "apps.accounts",
    "apps.builder",
    "apps.records",
    "apps.runtime",
    "apps.portal",
    "apps.workspace",
    "lcnc",  # the project's own commands, above every app (load_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.core.middleware.PageLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lcnc.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "lcnc.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lcnc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'lcnc.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            # Write-ahead log: readers never wait for the writer, and a commit appends to
            # the log instead of rewriting pages. NORMAL syncs the log at checkpoints, not at
            # every commit (~20 ms each on a plain disk): a crash of the process loses
            # nothing, a power cut may lose the last commits; SQLITE_SYNCHRONOUS=FULL syncs
            # every commit.
            "init_command": (
                "PRAGMA journal_mode=WAL; "
                f"PRAGMA synchronous={env('SQLITE_SYNCHRONOUS', 'NORMAL').upper()};"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Server-side parameter binding lets psycopg prepare the statements a connection runs
    # often (after DB_PREPARE_THRESHOLD runs): PostgreSQL then plans them once per
    # connection instead of on every request. Needs persistent connections
    # (DB_CONN_MAX_AGE) to pay off, and a pooler in session mode if one is used.
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"].update(
            {
                "server_side_binding": True,
                "prepare_threshold": int(env("DB_PREPARE_THRESHOLD", "2")),
            }
        )
    # A pool of connections per process (psycopg_pool). Under ASGI every request runs its
    # Django code in a thread of its own, so DB_CONN_MAX_AGE keeps nothing between
    # requests: without a pool each request opens a new connection (and loses the
    # statements it prepared). Production web processes set DB_POOL=1 (DB_CONN_MAX_AGE is
    # then ignored); DB_POOL_MAX_SIZE connections at most per process.
    if env_bool("DB_POOL", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": int(env("DB_POOL_MIN_SIZE", "2")),
            "max_size": int(env("DB_POOL_MAX_SIZE", "8")),
            "timeout": float(env("DB_POOL_TIMEOUT", "10")),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:inbox"
LOGOUT_REDIRECT_URL = "workspace:login"

LANGUAGE_CODE = env("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "lcnc" / "static"]
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
if FRONTEND_DIST.is_dir():
    STATICFILES_DIRS.append(("builder", FRONTEND_DIST))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Scheme and host of the citizen portal, for links in messages sent without a request
# (a request's own address is used when there is one).
PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:8000")

# Background work: eager in-process unless a broker is configured. Celery only wakes the
# outbox; the tick (beat) delivers whatever is due, so an unreachable broker delays
# deliveries and fails no request: publishing gives up quickly.
REDIS_URL = env("REDIS_URL", "")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "lcnc")
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = float(env("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": float(env("REDIS_CONNECT_TIMEOUT", "0.5")),
}

CELERY_BEAT_SCHEDULE = {
    "lcnc-tick": {"task": "apps.runtime.tasks.tick", "schedule": float(env("TICK_SECONDS", "15"))},
}
# Without a broker, `runserver` fires timers and retries deliveries from a thread.
EMBEDDED_TICK = env_bool("EMBEDDED_TICK", CELERY_TASK_ALWAYS_EAGER)
TICK_SECONDS = float(env("TICK_SECONDS", "15"))
OUTBOX_MAX_ATTEMPTS = int(env("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_BASE_SECONDS = int(env("OUTBOX_RETRY_BASE_SECONDS", "10"))
WEBHOOK_SECRET = env("WEBHOOK_SECRET", "dev-webhook-secret" if DEBUG else "")
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "10"))
# Named webhook endpoints used by definitions: {"construction_registry": "https://..."}.
WEBHOOK_ENDPOINTS: dict[str, str] = json.loads(env("WEBHOOK_ENDPOINTS", "{}"))
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
# Open311 GeoReport v2: requests allowed per API key (a key may set its own rate).
OPEN311_RATE = env("OPEN311_RATE", "100/hour")
# Citizen portal: anonymous POSTs allowed per client IP (form pages and wizard steps,
# corrections, ratings, reopening, sign-in), and the days after closing in which a citizen
# may reopen their case.
PORTAL_SUBMIT_RATE = env("PORTAL_SUBMIT_RATE", "60/hour")
PORTAL_REOPEN_DAYS = int(env("PORTAL_REOPEN_DAYS", "14"))
# Open work within this many working hours of its deadline is "due soon" (Sắp đến hạn).
DEADLINE_DUE_SOON_HOURS = float(env("DEADLINE_DUE_SOON_HOURS", "8"))
# Expired form drafts (and the files they kept) are deleted once a day.
CELERY_BEAT_SCHEDULE["portal-drafts-purge"] = {
    "task": "apps.portal.tasks.drafts_purge",
    "schedule": 24 * 3600.0,
}

# Map tiles for the location picker; the coordinate inputs work without any tiles.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# Cache (rate limits of the API and the portal pages): shared by every web process through
# Redis when it is configured, else per process in memory. When Redis cannot be reached the
# limits fail open (logged) rather than fail the request: see apps/core/cache.py.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lcnc",
            "OPTIONS": {
                "socket_connect_timeout": float(env("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(env("REDIS_TIMEOUT", "1")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Realtime: in-memory channel layer unless Redis is configured.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # A live update that cannot be sent must not hold up the request
                        # (consumers catch up): give up on an unreachable Redis quickly.
                        "socket_connect_timeout": float(env("REDIS_CONNECT_TIMEOUT", "0.5")),
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "lcnc@localhost")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: signed-out API calls get 401 with WWW-Authenticate: Token.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon_submit": env("ANON_SUBMIT_RATE", "30/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LCNC API",
    "DESCRIPTION": "Low-code platform for city services: apps, records, tasks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come with the project (no CDN: city networks are often closed).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if env("STATIC_ROOT"):
    STATIC_ROOT = Path(env("STATIC_ROOT"))

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

if not WEBHOOK_SECRET:
    raise ImproperlyConfigured("WEBHOOK_SECRET must be set when DEBUG is off.")
