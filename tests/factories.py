"""factory-boy factories for the package's models. Fictional data only."""

import datetime

import factory
import wagtail_factories
from django.db.models import CharField, TextField
from django.utils import timezone
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


class RegistrationFactory(DjangoModelFactory):
    """A registration on ``page`` (required), waiting for a group.

    ``places``, ``time_slots`` and ``topics`` take choice names of the page
    (default: its first place and first time slot, no topic);
    ``days_ago`` dates the registration back by local calendar days.
    """

    name = factory.Sequence(lambda n: f"Testperson {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    birth_year = 1980
    group_kind = models.GroupKind.ANY
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_text = factory.LazyFunction(
        lambda: models.ConsentText.for_text("Jeg samtykker.")
    )
    status = models.RegistrationStatus.WAITING

    class Meta:
        model = models.Registration
        skip_postgeneration_save = True

    @factory.post_generation
    def places(self, create, names):
        page = self.page.specific
        chosen = page.places.filter(name__in=names) if names else page.places.all()[:1]
        self.places.set(chosen)

    @factory.post_generation
    def time_slots(self, create, names):
        page = self.page.specific
        chosen = (
            page.time_slots.filter(name__in=names)
            if names
            else page.time_slots.all()[:1]
        )
        self.time_slots.set(chosen)

    @factory.post_generation
    def topics(self, create, names):
        if names:
            self.topics.set(self.page.specific.topics.filter(name__in=names))

    @factory.post_generation
    def days_ago(self, create, days):
        if days:
            # The same local wall-clock time ``days`` calendar days back, so
            # that a DST change in between cannot shift the count by one.
            local = timezone.localtime().replace(tzinfo=None)
            self.created_at = timezone.make_aware(local - datetime.timedelta(days=days))
            models.Registration.objects.filter(pk=self.pk).update(
                created_at=self.created_at
            )


def typed_answers(model=models.Registration):
    """Names of ``model``'s answers a person types freely (text, no choices).

    The leak and erasure tests give each a secret of its own, so that a new
    free-text answer in the field catalogue is scanned for without an edit.
    """
    return [
        name
        for name in model.get_answer_fields()
        if isinstance(field := model._meta.get_field(name), CharField | TextField)
        and not field.choices
    ]


def secret_answers(given, model=models.Registration):
    """``given`` answers, plus a secret for every typed answer not in them."""
    return {
        **{name: f"Hemmelig {name} kvitre" for name in typed_answers(model)},
        **given,
    }


class StarterFactory(DjangoModelFactory):
    """A starter serving ``pages`` (a list of registration pages, required).

    ``places``, ``time_slots`` and ``topics`` take choice names of those
    pages (default: every place and time slot, no topic of their own);
    ``course`` is a valid course unless given ``False`` or a
    ``valid_until`` date.
    """

    name = factory.Sequence(lambda n: f"Igangsetter {n}")
    email = factory.Sequence(lambda n: f"starter{n}@example.test")
    status = "active"

    class Meta:
        model = models.Starter
        skip_postgeneration_save = True

    @factory.post_generation
    def pages(self, create, pages):
        self.pages.set(pages or [])
        self._served = [page.pk for page in pages or []]

    def _choices(self, model, names):
        chosen = model.objects.filter(page__in=self._served)
        return chosen.filter(name__in=names) if names is not None else chosen

    @factory.post_generation
    def places(self, create, names):
        self.places.set(StarterFactory._choices(self, models.RegistrationPlace, names))

    @factory.post_generation
    def time_slots(self, create, names):
        self.time_slots.set(
            StarterFactory._choices(self, models.RegistrationTimeSlot, names)
        )

    @factory.post_generation
    def topics(self, create, names):
        if names:
            self.topics.set(
                StarterFactory._choices(self, models.RegistrationTopic, names)
            )

    @factory.post_generation
    def course(self, create, valid_until):
        if valid_until is False:
            return
        models.StarterCourse.objects.create(
            starter=self,
            completed_on=datetime.date(2024, 3, 1),
            valid_until=valid_until,
        )

    @factory.post_generation
    def saved(self, create, extracted):
        # A cluster's many-to-many choices are kept in memory until a save.
        if create:
            self.save()


def make_group(page, *, place="Gol", slot="Kveld", topic=None, **fields):
    """A forming group on ``page`` at the named place, slot and topic."""
    return models.SelfHelpGroup.objects.create(
        page=page,
        name=fields.pop("name", f"{place}, {slot}"),
        place=page.places.get(name=place),
        time_slot=page.time_slots.get(name=slot),
        topic=page.topics.get(name=topic) if topic else None,
        **fields,
    )


def give_starter(group, **fields):
    """A starter from the register serving ``group``'s page, assigned to the
    group as its lead (``fields`` go to the starter: name, email, phone)."""
    from wagtail_selvhjelp.models.starter_actions import AssignStarter

    fields.setdefault("name", "Igang Setter")
    starter = StarterFactory(pages=[group.page], **fields)
    AssignStarter(group, starter).execute(skip_permission_checks=True)
    return starter
