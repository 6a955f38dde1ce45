"""Setting up and proving the admin's second factor, without JavaScript.

Both views are plain server-rendered forms under the admin's URLs (signed-in
users only, never cached). The secret is shown as a QR code and as text for
people who type it; a device counts only once it has accepted a code.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import TokenForm


def next_url(request):
    """Where to go afterwards: ``next`` if it stays on this site, else the admin."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("wagtailadmin_home")


def pending_device(user):
    """The user's unconfirmed TOTP device, made once and kept across reloads.

    Reusing it means a page reload shows the same code to scan, so a phone
    that has already scanned it keeps working.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    return device


def grouped_secret(device):
    """The base32 secret in groups of four letters, for typing by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    if user_has_device(user, confirmed=True):
        # A second device needs the first one: prove it before anything else.
        return redirect(f"{reverse('admin_security_verify')}?{request.GET.urlencode()}")
    device = pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(next_url(request))
        form.add_error("token", _("That code did not match. Try the newest one."))
    qr_code = segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, dark="black", light="white", border=4
    )
    return TemplateResponse(
        request,
        "admin_security/enrol.html",
        {
            "form": form,
            "next": next_url(request),
            "qr_code": qr_code,
            "secret": grouped_secret(device),
            "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('admin_security_enrol')}?{request.GET.urlencode()}")
    if user.is_verified():
        return redirect(next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Tries every confirmed device: the app, or a one-time recovery code.
        # Each device slows down repeated wrong codes by itself.
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url(request))
        form.add_error("token", _("That code did not match. Try the newest one."))
    return TemplateResponse(
        request,
        "admin_security/verify.html",
        {"form": form, "next": next_url(request)},
    )
