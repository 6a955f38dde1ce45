"""Expire invitations past their deadline and send the one reminder.

Run it every hour from cron (or enqueue the task
``expire_and_remind_offers``); running it again changes nothing. Prints
counts only, in English.
"""

from django.core.management.base import BaseCommand, no_translations

from ...tasks import settle_offers


class Command(BaseCommand):
    help = "Expire unanswered invitations past their deadline; send reminders."

    @no_translations
    def handle(self, *args, **options):
        expired, reminded = settle_offers()
        self.stdout.write(f"{expired:6d}  offers expired")
        self.stdout.write(f"{reminded:6d}  reminders sent")
