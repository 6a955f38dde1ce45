"""Load the demo content: two fictional municipalities on one installation.

Fjellbygd (bokmål) on the default site, Lauvdal (nynorsk) on a site of its
own at ``DEMO_NYNORSK_BASE_URL``. Idempotent: running it again leaves
existing demo content alone, ``--force`` deletes the demo sections and
builds them anew. Everything is fictional. The command belongs to the
example site, not to the installed package: a production install has no way
to seed fictional registrations.
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from ... import demo_nynorsk
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
        loaded = {
            "Fjellbygd (bokmål)": load_demo(site.root_page.specific, force=force),
            "Lauvdal (nynorsk)": demo_nynorsk.load_demo(force=force),
        }
        for municipality, created in loaded.items():
            if created:
                self.stdout.write(
                    self.style.SUCCESS(f"Demo content loaded: {municipality}.")
                )
            else:
                self.stdout.write(
                    f"Demo content already present: {municipality}; use --force "
                    "to rebuild."
                )
