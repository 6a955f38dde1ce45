"""Bokmål and nynorsk for real: each site's standard, each person's standard.

A nynorsk municipality's pages, form errors and e-mails are scanned against
the package's catalogues: no bokmål wording (a ``nb`` msgstr that differs
from the ``nn`` one) and no English source text that nynorsk translates
differently may appear, and the other way round for a bokmål site. A person
who registered in nynorsk gets every later message in nynorsk, whatever
language the coordinator who acts uses.

The scan compares whole strings: each catalogue text is cut at its
placeholders, and only pieces of three words or more that are not part of
any text of the page's own standard count, bounded by non-letters, so a
short word both standards share ("gruppe") never raises a false alarm.
"""

import html
import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import polib
import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.html import strip_tags

import wagtail_selvhjelp
from wagtail_selvhjelp import notifications
from wagtail_selvhjelp.models import (
    OutgoingMessage,
    Registration,
    SelfHelpGroup,
    SelfHelpSiteSettings,
)
from wagtail_selvhjelp.models.invitation_actions import Invite
from wagtail_selvhjelp.models.languages import page_language

from .factories import (
    ContactDirectoryPageFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
    give_starter,
    make_registration_page,
)
from .registration.helpers import token_from


pytestmark = pytest.mark.django_db

LOCALE = Path(wagtail_selvhjelp.__file__).parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
NN_HOST = "dalbygd.example.test"


@pytest.fixture(autouse=True)
def _nynorsk_host_and_quick_forms(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, NN_HOST]
    settings.WAGTAIL_SELVHJELP = {
        **settings.WAGTAIL_SELVHJELP,
        "MINIMUM_FILL_SECONDS": 0,
    }


def _normal(text):
    return " ".join(html.unescape(text).split())


@cache
def catalogue(language):
    """{msgid: [msgstr, …]} of the package's catalogue for ``language``."""
    entries = {}
    for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        if entry.obsolete:
            continue
        strings = (
            list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        )
        key = (entry.msgctxt, entry.msgid)
        entries[key] = [_normal(strip_tags(text)) for text in strings]
        if entry.msgid_plural:
            entries[(entry.msgctxt, entry.msgid)].append(_normal(entry.msgid_plural))
    return entries


def _pieces(text):
    """The parts of ``text`` between placeholders, of three words or more."""
    return {
        piece.strip(" .,:;!?()«»\"'–-")
        for piece in PLACEHOLDER.split(text)
        if len(piece.split()) >= 3
    }


@cache
def foreign_pieces(own):
    """Texts that must not appear on a page or in a message in ``own``: the
    other standard's wording and the English source, where ``own`` says it
    differently, minus any piece found inside a text of ``own`` itself."""
    other = {"nb": "nn", "nn": "nb"}[own]
    mine, theirs = catalogue(own), catalogue(other)
    own_texts = [_normal(text) for texts in mine.values() for text in texts]
    candidates = set()
    for key, texts in theirs.items():
        if texts != mine.get(key):
            for text in texts:
                candidates |= _pieces(text)
        msgid = _normal(strip_tags(key[1]))
        if msgid not in mine.get(key, []):
            candidates |= _pieces(msgid)
    own_blob = "\n".join(own_texts)
    return frozenset(piece for piece in candidates if piece and piece not in own_blob)


def foreign_in(text, own):
    """The foreign pieces found in ``text`` as whole words."""
    text = _normal(strip_tags(text))
    return sorted(
        piece
        for piece in foreign_pieces(own)
        if re.search(r"(?<!\w)" + re.escape(piece) + r"(?!\w)", text)
    )


def own_in(text, own):
    """How many texts of ``own`` that the other standard words differently
    appear in ``text`` (a check that the scan looks at translated text)."""
    other = {"nb": "nn", "nn": "nb"}[own]
    mine, theirs = catalogue(own), catalogue(other)
    text = _normal(strip_tags(text))
    found = 0
    for key, texts in mine.items():
        if texts != theirs.get(key):
            found += any(
                piece in text for value in texts for piece in _pieces(value) if piece
            )
    return found


# Sites


NN_TEXTS = {
    "title": "Meld deg på",
    "privacy_notice": "<p>Vi handsamar opplysningane dine trygt.</p>",
    "consent_text": "Eg samtykkjer til at de lagrar dette.",
    "thank_you_text": "<p>Takk! Vi tek kontakt.</p>",
    "under_age_text": "<p>Du må vere 18 år.</p>",
}


@pytest.fixture(params=["neutral", "nn"])
def nynorsk_site(request, nn_site):
    """A nynorsk municipality: its tree in nynorsk, its standard neutral (the
    page's locale decides) or nynorsk."""
    SelfHelpSiteSettings.objects.create(site=nn_site, language_form=request.param)
    return nn_site


def build_section(root, texts=None):
    section = SelfHelpIndexPageFactory(parent=root, title="Sjølvhjelp")
    info = SelfHelpInfoPageFactory(parent=section, title="Om sjølvhjelp")
    directory = ContactDirectoryPageFactory(parent=section, title="Kontakt")
    page = make_registration_page(section, **(texts or {}))
    return section, info, directory, page


def host_of(site):
    return {"HTTP_HOST": site.hostname}


# (a) a person's standard, whatever the coordinator's


def register(client, page, site, **data):
    from .registration.test_form import valid_data

    token = token_from(client.get(page.url, **host_of(site)))
    response = client.post(page.url, valid_data(page, token, **data), **host_of(site))
    assert response.status_code == 303, response.content.decode()[:2000]
    return Registration.objects.latest("pk")


def test_a_nynorsk_page_records_nynorsk_whatever_the_installations_default(
    client, nynorsk_site, django_capture_on_commit_callbacks
):
    *_, page = build_section(nynorsk_site.root_page, NN_TEXTS)
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        registration = register(client, page, nynorsk_site)
    assert registration.language == "nn"
    receipt = next(m for m in mail.outbox if m.to == ["kari@example.test"])
    assert foreign_in(receipt.subject + "\n" + receipt.body, "nn") == []
    assert own_in(receipt.body, "nn") > 0
    assert set(OutgoingMessage.objects.values_list("language", flat=True)) == {"nn"}


def test_a_bokmal_site_over_a_nynorsk_tree_serves_and_writes_bokmal(
    client, nn_site, django_capture_on_commit_callbacks
):
    """The site's standard wins over its pages' locale (språklova § 11)."""
    SelfHelpSiteSettings.objects.create(site=nn_site, language_form="nb")
    *_, page = build_section(nn_site.root_page)
    response = client.get(page.url, **host_of(nn_site))
    assert response["Content-Language"] == "nb"
    assert foreign_in(response.content.decode(), "nb") == []
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(client, page, nn_site)
    assert registration.language == "nb"


@pytest.fixture
def nynorsk_person(section):
    """A person who registered in nynorsk on a page of a neutral site (the
    other tree's page: its locale is bokmål, theirs is not)."""
    page = make_registration_page(section, group_min_size=3, group_max_size=5)
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        first_meeting_date=timezone.localdate() + timedelta(days=20),
        first_meeting_time="18:30",
        venue="Frivilligsentralen",
    )
    give_starter(group, email="starter@example.test")
    people = []
    for number in range(3):
        registration = Registration.objects.store(
            page=page,
            answers={
                "name": f"Person {number}",
                "email": f"person{number}@example.test",
                "birth_year": 1980,
                "places": [group.place],
                "time_slots": [group.time_slot],
                "group_kind": "any",
            },
            consent_text=page.consent_text,
            language="nn" if number == 0 else None,
        )
        group.add_member(registration)
        people.append(registration)
    assert [person.language for person in people] == ["nn", "nb", "nb"]
    return people[0], group


@pytest.mark.parametrize("coordinator_language", ["nb", "en"])
def test_a_nynorsk_person_gets_nynorsk_when_a_coordinator_acts_in_another(
    nynorsk_person, coordinator_language, django_capture_on_commit_callbacks
):
    person, group = nynorsk_person
    with translation.override(coordinator_language):
        with django_capture_on_commit_callbacks(execute=True):
            Invite([group]).execute(skip_permission_checks=True)
        offer_ids = list(person.offers.values_list("pk", flat=True))
        mail.outbox.clear()
        notifications.send_offers(offer_ids, notifications.OfferReminder)
        reminder = mail.outbox[-1]
        offer = person.offers.get()
        read_out = notifications.OfferMessage(
            notifications.get_registration(person.pk), offer
        ).read_out()
    assert reminder.to == [person.email]
    for text in (reminder.subject + "\n" + reminder.body, read_out):
        assert foreign_in(text, "nn") == [], text
        assert own_in(text, "nn") > 0, text


@pytest.mark.parametrize("coordinator_language", ["nb", "en"])
def test_the_meeting_details_and_calendar_are_in_each_persons_standard(
    nynorsk_person, coordinator_language
):
    person, group = nynorsk_person
    group.status = "active"
    group.started_on = timezone.localdate()
    group.save()
    with translation.override(coordinator_language):
        notifications.send_meeting_details(group.pk)
    by_address = {message.to[0]: message for message in mail.outbox}
    theirs = by_address[person.email]
    calendar = theirs.attachments[0][1]
    if isinstance(calendar, bytes):
        calendar = calendar.decode()
    calendar = calendar.replace("\r\n ", "").replace("\\n", "\n").replace("\\,", ",")
    assert foreign_in(theirs.body, "nn") == []
    assert own_in(theirs.body, "nn") > 0
    assert foreign_in(calendar, "nn") == []
    # The others registered in bokmål, the page's standard; so is the starter's.
    for address in ("person1@example.test", "starter@example.test"):
        assert foreign_in(by_address[address].body, "nb") == []
    rows = OutgoingMessage.objects.filter(registration__isnull=False)
    assert {(row.registration_id, row.language) for row in rows} == {
        (person.pk, "nn"),
        *(
            (pk, "nb")
            for pk in group.memberships.exclude(registration=person).values_list(
                "registration_id", flat=True
            )
        ),
    }


def test_the_coordinators_notice_is_in_the_pages_language(
    section, django_capture_on_commit_callbacks
):
    """A nynorsk registration on a bokmål page: the coordinators read bokmål."""
    page = make_registration_page(section)
    registration = Registration.objects.store(
        page=page,
        answers={
            "name": "Nils",
            "email": "nils@example.test",
            "birth_year": 1980,
            "places": [page.places.first()],
            "time_slots": [page.time_slots.first()],
            "group_kind": "any",
        },
        consent_text=page.consent_text,
        language="nn",
    )
    notifications.send_for(
        registration.pk, notifications.CoordinatorNotice, notifications.Receipt
    )
    notice, receipt = (
        next(m for m in mail.outbox if m.to == [address])
        for address in ("koordinator@example.test", "nils@example.test")
    )
    assert foreign_in(notice.body, "nb") == []
    assert foreign_in(receipt.body, "nn") == []
    assert own_in(receipt.body, "nn") > 0


def test_rows_from_before_fall_back_to_the_pages_language(section):
    page = make_registration_page(section)
    from .factories import RegistrationFactory

    registration = RegistrationFactory(page=page)
    assert registration.language == ""
    assert notifications.language(registration) == page_language(page) == "nb"


# (b) the scan of a whole site


def public_texts(client, site, section, info, directory, page):
    """Each public page of the package, the form with its errors, and the
    thank-you page, as the site's visitors get them."""
    from .registration.test_form import valid_data

    host = host_of(site)
    texts = {}
    for name, url in (
        ("index", section.url),
        ("info", info.url),
        ("directory", directory.url),
        ("form", page.url),
    ):
        response = client.get(url, **host)
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    token = token_from(client.get(page.url, **host))
    errors = client.post(
        page.url,
        valid_data(page, token, name="", email="ikkje-ei-adresse", consent=None),
        **host,
    )
    assert errors.status_code == 200
    texts["errors"] = errors.content.decode()
    token = token_from(client.get(page.url, **host))
    done = client.post(page.url, valid_data(page, token), **host)
    texts["thank-you"] = client.get(done["Location"], **host).content.decode()
    return texts


def add_emails(texts):
    for message in mail.outbox:
        texts[f"e-mail to {message.to[0]}"] = message.subject + "\n" + message.body
    return texts


def test_a_nynorsk_site_shows_no_bokmal_and_no_english(
    client, nynorsk_site, django_capture_on_commit_callbacks
):
    pages = build_section(nynorsk_site.root_page, NN_TEXTS)
    with translation.override("nb"), django_capture_on_commit_callbacks(execute=True):
        texts = public_texts(client, nynorsk_site, *pages)
    add_emails(texts)
    assert "e-mail to kari@example.test" in texts
    assert "e-mail to koordinator@example.test" in texts
    found = {name: foreign_in(text, "nn") for name, text in texts.items()}
    assert found == {name: [] for name in texts}
    # The scan looks at translated words: the package's own texts are there.
    assert all(
        own_in(text, "nn")
        for name, text in texts.items()
        if name not in ("index", "info", "directory")
    ), {name: own_in(text, "nn") for name, text in texts.items()}


def test_a_bokmal_site_shows_no_nynorsk_and_no_english(
    client, home_page, django_capture_on_commit_callbacks
):
    site = home_page.get_site()
    pages = build_section(home_page)
    with translation.override("nn"), django_capture_on_commit_callbacks(execute=True):
        texts = public_texts(client, site, *pages)
    add_emails(texts)
    assert "e-mail to kari@example.test" in texts
    assert "e-mail to koordinator@example.test" in texts
    found = {name: foreign_in(text, "nb") for name, text in texts.items()}
    assert found == {name: [] for name in texts}
    # The scan looks at translated words: the package's own texts are there.
    assert all(
        own_in(text, "nb")
        for name, text in texts.items()
        if name not in ("index", "info", "directory")
    ), {name: own_in(text, "nb") for name, text in texts.items()}


# (c) a neutral municipality's two trees


@pytest.fixture
def example_i18n(settings):
    """The example site's translated trees: WAGTAIL_I18N_ENABLED, Django's
    LocaleMiddleware and its URLs with /nn/ (the test settings turn them off)."""
    import importlib

    from django.urls import clear_url_caches

    import example_site.urls

    settings.WAGTAIL_I18N_ENABLED = True
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "django.middleware.locale.LocaleMiddleware",
    )
    settings.MIDDLEWARE = middleware
    importlib.reload(example_site.urls)
    clear_url_caches()
    yield
    settings.WAGTAIL_I18N_ENABLED = False
    importlib.reload(example_site.urls)
    clear_url_caches()


@pytest.fixture
def two_trees(example_i18n, home_page):
    """A neutral site: a bokmål tree and its nynorsk translation (the
    section and its info page translated, the directory not)."""
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code="nn")
    section = SelfHelpIndexPageFactory(parent=home_page, title="Selvhjelp")
    info = SelfHelpInfoPageFactory(parent=section, title="Om selvhjelp")
    directory = ContactDirectoryPageFactory(parent=section, title="Kontakt")
    nynorsk = Locale.objects.get(language_code="nn")
    home_nn = home_page.copy_for_translation(nynorsk)
    home_nn.save_revision().publish()
    section_nn = section.copy_for_translation(nynorsk)
    section_nn.title = "Sjølvhjelp"
    section_nn.save_revision().publish()
    info_nn = info.copy_for_translation(nynorsk)
    info_nn.title = "Om sjølvhjelp"
    info_nn.save_revision().publish()
    return (
        info,
        info_nn.specific_class.objects.get(pk=info_nn.pk),
        directory,
        section_nn,
    )


def alternates(html_text):
    return dict(
        re.findall(
            r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html_text
        )
    )


def test_translated_pages_link_each_other_with_hreflang(client, two_trees):
    info, info_nn, *_ = two_trees
    for page in (info, info_nn):
        html_text = client.get(page.url).content.decode()
        assert alternates(html_text) == {
            "nb": info.full_url,
            "nn": info_nn.full_url,
            "x-default": info.full_url,
        }
    assert info_nn.url.startswith("/nn/")
    nynorsk = client.get(info_nn.url)
    assert nynorsk["Content-Language"] == "nn"
    assert f'<a href="{info.url}" hreflang="nb">' in nynorsk.content.decode()


def test_a_page_without_translation_says_so_in_the_other_standard(client, two_trees):
    *_, directory, section_nn = two_trees
    html_text = client.get(directory.url).content.decode()
    assert alternates(html_text) == {}
    with translation.override("nn"):
        notice = translation.gettext("This page is not available in %(language)s.")
    assert notice.split("%")[0] in html_text
    assert f'<a href="{section_nn.url}" hreflang="nn">Sjølvhjelp</a>' in html_text


def test_without_translated_trees_there_is_no_switcher_and_no_query(
    client, section, django_assert_num_queries
):
    html_text = client.get(section.url).content.decode()
    assert "selvhjelp-languages" not in html_text
    assert alternates(html_text) == {}


def test_the_nynorsk_tree_is_served_under_nn(client, two_trees):
    *_, section_nn = two_trees
    home = client.get("/nn/")
    assert home.status_code == 200
    assert '<html lang="nn">' in home.content.decode()
    section = client.get(section_nn.url)
    assert section.status_code == 200
    assert "Sjølvhjelp" in section.content.decode()
