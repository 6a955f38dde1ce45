"""Middleware: the lifetime of admin sessions that open personal data, and
the notice for a page missing in the requested written standard.

Django's sessions last ``SESSION_COOKIE_AGE`` (two weeks by default) and a
proven second factor lasts as long as the session. For users who see
registrations or self-help groups, :class:`AdminSessionLifetimeMiddleware`
ends the session after ``ADMIN_SESSION_IDLE_MINUTES`` without a request to
the admin and ``ADMIN_SESSION_MAX_HOURS`` after it began, and sends them to
sign in again (and prove their second factor again).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from .conf import selvhjelp_settings
from .permissions import sees_personal_data
from .views.translations import translation_missing


#: Session keys: when the admin session began, and its latest admin request
#: (POSIX timestamps, as the session's JSON serializer stores them).
STARTED_KEY = "wagtail_selvhjelp.admin_session_started"
LAST_SEEN_KEY = "wagtail_selvhjelp.admin_session_last_seen"


def _limit(value, unit):
    return None if value is None else timedelta(**{unit: value}).total_seconds()


class AdminSessionLifetimeMiddleware:
    """End long or idle admin sessions of users who see personal data.

    List it after Django's ``AuthenticationMiddleware`` and
    ``MessageMiddleware`` (which tells the user why they must sign in again).
    Only admin URLs are watched, so public pages never read the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.expired_response(request) or self.get_response(request)

    def expired_response(self, request):
        # The path first: reading request.user reads the session, and a
        # public page that does so is no longer cacheable (Vary: Cookie).
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        user = getattr(request, "user", None)
        if user is None or not sees_personal_data(user):
            return None
        idle = _limit(selvhjelp_settings.ADMIN_SESSION_IDLE_MINUTES, "minutes")
        lifetime = _limit(selvhjelp_settings.ADMIN_SESSION_MAX_HOURS, "hours")
        now = timezone.now().timestamp()
        session = request.session
        started = session.setdefault(STARTED_KEY, now)
        last_seen = session.get(LAST_SEEN_KEY, now)
        if (idle is not None and now - last_seen > idle) or (
            lifetime is not None and now - started > lifetime
        ):
            logout(request)
            messages.info(
                request,
                gettext("Your session has ended. Please sign in again."),
                fail_silently=True,
            )
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("wagtailadmin_login")
            )
        session[LAST_SEEN_KEY] = now
        if idle is not None:
            # The stored session dies with the idle limit too.
            session.set_expiry(int(idle))
        return None


class TranslationNoticeMiddleware:
    """Answer a page missing in the requested written standard with a
    notice that links it in the other (:mod:`.views.translations`), where
    Wagtail's page view would give a bare 404.

    List it after Django's ``LocaleMiddleware``. It acts only on a 404
    raised by Wagtail's page view (``wagtail_serve``) with translated trees
    (``WAGTAIL_I18N_ENABLED``); every other request passes untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or not getattr(
            settings, "WAGTAIL_I18N_ENABLED", False
        ):
            return None
        match = request.resolver_match
        if match is None or match.url_name != "wagtail_serve":
            return None
        path = match.kwargs.get("path", match.args[0] if match.args else "")
        return translation_missing(request, path)
