"""The proposal page says what the engine's bound means (issue 21): a proven
proposal is the best possible; otherwise the bound is how many more could
*perhaps* be placed, not a count the coordinator should go looking for."""

import pytest
from django.urls import reverse

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.models import MatchingRun

from ..factories import RegistrationFactory


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def run(page_a):
    for _ in range(5):
        RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
    return proposals.run_engine(MatchingRun.objects.create(page=page_a))


def show(client, superuser, run):
    client.force_login(superuser)
    response = client.get(reverse("wagtail_selvhjelp_matching:run", args=[run.pk]))
    assert response.status_code == 200
    return response


def test_a_proven_proposal_says_no_proposal_places_more(client, superuser, run):
    assert run.get_proposal().upper_bound == 5
    response = show(client, superuser, run)
    assert response.context["more"] == 0
    assert "No proposal can place more people." in response.text
    assert "perhaps" not in response.text


@pytest.mark.parametrize(
    ("bound", "text"),
    [
        (6, "At most 1 more person could perhaps be placed: no proposal can "
            "place more than 6 people, but the engine could not prove"),
        (8, "At most 3 more people could perhaps be placed: no proposal can "
            "place more than 8 people, but the engine could not prove"),
    ],
)  # fmt: skip
def test_a_gap_is_a_perhaps_not_a_fact(client, superuser, run, bound, text):
    proposal = run.get_proposal()
    proposal.upper_bound = bound
    run.set_proposal(proposal)
    run.save()
    response = show(client, superuser, run)
    assert response.context["more"] == bound - 5
    assert text in " ".join(response.text.split())
    assert "No proposal can place more people." not in response.text
