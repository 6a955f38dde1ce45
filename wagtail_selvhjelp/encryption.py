"""Encryption at rest of registrants' free texts, with Fernet keys of its own.

The keys live in the setting ``WAGTAIL_SELVHJELP_ENCRYPTION_KEYS``: a list of
Fernet keys (or one key), never derived from ``SECRET_KEY``, so that rotating
one never touches the other and a leaked ``SECRET_KEY`` opens nothing. The
first key encrypts; every key decrypts (``MultiFernet``), so a new key goes
first, ``manage.py selvhjelp_rotate_keys`` re-encrypts every row with it, and
the old key can then be dropped.

Without keys, development (``DEBUG = True``) uses a fixed development key and
the system check warns; anywhere else encrypting or decrypting raises
:class:`MissingKeyError` and the system check fails. A stored value that the
keys cannot decrypt raises :class:`DecryptionError`: the admin never shows
ciphertext, or an empty value, as if it were the answer.

Make a key with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


SETTING_NAME = "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS"

#: Every stored ciphertext starts with this, so plain text where a ciphertext
#: belongs is recognised as an error, never shown as the answer.
PREFIX = "fernet:"

#: The development key: public by design, so only for DEBUG on a laptop.
DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"wagtail-selvhjelp development key - not for real data").digest()
)


class Ciphertext(str):
    """A stored token to be written as it is (for key rotation)."""


class MissingKeyError(ImproperlyConfigured):
    """No encryption key is configured outside development."""


class DecryptionError(Exception):
    """A stored text cannot be decrypted with the configured keys."""


def configured_keys():
    """The keys from the setting, as a tuple of bytes (possibly empty)."""
    keys = getattr(settings, SETTING_NAME, None) or ()
    if isinstance(keys, str | bytes):
        keys = [keys]
    return tuple(key.encode() if isinstance(key, str) else key for key in keys)


def active_keys():
    """The keys in use: the configured ones, or the development key in DEBUG."""
    keys = configured_keys()
    if keys:
        return keys
    if settings.DEBUG:
        return (DEVELOPMENT_KEY,)
    raise MissingKeyError(
        f"Set {SETTING_NAME} to a list of Fernet keys to store registrations: "
        "their free texts are encrypted at rest. See wagtail_selvhjelp.encryption."
    )


@lru_cache(maxsize=8)
def _fernet(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{SETTING_NAME} holds a value that is not a Fernet key ({error})."
        ) from None


def fernet():
    """The ``MultiFernet`` for the keys in use."""
    return _fernet(active_keys())


def primary_fernet():
    """A ``Fernet`` of the first key alone: the one that encrypts."""
    return _fernet(active_keys()[:1])


def encrypt(text):
    """``text`` as a prefixed Fernet token; "" stays "" (nothing to hide)."""
    if not text:
        return text
    return PREFIX + fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(stored):
    """The text of a stored token; raises :class:`DecryptionError` if it cannot."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        raise DecryptionError(
            "A stored free text is not encrypted. Run the migrations, or check "
            "that nothing writes to the database around the model."
        )
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError(
            f"A stored free text cannot be decrypted with the keys in {SETTING_NAME}:"
            " the key that encrypted it is missing or wrong."
        ) from None


def is_current(stored):
    """Whether ``stored`` is encrypted with the first key (rotation is done)."""
    if not stored:
        return True
    try:
        primary_fernet().decrypt(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return False
    return True


def rotate(stored):
    """``stored`` re-encrypted with the first key, as a :class:`Ciphertext`."""
    if not stored:
        return stored
    token = fernet().rotate(stored[len(PREFIX) :].encode("ascii"))
    return Ciphertext(PREFIX + token.decode("ascii"))
