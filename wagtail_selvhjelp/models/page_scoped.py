"""Models that belong to a registration page, and who coordinates a page.

Registrations, groups and matching runs (and the starters, invitations and
follow-ups to come) each belong to one registration page, and a coordinator
sees and changes only those of the pages they coordinate. Subclassing
:class:`PageScopedModel` declares that: it brings the page foreign key and a
queryset with :meth:`~PageScopedQuerySet.for_user`, which the page-scoped
permission policy (``models/permissions.py``) and every admin view use, and
which the permission-matrix test covers for every such model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def coordinated_page_ids(user):
    """Ids of the registration pages ``user`` coordinates, as a subquery.

    The one rule: a user coordinates a page when one of their Django groups
    is among the page's ``coordinator_groups``; active superusers coordinate
    every page. A subquery, so filtering by it costs no extra query.
    """
    from .registration_pages import GroupRegistrationPage

    pages = GroupRegistrationPage.objects.all()
    if not (user.is_active and user.is_superuser):
        if not user.is_authenticated:
            return pages.none().values("pk")
        pages = pages.filter(coordinator_groups__in=user.groups.all())
    return pages.values("pk")


class PageScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rows of the registration pages ``user`` coordinates."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(page__in=coordinated_page_ids(user))


class PageScopedModel(models.Model):
    """Abstract base of everything that belongs to one registration page.

    Any page class that takes registrations can own rows, as any form page
    can own ``FormSubmission`` rows in ``wagtail.contrib.forms``; deleting the
    page deletes them.
    """

    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="selvhjelp_%(class)s_set",
        verbose_name=_("registration page"),
    )

    objects = PageScopedQuerySet.as_manager()

    class Meta:
        abstract = True
