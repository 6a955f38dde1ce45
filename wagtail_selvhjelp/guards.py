"""Spam and flood guards for public forms, apart from any page or model.

Four small defences, each usable and tested on its own:

* :func:`make_form_token` / :func:`read_form_token`: a signed one-time token
  (a random nonce, bound to a scope such as a page id and dated by the
  signer), a :class:`~wagtail_selvhjelp.tokens.SignedLink` like every signed
  value of the package. It proves the form came from us, lets the database
  refuse a double submission (the nonce is stored unique) and dates the form.
* :func:`filled_too_fast`: a form sent sooner than ``MINIMUM_FILL_SECONDS``
  after it was rendered was not filled in by a person.
* :func:`honeypot_filled`: a field hidden from people and assistive
  technology that bots fill in.
* :class:`RateLimit`: at most ``RATE_LIMIT_PER_HOUR`` submissions (or a
  limit of its own) per client and scope per hour, counted in a shared cache
  under an HMAC of scope and address (the cache holds neither);
  :func:`client_address` is the address it counts by.

HTTP helpers that defend nothing (``private_response``, ``parse_id``, the
id converter, the methods each route answers) are in
:mod:`wagtail_selvhjelp.http`.

A plain module: it reads :mod:`wagtail_selvhjelp.conf`, signed tokens and
Django's cache, and imports no model, so the page mixin and any view can
use it.
"""

import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import caches
from django.utils.crypto import salted_hmac

from .conf import selvhjelp_settings
from .tokens import SignedLink


logger = logging.getLogger(__name__)


#: The public form's one-time token: the page it was rendered for (the
#: link's object) and a random nonce (its version), dated by the signer.
FORM_TOKEN = SignedLink(
    "wagtail_selvhjelp.registration.form-token",
    max_age=lambda: timedelta(hours=selvhjelp_settings.FORM_MAX_AGE_HOURS),
)


@dataclass(frozen=True)
class FormToken:
    """A form token read back: its nonce and how long ago it was rendered."""

    nonce: str
    age_seconds: float


def make_form_token(scope):
    """A signed token for a form rendered now, valid only for ``scope``.

    Empty for a ``scope`` of None: a page previewed before its first save
    has no id, and its form cannot be sent anywhere.
    """
    if scope is None:
        return ""
    return FORM_TOKEN.make(scope, secrets.token_urlsafe(24))


def read_form_token(value, scope):
    """The :class:`FormToken` in ``value``, or ``None``.

    ``None`` for anything but an intact token for ``scope`` younger than
    ``FORM_MAX_AGE_HOURS``: a missing, tampered, expired or foreign token.
    """
    link = FORM_TOKEN.read(value)
    if link is None or link.pk != scope or not isinstance(link.version, str):
        return None
    return FormToken(nonce=link.version, age_seconds=link.age_seconds)


def filled_too_fast(token):
    """Whether the form was sent sooner than a person can fill it in."""
    return token.age_seconds < selvhjelp_settings.MINIMUM_FILL_SECONDS


def honeypot_filled(data, field_name):
    """Whether the hidden honeypot field ``field_name`` in ``data`` has a value."""
    return bool(data.get(field_name, ""))


def client_address(request):
    """The client's address, as the trusted proxies in front of the site saw it.

    ``REMOTE_ADDR`` unless ``CLIENT_IP_META`` names a proxy's header. From a
    header such as ``X-Forwarded-For`` (``client, proxy1, proxy2``), where
    each proxy appends the address it was reached from, only the entry
    ``TRUSTED_PROXY_HOPS`` from the right is believed: the entries left of
    it are whatever the client sent. A header with fewer entries, or an
    entry that is no IP address, did not come through the proxies, and the
    peer's ``REMOTE_ADDR`` counts. The rate limits and the admin's sign-in
    lockout (``AXES_CLIENT_IP_CALLABLE``) both count by this address.
    """
    remote = _ip_or_empty(request.META.get("REMOTE_ADDR"))
    header = selvhjelp_settings.CLIENT_IP_META
    if header == "REMOTE_ADDR":
        return remote
    hops = selvhjelp_settings.TRUSTED_PROXY_HOPS
    if not isinstance(hops, int) or hops < 1:  # E021; never trust entries[0]
        return remote
    entries = [
        entry.strip()
        for entry in (request.META.get(header) or "").split(",")
        if entry.strip()
    ]
    if len(entries) < hops:
        return remote
    return _ip_or_empty(entries[-hops]) or remote


def _ip_or_empty(value):
    """``value`` as a normalised IP address, or "" when it is none."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return ""


#: Separates the rate limit's HMAC from every other use of SECRET_KEY.
RATE_LIMIT_KEY_SALT = "wagtail_selvhjelp.guards.RateLimit"


class RateLimit:
    """Counts submissions per client and scope in the ``RATE_LIMIT_CACHE``.

    ``scope`` separates counters (one per registration page); the window is
    one hour from a client's first counted submission. :meth:`take` counts
    and checks in one step, atomic where the cache's ``incr`` is (Redis,
    memcached, the local-memory cache); Django's database cache reads and
    writes separately, so sites on it use
    ``wagtail_selvhjelp.models.rate_limits.DatabaseRateLimit`` instead (the
    registration page picks it by itself).
    """

    period = 3600

    def __init__(self, scope, *, limit=None):
        self.scope = scope
        self._limit = limit

    @property
    def limit(self):
        return self._limit or selvhjelp_settings.RATE_LIMIT_PER_HOUR

    @property
    def cache(self):
        return caches[selvhjelp_settings.RATE_LIMIT_CACHE]

    def key(self, request):
        """The counter's key: an HMAC of scope and address, keyed with SECRET_KEY.

        Neither the address nor the scope (which would tell that the
        address opened a self-service page) is kept in clear, and without
        the secret nobody can hash the 2**32 IPv4 addresses to find one.
        """
        digest = salted_hmac(
            RATE_LIMIT_KEY_SALT,
            f"{self.scope}:{client_address(request)}",
            algorithm="sha256",
        ).hexdigest()[:32]
        return f"wagtail_selvhjelp:rate:{digest}"

    def is_exceeded(self, request):
        """Whether this client has used up its submissions for the hour."""
        try:
            return self.cache.get(self.key(request), 0) >= self.limit
        except Exception as error:  # any cache backend's own failure
            self.cache_failed(error)
            return False

    def take(self, request):
        """Count one submission from this client; whether it is within the limit.

        One atomic increment: however many requests arrive at once, no more
        than the limit get True, and no count is lost.

        When the cache itself fails (Redis down), the submission is let
        through and a warning logged: a citizen's registration matters more
        than the flood guard for the minutes of an outage, and every link
        the limit also guards is a signed token no flood can guess. The
        health URL answers 503 meanwhile, so the outage is seen.
        """
        key = self.key(request)
        try:
            self.cache.add(key, 0, timeout=self.period)
            try:
                number = self.cache.incr(key)
            except ValueError:  # expired between add and incr
                self.cache.add(key, 0, timeout=self.period)
                number = self.cache.incr(key)
        except Exception as error:  # any cache backend's own failure
            self.cache_failed(error)
            return True
        return number <= self.limit

    def cache_failed(self, error):
        """Log that the cache failed: its alias and the error's class only (the
        error's text may name the cache's host; never the client or scope)."""
        logger.warning(
            "Rate limit not counted: the cache %r failed (%s)",
            selvhjelp_settings.RATE_LIMIT_CACHE,
            type(error).__name__,
        )

    def count(self, request):
        """Count one submission from this client (whatever the limit)."""
        self.take(request)
