"""factory-boy factories for the package's models. Fictional data only."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory
from wagtail.models import Locale

from wagtail_selvhjelp import models


class ContactPointFactory(DjangoModelFactory):
    organisation = factory.Sequence(lambda n: f"Testbygd frisklivssentral {n}")
    kind = models.ContactPointKind.HEALTHY_LIFE_CENTRE
    contact_person = "Kari Testperson"
    role = "Selvhjelpsgrupper"
    email = factory.Sequence(lambda n: f"kontakt{n}@example.test")
    phone = "+4791234567"
    municipality = "Gol"
    live = True
    locale = factory.LazyFunction(Locale.get_default)

    class Meta:
        model = models.ContactPoint


class SelfHelpIndexPageFactory(wagtail_factories.PageFactory):
    title = "Selvhjelp"
    slug = factory.Sequence(lambda n: f"selvhjelp-{n}")

    class Meta:
        model = models.SelfHelpIndexPage


class SelfHelpInfoPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Artikkel {n}")
    slug = factory.Sequence(lambda n: f"artikkel-{n}")
    intro = "En kort oppsummering."

    class Meta:
        model = models.SelfHelpInfoPage


class ContactDirectoryPageFactory(wagtail_factories.PageFactory):
    title = "Kontaktpunkter"
    slug = factory.Sequence(lambda n: f"kontakt-{n}")

    class Meta:
        model = models.ContactDirectoryPage


def make_registration_page(
    parent,
    *,
    places=("Gol", "Hol", "Ål"),
    slots=("Dagtid", "Kveld"),
    topics=("Angst", "Sorg"),
    **fields,
):
    """A published registration page with the given choices."""
    defaults = {
        "title": "Meld deg på",
        "slug": "meld-deg-pa",
        "privacy_notice": "<p>Vi behandler opplysningene dine trygt.</p>",
        "consent_text": "Jeg samtykker til at dere lagrer dette.",
        "thank_you_text": "<p>Takk! Vi tar kontakt.</p>",
        "under_age_text": "<p>Du må være 18 år. Snakk med helsesykepleier.</p>",
        "notify_emails": "koordinator@example.test",
        "ask_gender": True,
    }
    defaults.update(fields)
    page = models.GroupRegistrationPage(**defaults)
    page.places = [
        models.RegistrationPlace(name=n, sort_order=i) for i, n in enumerate(places)
    ]
    page.time_slots = [
        models.RegistrationTimeSlot(name=n, sort_order=i) for i, n in enumerate(slots)
    ]
    page.topics = [
        models.RegistrationTopic(name=n, sort_order=i) for i, n in enumerate(topics)
    ]
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page
