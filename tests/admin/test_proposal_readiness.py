"""The proposal page warns about people who are not ready (issue 18, item 1)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.choices import CoordinatorReason, NotReady, RegistrationStatus
from wagtail_selvhjelp.models import AvoidPair, MatchingRun

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def person(page, **fields):
    return RegistrationFactory(
        page=page, places=["Gol"], time_slots=["Kveld"], **fields
    )


@pytest.fixture
def people(page_a):
    new = person(page_a, status=RegistrationStatus.NEW)
    asked = person(page_a, reconfirmation_requested_at=timezone.now())
    unlinked = person(page_a, avoid_text="Naboen min, Kari")
    linked = person(page_a, avoid_text="Svogeren min")
    ready = person(page_a)
    elsewhere = RegistrationFactory(page=page_a, places=["Ål"], time_slots=["Dagtid"])
    AvoidPair.objects.link(linked, elsewhere)
    return {
        "new": new,
        "asked": asked,
        "unlinked": unlinked,
        "linked": linked,
        "ready": ready,
    }


def test_cards_and_summary_warn_about_people_not_ready(client, superuser, people):
    page = people["ready"].page.specific
    run = proposals.run_engine(MatchingRun.objects.create(page=page))
    client.force_login(superuser)
    response = client.get(reverse("wagtail_selvhjelp_matching:run", args=[run.pk]))
    (card,) = response.context["cards"]
    warnings = {member.pk: member.not_ready for member in card["members"]}
    assert warnings == {
        people["new"].pk: [NotReady.NEW],
        people["asked"].pk: [NotReady.UNANSWERED],
        people["unlinked"].pk: [NotReady.AVOID_UNLINKED],
        people["linked"].pk: [],
        people["ready"].pk: [],
    }
    assert response.context["not_ready"] == [
        (NotReady.NEW.label, 1),
        (NotReady.UNANSWERED.label, 1),
        (NotReady.AVOID_UNLINKED.label, 1),
    ]
    body = response.content.decode()
    assert str(NotReady.AVOID_UNLINKED.label) in body
    # The warning is words, not a colour: it names the person it is about.
    assert body.count(str(NotReady.UNANSWERED.label)) == 2  # summary and card


def test_a_page_may_keep_new_registrations_out_of_proposals(people):
    page = people["ready"].page.specific
    assert page.propose_new_registrations  # the default: proposed, flagged
    page.propose_new_registrations = False
    page.save()
    run = proposals.run_engine(MatchingRun.objects.create(page=page))
    proposal = run.get_proposal()
    assert people["new"].pk not in proposal.placed
    assert proposal.unplaced[people["new"].pk].code == CoordinatorReason.NOT_CONTACTED
    assert len(proposal.groups) == 1
