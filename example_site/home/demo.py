"""Demo content for ``manage.py selvhjelp_demo``: a fictional municipality.

This lives in the example site, not in the installed package, so that a
production install cannot seed fictional registrations. Everything here is
invented: the municipality (Fjellbygd), the units, the people, the e-mail
addresses (on the reserved ``.example`` domain) and the phone numbers. The
texts are written in Norwegian bokmål for this project. The second
municipality, Lauvdal, in nynorsk on a site of its own, is ``demo_nynorsk``.
"""

import datetime
import random

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.choices import GroupKind, MeetingFrequency, RegistrationStatus
from wagtail_selvhjelp.models import (
    AvoidPair,
    ConsentText,
    ContactDirectoryPage,
    ContactPoint,
    ContactPointKind,
    GroupRegistrationPage,
    Offer,
    Registration,
    RegistrationPlace,
    RegistrationTimeSlot,
    RegistrationTopic,
    SelfHelpGroup,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
    Starter,
    StarterCourse,
)
from wagtail_selvhjelp.models.actions import StartGroup
from wagtail_selvhjelp.models.invitation_actions import AnswerOffer, Invite
from wagtail_selvhjelp.models.starter_actions import AssignStarter


SECTION_SLUG = "selvhjelp"
#: The regional centre both demo municipalities share (its name reads the
#: same in bokmål and nynorsk; the nynorsk demo adds its translation).
REGIONAL_CENTRE = "Mestringssenteret i fjellregionen (demo)"

CONTACT_POINTS = [
    {
        "organisation": "Fjellbygd frisklivssentral",
        "kind": ContactPointKind.HEALTHY_LIFE_CENTRE,
        "contact_person": "Sigrid Demo",
        "role": "Selvhjelpsgrupper og igangsettere",
        "email": "frisklivssentralen@fjellbygd.example",
        "phone": "+4799900101",
        "municipality": "Fjellbygd",
        "address": "Rådhusvegen 1\n3599 Fjellbygd",
        "opening_hours": "Mandag–fredag kl. 08–15",
        "sort_order": 0,
    },
    {
        "organisation": "Fjellbygd frivilligsentral",
        "kind": ContactPointKind.VOLUNTEER_CENTRE,
        "contact_person": "Petter Eksempel",
        "role": "Møterom og praktisk hjelp til grupper",
        "email": "frivillig@fjellbygd.example",
        "phone": "+4799900102",
        "municipality": "Fjellbygd",
        "address": "Torget 3\n3599 Fjellbygd",
        "opening_hours": "Tirsdag og torsdag kl. 10–14",
        "sort_order": 1,
    },
    {
        "organisation": "Psykisk helse og rus, Fjellbygd kommune",
        "kind": ContactPointKind.MENTAL_HEALTH,
        "contact_person": "",
        "role": "Pårørende til personer med rusproblemer",
        "email": "psykiskhelse@fjellbygd.example",
        "phone": "+4799900103",
        "municipality": "Fjellbygd",
        "address": "",
        "opening_hours": "Mandag–fredag kl. 09–15",
        "sort_order": 2,
    },
    {
        "organisation": "Dalsetra frisklivssentral",
        "kind": ContactPointKind.HEALTHY_LIFE_CENTRE,
        "contact_person": "Ingrid Prøve",
        "role": "Selvhjelpsgrupper i Dalsetra",
        "email": "friskliv@dalsetra.example",
        "phone": "+4799900104",
        "municipality": "Dalsetra",
        "address": "Stasjonsvegen 7\n3598 Dalsetra",
        "opening_hours": "Onsdag kl. 09–15",
        "sort_order": 0,
    },
    {
        "organisation": "Elvedal frivilligsentral",
        "kind": ContactPointKind.VOLUNTEER_CENTRE,
        "contact_person": "Ola Fiktiv",
        "role": "Selvhjelp og møteplasser",
        "email": "post@elvedal-frivillig.example",
        "phone": "+4799900105",
        "municipality": "Elvedal",
        "address": "",
        "opening_hours": "",
        "website": "https://elvedal-frivillig.example/",
        "sort_order": 0,
    },
    {
        "organisation": REGIONAL_CENTRE,
        "kind": ContactPointKind.NATIONAL_CENTRE,
        "contact_person": "",
        "role": "Kurs for igangsettere og veiledning til kommunene",
        "email": "region@mestring-demo.example",
        "phone": "+4799900106",
        "municipality": "Hele regionen",
        "address": "",
        "opening_hours": "Mandag–fredag kl. 09–15",
        "sort_order": 0,
    },
]

SECTION_INTRO = (
    "<p>I en selvhjelpsgruppe møtes noen få personer som ønsker å gjøre noe med "
    "en vanskelig situasjon i sitt eget liv. Dere deler erfaringer, lytter til "
    "hverandre og finner egne veier videre – uten terapeut og uten ledere. "
    "Det er gratis, og du trenger ingen henvisning.</p>"
)

SECTION_BODY = [
    (
        "key_figures",
        {
            "heading": "Hva deltakerne forteller",
            "figures": [
                {
                    "value": "7 av 10",
                    "label": "sier at de har fått det bedre etter et halvt år i gruppe",
                    "source": "Demotall – ikke fra en ekte undersøkelse",
                },
                {
                    "value": "4–8",
                    "label": "personer i hver gruppe",
                    "source": "",
                },
                {
                    "value": "0 kr",
                    "label": "koster det å være med",
                    "source": "",
                },
            ],
        },
    ),
]

ARTICLES = [
    {
        "title": "Hva er selvorganisert selvhjelp?",
        "slug": "hva-er-selvhjelp",
        "search_description": (
            "Hva selvorganisert selvhjelp er, hvem det passer for, og hvorfor det "
            "kan hjelpe å møte andre som kjenner seg igjen i det du står i."
        ),
        "intro": (
            "Selvhjelp handler om å ta i bruk egne krefter sammen med andre som "
            "kjenner seg igjen i det du står i."
        ),
        "facts": [
            ("Hvem", "Voksne fra 18 år som vil gjøre noe med sin egen livssituasjon"),
            ("Pris", "Gratis"),
            ("Henvisning", "Ikke nødvendig"),
        ],
        "body": [
            (
                "rich_text",
                "<p>Mange går og bærer på noe alene: angst, sorg, ensomhet, et "
                "samlivsbrudd eller bekymring for noen de er glad i. I en "
                "selvhjelpsgruppe møter du andre som har kjent på noe av det samme. "
                "Ingen er eksperter på livet ditt, men alle er eksperter på sitt "
                "eget – og det er nettopp det dere deler.</p>",
            ),
            ("heading", {"text": "Hvorfor i gruppe?", "level": "h2", "anchor": ""}),
            (
                "points",
                {
                    "heading": "",
                    "points": [
                        "Du blir lyttet til uten å bli vurdert.",
                        "Du hører hvordan andre har taklet noe lignende.",
                        "Du oppdager at du også har noe å gi.",
                        "Du bestemmer selv hva du vil fortelle.",
                    ],
                },
            ),
            (
                "quote",
                {
                    "quote": "Det var første gang jeg sa det høyt, og ingen så rart på meg.",
                    "attribution": "Deltaker, 47 år (oppdiktet sitat)",
                },
            ),
        ],
    },
    {
        "title": "Slik fungerer en selvhjelpsgruppe",
        "slug": "slik-fungerer-en-gruppe",
        "search_description": (
            "Små, lukkede grupper med taushetsplikt: slik går det fra du melder "
            "deg på, gjennom de første møtene med en igangsetter, til gruppa "
            "klarer seg selv."
        ),
        "intro": (
            "En gruppe er liten, lukket og bygger på taushetsplikt. Her er det du "
            "bør vite før du melder deg på."
        ),
        "facts": [
            ("Gruppestørrelse", "4–8 personer"),
            ("Møter", "Fast tid og sted, ofte annenhver uke"),
            ("Taushetsplikt", "Det som sies i gruppa, blir i gruppa"),
        ],
        "body": [
            ("heading", {"text": "Før første møte", "level": "h2", "anchor": ""}),
            (
                "rich_text",
                "<p>Når du har meldt deg på, tar en koordinator kontakt for en prat. "
                "Vi setter sammen grupper ut fra det du har fortalt om behov, sted og "
                "tidspunkt. Det kan ta litt tid før det er nok folk til en gruppe der "
                "du bor.</p>",
            ),
            ("heading", {"text": "De første møtene", "level": "h2", "anchor": ""}),
            (
                "rich_text",
                "<p>En igangsetter er med på de første møtene. Igangsetteren hjelper "
                "dere å bli kjent, å lage felles avtaler og å finne en form som "
                "passer gruppa. Etter hvert trekker igangsetteren seg ut, og gruppa "
                "går videre på egen hånd.</p>",
            ),
            ("heading", {"text": "En lukket gruppe", "level": "h2", "anchor": ""}),
            (
                "rich_text",
                "<p>Når gruppa har startet, er den lukket. Nye deltakere kommer bare "
                "inn hvis gruppa selv ønsker det. Nære familiemedlemmer eller venner "
                "bør ikke være i samme gruppe.</p>",
            ),
        ],
    },
    {
        "title": "Spørsmål og svar",
        "slug": "sporsmal-og-svar",
        "search_description": (
            "Må du ha en diagnose, hva koster det, og hvor mye må du fortelle? "
            "Korte svar på det folk oftest lurer på før de melder seg på en "
            "selvhjelpsgruppe."
        ),
        "intro": "Svar på det folk oftest lurer på før de melder seg på.",
        "facts": [],
        "body": [
            (
                "questions",
                {
                    "heading": "",
                    "questions": [
                        {
                            "question": "Må jeg ha en diagnose for å være med?",
                            "answer": "<p>Nei. Du trenger verken diagnose eller "
                            "henvisning. Det holder at du ønsker å gjøre noe med "
                            "situasjonen din.</p>",
                        },
                        {
                            "question": "Hva koster det?",
                            "answer": "<p>Ingenting. Møtene er gratis.</p>",
                        },
                        {
                            "question": "Må jeg fortelle alt om meg selv?",
                            "answer": "<p>Nei. Du bestemmer selv hva du deler, og "
                            "når. Mange lytter mest de første gangene.</p>",
                        },
                        {
                            "question": "Hva om jeg kjenner noen i gruppa?",
                            "answer": "<p>Si fra når du melder deg på, eller til "
                            "koordinatoren. Vi prøver å unngå at nære familie eller "
                            "venner havner i samme gruppe.</p>",
                        },
                        {
                            "question": "Kan jeg slutte?",
                            "answer": "<p>Ja, når som helst. Det er fint om du sier "
                            "fra til gruppa.</p>",
                        },
                    ],
                },
            ),
        ],
    },
]


#: Six places in a valley region, like the municipalities of Hallingdal.
PLACES = ["Fjellbygd", "Dalsetra", "Elvedal", "Bjørkeli", "Granhaug", "Stølen"]
TIME_SLOTS = ["Hverdager på dagtid", "Hverdager på kvelden", "Helg"]
TOPICS = [
    "Angst",
    "Depresjon og nedstemthet",
    "Sorg",
    "Pårørende",
    "Rus og avhengighet",
    "Ensomhet",
    "Arbeid og utbrenthet",
    "Kronisk sykdom og smerte",
]
WOMEN_NAMES = ["Anne", "Cecilie", "Eli", "Gunn", "Ida", "Kari", "Marit", "Oda"]
MEN_NAMES = ["Bjørn", "Dag", "Frode", "Hans", "Jon", "Lars", "Nils", "Per"]
OTHER_NAMES = ["Kim", "Robin", "Sam", "Alex"]
FIRST_NAMES = [
    "Anne",
    "Bjørn",
    "Cecilie",
    "Dag",
    "Eli",
    "Frode",
    "Gunn",
    "Hans",
    "Ida",
    "Jon",
    "Kari",
    "Lars",
    "Marit",
    "Nils",
    "Oda",
    "Per",
    "Randi",
    "Sverre",
    "Tone",
    "Unni",
    "Vidar",
    "Åse",
]
#: How many fictional registrations the demo creates.
REGISTRATION_COUNT = 60


def first_name(gender, index):
    """A first name that fits ``gender``, picked by a drawn ``index``."""
    names = {"woman": WOMEN_NAMES, "man": MEN_NAMES}.get(gender, OTHER_NAMES)
    return names[index % len(names)]


def registration_privacy(page):
    """The demo's privacy notice, with the page's own retention rules."""
    retention = page.get_retention()
    return (
        "<p>Fjellbygd kommune ved frisklivssentralen er ansvarlig for "
        "opplysningene du gir her. Vi bruker dem bare til å sette sammen "
        "selvhjelpsgrupper og til å kontakte deg om det. Bare koordinatorene for "
        "selvhjelp kan se dem. Venter du på en gruppe, spør vi etter "
        f"{retention.reconfirm_months} måneder om du fortsatt ønsker en; "
        f"svarer du ikke innen {retention.reconfirm_grace_days} dager, "
        "sletter vi påmeldingen. Når gruppa di er slutt eller du går ut av den, "
        f"sletter vi opplysningene etter {retention.after_group_months} "
        "måneder. Trekker du deg, sletter vi alt med en gang. Du kan når som "
        "helst be om å få se det du har sendt inn. (Dette er en demotekst.)</p>"
    )


def _registration_page(section):
    page = GroupRegistrationPage(
        title="Meld deg på en selvhjelpsgruppe",
        slug="meld-deg-pa",
        search_description=(
            "Meld deg på en selvhjelpsgruppe i Fjellbygd. Skjemaet tar rundt fem "
            "minutter, det er gratis, og en koordinator tar kontakt med deg "
            "etterpå."
        ),
        intro=(
            "<p>Fortell oss litt om deg og hva du ønsker, så prøver vi å sette "
            "sammen en gruppe som passer. Det tar omtrent fem minutter. Du "
            "trenger ingen henvisning, og det er gratis.</p>"
        ),
        consent_text=(
            "Jeg samtykker i at Fjellbygd kommune lagrer det jeg har skrevet her "
            "for å sette sammen selvhjelpsgrupper, og at de kontakter meg om det."
        ),
        thank_you_text=(
            "<p>Vi har fått påmeldingen din. En koordinator tar kontakt for en "
            "kort samtale. Det kan ta litt tid før det er nok folk til en gruppe "
            "der du bor – vi gir beskjed underveis.</p>"
        ),
        under_age_text=(
            "<p>Gruppene våre er for deg som er 18 år eller eldre, så vi har ikke "
            "lagret påmeldingen. Snakk gjerne med helsesykepleieren på skolen, "
            "fastlegen din eller ring frisklivssentralen, så finner vi annen hjelp "
            "sammen.</p>"
        ),
        ask_gender=True,
        ask_avoid=True,
        ask_access_needs=True,
        notify_emails="koordinator@fjellbygd.example",
    )
    page.privacy_notice = registration_privacy(page)
    set_choices(page, PLACES, TIME_SLOTS, TOPICS)
    return publish_child(section, page)


def _registrations(page):
    """Fictional registrations spread over places, times and topics."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    places = list(page.places.all())
    slots = list(page.time_slots.all())
    topics = list(page.topics.all())
    consent = ConsentText.for_text(page.consent_text)
    this_year = timezone.localdate().year
    statuses = (
        [RegistrationStatus.NEW] * 5
        + [RegistrationStatus.WAITING] * 4
        + [RegistrationStatus.CONTACTED] * 2
    )
    for number in range(1, REGISTRATION_COUNT + 1):
        # Most people can meet near home; some can travel to a second place.
        home = places[min(int(rng.expovariate(0.6)), len(places) - 1)]
        chosen_places = {home}
        if rng.random() < 0.35:
            chosen_places.add(rng.choice(places))
        chosen_slots = set(rng.sample(slots, k=rng.choice([1, 1, 2, 3])))
        chosen_topics = set(rng.sample(topics, k=rng.choice([0, 1, 1, 2, 3])))
        kind = rng.choice(
            [GroupKind.ANY, GroupKind.ANY, GroupKind.THEMED, GroupKind.MIXED]
        )
        if kind == GroupKind.THEMED and not chosen_topics:
            chosen_topics = {rng.choice(topics)}
        gender = rng.choice(["woman", "woman", "man", "man", "other", ""])
        drawn = FIRST_NAMES.index(rng.choice(FIRST_NAMES))
        name = f"{first_name(gender, drawn)} Demo {number:02d}"
        has_email = rng.random() < 0.8
        registration = Registration.objects.create(
            page=page,
            language="nb",
            name=name,
            email=f"deltaker{number:02d}@demo.example" if has_email else "",
            phone=f"+47999{number:05d}"
            if (not has_email or rng.random() < 0.5)
            else "",
            birth_year=this_year - rng.randint(18, 80),
            group_kind=kind,
            gender=gender,
            single_gender=bool(gender) and gender != "other" and rng.random() < 0.15,
            avoid_text=f"{rng.choice(FIRST_NAMES)} Demo" if rng.random() < 0.05 else "",
            consent_given_at=timezone.now(),
            consent_text=consent,
            status=rng.choice(statuses),
        )
        registration.places.set(chosen_places)
        registration.time_slots.set(chosen_slots)
        registration.topics.set(chosen_topics)
        # Spread the registration dates over the last five months.
        registered = timezone.now() - datetime.timedelta(
            days=rng.randint(0, 150), hours=rng.randint(0, 23)
        )
        Registration.objects.filter(pk=registration.pk).update(
            created_at=registered, consent_given_at=registered
        )


def _past_registrations(page):
    """People who withdrew or waited long, then the retention purge.

    So the demo's statistics and privacy overview have something to show:
    the purge deletes the withdrawn and spam rows (their counts stay) and asks
    the long-waiting ones whether they still want a group.
    """
    consent = ConsentText.for_text(page.consent_text)
    place, slot = page.places.first(), page.time_slots.first()
    past = [
        (RegistrationStatus.WITHDRAWN, 45),
        (RegistrationStatus.WITHDRAWN, 60),
        (RegistrationStatus.SPAM, 40),
        (RegistrationStatus.WAITING, 400),
        (RegistrationStatus.WAITING, 380),
    ]
    for number, (status, days) in enumerate(past, start=REGISTRATION_COUNT + 1):
        registration = Registration.objects.create(
            page=page,
            language="nb",
            name=f"Tidligere Demo {number:02d}",
            # The long-waiting ones have only a phone: Inspect shows the
            # coordinator the question to ask (and the demo sends no e-mail).
            email=""
            if status == RegistrationStatus.WAITING
            else (f"deltaker{number:02d}@demo.example"),
            phone=f"+47999{number:05d}",
            birth_year=timezone.localdate().year - 40,
            consent_given_at=timezone.now(),
            consent_text=consent,
            status=status,
        )
        registration.places.set([place])
        registration.time_slots.set([slot])
        then = timezone.now() - datetime.timedelta(days=days)
        Registration.objects.filter(pk=registration.pk).update(
            created_at=then, consent_given_at=then, updated_at=then
        )
    privacy.purge()


#: The demo's coordinators: a Django group on the registration page.
COORDINATOR_GROUP = "Selvhjelp Fjellbygd – koordinatorer"
COORDINATOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtail_selvhjelp", "view_registration"),
    ("wagtail_selvhjelp", "change_registration"),
    ("wagtail_selvhjelp", "delete_registration"),
    ("wagtail_selvhjelp", "match_registration"),
    ("wagtail_selvhjelp", "export_registration"),
    ("wagtail_selvhjelp", "access_registration"),
    ("wagtail_selvhjelp", "erase_registration"),
    ("wagtail_selvhjelp", "add_selfhelpgroup"),
    ("wagtail_selvhjelp", "change_selfhelpgroup"),
    ("wagtail_selvhjelp", "delete_selfhelpgroup"),
    ("wagtail_selvhjelp", "add_starter"),
    ("wagtail_selvhjelp", "view_starter"),
    ("wagtail_selvhjelp", "change_starter"),
    ("wagtail_selvhjelp", "delete_starter"),
    ("wagtail_selvhjelp", "access_starter"),
    # The municipality's own settings only (docs/sites.md).
    ("wagtail_selvhjelp", "change_selfhelpsitesettings"),
]


def coordinator_group(name=COORDINATOR_GROUP):
    """The demo coordinators' Django group with the package's permissions."""
    group, _created = Group.objects.get_or_create(name=name)
    for app_label, codename in COORDINATOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def _avoid_pairs(page):
    """Link the few registrants who named someone to avoid with a neighbour."""
    registrations = list(page.registrations.order_by("pk"))
    for index, registration in enumerate(registrations):
        if registration.avoid_text:
            other = registrations[(index + 7) % len(registrations)]
            AvoidPair.objects.link(registration, other)


def _fitting(page, group):
    """Waiting registrations of ``page`` who fit ``group`` under every rule."""
    return [
        registration
        for registration in page.registrations.waiting()
        .filter(
            places=group.place,
            time_slots=group.time_slot,
            group_kind__in=["any", "mixed"],
        )
        .order_by("created_at")
        if not group.incompatibilities(registration)
    ]


def _group(page, *, name, place, slot, size, starter, first_meeting_in_days):
    """A forming group of ``size`` fitting members with a starter and a
    weekly first meeting ``first_meeting_in_days`` from today."""
    group = SelfHelpGroup.objects.create(
        page=page,
        name=name,
        place=page.places.get(name=place),
        time_slot=page.time_slots.get(name=slot),
        venue="Frivilligsentralen, Torget 3",
        first_meeting_date=timezone.localdate()
        + datetime.timedelta(days=first_meeting_in_days),
        first_meeting_time=datetime.time(18, 0),
        meeting_frequency=MeetingFrequency.WEEKLY,
    )
    for registration in _fitting(page, group)[:size]:
        group.add_member(registration)
    AssignStarter(group, starter).execute(skip_permission_checks=True)
    return group


def _answers(group, answers):
    """The members' answers to the group's invitations, in order: True
    accepts, False declines (and stays on the waiting list), None leaves the
    offer open."""
    offers = Offer.objects.filter(group=group).order_by("pk")
    for offer, accept in zip(offers, answers, strict=False):
        if accept is not None:
            AnswerOffer(offer, accept=accept).execute(skip_permission_checks=True)


def _groups(page):
    """The second half of the journey, one group at each stage.

    A group mid-round: invited, three accepted, one declined (their seat is
    free for the next eligible person), two still to answer. A group that
    has started: everyone accepted, with its starter and its weekly meeting,
    sent to the members with a calendar file. The demo's terminal shows the
    invitations and the meeting as they were sent.
    """
    first, second = _starters(page)
    mid_round = _group(
        page,
        name="Fjellbygd, kveld (blandet)",
        place=PLACES[0],
        slot=TIME_SLOTS[1],
        size=6,
        starter=first,
        first_meeting_in_days=14,
    )
    started = _group(
        page,
        name="Dalsetra, kveld (blandet)",
        place=PLACES[1],
        slot=TIME_SLOTS[1],
        size=5,
        starter=second,
        first_meeting_in_days=3,
    )
    # Each step commits on its own, as it would in the admin: the invitations
    # go out (and are printed) before anyone answers, the meeting at the start.
    with transaction.atomic():
        Invite([mid_round, started]).execute(skip_permission_checks=True)
    with transaction.atomic():
        _answers(mid_round, [True, True, True, False])
        _answers(started, [True] * 8)
    with transaction.atomic():
        StartGroup(started).execute(skip_permission_checks=True)
    return mid_round, started


#: The demo's two starters: name, e-mail, phone, places and time slots.
STARTERS = [
    ("Sigrid Demo", "frisklivssentralen@fjellbygd.example", "", PLACES[:1], TIME_SLOTS),
    ("Torbjørn Demo", "", "+4799900101", PLACES, TIME_SLOTS[1:]),
]


def _starters(page):
    """Two fictional starters in the register, both with a valid course."""
    today = timezone.localdate()
    starters = []
    for name, email, phone, places, slots in STARTERS:
        starter = Starter.objects.create(name=name, email=email, phone=phone)
        starter.pages.add(page)
        starter.places.set(page.places.filter(name__in=places))
        starter.time_slots.set(page.time_slots.filter(name__in=slots))
        starter.save()  # a cluster's many-to-many is written on save
        StarterCourse.objects.create(
            starter=starter,
            completed_on=today - datetime.timedelta(days=200),
            valid_until=today + datetime.timedelta(days=900),
        )
        starters.append(starter)
    return starters


def fill_section(section, contact_points, articles):
    """Link the section's contact points, publish it, and publish its articles
    (dicts with title, slug, search_description, intro, facts and body)."""
    for order, contact_point in enumerate(contact_points):
        SelfHelpIndexContactPoint.objects.create(
            page=section, contact_point=contact_point, sort_order=order
        )
    section.save_revision().publish()
    for article in articles:
        publish_child(
            section,
            SelfHelpInfoPage(
                title=article["title"],
                slug=article["slug"],
                search_description=article["search_description"],
                intro=article["intro"],
                facts=[
                    ("fact", {"label": label, "value": value})
                    for label, value in article["facts"]
                ],
                body=article["body"],
            ),
        )


def set_choices(page, places, time_slots, topics):
    """Give a new registration page its places, time slots and topics, in order."""
    page.places = [
        RegistrationPlace(name=name, sort_order=i) for i, name in enumerate(places)
    ]
    page.time_slots = [
        RegistrationTimeSlot(name=name, sort_order=i)
        for i, name in enumerate(time_slots)
    ]
    page.topics = [
        RegistrationTopic(name=name, sort_order=i) for i, name in enumerate(topics)
    ]


def ensure_contact_point(data, locale, site, *, translation_of=None):
    """The live contact point made of ``data`` in ``locale``, belonging to
    ``site``; made if missing.

    ``translation_of`` links it to the same contact point in another
    language, as Wagtail's translations are linked.
    """
    contact_point = ContactPoint.objects.filter(
        organisation=data["organisation"], locale=locale
    ).first()
    if contact_point is None:
        contact_point = ContactPoint(locale=locale, site=site, **data)
        if translation_of is not None:
            contact_point.translation_key = translation_of.translation_key
        contact_point.full_clean()
        contact_point.save()
        contact_point.save_revision().publish()
    return contact_point


#: What search engines show under the home page's title.
HOME_DESCRIPTION = (
    "Fjellbygd kommune er en oppdiktet kommune. Her kan du lese om "
    "selvhjelpsgrupper, finne noen å snakke med og melde deg på en gruppe."
)


def _describe_home(root):
    """Give the site's home page a search description, unless it has one.

    Left alone when an editor wrote one or has unpublished changes waiting.
    """
    if root.search_description or root.has_unpublished_changes:
        return
    root.search_description = HOME_DESCRIPTION
    root.save_revision().publish()


def publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_demo(root, *, force=False):
    """Build the demo section below ``root``; return True if anything was made.

    The content is made in one transaction; the groups' life after it, one
    step at a time, so that their messages are sent as they would be.
    """
    registration_page = _load_content(root, force=force)
    if registration_page is None:
        return False
    _groups(registration_page)
    return True


@transaction.atomic
def _load_content(root, *, force=False):
    """The section, its pages and registrations; the registration page, or
    None when the demo is there already and ``force`` is not given."""
    existing = SelfHelpIndexPage.objects.child_of(root).filter(slug=SECTION_SLUG)
    if existing.exists():
        if not force:
            return None
        for page in existing:
            # Deleting the section deletes its (fictional) registrations too.
            page.delete()
        ContactPoint.objects.filter(
            organisation__in=[data["organisation"] for data in CONTACT_POINTS],
            locale=Locale.get_default(),
        ).delete()
        Starter.objects.filter(name__in=[starter[0] for starter in STARTERS]).delete()
        root.refresh_from_db()

    _describe_home(root)
    locale = Locale.get_default()
    site = root.get_site()
    contact_points = [
        ensure_contact_point(data, locale, site) for data in CONTACT_POINTS
    ]

    section = publish_child(
        root,
        SelfHelpIndexPage(
            title="Selvhjelp",
            slug=SECTION_SLUG,
            intro=SECTION_INTRO,
            body=SECTION_BODY,
            show_in_menus=True,
            search_description=(
                "Selvhjelpsgrupper i Fjellbygd: møt noen få andre som står i noe "
                "lignende, del erfaringer og finn veien videre. Gratis, og uten "
                "henvisning."
            ),
        ),
    )
    fill_section(section, contact_points[:2], ARTICLES)
    registration_page = _registration_page(section)
    registration_page.coordinator_groups.add(coordinator_group())
    registration_page.save_revision().publish()
    _registrations(registration_page)
    _avoid_pairs(registration_page)
    _past_registrations(registration_page)
    publish_child(
        section,
        ContactDirectoryPage(
            title="Kontaktpunkter",
            slug="kontaktpunkter",
            search_description=(
                "Frisklivssentraler, frivilligsentraler og andre du kan ringe eller "
                "skrive til om selvhjelp i Fjellbygd og nabokommunene, med "
                "åpningstider."
            ),
            intro=(
                "<p>Her finner du dem som kan svare på spørsmål om selvhjelp der "
                "du bor. Ring eller send en e-post – det er ingen dum grunn til å "
                "ta kontakt.</p>"
            ),
        ),
    )
    return registration_page
