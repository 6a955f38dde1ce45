"""Settings of ``benchmarks/fuzz.py``: the example site, in-process, DEBUG off.

The example site's ``base`` settings (its middleware, CSP, CSRF failure view,
templates and apps) with DEBUG off, the database from ``DATABASE_URL`` (the
fuzzer creates and drops exactly that database), a local cache, e-mail kept
in memory, background tasks in the request (django-tasks' ImmediateBackend,
so the registration POST runs its e-mail task too), no second factor, no
minimum fill time and rate limits too high to reach: a 429 would hide the
code behind it. Errors are not logged: the fuzzer collects every unhandled
exception with its traceback through ``got_request_exception``.
"""

import os
import tempfile

import dj_database_url

from example_site.settings.base import *  # noqa: F403


SECRET_KEY = "fuzz-benchmark-only-not-secret"  # noqa: S105
# A fixed Fernet key: the fuzzer's data is fictional.
WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = ["ZnV6ei1iZW5jaG1hcmstb25seS1ub3Qtc2VjcmV0LTA="]
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

DATABASES = {
    "default": dj_database_url.config(
        default="sqlite:///"
        + os.path.join(tempfile.gettempdir(), "selvhjelp_bench_fuzz.sqlite3"),
        conn_max_age=600,
    )
}
# The fuzzer creates (and drops) exactly the database it is given.
DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": backend_path("immediate")}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "selvhjelp@fjellbygd.example"
WAGTAILADMIN_BASE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ADMIN_REQUIRE_SECOND_FACTOR = False

WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "SECOND_FACTOR_ENFORCED": False,
    "MINIMUM_FILL_SECONDS": 0,
    "RATE_LIMIT_PER_HOUR": 10**9,
    "SELF_SERVICE_RATE_LIMIT_PER_HOUR": 10**9,
}
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
MEDIA_ROOT = os.environ.get("FUZZ_MEDIA_ROOT") or os.path.join(
    tempfile.gettempdir(), "selvhjelp_bench_fuzz_media"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
    "loggers": {"django": {"handlers": ["null"], "propagate": False}},
}
