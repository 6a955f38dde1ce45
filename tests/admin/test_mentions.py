"""Mentions of a person in other people's free texts, at erasure and access.

Encrypted texts cannot be searched in the database; the erase page and the
person's data export decrypt the page's texts in memory and list where the
person is named, so the coordinator can deal with each.
"""

import json

import pytest
from django.urls import reverse

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.models.personal_data import mentions_of

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


@pytest.fixture
def kari(page_a):
    return RegistrationFactory(
        page=page_a,
        name="Kari  Nordmann",
        email="Kari.Nordmann@example.test",
        phone="+4791377731",
    )


@pytest.fixture
def mentions(page_a, page_b, kari):
    return {
        "avoid": RegistrationFactory(
            page=page_a, name="Ola", avoid_text="Ikke i gruppe med kari nordmann"
        ),
        "message": RegistrationFactory(
            page=page_a, name="Per", message="Kan ringe 913 77 731 om skyss"
        ),
        "notes": RegistrationFactory(
            page=page_a,
            name="Siri",
            coordinator_notes="Kjenner kari.nordmann@example.test",
        ),
        "first_name_only": RegistrationFactory(
            page=page_a, name="Liv", message="Kari er fin", avoid_text="91377"
        ),
        "other_page": RegistrationFactory(
            page=page_b, name="Bo", message="Ikke med Kari Nordmann"
        ),
    }


def test_the_page_s_texts_that_name_the_person_are_found(kari, mentions):
    found = {
        (mention.registration_id, mention.field_name, mention.matched)
        for mention in mentions_of(kari)
    }
    assert found == {
        (mentions["avoid"].pk, "avoid_text", ("name",)),
        (mentions["message"].pk, "message", ("phone",)),
        (mentions["notes"].pk, "coordinator_notes", ("email",)),
    }


def test_the_persons_export_says_where_without_the_others_texts(kari, mentions):
    data = privacy.person_data(kari)
    assert sorted(entry["registration"] for entry in data["mentioned_in"]) == sorted(
        [mentions["avoid"].pk, mentions["message"].pk, mentions["notes"].pk]
    )
    dumped = json.dumps(data, default=str)
    assert "skyss" not in dumped and "Kjenner" not in dumped


def test_the_erase_page_lists_each_mention_with_a_link(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[kari.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("avoid", "message", "notes"):
        inspect = reverse(
            "wagtail_selvhjelp_registration:inspect", args=[mentions[key].pk]
        )
        assert f'href="{inspect}"' in html
    for key in ("first_name_only", "other_page"):
        inspect = reverse(
            "wagtail_selvhjelp_registration:inspect", args=[mentions[key].pk]
        )
        assert f'href="{inspect}"' not in html
    assert "skyss" not in html


def test_without_mentions_the_erase_page_has_no_such_section(
    client, coordinator_a, kari
):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[kari.pk])
    )
    assert "selvhjelp-mentions-heading" not in response.content.decode()
