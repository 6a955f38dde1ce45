"""Groups, memberships and avoid pairs: the rules in the model layer."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from wagtail_selvhjelp.models import (
    AvoidPair,
    GroupMembership,
    Registration,
    SelfHelpGroup,
)

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are matched in English here; nb and nn are tested apart."""
    with translation.override("en"):
        yield


def make_group(page, **fields):
    defaults = {
        "page": page,
        "name": "Gol, kveld",
        "place": page.places.get(name="Gol"),
        "time_slot": page.time_slots.get(name="Kveld"),
    }
    defaults.update(fields)
    return SelfHelpGroup.objects.create(**defaults)


def waiting(page, n=1, **fields):
    fields.setdefault("places", ["Gol"])
    fields.setdefault("time_slots", ["Kveld"])
    return [RegistrationFactory(page=page, **fields) for _ in range(n)]


def test_placing_and_removing_updates_the_registration_status(page_a):
    group = make_group(page_a)
    (person,) = waiting(page_a)
    membership = group.add_member(person)
    person.refresh_from_db()
    assert person.status == "placed"
    group.remove_member(membership)
    person.refresh_from_db()
    assert person.status == "waiting"
    membership.refresh_from_db()
    assert membership.left_on is not None and not membership.is_current


def test_a_registration_is_in_one_current_group_only(page_a):
    first, second = make_group(page_a), make_group(page_a, name="Andre")
    (person,) = waiting(page_a)
    first.add_member(person)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.add_member(person)
    assert GroupMembership.objects.filter(registration=person).count() == 1


def test_the_constraint_holds_for_a_raw_insert(page_a):
    first, second = make_group(page_a), make_group(page_a, name="Andre")
    (person,) = waiting(page_a)
    first.add_member(person)
    table = GroupMembership._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 - table name from the model
                "(group_id, registration_id, joined_on, is_current, "
                "override_reason, group_agreed) VALUES (%s, %s, %s, %s, '', %s)",
                [second.pk, person.pk, "2026-01-01", True, False],
            )


def test_after_leaving_or_an_ended_group_someone_can_join_another(page_a):
    first, second = make_group(page_a), make_group(page_a, name="Andre")
    (person,) = waiting(page_a)
    first.add_member(person)
    first.end()
    assert first.status == "ended" and first.ended_on is not None
    second.add_member(person)
    assert second.current_memberships().count() == 1


def test_an_incompatible_member_needs_a_recorded_reason(page_a):
    group = make_group(page_a)
    (elsewhere,) = waiting(page_a, places=["Ål"])
    with pytest.raises(ValidationError) as error:
        group.add_member(elsewhere)
    assert "place" in str(error.value)
    membership = group.add_member(elsewhere, override_reason="Kan ta bussen")
    assert membership.override_reason == "Kan ta bussen"


@pytest.mark.parametrize(
    ("group_fields", "person_fields", "words"),
    [
        ({}, {"time_slots": ["Dagtid"]}, "time"),
        ({}, {"group_kind": "themed", "topics": ["Angst"]}, "one topic"),
        ({"topic": "Angst"}, {"group_kind": "mixed"}, "mixed"),
        ({"topic": "Angst"}, {"topics": ["Sorg"]}, "topic"),
        ({"gender": "woman"}, {"gender": "man"}, "gender"),
        ({}, {"gender": "woman", "single_gender": True}, "single-gender"),
    ],
)
def test_each_rule_is_explained(page_a, group_fields, person_fields, words):
    if "topic" in group_fields:
        group_fields["topic"] = page_a.topics.get(name=group_fields["topic"])
    group = make_group(page_a, **group_fields)
    (person,) = waiting(page_a, **person_fields)
    problems = group.incompatibilities(person)
    assert any(words in problem for problem in problems), problems


def test_age_span_and_avoid_pairs(page_a):
    page_a.max_age_span = 10
    page_a.save()
    group = make_group(page_a)
    (older,) = waiting(page_a, birth_year=1950)
    group.add_member(older)
    (young,) = waiting(page_a, birth_year=2000)
    assert any("age" in p for p in group.incompatibilities(young))
    (peer,) = waiting(page_a, birth_year=1955)
    AvoidPair.objects.link(peer, older)
    assert any("must not share" in p for p in group.incompatibilities(peer))


def test_an_active_group_is_closed_unless_it_agreed(page_a):
    group = make_group(page_a)
    for person in waiting(page_a, 4):
        group.add_member(person)
    group.activate(reason="other")
    (newcomer,) = waiting(page_a)
    with pytest.raises(ValidationError, match="closed"):
        group.add_member(newcomer)
    membership = group.add_member(newcomer, group_agreed=True)
    assert membership.group_agreed


def test_a_group_starts_only_within_the_size_bounds(page_a):
    group = make_group(page_a)
    for person in waiting(page_a, 3):
        group.add_member(person)
    with pytest.raises(ValidationError, match="4 to 8"):
        group.activate()
    assert SelfHelpGroup.objects.get(pk=group.pk).status == "forming"


def test_a_full_group_takes_no_one(page_a):
    page_a.group_max_size = 4
    page_a.save()
    group = make_group(page_a)
    for person in waiting(page_a, 4):
        group.add_member(person)
    (fifth,) = waiting(page_a)
    with pytest.raises(ValidationError, match="full"):
        group.add_member(fifth, override_reason="Vil gjerne")


def test_avoid_pairs_are_symmetric_and_stored_once(page_a, page_b):
    one, other = waiting(page_a, 2)
    AvoidPair.objects.link(other, one)
    AvoidPair.objects.link(one, other)
    assert AvoidPair.objects.count() == 1
    assert list(AvoidPair.objects.partners_of(one)) == [other.pk]
    assert list(AvoidPair.objects.partners_of(other)) == [one.pk]
    with pytest.raises(ValidationError):
        AvoidPair.objects.link(one, one)
    (elsewhere,) = waiting(page_b)
    with pytest.raises(ValidationError):
        AvoidPair.objects.link(one, elsewhere)


def test_deleting_a_registration_keeps_the_group(page_a):
    group = make_group(page_a)
    (person,) = waiting(page_a)
    group.add_member(person)
    Registration.objects.filter(pk=person.pk).delete()
    assert SelfHelpGroup.objects.filter(pk=group.pk).exists()
    assert not GroupMembership.objects.exists()
