"""Filters for the admin listings, with choices cut to the user's pages."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from .choices import GroupKind, GroupStatus, RegistrationStatus
from .models import (
    GroupRegistrationPage,
    Registration,
    RegistrationPlace,
    RegistrationTimeSlot,
    RegistrationTopic,
    SelfHelpGroup,
)
from .permissions import coordinated_page_ids, coordinated_pages


def user_pages(request):
    """The registration pages the requesting user coordinates."""
    if request is None:
        return GroupRegistrationPage.objects.none()
    return coordinated_pages(request.user)


def _user_choices(model):
    def queryset(request):
        if request is None:
            return model.objects.none()
        return (
            model.objects.filter(page__in=coordinated_page_ids(request.user))
            .select_related("page")
            .order_by("page__title", "sort_order", "pk")
        )

    return queryset


class PageChoiceField(forms.ModelChoiceField):
    """A place, time slot or topic, named with its page (coordinators may have several)."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.page.title})"


class PageChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PageChoiceField


class RegistrationFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label=_("Registration page"), queryset=user_pages
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RegistrationStatus.choices
    )
    places = PageChoiceFilter(
        label=_("Place"), queryset=_user_choices(RegistrationPlace)
    )
    time_slots = PageChoiceFilter(
        label=_("Time slot"), queryset=_user_choices(RegistrationTimeSlot)
    )
    topics = PageChoiceFilter(
        label=_("Topic"), queryset=_user_choices(RegistrationTopic)
    )
    group_kind = django_filters.ChoiceFilter(
        label=_("Group wanted"), choices=GroupKind.choices
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Registered between"), widget=DateRangePickerWidget
    )
    possible_duplicate = django_filters.BooleanFilter(label=_("Possible duplicate"))

    class Meta:
        model = Registration
        fields = []


class SelfHelpGroupFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label=_("Registration page"), queryset=user_pages
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=GroupStatus.choices)

    class Meta:
        model = SelfHelpGroup
        fields = []
