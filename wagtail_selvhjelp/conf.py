"""The package's settings, read from one namespaced ``WAGTAIL_SELVHJELP`` dict.

Usage::

    from wagtail_selvhjelp.conf import selvhjelp_settings

    selvhjelp_settings.RATE_LIMIT_PER_HOUR

Keys missing from the project's ``WAGTAIL_SELVHJELP`` fall back to
:data:`DEFAULTS`. The values are re-read when the setting changes (for example
under ``override_settings`` in tests).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed


SETTING_NAME = "WAGTAIL_SELVHJELP"

#: Every setting the package reads, with its default. The README documents each.
DEFAULTS = {
    # Smallest and largest group a registration page proposes by default.
    "GROUP_MIN_SIZE": 4,
    "GROUP_MAX_SIZE": 8,
    # Youngest age a registration page accepts by default (16 is also allowed).
    "DEFAULT_MINIMUM_AGE": 18,
    # Registrations one client may submit per hour before it gets a calm refusal.
    "RATE_LIMIT_PER_HOUR": 10,
    # Cache alias that holds the rate-limit counters; share it between workers.
    "RATE_LIMIT_CACHE": "default",
    # request.META key holding the client's address for the rate limits and
    # the admin's sign-in lockout. Behind a proxy, the header it sets, e.g.
    # "HTTP_X_FORWARDED_FOR"; only the entries the trusted proxies appended
    # are believed (see TRUSTED_PROXY_HOPS).
    "CLIENT_IP_META": "REMOTE_ADDR",
    # How many proxies in front of the site append to CLIENT_IP_META's list:
    # the client's address is the entry this many from the right (anything
    # further left was sent by the client and may be forged). A list with
    # fewer entries did not come through the proxies: REMOTE_ADDR counts.
    "TRUSTED_PROXY_HOPS": 1,
    # Seconds a person needs at least to fill in the form; faster is a bot.
    "MINIMUM_FILL_SECONDS": 3,
    # Hours a rendered form stays valid (the signed timestamp's maximum age).
    "FORM_MAX_AGE_HOURS": 24,
    # Seconds a shared cache or CDN may keep a content page (index, info
    # page, directory): Cache-Control: public, max-age. 0 turns it off.
    "PUBLIC_CACHE_SECONDS": 300,
    # Sender of the e-mails the package sends; None = DEFAULT_FROM_EMAIL.
    "FROM_EMAIL": None,
    # The SMS gateway, configured as wagtail-localize configures its machine
    # translators: {"CLASS": "dotted.path.to.Backend", "OPTIONS": {...}}.
    # None turns SMS off: people who gave only a phone number then get no
    # message (coordinators call them), and nothing is printed anywhere by
    # accident. The console backend is for development only: it prints each
    # number and text.
    "SMS_BACKEND": None,
    # Sender name on the SMS the package sends (an alphanumeric sender ID, at
    # most 11 characters); None = the gateway's default.
    "SMS_SENDER": None,
    # The installation's retention defaults: a site's own defaults (its
    # self-help settings) and a registration page's own values override
    # them, within the limits in models/retention.py (docs/sites.md).
    # Days a withdrawn or spam registration is kept.
    "RETENTION_CLOSED_DAYS": 30,
    # Months a registration may wait before it is asked to re-confirm.
    "RETENTION_RECONFIRM_MONTHS": 12,
    # Days a re-confirmation request waits for an answer before deletion.
    "RETENTION_RECONFIRM_GRACE_DAYS": 30,
    # Months a member's personal data is kept after their group ended or
    # they left it.
    "RETENTION_AFTER_GROUP_MONTHS": 6,
    # Months an archived starter's data (name, contact, courses, notes) is
    # kept before the purge deletes it; their assignments stay, anonymised.
    "RETENTION_ARCHIVED_STARTER_MONTHS": 12,
    # Hours the stored result of one of the package's finished tasks is kept
    # with django-tasks' database backend; the purge deletes older ones.
    "TASK_RESULT_HOURS": 48,
    # Seconds the oldest due task may wait for the worker (django-tasks'
    # database backend) before the health URL answers 503.
    "HEALTH_QUEUE_MAX_SECONDS": 900,
    # Days the self-service link in the receipt e-mail stays valid.
    "SELF_SERVICE_LINK_DAYS": 180,
    # Self-service page views one client may make per hour.
    "SELF_SERVICE_RATE_LIMIT_PER_HOUR": 30,
    # Days an invitation's answer link stays open after its deadline (the
    # answer can be changed until the group starts).
    "OFFER_LINK_GRACE_DAYS": 14,
    # Hours before an offer's deadline its one reminder goes out.
    "OFFER_REMINDER_HOURS": 48,
    # Answer-page views one client may make per hour.
    "OFFER_RATE_LIMIT_PER_HOUR": 30,
    # Days after a group's start when its members are sent the optional,
    # anonymous follow-up question ("does the group still meet? was it
    # useful?"); None turns the follow-up off.
    "FOLLOW_UP_AFTER_DAYS": 42,
    # Days a follow-up's one-time codes can be answered; the daily job then
    # deletes the unused ones.
    "FOLLOW_UP_ANSWER_DAYS": 30,
    # Admin sessions of users who see registrations or groups (and of
    # superusers) end after this many minutes without a request to the
    # admin, and this many hours after they began, whatever happens in
    # between; None turns either limit off. Needs
    # wagtail_selvhjelp.middleware.AdminSessionLifetimeMiddleware.
    "ADMIN_SESSION_IDLE_MINUTES": 30,
    "ADMIN_SESSION_MAX_HOURS": 10,
    # Whether admin users must prove a second factor: None lets the system
    # check look for django-otp's middleware; True declares that the site
    # enforces it elsewhere (a municipality's single sign-on); False says it
    # is not enforced (the check warns in production).
    "SECOND_FACTOR_ENFORCED": None,
    # Seconds the matching engine may hand to OR-Tools CP-SAT (the optional
    # ``exact`` extra) to prove its proposal best when its own bound leaves
    # a gap; 0 or None turns it off, as does OR-Tools not being installed.
    # The proposal is made while the coordinator waits: a few seconds.
    "MATCHING_EXACT_SECONDS": 0,
}


class SelvhjelpSettings:
    """Attribute access to the package settings, with defaults."""

    def __init__(self, defaults):
        self.defaults = defaults
        self._cache = None

    def _load(self):
        user_settings = getattr(settings, SETTING_NAME, None) or {}
        if not isinstance(user_settings, dict):
            raise ImproperlyConfigured(f"{SETTING_NAME} must be a dict.")
        unknown = set(user_settings) - set(self.defaults)
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown {SETTING_NAME} key(s): {', '.join(sorted(unknown))}."
            )
        return {**self.defaults, **user_settings}

    def __getattr__(self, name):
        if name not in self.defaults:
            raise AttributeError(f"Invalid {SETTING_NAME} setting: {name!r}")
        if self._cache is None:
            self._cache = self._load()
        return self._cache[name]

    def reload(self):
        self._cache = None


selvhjelp_settings = SelvhjelpSettings(DEFAULTS)


def _reload_settings(*, setting, **kwargs):
    if setting == SETTING_NAME:
        selvhjelp_settings.reload()


setting_changed.connect(_reload_settings)
