"""Forming groups are on the proposal page with their free seats, and the
page says why nobody was added to one (issue 18, item 5)."""

import pytest
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.models import MatchingRun, SelfHelpGroup

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def test_forming_groups_show_free_seats_and_why_nobody_joined(
    client, superuser, page_a
):
    group = SelfHelpGroup.objects.create(
        page=page_a,
        name="Hol, dagtid",
        place=page_a.places.get(name="Hol"),
        time_slot=page_a.time_slots.get(name="Dagtid"),
    )
    group.add_member(
        RegistrationFactory(page=page_a, places=["Hol"], time_slots=["Dagtid"])
    )
    RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Dagtid"])
    run = proposals.run_engine(MatchingRun.objects.create(page=page_a))
    client.force_login(superuser)
    with translation.override("en"):
        response = client.get(reverse("wagtail_selvhjelp_matching:run", args=[run.pk]))
    (shown,) = response.context["forming"]
    assert shown["group"] == group
    assert shown["free"] == page_a.group_max_size - 1
    assert shown["why"] == [("They cannot attend at this place.", 1)]
    body = response.content.decode()
    assert "Hol, dagtid" in body
    assert "They cannot attend at this place." in body
