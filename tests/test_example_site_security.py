"""The example site's admin security: second factor, lockout, CSP, headers.

The suite's settings start from the example site's base settings, so the
middleware, django-otp, django-axes and the CSP are all in place here; the
second factor is switched on per test, as production.py does for good.
"""

from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks
from django.core.management import call_command
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils.module_loading import import_string
from django_otp.middleware import OTPMiddleware
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page

from example_site.admin_security import csp as site_csp
from wagtail_selvhjelp.models import Registration

from .admin.test_permission_matrix import package_urls


pytestmark = pytest.mark.django_db

REGISTRATIONS = "wagtail_selvhjelp_registration:index"


def current_code(device):
    """The code an authenticator app shows for ``device`` right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def _user_with(django_user_model, username, *codenames):
    user = django_user_model.objects.create_user(username, password="pw")
    group = Group.objects.create(name=f"Group of {username}")
    for codename in ("access_admin", *codenames):
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def require_2fa(settings):
    settings.ADMIN_REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def coordinator(django_user_model):
    return _user_with(
        django_user_model, "koordinator", "view_registration", "change_registration"
    )


@pytest.fixture
def editor(django_user_model):
    return _user_with(django_user_model, "redaktor")


# The second factor ----------------------------------------------------------


def test_a_coordinator_without_a_second_factor_cannot_reach_registrations(
    client, require_2fa, coordinator
):
    client.force_login(coordinator)
    url = reverse(REGISTRATIONS)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin_security_enrol"))
    assert "next=" in response["Location"]
    # Every admin URL, not only the listing.
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_coordinator_with_a_device_must_prove_it_each_session(
    client, require_2fa, coordinator
):
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    client.force_login(coordinator)
    url = reverse(REGISTRATIONS)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin_security_verify"))

    verify = reverse("admin_security_verify")
    wrong = client.post(verify, {"token": "000000", "next": url})
    assert wrong.status_code == 200
    assert client.get(url).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # no waiting after the wrong code
    device.save()
    response = client.post(verify, {"token": current_code(device), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


def test_a_recovery_code_works_once(client, require_2fa, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    out = StringIO()
    call_command("addstatictoken", coordinator.username, stdout=out)
    code = out.getvalue().strip()
    client.force_login(coordinator)
    verify = reverse("admin_security_verify")
    assert client.post(verify, {"token": code}).status_code == 302
    assert client.get(reverse(REGISTRATIONS)).status_code == 200
    assert not StaticDevice.objects.get(user=coordinator).token_set.exists()


def test_setting_up_the_app_without_javascript(client, require_2fa, coordinator):
    client.force_login(coordinator)
    enrol = reverse("admin_security_enrol")
    url = reverse(REGISTRATIONS)
    page = client.get(enrol, {"next": url})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    # The key as text too, in groups of four, for people who type it.
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    assert "csrfmiddlewaretoken" in html
    assert 'autocomplete="one-time-code"' in html
    # A reload shows the same key, so a phone that scanned it keeps working.
    client.get(enrol)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1

    response = client.post(enrol, {"token": current_code(device), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(url).status_code == 200
    # Once set up, the set-up page only leads on.
    assert client.get(enrol).status_code == 302


def test_a_wrong_code_does_not_set_up_the_device(client, require_2fa, coordinator):
    client.force_login(coordinator)
    enrol = reverse("admin_security_enrol")
    client.get(enrol)
    response = client.post(enrol, {"token": "123456"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_next_never_leaves_the_site(client, require_2fa, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("admin_security_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_superusers_need_it_too_but_editors_do_not(
    client, require_2fa, editor, django_user_model
):
    superuser = django_user_model.objects.create_superuser("admin", password="pw")
    client.force_login(superuser)
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_someone_who_set_up_a_device_of_their_own_accord_proves_it(
    client, require_2fa, editor
):
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin_security_verify"))


def test_any_permission_on_registrations_counts_even_a_new_one(
    client, require_2fa, django_user_model
):
    """Matched by content type: permissions added later need no change."""
    Permission.objects.create(
        codename="erase_registration_test",
        name="Can erase registrations (test)",
        content_type=ContentType.objects.get_for_model(Registration),
    )
    user = _user_with(django_user_model, "sletter", "erase_registration_test")
    client.force_login(user)
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_signing_in_and_out_stay_open(client, require_2fa, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("wagtailadmin_login")).status_code in {200, 302}
    assert client.get(reverse("admin_security_enrol")).status_code == 200
    response = client.post(reverse("wagtailadmin_logout"))
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("admin_security_enrol"))


def test_off_in_development_by_default(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse(REGISTRATIONS)).status_code == 200


def test_public_pages_do_not_read_the_session(client, require_2fa, home_page):
    response = client.get(home_page.url)
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")


def test_reset_second_factor_removes_the_devices(coordinator):
    TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    out = StringIO()
    call_command("reset_second_factor", coordinator.username, stdout=out)
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert "Removed 1 device" in out.getvalue()


def test_every_package_admin_view_is_never_cached(admin_client):
    names = [name for name, takes_pk in package_urls() if not takes_pk]
    assert names
    for name in [*names, "admin_security_verify", "admin_security_enrol"]:
        response = admin_client.get(reverse(name))
        cache_control = response.get("Cache-Control", "")
        assert "no-cache" in cache_control and "private" in cache_control, name


# Lockout after failed sign-ins ---------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_from_that_address(
    client, coordinator
):
    login = reverse("wagtailadmin_login")
    for _attempt in range(4):
        response = client.post(login, {"username": "koordinator", "password": "no"})
        assert response.status_code == 200
    response = client.post(login, {"username": "koordinator", "password": "no"})
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    # Even the right password waits now.
    response = client.post(login, {"username": "koordinator", "password": "pw"})
    assert response.status_code == 429
    # Others signing in from the same address are not locked out.
    _user_with(coordinator.__class__, "annen")
    response = client.post(login, {"username": "annen", "password": "pw"})
    assert response.status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_client_not_the_proxy(
    client, coordinator, settings
):
    settings.WAGTAIL_SELVHJELP = {"CLIENT_IP_META": "HTTP_X_FORWARDED_FOR"}
    login = reverse("wagtailadmin_login")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # Forged entries in front of the proxy's own do not escape the lockout.
    for attempt in range(5):
        response = client.post(
            login,
            {"username": "koordinator", "password": "no"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 198.51.100.7",
            **proxy,
        )
    assert response.status_code == 429
    # The coordinator at another address behind the same proxy signs in.
    response = client.post(
        login,
        {"username": "koordinator", "password": "pw"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **proxy,
    )
    assert response.status_code == 302


def test_a_good_sign_in_clears_the_count(client, coordinator):
    login = reverse("wagtailadmin_login")
    for _attempt in range(4):
        client.post(login, {"username": "koordinator", "password": "no"})
    assert (
        client.post(login, {"username": "koordinator", "password": "pw"}).status_code
        == 302
    )
    client.post(reverse("wagtailadmin_logout"))
    for _attempt in range(4):
        response = client.post(login, {"username": "koordinator", "password": "no"})
        assert response.status_code == 200


# Content-Security-Policy and security headers -------------------------------


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


#: Script types that are data, never run, so a CSP does not govern them.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


class InlineCode(HTMLParser):
    """Collects everything a strict CSP would block in a page."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"event handler attribute on <{tag}>")
        if (attrs.get("href") or "").startswith("javascript:"):
            self.problems.append("javascript: link")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in attrs:
            is_data = attrs.get("type") in DATA_SCRIPT_TYPES
            if not is_data and (not self.nonce or attrs.get("nonce") != self.nonce):
                self.problems.append("inline <script> without the nonce")


def assert_strict_policy_and_headers(response, where):
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"], where
    assert csp["script-src"][0] == "'self'", where
    nonces = csp["script-src"][1:]
    assert all(value.startswith("'nonce-") for value in nonces), where
    assert csp["style-src"] == ["'self'"], where
    assert csp["img-src"] == ["'self'", "data:"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["form-action"] == ["'self'"], where
    assert csp["base-uri"] == ["'self'"], where
    assert csp["object-src"] == ["'none'"], where
    assert "unsafe-inline" not in response["Content-Security-Policy"], where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert "camera=()" in response["Permissions-Policy"], where
    if response.get("Content-Type", "").startswith("text/html"):
        nonce = nonces[0][len("'nonce-") : -1] if nonces else None
        parser = InlineCode(nonce)
        parser.feed(response.content.decode())
        assert not parser.problems, (where, parser.problems)


def test_csp_and_security_headers_on_every_public_page(client, home_page):
    call_command("selvhjelp_demo", stdout=StringIO())
    pages = Page.objects.live().public().descendant_of(home_page, inclusive=True)
    assert pages.count() >= 6
    for page in pages.specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert_strict_policy_and_headers(response, page.url)
        # The form with its error summary, after an empty submission.
        if page.specific_class.__name__ == "GroupRegistrationPage":
            response = client.post(page.url, {})
            assert_strict_policy_and_headers(response, f"POST {page.url}")
    missing = client.get("/finnes-ikke/")
    assert missing.status_code == 404
    assert_strict_policy_and_headers(missing, "404")


def test_the_admin_has_its_own_looser_policy(client):
    response = client.get(reverse("wagtailadmin_login"))
    csp = parse_csp(response["Content-Security-Policy"])
    # Wagtail's admin still writes inline scripts and styles; no nonce, or
    # browsers would ignore 'unsafe-inline'.
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_nonce_tag_matches_the_header():
    """``selvhjelp_csp_nonce_attr`` through the site's real CSP middleware."""
    template = Template(
        "{% load wagtail_selvhjelp_tags %}<script {% selvhjelp_csp_nonce_attr %}>"
    )

    def view(request):
        return HttpResponse(template.render(Context({"request": request})))

    middleware = import_string(site_csp.MIDDLEWARE)(view)
    response = middleware(RequestFactory().get("/"))
    csp = parse_csp(response["Content-Security-Policy"])
    (nonce,) = [value for value in csp["script-src"] if value.startswith("'nonce-")]
    assert f'nonce="{nonce[7:-1]}"'.encode() in response.content


def test_the_nonce_tag_without_a_csp_renders_nothing():
    template = Template(
        "{% load wagtail_selvhjelp_tags %}<script {% selvhjelp_csp_nonce_attr %}>"
    )
    assert template.render(Context({})) == "<script >"
    request = RequestFactory().get("/")
    assert template.render(Context({"request": request})) == "<script >"
    assert template.render(Context({"csp_nonce": "abc"})) == '<script nonce="abc">'


# The package's deploy check -------------------------------------------------


def _w003(settings, *, debug=False, enforced=None, middleware=None):
    settings.DEBUG = debug
    settings.WAGTAIL_SELVHJELP = {"SECOND_FACTOR_ENFORCED": enforced}
    if middleware is not None:
        settings.MIDDLEWARE = middleware
    messages = run_checks(include_deployment_checks=True, tags=["security"])
    return "wagtail_selvhjelp.W003" in [message.id for message in messages]


def test_the_deploy_check_warns_without_a_second_factor(settings):
    with_otp = list(settings.MIDDLEWARE)
    without_otp = [m for m in with_otp if "otp" not in m.lower()]
    with_subclass = [*without_otp, "tests.test_example_site_security.OwnOTP"]
    assert _w003(settings, enforced=False)
    assert _w003(settings, enforced=None, middleware=without_otp)
    assert not _w003(settings, enforced=None, middleware=with_otp)
    assert not _w003(settings, enforced=None, middleware=with_subclass)
    # A site whose single sign-on asks for the second factor says so.
    assert not _w003(settings, enforced=True, middleware=without_otp)
    # Development is left alone.
    assert not _w003(settings, debug=True, enforced=False)


def test_the_check_is_a_deploy_check(settings):
    settings.DEBUG = False
    settings.WAGTAIL_SELVHJELP = {"SECOND_FACTOR_ENFORCED": False}
    assert "wagtail_selvhjelp.W003" not in [message.id for message in run_checks()]


class OwnOTP(OTPMiddleware):
    """A site's own subclass of django-otp's middleware (as wagtail-2fa has)."""
