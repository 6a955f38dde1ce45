"""Middleware of the example site: the second factor and security headers."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

from .rules import needs_second_factor


#: Admin URL names a signed-in user may reach before proving a second factor:
#: the second-factor pages themselves, signing in and out, and what the
#: admin's sign-in layout loads (icons, JavaScript translations).
OPEN_URL_NAMES = {
    "admin_security_enrol",
    "admin_security_verify",
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_sprite",
    "wagtailadmin_javascript_catalog",
}


def admin_prefix():
    return reverse("wagtailadmin_home")


class SecondFactorMiddleware:
    """Send admin users who need a second factor to set one up or prove it.

    On when ``ADMIN_REQUIRE_SECOND_FACTOR`` is true (always in production,
    by ``SELVHJELP_REQUIRE_2FA=1`` in development). Only admin URLs are
    guarded: public pages never read the session here, so they stay
    cacheable. Place it after django-otp's ``OTPMiddleware``, which gives
    ``request.user.is_verified()``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.redirect_for(request) or self.get_response(request)

    def redirect_for(self, request):
        if not getattr(settings, "ADMIN_REQUIRE_SECOND_FACTOR", False):
            return None
        if not request.path.startswith(admin_prefix()):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        try:
            url_name = resolve(request.path_info).url_name
        except Resolver404:
            url_name = None
        if url_name in OPEN_URL_NAMES or not needs_second_factor(user):
            return None
        if user_has_device(user, confirmed=True):
            target = reverse("admin_security_verify")
        else:
            target = reverse("admin_security_enrol")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class SecurityHeadersMiddleware:
    """Headers Django's own middleware does not send, and the admin's CSP.

    Adds ``Permissions-Policy`` from the ``PERMISSIONS_POLICY`` setting, and
    gives admin URLs the ``ADMIN_CSP`` directives instead of the public
    pages' strict policy (both django-csp and Django 6 read a response's
    ``_csp_config``). List it after the CSP middleware, so it hands the
    response over before the CSP header is written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        admin_csp = getattr(settings, "ADMIN_CSP", None)
        if (
            admin_csp is not None
            and request.path.startswith(admin_prefix())
            and not hasattr(response, "_csp_config")
        ):
            response._csp_config = admin_csp
        return response
