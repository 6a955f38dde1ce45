"""Create the demo site's local users and print how to log in.

``admin`` is a superuser; ``koordinator`` coordinates the demo's registration
page (it is in the demo's coordinator group) and sees what a municipality's
coordinator would see. Both share one generated password. ``make demo``
runs it quietly and lets ``demo_server`` print the same framed block last,
once the server listens.
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from wagtail.models import Site

from ...demo import coordinator_group


#: Git-ignored file that keeps the generated password between runs.
PASSWORD_FILE = Path(__file__).resolve().parents[3] / ".admin-password"


def read_password():
    """The demo users' password, or None before ``demo_admin`` has run."""
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip()
    return None


def login_banner(base_url, password, username="admin"):
    """Where the demo is and how to sign in, framed so it cannot be missed."""
    rule = "=" * 72
    lines = [
        rule,
        f"  Demo site:    {base_url}/",
        f"  Admin:        {base_url}/admin/",
        f"  Superuser:    {username:<12} password: {password}",
        f"  Coordinator:  {'koordinator':<12} password: {password}",
    ]
    if getattr(settings, "ADMIN_REQUIRE_SECOND_FACTOR", False):
        lines.append(
            "  Two-step sign-in is on: have an authenticator app ready "
            "(SELVHJELP_REQUIRE_2FA)."
        )
    lines.append(rule)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Create or repair the local demo admin user and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url",
            default=None,
            help="Where the site is (default: WAGTAILADMIN_BASE_URL).",
        )

    def handle(self, *args, username, url, **options):
        # A random password rather than a well-known one: the demo server may
        # be reachable from a local network.
        password = read_password()
        if password is None:
            password = secrets.token_urlsafe(12)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)

        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.test", "is_staff": True},
        )
        if created or not user.check_password(password) or not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        coordinator, _created = User.objects.get_or_create(
            username="koordinator",
            defaults={"email": "koordinator@example.test", "is_staff": True},
        )
        coordinator.set_password(password)
        coordinator.save()
        coordinator.groups.add(coordinator_group())
        base_url = (url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        base_url = base_url.removesuffix("/admin")
        self.point_site_at(base_url)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(login_banner(base_url, password, username))
            )

    def point_site_at(self, base_url):
        """Give the default Site the demo's host and port.

        Pages' full URLs (the registrant's self-service link in e-mails)
        come from the Site, so they point at the server ``make demo`` runs.
        """
        address = urlsplit(base_url)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None or not address.hostname:
            return
        site.hostname = address.hostname
        site.port = address.port or (443 if address.scheme == "https" else 80)
        site.save(update_fields=["hostname", "port"])
