"""Permission helpers for the admin, on top of the page-scoped policies.

The rule (who coordinates which page) and the policies live in
``models/permissions.py`` and ``models/page_scoped.py``; this module holds
the few helpers listings and reports build on them.
"""

from .models import GroupRegistrationPage
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
