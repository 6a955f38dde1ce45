"""Send the anonymous follow-up of every group that is due.

Run it daily from cron, beside ``selvhjelp_purge``: a group that started
``FOLLOW_UP_AFTER_DAYS`` ago (default 42, six weeks) and still meets gets
its follow-up once; running the command again sends nothing twice. Prints a
count only.
"""

from django.core.management.base import BaseCommand, no_translations

from ... import notifications


class Command(BaseCommand):
    help = "Send the anonymous follow-up question to the members of due groups."

    @no_translations
    def handle(self, *args, **options):
        count = notifications.send_follow_ups()
        self.stdout.write(f"{count:6d}  groups followed up")
