"""A CSRF failure view that keeps what a citizen typed into the registration form.

Django's default answer to a failed CSRF check is a bare 403 page, and the
person loses the whole form. Set ``CSRF_FAILURE_VIEW =
"wagtail_selvhjelp.views.csrf.csrf_failure"`` and a failed check on a
registration page re-renders the form with everything typed, a fresh token
and a short explanation (usually: the browser blocked or lost the cookie).
Every other path gets Django's own failure page.
"""

from django.utils.translation import gettext
from django.views.csrf import csrf_failure as django_csrf_failure
from wagtail.models import Page

from ..models import AbstractGroupRegistrationPage


def csrf_failure(request, reason=""):
    page = None
    if request.method == "POST":
        route = Page.route_for_request(request, request.path)
        # Only the form's own route: its other routes (the self-service page)
        # hold no form to give back.
        if route is not None and _route_name(route) == "index_route":
            page = route[0].specific
    if not isinstance(page, AbstractGroupRegistrationPage) or not page.is_open():
        return django_csrf_failure(request, reason=reason)

    form = page.get_form(request.POST)
    form.is_valid()
    return page.render_form(
        request,
        form,
        status=403,
        notice=gettext(
            "Your registration was not sent, because the security check of "
            "the form failed. This happens when the browser does not keep "
            "cookies or the form was open for a long time. Everything you "
            "wrote is still here: please send it again."
        ),
    )


def _route_name(route):
    """The name of the routable page's view in a ``route_for_request`` result."""
    _page, args, _kwargs = route
    view = args[0] if args else None
    return getattr(view, "__name__", None)
