"""A dropped proposal stays away, and the coordinator can undo it
(issue 18, item 3)."""

import pytest
from django.urls import reverse

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.choices import CoordinatorReason
from wagtail_selvhjelp.models import MatchingRun
from wagtail_selvhjelp.models.matching_runs import Proposal, StoredGroup

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def run_url(run):
    return reverse("wagtail_selvhjelp_matching:run", args=[run.pk])


@pytest.fixture
def dropped(client, superuser, page_a):
    people = [
        RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
        for _ in range(5)
    ]
    run = proposals.run_engine(MatchingRun.objects.create(page=page_a))
    (group,) = run.get_proposal().groups
    assert sorted(group.members) == sorted(p.pk for p in people)
    client.force_login(superuser)
    client.post(run_url(run), {"action": "drop", "group": 0})
    run.refresh_from_db()
    return run, people


def test_running_again_does_not_bring_a_dropped_group_back(client, dropped):
    run, people = dropped
    client.post(run_url(run), {"action": "rerun"})
    run.refresh_from_db()
    proposal = run.get_proposal()
    assert proposal.groups == []
    assert {proposal.unplaced[p.pk].code for p in people} == {CoordinatorReason.DROPPED}
    response = client.get(run_url(run))
    (shown,) = response.context["dropped"]
    assert shown["members"] == people


def test_a_drop_can_be_undone(client, dropped):
    run, people = dropped
    response = client.post(run_url(run), {"action": "undrop", "group": 0})
    assert response.status_code == 302
    run.refresh_from_db()
    proposal = run.get_proposal()
    assert proposal.dropped == []
    (group,) = proposal.groups
    assert sorted(group.members) == sorted(p.pk for p in people)
    assert not set(proposal.unplaced) & {p.pk for p in people}
    # And running again proposes it, as before the drop.
    client.post(run_url(run), {"action": "rerun"})
    run.refresh_from_db()
    assert len(run.get_proposal().groups) == 1


def test_a_stale_undo_changes_nothing(client, dropped):
    run, _people = dropped
    client.post(run_url(run), {"action": "undrop", "group": 5})
    run.refresh_from_db()
    assert len(run.get_proposal().dropped) == 1


def test_deleted_people_leave_dropped_groups_too():
    proposal = Proposal(dropped=[StoredGroup(members=[1, 2, 3], place="1", slot="2")])
    assert proposal.forget([2])
    assert proposal.dropped[0].members == [1, 3]
    assert Proposal.from_json(proposal.to_json()).dropped == proposal.dropped
