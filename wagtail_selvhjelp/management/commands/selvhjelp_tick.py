"""Every periodic job of the package, in one command for one timer.

Run it every hour (a systemd timer or cron; see docs/production.md). It runs
the package's periodic commands one after the other, each idempotent:

- ``selvhjelp_offers``: expire invitations past their deadline, send the
  one reminder;
- ``selvhjelp_follow_ups``: the anonymous follow-up of groups that are due;
- ``selvhjelp_purge``: the retention rules, once a day (skipped when a
  purge already ran today, so the purge history keeps one run a day).

A job that fails does not keep the others from running; the command then
ends with an error naming the failed jobs (their exceptions' class only:
no personal data in a timer's log). Prints counts only, in English.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone

from ... import privacy


def purge_ran_today(now=None):
    """Whether the retention purge already ran on today's (local) date."""
    last = privacy.last_purge()
    if last is None:
        return False
    return timezone.localdate(last.ran_at) == timezone.localdate(now)


class Command(BaseCommand):
    help = "Run every periodic job (offers, follow-ups, the daily purge)."

    jobs = ("selvhjelp_offers", "selvhjelp_follow_ups", "selvhjelp_purge")

    @no_translations
    def handle(self, *args, **options):
        failed = []
        for job in self.jobs:
            self.stdout.write(f"{job}:")
            if job == "selvhjelp_purge" and purge_ran_today():
                self.stdout.write("     -  skipped: ran today")
                continue
            # Whatever one job raises, the others still run.
            try:
                call_command(job, stdout=self.stdout, stderr=self.stderr)
            except Exception as error:
                self.stderr.write(f"{job} failed: {type(error).__name__}")
                failed.append(job)
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}")
