from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailSelvhjelpAppConfig(AppConfig):
    name = "wagtail_selvhjelp"
    label = "wagtail_selvhjelp"
    verbose_name = _("Self-help groups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps
        from django.urls import register_converter

        # Importing them registers the system checks and the signal receivers.
        from . import checks, handlers  # noqa: F401
        from .compat import patch_site_history_union
        from .http import DatabaseIdConverter

        patch_site_history_union()

        if apps.is_installed("wagtail.contrib.frontend_cache"):
            # A shared cache in front: purge what each change shows on.
            from . import cache_purge

            cache_purge.connect()

        # Before any URLconf is loaded: the admin's URLs use it.
        register_converter(DatabaseIdConverter, "selvhjelp_id")
