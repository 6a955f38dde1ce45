"""SMS through a configurable gateway backend.

Configured as wagtail-localize configures its machine translators::

    WAGTAIL_SELVHJELP = {
        "SMS_BACKEND": {
            "CLASS": "wagtail_selvhjelp.sms.console.ConsoleSmsBackend",
            "OPTIONS": {},
        },
    }

A gateway of one's own is a subclass of :class:`BaseSmsBackend` whose
``send()`` returns an :class:`SmsResult` with the gateway's message id. The
package ships a console backend (development) and a memory backend (tests).
Nothing here imports a model: backends know numbers and texts, not people.
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import selvhjelp_settings
from .base import BaseSmsBackend, SmsResult


__all__ = ["BaseSmsBackend", "SmsResult", "get_sms_backend"]


def get_sms_backend():
    """The configured backend, or None when SMS are turned off."""
    config = selvhjelp_settings.SMS_BACKEND
    if not config:
        return None
    try:
        backend_class = import_string(config["CLASS"])
    except (KeyError, TypeError, ImportError) as error:
        raise ImproperlyConfigured(
            'WAGTAIL_SELVHJELP["SMS_BACKEND"] needs "CLASS", the dotted path '
            "of a BaseSmsBackend subclass."
        ) from error
    return backend_class(config.get("OPTIONS") or {})
