"""A group's life after it starts: the anonymous follow-up and yearly counts.

**The follow-up.** A configurable time after a group starts
(``FOLLOW_UP_AFTER_DAYS``), each current member is sent an optional question
("does the group still meet? was it useful?") with a one-time code. What is
kept, and what is not:

* :class:`FollowUp`, one per group: when it was sent, to how many, and the
  answers as counts only;
* :class:`FollowUpCode`: a SHA-256 hash of each unused code and its group's
  follow-up, *no registration*. The codes are created in memory, their
  hashes inserted in one statement sorted by hash (so neither the row order
  nor a timestamp lines them up with the messages, which are sent one per
  member), and the codes themselves are only in the messages. A used code's
  row is deleted with the answer.

So once the messages are sent, no table links a code or an answer to a
person.

**The yearly statistics.** :class:`GroupLifeStatistic` counts, per year and
registration page, groups started and ended (by reason), departures (by
reason), the days from registration to a first group and the follow-up's
"still meets" answers. The actions add to it as things happen, so the counts
outlive the groups and the people; the statistics report suppresses small
counts.
"""

import hashlib
import secrets

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import FollowUpMeets, FollowUpUseful, GroupLifeMeasure
from .sites import site_id_of_page


def hash_code(code):
    """The stored form of a follow-up code (a code has 128 random bits)."""
    return hashlib.sha256(code.encode()).hexdigest()


def new_code():
    """A one-time code, safe in a URL path segment (letters, digits, - and _)."""
    return secrets.token_urlsafe(16)


#: The answer counters on :class:`FollowUp`, by question and answer.
ANSWER_FIELDS = {
    ("meets", value): f"meets_{value}" for value in FollowUpMeets.values
} | {("useful", value): f"useful_{value}" for value in FollowUpUseful.values}

#: Answers are shown from this many up, never fewer.
SMALLEST_SHOWN_ANSWERS = 4


class FollowUp(models.Model):
    """The anonymous follow-up of one group: sent once, answers as counts."""

    group = models.OneToOneField(
        "wagtail_selvhjelp.SelfHelpGroup",
        on_delete=models.CASCADE,
        related_name="follow_up",
        verbose_name=_("group"),
    )
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_count = models.PositiveSmallIntegerField(_("sent to"), default=0)
    answer_count = models.PositiveSmallIntegerField(_("answers"), default=0)
    meets_yes = models.PositiveSmallIntegerField(default=0)
    meets_no = models.PositiveSmallIntegerField(default=0)
    meets_unsure = models.PositiveSmallIntegerField(default=0)
    useful_yes = models.PositiveSmallIntegerField(default=0)
    useful_partly = models.PositiveSmallIntegerField(default=0)
    useful_no = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return f"{self.group_id}: {self.sent_on}"

    @property
    def shows_answers(self):
        """Whether enough people answered for the counts to be shown."""
        return self.answer_count >= SMALLEST_SHOWN_ANSWERS

    def answer_rows(self):
        """(question, [(label, count)]) for the group's page."""
        return [
            (
                _("Does the group still meet?"),
                [
                    (label, getattr(self, f"meets_{v}"))
                    for v, label in FollowUpMeets.choices
                ],
            ),
            (
                _("Was it useful?"),
                [
                    (label, getattr(self, f"useful_{v}"))
                    for v, label in FollowUpUseful.choices
                ],
            ),
        ]

    def create_codes(self, number):
        """``number`` new codes for this follow-up: the codes, in memory only.

        Their hashes are stored in one INSERT in hash order, unrelated to
        the order in which the codes are handed out.
        """
        codes = [new_code() for _ in range(number)]
        FollowUpCode.objects.bulk_create(
            FollowUpCode(follow_up=self, code_hash=code_hash)
            for code_hash in sorted(hash_code(code) for code in codes)
        )
        return codes


class FollowUpCode(models.Model):
    """An unused follow-up code, as a hash, with its group's follow-up only."""

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("follow-up code")
        verbose_name_plural = _("follow-up codes")

    def __str__(self):
        return f"{self.follow_up_id}: {self.code_hash[:8]}"


class GroupLifeStatistic(models.Model):
    """An anonymous count for the yearly report: a year, a page, a measure,
    a key (a reason code, a number of days, an answer) and a count.

    The page is kept as an id and a title so the counts survive the page;
    ``site`` is the municipality the page was served on when the row was
    first counted, so who sees a site's counts sees its rows after the page
    is gone (``permissions.scope_counts_to_user``).
    """

    year = models.PositiveSmallIntegerField(_("year"))
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
    measure = models.CharField(
        _("measure"), max_length=20, choices=GroupLifeMeasure.choices
    )
    key = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("group statistic")
        verbose_name_plural = _("group statistics")
        ordering = ["-year", "page_id", "measure", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "page_id", "measure", "key"],
                name="selvhjelp_group_life_statistic_unique",
            )
        ]

    def __str__(self):
        return f"{self.year} {self.page_title} {self.measure} {self.key}"

    @classmethod
    def add(cls, page, measure, counts, *, on=None):
        """Add ``counts`` {key: n} under ``measure`` for ``page`` in the year
        of ``on`` (default today). One UPDATE per key, an INSERT when new."""
        year = (on or timezone.localdate()).year
        for key, number in counts.items():
            if not number:
                continue
            row = cls.objects.filter(
                year=year, page_id=page.pk, measure=measure, key=str(key)
            )
            if row.update(count=F("count") + number):
                continue
            try:
                with transaction.atomic():
                    cls.objects.create(
                        year=year,
                        page_id=page.pk,
                        page_title=page.title,
                        site_id=site_id_of_page(page),
                        measure=measure,
                        key=str(key),
                        count=number,
                    )
            except IntegrityError:  # created meanwhile by a concurrent writer
                row.update(count=F("count") + number)
