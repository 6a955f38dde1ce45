"""Privacy by design: retention, the right of access and erasure, the overview.

Registrations hold special-category data (GDPR art. 9), so the package
deletes them on time and for real, and lets a municipality show that it does:

* **Retention** (:func:`purge`), per registration page (:func:`retention_for`:
  the page's own rule, else its site's default from ``SelfHelpSiteSettings``,
  else the package's in ``conf``): withdrawn and spam registrations go after
  ``closed_days``; a registration that has waited ``reconfirm_months`` is asked
  whether it still wants a group (an e-mail with its self-service link, sent
  by receivers of ``reconfirmation_requested``) and goes ``reconfirm_grace_days``
  later without an answer; a member's data goes ``after_group_months`` after
  their group ended or they left it; an archived starter goes
  ``RETENTION_ARCHIVED_STARTER_MONTHS`` after archiving (their assignments
  stay, without them); matching runs go after ``closed_days``; rate-limit
  counters whose hour is over go too, and, with django-tasks' database
  backend, the stored results of the package's finished tasks after
  ``TASK_RESULT_HOURS`` (:func:`delete_task_results`).
  Each of those rules but the last two is a :class:`RetentionRule` in
  ``RETENTION_RULES``, which the purge, its dry run, the management command
  and the overview loop over. Each run is a :class:`PurgeRun` with counts (one
  per rule) and a log entry with the same counts, never a name.
* **Access and erasure** (:func:`person_data`, :func:`erase`): everything held
  about one person as plain data, joined from every entry of
  ``models.privacy.PERSONAL_DATA``, and deletion that leaves no trace of them;
  for a starter, :func:`starter_person_data` and :func:`erase_starter`, by
  reference to the starter's row.
* **The overview** (:func:`overview`) for the data-protection officer.

Every deletion goes through :func:`wagtail_selvhjelp.models.privacy.forget`,
which keeps the anonymous statistics.
"""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page

from . import audit, task_backend
from .choices import (
    ACTIVE_STATUSES,
    Outcome,
    RegistrationStatus,
    StarterStatus,
)
from .conf import selvhjelp_settings
from .fields import EncryptedTextField
from .models import (
    AbstractGroupRegistrationPage,
    MatchingRun,
    Registration,
    SelfHelpSiteSettings,
    Starter,
)
from .models.actions import Erase
from .models.page_scoped import PageScopedModel
from .models.personal_data import REGISTRANT, STARTER, user_label
from .models.privacy import PERSONAL_DATA, PurgeRun, forget
from .models.rate_limits import DatabaseRateLimit
from .models.retention import Retention
from .models.sites import site_ids_of_pages
from .models.starter_actions import EraseStarter
from .models.starters import forget_starters
from .signals import reconfirmation_requested


def retention_for(page, request=None, *, site_settings=None):
    """The retention rules of a page holding registrations.

    A registration page's ``get_retention()``: each rule the page's own,
    else its site's default, else the package's (``Retention.resolve``). A
    page that no longer is one, or another page class holding rows: its
    site's defaults, else the package's. ``request``: where the site
    settings read are kept for the next page of the same site;
    ``site_settings``: the page's site's settings, already read.
    """
    specific = page.specific
    if isinstance(specific, AbstractGroupRegistrationPage):
        return specific.get_retention(request, site_settings=site_settings)
    return Retention.resolve(
        site_settings or SelfHelpSiteSettings.for_page(specific, request)
    )


def months_before(moment, months):
    """``moment`` moved back by calendar months (the day clamped to the month)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year += moment.year
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# Retention


@dataclass(frozen=True)
class RetentionRule:
    """One retention rule: what it finds due on a page, and what it does.

    ``name`` is its key in a :class:`PurgeRun`'s counts and the purge's log
    entry; ``label`` says what that count counts (the management command
    prints it, the privacy overview shows it); ``model`` is whose rows it
    deletes or clears. ``due(page, now, retention)`` returns the rows due as
    a queryset; ``apply(rows, now)`` deletes or clears them (deletions of
    registrations through ``forget``) and returns how many. The purge applies
    the rules in order, each to what the earlier ones left.
    """

    name: str
    label: str
    model: type
    due: Callable
    apply: Callable


def _left_before(now, retention):
    """The day before which leaving a group (or its end) makes data due."""
    return months_before(timezone.localdate(now), retention.after_group_months)


def _closed(page, now, retention):
    return Registration.objects.filter(
        page=page,
        status__in=[RegistrationStatus.WITHDRAWN, RegistrationStatus.SPAM],
        updated_at__lte=now - timedelta(days=retention.closed_days),
    )


def _expired(page, now, retention):
    return Registration.objects.filter(
        page=page,
        status__in=ACTIVE_STATUSES,
        reconfirmation_requested_at__lte=now
        - timedelta(days=retention.reconfirm_grace_days),
    )


def _former_members(page, now, retention):
    return (
        Registration.objects.filter(page=page, status=RegistrationStatus.PLACED)
        .exclude(memberships__is_current=True)
        .annotate(last_left=Max("memberships__left_on"))
        .filter(
            Q(last_left__lte=_left_before(now, retention))
            | Q(
                last_left__isnull=True,
                updated_at__lte=months_before(now, retention.after_group_months),
            )
        )
    )


def _waited_long(page, now, retention):
    waited_since = months_before(now, retention.reconfirm_months)
    return Registration.objects.filter(
        page=page, status__in=ACTIVE_STATUSES, reconfirmation_requested_at__isnull=True
    ).filter(
        Q(confirmed_at__isnull=True, created_at__lte=waited_since)
        | Q(confirmed_at__lte=waited_since)
    )


def _ask_to_reconfirm(registrations, now):
    """Mark them asked; receivers of ``reconfirmation_requested`` ask them
    once the transaction is committed."""
    asked = list(registrations.values_list("pk", flat=True))
    Registration.objects.filter(pk__in=asked).update(reconfirmation_requested_at=now)
    transaction.on_commit(lambda: _announce_reconfirmation(asked), robust=True)
    return len(asked)


def _archived_starters(page, now, retention):
    """Starters archived longer than the retention time, counted on the
    first page they serve (so that a starter of two pages counts once)."""
    first_page = (
        Starter.pages.through.objects.filter(starter_id=OuterRef("pk"))
        .order_by("page_id")
        .values("page_id")[:1]
    )
    return Starter.objects.annotate(first_page=Subquery(first_page)).filter(
        first_page=page.pk,
        status=StarterStatus.ARCHIVED,
        archived_at__lte=months_before(
            now, selvhjelp_settings.RETENTION_ARCHIVED_STARTER_MONTHS
        ),
    )


def _old_matching_runs(page, now, retention):
    return MatchingRun.objects.filter(
        page=page, updated_at__lte=now - timedelta(days=retention.closed_days)
    )


#: The retention rules, in the order the purge applies them. A model with
#: personal data of its own (see ``models.privacy.PERSONAL_DATA``) joins the
#: purge, its dry run, the command's output and the overview with one rule.
RETENTION_RULES = (
    RetentionRule(
        "closed",
        _("withdrawn or spam registrations deleted"),
        Registration,
        due=_closed,
        apply=lambda rows, now: forget(rows),
    ),
    RetentionRule(
        "expired",
        _("registrations deleted after an unanswered re-confirmation"),
        Registration,
        due=_expired,
        apply=lambda rows, now: forget(rows, outcome=Outcome.EXPIRED),
    ),
    RetentionRule(
        "former_members",
        _("former members' registrations deleted"),
        Registration,
        due=_former_members,
        apply=lambda rows, now: forget(rows),
    ),
    RetentionRule(
        "reconfirmation_requested",
        _("registrations asked to re-confirm"),
        Registration,
        due=_waited_long,
        apply=_ask_to_reconfirm,
    ),
    RetentionRule(
        "archived_starters",
        _("archived starters deleted (their groups kept without them)"),
        Starter,
        due=_archived_starters,
        apply=lambda rows, now: forget_starters(rows, today=timezone.localdate(now)),
    ),
    RetentionRule(
        "matching_runs",
        _("old matching runs deleted"),
        MatchingRun,
        due=_old_matching_runs,
        apply=lambda rows, now: rows.delete()[1].get(MatchingRun._meta.label, 0),
    ),
)

#: The keys of a :class:`PurgeRun`'s counts, one per rule.
PURGE_COUNTS = tuple(rule.name for rule in RETENTION_RULES)


@dataclass
class DueForPage:
    """What the retention rules make due on one page: {rule name: queryset}."""

    page: Page
    retention: Retention
    due: dict

    def __getitem__(self, name):
        return self.due[name]


def due_for(page, now=None):
    """What is due on ``page`` at ``now`` under its retention rules."""
    now = now or timezone.now()
    retention = retention_for(page)
    return DueForPage(
        page=page,
        retention=retention,
        due={rule.name: rule.due(page, now, retention) for rule in RETENTION_RULES},
    )


def registration_pages():
    """Pages that hold rows of any page-scoped model (registrations, groups,
    matching runs, and whatever else subclasses ``PageScopedModel``), or
    that starters serve."""
    held = Q(pk__in=Starter.pages.through.objects.values("page_id"))
    for model in apps.get_app_config("wagtail_selvhjelp").get_models():
        if issubclass(model, PageScopedModel):
            held |= Q(pk__in=model.objects.values("page_id"))
    return Page.objects.filter(held)


def purge(*, now=None, dry_run=False):
    """Apply every page's retention rules; return the counts.

    With ``dry_run`` nothing changes and nothing is recorded. Otherwise the
    run is recorded as a :class:`PurgeRun` with its counts, in all and per
    site (so that a municipality's privacy overview shows its own), and
    logged with the counts in all.
    """
    now = now or timezone.now()
    totals = dict.fromkeys(PURGE_COUNTS, 0)
    pages = list(registration_pages())
    sites = site_ids_of_pages(page.pk for page in pages)
    by_site = {}
    for page in pages:
        retention = retention_for(page)
        site_counts = by_site.setdefault(
            str(sites.get(page.pk) or ""), dict.fromkeys(PURGE_COUNTS, 0)
        )
        if dry_run:
            counts = {
                rule.name: rule.due(page, now, retention).count()
                for rule in RETENTION_RULES
            }
        else:
            with transaction.atomic():
                counts = {
                    rule.name: rule.apply(rule.due(page, now, retention), now)
                    for rule in RETENTION_RULES
                }
        for name, number in counts.items():
            totals[name] += number
            site_counts[name] += number
    if not dry_run:
        DatabaseRateLimit.delete_expired()
        delete_task_results(now)
        run = PurgeRun.objects.create(ran_at=now, counts=totals, counts_by_site=by_site)
        log(run, audit.PURGE.code, data=totals)
    return totals


def delete_task_results(now=None):
    """Delete the package's finished task results older than ``TASK_RESULT_HOURS``.

    A stored result holds the task's name (which tells that someone
    registered for a self-help group) and a registration's id: nothing to
    keep once the task is done. Only this package's tasks are touched, and
    only finished ones; without the database backend there is nothing to do.
    Returns how many were deleted.
    """
    model = task_backend.result_model()
    if model is None:
        return 0
    cutoff = (now or timezone.now()) - timedelta(
        hours=selvhjelp_settings.TASK_RESULT_HOURS
    )
    return model.objects.filter(
        task_path__startswith=f"{__package__}.tasks.",
        finished_at__lt=cutoff,
    ).delete()[0]


def purge_counts(run, site_ids=None):
    """[(label, count)] of a :class:`PurgeRun`, one per rule (None: not counted).

    ``site_ids``: the counts of those sites' pages only (a run from before
    the counts were kept per site counts nothing for them); None: all.
    """
    if site_ids is None:
        return [(rule.label, run.counts.get(rule.name)) for rule in RETENTION_RULES]
    wanted = {str(site_id) for site_id in site_ids}
    parts = [
        counts for site_id, counts in run.counts_by_site.items() if site_id in wanted
    ]
    return [
        (
            rule.label,
            sum(counts.get(rule.name, 0) for counts in parts) if parts else None,
        )
        for rule in RETENTION_RULES
    ]


def _announce_reconfirmation(ids):
    for registration in Registration.objects.filter(pk__in=ids):
        reconfirmation_requested.send(
            sender=Registration, page=registration.page, registration=registration
        )


def last_purge():
    """The latest :class:`PurgeRun`, or None."""
    return PurgeRun.objects.first()


# Access and erasure


ACCESS_ACTIONS = (
    audit.VIEW.code,
    audit.ACCESS_EXPORT.code,
    audit.EXPORT.code,
)


def person_data(registration):
    """Everything held about the person behind ``registration``, as plain data.

    For the right of access (GDPR art. 15): every part of
    ``models.privacy.PERSONAL_DATA`` in order: the registration's fields
    (the site's subclass included, free texts decrypted), the exact consent
    text, the choices by name, group memberships, the registrations they
    must not share a group with (by number only: those are other people),
    and the log of who did what with the record, viewing included.
    """
    return _joined_parts(REGISTRANT, registration)


def starter_person_data(starter):
    """Everything held about a starter, as plain data (GDPR art. 15): their
    record and its log, their courses and the groups they started, found by
    reference to the starter's row."""
    return _joined_parts(STARTER, starter)


def _joined_parts(subject, instance):
    data = {}
    for holder in PERSONAL_DATA:
        if holder.access and holder.subject == subject:
            data.update(holder.access(instance))
    return data


#: Headings of the parts of a person's data, by their key in :func:`person_data`.
DOCUMENT_HEADINGS = {
    "registration_page": _("Registration page"),
    "places": _("Places"),
    "time_slots": _("Time slots"),
    "topics": _("Topics"),
    "consent_text": _("What you agreed to"),
    "group_memberships": _("Groups"),
    "must_not_share_a_group_with_registrations": _(
        "Registrations you must not share a group with (by number)"
    ),
    "log": _("Who has handled your registration"),
}


def _moment(value):
    """An ISO date or moment as a reader's local date and time, or ''."""
    if not value:
        return ""
    if len(value) == 10:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    moment = timezone.localtime(datetime.datetime.fromisoformat(value))
    return date_format(moment, "DATETIME_FORMAT")


def _answer(registration, name):
    """One field of the registration as words: choices by label, yes/no,
    local times, '–' for nothing."""
    field = registration._meta.get_field(name)
    value = field.value_from_object(registration)
    if field.choices and value not in (None, ""):
        return str(getattr(registration, f"get_{name}_display")())
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return "–" if value in (None, "") else str(value)


def _log_label(code):
    """The log action's label, as Wagtail's history shows it (the package's
    own are registered there from ``audit.LOG_ACTIONS``)."""
    return str(log_action_registry.get_action_label(code))


def person_document(registration):
    """:func:`person_data` as a person reads it: [(heading, [(label, text)])].

    The same parts in the same order, every value in words in the active
    language (choices by label, yes/no, local dates and times); a part a
    site adds is shown under its key.
    """
    data = person_data(registration)
    specific = registration.get_specific()
    sections = [
        (
            _("Your registration"),
            [
                (
                    capfirst(specific._meta.get_field(name).verbose_name),
                    _answer(specific, name),
                )
                for name in data.pop("registration")
            ],
        )
    ]
    for key, value in data.items():
        heading = DOCUMENT_HEADINGS.get(key, key.replace("_", " ").capitalize())
        if key == "group_memberships":
            rows = [
                (
                    f"{m['group']} ({m['place']}, {m['time_slot']})",
                    " – ".join(
                        filter(None, [_moment(m["joined_on"]), _moment(m["left_on"])])
                    ),
                )
                for m in value
            ]
        elif key == "log":
            rows = [
                (
                    _moment(entry["timestamp"]),
                    f"{_log_label(entry['action'])}, {entry['user']}".rstrip(", "),
                )
                for entry in value
            ]
        elif isinstance(value, list):
            rows = [("", ", ".join(map(str, value)) or "–")]
        else:
            rows = [("", str(value) if value not in (None, "") else "–")]
        sections.append((heading, rows))
    return sections


def where_personal_data_is_kept():
    """What the package holds about a person, one line per kind, for the overview."""
    return list(dict.fromkeys(holder.holds for holder in PERSONAL_DATA))


def erase(registration, *, user):
    """Erase the person behind ``registration`` (GDPR art. 17), for real.

    The :class:`~wagtail_selvhjelp.models.actions.Erase` action, for code
    that has already decided (the admin's erase view checks the user's
    permission through the action itself): logs the erasure under the
    registration's number, then deletes the registration with its choices,
    memberships, avoid pairs and encrypted texts; the anonymous counts are
    kept. Returns the registration's number.
    """
    number = registration.pk
    Erase(registration, user=user).execute(skip_permission_checks=True)
    return number


def erase_starter(starter, *, user):
    """Erase a starter by reference, for code that has already decided (the
    admin's views go through the :class:`EraseStarter` action's check):
    their row and courses are deleted, their assignments stay anonymised.
    Returns the starter's number."""
    number = starter.pk
    EraseStarter(starter, user=user).execute(skip_permission_checks=True)
    return number


# The overview for the data-protection officer


@dataclass
class PageOverview:
    page: Page
    retention: Retention
    counts_by_status: list  # (status label, number)
    total: int
    oldest: object
    fields: list
    coordinator_groups: list = field(default_factory=list)
    #: Starters in the register who serve the page.
    starters: int = 0
    #: Months an archived starter is kept.
    starter_retention_months: int = 0


def collected_fields(page):
    """(label, held encrypted, asked on this page) for each answer stored.

    Every field of the page's registration model but its keys, its links to
    other records and its internal fields; whether a question is asked on
    this page is the page's switch in the model's ``optional_answers``.
    """
    specific = page.specific
    is_registration_page = isinstance(specific, AbstractGroupRegistrationPage)
    model = specific.get_registration_model() if is_registration_page else Registration
    rows = []
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if (
            model_field.primary_key
            or (model_field.is_relation and not model_field.many_to_many)
            or model_field.name in model.internal_fields
        ):
            continue
        by_system = model_field.name in model.coordinator_fields or not (
            model_field.editable
        )
        switch = model.optional_answers.get(model_field.name)
        rows.append(
            {
                "label": model_field.verbose_name,
                "encrypted": isinstance(model_field, EncryptedTextField),
                # None: not a question (recorded by a coordinator or the system).
                "asked": None
                if by_system
                else (
                    getattr(specific, switch)
                    if switch and is_registration_page
                    else True
                ),
                "coordinator_only": by_system,
            }
        )
    return rows


def coordinator_groups_of(page):
    if isinstance(page, AbstractGroupRegistrationPage):
        return list(page.coordinator_groups.all())
    return []


def overview(pages, request=None):
    """A :class:`PageOverview` for each of ``pages``.

    ``request``: keeps each site's settings read once (the retention
    defaults), whatever the number of its pages.
    """
    pages = list(pages)
    stats = {
        row["page_id"]: row
        for row in Registration.objects.filter(page__in=pages)
        .values("page_id")
        .annotate(total=Count("pk"), oldest=Min("created_at"))
    }
    by_status = {}
    for row in (
        Registration.objects.filter(page__in=pages)
        .values("page_id", "status")
        .annotate(number=Count("pk"))
    ):
        by_status.setdefault(row["page_id"], {})[row["status"]] = row["number"]
    starters = dict(
        Starter.pages.through.objects.filter(page__in=pages)
        .values("page_id")
        .annotate(number=Count("starter_id"))
        .values_list("page_id", "number")
    )
    groups_of = {page.pk: coordinator_groups_of(page.specific) for page in pages}
    # Every coordinator group's active members in one query, not one a group.
    members = {}
    for user in (
        get_user_model()
        .objects.filter(
            groups__in={group.pk for groups in groups_of.values() for group in groups},
            is_active=True,
        )
        .annotate(coordinator_group=F("groups"))
        .order_by("username")
    ):
        members.setdefault(user.coordinator_group, []).append(user_label(user))
    result = []
    for page in pages:
        specific = page.specific
        groups = [
            {"name": group.name, "members": members.get(group.pk, [])}
            for group in groups_of[page.pk]
        ]
        counts = by_status.get(page.pk, {})
        result.append(
            PageOverview(
                page=specific,
                retention=retention_for(page, request),
                counts_by_status=[
                    (label, counts.get(value, 0))
                    for value, label in RegistrationStatus.choices
                ],
                total=stats.get(page.pk, {}).get("total", 0),
                oldest=stats.get(page.pk, {}).get("oldest"),
                fields=collected_fields(page),
                coordinator_groups=groups,
                starters=starters.get(page.pk, 0),
                starter_retention_months=(
                    selvhjelp_settings.RETENTION_ARCHIVED_STARTER_MONTHS
                ),
            )
        )
    return result


def superusers():
    """Active superusers, who see every page's registrations."""
    return [
        user_label(user)
        for user in get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("username")
    ]
