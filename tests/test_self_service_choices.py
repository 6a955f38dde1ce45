"""The self-service page reads well and shows the person's own choices
(issue 18, item 13): one line per fact, places and times changeable while
they wait (with the form's validation), the first meeting once placed."""

import datetime
import re

import pytest

from wagtail_selvhjelp.models import SelfHelpGroup, SelfHelpLogEntry
from wagtail_selvhjelp.models.self_service import make_self_service_token

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(section):
    return make_registration_page(section)


@pytest.fixture
def registration(page):
    return RegistrationFactory(
        page=page, places=["Gol", "Hol"], time_slots=["Kveld"], topics=["Sorg"]
    )


def link_for(page, registration):
    return page.url + page.reverse_subpage(
        "self_service", args=[make_self_service_token(registration)]
    )


def facts(html):
    (dl,) = re.findall(r'<div class="selvhjelp-facts">\s*<dl>(.*?)</dl>', html, re.S)
    pairs = re.findall(r"<div>\s*<dt>(.*?)</dt>\s*<dd>(.*?)</dd>\s*</div>", dl, re.S)
    # Every dt/dd pair sits in its own wrapper: nothing runs together.
    assert dl.count("<dt>") == len(pairs)
    return {dt.strip(): re.sub(r"\s+", " ", dd).strip() for dt, dd in pairs}


def test_each_fact_is_a_pair_of_its_own_with_the_persons_choices(
    client, page, registration
):
    html = client.get(link_for(page, registration)).content.decode()
    shown = facts(html)
    values = " | ".join(shown.values())
    assert "Gol, Hol" in values
    assert "Kveld" in values
    assert "Sorg" in values


def test_a_waiting_person_changes_places_and_times(client, page, registration):
    url = link_for(page, registration)
    html = client.get(url).content.decode()
    assert 'name="places"' in html and 'name="time_slots"' in html
    al = page.places.get(name="Ål")
    dagtid = page.time_slots.get(name="Dagtid")
    response = client.post(
        url, {"action": "choices", "places": [al.pk], "time_slots": [dagtid.pk]}
    )
    assert response.status_code == 200
    registration.refresh_from_db()
    assert [p.name for p in registration.places.all()] == ["Ål"]
    assert [s.name for s in registration.time_slots.all()] == ["Dagtid"]
    assert SelfHelpLogEntry.objects.filter(
        action="wagtail_selvhjelp.self_change_choices"
    ).exists()


def test_the_same_validation_as_the_form(client, page, registration):
    url = link_for(page, registration)
    archived = page.places.get(name="Ål")
    archived.archived = True
    archived.save()
    response = client.post(
        url, {"action": "choices", "places": [archived.pk], "time_slots": []}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_places' in html and 'href="#id_time_slots' in html
    registration.refresh_from_db()
    assert sorted(p.name for p in registration.places.all()) == ["Gol", "Hol"]


def test_once_placed_the_choices_are_fixed_and_the_first_meeting_shown(
    client, page, registration
):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
    )
    group.add_member(registration)
    url = link_for(page, registration)
    html = client.get(url).content.decode()
    assert 'name="places"' not in html
    group.first_meeting_date = datetime.date(2031, 3, 4)
    group.first_meeting_time = datetime.time(18, 30)
    group.save()
    shown = facts(client.get(url).content.decode())
    assert any("2031" in value and "18" in value for value in shown.values())
    response = client.post(
        url,
        {
            "action": "choices",
            "places": [page.places.get(name="Hol").pk],
            "time_slots": [page.time_slots.get(name="Kveld").pk],
        },
    )
    assert response.status_code == 400
    registration.refresh_from_db()
    assert sorted(p.name for p in registration.places.all()) == ["Gol", "Hol"]
