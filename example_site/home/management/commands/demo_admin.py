"""Create the demo site's local users and print how to log in.

``admin`` is a superuser; ``koordinator`` coordinates Fjellbygd's
registration page and ``koordinator-nn`` Lauvdal's (each is in their
municipality's coordinator group) and sees what a municipality's
coordinator would see. All share one generated password. ``make demo``
runs it quietly and lets ``demo_server`` print the same framed block last,
once the server listens.
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Site

from ... import demo_nynorsk
from ...demo import coordinator_group


#: Git-ignored file that keeps the generated password between runs.
PASSWORD_FILE = Path(__file__).resolve().parents[3] / ".admin-password"


def read_password():
    """The demo users' password, or None before ``demo_admin`` has run."""
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip()
    return None


def login_banner(base_url, password, username="admin", nynorsk_url=None):
    """Where the demo is and how to sign in, framed so it cannot be missed.

    Both municipalities are named: Fjellbygd (bokmål) at ``base_url``,
    Lauvdal (nynorsk) at ``nynorsk_url`` (``DEMO_NYNORSK_BASE_URL``).
    """
    nynorsk_url = (nynorsk_url or settings.DEMO_NYNORSK_BASE_URL).rstrip("/")
    coordinator_nn = demo_nynorsk.COORDINATOR_USERNAME
    rule = "=" * 72
    lines = [
        rule,
        f"  Fjellbygd (bokmål):  {base_url}/",
        f"  Lauvdal (nynorsk):   {nynorsk_url}/",
        f"  Admin:        {base_url}/admin/",
        f"  Superuser:    {username:<15} password: {password}",
        f"  Coordinator:  {'koordinator':<15} password: {password}  (Fjellbygd)",
        f"  Coordinator:  {coordinator_nn:<15} password: {password}  (Lauvdal)",
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
        coordinators = {
            "koordinator": coordinator_group(),
            demo_nynorsk.COORDINATOR_USERNAME: coordinator_group(
                demo_nynorsk.COORDINATOR_GROUP
            ),
        }
        for coordinator_name, group in coordinators.items():
            coordinator, _created = User.objects.get_or_create(
                username=coordinator_name,
                defaults={
                    "email": f"{coordinator_name}@example.test",
                    "is_staff": True,
                },
            )
            coordinator.set_password(password)
            coordinator.save()
            coordinator.groups.add(group)
        base_url = (url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        base_url = base_url.removesuffix("/admin")
        self.point_sites_at(base_url)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(login_banner(base_url, password, username))
            )

    def point_sites_at(self, base_url):
        """Give Fjellbygd's (the default) site the demo's host and port, and
        Lauvdal's its own host name (``DEMO_NYNORSK_BASE_URL``).

        Pages' full URLs (the registrant's self-service link in e-mails)
        come from their Site, so they point at the server ``make demo``
        runs, each on its municipality's host name. The sites may swap
        addresses (``make demo HOST=localhost``), so each is first parked
        on a name no other site has.
        """
        address = urlsplit(base_url)
        wanted = {}
        fjellbygd = Site.objects.filter(is_default_site=True).first()
        if fjellbygd is not None and address.hostname:
            wanted[fjellbygd] = (
                address.hostname,
                address.port or (443 if address.scheme == "https" else 80),
            )
        lauvdal = demo_nynorsk.site()
        if lauvdal is not None and demo_nynorsk.site_address() not in wanted.values():
            wanted[lauvdal] = demo_nynorsk.site_address()
        with transaction.atomic():
            for site in wanted:
                site.hostname = f"moving-{site.pk}.invalid"
                site.save(update_fields=["hostname"])
            for site, (hostname, port) in wanted.items():
                site.hostname, site.port = hostname, port
                site.save(update_fields=["hostname", "port"])
