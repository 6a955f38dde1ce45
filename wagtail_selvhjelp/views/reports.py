"""Reports: anonymous statistics and the privacy overview.

The statistics add the counts kept for deleted registrations to the counts
of those still held, so a purge changes where a registration is counted,
never whether. Counts from 1 to 4 are shown as "< 5", on screen and in the
spreadsheet, so that nobody can be singled out.

A total would give a hidden count back by subtraction (7 registrations in
a month, 5 of them wanting a mixed group: the other kind is 2). So every
total the report shows, of any view of the same period, is shown only when
each of its parts is shown exactly (0 or at least 5); otherwise it is
suppressed too (":", secondary suppression), and so on up to the year's
totals. :func:`suppress` applies that to a table of cells and the sums that
bind them; the tests try every subtraction the report allows.

The totals the report shows: a month's "all registrations" row is the sum
of its "group wanted" rows (each registration wanted one kind), and a
year's row (per page, per value) is the sum of its months. Places and
topics overlap (a person may choose several), so no identity binds them
to the totals; they get year rows of their own.
"""

from collections import Counter, defaultdict
from statistics import median

from django.db.models import Count
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.models import Page, Site

from .. import privacy
from ..choices import (
    FollowUpMeets,
    GroupEndReason,
    GroupKind,
    GroupLifeMeasure,
    LeaveReason,
    Outcome,
    StatisticDimension,
)
from ..filters import GroupStatisticFilterSet, StatisticFilterSet
from ..models import (
    AbstractGroupRegistrationPage,
    ContactDirectoryPage,
    GroupLifeStatistic,
    GroupRegistrationPage,
    OutgoingMessage,
    Registration,
    RegistrationStatistic,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
    SelfHelpSiteSettings,
)
from ..models.languages import standard_name, written_standards
from ..models.permissions import (
    can_see_statistics,
    registration_permission_policy,
)
from ..models.privacy import count_registrations, live_outcome
from ..models.sites import site_ids_for_user
from ..permissions import scope_counts_to_user


#: Counts below this are shown as "< 5".
SMALLEST_SHOWN_COUNT = 5
#: How a count hidden to protect another (secondary suppression) is shown.
SUPPRESSED = ":"


def shown_count(number):
    """``number`` as shown in reports: "< 5" for 1 to 4."""
    if 0 < number < SMALLEST_SHOWN_COUNT:
        return f"< {SMALLEST_SHOWN_COUNT}"
    return str(number)


def suppress(values, identities):
    """How each cell of a table is shown, so that no sum gives a hidden one back.

    ``values`` maps a cell (any hashable) to its count; ``identities`` is a
    list of ``(total, parts)``: the total's count is the sum of its parts'
    (a part missing from ``values`` counts 0). A count from 1 to 4 is
    hidden ("< 5"); a total is shown only when every part of every identity
    it is the total of is shown, else hidden as ``SUPPRESSED``, until
    nothing changes. Whatever is shown is then a sum of shown counts, and a
    hidden count is never the only unknown of an identity whose total is
    shown. Returns {cell: text}.
    """
    hidden = {
        cell for cell, number in values.items() if 0 < number < SMALLEST_SHOWN_COUNT
    }
    changed = True
    while changed:
        changed = False
        for total, parts in identities:
            if total not in hidden and any(part in hidden for part in parts):
                hidden.add(total)
                changed = True
    return {
        cell: (
            str(number)
            if cell not in hidden
            else shown_count(number)
            if 0 < number < SMALLEST_SHOWN_COUNT
            else SUPPRESSED
        )
        for cell, number in values.items()
    }


class StatisticRow:
    """One month (or a whole year), page and value counted by, with a count
    per outcome; ``shown`` holds each count as the report shows it."""

    def __init__(self, month, page_id, page_title, dimension, key, label, *, year=None):
        self.month = month
        self.page_id = page_id
        self.page_title = page_title
        self.dimension = dimension
        self.key = key
        self.label = label
        #: Set on a year's row: the row sums the year's months.
        self.year = year
        self.counts = Counter()
        self.shown = {}

    @property
    def month_label(self):
        if self.year is not None:
            return gettext("%(year)s, whole year") % {"year": self.year}
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
            shown = self.__dict__.get("shown", {})
            if name in shown:
                return shown[name]
            return shown_count(self.__dict__["counts"][name])
        raise AttributeError(name)


def statistic_rows(stored, live_counts, live_labels, dimension):
    """Rows of stored and live counts for ``dimension``, by month."""
    rows = {}

    def row_for(month, page_id, page_title, key, label):
        index = (month, page_id, key)
        if index not in rows:
            rows[index] = StatisticRow(
                month, page_id, page_title, dimension, key, label
            )
        return rows[index]

    for stat in stored:
        if stat.dimension != dimension:
            continue
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
    return list(rows.values())


def year_rows(rows):
    """A whole year's row per page and value: the sum of its months' rows.
    Returns ``(year rows, {year row: its month rows})``."""
    years = {}
    months_of = defaultdict(list)
    for row in rows:
        index = (row.month.year, row.page_id, row.key)
        if index not in years:
            years[index] = StatisticRow(
                row.month.replace(month=12, day=31),
                row.page_id,
                row.page_title,
                row.dimension,
                row.key,
                row.label,
                year=row.month.year,
            )
        years[index].counts.update(row.counts)
        months_of[years[index]].append(row)
    return list(years.values()), months_of


def protect(rows_by_dimension):
    """Fill every row's ``shown`` counts (see :func:`suppress`).

    ``rows_by_dimension`` holds month and year rows per dimension; the
    identities: a month's or a year's total is the sum of the same
    period's "group wanted" rows, and a year's row of any value the sum of
    its months. Each outcome is a column of its own (no total across
    outcomes or pages is shown).
    """
    values, identities = {}, []
    for rows, months_of in rows_by_dimension.values():
        for row in rows:
            for outcome in Outcome.values:
                values[(row, outcome)] = row.counts[outcome]
        for year_row, month_rows in months_of.items():
            for outcome in Outcome.values:
                identities.append(
                    ((year_row, outcome), [(m, outcome) for m in month_rows])
                )
    totals = rows_by_dimension.get(StatisticDimension.TOTAL, ([], {}))[0]
    kinds = rows_by_dimension.get(StatisticDimension.GROUP_KIND, ([], {}))[0]
    parts_of = defaultdict(list)
    for row in kinds:
        parts_of[(row.month, row.page_id, row.year)].append(row)
    for row in totals:
        for outcome in Outcome.values:
            identities.append(
                (
                    (row, outcome),
                    [
                        (part, outcome)
                        for part in parts_of[(row.month, row.page_id, row.year)]
                    ],
                )
            )
    shown = suppress(values, identities)
    for (row, outcome), text in shown.items():
        row.shown[outcome] = text


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

    #: The other report, linked from the header.
    other_report_url_name = None
    other_report_label = _("Group statistics per year")

    #: The language report, linked from the header where given.
    language_report_url_name = None

    @property
    def header_buttons(self):
        buttons = []
        if self.other_report_url_name:
            buttons.append(
                HeaderButton(
                    self.other_report_label,
                    reverse(self.other_report_url_name),
                    icon_name="table",
                )
            )
        if self.language_report_url_name:
            buttons.append(
                HeaderButton(
                    _("Written standards"),
                    reverse(self.language_report_url_name),
                    icon_name="globe",
                )
            )
        return buttons

    def get_filename(self):
        return "registration-statistics"

    def get_queryset(self):
        return scope_counts_to_user(
            RegistrationStatistic.objects.all(),
            self.request.user,
            field="page_id",
            site_field="site",
        )

    def get_filtered_queryset(self):
        self.filter_queryset(self.get_queryset())  # binds and checks the filters
        chosen = {}
        if self.filters is not None and self.filters.is_valid():
            chosen = self.filters.form.cleaned_data
        dimension = chosen.get("dimension") or StatisticDimension.TOTAL
        # The totals and the kinds they sum are protected together, whichever
        # of them is shown.
        dimensions = {
            dimension,
            StatisticDimension.TOTAL,
            StatisticDimension.GROUP_KIND,
        }
        # The filter set narrows to one dimension; the page and year alone
        # are applied here, so that the parts of a shown total are read too.
        stored = self.get_queryset().filter(dimension__in=dimensions)
        if chosen.get("page_id"):
            stored = stored.filter(page_id=chosen["page_id"])
        if chosen.get("year"):
            stored = stored.filter(month__year=chosen["year"])
        stored = list(stored)

        live = scope_counts_to_user(Registration.objects.all(), self.request.user)
        if chosen.get("page_id"):
            live = live.filter(page_id=chosen["page_id"])
        if chosen.get("year"):
            live = live.filter(created_at__year=chosen["year"])
        live_counts, live_labels = count_registrations(live, outcome_of=live_outcome)
        rows_by_dimension = {}
        for each in dimensions:
            months = statistic_rows(stored, live_counts, live_labels, each)
            years, months_of = year_rows(months)
            rows_by_dimension[each] = (months + years, months_of)
        protect(rows_by_dimension)
        return sorted(
            rows_by_dimension[dimension][0],
            key=lambda row: (
                -row.month.year,
                row.year is None,
                -row.month.toordinal(),
                row.page_title,
                str(row.value_label),
            ),
        )


def _reason_label(choices, key):
    return str(choices(key).label) if key else gettext("Not given")


#: The columns of a year's group row that are counts: (name, label, measure,
#: key); a measure's total has key None.
GROUP_COUNT_COLUMNS = [
    ("started", _("Groups started"), GroupLifeMeasure.STARTED, None),
    ("ended", _("Groups ended"), GroupLifeMeasure.ENDED, None),
    *(
        (f"ended_{key}", label, GroupLifeMeasure.ENDED, key)
        for key, label in [("", _("Ended: reason not given")), *GroupEndReason.choices]
    ),
    ("departed", _("Departures"), GroupLifeMeasure.DEPARTED, None),
    *(
        (f"departed_{key}", label, GroupLifeMeasure.DEPARTED, key)
        for key, label in [("", _("Left: reason not given")), *LeaveReason.choices]
    ),
]


class GroupYearRow:
    """One year and page (or all the user's pages): the group counts."""

    def __init__(self, year, page_id, page_title):
        self.year = year
        self.page_id = page_id
        self.page_title = page_title
        #: {(measure, key): count}
        self.counts = Counter()
        #: Days from registration to a first group, one entry per person.
        self.days = []
        self.shown = {}

    def __getattr__(self, name):
        shown = self.__dict__.get("shown", {})
        if name in shown:
            return shown[name]
        raise AttributeError(name)

    @property
    def median_days(self):
        """The median, from 5 placements up (fewer could single someone out)."""
        if len(self.days) < SMALLEST_SHOWN_COUNT:
            return SUPPRESSED if self.days else "–"
        return str(round(median(self.days)))

    @property
    def still_meeting(self):
        """The share of follow-up answers saying the group still meets,
        shown only when both the yeses and the others are shown exactly."""
        yes = self.shown.get("meets_yes")
        other = self.shown.get("meets_other")
        total = self.counts[(GroupLifeMeasure.FOLLOW_UP, None)]
        if not total:
            return "–"
        if yes is None or other is None or not yes.isdigit() or not other.isdigit():
            return SUPPRESSED
        return f"{round(100 * int(yes) / total)} %"


#: The parts each measure's total is the sum of (STARTED has none).
MEASURE_PARTS = {
    GroupLifeMeasure.STARTED: [],
    GroupLifeMeasure.ENDED: ["", *GroupEndReason.values],
    GroupLifeMeasure.DEPARTED: ["", *LeaveReason.values],
    GroupLifeMeasure.FOLLOW_UP: ["yes", "other"],
}


def group_year_rows(stats):
    """Year rows per page and, where the user sees several pages in a year,
    one for all of them, with every count protected by :func:`suppress`.

    Identities: a measure's total is the sum of its reasons (or answers),
    and the row for all pages sums the pages' rows, cell by cell.
    """
    rows = {}
    for stat in stats:
        for page_id, title in (
            (stat.page_id, stat.page_title),
            (None, gettext("All pages")),
        ):
            index = (stat.year, page_id)
            if index not in rows:
                rows[index] = GroupYearRow(stat.year, page_id, title)
            row = rows[index]
            if stat.measure == GroupLifeMeasure.DAYS_TO_GROUP:
                row.days.extend([int(stat.key)] * stat.count)
                continue
            key = stat.key
            if stat.measure == GroupLifeMeasure.FOLLOW_UP:
                key = "yes" if key == FollowUpMeets.YES else "other"
            if MEASURE_PARTS[stat.measure]:
                row.counts[(stat.measure, key)] += stat.count
            row.counts[(stat.measure, None)] += stat.count
    pages_per_year = Counter(year for year, page_id in rows if page_id is not None)
    shown_rows = [
        row
        for (year, page_id), row in rows.items()
        if page_id is not None or pages_per_year[year] > 1
    ]
    cells = [
        (measure, key)
        for measure, parts in MEASURE_PARTS.items()
        for key in [None, *parts]
    ]
    values, identities = {}, []
    by_year = defaultdict(list)
    for row in shown_rows:
        if row.page_id is not None:
            by_year[row.year].append(row)
        for measure, key in cells:
            values[(row, measure, key)] = row.counts[(measure, key)]
        for measure, parts in MEASURE_PARTS.items():
            if parts:
                identities.append(
                    ((row, measure, None), [(row, measure, key) for key in parts])
                )
    for row in shown_rows:
        if row.page_id is None:
            for measure, key in cells:
                identities.append(
                    (
                        (row, measure, key),
                        [(page_row, measure, key) for page_row in by_year[row.year]],
                    )
                )
    names = {(measure, key): name for name, _label, measure, key in GROUP_COUNT_COLUMNS}
    names[(GroupLifeMeasure.FOLLOW_UP, "yes")] = "meets_yes"
    names[(GroupLifeMeasure.FOLLOW_UP, "other")] = "meets_other"
    for (row, measure, key), text in suppress(values, identities).items():
        if (measure, key) in names:
            row.shown[names[(measure, key)]] = text
    return sorted(
        shown_rows,
        key=lambda row: (-row.year, row.page_id is None, row.page_title),
    )


class GroupStatisticsReportView(StatisticsReportView):
    """Groups per year and page: started, ended and why, departures and why,
    the median days from registration to a first group, and the share of
    follow-up answers saying the group still meets. Anonymous counts kept
    by the actions, suppressed below 5 with every total that would give a
    hidden count back."""

    page_title = _("Group statistics per year")
    header_icon = "table"
    filterset_class = GroupStatisticFilterSet
    index_url_name = None
    index_results_url_name = None
    paginate_by = 100
    columns = [
        Column("year", label=_("Year")),
        Column("page_title", label=_("Registration page")),
        *(Column(name, label=label) for name, label, _m, _k in GROUP_COUNT_COLUMNS),
        Column("median_days", label=_("Median days from registration to a group")),
        Column("still_meeting", label=_("Still meeting at the follow-up")),
    ]
    list_export = [
        "year",
        "page_title",
        *(name for name, _label, _m, _k in GROUP_COUNT_COLUMNS),
        "median_days",
        "still_meeting",
    ]
    export_headings = {
        "year": _("Year"),
        "page_title": _("Registration page"),
        **{name: label for name, label, _m, _k in GROUP_COUNT_COLUMNS},
        "median_days": _("Median days from registration to a group"),
        "still_meeting": _("Still meeting at the follow-up"),
    }

    other_report_label = _("Registration statistics")

    def get_filename(self):
        return "group-statistics"

    def get_queryset(self):
        return scope_counts_to_user(
            GroupLifeStatistic.objects.all(),
            self.request.user,
            field="page_id",
            site_field="site",
        )

    def get_filtered_queryset(self):
        return group_year_rows(self.filter_queryset(self.get_queryset()))


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
        user = self.request.user
        page_ids = set(GroupRegistrationPage.objects.values_list("pk", flat=True))
        page_ids |= set(privacy.registration_pages().values_list("pk", flat=True))
        # The pages of the sites the user works for (and those they
        # coordinate), as every report; the purge's counts of those sites.
        pages = (
            scope_counts_to_user(Page.objects.filter(pk__in=page_ids), user, "pk")
            .order_by("title", "pk")
            .specific()
        )
        site_ids = None if user.is_superuser else site_ids_for_user(user)
        last_purge = privacy.last_purge()
        context.update(
            {
                "pages": privacy.overview(pages, request=self.request),
                "superusers": privacy.superusers(),
                "last_purge": last_purge,
                "purge_counts": (
                    privacy.purge_counts(last_purge, site_ids) if last_purge else []
                ),
                "personal_data": privacy.where_personal_data_is_kept(),
                "statistics_url_name": self.statistics_url_name,
                # None: every site (a superuser).
                "site_names": None
                if site_ids is None
                else [
                    site.site_name or site.hostname
                    for site in Site.objects.filter(pk__in=site_ids).order_by(
                        "site_name", "hostname"
                    )
                ],
            }
        )
        return context


class LanguageRow:
    """One site's pages and messages in each written standard."""

    def __init__(self, site, standard):
        self.site_name = site.site_name or site.hostname
        self.standard = standard
        self.counts = Counter()

    def __getattr__(self, name):
        # "pages_nn", "messages_nb", …: a count, shown as the other reports do.
        kind, _sep, language = name.partition("_")
        if kind in ("pages", "messages") and language:
            number = self.__dict__["counts"][(kind, language)]
            return shown_count(number) if kind == "messages" else number
        raise AttributeError(name)


def language_rows(user):
    """A :class:`LanguageRow` per site the user's counts reach: its live
    pages of the package per locale (both trees of a neutral site) and the
    messages sent from its registration pages per written standard.

    Messages are the ``OutgoingMessage`` rows that went out (kept while
    their registration is), cut to the pages the user coordinates, as the
    statistics are; a site appears where the user coordinates one of its
    registration pages (every site for whoever sees every page's counts),
    with its public pages. Counts only; messages below 5 shown as "< 5".
    """
    messages = (
        scope_counts_to_user(
            OutgoingMessage.objects.exclude(state=OutgoingMessage.State.FAILED),
            user,
            field="page_id",
        )
        .order_by()
        .values("page__path", "language")
        .annotate(count=Count("pk"))
    )
    scoped_paths = set(
        scope_counts_to_user(
            Page.objects.type(AbstractGroupRegistrationPage), user, field="pk"
        ).values_list("path", flat=True)
    )
    package_pages = (
        Page.objects.type(
            SelfHelpIndexPage,
            SelfHelpInfoPage,
            ContactDirectoryPage,
            AbstractGroupRegistrationPage,
        )
        .live()
        .order_by()
        .values_list("path", "locale__language_code")
    )
    package_pages = list(package_pages)
    messages = list(messages)
    settings_by_site = {
        row.site_id: row.get_language_form_display()
        for row in SelfHelpSiteSettings.objects.all()
    }
    rows = []
    for site in Site.objects.select_related("root_page").order_by("site_name"):
        roots = [
            page.path
            for page in site.root_page.get_translations(inclusive=True).only("path")
        ]

        def within(path, roots=roots):
            return any(path.startswith(root) for root in roots)

        if not any(within(path) for path in scoped_paths):
            continue
        row = LanguageRow(
            site,
            settings_by_site.get(
                site.pk, SelfHelpSiteSettings(site=site).get_language_form_display()
            ),
        )
        for path, language in package_pages:
            if within(path):
                row.counts[("pages", language)] += 1
        for message in messages:
            if within(message["page__path"]):
                row.counts[("messages", message["language"])] += message["count"]
        rows.append(row)
    return rows


class LanguageReportView(StatisticsReportView):
    """Pages and messages per written standard, per site (municipality), so
    a municipality can show that it follows its choice of bokmål, nynorsk or
    neutral (språklova § 11), as the state's own measuring tool counts."""

    page_title = _("Written standards")
    header_icon = "globe"
    filterset_class = None
    other_report_label = _("Registration statistics")

    @property
    def columns(self):
        names = written_standards()
        return [
            Column("site_name", label=_("Site")),
            Column("standard", label=_("Written standard")),
            *(
                Column(
                    f"pages_{code}",
                    label=gettext("Pages in %(language)s")
                    % {"language": standard_name(code)},
                )
                for code in names
            ),
            *(
                Column(
                    f"messages_{code}",
                    label=gettext("Messages in %(language)s")
                    % {"language": standard_name(code)},
                )
                for code in names
            ),
        ]

    @property
    def list_export(self):
        return [column.name for column in self.columns]

    @property
    def export_headings(self):
        return {column.name: column.label for column in self.columns}

    def get_filename(self):
        return "written-standards"

    def get_queryset(self):
        return language_rows(self.request.user)

    def get_filtered_queryset(self):
        return self.get_queryset()
