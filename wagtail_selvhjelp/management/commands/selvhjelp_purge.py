"""Apply the retention rules of every registration page.

Run it daily from cron (see the README); ``--dry-run`` prints what is due
and changes nothing. Prints counts only, never a name.
"""

from django.core.management.base import BaseCommand

from ... import privacy


LABELS = {
    "closed": "withdrawn or spam registrations deleted",
    "expired": "registrations deleted after an unanswered re-confirmation",
    "former_members": "former members' registrations deleted",
    "reconfirmation_requested": "registrations asked to re-confirm",
    "groups_anonymised": "ended groups whose starter was removed",
    "matching_runs": "old matching runs deleted",
}


class Command(BaseCommand):
    help = "Delete registrations whose retention period is over (counts only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what is due without changing anything.",
        )

    def handle(self, *args, dry_run, **options):
        counts = privacy.purge(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. Due now:")
        for name, label in LABELS.items():
            self.stdout.write(f"{counts[name]:6d}  {label}")
