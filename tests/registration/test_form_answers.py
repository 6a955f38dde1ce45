"""What the form accepts as an answer, and how it says what is missing.

Messages are looked up in the catalogue of the language the page is served
in, so the tests hold before and after the new messages are translated.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.html import escape

from tests.testapp.models import LanguageRegistrationPage
from wagtail_selvhjelp.models import (
    Registration,
    RegistrationPlace,
    RegistrationTimeSlot,
)

from .helpers import token_from
from .test_form import post, valid_data


pytestmark = pytest.mark.django_db

SCRIPT = "wagtail_selvhjelp/js/error-summary.js"


def message(text, **params):
    """``text`` as the page shows it: in the site's language, escaped."""
    with translation.override("nb"):
        translated = translation.gettext(text)
    return escape(translated % params if params else translated)


def error_summary(html):
    match = re.search(
        r'<div class="selvhjelp-error-summary".*?</ul>\s*</div>', html, re.S
    )
    assert match, "no error summary"
    return match.group(0)


def field_error(html, auto_id):
    match = re.search(
        rf'<p class="selvhjelp-error" id="{auto_id}_error">(.*?)</p>', html
    )
    assert match, f"no error next to {auto_id}"
    return match.group(1)


def consent_input(html):
    return re.search(r'<input type="checkbox" name="consent"[^>]*>', html).group(0)


# 1. Consent counts only for the value the checkbox sends


def test_the_consent_checkbox_sends_a_fixed_value(client, page):
    consent = consent_input(client.get(page.url).content.decode())
    assert 'value="yes"' in consent
    assert "checked" not in consent


def test_the_fixed_value_records_consent(client, page):
    assert post(client, page, consent="yes").status_code == 303
    registration = Registration.objects.get()
    assert abs(registration.consent_given_at - timezone.now()).total_seconds() < 60
    assert registration.consent_text.text == page.consent_text


@pytest.mark.parametrize(
    "value", ["0", "off", "no", "nei", " ", "on", "true", "1", "YES", "yes "]
)
def test_any_other_consent_value_is_not_consent(client, page, value):
    response = post(client, page, consent=value)
    html = response.content.decode()
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    expected = message("Tick the box to agree, so that we can store your registration.")
    # Next to the checkbox, tied to it, and in the error summary.
    assert expected in field_error(html, "id_consent")
    consent = consent_input(html)
    assert "checked" not in consent
    assert 'aria-invalid="true"' in consent
    assert "id_consent_error" in consent
    assert f'<a href="#id_consent">{expected}</a>' in error_summary(html)
    # Everything typed is kept.
    assert 'value="Kari Nordmann"' in html
    assert 'value="kari@example.test"' in html
    assert 'value="1980"' in html
    assert "Jeg har slitt med angst lenge." in html
    assert "Søsteren min, Ola" in html
    kveld = page.time_slots.get(name="Kveld").pk
    assert re.search(rf'name="time_slots" value="{kveld}"[^>]*checked', html)


def test_a_repeated_consent_value_counts_only_when_it_is_the_fixed_one(client, page):
    token = token_from(client.get(page.url))
    data = valid_data(page, token, consent=["yes", "no"])
    assert client.post(page.url, data).status_code == 200
    assert Registration.objects.count() == 0


# 5. A missing answer is named


REQUIRED = {
    "id_name": "Enter your name.",
    "id_birth_year": "Enter your year of birth.",
    "id_places_0": "Choose at least one place.",
    "id_time_slots_0": "Choose at least one time.",
    "id_group_kind_0": "Choose what kind of group you would like.",
    "id_consent": "Tick the box to agree, so that we can store your registration.",
}


def test_every_missing_answer_is_named_next_to_it_and_in_the_summary(client, page):
    token = token_from(client.get(page.url))
    response = client.post(page.url, {"form_token": token})
    html = response.content.decode()
    assert response.status_code == 200
    summary = error_summary(html)
    for anchor, text in REQUIRED.items():
        expected = message(text)
        field_id = anchor.removesuffix("_0")
        assert expected in field_error(html, field_id), anchor
        assert f'<a href="#{anchor}">{expected}</a>' in summary, anchor
    contact = message(
        "Give an e-mail address or a phone number, so we can get in touch."
    )
    assert contact in field_error(html, "id_email")
    assert f'<a href="#id_email">{contact}</a>' in summary
    for generic in ("This field is required.", "Feltet er påkrevet."):
        assert generic not in html


def test_each_message_stands_alone_in_the_summary(client, page):
    """The summary's text is the field's own message, not a generic one."""
    response = post(client, page, name="", birth_year="")
    summary = error_summary(response.content.decode())
    assert f'<a href="#id_name">{message("Enter your name.")}</a>' in summary
    assert (
        f'<a href="#id_birth_year">{message("Enter your year of birth.")}</a>'
        in summary
    )
    assert summary.count("<li>") == 2


def test_a_sites_extra_question_is_named_when_it_is_missing(client, section):
    page = LanguageRegistrationPage(
        title="Meld deg på (språk)",
        slug="sprak",
        privacy_notice="<p>Vi behandler opplysningene dine trygt.</p>",
        consent_text="Jeg samtykker.",
    )
    page.places = [RegistrationPlace(name="Gol")]
    page.time_slots = [RegistrationTimeSlot(name="Kveld")]
    section.add_child(instance=page)
    page.save_revision().publish()
    token = token_from(client.get(page.url))
    response = client.post(
        page.url,
        {
            "form_token": token,
            "name": "Kari Nordmann",
            "email": "kari@example.test",
            "birth_year": "1980",
            "places": [str(page.places.get().pk)],
            "time_slots": [str(page.time_slots.get().pk)],
            "group_kind": "any",
            "consent": "yes",
        },
    )
    html = response.content.decode()
    expected = message(
        "Answer this question: %(question)s",
        question="Which language would you like the group to speak?",
    )
    assert expected in field_error(html, "id_group_language")
    assert f'<a href="#id_group_language_0">{expected}</a>' in error_summary(html)


# 4. After a failed submit, focus moves to the error summary


def test_a_failed_submit_loads_the_focus_script_without_inline_code(client, page):
    response = post(client, page, name="")
    html = response.content.decode()
    summary = error_summary(html)
    # Works without JavaScript as far as it can: announced and focusable.
    assert 'id="selvhjelp-error-summary"' in summary
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert f'<script src="{static(SCRIPT)}" defer></script>' in html
    # Ready for a Content-Security-Policy without 'unsafe-inline'.
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
    assert scripts, "no script"
    assert all(not body.strip() for body in scripts), "inline script"
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_a_form_without_errors_loads_no_script(client, page):
    html = client.get(page.url).content.decode()
    assert static(SCRIPT) not in html
    assert "selvhjelp-error-summary" not in html


def test_the_focus_script_is_a_static_file_of_the_package():
    path = finders.find(SCRIPT)
    assert path, "the script is not found by the static files finders"
    with open(path, encoding="utf-8") as script:
        source = script.read()
    assert 'getElementById("selvhjelp-error-summary")' in source
    assert ".focus()" in source


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Kari\x07 Nordmann"),
        ("message", "Hei\x1b[31m der"),
        ("access_needs", "Trinnfri\x7f adkomst"),
        ("avoid_text", "Ola\x0e"),
    ],
)
def test_invisible_control_characters_are_refused_and_the_answers_kept(
    client, page, field, value
):
    response = post(client, page, **{field: value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fjern de usynlige kontrolltegnene fra dette svaret." in html
    assert f'href="#id_{field}"' in html  # listed in the error summary
    assert 'value="Kari Nordmann"' in html or field == "name"
    assert Registration.objects.count() == 0


def test_line_breaks_and_tabs_are_kept_in_free_texts(client, page):
    assert (
        post(client, page, message="Linje én\r\nLinje to\tmed tab").status_code == 303
    )
    assert Registration.objects.get().message == "Linje én\r\nLinje to\tmed tab"
