"""Archived places, time slots and topics are never proposed (issue 18, item 2)."""

import pytest
from django.urls import reverse

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.choices import CoordinatorReason
from wagtail_selvhjelp.models import MatchingRun, SelfHelpGroup

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def waiting(page, n, **fields):
    fields.setdefault("time_slots", ["Kveld"])
    return [RegistrationFactory(page=page, **fields) for _ in range(n)]


def archive(choices, name):
    choices.filter(name=name).update(archived=True)


def fresh_run(page):
    return proposals.run_engine(MatchingRun.objects.create(page=page))


def test_an_archived_place_is_never_proposed(page_a):
    people = waiting(page_a, 5, places=["Gol", "Hol"])
    archive(page_a.places, "Gol")
    proposal = fresh_run(page_a).get_proposal()
    (group,) = proposal.groups
    assert group.place == str(page_a.places.get(name="Hol").pk)
    assert set(group.members) == {person.pk for person in people}


def test_someone_with_only_archived_choices_is_left_out_with_a_reason(
    client, superuser, page_a
):
    people = waiting(page_a, 5, places=["Gol"])
    archive(page_a.time_slots, "Kveld")
    run = fresh_run(page_a)
    proposal = run.get_proposal()
    assert proposal.groups == []
    assert {pk: reason.code for pk, reason in proposal.unplaced.items()} == {
        person.pk: CoordinatorReason.ARCHIVED for person in people
    }
    client.force_login(superuser)
    response = client.get(reverse("wagtail_selvhjelp_matching:run", args=[run.pk]))
    reasons = {item["reason"] for item in response.context["unplaced"]}
    assert len(reasons) == 1
    assert reasons.pop() != CoordinatorReason.ARCHIVED  # worded, not the code


def test_an_archived_topic_is_never_a_groups_topic(page_a):
    waiting(page_a, 5, places=["Gol"], topics=["Angst"], group_kind="themed")
    archive(page_a.topics, "Angst")
    proposal = fresh_run(page_a).get_proposal()
    assert all(group.topic is None for group in proposal.groups)
    assert proposal.groups == []


def test_a_forming_group_at_an_archived_place_is_not_filled(page_a):
    group = SelfHelpGroup.objects.create(
        page=page_a,
        name="Gol, kveld",
        place=page_a.places.get(name="Gol"),
        time_slot=page_a.time_slots.get(name="Kveld"),
    )
    waiting(page_a, 2, places=["Gol"])
    archive(page_a.places, "Gol")
    proposal = fresh_run(page_a).get_proposal()
    assert all(stored.open_group != group.pk for stored in proposal.groups)


def test_a_proposal_made_before_archiving_cannot_be_created(page_a):
    waiting(page_a, 5, places=["Gol"])
    run = fresh_run(page_a)
    assert len(run.get_proposal().groups) == 1
    archive(page_a.places, "Gol")
    outcome = proposals.create_groups(run, [0])
    assert outcome.created == []
    ((index, message),) = outcome.refused
    assert index == 0 and message
    assert not SelfHelpGroup.objects.exists()
