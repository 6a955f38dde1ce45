"""Permission policies for the package's admin."""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import GroupRegistrationPage


class RegistrationPermissionPolicy(ModelPermissionPolicy):
    """Registrations come only from citizens through the public form.

    Nobody, superusers included, adds one in the admin: a registration needs
    the person's own consent, which only the form records.
    """

    def user_has_permission(self, user, action):
        if action == "add":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def coordinated_page_ids(user):
    """Ids of the registration pages ``user`` coordinates.

    A user coordinates a page when one of their Django groups is among the
    page's ``coordinator_groups``; superusers coordinate every page. Always a
    subquery, so filtering by it costs no extra query.
    """
    pages = GroupRegistrationPage.objects.all()
    if not (user.is_active and user.is_superuser):
        pages = pages.filter(coordinator_groups__in=user.groups.all())
    return pages.values("pk")


def coordinated_pages(user):
    """The registration pages ``user`` coordinates, by title."""
    return GroupRegistrationPage.objects.filter(
        pk__in=coordinated_page_ids(user)
    ).order_by("title", "pk")


def scope_to_user(queryset, user):
    """``queryset`` (of registrations, groups...) cut to the pages ``user`` coordinates."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(page__in=coordinated_page_ids(user))


#: Who may see every page's privacy overview and statistics (counts only).
OVERVIEW_PERMISSION = "wagtail_selvhjelp.view_privacy_overview"


def sees_all_pages_counts(user):
    """Whether ``user`` sees the anonymous counts of every page."""
    return user.is_active and (user.is_superuser or user.has_perm(OVERVIEW_PERMISSION))


def scope_counts_to_user(queryset, user, field="page"):
    """Counts and overview data cut to the pages ``user`` may see."""
    if not user.is_authenticated:
        return queryset.none()
    if sees_all_pages_counts(user):
        return queryset
    return queryset.filter(**{f"{field}__in": coordinated_page_ids(user)})
