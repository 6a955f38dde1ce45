"""A birth year under the minimum age keeps the answers (issue 18, item 15):
the under-age text comes with the form, and "did you type the wrong year?"."""

import re

import pytest
from django.utils import timezone

from wagtail_selvhjelp.models import Registration

from .helpers import token_from
from .test_form import post, valid_data


pytestmark = pytest.mark.django_db


def test_a_mistyped_year_keeps_the_answers_and_can_be_corrected(client, page):
    year = timezone.localdate().year - 17
    response = post(client, page, birth_year=str(year))
    assert response.status_code == 200
    html = response.content.decode()
    assert Registration.objects.count() == 0
    # The editor's under-age text, and the form with every answer kept.
    assert "Snakk med helsesykepleier" in html
    assert 'value="Kari Nordmann"' in html
    assert 'value="kari@example.test"' in html
    assert f'value="{year}"' in html
    # The year is the error, named in the summary and tied to the field.
    assert 'href="#id_birth_year"' in html
    assert re.search(r'id="id_birth_year"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*id="id_birth_year"', html
    )
    # Corrected and sent again with the same form: stored.
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    again = client.post(page.url, valid_data(page, token, birth_year="1980"))
    assert again.status_code == 303
    assert Registration.objects.count() == 1


def test_the_form_token_of_an_under_age_answer_is_kept(client, page):
    token = token_from(client.get(page.url))
    year = timezone.localdate().year - 10
    html = client.post(
        page.url, valid_data(page, token, birth_year=str(year))
    ).content.decode()
    assert f'name="form_token" value="{token}"' in html
