"""The proposal page names each group and counts what can be created
(issue 18, item 6)."""

import pytest
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp import proposals
from wagtail_selvhjelp.models import MatchingRun, SelfHelpGroup

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def waiting(page, n, **fields):
    fields.setdefault("places", ["Gol"])
    fields.setdefault("time_slots", ["Kveld"])
    return [RegistrationFactory(page=page, **fields) for _ in range(n)]


def run_url(run):
    return reverse("wagtail_selvhjelp_matching:run", args=[run.pk])


@pytest.fixture
def run(page_a):
    return proposals.run_engine(MatchingRun.objects.create(page=page_a))


def headings(body):
    import re

    return [
        re.sub(r"\s+", " ", heading).strip()
        for heading in re.findall(
            r'<h2 class="w-h3" id="selvhjelp-card-\d+">(.*?)</h2>', body, re.S
        )
    ]


def test_each_card_is_headed_by_what_the_group_is(client, superuser, page_a):
    waiting(page_a, 5)
    waiting(
        page_a,
        5,
        places=["Hol"],
        time_slots=["Dagtid"],
        topics=["Sorg"],
        group_kind="themed",
    )
    waiting(page_a, 4, places=["Ål"], gender="woman", single_gender=True)
    run = proposals.run_engine(MatchingRun.objects.create(page=page_a))
    client.force_login(superuser)
    with translation.override("en"):
        body = client.get(run_url(run)).content.decode()
    found = sorted(headings(body))
    assert found == [
        "Gol, Kveld, mixed",
        "Hol, Dagtid, Sorg",
        "Ål, Kveld, mixed, for women only",
    ]
    assert "New group" not in body


def test_the_summary_counts_only_cards_that_can_be_created(client, superuser, page_a):
    people = waiting(page_a, page_a.group_min_size)
    run = proposals.run_engine(MatchingRun.objects.create(page=page_a))
    client.force_login(superuser)
    client.post(
        run_url(run), {"action": "leave_out", "group": 0, "person": people[0].pk}
    )
    response = client.get(run_url(run))
    assert len(response.context["cards"]) == 1  # still shown, marked too small
    assert response.context["creatable"] == 0
    assert response.context["placed"] == 0


def test_after_creating_the_page_says_what_was_created_and_who_waits(
    client, superuser, page_a
):
    waiting(page_a, 5)
    (alone,) = waiting(page_a, 1, places=["Ål"], time_slots=["Dagtid"])
    run = proposals.run_engine(MatchingRun.objects.create(page=page_a))
    client.force_login(superuser)
    response = client.post(
        run_url(run), {"action": "create", "groups": ["0"]}, follow=True
    )
    (group,) = SelfHelpGroup.objects.all()
    assert response.context["created_groups"] == [group]
    body = response.content.decode()
    assert reverse("wagtail_selvhjelp_group:members", args=[group.pk]) in body
    assert group.name in body
    with translation.override("en"):
        body = client.get(run_url(run)).content.decode()
    assert "No groups could be proposed" not in body
    assert "1 group was created from this proposal" in body
    assert "1 person still waits" in body
