"""Create the demo site's local users and print how to log in.

``admin`` is a superuser; ``koordinator`` coordinates the demo's registration
page (it is in the demo's coordinator group) and sees what a municipality's
coordinator would see. Both share one generated password.
"""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from ...demo import coordinator_group


#: Git-ignored file that keeps the generated password between runs.
PASSWORD_FILE = Path(__file__).resolve().parents[3] / ".admin-password"


class Command(BaseCommand):
    help = "Create or repair the local demo admin user and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="Where the admin is."
        )

    def handle(self, *args, username, url, **options):
        # A random password rather than a well-known one: the demo server may
        # be reachable from a local network.
        if PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
        else:
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin at {url} - username: {username}  password: {password}\n"
                f"Coordinator of the demo's registration page - username: "
                f"koordinator  password: {password}"
            )
        )
