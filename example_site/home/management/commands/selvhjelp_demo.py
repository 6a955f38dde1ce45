"""Load the demo content: a self-help section for a fictional municipality.

Idempotent: running it again leaves existing demo content alone, ``--force``
deletes the demo section and builds it anew. Everything is fictional and
written in Norwegian bokmål. The command belongs to the example site, not
to the installed package: a production install has no way to seed fictional
registrations.
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from ...demo import load_demo


class Command(BaseCommand):
    help = "Load (or with --force rebuild) the wagtail-selvhjelp demo content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete the demo content first and load it again.",
        )

    def handle(self, *args, force=False, **options):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError(
                "No default Wagtail site. Run migrate first (the example site "
                "creates one), or create a site in the admin."
            )
        created = load_demo(site.root_page.specific, force=force)
        if created:
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        else:
            self.stdout.write("Demo content already present; use --force to rebuild.")
