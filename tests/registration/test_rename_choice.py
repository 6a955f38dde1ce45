"""Renaming a place or time slot that registrations chose would change what
they answered: refused with the count, archive-and-add suggested (issue 18,
item 18); a change of spelling only (case, spaces) is allowed."""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import Registration

from .test_admin import _page_form
from .test_form import post


pytestmark = pytest.mark.django_db


def rename(page, index, name):
    data = _page_form(page)
    assert data[f"places-{index}-name"]
    data[f"places-{index}-name"] = name
    return data


def test_renaming_a_chosen_place_is_refused_with_the_count(client, admin_client, page):
    assert post(client, page).status_code == 303  # chooses Gol
    gol = list(page.places.all()).index(page.places.get(name="Gol"))
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, rename(page, gol, "Hemsedal"))
    assert response.status_code == 200
    formset = response.context["form"].formsets["places"]
    errors = " ".join(formset.forms[gol].errors.get("name", []))
    assert "1" in errors and "Gol" in errors
    page.refresh_from_db()
    assert page.places.filter(name="Gol").exists()
    assert [p.name for p in Registration.objects.get().places.all()] == ["Gol"]


def test_a_change_of_spelling_only_is_allowed(client, admin_client, page):
    assert post(client, page).status_code == 303
    gol = list(page.places.all()).index(page.places.get(name="Gol"))
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, rename(page, gol, " GOL "))
    assert response.status_code == 302


def test_an_unused_place_may_be_renamed(admin_client, page):
    hol = list(page.places.all()).index(page.places.get(name="Hol"))
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, rename(page, hol, "Hemsedal"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.places.filter(name="Hemsedal").exists()
