"""The contract between the package and an SMS gateway."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SmsResult:
    """What a gateway answered when it took a message.

    ``message_id`` is the gateway's id of the message (a key into the
    gateway's own log, where delivery reports are found). ``queued`` says
    that the gateway only accepted the message for later sending; the
    package then records it as queued rather than sent.
    """

    message_id: str = ""
    queued: bool = False


class BaseSmsBackend:
    """Send one text message to one number.

    ``options`` is the ``OPTIONS`` dict of the setting (credentials, the
    gateway's URL). A failing send raises any exception; the package catches
    it and raises one that names no number, so a subclass need not take
    care to keep the number out of its errors.
    """

    def __init__(self, options=None):
        self.options = options or {}

    def send(self, number, text, *, sender=None):
        """Send ``text`` to ``number`` (E.164) and return an :class:`SmsResult`.

        ``sender`` is the sender name to show, or None for the gateway's
        default.
        """
        raise NotImplementedError
