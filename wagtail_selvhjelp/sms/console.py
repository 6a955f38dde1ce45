"""An SMS backend that prints each message, for development and the demo.

It prints the number, so it has no place in production: there a message
would end up in the server's logs.
"""

import sys
import uuid

from .base import BaseSmsBackend, SmsResult


class ConsoleSmsBackend(BaseSmsBackend):
    """Write each SMS to ``OPTIONS["stream"]`` (standard output by default)."""

    def send(self, number, text, *, sender=None):
        stream = self.options.get("stream") or sys.stdout
        message_id = f"console-{uuid.uuid4().hex}"
        stream.write(
            f"SMS {message_id}\nFrom: {sender or '-'}\nTo: {number}\n\n{text}\n"
            f"{'-' * 40}\n"
        )
        stream.flush()
        return SmsResult(message_id=message_id)
