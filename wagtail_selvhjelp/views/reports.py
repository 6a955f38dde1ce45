"""Reports: anonymous statistics and the privacy overview.

The statistics add the counts kept for deleted registrations to the counts
of those still held, so a purge changes where a registration is counted,
never whether. Counts from 1 to 4 are shown as "< 5", on screen and in the
spreadsheet, so that nobody can be singled out; there is no row total, which
would give the hidden counts away by subtraction.
"""

from collections import Counter

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from .. import privacy
from ..choices import GroupKind, Outcome, StatisticDimension
from ..filters import StatisticFilterSet
from ..models import GroupRegistrationPage, Registration, RegistrationStatistic
from ..models.permissions import (
    can_see_statistics,
    registration_permission_policy,
)
from ..models.privacy import count_registrations, live_outcome
from ..permissions import scope_counts_to_user


#: Counts below this are shown as "< 5".
SMALLEST_SHOWN_COUNT = 5


def shown_count(number):
    """``number`` as shown in reports: "< 5" for 1 to 4."""
    if 0 < number < SMALLEST_SHOWN_COUNT:
        return f"< {SMALLEST_SHOWN_COUNT}"
    return str(number)


class StatisticRow:
    """One month, page and value counted by, with a count per outcome."""

    def __init__(self, month, page_title, dimension, label):
        self.month = month
        self.page_title = page_title
        self.dimension = dimension
        self.label = label
        self.counts = Counter()

    @property
    def month_label(self):
        return date_format(self.month, "YEAR_MONTH_FORMAT")

    @property
    def value_label(self):
        if self.dimension == StatisticDimension.TOTAL:
            return gettext("All registrations")
        if self.dimension == StatisticDimension.GROUP_KIND:
            return str(GroupKind(self.label).label) if self.label else "–"
        return self.label

    def __getattr__(self, name):
        # waiting, placed, withdrawn, expired, spam: the shown counts.
        if name in Outcome.values:
            return shown_count(self.counts[name])
        raise AttributeError(name)


def statistic_rows(stored, live_counts, live_labels, dimension):
    """Rows of stored and live counts for ``dimension``, newest month first."""
    rows = {}

    def row_for(month, page_id, page_title, key, label):
        index = (month, page_id, key)
        if index not in rows:
            rows[index] = StatisticRow(month, page_title, dimension, label)
        return rows[index]

    for stat in stored:
        label = stat.key if dimension == StatisticDimension.GROUP_KIND else stat.label
        row = row_for(stat.month, stat.page_id, stat.page_title, stat.key, label)
        row.counts[stat.outcome] += stat.count
    for (month, page_id, dim, key, outcome), number in live_counts.items():
        if dim != dimension:
            continue
        label = (
            key
            if dimension == StatisticDimension.GROUP_KIND
            else (live_labels.get((dim, key), ""))
        )
        row = row_for(
            month, page_id, live_labels.get(("page", page_id), ""), key, label
        )
        row.counts[outcome] += number
    return sorted(
        rows.values(),
        key=lambda row: (-row.month.toordinal(), row.page_title, str(row.value_label)),
    )


class StatisticsReportView(ReportView):
    """Registrations per month, page, place, topic and group wanted, by outcome."""

    page_title = _("Registration statistics")
    header_icon = "table"
    filterset_class = StatisticFilterSet
    index_url_name = None
    index_results_url_name = None
    paginate_by = 100
    columns = [
        Column("month_label", label=_("Month registered")),
        Column("page_title", label=_("Registration page")),
        Column("value_label", label=_("Counted by")),
        Column(Outcome.WAITING.value, label=Outcome.WAITING.label),
        Column(Outcome.PLACED.value, label=Outcome.PLACED.label),
        Column(Outcome.WITHDRAWN.value, label=Outcome.WITHDRAWN.label),
        Column(Outcome.EXPIRED.value, label=Outcome.EXPIRED.label),
        Column(Outcome.SPAM.value, label=Outcome.SPAM.label),
    ]
    list_export = [
        "month_label",
        "page_title",
        "value_label",
        *Outcome.values,
    ]
    export_headings = {
        "month_label": _("Month registered"),
        "page_title": _("Registration page"),
        "value_label": _("Counted by"),
        **dict(Outcome.choices),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_see_statistics(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return "registration-statistics"

    def get_queryset(self):
        return scope_counts_to_user(
            RegistrationStatistic.objects.all(), self.request.user, field="page_id"
        )

    def get_filtered_queryset(self):
        stored = self.filter_queryset(self.get_queryset())
        chosen = {}
        if self.filters is not None and self.filters.is_valid():
            chosen = self.filters.form.cleaned_data
        dimension = chosen.get("dimension") or StatisticDimension.TOTAL
        stored = stored.filter(dimension=dimension)

        live = scope_counts_to_user(Registration.objects.all(), self.request.user)
        if chosen.get("page_id"):
            live = live.filter(page_id=chosen["page_id"])
        if chosen.get("year"):
            live = live.filter(created_at__year=chosen["year"])
        live_counts, live_labels = count_registrations(live, outcome_of=live_outcome)
        return statistic_rows(stored, live_counts, live_labels, dimension)


class PrivacyOverviewView(WagtailAdminTemplateMixin, TemplateView):
    """For the data-protection officer: what each page holds, why, how long, who sees it.

    A helper for the record of processing activities (GDPR art. 30).
    """

    page_title = _("Privacy overview")
    header_icon = "lock"
    template_name = "wagtail_selvhjelp/admin/privacy/overview.html"
    statistics_url_name = None

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not registration_permission_policy.user_has_permission(
            request.user, "overview"
        ):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_ids = set(GroupRegistrationPage.objects.values_list("pk", flat=True))
        page_ids |= set(privacy.registration_pages().values_list("pk", flat=True))
        pages = Page.objects.filter(pk__in=page_ids).order_by("title", "pk").specific()
        last_purge = privacy.last_purge()
        context.update(
            {
                "pages": privacy.overview(pages),
                "superusers": privacy.superusers(),
                "last_purge": last_purge,
                "purge_counts": privacy.purge_counts(last_purge) if last_purge else [],
                "personal_data": privacy.where_personal_data_is_kept(),
                "statistics_url_name": self.statistics_url_name,
            }
        )
        return context
