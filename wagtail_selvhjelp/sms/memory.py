"""An SMS backend that keeps messages in memory, as Django's locmem mail
backend keeps e-mails in ``django.core.mail.outbox``: for tests.
"""

from dataclasses import dataclass

from .base import BaseSmsBackend, SmsResult


@dataclass(frozen=True)
class SentSms:
    number: str
    text: str
    sender: str | None
    message_id: str


#: Every SMS sent through :class:`MemorySmsBackend`, oldest first. Tests
#: clear it between tests.
outbox = []


class MemorySmsBackend(BaseSmsBackend):
    def send(self, number, text, *, sender=None):
        message_id = f"memory-{len(outbox) + 1}"
        outbox.append(SentSms(number, text, sender, message_id))
        return SmsResult(message_id=message_id)
