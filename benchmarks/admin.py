"""Benchmark of the coordinator admin's matching workflow at municipal scale.

Builds one registration page with 5,000 waiting registrations (6 places, 3
time slots, 8 topics, a mix of group kinds, a few avoid pairs) in a throwaway
test database, then times, through Django's test client as a logged-in
coordinator:

* "Propose groups" end to end: the POST that loads the registrations, runs
  the engine and stores the run, plus the GET that renders the proposal;
* "Create groups" for 100 proposals: one POST that re-checks each under row
  locks and saves them;
* an invitation round for 100 groups of 6 (600 offers): "Create the ticked
  groups" with "send invitations" ticked, on a page of 600 people waiting
  for groups of exactly 6; the request enqueues the messages (one task
  given the offers' ids) and the worker renders and sends them, timed on
  its own (messages per second);
* the registrations listing and the Wagtail dashboard, as baselines measured
  in the same run (the ratio says what the workflow costs next to a page
  every coordinator already waits for).

Goals (README): propose < 3 s, create 100 < 2 s on the development machine.

    python benchmarks/admin.py                  # SQLite in memory
    DATABASE_URL=postgres://... python benchmarks/admin.py
    python benchmarks/admin.py --registrations 1000 --repeat 3
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def build(count, seed):
    from django.utils import timezone
    from wagtail.models import Site

    from tests.factories import SelfHelpIndexPageFactory, make_registration_page
    from wagtail_selvhjelp.models import (
        AvoidPair,
        ConsentText,
        Registration,
        RegistrationPlaceChoice,
        RegistrationTimeSlotChoice,
        RegistrationTopicChoice,
    )

    rng = random.Random(seed)
    home = Site.objects.get(is_default_site=True).root_page
    page = make_registration_page(
        SelfHelpIndexPageFactory(parent=home),
        places=["Gol", "Hol", "Ål", "Nesbyen", "Flå", "Hemsedal"],
        slots=["Dagtid", "Kveld", "Helg"],
        topics=[f"Tema {n}" for n in range(8)],
    )
    places = list(page.places.all())
    slots = list(page.time_slots.all())
    topics = list(page.topics.all())
    consent = ConsentText.for_text(page.consent_text)
    now = timezone.now()
    registrations = Registration.objects.bulk_create(
        Registration(
            page=page,
            name=f"Benk Person {n}",
            email=f"benk{n}@example.test",
            birth_year=rng.randint(1945, 2006),
            group_kind=rng.choice(["any", "any", "themed", "mixed"]),
            consent_given_at=now,
            consent_text=consent,
            status="waiting",
        )
        for n in range(count)
    )
    place_rows, slot_rows, topic_rows = [], [], []
    for registration in registrations:
        for place in rng.sample(places, rng.choice([1, 1, 2])):
            place_rows.append(
                RegistrationPlaceChoice(registration=registration, place=place)
            )
        for slot in rng.sample(slots, rng.choice([1, 2])):
            slot_rows.append(
                RegistrationTimeSlotChoice(registration=registration, time_slot=slot)
            )
        chosen = rng.sample(topics, rng.choice([1, 1, 2]))
        for topic in chosen:
            topic_rows.append(
                RegistrationTopicChoice(registration=registration, topic=topic)
            )
    RegistrationPlaceChoice.objects.bulk_create(place_rows)
    RegistrationTimeSlotChoice.objects.bulk_create(slot_rows)
    RegistrationTopicChoice.objects.bulk_create(topic_rows)
    for one, other in zip(registrations[::60], registrations[7::60], strict=False):
        AvoidPair.objects.link(one, other)
    Registration.objects.filter(page=page).update(
        created_at=now - timezone.timedelta(days=30)
    )
    return page


def invitation_round(client, groups=100, size=6):
    """Time the invitation round from the admin, and the worker's messages.

    Returns (request seconds, request queries, invite queries, offers,
    messages sent, worker seconds).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone
    from wagtail.models import Site

    from tests.factories import SelfHelpIndexPageFactory, make_registration_page
    from wagtail_selvhjelp import proposals, tasks
    from wagtail_selvhjelp.models import (
        ConsentText,
        MatchingRun,
        Offer,
        Registration,
        RegistrationPlaceChoice,
        RegistrationTimeSlotChoice,
        invitation_actions,
    )
    from wagtail_selvhjelp.task_backend import backend_path

    home = Site.objects.get(is_default_site=True).root_page
    page = make_registration_page(
        SelfHelpIndexPageFactory(parent=home),
        title="Invitasjoner",
        slug="invitasjoner",
        places=["Gol"],
        slots=["Kveld"],
        topics=[],
        group_min_size=size,
        group_max_size=size,
    )
    place, slot = page.places.get(), page.time_slots.get()
    consent = ConsentText.for_text(page.consent_text)
    people = Registration.objects.bulk_create(
        Registration(
            page=page,
            name=f"Invitert {n}",
            email=f"invitert{n}@example.test",
            birth_year=1980,
            group_kind="any",
            consent_given_at=timezone.now(),
            consent_text=consent,
            status="waiting",
        )
        for n in range(groups * size)
    )
    RegistrationPlaceChoice.objects.bulk_create(
        RegistrationPlaceChoice(registration=r, place=place) for r in people
    )
    RegistrationTimeSlotChoice.objects.bulk_create(
        RegistrationTimeSlotChoice(registration=r, time_slot=slot) for r in people
    )
    run = MatchingRun.objects.create(page=page)
    proposals.run_engine(run)
    chosen = [str(i) for i in range(min(groups, len(run.get_proposal().groups)))]

    # Count the invitation's own share of the request's queries.
    invite_queries = []
    execute = invitation_actions.Invite._execute

    def counted(self):
        with CaptureQueriesContext(connection) as queries:
            result = execute(self)
        invite_queries.append(len(queries))
        return result

    invitation_actions.Invite._execute = counted
    dummy = {"default": {"BACKEND": backend_path("dummy")}}
    try:
        with (
            override_settings(TASKS=dummy),
            CaptureQueriesContext(connection) as queries,
        ):
            start = time.perf_counter()
            response = client.post(
                reverse("wagtail_selvhjelp_matching:run", args=[run.pk]),
                {"action": "create", "groups": chosen, "invite": "yes"},
            )
            request_time = time.perf_counter() - start
    finally:
        invitation_actions.Invite._execute = execute
    assert response.status_code == 302, response.status_code
    offer_ids = list(
        Offer.objects.filter(page=page).values_list("pk", flat=True).order_by("pk")
    )
    from django.core import mail

    mail.outbox = []
    start = time.perf_counter()
    tasks.send_offers.call(offer_ids)
    worker_time = time.perf_counter() - start
    return (
        request_time,
        len(queries),
        sum(invite_queries),
        len(offer_ids),
        len(mail.outbox),
        worker_time,
    )


def timed(function, repeat):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--create", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from wagtail_selvhjelp.models import MatchingRun, SelfHelpGroup

    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        page = build(args.registrations, args.seed)
        user = get_user_model().objects.create_superuser("benk", password=None)
        client = Client()
        client.force_login(user)
        propose_url = reverse("wagtail_selvhjelp_matching:page", args=[page.pk])

        def propose():
            response = client.post(propose_url)
            assert response.status_code == 302, response.status_code
            render = client.get(response["Location"])
            assert render.status_code == 200
            return MatchingRun.objects.latest("pk")

        dashboard, _ = timed(lambda: client.get("/admin/"), args.repeat)
        listing, _ = timed(
            lambda: client.get(reverse("wagtail_selvhjelp_registration:index")),
            args.repeat,
        )
        propose_time, run = timed(propose, args.repeat)
        proposal = run.get_proposal()
        placed = len(proposal.placed)
        render_time, _ = timed(
            lambda: client.get(
                reverse("wagtail_selvhjelp_matching:run", args=[run.pk])
            ),
            args.repeat,
        )
        count = min(args.create, len(proposal.groups))
        run_url = reverse("wagtail_selvhjelp_matching:run", args=[run.pk])
        start = time.perf_counter()
        response = client.post(
            run_url,
            {"action": "create", "groups": [str(i) for i in range(count)]},
        )
        create_time = time.perf_counter() - start
        assert response.status_code == 302
        created = SelfHelpGroup.objects.count()
        round_figures = invitation_round(client)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"database: {connection.vendor}; {args.registrations} waiting registrations")
    print(
        f"proposal: {len(proposal.groups)} groups, {placed} placed, "
        f"upper bound {proposal.upper_bound}"
    )
    rows = [
        ("dashboard (baseline)", dashboard, None),
        ("registrations listing", listing, None),
        ("propose groups (POST + render)", propose_time, 3.0),
        ("render the proposal (GET)", render_time, None),
        (f"create {created} groups (one POST)", create_time, 2.0),
    ]
    print(f"{'step':<36} {'median s':>9} {'× dashboard':>12} {'goal':>8}")
    for label, seconds, goal in rows:
        ratio = seconds / dashboard if dashboard else float("nan")
        goal_text = f"< {goal:.0f} s" if goal else ""
        flag = "" if goal is None or seconds < goal else "  MISSED"
        print(f"{label:<36} {seconds:>9.3f} {ratio:>12.1f} {goal_text:>8}{flag}")
    if created != count:
        print(f"refused {count - created} of {count} proposals")
    request_time, queries, invite_queries, offers, sent, worker_time = round_figures
    print(
        f"invitation round: {offers} offers in one POST (create the groups + "
        f"invite): {request_time:.3f} s, {queries} queries, of which the "
        f"invitation {invite_queries} (constant)"
    )
    print(
        f"worker: {sent} messages rendered and sent in {worker_time:.3f} s, "
        f"{sent / worker_time:.0f} messages/s"
    )


if __name__ == "__main__":
    main()
