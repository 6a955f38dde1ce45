"""The demo's second municipality: Lauvdal, a fictional neighbour in nynorsk.

Lauvdal has chosen nynorsk as its written standard, as 113 of Norway's
municipalities had. It is a Wagtail ``Site`` of its own on the same
installation as Fjellbygd (``demo.py``): its own home page and self-help
section (pages in locale ``nn``), its own contact points, registration page,
coordinators and registrations, and one contact point both municipalities
share, the regional centre. The texts are written in nynorsk for this
project, not converted from the bokmål ones. Everything is invented; e-mail
addresses are on the reserved ``.example`` domain.

``make demo`` serves it on a second host name (HOST_NN, ``localhost`` by
default, beside ``127.0.0.1`` for Fjellbygd): ``DEMO_NYNORSK_BASE_URL`` in
the settings.
"""

import datetime
import random
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from wagtail_selvhjelp.choices import GroupKind, RegistrationStatus
from wagtail_selvhjelp.models import (
    ConsentText,
    ContactDirectoryPage,
    ContactPoint,
    ContactPointKind,
    GroupRegistrationPage,
    Registration,
    SelfHelpIndexPage,
    SelfHelpSiteSettings,
)

from . import demo
from .models import HomePage


LANGUAGE_CODE = "nn"
MUNICIPALITY = "Lauvdal kommune"
#: The slug of Lauvdal's home page, the root of its site.
HOME_SLUG = "lauvdal"
SECTION_SLUG = "sjolvhjelp"

#: Lauvdal's coordinators: a Django group on its registration page only.
COORDINATOR_GROUP = "Sjølvhjelp Lauvdal – koordinatorar"
COORDINATOR_USERNAME = "koordinator-nn"

#: What the site settings sign Lauvdal's messages and privacy notices with.
SITE_SETTINGS = {
    "email_sender_name": "Lauvdal kommune, sjølvhjelp",
    "email_sender_address": "sjolvhjelp@lauvdal.example",
    "controller_name": "Lauvdal kommune, Storvegen 4, 3597 Lauvdal",
    "dpo_name": "Personvernombodet i Lauvdal (demo)",
    "dpo_contact": "personvern@lauvdal.example",
    "sms_sender": "Lauvdal",
    "language_form": "nn",
}

CONTACT_POINTS = [
    {
        "organisation": "Lauvdal frisklivssentral",
        "kind": ContactPointKind.HEALTHY_LIFE_CENTRE,
        "contact_person": "Astrid Døme",
        "role": "Sjølvhjelpsgrupper og igangsetjarar",
        "email": "friskliv@lauvdal.example",
        "phone": "+4799900201",
        "municipality": "Lauvdal",
        "address": "Kommunehuset, Storvegen 4\n3597 Lauvdal",
        "opening_hours": "Måndag–fredag kl. 08.30–15",
        "sort_order": 0,
    },
    {
        "organisation": "Frivilligsentralen i Lauvdal",
        "kind": ContactPointKind.VOLUNTEER_CENTRE,
        "contact_person": "Knut Oppdikta",
        "role": "Møterom, kaffi og praktisk hjelp til gruppene",
        "email": "frivillig@lauvdal.example",
        "phone": "+4799900202",
        "municipality": "Lauvdal",
        "address": "Kyrkjebakken 2\n3597 Lauvdal",
        "opening_hours": "Tysdag og torsdag kl. 10–14",
        "sort_order": 1,
    },
    {
        "organisation": "Psykisk helse- og rustenesta i Lauvdal",
        "kind": ContactPointKind.MENTAL_HEALTH,
        "contact_person": "",
        "role": "Samtalar og rettleiing, òg for pårørande",
        "email": "psykiskhelse@lauvdal.example",
        "phone": "+4799900203",
        "municipality": "Lauvdal",
        "address": "",
        "opening_hours": "Måndag–fredag kl. 09–15",
        "sort_order": 2,
    },
    {
        "organisation": "Helsestasjonen i Lauvdal",
        "kind": ContactPointKind.OTHER,
        "contact_person": "",
        "role": "Helsesjukepleiar for ungdom under 18 år",
        "email": "helsestasjonen@lauvdal.example",
        "phone": "+4799900204",
        "municipality": "Lauvdal",
        "address": "Storvegen 4\n3597 Lauvdal",
        "opening_hours": "Onsdag kl. 12–16, utan timeavtale",
        "sort_order": 3,
    },
]

#: The regional centre in nynorsk: the translation of Fjellbygd's entry.
REGIONAL_CENTRE = {
    "organisation": demo.REGIONAL_CENTRE,
    "kind": ContactPointKind.NATIONAL_CENTRE,
    "contact_person": "",
    "role": "Kurs for igangsetjarar og rettleiing til kommunane",
    "email": "region@mestring-demo.example",
    "phone": "+4799900106",
    "municipality": "Heile regionen",
    "address": "",
    "opening_hours": "Måndag–fredag kl. 09–15",
    "sort_order": 0,
}

HOME_INTRO = (
    "<p>Lauvdal er ein oppdikta fjellkommune. Her kan du lese om "
    "sjølvhjelpsgrupper, finne nokon å snakke med og melde deg på ei gruppe.</p>"
)
HOME_DESCRIPTION = (
    "Lauvdal kommune er ein oppdikta kommune som skriv nynorsk. Her finn du "
    "sjølvhjelpsgrupper, kontaktpunkt og påmelding."
)

SECTION_INTRO = (
    "<p>Står du i noko tungt, kan det hjelpe å møte andre som veit korleis det "
    "kjennest. I ei sjølvhjelpsgruppe møtest nokre få menneske jamleg for å "
    "dele erfaringar og støtte kvarandre. Det er ingen terapeut og ingen "
    "leiar: de finn vegen vidare saman. Det kostar ingenting, og du treng "
    "inga tilvising.</p>"
)

SECTION_BODY = [
    (
        "key_figures",
        {
            "heading": "Sjølvhjelp i Lauvdal i tal",
            "figures": [
                {
                    "value": "3",
                    "label": "grupper møtest i kommunen no",
                    "source": "Demotal – ikkje frå ei verkeleg teljing",
                },
                {"value": "4–8", "label": "deltakarar i kvar gruppe", "source": ""},
                {"value": "0 kr", "label": "kostar det å vere med", "source": ""},
            ],
        },
    ),
]

ARTICLES = [
    {
        "title": "Kva er sjølvorganisert sjølvhjelp?",
        "slug": "kva-er-sjolvhjelp",
        "search_description": (
            "Sjølvorganisert sjølvhjelp er å ta tak i eigen situasjon saman med "
            "andre som står i noko liknande. Les kven det passar for."
        ),
        "intro": (
            "Sjølvhjelp er å ta tak i eigen situasjon, i eige tempo, saman med "
            "andre som står i noko liknande."
        ),
        "facts": [
            ("For kven", "Vaksne frå 18 år"),
            ("Kostnad", "Gratis"),
            ("Tilvising", "Treng du ikkje"),
        ],
        "body": [
            (
                "rich_text",
                "<p>Mange ber på tankar dei aldri har sagt til nokon: om angst, "
                "sorg, eit samlivsbrot, ein sjukdom eller ein dei er glade i som "
                "har det vondt. Sjølvorganisert sjølvhjelp byggjer på at du "
                "sjølv kjenner ditt eige liv best. I gruppa er det ingen som "
                "skal rette på deg. De lyttar, deler det de vil dele, og finn "
                "ut kva som hjelper.</p>",
            ),
            (
                "heading",
                {"text": "Kva kan ei gruppe gje deg?", "level": "h2", "anchor": ""},
            ),
            (
                "points",
                {
                    "heading": "",
                    "points": [
                        "Ein fast stad der du kan seie ting høgt.",
                        "Erfaringar frå folk som har vore gjennom noko av det same.",
                        "Kjensla av at du ikkje er åleine om det.",
                        "Høve til å hjelpe andre – det gjer ofte godt òg.",
                    ],
                },
            ),
            (
                "quote",
                {
                    "quote": "Eg gjekk dit for å lytte. Etter kvart merka eg at "
                    "eg hadde noko å gje òg.",
                    "attribution": "Deltakar, 62 år (oppdikta sitat)",
                },
            ),
        ],
    },
    {
        "title": "Korleis gruppa fungerer",
        "slug": "korleis-gruppa-fungerer",
        "search_description": (
            "Små, lukka grupper med teieplikt: kva som skjer frå du melder deg "
            "på, kva igangsetjaren gjer, og korleis gruppa held fram på eiga hand."
        ),
        "intro": (
            "Gruppene er små og lukka, og det som blir sagt, blir verande i "
            "gruppa. Her ser du korleis det går føre seg frå du melder deg på."
        ),
        "facts": [
            ("Storleik", "4–8 deltakarar"),
            ("Møte", "Same tid og stad, gjerne kvar eller annakvar veke"),
            ("Teieplikt", "Alle lovar å halde på det som blir sagt i gruppa"),
        ],
        "body": [
            (
                "heading",
                {"text": "Frå påmelding til første møte", "level": "h2", "anchor": ""},
            ),
            (
                "rich_text",
                "<p>Når vi har fått påmeldinga di, ringjer eller skriv ein "
                "koordinator til deg. Ut frå det du har fortalt om kva du "
                "ønskjer, kvar du bur og når du kan, set vi saman ei gruppe. Bur "
                "du i ein liten krins, kan det ta litt tid før de er mange "
                "nok.</p>",
            ),
            ("heading", {"text": "Igangsetjaren", "level": "h2", "anchor": ""}),
            (
                "rich_text",
                "<p>Dei første gongene er ein igangsetjar med. Igangsetjaren "
                "hjelper gruppa i gang: de blir kjende, lagar avtalar om "
                "teieplikt og oppmøte, og finn ei form som passar for dykk. "
                "Sidan trekkjer igangsetjaren seg ut, og gruppa held fram på "
                "eiga hand.</p>",
            ),
            ("heading", {"text": "Ei lukka gruppe", "level": "h2", "anchor": ""}),
            (
                "rich_text",
                "<p>Når gruppa har kome i gang, tek ho ikkje inn nye utan at alle "
                "i gruppa er samde om det. Vi prøver òg å unngå at nær familie "
                "eller gode vener hamnar i same gruppe.</p>",
            ),
        ],
    },
    {
        "title": "Ofte stilte spørsmål",
        "slug": "ofte-stilte-sporsmal",
        "search_description": (
            "Treng du diagnose, kva kostar det, og kor mykje må du fortelje? "
            "Korte svar før du melder deg på ei sjølvhjelpsgruppe."
        ),
        "intro": "Dette lurer mange på før dei melder seg på.",
        "facts": [],
        "body": [
            (
                "questions",
                {
                    "heading": "",
                    "questions": [
                        {
                            "question": "Må eg ha ein diagnose?",
                            "answer": "<p>Nei. Du treng korkje diagnose eller "
                            "tilvising frå fastlegen. Det held at du ønskjer å "
                            "gjere noko med situasjonen din.</p>",
                        },
                        {
                            "question": "Kva kostar det?",
                            "answer": "<p>Ingenting. Kommunen tek seg av "
                            "møterom og kaffi.</p>",
                        },
                        {
                            "question": "Kor mykje må eg fortelje?",
                            "answer": "<p>Berre det du sjølv vil. Mange seier "
                            "lite dei første gongene, og det er heilt i "
                            "orden.</p>",
                        },
                        {
                            "question": "Eg kjenner kanskje nokon i gruppa. Kva då?",
                            "answer": "<p>Skriv det i påmeldinga eller sei det "
                            "til koordinatoren, så tek vi omsyn til det når vi "
                            "set saman gruppa.</p>",
                        },
                        {
                            "question": "Kan eg slutte når eg vil?",
                            "answer": "<p>Ja, når som helst. Gje gjerne gruppa "
                            "beskjed, så dei ikkje lurer på kvar du vart av.</p>",
                        },
                        {
                            "question": "Eg er under 18 år. Kven kan eg snakke med?",
                            "answer": "<p>Gruppene er for vaksne, men "
                            "helsesjukepleiaren på helsestasjonen eller skulen "
                            "er der for deg. Du finn dei under "
                            "«Kontaktpunkt».</p>",
                        },
                    ],
                },
            ),
        ],
    },
]

#: Four places in Lauvdal, none of them Fjellbygd's.
PLACES = ["Lauvdal sentrum", "Åsbygda", "Kvernhusbakken", "Myrvang"]
TIME_SLOTS = ["Kvardagar på dagtid", "Kvardagskveldar", "Helg"]
TOPICS = [
    "Angst og uro",
    "Depresjon",
    "Sorg og sakn",
    "Pårørande",
    "Rus og avhengnad",
    "Einsemd",
    "Samlivsbrot",
    "Kronisk sjukdom og smerter",
]
#: Fictional registrants: first name and gender.
PEOPLE = [
    ("Ragnhild", "woman"),
    ("Gunnar", "man"),
    ("Solveig", "woman"),
    ("Halvard", "man"),
    ("Kim", "other"),
    ("Sigrun", "woman"),
    ("Torleiv", "man"),
    ("Brynhild", "woman"),
    ("Eivind", "man"),
    ("Aslaug", "woman"),
    ("Robin", ""),
    ("Olav", "man"),
]


def registration_privacy(page):
    """Lauvdal's privacy notice, with the page's own retention rules."""
    retention = page.get_retention()
    return (
        "<p>Lauvdal kommune ved frisklivssentralen har ansvaret for "
        "opplysningane du gjev her. Vi brukar dei berre til å setje saman "
        "sjølvhjelpsgrupper og til å kontakte deg om det, og berre "
        "koordinatorane for sjølvhjelp kan sjå dei. Ventar du på ei gruppe, "
        f"spør vi etter {retention.reconfirm_months} månader om du "
        "framleis ønskjer det; høyrer vi ikkje frå deg innan "
        f"{retention.reconfirm_grace_days} dagar, slettar vi påmeldinga. "
        "Når gruppa di er slutt eller du går ut av ho, slettar vi "
        f"opplysningane etter {retention.after_group_months} månader. "
        "Trekkjer du deg, slettar vi alt med ein gong. Du kan når som helst be "
        "om å få sjå det du har sendt inn. (Dette er ein demotekst.)</p>"
    )


def _registration_page(section):
    page = GroupRegistrationPage(
        title="Meld deg på ei sjølvhjelpsgruppe",
        slug="meld-deg-pa",
        search_description=(
            "Meld deg på ei sjølvhjelpsgruppe i Lauvdal. Det tek om lag fem "
            "minutt, er gratis, og ein koordinator tek kontakt etterpå."
        ),
        intro=(
            "<p>Fortel litt om deg sjølv og kva du ønskjer, så prøver vi å "
            "finne ei gruppe som passar. Du treng inga tilvising, og det "
            "kostar ingenting.</p>"
        ),
        consent_text=(
            "Eg samtykkjer i at Lauvdal kommune lagrar det eg har skrive her "
            "for å setje saman sjølvhjelpsgrupper, og at dei kontaktar meg om det."
        ),
        thank_you_text=(
            "<p>Takk! Påmeldinga di er komen fram. Ein koordinator tek kontakt "
            "med deg for ein kort prat. Er det få påmelde der du bur, kan det "
            "ta ei tid før gruppa er klar – vi held deg orientert.</p>"
        ),
        under_age_text=(
            "<p>Gruppene våre er for deg som er 18 år eller eldre, så vi har "
            "ikkje teke vare på påmeldinga. Ta gjerne kontakt med "
            "helsesjukepleiaren på helsestasjonen eller skulen, eller med "
            "fastlegen din – dei kan hjelpe deg vidare.</p>"
        ),
        ask_gender=True,
        ask_avoid=True,
        ask_access_needs=True,
        notify_emails="koordinator@lauvdal.example",
    )
    page.privacy_notice = registration_privacy(page)
    demo.set_choices(page, PLACES, TIME_SLOTS, TOPICS)
    return demo.publish_child(section, page)


def _registrations(page):
    """A short waiting list, so Lauvdal's coordinator has people to see."""
    rng = random.Random(2027)  # noqa: S311 - demo data, not security
    places = list(page.places.all())
    slots = list(page.time_slots.all())
    topics = list(page.topics.all())
    consent = ConsentText.for_text(page.consent_text)
    this_year = timezone.localdate().year
    statuses = [RegistrationStatus.NEW] * 2 + [RegistrationStatus.WAITING] * 3
    for number, (first_name, gender) in enumerate(PEOPLE, start=1):
        registration = Registration.objects.create(
            page=page,
            name=f"{first_name} Døme {number:02d}",
            email=f"deltakar{number:02d}@lauvdal-demo.example" if number % 4 else "",
            phone="" if number % 4 and number % 3 else f"+47998{number:05d}",
            birth_year=this_year - rng.randint(19, 78),
            group_kind=rng.choice([GroupKind.ANY, GroupKind.MIXED, GroupKind.THEMED]),
            gender=gender,
            consent_given_at=timezone.now(),
            consent_text=consent,
            status=rng.choice(statuses),
            language="nn",
        )
        registration.places.set({places[number % len(places)], rng.choice(places)})
        registration.time_slots.set(rng.sample(slots, k=rng.choice([1, 2])))
        registration.topics.set(rng.sample(topics, k=rng.choice([1, 1, 2])))
        registered = timezone.now() - datetime.timedelta(
            days=rng.randint(0, 90), hours=rng.randint(0, 23)
        )
        Registration.objects.filter(pk=registration.pk).update(
            created_at=registered, consent_given_at=registered
        )


def site_address():
    """(host name, port) of Lauvdal's site, from ``DEMO_NYNORSK_BASE_URL``."""
    address = urlsplit(settings.DEMO_NYNORSK_BASE_URL)
    return address.hostname, address.port or (443 if address.scheme == "https" else 80)


def home_page():
    """Lauvdal's home page, or None before the demo made it."""
    return HomePage.objects.filter(depth=2, slug=HOME_SLUG).first()


def site():
    """Lauvdal's site, or None before the demo made it."""
    home = home_page()
    return Site.objects.filter(root_page=home).first() if home else None


def _site(locale):
    """Lauvdal's home page and site, made once and kept by ``--force``."""
    home = home_page()
    if home is None:
        home = HomePage(
            title=MUNICIPALITY,
            slug=HOME_SLUG,
            locale=locale,
            intro=HOME_INTRO,
            search_description=HOME_DESCRIPTION,
        )
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision().publish()
    lauvdal = site()
    if lauvdal is None:
        hostname, port = site_address()
        lauvdal = Site.objects.create(
            hostname=hostname, port=port, site_name=MUNICIPALITY, root_page=home
        )
    return home, lauvdal


def load_demo(*, force=False):
    """Build Lauvdal's site and section; return True if anything was made."""
    return _load_content(force=force) is not None


@transaction.atomic
def _load_content(*, force=False):
    """Lauvdal's site, section, pages and registrations; the registration
    page, or None when they are there already and ``force`` is not given."""
    locale, _created = Locale.objects.get_or_create(language_code=LANGUAGE_CODE)
    home, lauvdal = _site(locale)
    existing = SelfHelpIndexPage.objects.child_of(home).filter(slug=SECTION_SLUG)
    if existing.exists():
        if not force:
            return None
        for page in existing:
            page.delete()
        ContactPoint.objects.filter(
            organisation__in=[
                *(data["organisation"] for data in CONTACT_POINTS),
                REGIONAL_CENTRE["organisation"],
            ],
            locale=locale,
        ).delete()
        home.refresh_from_db()

    SelfHelpSiteSettings.objects.update_or_create(site=lauvdal, defaults=SITE_SETTINGS)
    contact_points = [
        demo.ensure_contact_point(data, locale, lauvdal) for data in CONTACT_POINTS
    ]
    regional_nb = ContactPoint.objects.filter(
        organisation=demo.REGIONAL_CENTRE, locale=Locale.get_default()
    ).first()
    regional = demo.ensure_contact_point(
        REGIONAL_CENTRE, locale, lauvdal, translation_of=regional_nb
    )
    # The regional centre: each municipality's text belongs to it and is
    # shared with the other municipality.
    if regional_nb is not None and regional_nb.site_id:
        regional.shared_with_sites.set([regional_nb.site_id])
        regional_nb.shared_with_sites.add(lauvdal)

    section = demo.publish_child(
        home,
        SelfHelpIndexPage(
            title="Sjølvhjelp",
            slug=SECTION_SLUG,
            intro=SECTION_INTRO,
            body=SECTION_BODY,
            show_in_menus=True,
            search_description=(
                "Sjølvhjelpsgrupper i Lauvdal: møt nokre få andre som kjenner "
                "seg att i det du står i. Gratis, og utan tilvising."
            ),
        ),
    )
    demo.fill_section(section, [contact_points[0], regional], ARTICLES)
    registration_page = _registration_page(section)
    registration_page.coordinator_groups.add(demo.coordinator_group(COORDINATOR_GROUP))
    registration_page.save_revision().publish()
    _registrations(registration_page)
    demo.publish_child(
        section,
        ContactDirectoryPage(
            title="Kontaktpunkt",
            slug="kontaktpunkt",
            search_description=(
                "Kven du kan ringje eller skrive til om sjølvhjelp i Lauvdal, "
                "med opningstider."
            ),
            intro=(
                "<p>Lurer du på noko om sjølvhjelp, eller vil du berre prate "
                "med nokon først? Her er dei du kan ta kontakt med. Ingen "
                "spørsmål er for små.</p>"
            ),
        ),
    )
    return registration_page
