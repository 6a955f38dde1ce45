"""Apply the retention rules of every registration page.

Run it daily from cron (see the README); ``--dry-run`` prints what is due
and changes nothing. Prints counts only, never a name: one line per
retention rule (``privacy.RETENTION_RULES``), in English as all of the
command's output, whatever the site's language.
"""

from django.core.management.base import BaseCommand, no_translations

from ... import privacy


class Command(BaseCommand):
    help = "Delete registrations whose retention period is over (counts only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what is due without changing anything.",
        )

    @no_translations
    def handle(self, *args, dry_run, **options):
        counts = privacy.purge(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. Due now:")
        for rule in privacy.RETENTION_RULES:
            self.stdout.write(f"{counts[rule.name]:6d}  {rule.label}")
