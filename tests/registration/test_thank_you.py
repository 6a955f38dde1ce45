"""The thank-you page says what comes next (issue 18, item 14): a receipt
with a personal link by e-mail, or, with only a phone, how to reach the
contact point."""

import pytest

from ..factories import ContactPointFactory
from .test_form import post


pytestmark = pytest.mark.django_db


def test_with_an_e_mail_the_receipt_and_its_link_are_announced(client, page):
    response = post(client, page)
    assert response["Location"] == page.url + "takk/?receipt=email"
    html = client.get(response["Location"]).content.decode()
    assert (
        "personal link" in html
        or "personleg lenkje" in html
        or "personlig lenke" in html
    )
    assert "kari@example.test" not in html


def test_with_only_a_phone_the_page_says_how_to_reach_the_contact_point(
    client, page, settings
):
    settings.WAGTAIL_SELVHJELP = {**settings.WAGTAIL_SELVHJELP, "SMS_BACKEND": None}
    section = page.get_parent().specific
    contact = ContactPointFactory(organisation="Frisklivssentralen Gol")
    section.contact_point_links.create(contact_point=contact)
    section.save()
    response = post(client, page, email="")
    assert response["Location"] == page.url + "takk/?receipt=phone"
    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert "Frisklivssentralen Gol" in html
    assert "personal link" not in html and "personlig lenke" not in html
    assert "968 51 295" not in html and "+4796851295" not in html


def test_without_a_known_channel_the_page_stays_general(client, page):
    html = client.get(page.url + "takk/?receipt=<script>").content.decode()
    assert "<script>" not in html
    assert "Takk! Vi tar kontakt." in html
