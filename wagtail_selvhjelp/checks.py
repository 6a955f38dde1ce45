"""System checks for deployments of the package."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

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
