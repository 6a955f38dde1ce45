"""Privacy by design: retention, the right of access and erasure, the overview.

Registrations hold special-category data (GDPR art. 9), so the package
deletes them on time and for real, and lets a municipality show that it does:

* **Retention** (:func:`purge`), per registration page (its ``get_retention()``
  or the defaults in ``conf``): withdrawn and spam registrations go after
  ``closed_days``; a registration that has waited ``reconfirm_months`` is asked
  whether it still wants a group (an e-mail with its self-service link, sent
  by receivers of ``reconfirmation_requested``) and goes ``reconfirm_grace_days``
  later without an answer; a member's data goes ``after_group_months`` after
  their group ended or they left it, and the group's starter with it; matching
  runs go after ``closed_days``; rate-limit counters whose hour is over go
  too. Each run is a :class:`PurgeRun` with counts
  and a log entry with the same counts, never a name.
* **Access and erasure** (:func:`person_data`, :func:`erase`): everything held
  about one person as plain data, and deletion that leaves no trace of them.
* **The overview** (:func:`overview`) for the data-protection officer.

Every deletion goes through :func:`wagtail_selvhjelp.models.privacy.forget`,
which keeps the anonymous statistics.
"""

import calendar
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

from .choices import ACTIVE_STATUSES, GroupStatus, Outcome, RegistrationStatus
from .fields import EncryptedTextField
from .models import (
    AvoidPair,
    GroupMembership,
    MatchingRun,
    Registration,
    SelfHelpGroup,
)
from .models.actions import Erase
from .models.privacy import PurgeRun, Retention, forget
from .models.rate_limits import DatabaseRateLimit
from .signals import reconfirmation_requested


def retention_for(page):
    """The retention rules of a registration page (any page class)."""
    get_retention = getattr(page.specific, "get_retention", None)
    return get_retention() if get_retention else Retention.defaults()


def months_before(moment, months):
    """``moment`` moved back by calendar months (the day clamped to the month)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year += moment.year
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# Retention


PURGE_COUNTS = (
    "closed",
    "expired",
    "former_members",
    "reconfirmation_requested",
    "groups_anonymised",
    "matching_runs",
)


@dataclass
class DueForPage:
    """What the retention rules make due on one page, as querysets."""

    page: Page
    retention: Retention
    closed: object
    expired: object
    former_members: object
    reconfirmation_requested: object
    groups_anonymised: object
    matching_runs: object


def due_for(page, now=None):
    """What is due on ``page`` at ``now`` under its retention rules."""
    now = now or timezone.now()
    retention = retention_for(page)
    registrations = Registration.objects.filter(page=page)
    asked_before = now - timedelta(days=retention.reconfirm_grace_days)
    waited_since = months_before(now, retention.reconfirm_months)
    left_before = months_before(timezone.localdate(now), retention.after_group_months)
    return DueForPage(
        page=page,
        retention=retention,
        closed=registrations.filter(
            status__in=[RegistrationStatus.WITHDRAWN, RegistrationStatus.SPAM],
            updated_at__lte=now - timedelta(days=retention.closed_days),
        ),
        expired=registrations.filter(
            status__in=ACTIVE_STATUSES,
            reconfirmation_requested_at__lte=asked_before,
        ),
        former_members=registrations.filter(status=RegistrationStatus.PLACED)
        .exclude(memberships__is_current=True)
        .annotate(last_left=Max("memberships__left_on"))
        .filter(
            Q(last_left__lte=left_before)
            | Q(
                last_left__isnull=True,
                updated_at__lte=months_before(now, retention.after_group_months),
            )
        ),
        reconfirmation_requested=registrations.filter(
            status__in=ACTIVE_STATUSES, reconfirmation_requested_at__isnull=True
        ).filter(
            Q(confirmed_at__isnull=True, created_at__lte=waited_since)
            | Q(confirmed_at__lte=waited_since)
        ),
        groups_anonymised=SelfHelpGroup.objects.filter(
            page=page, status=GroupStatus.ENDED, ended_on__lte=left_before
        ).exclude(starter_name="", starter_contact=""),
        matching_runs=MatchingRun.objects.filter(
            page=page, updated_at__lte=now - timedelta(days=retention.closed_days)
        ),
    )


def registration_pages():
    """Pages that hold registrations, groups or matching runs."""
    return Page.objects.filter(
        Q(selvhjelp_registration_set__isnull=False)
        | Q(selvhjelp_selfhelpgroup_set__isnull=False)
        | Q(selvhjelp_matchingrun_set__isnull=False)
    ).distinct()


def purge(*, now=None, dry_run=False):
    """Apply every page's retention rules; return the counts.

    With ``dry_run`` nothing changes and nothing is recorded. Otherwise the
    run is recorded as a :class:`PurgeRun` and logged with its counts.
    """
    now = now or timezone.now()
    totals = dict.fromkeys(PURGE_COUNTS, 0)
    for page in registration_pages():
        due = due_for(page, now)
        if dry_run:
            for name in PURGE_COUNTS:
                totals[name] += getattr(due, name).count()
            continue
        with transaction.atomic():
            totals["closed"] += forget(due.closed)
            totals["expired"] += forget(due.expired, outcome=Outcome.EXPIRED)
            totals["former_members"] += forget(due.former_members)
            asked = list(due.reconfirmation_requested.values_list("pk", flat=True))
            Registration.objects.filter(pk__in=asked).update(
                reconfirmation_requested_at=now
            )
            totals["reconfirmation_requested"] += len(asked)
            totals["groups_anonymised"] += due.groups_anonymised.update(
                starter_name="", starter_contact=""
            )
            totals["matching_runs"] += due.matching_runs.delete()[1].get(
                MatchingRun._meta.label, 0
            )
            transaction.on_commit(
                lambda ids=asked: _announce_reconfirmation(ids), robust=True
            )
    if not dry_run:
        DatabaseRateLimit.delete_expired()
        run = PurgeRun.objects.create(ran_at=now, counts=totals)
        log(run, "wagtail_selvhjelp.purge", data=totals)
    return totals


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
    "wagtail_selvhjelp.view",
    "wagtail_selvhjelp.access_export",
    "wagtail_selvhjelp.export",
)


def _user_label(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def person_data(registration):
    """Everything held about the person behind ``registration``, as plain data.

    For the right of access (GDPR art. 15): every field of the registration
    (the site's subclass included, free texts decrypted), the exact consent
    text, the choices by name, group memberships, the registrations they
    must not share a group with (by number only: those are other people),
    and the log of who did what with the record, viewing included.
    """
    specific = registration.get_specific()
    fields = {}
    for model_field in type(specific)._meta.concrete_fields:
        if model_field.is_relation or model_field.name == "submission_token":
            continue
        value = model_field.value_from_object(specific)
        fields[model_field.name] = (
            value.isoformat() if hasattr(value, "isoformat") else value
        )
    memberships = [
        {
            "group": membership.group.name,
            "place": membership.group.place.name,
            "time_slot": membership.group.time_slot.name,
            "joined_on": membership.joined_on.isoformat(),
            "left_on": membership.left_on.isoformat() if membership.left_on else None,
            "placed_despite_mismatch_because": membership.override_reason,
        }
        for membership in GroupMembership.objects.filter(
            registration=registration
        ).select_related("group__place", "group__time_slot")
    ]
    log_entries = [
        {
            "action": entry.action,
            "timestamp": entry.timestamp.isoformat(),
            "user": _user_label(entry.user),
        }
        for entry in ModelLogEntry.objects.for_instance(registration)
        .select_related("user")
        .order_by("timestamp", "pk")
    ]
    return {
        "registration": fields,
        "registration_page": registration.page.title,
        "places": [place.name for place in registration.places.all()],
        "time_slots": [slot.name for slot in registration.time_slots.all()],
        "topics": [topic.name for topic in registration.topics.all()],
        "consent_text": registration.consent_text.text,
        "group_memberships": memberships,
        "must_not_share_a_group_with_registrations": sorted(
            AvoidPair.objects.partners_of(registration)
        ),
        "log": log_entries,
    }


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


def collected_fields(page):
    """(label, held encrypted, asked on this page) for each answer stored."""
    model = getattr(page.specific, "get_registration_model", lambda: Registration)()
    asked = {
        "gender": getattr(page.specific, "ask_gender", True),
        "single_gender": getattr(page.specific, "ask_gender", True),
        "avoid_text": getattr(page.specific, "ask_avoid", True),
        "access_needs": getattr(page.specific, "ask_access_needs", True),
    }
    skip = {"id", "registration_ptr", "page", "submission_token", "consent_text"}
    rows = []
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if model_field.name in skip or model_field.name.endswith("_ptr"):
            continue
        by_system = model_field.name in model.coordinator_fields or not (
            model_field.editable
        )
        rows.append(
            {
                "label": model_field.verbose_name,
                "encrypted": isinstance(model_field, EncryptedTextField),
                # None: not a question (recorded by a coordinator or the system).
                "asked": None if by_system else asked.get(model_field.name, True),
                "coordinator_only": by_system,
            }
        )
    return rows


def coordinator_groups_of(page):
    groups = getattr(page, "coordinator_groups", None)
    return list(groups.all()) if groups is not None else []


def overview(pages):
    """A :class:`PageOverview` for each of ``pages``."""
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
    users = get_user_model()
    result = []
    for page in pages:
        specific = page.specific
        groups = [
            {
                "name": group.name,
                "members": [
                    _user_label(user)
                    for user in users.objects.filter(
                        groups=group, is_active=True
                    ).order_by("username")
                ],
            }
            for group in coordinator_groups_of(specific)
        ]
        counts = by_status.get(page.pk, {})
        result.append(
            PageOverview(
                page=specific,
                retention=retention_for(page),
                counts_by_status=[
                    (label, counts.get(value, 0))
                    for value, label in RegistrationStatus.choices
                ],
                total=stats.get(page.pk, {}).get("total", 0),
                oldest=stats.get(page.pk, {}).get("oldest"),
                fields=collected_fields(page),
                coordinator_groups=groups,
            )
        )
    return result


def superusers():
    """Active superusers, who see every page's registrations."""
    return [
        _user_label(user)
        for user in get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("username")
    ]
