"""Production: everything secret or host-specific comes from the environment.

Required: ``SECRET_KEY``, ``WAGTAIL_SELVHJELP_ENCRYPTION_KEYS`` (Fernet keys,
comma separated, newest first), ``ALLOWED_HOSTS`` (comma separated) and
``DATABASE_URL`` (PostgreSQL). E-mail: ``EMAIL_HOST``, ``EMAIL_PORT``,
``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``,
``DEFAULT_FROM_EMAIL``. Video embeds: ``CSP_EMBED_ORIGINS`` (see base.py).
Static files: ``STATIC_ROOT`` (where ``collectstatic`` writes them; run it on
every deploy, see docs/compression.md).
Behind the proxy: ``CLIENT_IP_HEADER`` and ``TRUSTED_PROXY_HOPS`` (below).
Shared cache: ``REDIS_URL`` (else the database cache). Background work:
``TASKS_BACKEND=database`` and a worker. deploy/.env.example lists them all,
docs/production.md the processes that use them.

Admin users with access to registrations or groups must prove a second
factor; a site whose single sign-on already does that turns it off in
``local.py`` (see docs/admin-security.md).
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


DEBUG = False
SECRET_KEY = _env("SECRET_KEY")
# Fernet keys for registrations' free texts, comma separated, newest first;
# never derived from SECRET_KEY (see wagtail_selvhjelp.encryption).
WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = [
    key.strip()
    for key in _env("WAGTAIL_SELVHJELP_ENCRYPTION_KEYS").split(",")
    if key.strip()
]
DATABASES = {
    "default": dj_database_url.parse(
        _env("DATABASE_URL"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
ALLOWED_HOSTS = [host.strip() for host in _env("ALLOWED_HOSTS").split(",")]
ALLOWED_HOSTS = [host for host in ALLOWED_HOSTS if host]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS holds no host name: set it to the site's host names, "
        "comma separated (for example selvhjelp.kommune.no)."
    )

# Static files get a hash of their content in their names (css/site.3f2a….css)
# and a gzip and a Brotli copy when collectstatic runs; WhiteNoise serves
# them compressed, with a cache lifetime of ten years for the hashed names
# (a changed file gets a new name). A proxy in front may serve STATIC_ROOT
# itself instead. See docs/compression.md.
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
_SECURITY_MIDDLEWARE = MIDDLEWARE.index(  # noqa: F405
    "django.middleware.security.SecurityMiddleware"
)
MIDDLEWARE = [
    *MIDDLEWARE[: _SECURITY_MIDDLEWARE + 1],  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_SECURITY_MIDDLEWARE + 1 :],  # noqa: F405
]

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The header in which the proxy passes on the client's address (for example
# CLIENT_IP_HEADER=X-Forwarded-For) and how many proxies append to it
# (TRUSTED_PROXY_HOPS, default 1): the rate limits and the sign-in lockout
# count clients by it. Unset, every client has the proxy's address and
# check --deploy warns (wagtail_selvhjelp.W020).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip()
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true") == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

ADMIN_REQUIRE_SECOND_FACTOR = True
WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "SECOND_FACTOR_ENFORCED": ADMIN_REQUIRE_SECOND_FACTOR,
}
if CLIENT_IP_HEADER:
    WAGTAIL_SELVHJELP["CLIENT_IP_META"] = "HTTP_" + CLIENT_IP_HEADER.upper().replace(
        "-", "_"
    )
    WAGTAIL_SELVHJELP["TRUSTED_PROXY_HOPS"] = int(
        os.environ.get("TRUSTED_PROXY_HOPS", "1")
    )

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "true") == "true"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WAGTAILADMIN_BASE_URL = _env("WAGTAILADMIN_BASE_URL", "https://" + ALLOWED_HOSTS[0])

# One cache every application process shares: the rate limits' counters and
# the content generation that cached fragments are keyed on must be the same
# in every worker, or each would count and invalidate on its own. Redis
# (REDIS_URL, through django-redis, whose increments are atomic) holds the
# counters itself; without it, Django's database cache (run
# `manage.py createcachetable` once) holds the fragments and the package
# counts in its own table, whose increments are atomic too
# (wagtail_selvhjelp.models.rate_limits). See docs/production.md.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "selvhjelp"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "wagtail_selvhjelp_cache",
        }
    }

# Background work (e-mails, SMS, offers): TASKS_BACKEND=database queues it in
# the database for a separate worker (`manage.py db_worker`, django-tasks-db;
# deploy/selvhjelp-worker.service); unset, it runs in the request, as in
# development. The health URL reports how long the oldest task has waited.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate").strip()
if TASKS_BACKEND == "database":
    INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]  # noqa: F405
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND != "immediate":
    raise ImproperlyConfigured(
        "TASKS_BACKEND is 'database' (a worker runs the tasks) or 'immediate'."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
