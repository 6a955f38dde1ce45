"""Filters for the admin listings, with choices cut to the user's pages."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from .models import GroupRegistrationPage, Registration
from .permissions import coordinated_pages


def user_pages(request):
    """The registration pages the requesting user coordinates (filter choices)."""
    if request is None:
        return GroupRegistrationPage.objects.none()
    return coordinated_pages(request.user)


class RegistrationFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label=_("Registration page"), queryset=user_pages
    )

    class Meta:
        model = Registration
        fields = ["status", "page", "possible_duplicate"]
