"""The adapter between models and the matching engine, on its own."""

import datetime

import pytest
from django.utils import timezone

from wagtail_selvhjelp import adapters
from wagtail_selvhjelp.matching import UnplacedReason, propose_groups
from wagtail_selvhjelp.models import Registration
from wagtail_selvhjelp.models import candidates as engine_input

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(section):
    return make_registration_page(section, max_age_span=20, group_min_size=3)


def test_rules_come_from_the_page(page):
    rules = engine_input.rules_for(page)
    assert (rules.min_size, rules.max_size, rules.max_age_span) == (3, 8, 20)


def test_a_candidate_holds_only_structured_answers(page):
    registration = RegistrationFactory(
        page=page,
        places=["Gol", "Hol"],
        time_slots=["Kveld"],
        topics=["Sorg"],
        group_kind="themed",
        gender="woman",
        single_gender=True,
        birth_year=1975,
        days_ago=30,
        avoid_text="Søsteren min",
        message="Hemmelig",
    )
    candidate = engine_input.candidate_for(registration, avoid={99})
    gol, hol = (
        engine_input.choice_key(page.places.get(name=n)) for n in ("Gol", "Hol")
    )
    assert candidate.id == registration.pk
    assert candidate.places == {gol, hol}
    assert candidate.slots == {
        engine_input.choice_key(page.time_slots.get(name="Kveld"))
    }
    assert candidate.topics == {engine_input.choice_key(page.topics.get(name="Sorg"))}
    assert (candidate.kind, candidate.gender, candidate.single_gender) == (
        "themed",
        "woman",
        True,
    )
    assert candidate.birth_year == 1975
    assert candidate.waited_days == 30
    assert candidate.avoid == {99}
    assert "Hemmelig" not in repr(candidate)
    assert "Søsteren" not in repr(candidate)


def test_waited_days_counts_local_calendar_days(page):
    registration = RegistrationFactory(page=page)
    today = timezone.localdate()
    assert engine_input.waited_days(registration, today) == 0
    assert (
        engine_input.waited_days(registration, today + datetime.timedelta(days=3)) == 3
    )
    # A clock that runs behind never gives a negative wait.
    assert (
        engine_input.waited_days(registration, today - datetime.timedelta(days=1)) == 0
    )


def test_candidates_load_in_a_constant_number_of_queries(
    page, django_assert_num_queries
):
    for _ in range(12):
        RegistrationFactory(page=page, topics=["Angst"])
    with django_assert_num_queries(4):
        registrations = engine_input.prefetch_for_matching(
            Registration.objects.filter(page=page)
        )
        candidates = [engine_input.candidate_for(r) for r in registrations]
    assert len(candidates) == 12


def test_the_engine_runs_on_the_adapter_and_reasons_come_back_by_name(page):
    for _ in range(3):
        RegistrationFactory(page=page, places=["Gol"], time_slots=["Kveld"])
    alone = RegistrationFactory(page=page, places=["Ål"], time_slots=["Dagtid"])
    registrations = engine_input.prefetch_for_matching(
        Registration.objects.filter(page=page)
    )
    result = propose_groups(
        [engine_input.candidate_for(r) for r in registrations],
        rules=engine_input.rules_for(page),
    )
    assert len(result.groups) == 1
    names = adapters.ChoiceNames.for_page(page)
    group = result.groups[0]
    assert (names.place(group.place), names.slot(group.slot)) == ("Gol", "Kveld")
    reason = names.reason(result.unplaced[alone.pk])
    assert reason.code == "too_few"
    assert reason.params["place"] == "Ål"
    assert reason.params["slot"] == "Dagtid"


def test_reasons_without_a_place_pass_through(page):
    names = adapters.ChoiceNames.for_page(page)
    reason = UnplacedReason("gender_missing", "asked for ...", {})
    assert names.reason(reason) == reason
    assert names.topic(None) is None


def test_the_bulk_path_builds_the_same_candidates(page, django_assert_num_queries):
    from wagtail_selvhjelp.models import AvoidPair

    people = [
        RegistrationFactory(
            page=page,
            places=["Gol", "Hol"][: 1 + n % 2],
            time_slots=["Kveld"],
            topics=["Angst"] if n % 3 else [],
            group_kind=["any", "themed", "mixed"][n % 3],
            gender="woman" if n % 2 else "",
            birth_year=1960 + n,
            days_ago=n,
        )
        for n in range(9)
    ]
    AvoidPair.objects.link(people[0], people[4])
    outsider = RegistrationFactory(page=page)
    AvoidPair.objects.link(people[1], outsider)
    queryset = Registration.objects.filter(pk__in=[p.pk for p in people])
    with django_assert_num_queries(5):
        bulk = adapters.candidates_from(queryset)
    one_by_one = [
        engine_input.candidate_for(
            registration,
            avoid=set(AvoidPair.objects.partners_of(registration))
            & {p.pk for p in people},
        )
        for registration in engine_input.prefetch_for_matching(queryset)
    ]
    assert sorted(bulk, key=lambda c: c.id) == sorted(one_by_one, key=lambda c: c.id)
    assert next(c for c in bulk if c.id == people[1].pk).avoid == frozenset()
