"""Settings of the analysis registry, read from environment variables.

Development defaults need no server: SQLite under ``var/``, the embedded search backend and a
filesystem Celery broker. Production (``DJANGO_DEBUG`` off, the default) refuses to start without
``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable ``name``, or ``default`` when unset or empty."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable ``name`` read as a boolean (1/true/yes/on)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Return the environment variable ``name`` read as an integer."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return the environment variable ``name`` split on commas, without empty items."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default or [])


DEBUG = env_bool("DJANGO_DEBUG", False)
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=true for development)."
        )
    SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ontologies",
    "registry",
    "datasets",
    "recommender",
    "execution",
    "publications",
    "portal",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Production hardening: on unless DEBUG; each can be turned off for a TLS-terminating proxy setup.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated API calls then get 401 with WWW-Authenticate, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Analysis registry API",
    "DESCRIPTION": (
        "Analysis procedures for photon and neutron facilities: what fits a dataset, why, "
        "and how to run it reproducibly."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" field: name each choice set (procedures and versions share
    # the same one: draft, published, deprecated).
    "ENUM_NAME_OVERRIDES": {
        "RunStateEnum": "execution.choices.RunState",
        "LifecycleStatusEnum": "registry.choices.VersionStatus",
        "ReproductionStatusEnum": "publications.choices.ReproductionStatus",
        "ComparisonStatusEnum": "publications.choices.ComparisonStatus",
    },
}

# Search: "embedded" (default, no server) or "elasticsearch".
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "embedded")
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "analysis-registry")
# Replicas of the search index: a number, or a range ("0-1") that follows the cluster size
# (no replica on one node, the default; one once a second data node joins).
ELASTICSEARCH_REPLICAS = env_str("ELASTICSEARCH_REPLICAS", "0-1")

# Celery: a filesystem broker by default, so one command runs everything without a server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = Path(env_str("CELERY_BROKER_FOLDER", str(VAR_DIR / "celery-broker")))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Datasets: files named through the API must lie inside one of these roots.
NEXUS_DATA_ROOTS = [
    Path(p)
    for p in env_list("NEXUS_DATA_ROOTS", [str(VAR_DIR / "data"), str(BASE_DIR / "fixtures")])
]
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 256 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# Execution: where runs keep their work directories and outputs.
RUNS_DIR = Path(env_str("RUNS_DIR", str(VAR_DIR / "runs")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Execution
# Local working copies of code repositories: the demo procedures live in fixtures/procedures.
CODE_MIRRORS = {
    "https://github.com/analysis-registry-demo/procedures.git": BASE_DIR / "fixtures/procedures",
    **{
        url: Path(folder)
        for url, _, folder in (
            item.partition("=") for item in env_list("CODE_MIRRORS") if "=" in item
        )
    },
}
# Backends each facility offers, first one the default: "esrf=local,slurm;*=local,jupyterhub".
EXECUTION_BACKENDS = {
    facility.strip(): [b.strip() for b in backends.split(",") if b.strip()]
    for facility, _, backends in (
        item.partition("=")
        for item in env_str("EXECUTION_BACKENDS", "*=local,jupyterhub,slurm,binder,visa").split(";")
        if "=" in item
    )
}
EXECUTION_POLL_SECONDS = float(env_str("EXECUTION_POLL_SECONDS", "1.0"))
EXECUTION_LEASE_SECONDS = env_int("EXECUTION_LEASE_SECONDS", 60)
EXECUTION_TASK_DEADLINE_SECONDS = env_int("EXECUTION_TASK_DEADLINE_SECONDS", 24 * 3600)
# A starting worker re-sends runs whose worker died (the filesystem broker redelivers nothing).
EXECUTION_RECOVER_ON_WORKER_START = env_bool("EXECUTION_RECOVER_ON_WORKER_START", True)
# More backends by name (dotted class paths), next to the built-in ones.
EXECUTION_BACKEND_CLASSES: dict[str, str] = {}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
    if not CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
JUPYTERHUB_URL = env_str("JUPYTERHUB_URL", "http://127.0.0.1:8000")
JUPYTERHUB_API_URL = env_str("JUPYTERHUB_API_URL", JUPYTERHUB_URL.rstrip("/") + "/hub/api")
JUPYTERHUB_API_TOKEN = env_str("JUPYTERHUB_API_TOKEN")
SLURMRESTD_URL = env_str("SLURMRESTD_URL", "http://127.0.0.1:6820")
SLURM_JWT_USER = env_str("SLURM_JWT_USER")
SLURM_JWT_TOKEN = env_str("SLURM_JWT_TOKEN")
SLURM_PARTITION = env_str("SLURM_PARTITION")
BINDER_URL = env_str("BINDER_URL", "https://mybinder.org")
VISA_URL = env_str("VISA_URL", "https://visa.example.org")
EXECUTION_HTTP_TIMEOUT = float(env_str("EXECUTION_HTTP_TIMEOUT", "10"))

# Production and scale
# Owned by issue 11 (operations): throttling, caches, token revocation, audit, connection reuse.
# A shared cache (Redis) makes rate limits hold across gunicorn workers and machines.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Per-client rate limits: views with ``throttle_scope = "uploads"`` (NeXus uploads) get 429 with
# Retry-After past the rate; other views are not throttled.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["rest_framework.throttling.ScopedRateThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "uploads": env_str("THROTTLE_UPLOADS", "60/min"),
}
# Behind a proxy, the client is the last of this many X-Forwarded-For addresses (0: REMOTE_ADDR).
REST_FRAMEWORK["NUM_PROXIES"] = env_int("NUM_PROXIES", 0) or None
# Tokens: DELETE /api/v1/auth/token/ revokes one's own, DELETE /api/v1/auth/tokens/<user>/ (staff)
# anyone's; each revocation is an audit entry.
# The audit log reads the acting user from the request being served.
MIDDLEWARE = [*MIDDLEWARE, "audit.middleware.AuditRequestMiddleware"]
# URL parameters with a control character (NUL breaks PostgreSQL) answer 404 before any query.
MIDDLEWARE = [*MIDDLEWARE, "config.api.lookups.RejectControlCharactersMiddleware"]
# Sessions and CSRF: cookies not readable by scripts, sent only same-site.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
