import smtplib

from django.core.mail.backends.base import BaseEmailBackend

from wagtail_selvhjelp.sms import BaseSmsBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server is down")


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every address, naming it, as smtplib does."""

    def send_messages(self, email_messages):
        refused = {
            address: (550, b"5.1.1 <%s>: Recipient address rejected" % address.encode())
            for message in email_messages
            for address in message.recipients()
        }
        raise smtplib.SMTPRecipientsRefused(refused)


class RefusingSmsBackend(BaseSmsBackend):
    """A gateway that refuses the number, naming it in its error."""

    def send(self, number, text, *, sender=None):
        raise ValueError(f"gateway refused {number}: unknown subscriber")
