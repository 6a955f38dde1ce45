"""What outlives a registration: anonymous counts, group sizes and purge runs.

Registrations are deleted for real, on time (see ``wagtail_selvhjelp.privacy``
for the retention rules). :func:`forget` is the one way the package deletes
them: before the rows go it adds them to :class:`RegistrationStatistic`
(counts per month, page, place, topic, group wanted and outcome, never a
person), adds them to their groups' ``former_member_count`` so that a group's
size survives, and takes their ids out of matching runs. Nothing it keeps
can name anyone. A group's starters are a register of their own
(``models/starters.py``), erased by reference, never by matching names.

Which models hold a person's data is declared once, in ``PERSONAL_DATA``
(see :mod:`.personal_data`): :func:`forget` runs each entry's step, the
right of access shows each entry's part, the privacy overview lists them.
"""

from collections import Counter

from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from ..choices import Outcome, RegistrationStatus, StatisticDimension
from .groups import GroupMembership, SelfHelpGroup
from .matching_runs import MatchingRun
from .mentions import kept_mention_data
from .personal_data import (
    REGISTRANT,
    STARTER,
    PersonalData,
    avoid_data,
    log_data,
    membership_data,
    message_data,
    offer_data,
    registration_data,
    starter_assignment_data,
    starter_course_data,
    starter_data,
)
from .registrations import (
    Registration,
    RegistrationPlaceChoice,
    RegistrationTopicChoice,
)
from .sites import site_ids_of_pages


#: The outcome a registration is counted under when it is deleted without a
#: more precise one (an active registration deleted by a coordinator, or
#: erased on request, has left the waiting list: withdrawn).
OUTCOME_FOR_STATUS = {
    RegistrationStatus.PLACED: Outcome.PLACED,
    RegistrationStatus.SPAM: Outcome.SPAM,
}


def outcome_for_status(status):
    return OUTCOME_FOR_STATUS.get(status, Outcome.WITHDRAWN)


def live_outcome(status):
    """The outcome a registration still held is counted under."""
    if status in (RegistrationStatus.WITHDRAWN, RegistrationStatus.SPAM):
        return outcome_for_status(status)
    if status == RegistrationStatus.PLACED:
        return Outcome.PLACED
    return Outcome.WAITING


def month_of(moment):
    """The first day of ``moment``'s local month."""
    return timezone.localdate(moment).replace(day=1)


class RegistrationStatistic(models.Model):
    """An anonymous count of deleted registrations.

    One row per month registered, registration page, dimension (all, one
    place, one topic, one kind of group) and outcome. The page is kept as an
    id and a title, not a foreign key, so that the counts survive the page.
    Place and topic names are copied for the same reason. ``site`` is the
    municipality the page was served on when the row was first counted
    (``sites.site_ids_of_pages``): who sees the counts of a site sees the
    row, page or no page (``permissions.scope_counts_to_user``).
    """

    month = models.DateField(_("month"))
    page_id = models.PositiveIntegerField(_("registration page"), db_index=True)
    page_title = models.CharField(_("registration page"), max_length=255)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dimension = models.CharField(
        _("counted by"), max_length=12, choices=StatisticDimension.choices
    )
    key = models.CharField(max_length=40, blank=True)
    label = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("registration statistic")
        verbose_name_plural = _("registration statistics")
        ordering = ["-month", "page_id", "dimension", "key", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "page_id", "dimension", "key", "outcome"],
                name="selvhjelp_statistic_unique",
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.page_title} {self.dimension} {self.outcome}"

    @classmethod
    def add(cls, counts, labels):
        """Add ``counts`` {(month, page_id, dimension, key, outcome): n}.

        ``labels`` maps (dimension, key) and ("page", page_id) to names. A
        new row gets the site its page is served on (one query for all).
        """
        sites = site_ids_of_pages({page_id for _m, page_id, *_rest in counts})
        for (month, page_id, dimension, key, outcome), number in counts.items():
            row = cls.objects.filter(
                month=month,
                page_id=page_id,
                dimension=dimension,
                key=key,
                outcome=outcome,
            )
            if row.update(count=F("count") + number):
                continue
            try:
                with transaction.atomic():
                    cls.objects.create(
                        month=month,
                        page_id=page_id,
                        page_title=labels.get(("page", page_id), ""),
                        site_id=sites.get(page_id),
                        dimension=dimension,
                        key=key,
                        label=labels.get((dimension, key), ""),
                        outcome=outcome,
                        count=number,
                    )
            except IntegrityError:  # created meanwhile by a concurrent run
                row.update(count=F("count") + number)


def count_registrations(registrations, *, outcome_of):
    """Counts and labels of ``registrations`` for :class:`RegistrationStatistic`.

    ``outcome_of(status)`` gives the outcome each registration is counted
    under. Six queries, whatever the number of rows.
    """
    counts = Counter()
    labels = {}
    counted = {}
    for pk, page_id, created_at, status, group_kind in registrations.values_list(
        "pk", "page_id", "created_at", "status", "group_kind"
    ):
        key = (month_of(created_at), page_id)
        outcome = outcome_of(status)
        counted[pk] = (*key, outcome)
        counts[(*key, StatisticDimension.TOTAL, "", outcome)] += 1
        counts[(*key, StatisticDimension.GROUP_KIND, group_kind, outcome)] += 1
    for dimension, through, field in [
        (StatisticDimension.PLACE, RegistrationPlaceChoice, "place"),
        (StatisticDimension.TOPIC, RegistrationTopicChoice, "topic"),
    ]:
        for pk, choice_id, name in through.objects.filter(
            registration_id__in=list(counted)
        ).values_list("registration_id", f"{field}_id", f"{field}__name"):
            month, page_id, outcome = counted[pk]
            counts[(month, page_id, dimension, str(choice_id), outcome)] += 1
            labels[(dimension, str(choice_id))] = name
    # An inter-municipal page: once per municipality of the places chosen.
    municipalities = set()
    for pk, site_id, site_name in (
        RegistrationPlaceChoice.objects.filter(
            registration_id__in=list(counted), place__municipality__isnull=False
        )
        .values_list(
            "registration_id", "place__municipality", "place__municipality__site_name"
        )
        .distinct()
    ):
        if (pk, site_id) in municipalities:
            continue
        municipalities.add((pk, site_id))
        month, page_id, outcome = counted[pk]
        key = (month, page_id, StatisticDimension.MUNICIPALITY, str(site_id), outcome)
        counts[key] += 1
        labels[(StatisticDimension.MUNICIPALITY, str(site_id))] = site_name
    page_ids = {page_id for _month, page_id, _outcome in counted.values()}
    for page_id, title in Page.objects.filter(pk__in=page_ids).values_list(
        "pk", "title"
    ):
        labels[("page", page_id)] = title
    return counts, labels


def _forget_in_runs(ids, page_ids):
    """Take registration ids out of the pages' matching runs."""
    for run in MatchingRun.objects.filter(page_id__in=page_ids):
        proposal = run.get_proposal()
        if proposal.forget(ids):
            run.set_proposal(proposal)
            run.save(update_fields=["proposal", "excluded", "updated_at"])


def _count_former_members(registrations):
    """Add the people to their groups' ``former_member_count``: one each,
    however often they left a group and came back to it."""
    for group_id, number in (
        GroupMembership.objects.filter(registration__in=registrations)
        .values_list("group_id")
        .annotate(number=Count("registration", distinct=True))
    ):
        SelfHelpGroup.objects.filter(pk=group_id).update(
            former_member_count=F("former_member_count") + number
        )


@transaction.atomic
def forget(registrations, *, outcome=None):
    """Delete ``registrations`` for real, keeping only anonymous counts.

    They are counted under ``outcome``, or under the outcome their status
    implies; then every registrant's ``PERSONAL_DATA`` entry's step runs
    (group sizes, matching runs). Their choices, group memberships, avoid pairs
    and encrypted texts go with them (cascades); a site's registration
    subclass row too. Returns the number of registrations deleted.
    """
    ids = list(registrations.values_list("pk", flat=True))
    if not ids:
        return 0
    registrations = Registration.objects.filter(pk__in=ids)
    counts, labels = count_registrations(
        registrations,
        outcome_of=(lambda _status: outcome) if outcome else outcome_for_status,
    )
    RegistrationStatistic.add(counts, labels)
    for holder in PERSONAL_DATA:
        if holder.forget and holder.subject == REGISTRANT:
            holder.forget(registrations)
    registrations.delete()
    return len(ids)


def _forget_in_proposals(registrations):
    rows = list(registrations.values_list("pk", "page_id"))
    _forget_in_runs([pk for pk, _page in rows], {page for _pk, page in rows})


#: Every model that holds a person's data (see :class:`PersonalData`), in
#: the order their parts appear in a person's data and their steps run.
PERSONAL_DATA = (
    PersonalData(
        "wagtail_selvhjelp.Registration",
        holds=_("the answers, contact details and consent, and coordinators' notes"),
        access=registration_data,
    ),
    # The choices: shown by name in the registration's part, deleted with it.
    *(
        PersonalData(label, holds=_("the places, times and topics the person chose"))
        for label in (
            "wagtail_selvhjelp.RegistrationPlaceChoice",
            "wagtail_selvhjelp.RegistrationTimeSlotChoice",
            "wagtail_selvhjelp.RegistrationTopicChoice",
        )
    ),
    # Deleted with the registration (CASCADE): the decision's link to the
    # other person's text is not kept past the erasure.
    PersonalData(
        "wagtail_selvhjelp.KeptMention",
        holds=_("where others' texts that name the person were kept, and why (a code)"),
        access=kept_mention_data,
    ),
    PersonalData(
        "wagtail_selvhjelp.GroupMembership",
        holds=_("which groups the person was placed in, and when"),
        access=membership_data,
        forget=_count_former_members,
    ),
    # Deleted with the registration (CASCADE).
    PersonalData(
        "wagtail_selvhjelp.Offer",
        holds=_("the offers of a place in a group and the person's answers"),
        access=offer_data,
    ),
    PersonalData(
        "wagtail_selvhjelp.AvoidPair",
        holds=_("whom the person must not share a group with"),
        access=avoid_data,
    ),
    PersonalData(
        "wagtail_selvhjelp.MatchingRun",
        holds=_("registration numbers in proposed groups"),
        forget=_forget_in_proposals,
    ),
    PersonalData(
        "wagtail_selvhjelp.OutgoingMessage",
        holds=_(
            "which messages were sent to the person, how and when (never their text)"
        ),
        access=message_data,
    ),
    PersonalData(
        "wagtail_selvhjelp.SelfHelpLogEntry",
        holds=_("who viewed or changed a registration or a starter, and when"),
        access=log_data,
        outlives="the audit trail: the registration's number, who did what "
        "and when, and ids, codes and counts, never a name or an answer",
    ),
    # The starter register: erased by reference (``forget_starters``) and
    # after the retention time once archived; never matched by name.
    PersonalData(
        "wagtail_selvhjelp.Starter",
        holds=_(
            "a starter's name, contact details, pages, places, times, topics "
            "of their own and notes"
        ),
        access=starter_data,
        subject=STARTER,
    ),
    PersonalData(
        "wagtail_selvhjelp.StarterCourse",
        holds=_("the courses a starter completed, and until when they are valid"),
        access=starter_course_data,
        subject=STARTER,
    ),
    PersonalData(
        "wagtail_selvhjelp.GroupStarter",
        holds=_(
            "which groups a starter started or accompanied, and when they withdrew"
        ),
        access=starter_assignment_data,
        subject=STARTER,
    ),
)

#: The package's models that hold no one's personal data, and why; a test
#: requires every model of the package here or in ``PERSONAL_DATA``.
HOLDS_NO_PERSONAL_DATA = {
    "wagtail_selvhjelp.SelfHelpGroup": "a group's name, place, time, topic and "
    "first meeting (its members and starters are held elsewhere, by reference)",
    "wagtail_selvhjelp.ConsentText": "the wording of a consent, shared by all "
    "who gave it; who gave which is on the registration",
    "wagtail_selvhjelp.ContactPoint": "the municipality's published contact "
    "points, edited as content (staff details, not registrants')",
    "wagtail_selvhjelp.GroupRegistrationPage": "a page: texts and settings",
    "wagtail_selvhjelp.SelfHelpSiteSettings": "a municipality's senders and the "
    "controller and data-protection officer its privacy notices name (published "
    "roles, not registrants)",
    "wagtail_selvhjelp.StarterKitText": "a site's wording of the starter's "
    "kit (principles, declaration, frame); no names, the kit prints blank lines",
    "wagtail_selvhjelp.SelfHelpIndexPage": "a page: texts",
    "wagtail_selvhjelp.SelfHelpIndexContactPoint": "a page's choice of contact points",
    "wagtail_selvhjelp.SelfHelpInfoPage": "a page: texts",
    "wagtail_selvhjelp.ContactDirectoryPage": "a page: texts",
    "wagtail_selvhjelp.RegistrationPlace": "a page's list of places",
    "wagtail_selvhjelp.RegistrationTimeSlot": "a page's list of time slots",
    "wagtail_selvhjelp.RegistrationTopic": "a page's list of topics",
    "wagtail_selvhjelp.RegistrationStatistic": "anonymous counts of deleted "
    "registrations, never below a person",
    "wagtail_selvhjelp.FollowUp": "a group's anonymous follow-up: when it was "
    "sent, to how many, and the answers as counts, never who answered",
    "wagtail_selvhjelp.FollowUpCode": "a hash of an unused one-time follow-up "
    "code and its group's follow-up; no registration, and the rows are stored "
    "in hash order, so nothing lines a code up with a person",
    "wagtail_selvhjelp.GroupLifeStatistic": "anonymous yearly counts of groups "
    "started and ended, departures, days to a group and follow-up answers",
    "wagtail_selvhjelp.PurgeRun": "when the purge ran and how many rows of "
    "each kind it changed",
    "wagtail_selvhjelp.RateLimitCounter": "a hash of a client's address and "
    "a count, never the address, linked to no registration and deleted once "
    "its window is over",
}


class PurgeRun(models.Model):
    """One run of the retention purge: when, and how many rows of each kind.

    Counts only; which registrations were deleted is deliberately not kept.
    """

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now, db_index=True)
    #: {"closed": n, "expired": n, "former_members": n,
    #: "reconfirmation_requested": n, "archived_starters": n, "matching_runs": n}
    counts = models.JSONField(_("counts"), default=dict)
    #: The same counts per site (municipality) the pages are served on:
    #: {"<site id>": {"closed": n, ...}}; pages outside every site under "".
    counts_by_site = models.JSONField(_("counts per site"), default=dict)

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-ran_at", "-pk"]

    def __str__(self):
        return _("Purge of %(date)s") % {
            "date": timezone.localtime(self.ran_at).strftime("%Y-%m-%d %H:%M")
        }
