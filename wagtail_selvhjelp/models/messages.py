"""A record of every message the package sent, or tried to send.

A row says which message (its kind), by which channel, about which
registration on which page, in which state and with the gateway's message
id and the written standard it was in, so that a coordinator or an operator
can answer "did the receipt go out?" and a municipality can count its
messages per standard. It never holds the text nor the address or number:
those are the person's data, and the row outlives neither the person nor
the need.

Rows of a registrant's messages are deleted with the registration
(``CASCADE``): the gateway's message id is a key into the gateway's own log,
where the number is, so a row kept after erasure would still point at the
person. A coordinators' notice is recorded only when it failed; it names no
registration, and such a row stays.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        #: The gateway took the message but sends it later.
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    #: The notification class's ``kind``, such as "receipt".
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    registration = models.ForeignKey(
        "wagtail_selvhjelp.Registration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outgoing_messages",
        verbose_name=_("registration"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("registration page"),
    )
    #: The SMS gateway's message id, or the e-mail's Message-ID header.
    gateway_message_id = models.CharField(
        _("gateway message id"), max_length=255, blank=True
    )
    #: The class name of the error a failed send raised ("SMTPRecipientsRefused"),
    #: never its text, which may hold the address.
    error = models.CharField(_("error"), max_length=100, blank=True)
    #: The written standard the message was written in (nb or nn), which
    #: the language report counts.
    language = models.CharField(_("written standard"), max_length=15, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        # A label without personal data: Wagtail's log keeps it.
        return f"{self.kind} ({self.channel}) #{self.pk}"
