"""EmotionHub settings, read from the environment (see README, "Configuration").

Nothing set: SQLite in ./var, the django-q2 ORM broker, DEBUG on, a development secret key.
Production: DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG=0.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from emotionhub.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("EMOTIONHUB_VAR_DIR", str(BASE_DIR / "var")))
# Where calibrated versions of the default engine are written (one folder per version).
MODEL_STORE_DIR = Path(env_str("MODEL_STORE_DIR", str(VAR_DIR / "models")))
# Calibration retrains the default engine on this GoEmotions-Ekman folder (train.tsv, dev.tsv, labels.txt) plus
# the gold labels; a candidate is activated only if its macro-F1 on held-out gold is >= active - tolerance.
CALIBRATION_DATA_DIR = Path(
    env_str("CALIBRATION_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "goemotions-ekman"))
)
CALIBRATION_TOLERANCE = env_float("CALIBRATION_TOLERANCE", 0.0)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "auditlog",
    "django_q",
    "axes",
    "apps.core",
    "apps.crm",
    "apps.sources",
    "apps.scoring",
    "apps.consent",
    "apps.governance",
    "apps.retention",
    "apps.alerts",
    "apps.responses",
    "apps.coaching",
    "apps.validation",
    "apps.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: records the session user as the actor of audit entries.
    # Token-authenticated API requests set their actor in apps.core.api.authentication.
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emotionhub.urls"
WSGI_APPLICATION = "emotionhub.wsgi.application"
ASGI_APPLICATION = "emotionhub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.navigation.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "emotionhub.sqlite3")),
            # WAL lets the q2 worker write while the web process reads.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Files under var/: shared by the web process and the q2 worker on one machine (cluster status in
    # /healthz, rate limits, replay detection) with nothing to install. Production uses Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Background jobs (django-q2) ------------------------------------------------------------
Q_SYNC = env_bool("Q_SYNC", False)
Q_CLUSTER = {
    "name": "emotionhub",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": env_int("Q_TIMEOUT", 300, minimum=1),
    # retry must exceed timeout, or a slow task would be handed to a second worker while it still runs.
    "retry": env_int("Q_TIMEOUT", 300, minimum=1) + 60,
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 3, minimum=1),
    "queue_limit": 500,
    "bulk": 10,
    "save_limit": 1000,
    "ack_failures": True,
    "catch_up": False,
    "sync": Q_SYNC,
    "label": "Background jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# How many reverse proxies of ours sit in front (each appends to X-Forwarded-For); 0: trust none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Ingestion ------------------------------------------------------------------------------
INGEST_MAX_BODY_BYTES = env_int("INGEST_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = INGEST_MAX_BODY_BYTES

# --- Scoring --------------------------------------------------------------------------------
# The engine used when no scoring model is active in the admin (Scoring models › activate).
SCORING_ENGINE = env_choice("SCORING_ENGINE", "linear", ("linear", "lexicon", "transformers"))
SCORING_ENGINE_OPTIONS: dict = {}
if SCORING_ENGINE == "transformers":
    TRANSFORMERS_MODEL_PATH = env_str("TRANSFORMERS_MODEL_PATH", "")
    if not TRANSFORMERS_MODEL_PATH:
        raise ImproperlyConfigured(
            "SCORING_ENGINE=transformers needs TRANSFORMERS_MODEL_PATH (a local model directory)"
        )
    try:
        _label_map = json.loads(env_str("TRANSFORMERS_LABEL_MAP", "null"))
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"TRANSFORMERS_LABEL_MAP must be JSON: {exc}") from exc
    SCORING_ENGINE_OPTIONS = {
        "model_path": TRANSFORMERS_MODEL_PATH,
        "label_map": _label_map,
        "batch_size": env_int("TRANSFORMERS_BATCH_SIZE", 32, minimum=1),
    }

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out sign-ins before any password check
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
GUARDIAN_RAISE_403 = False

# Login throttling (django-axes): five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = None
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors hold no permissions

# --- API ------------------------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.core.api.authentication.AuditedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EmotionHub API",
    "DESCRIPTION": "Governed emotion signals from customer communications. Authenticate with "
    "`Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ConsentChannelEnum": "apps.consent.choices.CHANNEL_CHOICES"},
}

# --- Audit ----------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_MASK_CALLABLE = "apps.core.audit.mask_fully"

# --- I18N, static ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "EmotionHub <no-reply@emotionhub.local>")

# --- Security (production: DEBUG=0; `manage.py check --deploy` is clean) ---------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the embeddable CRM panel sets its own frame-ancestors instead
# Origins allowed to show the read-only CRM emotion panel in an iframe (CSP frame-ancestors), e.g.
# "https://acme.lightning.force.com,https://app.hubspot.com" (comma-separated). Empty: only this site itself.
CRM_EMBED_FRAME_ANCESTORS = env_list("CRM_EMBED_FRAME_ANCESTORS", [])
# How long a signed panel link (POST /api/v1/accounts/<id>/embed-link/) opens the panel.
CRM_EMBED_LINK_SECONDS = env_int("CRM_EMBED_LINK_SECONDS", 300, minimum=30, maximum=3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):  # the proxy terminates TLS and says so in X-Forwarded-Proto
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "emotionhub": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "emotionhub.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
