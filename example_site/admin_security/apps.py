from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminSecurityConfig(AppConfig):
    name = "example_site.admin_security"
    label = "admin_security"
    verbose_name = _("Admin security")
