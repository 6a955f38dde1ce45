"""Mentions of a person in other people's texts: redacted, or kept for a reason.

Before a person is erased, the erase page lists every free text and note of
the page's other registrations that names them
(:func:`~.personal_data.mentions_of`). For each, the coordinator either
redacts it (:func:`redacted` replaces the name, e-mail and phone number with
a neutral marker) or records why it stays, with a code from
:class:`~wagtail_selvhjelp.choices.MentionKeptReason`: a :class:`KeptMention`.
The erasure waits until every mention is decided, because afterwards the
person's name is gone and their mentions can no longer be found.

A kept decision holds no name: the two registrations, the field, the code,
who and when. It goes with the erased person's registration (its link to the
other person's text is not kept past the erasure); the log entry on the other
registration keeps the field and the code.
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import MentionKeptReason
from .personal_data import PHONE_LIKE, _phone_tail


#: What replaces a redacted name, e-mail or phone number.
REDACTED = _("[removed]")


def redacted(text, registration):
    """``text`` with ``registration``'s name, e-mail and phone number (as
    :func:`~.personal_data.mentions_of` finds them) replaced by
    :data:`REDACTED`, in the active language."""
    marker = str(REDACTED)
    words = (registration.name or "").split()
    if words:
        name = r"\s+".join(re.escape(word) for word in words)
        text = re.sub(name, marker, text, flags=re.IGNORECASE)
    if registration.email:
        text = re.sub(re.escape(registration.email), marker, text, flags=re.IGNORECASE)
    tail = _phone_tail(registration.phone)
    if tail:
        text = PHONE_LIKE.sub(
            lambda run: marker if _phone_tail(run.group()) == tail else run.group(),
            text,
        )
    return text


class KeptMention(models.Model):
    """A coordinator's decision that another person's text naming the
    person being erased stays as it is, and why (a code only)."""

    #: The person being erased; the decision goes with their registration.
    subject = models.ForeignKey(
        "wagtail_selvhjelp.Registration",
        on_delete=models.CASCADE,
        related_name="kept_mentions",
        verbose_name=_("registration being erased"),
    )
    #: The other person's registration whose text names them.
    registration = models.ForeignKey(
        "wagtail_selvhjelp.Registration",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("registration that mentions them"),
    )
    field_name = models.CharField(_("field"), max_length=100)
    reason = models.CharField(
        _("why it stays"), max_length=30, choices=MentionKeptReason.choices
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("kept mention")
        verbose_name_plural = _("kept mentions")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "registration", "field_name"],
                name="selvhjelp_one_decision_per_mention",
            )
        ]

    def __str__(self):
        return f"{self.registration_id}: {self.field_name}"


def kept_mention_data(registration):
    """The decisions to keep others' texts that name the person: where and
    why, never the texts."""
    return {
        "mentions_kept": [
            {
                "registration": kept.registration_id,
                "field": kept.field_name,
                "reason": kept.reason,
                "decided_at": kept.decided_at.isoformat(),
            }
            for kept in registration.kept_mentions.order_by("pk")
        ]
    }


def undecided(registration, mentions):
    """The ``mentions`` of ``registration`` with no decision to keep them
    (a redacted one no longer names the person, so it is not listed)."""
    kept = set(registration.kept_mentions.values_list("registration_id", "field_name"))
    return [
        mention
        for mention in mentions
        if (mention.registration_id, mention.field_name) not in kept
    ]
