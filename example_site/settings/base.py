"""Settings shared by every environment of the example site."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from example_site.admin_security import csp as site_csp
from wagtail_selvhjelp.task_backend import backend_path


PROJECT_DIR = Path(__file__).resolve().parent.parent

INSTALLED_APPS = [
    "example_site.home",
    "example_site.admin_security",
    "wagtail_selvhjelp",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    # "Translate" in the page and snippet menus: a neutral municipality's
    # editors make the nynorsk (or bokmål) tree (docs/languages.md).
    "wagtail.contrib.simple_translation",
    # Purges a shared cache's copies of published pages, once
    # WAGTAILFRONTENDCACHE names the cache (see docs/caching.md).
    "wagtail.contrib.frontend_cache",
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
    "django_tasks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    *site_csp.APPS,
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # gzip for content pages only, never for a page with a CSRF token or a
    # personal link (BREACH); see docs/compression.md. production.py puts
    # WhiteNoise's static files just before it.
    "wagtail_selvhjelp.http.ContentCompressionMiddleware",
    # Content-Security-Policy: django-csp on Django 5.2, Django's own on 6.
    site_csp.MIDDLEWARE,
    # After the CSP middleware: it swaps in the admin's policy first.
    "example_site.admin_security.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of /nn/… (i18n_patterns in urls.py); without a prefix the
    # installation's LANGUAGE_CODE. The package's pages then show their
    # site's written standard (SelfHelpSiteSettings.language_form).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the redirect to the second factor.
    "django_otp.middleware.OTPMiddleware",
    "example_site.admin_security.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Admin sessions that open personal data end after 30 idle minutes and
    # 10 hours (WAGTAIL_SELVHJELP["ADMIN_SESSION_IDLE_MINUTES"] / ["_MAX_HOURS"]).
    "wagtail_selvhjelp.middleware.AdminSessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A page missing in the requested written standard (/nn/… of a page
    # only in bokmål): a notice linking it where it exists, not a bare 404.
    # Inside the redirects' middleware, so an editor's redirect still wins.
    "wagtail_selvhjelp.middleware.TranslationNoticeMiddleware",
    # Last, as django-axes asks: turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "example_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                *site_csp.CONTEXT_PROCESSORS,
            ],
        },
    },
]

WSGI_APPLICATION = "example_site.wsgi.application"

# DATABASE_URL selects the database (postgres://user:pass@host/name for
# production); without it, a SQLite file next to the project.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # Two admin requests within a second (Wagtail's autosave and Publish)
    # once met "database is locked": a write transaction takes its lock when
    # it begins and waits for another's (up to 20 s) instead of failing, and
    # readers do not wait for a writer (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# django-axes watches every sign-in first; Django's own backend signs in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Norwegian bokmål is the site's language; nynorsk and English are available
# to admin users through their Wagtail profile.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", "Norsk bokmål"),
    ("nn", "Norsk nynorsk"),
    ("en", "English"),
]
WAGTAIL_CONTENT_LANGUAGES = [
    ("nb", "Norsk bokmål"),
    ("nn", "Norsk nynorsk"),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# A neutral municipality keeps a bokmål and a nynorsk tree, each page linked
# to its translation (hreflang, the language switcher); see docs/languages.md.
WAGTAIL_I18N_ENABLED = True
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static_src"]
STATIC_ROOT = PROJECT_DIR / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = PROJECT_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work (e-mails) runs in-process by default; production.py
# configures the database backend and its worker. The backend belongs to
# the tasks framework of the package's tasks: Django's own on Django 6,
# the django-tasks backport before it (see wagtail_selvhjelp.task_backend).
TASKS = {"default": {"BACKEND": backend_path("immediate")}}

WAGTAIL_SITE_NAME = "Selvhjelp i Fjellbygd kommune"
# Slugs stay plain ASCII, not percent-encoded addresses: the admin's slug
# field writes "parorende" for "Pårørende" as the editor types. (A page made
# in code without a slug gets Django's slugify, which drops æ, ø and å.)
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}


def _local_base_url(variable="HOST", default="127.0.0.1"):
    """The address ``make demo`` serves on, from the HOST and PORT it passes.

    Links in e-mails (the coordinator's admin link) must point where the
    server listens. A server on every interface (0.0.0.0) is reached locally.
    """
    host = os.environ.get(variable, "").strip() or default
    port = os.environ.get("PORT", "").strip() or "8000"
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - an address, not a bind
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL") or _local_base_url()


def _nynorsk_base_url():
    """Where ``make demo`` serves its second, nynorsk municipality.

    The same server answers on a second host name (HOST_NN, by default
    ``localhost`` beside ``127.0.0.1``) and Wagtail picks the site by the
    name the browser asks for; both names reach this machine without any
    change to /etc/hosts.
    """
    taken = urlsplit(WAGTAILADMIN_BASE_URL).hostname
    return _local_base_url(
        "HOST_NN", "127.0.0.1" if taken == "localhost" else "localhost"
    )


DEMO_NYNORSK_BASE_URL = os.environ.get("DEMO_NYNORSK_BASE_URL") or _nynorsk_base_url()
# No calls from the admin to other sites: no update check, no Gravatar.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

WAGTAIL_SELVHJELP = {}

# Admin users with access to registrations or self-help groups prove a
# second factor (a code from an authenticator app) after their password;
# see docs/admin-security.md. Off here and in development (dev.py turns it
# on with SELVHJELP_REQUIRE_2FA=1), always on in production. dev.py and
# production.py tell the package's deploy check through
# WAGTAIL_SELVHJELP["SECOND_FACTOR_ENFORCED"].
ADMIN_REQUIRE_SECOND_FACTOR = False
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME

# Failed sign-ins (django-axes): five wrong passwords for one username from
# one address lock that pair out for an hour; a good sign-in clears the
# count. Locking by username alone would let anyone lock a coordinator out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin_security/locked_out.html"
# The client's address as the registration form's rate limit reads it
# (behind a proxy: WAGTAIL_SELVHJELP["CLIENT_IP_META"] and
# ["TRUSTED_PROXY_HOPS"], which production.py reads from the environment).
AXES_CLIENT_IP_CALLABLE = "wagtail_selvhjelp.guards.client_address"
# Failed attempts are kept (the lockout needs them); successful sign-ins
# are not logged by axes.
AXES_DISABLE_ACCESS_LOG = True

# Security headers. Django's SecurityMiddleware sends nosniff, the
# Referrer-Policy and the Cross-Origin-Opener-Policy; XFrameOptionsMiddleware
# sends X-Frame-Options; SecurityHeadersMiddleware adds Permissions-Policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)

# Content-Security-Policy: strict for public pages (scripts need a nonce, no
# inline styles), looser for the Wagtail admin, which still writes inline
# scripts and styles. Video and podcast embeds need their player's origin,
# e.g. CSP_EMBED_ORIGINS="https://www.youtube-nocookie.com https://player.vimeo.com".
CSP_EMBED_ORIGINS = os.environ.get("CSP_EMBED_ORIGINS", "").replace(",", " ").split()
if site_csp.DJANGO_CSP:
    SECURE_CSP = site_csp.public_policy(CSP_EMBED_ORIGINS)
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": site_csp.public_policy(CSP_EMBED_ORIGINS)}
ADMIN_CSP = site_csp.admin_policy(CSP_EMBED_ORIGINS)

# A failed CSRF check on a registration page re-renders the form with what
# the person typed instead of Django's bare 403 page.
CSRF_FAILURE_VIEW = "wagtail_selvhjelp.views.csrf.csrf_failure"
