"""Remove a user's second-factor devices, for a lost or replaced phone.

The user sets up a new device at their next sign-in. For a single sign-in
without removing anything, ``manage.py addstatictoken USERNAME`` (from
django-otp) prints a one-time recovery code instead.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import devices_for_user


class Command(BaseCommand):
    help = "Remove a user's second-factor devices so they set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        self.stdout.write(
            f"Removed {removed} device(s) of {username}; they set up a new one "
            "at their next sign-in."
        )
