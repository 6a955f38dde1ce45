"""Settings for the test suite.

They start from the example site's settings, so the suite also proves that a
normal Wagtail project runs the package, and override what a test run needs:
a database from ``DATABASE_URL`` (SQLite in memory by default, PostgreSQL in
CI), a fast password hasher, a local cache and in-process background tasks.
"""

import importlib.util

import dj_database_url

from example_site.settings.base import *  # noqa: F403


# A site's own registration page with an extra question (the README example).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# django-tasks' database backend, whose stored results the purge prunes
# (tests enqueue on it with ``task.using(backend="database")``): part of
# django-tasks up to 0.8, the django-tasks-db package since 0.9.
if importlib.util.find_spec("django_tasks.backends.database"):
    TASKS_DATABASE_APP = "django_tasks.backends.database"
    TASKS_DATABASE_BACKEND = "django_tasks.backends.database.DatabaseBackend"
else:
    TASKS_DATABASE_APP = "django_tasks_db"
    TASKS_DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
INSTALLED_APPS = [*INSTALLED_APPS, TASKS_DATABASE_APP]

# One tree, one language per request, unless a test turns translated trees
# on (tests/test_written_standards.py does, with the example's /nn/ URLs):
# most tests read pages in the active language they set themselves.
WAGTAIL_I18N_ENABLED = False
MIDDLEWARE = [
    name
    for name in MIDDLEWARE  # noqa: F405
    if name != "django.middleware.locale.LocaleMiddleware"
]

SECRET_KEY = "tests-only-not-secret"
# Fernet keys for the free texts (tests only): the first encrypts.
WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = ["dGVzdHMtb25seS1ub3Qtc2VjcmV0LWtleS0wMDAwMDA="]
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

DATABASES = {"default": dj_database_url.config(default="sqlite://:memory:")}
# PostgreSQL test databases get a distinct name per pytest-xdist worker from
# pytest-django itself; nothing to do here.

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {"BACKEND": backend_path("immediate")},  # noqa: F405
    "database": {"BACKEND": TASKS_DATABASE_BACKEND},
}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# SMS are kept in wagtail_selvhjelp.sms.memory.outbox, as e-mails in mail.outbox.
WAGTAIL_SELVHJELP = {
    **WAGTAIL_SELVHJELP,  # noqa: F405
    "SMS_BACKEND": {"CLASS": "wagtail_selvhjelp.sms.memory.MemorySmsBackend"},
}
DEFAULT_FROM_EMAIL = "selvhjelp@example.test"

WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}

# Tests never reach the network: embeds come from a local finder.
WAGTAILEMBEDS_FINDERS = [{"class": "tests.embed_finder.LocalEmbedFinder"}]
