"""Permission helpers for the admin, on top of the page-scoped policies.

The rule (who coordinates which page) and the policies live in
``models/permissions.py`` and ``models/page_scoped.py``; this module holds
the few helpers listings and reports build on them.
"""

from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.db.models import Q

from .models import GroupRegistrationPage, Registration, SelfHelpGroup
from .models.page_scoped import coordinated_page_ids
from .models.permissions import sees_all_pages_counts
from .models.sites import pages_of_sites, site_ids_for_user


def coordinated_pages(user):
    """The registration pages ``user`` coordinates, by title."""
    return GroupRegistrationPage.objects.filter(
        pk__in=coordinated_page_ids(user)
    ).order_by("title", "pk")


def scope_counts_to_user(queryset, user, field="page", *, site_field=None):
    """Counts and overview data cut to what ``user`` may see.

    The one rule of every report, export and the privacy overview: the
    pages ``user`` coordinates and, with the overview permission (the
    data-protection officer), every page of the sites they work for
    (``site_ids_for_user``); active superusers see all. ``field`` names the
    row's page (or its id); ``site_field`` the row's own site, for counts
    that outlive their page (the statistics): those rows are matched by
    their site instead of their page's.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset
    visible = Q(**{f"{field}__in": coordinated_page_ids(user)})
    if sees_all_pages_counts(user):
        site_ids = site_ids_for_user(user)
        if site_field:
            visible |= Q(**{f"{site_field}__in": site_ids})
        else:
            visible |= Q(**{f"{field}__in": pages_of_sites(site_ids).values("pk")})
    return queryset.filter(visible)


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
