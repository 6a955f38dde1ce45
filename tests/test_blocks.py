"""Every info block renders through its own template, accessibly."""

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from wagtail.blocks import (
    StreamBlockValidationError,
    StreamValue,
    StructBlockValidationError,
)
from wagtail.documents.models import Document
from wagtail.images.tests.utils import get_test_image_file

from wagtail_selvhjelp.blocks import CallToActionBlock, InfoStreamBlock

from .factories import (
    ContactPointFactory,
    SelfHelpInfoPageFactory,
)


pytestmark = pytest.mark.django_db


def render_body(client, section, body):
    page = SelfHelpInfoPageFactory(parent=section, body=body)
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def test_rich_text(client, section):
    html = render_body(client, section, [("rich_text", "<p>Hei <b>du</b></p>")])
    assert '<div class="selvhjelp-richtext"><p>Hei <b>du</b></p></div>' in html


def test_heading_has_its_level_and_anchor(client, section):
    html = render_body(
        client,
        section,
        [
            (
                "heading",
                {"text": "Slik fungerer en gruppe", "level": "h2", "anchor": ""},
            ),
            ("heading", {"text": "Første møte", "level": "h3", "anchor": "forste"}),
        ],
    )
    assert (
        '<h2 id="slik-fungerer-en-gruppe" class="selvhjelp-heading">Slik fungerer en gruppe</h2>'
        in html
    )
    assert '<h3 id="forste" class="selvhjelp-heading">Første møte</h3>' in html


def test_point_list(client, section):
    html = render_body(
        client,
        section,
        [
            (
                "points",
                {
                    "heading": "Dette sier deltakerne",
                    "points": ["Mindre ensom", "Mer håp"],
                },
            )
        ],
    )
    assert "<h2>Dette sier deltakerne</h2>" in html
    assert "<li>Mindre ensom</li><li>Mer håp</li>" in html


def test_quote_with_attribution(client, section):
    html = render_body(
        client,
        section,
        [("quote", {"quote": "Jeg ble møtt.", "attribution": "Anne, 54"})],
    )
    assert "<blockquote><p>Jeg ble møtt.</p></blockquote>" in html
    assert "<figcaption>– Anne, 54</figcaption>" in html


def test_key_figures_side_by_side(client, section):
    figures = [
        {
            "value": "71 %",
            "label": "opplever bedre livskvalitet",
            "source": "Undersøkelse 2024",
        },
        {"value": "4–8", "label": "personer i en gruppe", "source": ""},
    ]
    html = render_body(
        client, section, [("key_figures", {"heading": "", "figures": figures})]
    )
    assert html.count('class="selvhjelp-figure"') == 2
    assert '<span class="selvhjelp-figure__value">71 %</span>' in html
    assert "Undersøkelse 2024" in html


def test_questions_use_details_and_summary(client, section):
    questions = [
        {"question": "Koster det noe?", "answer": "<p>Nei, det er gratis.</p>"}
    ]
    html = render_body(
        client,
        section,
        [("questions", {"heading": "Spørsmål og svar", "questions": questions})],
    )
    assert "<summary>Koster det noe?</summary>" in html
    assert "<p>Nei, det er gratis.</p>" in html
    assert "<details" in html


def test_call_to_action_to_a_page_and_to_a_url(client, section):
    html = render_body(
        client,
        section,
        [
            (
                "call_to_action",
                {"label": "Til forsiden", "page": section.get_parent(), "url": ""},
            ),
            (
                "call_to_action",
                {
                    "label": "Selvhjelp Norge",
                    "page": None,
                    "url": "https://selvhjelp.example.test/",
                },
            ),
        ],
    )
    assert f'href="{section.get_parent().url}">Til forsiden</a>' in html
    assert 'href="https://selvhjelp.example.test/">Selvhjelp Norge</a>' in html


@pytest.mark.parametrize("with_page", [False, True])
def test_call_to_action_needs_exactly_one_target(home_page, with_page):
    block = CallToActionBlock()
    raw = {"label": "Les mer", "page": None, "url": ""}
    if with_page:
        raw.update(page=home_page.pk, url="https://a.test/")
    with translation.override("en"):
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(block.to_python(raw))
        assert "one of them" in str(error.value.non_block_errors.as_data()[0].messages)


def test_contact_points_block_hides_drafts(client, section):
    live = ContactPointFactory(organisation="Publisert kontakt")
    draft = ContactPointFactory(organisation="Utkastkontakt", live=False)
    html = render_body(
        client,
        section,
        [
            (
                "contact_points",
                {"heading": "Ta kontakt", "contact_points": [live, draft]},
            )
        ],
    )
    assert "<h2>Ta kontakt</h2>" in html
    assert '<h3 class="selvhjelp-contact__name">Publisert kontakt</h3>' in html
    assert "Utkastkontakt" not in html


def test_contact_points_block_without_heading_uses_h2_cards(client, section):
    cp = ContactPointFactory(organisation="Eneste kontakt")
    html = render_body(
        client, section, [("contact_points", {"heading": "", "contact_points": [cp]})]
    )
    assert '<h2 class="selvhjelp-contact__name">Eneste kontakt</h2>' in html


def test_document_download_shows_type_and_size(client, section):
    document = Document(title="Brosjyre om selvhjelp")
    document.file.save("brosjyre.pdf", ContentFile(b"%PDF-1.4\n" + b"x" * 2048))
    document.save()
    html = render_body(
        client, section, [("document", {"document": document, "title": ""})]
    )
    assert "Brosjyre om selvhjelp" in html
    assert "(PDF, 2,0\xa0KB)" in html or "(PDF, 2.0\xa0KB)" in html


def test_embed_uses_the_local_finder_and_a_title(client, section):
    html = render_body(
        client,
        section,
        [
            (
                "embed",
                {
                    "embed": "https://media.example.test/podcast/1",
                    "title": "Podkast om selvhjelp",
                    "transcript": "<p>Sammendrag</p>",
                },
            )
        ],
    )
    assert '<iframe src="https://media.example.test/podcast/1"' in html
    assert "Podkast om selvhjelp" in html
    assert "<p>Sammendrag</p>" in html


def test_image_has_its_alt_text(client, section):
    from wagtail.images.models import Image

    image = Image.objects.create(title="Gruppe", file=get_test_image_file())
    html = render_body(
        client,
        section,
        [
            (
                "image",
                {
                    "image": image,
                    "alt_text": "Fem personer i en ring av stoler",
                    "caption": "Et gruppemøte",
                },
            )
        ],
    )
    assert 'alt="Fem personer i en ring av stoler"' in html
    assert "<figcaption>Et gruppemøte</figcaption>" in html


def test_image_alt_text_is_required():
    block = InfoStreamBlock()
    value = block.to_python(
        [{"type": "image", "value": {"image": None, "alt_text": "", "caption": ""}}]
    )
    with pytest.raises(StreamBlockValidationError):
        block.clean(value)


def test_blocks_escape_editor_text(client, section):
    html = render_body(
        client,
        section,
        [("quote", {"quote": "<script>x()</script>", "attribution": ""})],
    )
    assert "<script>x()</script>" not in html
    assert isinstance(SelfHelpInfoPageFactory.build().body, StreamValue)


def test_a_cached_body_is_never_stale(client, section):
    """The body is cached, but a publish of the page or of anything it shows
    (a contact point, another page) gives the new content at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contact_point = ContactPointFactory(organisation="Gammelt navn")
    page = SelfHelpInfoPageFactory(
        parent=section,
        body=[
            ("rich_text", "<p>Første tekst</p>"),
            ("contact_points", {"heading": "", "contact_points": [contact_point]}),
        ],
    )

    def get():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page.url).content.decode()
        return html, len(queries)

    first, _queries = get()
    assert "Gammelt navn" in first
    cached, cached_queries = get()
    assert cached == first
    uncached_queries = _queries
    assert cached_queries < uncached_queries

    contact_point.organisation = "Nytt navn"
    contact_point.save_revision().publish()
    assert "Nytt navn" in get()[0]

    page.body = [("rich_text", "<p>Andre tekst</p>")]
    page.save_revision().publish()
    html = get()[0]
    assert "Andre tekst" in html and "Første tekst" not in html


def test_heading_anchors_keep_the_norwegian_letters_readable(client, section):
    html = render_body(
        client,
        section,
        [("heading", {"text": "Det første møtet på Ål", "level": "h2", "anchor": ""})],
    )
    assert 'id="det-forste-motet-pa-al"' in html
