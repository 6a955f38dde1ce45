"""Who must prove a second factor before the admin opens for them."""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django_otp import user_has_device


#: Models whose permissions open people's personal data. Their subclasses
#: (a site's own registration model with an extra question) count too.
PERSONAL_DATA_MODELS = (
    "wagtail_selvhjelp.Registration",
    "wagtail_selvhjelp.SelfHelpGroup",
)


def personal_data_permissions():
    """Every permission on the personal-data models, as ``app_label.codename``.

    Read by content type rather than from a list, so a permission added to
    these models later (erasure, access requests) needs no change here.
    """
    bases = tuple(apps.get_model(label) for label in PERSONAL_DATA_MODELS)
    models = [model for model in apps.get_models() if issubclass(model, bases)]
    content_types = ContentType.objects.get_for_models(
        *models, for_concrete_models=False
    ).values()
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(
            content_type__in=content_types
        ).values_list("content_type__app_label", "codename")
    }


def needs_second_factor(user):
    """Whether ``user`` must prove a second factor to use the admin.

    Superusers and anyone with a permission on registrations or self-help
    groups must; so must anyone who set up a device of their own accord,
    or the device would protect nothing.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not personal_data_permissions().isdisjoint(user.get_all_permissions()):
        return True
    return user_has_device(user, confirmed=True)
