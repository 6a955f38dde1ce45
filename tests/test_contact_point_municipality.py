"""A contact point's municipality is chosen from the existing names, so a
typo cannot split the directory into two headings (issue 18, item 19)."""

import pytest
from django.urls import reverse

from .factories import ContactPointFactory


pytestmark = pytest.mark.django_db


def test_the_existing_names_are_offered(admin_client):
    ContactPointFactory(municipality="Gol")
    ContactPointFactory(municipality="Hemsedal")
    url = reverse("wagtailsnippets_wagtail_selvhjelp_contactpoint:add")
    html = admin_client.get(url).content.decode()
    assert 'list="id_municipality_list"' in html
    assert '<datalist id="id_municipality_list">' in html
    assert '<option value="Gol">' in html and '<option value="Hemsedal">' in html


def test_another_spelling_of_an_existing_name_becomes_that_name():
    ContactPointFactory(municipality="Hemsedal")
    contact = ContactPointFactory.build(municipality="  hemsedal ")
    contact.full_clean()
    assert contact.municipality == "Hemsedal"


def test_a_new_name_stays_as_written():
    ContactPointFactory(municipality="Gol")
    contact = ContactPointFactory.build(municipality="Ål")
    contact.full_clean()
    assert contact.municipality == "Ål"
