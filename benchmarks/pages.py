"""Benchmark of the public pages at 1x, 10x and 100x the demo data.

Builds the example site's demo content (``example_site/home/demo.py``, what
``manage.py selvhjelp_demo`` loads) in a database of its own, adds one long
article of 39 blocks (the demo's block shapes, plus an image, two page links,
a contact-point list and a document), then grows the data to N times the
demo: 6N contact points in about 2N fictional municipalities, 3N articles
under the self-help section and 100N registrations (at 100x: 600 contact
points, 300 articles, 10,000 registrations). All of it is invented,
Norwegian bokmål, on ``.example`` addresses.

For each size it prints, per page (self-help index, article of 6 blocks,
article of 39 blocks, contact directory, registration form GET): its
queries, its median time over ``--repeat`` requests after a warm-up, its
ratio to a plain page measured in the same run, the HTML size and its
Cache-Control; then the registration POST's queries (the e-mail tasks run in
the request through django-tasks' ImmediateBackend and are counted apart)
and median time, each POST after a fresh GET for its form and CSRF tokens.

The plain page is ``benchmarks/pages_site``'s ``PlainPage``: one rich-text
body in a minimal template extending the example site's ``base.html`` (the
same site chrome). Each page under test gets its own plain page, at the same
depth in the tree (Wagtail routes one query per level) and with as much
visible text as the page under test has in ``<main>``, so the ratio shows
what the package's blocks, queries and includes cost, not the volume of
text. Requests go through Django's test client in-process, with DEBUG off,
without ``setup_test_environment`` (its template instrumentation would bill
every block template), plain and tested pages interleaved.

Goals, marked ok/MISS next to each figure (they never stop the run):
content pages <= 1.3x their plain page and <= plain + 2 queries; the form
GET <= 1.5x and <= plain + 4 queries; the POST <= 20 queries, e-mail tasks
included; every page's HTML under 100 KB (checked at every size; the goal
is set at 100x).

``--serve`` also starts gunicorn (2 sync workers on 127.0.0.1, these
settings, the same database) and measures requests per second of each
content page and its plain page with a small threaded HTTP client. gunicorn
is not a dependency of the package; install it in the virtualenv first::

    pip install gunicorn

``--profile`` runs cProfile over the 39-block article, the directory, the
index and the form GET at the largest size and prints where the time goes;
``--show-sql`` prints every page's queries. The pages run on the local-memory
cache; ``--pages-on-database-cache`` runs them on Django's database cache,
where every cache read is a query (the POST is measured on both anyway).

PostgreSQL by default (``--database-url``, else ``DATABASE_URL``, else the
server on 127.0.0.1:54330); the benchmark creates the database named in the
URL (default ``selvhjelp_bench_pages``) and drops it at the end, so give it
a name of its own: an existing database of that name is dropped first.
Without a reachable PostgreSQL it warns and uses a SQLite file.

    python benchmarks/pages.py                       # 1x, 10x, 100x: ~1 min
    python benchmarks/pages.py --serve --profile     # about 4 min
    python benchmarks/pages.py --sizes 1,10 --repeat 15
    python benchmarks/pages.py --sizes 100 --serve --profile
    python benchmarks/pages.py --database-url postgres://postgres@127.0.0.1:54330/bench_x
"""

import argparse
import contextlib
import copy
import cProfile
import datetime
import html
import http.client
import io
import os
import pstats
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS_MODULE = "benchmarks.pages_site.settings"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:54330/selvhjelp_bench_pages"

#: Goals: (max ratio to the plain page, max extra queries over it).
CONTENT_GOAL = (1.3, 2)
FORM_GOAL = (1.5, 4)
POST_MAX_QUERIES = 20
MAX_HTML_BYTES = 100 * 1024

# Fictional municipality names: a stem and an ending, as Norwegian place
# names are made ("Fjell" + "bygd"). Any likeness to a real place is chance.
STEMS = [
    "Fjell", "Dal", "Elve", "Bjørke", "Gran", "Stø", "Li", "Ås", "Vik", "Nes",
    "Sand", "Berg", "Haug", "Myr", "Skog", "Strand", "Furu", "Lyng", "Bekke",
    "Fosse", "Sjø", "Rype", "Tind", "Bre", "Hei", "Vang", "Sol", "Kvern",
    "Rogn", "Ospe", "Hegg", "Eike", "Lauv", "Mose", "Stein", "Hamar", "Elg",
]  # fmt: skip
ENDINGS = [
    "bygd", "dal", "vik", "nes", "haug", "li", "set", "rud", "stad", "heim",
    "sund", "fjord", "mo", "lia", "berg", "vang", "øy", "åsen",
]  # fmt: skip
SURNAMES = [
    "Demo", "Eksempel", "Prøve", "Fiktiv", "Oppdiktet", "Tenkt", "Lånt",
    "Utkast", "Skisse", "Modell",
]  # fmt: skip
STREETS = [
    "Rådhusvegen", "Torget", "Stasjonsvegen", "Kirkevegen", "Skolegata",
    "Storgata", "Sentrumsvegen", "Helsetunet", "Fjordvegen", "Bygdevegen",
]  # fmt: skip
ROLES = [
    "Selvhjelpsgrupper og igangsettere",
    "Møterom og praktisk hjelp til grupper",
    "Pårørende til personer med rusproblemer",
    "Selvhjelp og møteplasser",
    "Kurs for igangsettere",
    "Samtalegrupper for etterlatte",
    "Psykisk helse for unge voksne",
    "Ensomhet og sosiale møteplasser",
]
OPENING_HOURS = [
    "Mandag–fredag kl. 08–15",
    "Tirsdag og torsdag kl. 10–14",
    "Mandag–fredag kl. 09–15",
    "Onsdag kl. 09–15",
    "",
]
ARTICLE_TITLES = [
    "Selvhjelp ved {topic}",
    "Erfaringer fra en gruppe i {place}",
    "Slik kom gruppa i {place} i gang",
    "Spørsmål og svar om {topic}",
    "Når {topic} tar mye plass",
    "Å være igangsetter i {place}",
]

CONTENT_PAGES = ["index", "info6", "info39", "directory"]
PAGE_LABELS = {
    "index": "self-help index",
    "info6": "info page, {blocks} blocks",
    "info39": "info page, {blocks} blocks",
    "directory": "contact directory",
    "form": "registration form GET",
}


# Database


def choose_database(
    url,
    *,
    name="pages",
    sqlite_note="Figures on SQLite are not the production picture.",
):
    """The database URL to use: PostgreSQL if it answers, else a SQLite file.

    ``name`` names the SQLite file; ``sqlite_note`` says what the fallback
    means for the figures (``fuzz.py`` uses this too).
    """
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        try:
            psycopg.connect(
                host=parts.hostname or "localhost",
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password or None,
                dbname="postgres",
                connect_timeout=3,
            ).close()
            return url
        except psycopg.OperationalError as error:
            warnings.warn(
                f"PostgreSQL at {parts.hostname}:{parts.port} does not answer "
                f"({str(error).strip().splitlines()[0]}); using SQLite instead. "
                + sqlite_note,
                stacklevel=1,
            )
    elif url.startswith("sqlite"):
        return url
    path = Path(tempfile.gettempdir()) / f"selvhjelp_bench_{name}.sqlite3"
    return f"sqlite:///{path}"


# Data


def base_data(rng):
    """The demo (1x), the 39-block article and the plain pages' parents."""
    from wagtail.models import Site

    from benchmarks.pages_site.models import PlainPage
    from example_site.home.demo import load_demo
    from wagtail_selvhjelp.models import (
        ContactDirectoryPage,
        ContactPoint,
        GroupRegistrationPage,
        SelfHelpIndexPage,
        SelfHelpInfoPage,
    )

    home = Site.objects.get(is_default_site=True).root_page.specific
    load_demo(home)
    # Fresh rows before each add_child: treebeard trusts numchild in memory.
    home = type(home).objects.get(pk=home.pk)
    section = SelfHelpIndexPage.objects.get(slug="selvhjelp")
    registration_page = GroupRegistrationPage.objects.child_of(section).get()
    directory = ContactDirectoryPage.objects.child_of(section).get()
    contact_points = list(ContactPoint.objects.order_by("pk")[:3])
    long_page = SelfHelpInfoPage(
        title="Alt om selvhjelpsgrupper i Fjellbygd",
        slug="alt-om-selvhjelpsgrupper",
        intro=(
            "Alt på ett sted: hva selvhjelp er, hvordan en gruppe arbeider, "
            "hva deltakerne forteller og hvem du kan kontakte."
        ),
        facts=[
            ("fact", {"label": "Hvem", "value": "Voksne fra 18 år"}),
            ("fact", {"label": "Pris", "value": "Gratis"}),
            ("fact", {"label": "Henvisning", "value": "Ikke nødvendig"}),
        ],
        body=long_body(registration_page, directory, contact_points),
        live=True,
    )
    section.add_child(instance=long_page)
    # Parents of the plain pages: each plain page sits at the depth of the
    # page it is compared with, because routing costs a query per level.
    plain_parent = home.add_child(
        instance=PlainPage(title="Vanlige sider", slug="vanlig", live=True)
    )
    return {
        "home": home,
        "section": section,
        "registration_page": registration_page,
        "directory": directory,
        "long_page": long_page,
        "info6": SelfHelpInfoPage.objects.get(slug="slik-fungerer-en-gruppe"),
        "plain_parent": plain_parent,
        "rng": rng,
    }


def long_body(registration_page, directory, contact_points):
    """39 blocks: the demo articles' bodies three times, and seven more blocks."""
    from example_site.home import demo

    body = []
    for round_number in range(3):
        for article in demo.ARTICLES:
            for kind, value in article["body"]:
                value = copy.deepcopy(value)
                if round_number and kind == "heading":
                    value["text"] = f"{value['text']} ({round_number + 1})"
                body.append((kind, value))
    extras = [
        (4, ("image", {
            "image": make_image(),
            "alt_text": "Fem personer sitter i ring på en benk ved et vann.",
            "caption": "En gruppe møtes ute om sommeren (illustrasjon).",
        })),
        (11, ("call_to_action", {
            "label": "Meld deg på en selvhjelpsgruppe",
            "page": registration_page,
            "url": "",
        })),
        (14, copy.deepcopy(demo.SECTION_BODY[0])),
        (18, ("contact_points", {
            "heading": "Hvem kan jeg snakke med?",
            "contact_points": contact_points,
        })),
        (27, ("document", {
            "document": make_document(),
            "title": "Last ned brosjyren om selvhjelpsgrupper",
        })),
        (35, ("call_to_action", {
            "label": "Finn kontaktpunktet der du bor",
            "page": directory,
            "url": "",
        })),
    ]  # fmt: skip
    for position, block in sorted(extras, key=lambda item: -item[0]):
        body.insert(position, block)
    return body


def make_image():
    from django.core.files.images import ImageFile
    from PIL import Image, ImageDraw
    from wagtail.images import get_image_model

    picture = Image.new("RGB", (1600, 1000), (112, 146, 128))
    draw = ImageDraw.Draw(picture)
    for step in range(0, 1000, 40):
        draw.rectangle([0, step, 1600, step + 20], fill=(90 + step // 20, 140, 160))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    image = get_image_model()(
        title="Gruppe ved vannet (illustrasjon)",
        file=ImageFile(buffer, name="gruppe-ved-vannet.jpg"),
    )
    image.save()
    return image


def make_document():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    content = b"%PDF-1.4\n% Brosjyre om selvhjelpsgrupper (oppdiktet)\n" * 400
    document = get_document_model()(
        title="Brosjyre om selvhjelpsgrupper",
        file=ContentFile(content, name="brosjyre-selvhjelp.pdf"),
    )
    document.save()
    return document


def municipality_names(count, rng):
    names = [stem + ending for stem in STEMS for ending in ENDINGS]
    names = [n for n in names if n not in {"Fjellbygd", "Dalsetra", "Elvedal"}]
    rng.shuffle(names)
    return names[:count]


def grow(state, size):
    """Add contact points, articles and registrations up to ``size`` x demo."""
    from django.db import transaction

    with transaction.atomic():
        add_contact_points(state, 6 * size)
        add_articles(state, 3 * size)
        add_registrations(state, 100 * size if size > 1 else 0)


def add_contact_points(state, total):
    from django.utils.text import slugify
    from wagtail.models import Locale

    from wagtail_selvhjelp.models import ContactPoint, ContactPointKind

    existing = ContactPoint.objects.count()
    if existing >= total:
        return
    rng = state["rng"]
    from example_site.home.demo import FIRST_NAMES

    names = municipality_names(max(3, total // 3), rng)
    locale = Locale.get_default()
    kinds = [
        (ContactPointKind.HEALTHY_LIFE_CENTRE, "{m} frisklivssentral"),
        (ContactPointKind.VOLUNTEER_CENTRE, "{m} frivilligsentral"),
        (ContactPointKind.MENTAL_HEALTH, "Psykisk helse og rus, {m} kommune"),
        (ContactPointKind.USER_ORGANISATION, "Pårørendeforeningen i {m}"),
        (ContactPointKind.OTHER, "Helsestasjon for ungdom, {m}"),
    ]
    rows = []
    for number in range(existing, total):
        municipality = names[number % len(names)]
        kind, pattern = kinds[(number // len(names)) % len(kinds)]
        organisation = pattern.format(m=municipality)
        domain = slugify(municipality.replace("ø", "o").replace("å", "a"))
        person = rng.random() < 0.6
        rows.append(
            ContactPoint(
                locale=locale,
                live=True,
                organisation=organisation,
                kind=kind,
                contact_person=(
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                    if person
                    else ""
                ),
                role=rng.choice(ROLES),
                email=f"{slugify(kind.label)[:12]}{number}@{domain}.example",
                phone=f"+4799{number:06d}" if rng.random() < 0.9 else "",
                municipality=municipality,
                address=(
                    f"{rng.choice(STREETS)} {rng.randint(1, 40)}\n"
                    f"{rng.randint(1000, 9990)} {municipality}"
                    if rng.random() < 0.7
                    else ""
                ),
                opening_hours=rng.choice(OPENING_HOURS),
                website=(
                    f"https://{domain}.example/selvhjelp/" if rng.random() < 0.3 else ""
                ),
                sort_order=number // len(names),
            )
        )
    ContactPoint.objects.bulk_create(rows, batch_size=500)


def add_articles(state, total):
    from django.utils.text import slugify

    from example_site.home import demo
    from wagtail_selvhjelp.models import SelfHelpIndexPage, SelfHelpInfoPage

    section = SelfHelpIndexPage.objects.get(pk=state["section"].pk)
    # The 39-block page is extra: it is not one of the demo's 3 per 1x.
    existing = SelfHelpInfoPage.objects.child_of(section).count() - 1
    rng = state["rng"]
    topics = [topic.lower() for topic in demo.TOPICS]
    for number in range(existing, total):
        article = demo.ARTICLES[number % len(demo.ARTICLES)]
        title = ARTICLE_TITLES[number % len(ARTICLE_TITLES)].format(
            topic=rng.choice(topics), place=rng.choice(demo.PLACES)
        )
        section.add_child(
            instance=SelfHelpInfoPage(
                title=title,
                slug=f"{slugify(title.replace('å', 'a').replace('ø', 'o'))}-{number}",
                intro=article["intro"],
                facts=[
                    ("fact", {"label": label, "value": value})
                    for label, value in article["facts"]
                ],
                body=copy.deepcopy(article["body"]),
                live=True,
            )
        )


def add_registrations(state, total):
    """Registrations on the demo's registration page, in bulk."""
    from django.utils import timezone

    from example_site.home import demo
    from wagtail_selvhjelp.models import (
        ConsentText,
        Registration,
        RegistrationPlaceChoice,
        RegistrationTimeSlotChoice,
        RegistrationTopicChoice,
    )

    page = state["registration_page"]
    existing = Registration.objects.filter(page=page).count()
    if existing >= total:
        return
    rng = state["rng"]
    places = list(page.places.all())
    slots = list(page.time_slots.all())
    topics = list(page.topics.all())
    consent = ConsentText.for_text(page.consent_text)
    this_year = timezone.localdate().year
    now = timezone.now()
    statuses = (
        ["new"] * 5 + ["waiting"] * 4 + ["contacted"] * 2 + ["placed", "withdrawn"]
    )
    rows, choices = [], []
    for number in range(existing, total):
        home = places[min(int(rng.expovariate(0.6)), len(places) - 1)]
        chosen_places = {home}
        if rng.random() < 0.35:
            chosen_places.add(rng.choice(places))
        chosen_topics = set(rng.sample(topics, k=rng.choice([0, 1, 1, 2, 3])))
        kind = rng.choice(["any", "any", "themed", "mixed"])
        if kind == "themed" and not chosen_topics:
            chosen_topics = {rng.choice(topics)}
        gender = rng.choice(["woman", "woman", "man", "man", "other", ""])
        has_email = rng.random() < 0.8
        rows.append(
            Registration(
                page=page,
                name=f"{rng.choice(demo.FIRST_NAMES)} {rng.choice(SURNAMES)} {number}",
                email=f"deltaker{number}@demo.example" if has_email else "",
                phone=f"+4798{number:06d}"
                if not has_email or rng.random() < 0.5
                else "",
                birth_year=this_year - rng.randint(18, 80),
                group_kind=kind,
                gender=gender,
                single_gender=gender in {"woman", "man"} and rng.random() < 0.15,
                avoid_text=(
                    f"{rng.choice(demo.FIRST_NAMES)} {rng.choice(SURNAMES)}"
                    if rng.random() < 0.05
                    else ""
                ),
                access_needs="Trinnfri adkomst" if rng.random() < 0.1 else "",
                consent_given_at=now,
                consent_text=consent,
                status=rng.choice(statuses),
            )
        )
        choices.append(
            (
                chosen_places,
                set(rng.sample(slots, k=rng.choice([1, 1, 2, 3]))),
                chosen_topics,
            )
        )
    rows = Registration.objects.bulk_create(rows, batch_size=1000)
    place_rows, slot_rows, topic_rows = [], [], []
    by_days = {}
    for registration, (chosen_places, chosen_slots, chosen_topics) in zip(
        rows, choices, strict=True
    ):
        place_rows += [
            RegistrationPlaceChoice(registration=registration, place=p)
            for p in chosen_places
        ]
        slot_rows += [
            RegistrationTimeSlotChoice(registration=registration, time_slot=s)
            for s in chosen_slots
        ]
        topic_rows += [
            RegistrationTopicChoice(registration=registration, topic=t)
            for t in chosen_topics
        ]
        by_days.setdefault(rng.randint(0, 400), []).append(registration.pk)
    RegistrationPlaceChoice.objects.bulk_create(place_rows, batch_size=2000)
    RegistrationTimeSlotChoice.objects.bulk_create(slot_rows, batch_size=2000)
    RegistrationTopicChoice.objects.bulk_create(topic_rows, batch_size=2000)
    # Spread the registration dates over the last 13 months.
    for days, pks in by_days.items():
        moment = now - datetime.timedelta(days=days)
        Registration.objects.filter(pk__in=pks).update(
            created_at=moment, consent_given_at=moment
        )


def data_summary(state):
    from wagtail_selvhjelp.models import ContactPoint, Registration, SelfHelpInfoPage

    municipalities = (
        ContactPoint.objects.live().values("municipality").distinct().count()
    )
    return (
        f"{ContactPoint.objects.live().count()} contact points in {municipalities} "
        f"municipalities, "
        f"{SelfHelpInfoPage.objects.child_of(state['section']).count() - 1} info pages "
        "+ the 39-block one, "
        f"{Registration.objects.count():,} registrations"
    )


# Plain pages with as much text as the page under test


def visible_text(content):
    """The text a reader sees in ``<main>``: no tags, no scripts."""
    from django.utils.html import strip_tags

    page = content.decode()
    match = re.search(r"<main\b[^>]*>(.*)</main>", page, re.S)
    main = match.group(1) if match else page
    main = re.sub(r"<script\b.*?</script>", " ", main, flags=re.S)
    return " ".join(html.unescape(strip_tags(main)).split())


def sentence_pool():
    from django.utils.html import strip_tags

    from example_site.home import demo

    texts = [demo.SECTION_INTRO, demo.REGISTRATION_PRIVACY]
    for article in demo.ARTICLES:
        texts.append(article["intro"])
        for kind, value in article["body"]:
            if kind == "rich_text":
                texts.append(value)
            elif kind == "questions":
                texts += [q["answer"] for q in value["questions"]]
    sentences = []
    for text in texts:
        plain = " ".join(html.unescape(strip_tags(text)).split())
        sentences += [s.strip() + "." for s in plain.split(". ") if s.strip()]
    return [s.replace("..", ".") for s in sentences]


def plain_body(length, rng, pool):
    """Rich text of about ``length`` visible characters, in paragraphs."""
    paragraphs, total = [], 0
    while total < length:
        paragraph = []
        while total < length and len(paragraph) < 5:
            sentence = rng.choice(pool)
            paragraph.append(sentence)
            total += len(sentence) + 1
        paragraphs.append("<p>" + " ".join(paragraph) + "</p>")
    return "".join(paragraphs)


def matched_plain_pages(state, client, urls):
    """One plain page per page under test, with as much visible text."""
    from benchmarks.pages_site.models import PlainPage

    pool = sentence_pool()
    plain = {}
    for key, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        target = len(visible_text(response.content))
        title = state["titles"][key]
        slug = f"vanlig-{key}"
        parent = state["home"] if key == "index" else state["plain_parent"]
        page = PlainPage.objects.filter(slug=slug).first()
        if page is None:
            page = PlainPage(title=title, slug=slug, live=True)
            type(parent).objects.get(pk=parent.pk).add_child(instance=page)
        page.body = plain_body(max(0, target - len(title)), state["rng"], pool)
        page.save()
        plain[key] = page.url
        check = client.get(page.url)
        assert check.status_code == 200, (page.url, check.status_code)
        state.setdefault("text", {})[key] = (target, len(visible_text(check.content)))
    return plain


# Measuring in process


def count_queries(client, url, sql=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if sql is not None:
        sql[url] = [query["sql"] for query in queries.captured_queries]
    return len(queries), response


def median_times(requests, rounds, warmup):
    """Median seconds of each ``(name, function)``, interleaved, order alternating."""
    times = {name: [] for name, _ in requests}
    for round_number in range(warmup + rounds):
        order = requests if round_number % 2 == 0 else requests[::-1]
        for name, function in order:
            start = time.perf_counter()
            function()
            elapsed = time.perf_counter() - start
            if round_number >= warmup:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def get_ok(client, url):
    def function():
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url}: {response.status_code}")
        return response

    return function


def measure_pages(state, rounds, warmup):
    from django.test import Client

    urls = state["urls"]
    plain = state["plain_urls"]
    reader, visitor = Client(), Client()
    requests = []
    for key in urls:
        client = visitor if key == "form" else reader
        requests.append((("plain", key), get_ok(client, plain[key])))
        requests.append((("page", key), get_ok(client, urls[key])))
    medians = median_times(requests, rounds, warmup)
    results = {}
    sql = state.setdefault("sql", {})
    for key in urls:
        client = visitor if key == "form" else reader
        queries, response = count_queries(client, urls[key], sql)
        plain_queries, plain_response = count_queries(client, plain[key], sql)
        results[key] = {
            "queries": queries,
            "plain_queries": plain_queries,
            "seconds": medians[("page", key)],
            "plain_seconds": medians[("plain", key)],
            "bytes": len(response.content),
            "plain_bytes": len(plain_response.content),
            "cache": cache_kind(response),
            "plain_cache": cache_kind(plain_response),
        }
    return results


def cache_kind(response):
    value = response.get("Cache-Control", "")
    if "public" in value:
        return "public"
    if "no-store" in value:
        return "no-store"
    return "private" if "private" in value else (value or "-")


FORM_FIELD = re.compile(r'name="(form_token|csrfmiddlewaretoken)" value="([^"]+)"')


@contextlib.contextmanager
def database_cache():
    """Django's database cache instead of local memory, as many sites run.

    Every cache read is then a query (Wagtail's site root paths, the rate
    limit's table): the POST's goal holds "with any cache backend".
    """
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import override_settings

    location = "selvhjelp_bench_cache"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": location,
            }
        }
    ):
        call_command("createcachetable", location, verbosity=0)
        try:
            yield
        finally:
            caches["default"].clear()


def measure_post(state, rounds, warmup):
    """The registration POST: median time, queries (tasks apart), e-mails."""
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wagtail_selvhjelp.task_backend import signals

    page = state["registration_page"]
    url = state["urls"]["form"]
    client = Client(enforce_csrf_checks=True)
    places = [str(pk) for pk in page.places.values_list("pk", flat=True)]
    slots = [str(pk) for pk in page.time_slots.values_list("pk", flat=True)]
    topics = [str(pk) for pk in page.topics.values_list("pk", flat=True)]
    rng = random.Random(7)
    # One sequence across sizes: every POST is a new person (no duplicates).
    counter = state.setdefault("post_counter", iter(range(10**6)))

    def post():
        form = client.get(url)
        assert form.status_code == 200, form.status_code
        tokens = dict(FORM_FIELD.findall(form.content.decode()))
        number = next(counter)
        data = {
            **tokens,
            "website": "",
            "name": f"Benk Deltaker {number}",
            "email": f"benk{number}@demo.example",
            "phone": "",
            "birth_year": str(rng.randint(1950, 2000)),
            "places": rng.sample(places, 2),
            "time_slots": rng.sample(slots, 1),
            "topics": rng.sample(topics, 2),
            "group_kind": "any",
            "gender": "woman",
            "avoid_text": "",
            "access_needs": "Trinnfri adkomst",
            "message": "",
            "consent": "yes",
        }
        start = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - start
        assert response.status_code == 303, (
            response.status_code,
            response.content[:2000],
        )
        return elapsed

    times = [post() for _ in range(warmup + rounds)][warmup:]

    # One more, counted: queries inside the e-mail tasks are told apart by
    # django-tasks' started/finished signals.
    marks = []
    sent_before = len(getattr(mail, "outbox", []))
    with CaptureQueriesContext(connection) as queries:

        def started(**kwargs):
            marks.append(("start", len(queries)))

        def finished(**kwargs):
            marks.append(("end", len(queries)))

        signals.task_started.connect(started, weak=False)
        signals.task_finished.connect(finished, weak=False)
        try:
            # The GET for the tokens is not counted: subtract it.
            before_get = len(queries)
            form = client.get(url)
            get_queries = len(queries) - before_get
            tokens = dict(FORM_FIELD.findall(form.content.decode()))
            number = next(counter)
            start_post = len(queries)
            response = client.post(
                url,
                {
                    **tokens,
                    "website": "",
                    "name": f"Benk Deltaker {number}",
                    "email": f"benk{number}@demo.example",
                    "birth_year": "1980",
                    "places": places[:2],
                    "time_slots": slots[:1],
                    "topics": topics[:2],
                    "group_kind": "any",
                    "gender": "woman",
                    "access_needs": "Trinnfri adkomst",
                    "consent": "yes",
                },
            )
        finally:
            signals.task_started.disconnect(started)
            signals.task_finished.disconnect(finished)
    assert response.status_code == 303, response.status_code
    post_queries = len(queries) - start_post
    in_tasks = 0
    tasks = 0
    for (kind, at), (kind_end, end) in zip(marks[::2], marks[1::2], strict=False):
        if kind == "start" and kind_end == "end":
            in_tasks += end - at
            tasks += 1
    return {
        "seconds": statistics.median(times),
        "queries": post_queries,
        "task_queries": in_tasks,
        "tasks": tasks,
        "emails": len(getattr(mail, "outbox", [])) - sent_before,
        "get_queries": get_queries,
        "sql": [q["sql"] for q in queries.captured_queries[start_post:]],
    }


# Printing


def mark(ok):
    return "ok" if ok else "MISS"


def print_table(size, summary, results, posts, state, database):
    print()
    print(f"== {size}x data: {summary} ({database}) ==")
    header = (
        f"{'page':<26} {'queries':>7} {'plain':>5} {'median ms':>9} {'plain ms':>8} "
        f"{'x plain':>7} {'HTML KB':>7} {'cache':>8}  goals"
    )
    print(header)
    print("-" * len(header))
    misses = []
    for key, row in results.items():
        label = PAGE_LABELS[key].format(blocks=state["blocks"].get(key, "?"))
        max_ratio, max_extra = FORM_GOAL if key == "form" else CONTENT_GOAL
        ratio = row["seconds"] / row["plain_seconds"]
        extra = row["queries"] - row["plain_queries"]
        goals = [
            (f"time<={max_ratio}x", ratio <= max_ratio),
            (f"queries<=plain+{max_extra}", extra <= max_extra),
            ("HTML<100KB", row["bytes"] < MAX_HTML_BYTES),
        ]
        misses += [f"{size}x {label}: {name}" for name, ok in goals if not ok]
        print(
            f"{label:<26} {row['queries']:>7} {row['plain_queries']:>5} "
            f"{row['seconds'] * 1000:>9.2f} {row['plain_seconds'] * 1000:>8.2f} "
            f"{ratio:>7.2f} {row['bytes'] / 1024:>7.1f} {row['cache']:>8}  "
            + "  ".join(f"{name} {mark(ok)}" for name, ok in goals)
        )
    for label, measured in posts:
        ok = measured["queries"] <= POST_MAX_QUERIES
        if not ok:
            misses.append(f"{size}x {label}: queries<={POST_MAX_QUERIES}")
        print(
            f"{label:<26} {measured['queries']:>7} {'':>5} "
            f"{measured['seconds'] * 1000:>9.2f} {'':>8} {'':>7} {'':>7} {'-':>8}  "
            f"queries<={POST_MAX_QUERIES} {mark(ok)}  "
            f"(303; {measured['queries'] - measured['task_queries']} in the "
            f"request + {measured['task_queries']} in {measured['tasks']} "
            f"e-mail task{'' if measured['tasks'] == 1 else 's'}, "
            f"{measured['emails']} e-mails sent)"
        )
    text = state.get("text", {})
    print(
        "plain pages' visible text (chars, page/plain): "
        + ", ".join(f"{key} {a}/{b}" for key, (a, b) in text.items())
    )
    return misses


def print_sql(state, post):
    print()
    for key, url in state["urls"].items():
        for name, address in (("page", url), ("plain", state["plain_urls"][key])):
            queries = state["sql"].get(address, [])
            print(f"-- {key} {name} {address}: {len(queries)} queries")
            for query in queries:
                print(f"   {query[:220]}")
    print(f"-- registration POST: {len(post['sql'])} queries")
    for query in post["sql"]:
        print(f"   {query[:220]}")


# Serving with gunicorn


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, workers):
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        print("--serve needs gunicorn: pip install gunicorn (not a package dependency)")
        return None, None
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable, "-m", "gunicorn",
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--chdir", str(ROOT),
            "--log-level", "warning",
            "benchmarks.pages_site.wsgi:application",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print("gunicorn exited:", process.stderr.read()[-2000:])
            return None, None
        try:
            status, _ = http_get(port, "/vanlig/")
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    print("gunicorn did not answer within 60 s")
    return None, None


def stop_gunicorn(process):
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def http_get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        return response.status, body
    finally:
        connection.close()


def requests_per_second(port, path, seconds, threads):
    """Requests per second with ``threads`` clients for ``seconds``."""
    stop = time.monotonic() + seconds
    counts = [0] * threads
    errors = []

    def worker(index):
        while time.monotonic() < stop:
            try:
                status, _ = http_get(port, path)
            except OSError as error:
                errors.append(error)
                continue
            if status != 200:
                errors.append(status)
            counts[index] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    start = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - start
    if errors:
        print(f"  {path}: {len(errors)} errors, e.g. {errors[0]!r}")
    return sum(counts) / elapsed


#: Alternations of (plain page, page under test) per page under gunicorn.
SERVE_CYCLES = 4


def serve_and_measure(state, env, seconds, threads, workers):
    process, port = start_gunicorn(env, workers)
    if process is None:
        return None
    try:
        results = {}
        for key in CONTENT_PAGES:
            page, plain = state["urls"][key], state["plain_urls"][key]
            requests_per_second(port, plain, 0.5, threads)  # warm-up
            requests_per_second(port, page, 0.5, threads)
            rates = {"page": [], "plain": []}
            for _ in range(SERVE_CYCLES):
                rates["plain"].append(
                    requests_per_second(port, plain, seconds, threads)
                )
                rates["page"].append(requests_per_second(port, page, seconds, threads))
            results[key] = {name: sum(v) / len(v) for name, v in rates.items()}
        return results
    finally:
        stop_gunicorn(process)


def print_serve(results, state, seconds, threads, workers):
    print(
        f"gunicorn, {workers} sync workers; {threads} client threads; "
        f"{SERVE_CYCLES} x {seconds:.1f} s per page, alternating with its plain page"
    )
    floor = 1 / CONTENT_GOAL[0]
    print(f"{'page':<26} {'req/s':>8} {'plain req/s':>11} {'x plain':>8}  goal")
    for key, row in results.items():
        label = PAGE_LABELS[key].format(blocks=state["blocks"].get(key, "?"))
        ratio = row["page"] / row["plain"]
        print(
            f"{label:<26} {row['page']:>8.1f} {row['plain']:>11.1f} "
            f"{ratio:>8.2f}  >={floor:.2f} (time<={CONTENT_GOAL[0]}x) {mark(ratio >= floor)}"
        )


# Profiling

#: What to add up in a profile: (label, dotted path of the function).
PROFILE_BUCKETS = [
    ("SQL (cursor execute)", "django.db.backends.utils.CursorWrapper._execute_with_wrappers"),
    ("model instances (Model.__init__)", "django.db.models.base.Model.__init__"),
    ("test client request (= 100 %)", "django.test.client.Client.get"),
    ("middleware + handler", "django.core.handlers.base.BaseHandler.get_response"),
    ("wagtail serve view", "wagtail.views.serve"),
    ("Page.route", "wagtail.models.Page.route"),
    ("index get_context", "wagtail_selvhjelp.models.pages.SelfHelpIndexPage.get_context"),
    ("directory get_context", "wagtail_selvhjelp.models.pages.ContactDirectoryPage.get_context"),
    ("Template.render (all templates)", "django.template.base.Template.render"),
    ("get_template / select_template", "django.template.loader.get_template"),
    ("  select_template", "django.template.loader.select_template"),
    ("render_to_string", "django.template.loader.render_to_string"),
    ("{% include_block %}", "wagtail.templatetags.wagtailcore_tags.IncludeBlockNode.render"),
    ("Block.render (StreamField blocks)", "wagtail.blocks.base.Block.render"),
    ("StreamValue prefetch (bulk_to_python)", "wagtail.blocks.stream_block.StreamValue._prefetch_blocks"),
    ("{% pageurl %}", "wagtail.templatetags.wagtailcore_tags.pageurl"),
    ("Page.relative_url", "wagtail.models.Page.relative_url"),
    ("Page.get_url_parts", "wagtail.models.Page.get_url_parts"),
    ("Page.get_parent", "wagtail.models.Page.get_parent"),
    ("Page.specific (per object)", "wagtail.models.specific.SpecificMixin.specific"),
    ("Site.find_for_request", "wagtail.models.Site.find_for_request"),
    ("Site.get_site_root_paths", "wagtail.models.Site.get_site_root_paths"),
    ("|richtext", "wagtail.templatetags.wagtailcore_tags.richtext"),
    ("{% image %}", "wagtail.images.templatetags.wagtailimages_tags.ImageNode.render"),
    ("Image.get_rendition", "wagtail.images.models.AbstractImage.get_rendition"),
    ("Document.get_file_size", "wagtail.documents.models.AbstractDocument.get_file_size"),
    ("inclusion tags (contact point cards)", "django.template.library.InclusionNode.render"),
    ("{% translate %}", "django.templatetags.i18n.TranslateNode.render"),
    ("{% blocktranslate %}", "django.templatetags.i18n.BlockTranslateNode.render"),
    ("phone_display (format_phone)", "wagtail_selvhjelp.phone.format_phone"),
    ("{% regroup %}", "django.template.defaulttags.RegroupNode.render"),
    ("{% include %}", "django.template.loader_tags.IncludeNode.render"),
    ("linebreaksbr filter", "django.template.defaultfilters.linebreaksbr"),
    ("JSON-LD json_ld()", "wagtail_selvhjelp.models.pages.json_ld"),
    ("ContactPoint.to_schema_org", "wagtail_selvhjelp.models.contact_points.ContactPoint.to_schema_org"),
    ("CSP middleware process_response", "csp.middleware.CSPMiddleware.process_response"),
    ("RegistrationForm.__init__", "wagtail_selvhjelp.forms.RegistrationForm.__init__"),
    ("RegistrationForm.get_fieldsets", "wagtail_selvhjelp.forms.RegistrationForm.get_fieldsets"),
    ("ModelChoiceIterator.__iter__", "django.forms.models.ModelChoiceIterator.__iter__"),
    ("widget templates (renderer.render)", "django.forms.renderers.BaseRenderer.render"),
    ("make_form_token (signing)", "wagtail_selvhjelp.guards.make_form_token"),
    ("csrf get_token", "django.middleware.csrf.get_token"),
]  # fmt: skip


def code_key(path):
    """The (file, first line, name) key cProfile files ``path``'s function under."""
    import importlib
    import inspect

    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for name in parts[split:]:
                target = inspect.getattr_static(target, name)
        except AttributeError:
            return None
        break
    else:
        return None
    target = getattr(target, "__func__", target)  # classmethod, staticmethod
    target = getattr(target, "func", target)  # cached_property
    target = getattr(target, "fget", target)  # property
    target = inspect.unwrap(target)
    code = getattr(target, "__code__", None)
    if code is None:
        return None
    return (code.co_filename, code.co_firstlineno, code.co_name)


def profile_pages(state, count):
    from django.test import Client

    client = Client()
    for key in ("info39", "directory", "index", "form"):
        url = state["urls"][key]
        for _ in range(3):
            client.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            client.get(url)
        profiler.disable()
        print_profile(profiler, key, url, count, state)


def print_profile(profiler, key, url, count, state):
    stats = pstats.Stats(profiler)
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if filename.endswith("django/test/client.py") and name == "get":
            total = max(total, ct)
    label = PAGE_LABELS[key].format(blocks=state["blocks"].get(key, "?"))
    print()
    print(f"-- profile: {label} ({url}), {count} requests under cProfile --")
    print(f"{total / count * 1000:.1f} ms per request under the profiler (inflated)")
    print(
        f"{'where (cumulative; buckets nest)':<40} {'ms/req':>7} {'%':>5} {'calls/req':>9}"
    )
    for bucket, path in PROFILE_BUCKETS:
        key = code_key(path)
        if key is None or key not in stats.stats:
            continue
        _cc, calls, _tt, seconds, _callers = stats.stats[key]
        print(
            f"{bucket:<40} {seconds / count * 1000:>7.2f} "
            f"{100 * seconds / total:>5.1f} {calls / count:>9.1f}"
        )
    print("top functions by own time:")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:15]
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in rows:
        where = short_path(filename)
        print(
            f"  {tt / count * 1000:6.2f} ms/req own, {ct / count * 1000:6.2f} cum, "
            f"{nc / count:7.1f} calls/req  {where}:{line}({name})"
        )


def short_path(filename):
    for marker in ("site-packages/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# Main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="data sizes, e.g. 1,10,100")
    parser.add_argument(
        "--repeat", type=int, default=40, help="timed requests per page"
    )
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--serve", action="store_true", help="also measure under gunicorn"
    )
    parser.add_argument("--serve-seconds", type=float, default=1.5)
    parser.add_argument("--serve-threads", type=int, default=4)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile at the largest size"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="default: $DATABASE_URL, else PostgreSQL on 127.0.0.1:54330",
    )
    parser.add_argument(
        "--show-sql", action="store_true", help="print each page's queries at the end"
    )
    parser.add_argument(
        "--pages-on-database-cache",
        action="store_true",
        help="measure the pages on Django's database cache, not local memory "
        "(the POST is measured on both either way)",
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})

    database_url = choose_database(args.database_url)
    media_root = tempfile.mkdtemp(prefix="selvhjelp_bench_media_")
    os.environ["DATABASE_URL"] = database_url
    os.environ["BENCH_MEDIA_ROOT"] = media_root
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE

    import django

    django.setup()
    from django.db import connection

    started = time.monotonic()
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}, {connection.settings_dict['NAME']}"
    else:
        database = f"{vendor} {connection.settings_dict['NAME']}"
    print(
        f"database: {database}; Python {sys.version.split()[0]}, Django {django.get_version()}"
    )
    misses = []
    try:
        from django.test import Client

        state = base_data(random.Random(args.seed))
        state["urls"] = {
            "index": state["section"].url,
            "info6": state["info6"].url,
            "info39": state["long_page"].url,
            "directory": state["directory"].url,
            "form": state["registration_page"].url,
        }
        state["titles"] = {
            "index": state["section"].title,
            "info6": state["info6"].title,
            "info39": state["long_page"].title,
            "directory": state["directory"].title,
            "form": state["registration_page"].title,
        }
        state["blocks"] = {
            "info6": len(state["info6"].body),
            "info39": len(state["long_page"].body),
        }
        for size in sizes:
            build_start = time.monotonic()
            grow(state, size)
            build_seconds = time.monotonic() - build_start
            state["plain_urls"] = matched_plain_pages(state, Client(), state["urls"])
            summary = data_summary(state)
            with (
                database_cache()
                if args.pages_on_database_cache
                else contextlib.nullcontext()
            ):
                results = measure_pages(state, args.repeat, args.warmup)
            post = measure_post(state, max(5, args.repeat // 2), 2)
            with database_cache():
                post_db = measure_post(state, 3, 1)
            posts = [
                ("registration POST", post),
                ("POST, database cache", post_db),
            ]
            misses += print_table(size, summary, results, posts, state, database)
            print(f"(data grown to {size}x in {build_seconds:.1f} s)")
            if args.serve:
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
                    "PYTHONPATH": str(ROOT),
                }
                served = serve_and_measure(
                    state, env, args.serve_seconds, args.serve_threads, 2
                )
                if served:
                    print_serve(
                        served, state, args.serve_seconds, args.serve_threads, 2
                    )
            if args.profile and size == sizes[-1]:
                profile_pages(state, 20)
            if args.show_sql and size == sizes[-1]:
                print_sql(state, post)
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )
        shutil.rmtree(media_root, ignore_errors=True)
    print()
    if misses:
        print(f"goals missed ({len(misses)}):")
        for miss in misses:
            print(f"  {miss}")
    else:
        print("every goal met")
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
