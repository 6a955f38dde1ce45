"""Every page of the package describes itself to search engines.

The editor's "search description" comes first; without it the page makes one
from its own words (intro, else the body's first paragraph), as plain text
of at most 155 characters cut at a word; a page with no words says what the
page type is for, in the page's language. In bokmål and nynorsk sites alike.
"""

import html
import re

import pytest
from django.utils import translation

from wagtail_selvhjelp.models import (
    ContactDirectoryPage,
    GroupRegistrationPage,
    MetaDescriptionMixin,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
)
from wagtail_selvhjelp.models.descriptions import DESCRIPTION_LENGTH, summarise

from .factories import (
    ContactDirectoryPageFactory,
    ContactPointFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
    make_registration_page,
)


pytestmark = pytest.mark.django_db

#: Each page type's intro in both languages, as an editor would write it.
INTROS = {
    "nb": {
        "index": "<p>I en selvhjelpsgruppe møtes noen få som står i noe lignende.</p>",
        "info": "Slik går det til fra du melder deg på til gruppa går videre selv.",
        "directory": "<p>Her finner du dem du kan ringe om selvhjelp der du bor.</p>",
        "registration": "<p>Fortell oss litt om deg, så finner vi en gruppe.</p>",
    },
    "nn": {
        "index": "<p>I ei sjølvhjelpsgruppe møtest nokre få som står i noko liknande.</p>",
        "info": "Slik går det til frå du melder deg på til gruppa går vidare sjølv.",
        "directory": "<p>Her finn du dei du kan ringje om sjølvhjelp der du bur.</p>",
        "registration": "<p>Fortel oss litt om deg, så finn vi ei gruppe.</p>",
    },
}


@pytest.fixture(params=["nb", "nn"])
def language(request):
    return request.param


@pytest.fixture
def site_section(language, section, nn_site, settings):
    """A self-help section on the bokmål site or on the nynorsk one."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, nn_site.hostname]
    if language == "nb":
        return section
    return SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Sjølvhjelp")


def make_page(kind, parent, **fields):
    if kind == "index":
        page = parent
        for name, value in fields.items():
            setattr(page, name, value)
        page.save_revision().publish()
        return page
    if kind == "info":
        return SelfHelpInfoPageFactory(parent=parent, **fields)
    if kind == "directory":
        return ContactDirectoryPageFactory(parent=parent, **fields)
    return make_registration_page(parent, **fields)


def described(client, page, *, route=""):
    """The content of the page's meta description, or None."""
    site = page.get_site()
    response = client.get(page.get_url_parts()[2] + route, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    found = re.findall(
        r'<meta name="description" content="([^"]*)">', response.content.decode()
    )
    assert len(found) <= 1
    return html.unescape(found[0]) if found else None


KINDS = ["index", "info", "directory", "registration"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_search_description_is_made_from_the_intro(
    client, language, site_section, kind
):
    page = make_page(kind, site_section, intro=INTROS[language][kind])
    assert page.locale.language_code == language
    expected = html.unescape(re.sub(r"<[^>]+>", "", INTROS[language][kind]))
    assert described(client, page) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_the_editors_search_description_comes_first(
    client, language, site_section, kind
):
    editors = {"nb": "Redaktørens egen tekst.", "nn": "Redaktøren sin eigen tekst."}
    page = make_page(
        kind,
        site_section,
        intro=INTROS[language][kind],
        search_description=f"  {editors[language]}\n",
    )
    assert described(client, page) == editors[language]


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_without_words_says_what_it_is_for_in_its_language(
    client, language, site_section, kind
):
    page = make_page(kind, site_section, intro="")
    if kind == "index":
        page.body = []
        page.save_revision().publish()
    description = described(client, page)
    with translation.override(language):
        expected = str(type(page).default_description)
    assert description == expected
    assert description


def test_the_registration_pages_other_routes_share_its_description(client, section):
    page = make_registration_page(section, intro="<p>Meld deg på her.</p>")
    assert described(client, page, route="takk/") == "Meld deg på her."


def test_an_article_without_a_summary_uses_its_first_paragraph(client, section):
    contact_point = ContactPointFactory()
    page = SelfHelpInfoPageFactory(
        parent=section,
        intro="",
        body=[
            ("heading", {"text": "Før første møte", "level": "h2", "anchor": ""}),
            ("contact_points", {"heading": "", "contact_points": [contact_point]}),
            (
                "rich_text",
                "<p></p><p>Første avsnitt &amp; <b>mer</b>.</p><p>Andre.</p>",
            ),
            ("rich_text", "<p>Neste blokk.</p>"),
        ],
    )
    assert described(client, page) == "Første avsnitt & mer."
    # The stored data is read as it is: the contact point is not fetched.
    fresh = SelfHelpInfoPage.objects.get(pk=page.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert fresh.meta_description == "Første avsnitt & mer."
    assert len(queries) == 0


def test_an_article_with_only_facts_is_described_by_them(client, section):
    page = SelfHelpInfoPageFactory(
        parent=section,
        intro="",
        facts=[
            ("fact", {"label": "Pris", "value": "Gratis"}),
            ("fact", {"label": "Henvisning", "value": "Ikke nødvendig"}),
        ],
    )
    assert described(client, page) == "Pris: Gratis. Henvisning: Ikke nødvendig."


def test_a_section_without_an_intro_uses_its_bodys_first_paragraph(client, section):
    section.intro = ""
    section.body = [("rich_text", '<p>Om <a linktype="page" id="1">oss</a>.</p>')]
    section.save_revision().publish()
    assert described(client, section) == "Om oss."


def test_a_long_intro_is_cut_at_a_word(client, section):
    words = "Selvhjelp handler om å ta i bruk egne krefter sammen med andre. " * 5
    page = SelfHelpInfoPageFactory(parent=section, intro=words.strip())
    description = described(client, page)
    assert len(description) <= DESCRIPTION_LENGTH
    assert description.endswith("…")
    assert words.startswith(description[:-1])
    assert words[len(description) - 1] == " "


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  Kort\n tekst.  ", "Kort tekst."),
        ("ord " * 50, ("ord " * 38).strip() + "…"),
        ("a" * 200, "a" * 154 + "…"),
        ("ord, " * 40, ("ord, " * 31).strip(" ,") + "…"),
    ],
)
def test_summarise(text, expected):
    assert summarise(text) == expected
    assert len(summarise(text)) <= DESCRIPTION_LENGTH


def test_every_page_type_of_the_package_describes_itself():
    from wagtail.models import get_page_models

    package_pages = [
        model
        for model in get_page_models()
        if model._meta.app_label == "wagtail_selvhjelp"
    ]
    assert set(package_pages) >= {
        SelfHelpIndexPage,
        SelfHelpInfoPage,
        ContactDirectoryPage,
        GroupRegistrationPage,
    }
    for model in package_pages:
        assert issubclass(model, MetaDescriptionMixin), model
        assert model.default_description, model
        # Each names its own words to describe it with.
        assert (
            model.get_description_text is not MetaDescriptionMixin.get_description_text
        ), model
