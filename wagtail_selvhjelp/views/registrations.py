"""Admin views for registrations, used by ``RegistrationViewSet``."""

import csv
import datetime
import re

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, DateTimeField, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import (
    Column,
    StatusFlagColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.mixins import Echo
from wagtail.admin.widgets import Button
from wagtail.log_actions import log

from .. import audit, export
from ..choices import ACTIVE_STATUSES, RegistrationStatus
from ..http import parse_id
from ..models import AvoidPair, Registration
from ..models.actions import ChangeStatus, LinkAvoid, UnlinkAvoid
from ..models.audit_log import log_on_page
from .scoping import ScopedIndexView, ScopedInspectView, StatusActionEditView


def _phone_digits(query):
    """The digits of a search that looks like a phone number, else ''."""
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= 5 and len(digits) >= len(query) // 2 else ""


class RegistrationIndexView(ScopedIndexView):
    """Who is waiting, for how long, for what: without any free text."""

    search_fields = ["name", "email", "phone"]
    # Registrations are in no search index: searching is a database lookup.
    search_backend_name = None
    export_filename = "registrations"

    def get_base_queryset(self):
        # Page title, places and time slots for every row: a constant number
        # of queries whatever the page size.
        return (
            super()
            .get_base_queryset()
            .select_related("page")
            .prefetch_related("places", "time_slots", "topics")
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        match = (
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(phone__icontains=query)
        )
        digits = _phone_digits(query)
        if digits:
            # Phones are stored as +4796851295: "968 51 295" finds it too.
            match |= Q(phone__contains=digits)
        return queryset.filter(match)

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "__str__",
                label=_("Registration"),
                get_url=self.get_inspect_url,
                classname="selvhjelp-whole-words",
            ),
            Column("page", label=_("Registration page"), accessor="page.title"),
            # A date, not "3 days ago": the next column says how long they waited.
            Column(
                "created_at",
                label=_("Registered"),
                accessor=lambda registration: date_format(
                    timezone.localtime(registration.created_at), "SHORT_DATE_FORMAT"
                ),
                sort_key="created_at",
            ),
            Column(
                "days_waiting",
                label=_("Days waiting"),
                accessor="days_waiting",
                # Ascending by date is the longest wait first.
                sort_key="created_at",
            ),
            Column("places", label=_("Places"), accessor="place_names"),
            Column("time_slots", label=_("Time slots"), accessor="time_slot_names"),
            Column(
                "group_kind",
                label=_("Group wanted"),
                accessor="group_kind_label",
                sort_key="group_kind",
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="status_label",
                sort_key="status",
                primary=lambda registration: (
                    registration.status
                    in (RegistrationStatus.NEW, RegistrationStatus.WAITING)
                ),
            ),
            # A marker in words where it is true, nothing where it is not: a
            # cross on every other row said "False" to screen readers.
            StatusFlagColumn(
                "possible_duplicate",
                label=_("Possible duplicate"),
                true_label=_("Possible duplicate"),
            ),
        ]

    # Export: its own permission; answers only with a second one.

    @cached_property
    def can_export(self):
        return self.permission_policy.user_has_permission(self.request.user, "export")

    @cached_property
    def can_export_answers(self):
        return self.can_export and self.permission_policy.user_has_permission(
            self.request.user, "export_answers"
        )

    #: Set per request in ``setup()``: what this user may export.
    list_export = []
    export_headings = {}
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        # Before the dates: a datetime is a date too.
        datetime.datetime: {
            IndexView.FORMAT_CSV: export.local_time_text,
            IndexView.FORMAT_XLSX: export.local_time,
        },
        bool: {
            IndexView.FORMAT_CSV: export.yes_no,
            IndexView.FORMAT_XLSX: export.yes_no,
        },
        str: {
            IndexView.FORMAT_CSV: export.neutralise_csv,
            IndexView.FORMAT_XLSX: export.clean_xlsx,
        },
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.list_export = self.get_list_export()
        self.export_headings = export.headings(self.model)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        # Every value is a text cell, never a formula, whatever openpyxl
        # guesses (Wagtail 7.0 does not correct it; later versions do).
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format):
            if cell.data_type == "f":
                cell.data_type = "s"
            yield cell

    def stream_csv(self, queryset):
        # Wagtail's, with every cell quoted (see wagtail_selvhjelp.export).
        writer = csv.DictWriter(
            Echo(), fieldnames=self.list_export, quoting=export.CSV_QUOTING
        )
        yield writer.writerow(
            {field: self.get_heading(queryset, field) for field in self.list_export}
        )
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def get_list_export(self):
        if not self.can_export:
            return []
        return export.columns(self.model, with_answers=self.can_export_answers)

    def get(self, request, *args, **kwargs):
        if self.is_export and not self.can_export:
            return permission_denied(request)
        if self.is_export and self.filters_are_invalid():
            # An invalid filter would be ignored, and the file would hold
            # every registration the user sees while the log read "filtered".
            messages.error(
                request,
                gettext("The listing's filters are not valid; nothing was exported."),
            )
            return self.redirect_to_listing(without="export")
        return super().get(request, *args, **kwargs)

    def filters_are_invalid(self):
        """Whether the query string holds a filter value the filters refuse."""
        return self.filters is not None and not self.filters.is_valid()

    def redirect_to_listing(self, *, without):
        """Back to the listing with the same query string, less ``without``."""
        params = self.request.GET.copy()
        params.pop(without, None)
        url = reverse(self.index_url_name)
        query = params.urlencode()
        # Unless the address would be too long to redirect to.
        if query and len(url) + len(query) < 4000:
            url += "?" + query
        return redirect(url)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        self.log_export(queryset, spreadsheet_format)
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def log_export(self, queryset, spreadsheet_format):
        """One log entry per page exported: the filter and a count, never rows."""
        filters = sorted(
            key
            for key in self.request.GET
            if key not in ("export", "q", "p") and self.request.GET.get(key)
        )
        counts = {}
        for registration in queryset:
            counts.setdefault(registration.page, 0)
            counts[registration.page] += 1
        for page, count in counts.items():
            log_on_page(
                page,
                audit.EXPORT.code,
                user=self.request.user,
                data={
                    "format": spreadsheet_format,
                    "rows": count,
                    "filters": filters,
                    "searched": self.is_searching,
                    "answers": self.can_export_answers,
                },
            )

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons.copy()
        if self.permission_policy.user_has_permission(self.request.user, "change"):
            params = self.request.GET.copy()
            params.pop("p", None)
            buttons.append(
                Button(
                    _("Change status of these"),
                    url=reverse(self.bulk_status_url_name)
                    + ("?" + params.urlencode() if params else ""),
                    icon_name="tasks",
                    priority=80,
                )
            )
        return buttons

    bulk_status_url_name = None


class RegistrationBulkStatusView(RegistrationIndexView):
    """Set the status of every registration in the current filter at once.

    A plain form over the listing's own filters and search, so it works
    without JavaScript: GET shows how many registrations it will change and
    asks for the new status, POST changes them and logs each.
    """

    template_name = "wagtail_selvhjelp/admin/registrations/bulk_status.html"
    permission_required = "change"
    any_permission_required = None
    page_title = _("Change status")
    paginate_by = None

    def get_page_subtitle(self):
        return ""

    def get(self, request, *args, **kwargs):
        if self.filters_are_invalid():
            messages.error(
                request,
                gettext("The listing's filters are not valid; nothing was changed."),
            )
            return self.redirect_to_listing(without=None)
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["count"] = self.object_list.count()
        context["statuses"] = RegistrationStatus.choices
        context["query_string"] = self.request.GET.urlencode()
        context["index_url"] = reverse(self.index_url_name) + (
            "?" + self.request.GET.urlencode() if self.request.GET else ""
        )
        return context

    def post(self, request, *args, **kwargs):
        status = request.POST.get("status")
        if status not in RegistrationStatus.values:
            messages.error(request, gettext("Choose a status."))
            return self.get(request, *args, **kwargs)
        if self.filters_are_invalid():
            # An invalid filter would be ignored, and "these" would widen to
            # every registration the user sees.
            messages.error(
                request,
                gettext("The listing's filters are not valid; nothing was changed."),
            )
            return redirect(self.index_url_name)
        changed = len(
            ChangeStatus(self.get_queryset(), status, user=request.user).execute()
        )
        messages.success(
            request,
            ngettext(
                "Changed the status of %(count)s registration.",
                "Changed the status of %(count)s registrations.",
                changed,
            )
            % {"count": changed},
        )
        # Back to the same filtered listing.
        return self.redirect_to_listing(without=None)

    @cached_property
    def header_more_buttons(self):
        return []


class RegistrationInspectView(ScopedInspectView):
    """Every answer, the avoid pairs, and a site's extra questions.

    When the registration's page stores registrations in a subclass of
    ``Registration`` (see ``get_registration_model``), the subclass's own
    fields are shown after the package's.
    """

    template_name = "wagtail_selvhjelp/admin/registrations/inspect.html"

    def get_object(self, queryset=None):
        registration = super().get_object(queryset).get_specific()
        self.fields = [*self.fields, *type(registration).get_added_fields()]
        return registration

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        if isinstance(field, BooleanField):
            # "Yes"/"No" in the user's language, not Python's True/False.
            return capfirst(yesno(value, gettext("yes,no")))
        if isinstance(field, DateTimeField) and value is not None:
            # In the site's (or the user's) time zone, not the database's UTC.
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return super().get_field_display_value(field_name, field)

    def get_phone_display_value(self):
        return self.object.phone_display

    def get_context_for_field(self, field_name):
        try:
            self.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            # A site's extra answer: the field lives on the subclass.
            field = type(self.object)._meta.get_field(field_name)
            return {
                "label": capfirst(field.verbose_name),
                "value": self.get_field_display_value(field_name, field),
                "component": None,
            }
        return super().get_context_for_field(field_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration = self.object
        partner_ids = list(AvoidPair.objects.partners_of(registration))
        context["avoid_partners"] = Registration.objects.filter(pk__in=partner_ids)
        can_change = self.permission_policy.user_has_permission(
            self.request.user, "change"
        )
        context["can_change"] = can_change
        if can_change:
            context["avoid_candidates"] = (
                Registration.objects.filter(page_id=registration.page_id)
                .exclude(pk=registration.pk)
                .exclude(pk__in=partner_ids)
                .only("pk", "name")
                .order_by("name", "pk")
            )
        context["avoid_url"] = reverse(self.avoid_url_name, args=[registration.pk])
        context["memberships"] = registration.memberships.select_related("group")
        user = self.request.user
        if self.permission_policy.user_has_permission(user, "access"):
            context["person_data_url"] = reverse(
                self.person_data_url_name, args=[registration.pk]
            )
        if self.permission_policy.user_has_permission(user, "erase"):
            context["erase_url"] = reverse(self.erase_url_name, args=[registration.pk])
        if can_change and registration.status in ACTIVE_STATUSES:
            context["confirm_url"] = reverse(
                self.confirm_url_name, args=[registration.pk]
            )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Reading a record is access to personal data: logged (who, when, which).
        log(self.object, audit.VIEW.code, user=request.user)
        return response

    avoid_url_name = None
    person_data_url_name = None
    erase_url_name = None
    confirm_url_name = None


class RegistrationEditView(StatusActionEditView):
    """A coordinator's notes and the status; a new status goes through
    :class:`~wagtail_selvhjelp.models.actions.ChangeStatus`."""

    def change_status(self, registration, before, status):
        ChangeStatus(registration, status, user=self.request.user).execute()
        registration.refresh_from_db()


class AvoidPairView(View):
    """Link or unlink two registrations that must never share a group (POST)."""

    model = Registration
    permission_policy = None
    inspect_url_name = None

    def dispatch(self, request, pk):
        if not self.permission_policy.user_has_permission(request.user, "change"):
            return permission_denied(request)
        if request.method != "POST":
            raise Http404
        scoped = self.permission_policy.instances_user_has_permission_for(
            request.user, "change"
        )
        self.registration = get_object_or_404(scoped, pk=pk)
        try:
            other = scoped.get(
                pk=parse_id(request.POST.get("other", "")),
                page_id=self.registration.page_id,
            )
        except Registration.DoesNotExist:
            messages.error(request, gettext("Choose a registration of the same page."))
            return self.back()
        if request.POST.get("action") == "remove":
            self.unlink(other)
        else:
            self.link(other)
        return self.back()

    def link(self, other):
        try:
            LinkAvoid(self.registration, other, user=self.request.user).execute()
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return
        messages.success(
            self.request,
            gettext("%(one)s and %(other)s will never be put in the same group.")
            % {"one": self.registration, "other": other},
        )

    def unlink(self, other):
        if UnlinkAvoid(self.registration, other, user=self.request.user).execute():
            messages.success(self.request, gettext("The link was removed."))

    def back(self):
        return redirect(reverse(self.inspect_url_name, args=[self.registration.pk]))
