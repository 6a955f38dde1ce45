"""Settings of ``benchmarks/pages.py``: the example site, as production runs it.

The example site's ``base`` settings (its middleware, CSP, templates and
apps), with DEBUG off, plus what a benchmark needs: the baseline app
(``PlainPage``), the database from ``DATABASE_URL`` with persistent
connections, a local cache, e-mail kept in memory, background tasks run in
the request (django-tasks' ImmediateBackend, so the registration POST pays
for its e-mails), no minimum fill time and no practical rate limit, no
search-index updates while the data is built, and media in a scratch folder
(``BENCH_MEDIA_ROOT``).
"""

import os
import tempfile

import dj_database_url

from example_site.settings.base import *  # noqa: F403


INSTALLED_APPS = ["benchmarks.pages_site", *INSTALLED_APPS]  # noqa: F405

SECRET_KEY = "benchmark-only-not-secret"  # noqa: S105
# A fixed Fernet key: benchmark data is fictional.
WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = ["YmVuY2htYXJrLW9ubHktbm90LXNlY3JldC1rZXktMDA="]
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

DATABASES = {
    "default": dj_database_url.config(
        default="sqlite:///"
        + os.path.join(tempfile.gettempdir(), "selvhjelp_bench_pages.sqlite3"),
        conn_max_age=600,
    )
}
# The benchmark creates (and drops) exactly the database it is given.
DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": backend_path("immediate")}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "selvhjelp@fjellbygd.example"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "MINIMUM_FILL_SECONDS": 0,
    "RATE_LIMIT_PER_HOUR": 100000,
}
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT") or os.path.join(
    tempfile.gettempdir(), "selvhjelp_bench_media"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
