"""System checks for deployments of the package."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import encryption
from .conf import selvhjelp_settings


#: django-otp's middleware: a site that lists it (or a subclass, such as
#: wagtail-2fa's) is taken to ask admin users for a second factor.
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"

#: Cache backends whose counts live in one process only.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_rate_limit_cache(app_configs=None, **kwargs):
    """Warn when the registration rate limit cannot count across workers."""
    alias = selvhjelp_settings.RATE_LIMIT_CACHE
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                f"The registration form's rate limit uses the cache '{alias}' "
                f"({backend}), which each worker process keeps on its own, so the "
                "limit is not shared between workers.",
                hint="Point WAGTAIL_SELVHJELP['RATE_LIMIT_CACHE'] at a shared cache "
                "(database, Redis or memcached).",
                id="wagtail_selvhjelp.W001",
            )
        ]
    return []


@register(Tags.security)
def check_encryption_keys(app_configs=None, **kwargs):
    """Fail without encryption keys outside development; warn in development."""
    keys = encryption.configured_keys()
    if not keys:
        if settings.DEBUG:
            return [
                Warning(
                    "Registrations' free texts are encrypted with the public "
                    "development key, because no key is configured.",
                    hint=f"Set {encryption.SETTING_NAME} before storing real "
                    "registrations (see wagtail_selvhjelp.encryption).",
                    id="wagtail_selvhjelp.W002",
                )
            ]
        return [
            Error(
                f"{encryption.SETTING_NAME} is not set, so registrations cannot "
                "be stored: their free texts are encrypted at rest.",
                hint='Generate a key with python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())" and keep '
                "it apart from SECRET_KEY and from database backups.",
                id="wagtail_selvhjelp.E001",
            )
        ]
    try:
        encryption.fernet()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="wagtail_selvhjelp.E002")]
    if not settings.DEBUG and encryption.DEVELOPMENT_KEY in keys:
        return [
            Error(
                f"{encryption.SETTING_NAME} holds the package's public development "
                "key, with which anyone can decrypt registrations' free texts.",
                hint="Put a new key first, run manage.py selvhjelp_rotate_keys, "
                "then remove the development key.",
                id="wagtail_selvhjelp.E020",
            )
        ]
    return []


def second_factor_enforced():
    """Whether admin users must prove a second factor, as far as settings tell.

    ``SECOND_FACTOR_ENFORCED`` decides when it is True or False (a site whose
    single sign-on asks for the second factor says True); None looks for
    django-otp's middleware, or a subclass of it, in ``MIDDLEWARE``.
    """
    declared = selvhjelp_settings.SECOND_FACTOR_ENFORCED
    if declared is not None:
        return bool(declared)
    if OTP_MIDDLEWARE in settings.MIDDLEWARE:
        return True
    try:
        otp_middleware = import_string(OTP_MIDDLEWARE)
    except ImportError:
        return False
    for path in settings.MIDDLEWARE:
        try:
            middleware = import_string(path)
        except ImportError:
            continue
        if isinstance(middleware, type) and issubclass(middleware, otp_middleware):
            return True
    return False


@register(Tags.security, deploy=True)
def check_second_factor(app_configs=None, **kwargs):
    """Warn in production when a password alone opens the registrations.

    A deploy check, like Django's own security checks: ``check --deploy``
    reports it, and development (DEBUG on) is left alone.
    """
    if settings.DEBUG or second_factor_enforced():
        return []
    return [
        Warning(
            "Admin users are not asked for a second factor, so a password "
            "alone gives access to registrations and groups.",
            hint="Enforce a second factor for the admin (django-otp, see the "
            "example site), or set WAGTAIL_SELVHJELP['SECOND_FACTOR_ENFORCED'] "
            "= True if the site's single sign-on already enforces one.",
            id="wagtail_selvhjelp.W003",
        )
    ]


#: SMS backends that print or keep messages instead of sending them.
DEVELOPMENT_SMS_BACKENDS = {
    "wagtail_selvhjelp.sms.console.ConsoleSmsBackend",
    "wagtail_selvhjelp.sms.memory.MemorySmsBackend",
}


@register(Tags.security, deploy=True)
def check_sms_backend(app_configs=None, **kwargs):
    """Warn in production when SMS are printed or kept instead of sent.

    The console backend writes each number and text to the server's output,
    which ends up in its logs; the memory backend sends nothing.
    """
    config = selvhjelp_settings.SMS_BACKEND
    backend = config.get("CLASS") if isinstance(config, dict) else None
    if settings.DEBUG or backend not in DEVELOPMENT_SMS_BACKENDS:
        return []
    return [
        Warning(
            f"WAGTAIL_SELVHJELP['SMS_BACKEND'] is {backend}, which sends no SMS "
            "and, for the console backend, prints phone numbers to the logs.",
            hint="Configure your SMS gateway's backend, or set SMS_BACKEND to "
            "None to send no SMS.",
            id="wagtail_selvhjelp.W010",
        )
    ]


@register(Tags.security, deploy=True)
def check_client_address_behind_a_proxy(app_configs=None, **kwargs):
    """Warn when the site sits behind a proxy but counts clients by its address.

    ``SECURE_PROXY_SSL_HEADER`` says a proxy terminates TLS; then
    ``REMOTE_ADDR`` is the proxy's address for everyone, so one client's
    wrong passwords lock every user out and the form's hourly limit is
    shared by the whole municipality.
    """
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    if selvhjelp_settings.CLIENT_IP_META != "REMOTE_ADDR":
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER is set, so the site runs behind a proxy, "
            "but the rate limits and the sign-in lockout count clients by "
            "REMOTE_ADDR, which is then the proxy's address for everyone.",
            hint="Set WAGTAIL_SELVHJELP['CLIENT_IP_META'] to the header your "
            "proxy sets (e.g. 'HTTP_X_FORWARDED_FOR') and TRUSTED_PROXY_HOPS to "
            "the number of proxies that append to it; silence this check if the "
            "application server already puts the client's address in REMOTE_ADDR.",
            id="wagtail_selvhjelp.W020",
        )
    ]


@register(Tags.security)
def check_trusted_proxy_hops(app_configs=None, **kwargs):
    """Fail when ``TRUSTED_PROXY_HOPS`` is not a positive whole number."""
    hops = selvhjelp_settings.TRUSTED_PROXY_HOPS
    if isinstance(hops, int) and not isinstance(hops, bool) and hops >= 1:
        return []
    return [
        Error(
            f"WAGTAIL_SELVHJELP['TRUSTED_PROXY_HOPS'] is {hops!r}; it must be the "
            "number (1 or more) of proxies that append to CLIENT_IP_META's list.",
            id="wagtail_selvhjelp.E021",
        )
    ]


#: Ends idle and long admin sessions of users who see personal data.
SESSION_LIFETIME_MIDDLEWARE = (
    "wagtail_selvhjelp.middleware.AdminSessionLifetimeMiddleware"
)


@register(Tags.security, deploy=True)
def check_admin_session_lifetime(app_configs=None, **kwargs):
    """Warn in production when admin sessions that open registrations never
    end before Django's two-week session age."""
    if settings.DEBUG or SESSION_LIFETIME_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            "Admin sessions of users who see registrations last as long as "
            "SESSION_COOKIE_AGE, with no idle timeout.",
            hint=f"Add '{SESSION_LIFETIME_MIDDLEWARE}' to MIDDLEWARE after "
            "MessageMiddleware (limits: WAGTAIL_SELVHJELP['ADMIN_SESSION_IDLE_MINUTES'] "
            "and ['ADMIN_SESSION_MAX_HOURS']).",
            id="wagtail_selvhjelp.W022",
        )
    ]
