"""The person's data (GDPR art. 15) as a document they can read (issue 18,
item 11): the page's language, local times, words for every value; the JSON
stays beside it for machines."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from wagtail_selvhjelp import audit
from wagtail_selvhjelp.models import Registration, SelfHelpLogEntry

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db

CREATED = datetime.datetime(2025, 12, 31, 23, 30, 15, 123456, tzinfo=datetime.UTC)


def test_the_readable_document(client, superuser, page_a, group_a):
    registration = RegistrationFactory(
        page=page_a,
        name="Aslaug Lesbar",
        places=["Gol"],
        time_slots=["Kveld"],
        single_gender=False,
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=CREATED)
    group_a.add_member(registration)
    client.force_login(superuser)
    url = reverse("wagtail_selvhjelp_registration:person_data", args=[registration.pk])
    response = client.get(url + "?format=html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="nb"' in html
    assert "Aslaug Lesbar" in html
    assert "Gol" in html and "Kveld" in html
    assert "Gol, kveld" in html  # the group
    # Local time, to the minute, in words a person reads; no machine values.
    assert timezone.localtime(CREATED).strftime("%H:%M") == "00:30"
    assert "00:30" in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", html)
    assert ">True<" not in html and ">False<" not in html
    assert "Nei" in html
    # The JSON beside it, and the access is logged as for the JSON.
    assert f'href="{url}"' in html
    assert SelfHelpLogEntry.objects.filter(action=audit.ACCESS_EXPORT.code).count() == 1


def test_the_json_is_unchanged_for_machines(client, superuser, registration_a):
    client.force_login(superuser)
    url = reverse(
        "wagtail_selvhjelp_registration:person_data", args=[registration_a.pk]
    )
    response = client.get(url)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["registration"]["name"] == registration_a.name
