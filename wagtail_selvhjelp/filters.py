"""Filters for the admin listings, with choices cut to the user's pages."""

import datetime

import django_filters
import django_filters.fields
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from .choices import GroupKind, GroupStatus, RegistrationStatus, StatisticDimension
from .http import parse_id
from .models import (
    GroupLifeStatistic,
    GroupRegistrationPage,
    Registration,
    RegistrationPlace,
    RegistrationStatistic,
    RegistrationTimeSlot,
    RegistrationTopic,
    SelfHelpGroup,
)
from .models.page_scoped import coordinated_page_ids
from .models.permissions import sees_all_pages_counts
from .permissions import coordinated_pages, scope_counts_to_user


#: The years a filter accepts: wide enough for any real registration, and
#: far enough from the calendar's ends that no time zone shifts a bound out
#: of it (year 1 in Oslo is year 0 in UTC, which Python has not).
FIRST_YEAR = 1900
LAST_YEAR = 2999


class IdChoiceField(forms.ModelChoiceField):
    """A model choice whose value must look like a database id.

    Django's field hands any string to the database, and a number past the
    database's integer (20 digits) makes the query fail, a server error,
    instead of finding nothing; here it is the field's "not one of the
    choices" error.
    """

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(str(value)) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class YearFilter(django_filters.NumberFilter):
    """A whole year between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


class BoundedDateRangeField(django_filters.fields.DateRangeField):
    """A date range whose dates lie between :data:`FIRST_YEAR` and :data:`LAST_YEAR`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounds = [
            MinValueValidator(datetime.date(FIRST_YEAR, 1, 1)),
            MaxValueValidator(datetime.date(LAST_YEAR, 12, 31)),
        ]
        for field in self.fields:
            field.validators.extend(bounds)


class BoundedDateRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField


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


class PageChoiceField(IdChoiceField):
    """A place, time slot or topic, named with its page (coordinators may have several)."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.page.title})"


class PageChoiceFilter(IdChoiceFilter):
    field_class = PageChoiceField


class RegistrationFilterSet(WagtailFilterSet):
    page = IdChoiceFilter(label=_("Registration page"), queryset=user_pages)
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
    created_at = BoundedDateRangeFilter(
        label=_("Registered between"), widget=DateRangePickerWidget
    )
    possible_duplicate = django_filters.BooleanFilter(label=_("Possible duplicate"))

    class Meta:
        model = Registration
        fields = []


class SelfHelpGroupFilterSet(WagtailFilterSet):
    page = IdChoiceFilter(label=_("Registration page"), queryset=user_pages)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=GroupStatus.choices)

    class Meta:
        model = SelfHelpGroup
        fields = []


class StatisticFilterSet(WagtailFilterSet):
    """Filters of the statistics report; pages cut to those the user may see."""

    page_id = django_filters.ChoiceFilter(label=_("Registration page"), choices=[])
    dimension = django_filters.ChoiceFilter(
        label=_("Counted by"),
        choices=StatisticDimension.choices,
        empty_label=_("All registrations"),
    )
    year = YearFilter(
        field_name="month", lookup_expr="year", label=_("Year registered")
    )

    class Meta:
        model = RegistrationStatistic
        fields = ["page_id", "dimension", "year"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        choices = {}
        if request is not None:
            user = request.user
            for page in coordinated_pages(user):
                choices[page.pk] = page.title
            if sees_all_pages_counts(user):
                for page_id, title in (
                    scope_counts_to_user(
                        self._meta.model.objects.all(),
                        user,
                        field="page_id",
                        site_field="site",
                    )
                    .values_list("page_id", "page_title")
                    .distinct()
                    .order_by("page_title")
                ):
                    choices.setdefault(page_id, title)
        self.filters["page_id"].extra["choices"] = sorted(
            choices.items(), key=lambda item: (item[1], item[0])
        )


class GroupStatisticFilterSet(StatisticFilterSet):
    """Filters of the yearly group statistics: page and year."""

    dimension = None
    year = django_filters.NumberFilter(
        field_name="year", min_value=1900, max_value=9999, label=_("Year")
    )

    class Meta:
        model = GroupLifeStatistic
        fields = ["page_id", "year"]
