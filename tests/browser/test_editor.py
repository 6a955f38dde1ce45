"""A web editor builds content in the Wagtail admin and sees it live."""

import pytest

from wagtail_selvhjelp.models import ContactPoint, SelfHelpInfoPage

from .helpers import log_in, prefer_english


pytestmark = pytest.mark.browser


def publish(page):
    """Publish from the editor's footer: "More actions", then "Publish"."""
    from playwright.sync_api import expect

    more_actions = page.get_by_role("button", name="More actions")
    # The dropdown opens only once its script is connected, which marks the
    # toggle with aria-expanded; a click before that does nothing.
    expect(more_actions).to_have_attribute("aria-expanded", "false", timeout=30_000)
    more_actions.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()


def add_block(page, stream, label):
    """Append a block to a StreamField through Wagtail's block picker."""
    stream.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def test_editor_publishes_a_contact_point_and_an_article(open_context, demo):
    prefer_english("admin")
    context, problems = open_context()
    page = context.new_page()
    log_in(page, "admin", demo.password)

    # Self-help -> Contact points -> Add.
    page.get_by_role("button", name="Self-help").click()
    page.get_by_role("link", name="Contact points").click()
    page.get_by_role("link", name="Add contact point").first.click()
    page.locator("#id_organisation").fill("Stølen helsestasjon")
    page.locator("#id_kind").select_option("mental_health")
    page.locator("#id_municipality").fill("Stølen")
    page.locator("#id_role").fill("Samtaler for pårørende")
    page.locator("#id_email").fill("helse@stolen.example")
    page.locator("#id_phone").fill("41 23 45 67")
    publish(page)
    contact_point = ContactPoint.objects.get(organisation="Stølen helsestasjon")
    assert contact_point.live
    assert contact_point.phone == "+4741234567"

    # Pages -> the section -> Add child page -> Self-help article.
    page.goto(f"/admin/pages/{demo.section.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    page.get_by_role("link", name="Self-help article", exact=True).click()
    page.locator("#id_title").fill("Å starte en gruppe")
    page.locator("#id_intro").fill("Slik kommer en ny gruppe i gang.")
    body = page.get_by_role("region", name="Body", exact=True)
    add_block(page, body, "Heading")
    page.locator("#body-0-value-text").fill("Det første møtet")
    add_block(page, body, "Text")
    editor = page.locator("#body-1-value").locator("..").get_by_role("textbox")
    editor.click()
    page.keyboard.type("Igangsetteren hjelper dere i gang.")
    add_block(page, body, "List of points")
    page.locator("#body-2-value-points-0-value").fill("Bli kjent")
    body.get_by_role("button", name="Add", exact=True).last.click()
    page.locator("#body-2-value-points-1-value").fill("Lag felles avtaler")
    publish(page)

    article = SelfHelpInfoPage.objects.get(title="Å starte en gruppe")
    assert article.live
    assert article.slug == "a-starte-en-gruppe", "a plain address, not %C3%85"
    assert [block.block_type for block in article.body] == [
        "heading",
        "rich_text",
        "points",
    ]

    # Both are live on the public site.
    public = context.new_page()
    public.goto(article.url)
    assert public.locator("h1").inner_text() == "Å starte en gruppe"
    heading = public.locator("h2.selvhjelp-heading")
    assert heading.inner_text() == "Det første møtet"
    assert heading.get_attribute("id"), "a heading block is a link target"
    assert public.get_by_text("Igangsetteren hjelper dere i gang.").is_visible()
    for point in ["Bli kjent", "Lag felles avtaler"]:
        assert public.locator("li").filter(has_text=point).count() == 1
    public.goto(demo.directory.url)
    card = public.locator("article.selvhjelp-contact").filter(
        has_text="Stølen helsestasjon"
    )
    assert card.locator("a[href^='tel:']").get_attribute("href") == "tel:+4741234567"
    public.goto(demo.section.url)
    assert public.get_by_role("link", name="Å starte en gruppe").count() >= 1
    problems.assert_none(public)
