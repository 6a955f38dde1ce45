"""Moving and adding people on a proposal, re-checked by the engine's
check_proposal, the broken rule named when refused (issue 18, item 4)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.models import MatchingRun

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def run_url(run):
    return reverse("wagtail_selvhjelp_matching:run", args=[run.pk])


@pytest.fixture
def run(page_a):
    for place in ("Gol", "Hol"):
        for _ in range(4):
            RegistrationFactory(page=page_a, places=[place], time_slots=["Kveld"])
    return proposals.run_engine(MatchingRun.objects.create(page=page_a))


def index_at(run, page, place):
    key = str(page.places.get(name=place).pk)
    return next(i for i, g in enumerate(run.get_proposal().groups) if g.place == key)


def test_a_move_that_breaks_a_rule_is_refused_with_the_rule(
    client, superuser, run, page_a
):
    gol, hol = index_at(run, page_a, "Gol"), index_at(run, page_a, "Hol")
    person = run.get_proposal().groups[gol].members[0]
    client.force_login(superuser)
    with translation.override("en"):
        response = client.post(
            run_url(run), {"action": "place", "person": person, "to": hol}
        )
        texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("cannot attend at this place" in text for text in texts), texts
    run.refresh_from_db()
    assert person in run.get_proposal().groups[gol].members


def test_a_left_out_person_is_added_back_to_a_card_that_fits(
    client, superuser, run, page_a
):
    gol = index_at(run, page_a, "Gol")
    person = run.get_proposal().groups[gol].members[0]
    client.force_login(superuser)
    client.post(run_url(run), {"action": "leave_out", "group": gol, "person": person})
    run.refresh_from_db()
    gol = index_at(run, page_a, "Gol")
    assert person not in run.get_proposal().groups[gol].members
    client.post(run_url(run), {"action": "place", "person": person, "to": gol})
    run.refresh_from_db()
    proposal = run.get_proposal()
    assert person in proposal.groups[index_at(run, page_a, "Gol")].members
    assert person not in proposal.unplaced and person not in proposal.excluded


def test_the_page_offers_the_moves(client, superuser, run):
    client.force_login(superuser)
    html = client.get(run_url(run)).content.decode()
    assert 'name="action" value="place"' in html
    assert '<select name="to"' in html
