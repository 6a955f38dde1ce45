"""Settings of ``benchmarks/load.py``: the example site as production runs it.

The example site's ``production`` settings (DEBUG off, persistent database
connections with health checks, the database cache, its middleware, CSP and
security headers), with what a load test on plain HTTP needs:

* the secrets and host names ``production`` reads from the environment get
  benchmark-only defaults (the data is fictional), and there is no redirect
  to HTTPS and no HSTS: gunicorn is reached on ``http://127.0.0.1``;
* the cache from ``LOAD_CACHE``: ``db`` (Django's database cache, as
  ``production`` has it; the rate limit then counts in ``RateLimitCounter``
  rows) or ``redis`` (django-redis at ``LOAD_REDIS_URL``; the rate limit
  counts with Redis's atomic ``INCR``);
* ``WAGTAIL_SELVHJELP``: no minimum fill time, the rate limit from
  ``LOAD_RATE_LIMIT`` (default: none in practice) and the client's address
  from ``X-Forwarded-For``, so that each simulated citizen has an address of
  its own, as behind a reverse proxy;
* e-mail kept in memory (locmem), background tasks in the request
  (the immediate backend, as the example site's base settings have it: the
  POST pays for its two e-mails), unless ``TASKS_BACKEND=database`` queues
  them for a worker as production does (``benchmarks/scaleout.py``); no
  second factor;
* errors logged to stderr, so a 5xx leaves its traceback in gunicorn's log.
"""

import os


for _name, _value in {
    "SECRET_KEY": "load-benchmark-only-not-secret",
    # A fixed Fernet key: the benchmark's registrations are fictional.
    "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": "bG9hZC1iZW5jaG1hcmstb25seS1ub3Qtc2VjcmV0LTA=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:54330/selvhjelp_bench_load",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
}.items():
    os.environ.setdefault(_name, _value)

from example_site.settings.production import *  # noqa: E402, F403


SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "selvhjelp@fjellbygd.example"
# With a worker (benchmarks/scaleout.py) production's database backend stays.
if TASKS_BACKEND != "database":  # noqa: F405
    TASKS = {"default": {"BACKEND": backend_path("immediate")}}  # noqa: F405
ADMIN_REQUIRE_SECOND_FACTOR = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if os.environ.get("LOAD_CACHE", "db") == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0"),
        }
    }
# else: production's DatabaseCache ("wagtail_selvhjelp_cache" table).

WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "SECOND_FACTOR_ENFORCED": False,
    "MINIMUM_FILL_SECONDS": 0,
    "RATE_LIMIT_PER_HOUR": int(os.environ.get("LOAD_RATE_LIMIT", "1000000")),
    "CLIENT_IP_META": "HTTP_X_FORWARDED_FOR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
