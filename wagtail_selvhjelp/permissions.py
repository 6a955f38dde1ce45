"""Permission helpers for the admin, on top of the page-scoped policies.

The rule (who coordinates which page) and the policies live in
``models/permissions.py`` and ``models/page_scoped.py``; this module holds
the few helpers listings and reports build on them.
"""

from django.apps import apps
from django.contrib.auth import get_permission_codename

from .models import GroupRegistrationPage, Registration, SelfHelpGroup
from .models.page_scoped import coordinated_page_ids
from .models.permissions import sees_all_pages_counts


def coordinated_pages(user):
    """The registration pages ``user`` coordinates, by title."""
    return GroupRegistrationPage.objects.filter(
        pk__in=coordinated_page_ids(user)
    ).order_by("title", "pk")


def scope_counts_to_user(queryset, user, field="page"):
    """Counts and overview data cut to the pages ``user`` may see."""
    if not user.is_authenticated:
        return queryset.none()
    if sees_all_pages_counts(user):
        return queryset
    return queryset.filter(**{f"{field}__in": coordinated_page_ids(user)})


#: Models whose permissions open people's personal data; their subclasses (a
#: site's own registration model) count too.
PERSONAL_DATA_MODELS = (Registration, SelfHelpGroup)


def personal_data_permissions():
    """Every permission on registrations and groups, as ``app_label.codename``.

    Read from the models' options (default and custom permissions), so a
    permission added to them later counts without a change here, and no
    query is made.
    """
    names = set()
    for model in apps.get_models():
        if not issubclass(model, PERSONAL_DATA_MODELS):
            continue
        opts = model._meta
        codenames = [
            *(
                get_permission_codename(action, opts)
                for action in opts.default_permissions
            ),
            *(codename for codename, _name in opts.permissions),
        ]
        names.update(f"{opts.app_label}.{codename}" for codename in codenames)
    return names


def sees_personal_data(user):
    """Whether ``user`` is an active superuser or holds any permission on
    registrations or self-help groups."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return not personal_data_permissions().isdisjoint(user.get_all_permissions())
