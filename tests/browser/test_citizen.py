"""A citizen in a real browser: read, find someone to call, register, withdraw.

Every flow runs under the site's real Content-Security-Policy (no bypass)
and fails on any CSP violation or uncaught script error.
"""

import pytest
from django.utils.html import strip_tags

from wagtail_selvhjelp.models import Registration

from .helpers import (
    active_element,
    fill_registration,
    screenshot,
    self_service_link,
    submit_registration,
    tab_to,
)


pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_fill_time")]


def focus_is_visible(page):
    """The focused element draws a focus indicator (WCAG 2.4.7)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return style.outlineStyle !== "none" && style.outlineWidth !== "0px";
        }"""
    )


def assert_thank_you_page(page, registration_page):
    """The thank-you page, with the editor's own thank-you text."""
    assert registration_page.url + "takk/?receipt=" in page.url
    first_sentence = strip_tags(registration_page.thank_you_text).split(".")[0]
    assert first_sentence in page.locator("main").inner_text()


def test_citizen_reads_finds_a_contact_and_registers_with_the_keyboard(
    open_context, demo
):
    context, problems = open_context()
    page = context.new_page()

    # Read: the home page, the section, an article.
    page.goto("/")
    page.get_by_role("link", name=demo.section.title, exact=True).first.click()
    page.wait_for_url(f"**{demo.section.url}")
    assert page.locator("h1").inner_text() == demo.section.title
    screenshot(page, "index")
    article = demo.articles[0]
    page.get_by_role("link", name=article.title, exact=True).first.click()
    page.wait_for_url(f"**{article.url}")
    assert page.locator("h1").inner_text() == article.title
    screenshot(page, "info-page")

    # Find someone to call: the directory, filtered to one municipality.
    page.go_back()
    page.get_by_role("link", name=demo.directory.title, exact=True).first.click()
    page.wait_for_url(f"**{demo.directory.url}")
    page.locator("#selvhjelp-municipality").select_option("Dalsetra")
    with page.expect_navigation():
        page.locator("form.selvhjelp-filter button[type=submit]").click()
    assert "municipality=Dalsetra" in page.url
    cards = page.locator("article.selvhjelp-contact")
    assert cards.count() == 1
    card = cards.first
    assert card.locator("h3").inner_text() == "Dalsetra frisklivssentral"
    assert card.locator("a[href^='tel:']").get_attribute("href") == "tel:+4799900104"
    assert card.locator("a[href^='mailto:']").inner_text() == (
        "friskliv@dalsetra.example"
    )

    # Register, keyboard only: no clicks from here to the thank-you page.
    page.goto(demo.registration_page.url)
    page.keyboard.press("Tab")
    assert active_element(page) == "A", "the skip link comes first"
    page.keyboard.press("Enter")
    assert active_element(page) == "main", "the skip link moves to the content"
    steps = tab_to(page, "id_name")
    assert steps <= 3, "nothing stands between the content and the first question"
    assert focus_is_visible(page)
    page.keyboard.type("Kari Tastatur")
    for field, text in [
        ("id_email", "kari.tastatur@example.test"),
        ("id_phone", "968 51 295"),
        ("id_birth_year", "1975"),
    ]:
        page.keyboard.press("Tab")
        assert active_element(page) == field
        assert focus_is_visible(page)
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert active_element(page) == "id_places_0"
    page.keyboard.press("Space")
    tab_to(page, "id_places_2")
    page.keyboard.press("Space")
    tab_to(page, "id_time_slots_1")
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    # A radio group is one Tab stop, on its checked option ("either").
    tab_to(page, "id_group_kind_2")
    page.keyboard.press("ArrowUp")
    assert active_element(page) == "id_group_kind_1"
    tab_to(page, "id_message")
    page.keyboard.type("Jeg har ikke bil.")
    tab_to(page, "id_consent")
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_thank_you_page(page, demo.registration_page)
    screenshot(page, "thank-you")
    registration = Registration.objects.get(email="kari.tastatur@example.test")
    assert registration.name == "Kari Tastatur"
    assert registration.phone == "+4796851295"
    assert registration.birth_year == 1975
    assert registration.group_kind == "mixed"
    assert sorted(registration.places.values_list("name", flat=True)) == [
        "Elvedal",
        "Fjellbygd",
    ]
    assert list(registration.time_slots.values_list("name", flat=True)) == [
        "Hverdager på kvelden"
    ]
    problems.assert_none(page)


def test_mistakes_lead_to_the_error_summary_and_back_to_the_field(open_context, demo):
    context, problems = open_context()
    page = context.new_page()
    page.goto(demo.registration_page.url)
    title = page.title()
    page.locator("#id_name").fill("Ola Feilsen")
    page.locator("#id_birth_year").fill("19x4")
    submit_registration(page)

    summary = page.locator("#selvhjelp-error-summary")
    assert summary.is_visible()
    assert page.title() != title, "the title tells that something is wrong"
    assert active_element(page) == "selvhjelp-error-summary"
    links = summary.locator("a")
    targets = [link.get_attribute("href") for link in links.all()]
    assert targets == [
        "#id_email",
        "#id_birth_year",
        "#id_places_0",
        "#id_time_slots_0",
        "#id_consent",
    ]
    # What was typed is kept; each wrong answer says what is wrong.
    assert page.locator("#id_name").input_value() == "Ola Feilsen"
    birth_year = page.locator("#id_birth_year")
    assert birth_year.get_attribute("aria-invalid") == "true"
    assert "id_birth_year_error" in birth_year.get_attribute("aria-describedby")
    screenshot(page, "form-errors")

    # The first link, followed with the keyboard, puts the focus in the field.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_email"
    page.keyboard.press("Enter")
    assert active_element(page) == "id_email"
    page.keyboard.type("ola.feilsen@example.test")
    # A link to a choice question focuses its first option.
    summary.locator("a[href='#id_places_0']").click()
    assert active_element(page) == "id_places_0"
    page.keyboard.press("Space")
    fill_registration(page, skip=("places",))
    submit_registration(page)

    assert_thank_you_page(page, demo.registration_page)
    assert Registration.objects.filter(email="ola.feilsen@example.test").exists()
    problems.assert_none(page)


def test_mistakes_without_javascript(open_context, demo):
    context, problems = open_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(demo.registration_page.url)
    page.locator("#id_name").fill("Nils Utenskript")
    submit_registration(page)

    summary = page.locator("#selvhjelp-error-summary")
    assert summary.is_visible()
    first = summary.locator("a").first
    assert first.get_attribute("href") == "#id_email"
    first.click()
    assert page.url.endswith("#id_email")
    assert page.locator("#id_email:target").count() == 1
    assert page.locator("#id_email").is_visible()

    fill_registration(page, email="nils.utenskript@example.test")
    submit_registration(page)
    assert_thank_you_page(page, demo.registration_page)
    registration = Registration.objects.get(email="nils.utenskript@example.test")
    assert registration.name == "Nils Utenskript"
    problems.assert_none()


def test_registrant_withdraws_through_the_link_in_the_receipt(open_context, demo):
    context, problems = open_context()
    page = context.new_page()
    page.goto(demo.registration_page.url)
    fill_registration(page, name="Siri Selvbetjent", email="siri@example.test")
    submit_registration(page)
    assert_thank_you_page(page, demo.registration_page)

    link = self_service_link("siri@example.test")
    assert link.startswith(demo.registration_page.full_url)
    assert "Siri" not in link and "siri" not in link

    response = page.goto(link)
    assert response.status == 200
    assert page.locator(".selvhjelp-facts dl").is_visible()
    screenshot(page, "self-service")
    page.locator("#id_confirm").check()  # the withdrawal, not a choice
    with page.expect_navigation():
        page.locator("form:has(#id_confirm) button[type=submit]").click()
    assert page.locator("[role=status]").is_visible()
    assert not Registration.objects.filter(email="siri@example.test").exists()

    # A second visit: the same neutral page as a link that never worked.
    response = page.goto(link)
    assert response.status == 404
    neutral = page.locator("main").inner_text()
    assert page.locator("form").count() == 0
    tampered = link.rstrip("/")[:-3] + "xyz/"
    assert page.goto(tampered).status == 404
    assert page.locator("main").inner_text() == neutral
    problems.assert_none(page)
