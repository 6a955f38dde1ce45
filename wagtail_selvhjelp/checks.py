"""System checks for deployments of the package."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import encryption
from .conf import selvhjelp_settings


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
    return []
