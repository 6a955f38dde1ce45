"""Signed, expiring, single-purpose links, bound to an object and its version.

A :class:`SignedLink` turns an object's id and a value that names the
object's current *version* into a token, and reads it back. The public form's
one-time token (:mod:`wagtail_selvhjelp.guards`) and the registrant's
self-service link (:mod:`wagtail_selvhjelp.models.self_service`) are made
here, and so is any new public link (an invitation's accept and decline
links): one salt and one maximum age per purpose, declared once::

    ACCEPT_LINK = SignedLink(
        "wagtail_selvhjelp.invitation.accept", max_age=timedelta(days=14)
    )

    token = ACCEPT_LINK.make_for(invitation)
    invitation = ACCEPT_LINK.get_object(token, Invitation.objects.all())

What it defends against:

* **Guessing and forging.** The token is Django's ``signing.dumps``: JSON
  signed with ``SECRET_KEY`` (and read with ``SECRET_KEY_FALLBACKS``) under
  the link's own salt, so a number in a URL opens nothing, and a link made
  for one purpose (a salt) is refused by every other.
* **Links that live too long.** The signer's timestamp dates every token;
  one older than ``max_age`` is refused. ``max_age`` may be a callable, read
  at each use, so a changed setting applies to links already sent.
* **Replay after deletion, and revocation.** A link holds the object's id
  and its version, and :meth:`SignedLink.get_object` opens it only while the
  object still has that version. The default version is the creation time:
  SQLite can give a deleted row's id to the next new row, and a link to the
  deleted one must not open the new one. A purpose that must revoke links
  when something changes (an answered invitation) names a version that
  changes with it.
* **Telling bad links apart.** Every bad token (tampered, expired, foreign
  salt, malformed, non-ASCII junk, absurdly long, numbers out of range) reads
  as ``None``, never as an exception, so a page answers them all alike and
  cannot be used to learn whether someone registered.
* **Personal data in URLs.** A token holds an id, a version and a time;
  nothing else may go in.

What it does not do: a link is a bearer key, so whoever holds it may use it
until it expires; pages behind one are rate-limited, never cached, send no
referrer, and show nothing that is not the holder's own. Mail scanners open
every link they see, so such pages change nothing on GET: only a POST acts.

Tokens are path-safe for Wagtail's routes, which serve only path segments of
letters, digits, ``-`` and ``_``: the signer's ``:`` separators become
``/``, so a route takes the token with ``<path:token>``.

A plain module: Django's signing only, no models.
"""

import time
from datetime import timedelta
from typing import NamedTuple

from django.core import signing


#: A token longer than this is junk: real ones are about 100 characters.
MAX_TOKEN_LENGTH = 500

#: Ids and versions past this are refused (a database's bigint ends at 2**63).
MAX_NUMBER = 2**63 - 1


class Link(NamedTuple):
    """A token read back: what it is bound to and when it was made."""

    pk: int
    #: The value the object had when the link was made (an int or a string).
    version: int | str
    #: When the link was made, in seconds since the epoch (the signer's
    #: timestamp, whole seconds).
    signed_at: int

    @property
    def age_seconds(self):
        """Seconds since the link was made."""
        return time.time() - self.signed_at


def created_at_version(obj):
    """The default version of an object: its creation time, in whole seconds."""
    return int(obj.created_at.timestamp())


def _is_number(value):
    return type(value) is int and 0 <= value <= MAX_NUMBER


class SignedLink:
    """Make and read the tokens of one kind of link.

    ``salt`` names the purpose, unique to it; ``max_age`` is the longest a
    token is good for (seconds or a ``timedelta``, or a callable returning
    one, read at each use); ``version_of`` gives an object's current version
    for :meth:`make_for` and :meth:`get_object`.
    """

    def __init__(self, salt, *, max_age, version_of=created_at_version):
        self.salt = salt
        self._max_age = max_age
        self.version_of = version_of

    @property
    def max_age(self):
        max_age = self._max_age() if callable(self._max_age) else self._max_age
        if isinstance(max_age, timedelta):
            return max_age.total_seconds()
        return max_age

    def make(self, pk, version):
        """A token for object ``pk`` at ``version``, made now."""
        if not _is_number(pk):
            raise ValueError("A signed link is bound to a database id.")
        if not (_is_number(version) or isinstance(version, str)):
            raise ValueError("A signed link's version is a number or a string.")
        return signing.dumps([pk, version], salt=self.salt).replace(":", "/")

    def read(self, token):
        """The :class:`Link` in ``token``, or None for any token not good now."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        value = token.strip("/").replace("/", ":")
        try:
            data = signing.loads(value, salt=self.salt, max_age=self.max_age)
            # The signature covered the timestamp (value:timestamp:signature).
            signed_at = signing.b62_decode(value.rsplit(":", 2)[1])
        except (signing.BadSignature, ValueError, TypeError, OverflowError):
            return None
        if not isinstance(data, list) or len(data) != 2:
            return None
        pk, version = data
        if not _is_number(pk) or not (_is_number(version) or isinstance(version, str)):
            return None
        return Link(pk=pk, version=version, signed_at=signed_at)

    def make_for(self, obj):
        """A token for ``obj`` as it is now."""
        return self.make(obj.pk, self.version_of(obj))

    def get_object(self, token, queryset):
        """The object of ``queryset`` that ``token`` opens, or None.

        None also when the object is gone or its version has changed since
        the link was made: a link outlives neither.
        """
        link = self.read(token)
        if link is None:
            return None
        obj = queryset.filter(pk=link.pk).first()
        if obj is None or self.version_of(obj) != link.version:
            return None
        return obj
