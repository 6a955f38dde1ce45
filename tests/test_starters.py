"""The starter register: one or two starters per group, ranked suggestions,
erasure by reference, the starter's data export, retention, the data
migration from the two free-text fields, and log entries without names."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.models import (
    GroupStarter,
    Registration,
    SelfHelpGroup,
    SelfHelpLogEntry,
    Starter,
    StarterCourse,
)
from wagtail_selvhjelp.models.starter_actions import (
    AssignStarter,
    ChangeStarterStatus,
    EraseStarter,
    WithdrawStarter,
)
from wagtail_selvhjelp.models.starters import (
    group_has_current_starter,
    suggest_starters,
)

from .factories import (
    RegistrationFactory,
    StarterFactory,
    make_group,
    make_registration_page,
)
from .test_privacy import scan_database_for


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def page(section):
    return make_registration_page(section)


@pytest.fixture
def group(page):
    return make_group(page, topic="Sorg")


def assign(group, starter, **kwargs):
    return AssignStarter(group, starter, **kwargs).execute(skip_permission_checks=True)


def withdraw(assignment, **kwargs):
    return WithdrawStarter(assignment, **kwargs).execute(skip_permission_checks=True)


# One or two starters


def test_a_group_has_a_lead_and_at_most_one_co_starter(page, group):
    first, second, third = (StarterFactory(pages=[page]) for _ in range(3))

    lead = assign(group, first)
    co = assign(group, second)

    assert (lead.role, co.role) == ("lead", "co")
    with pytest.raises(ValidationError, match="lead starter and a co-starter"):
        assign(group, third)
    with pytest.raises(ValidationError, match="already with the group"):
        assign(group, first)
    assert group.starter_assignments.count() == 2


def test_the_database_keeps_one_starter_per_role(page, group):
    first, second = StarterFactory(pages=[page]), StarterFactory(pages=[page])
    assign(group, first)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupStarter.objects.create(group=group, starter=second, role="lead")


def test_a_co_starter_needs_a_lead(page, group):
    with pytest.raises(ValidationError, match="lead starter first"):
        assign(group, StarterFactory(pages=[page]), role="co")


def test_withdrawing_the_lead_makes_the_co_starter_lead(page, group):
    lead = assign(group, StarterFactory(pages=[page]))
    co = assign(group, StarterFactory(pages=[page]))

    withdraw(lead, reason="group_runs", today=TODAY)

    lead.refresh_from_db()
    co.refresh_from_db()
    assert lead.withdrawn_on == TODAY
    assert lead.withdrawal_reason == "group_runs"
    assert co.role == "lead"
    # A new co-starter can come now; the withdrawn one stays in the history.
    assign(group, StarterFactory(pages=[page]))
    assert group.starter_assignments.count() == 3
    with pytest.raises(ValidationError, match="already withdrawn"):
        withdraw(lead)


def test_a_withdrawal_reason_outside_the_codes_is_not_stored(page, group):
    assignment = assign(group, StarterFactory(pages=[page]))
    withdraw(assignment, reason="erased")  # set by erasure only
    assignment.refresh_from_db()
    assert assignment.withdrawal_reason == ""


@pytest.mark.parametrize(("meetings", "warned"), [(3, False), (8, False), (9, True)])
def test_more_than_eight_planned_meetings_warns(page, group, meetings, warned):
    assignment = assign(group, StarterFactory(pages=[page]), planned_meetings=meetings)
    assert assignment.many_meetings is warned


def test_planned_meetings_and_dates_are_checked(page, group):
    starter = StarterFactory(pages=[page])
    with pytest.raises(ValidationError):
        assign(group, starter, planned_meetings=0)
    with pytest.raises(ValidationError) as refused:
        assign(
            group,
            starter,
            since=TODAY,
            until=TODAY - datetime.timedelta(days=1),
        )
    assert refused.value.message_dict == {
        "until": ["The last day cannot come before the first."]
    }
    assert not group.starter_assignments.exists()


def test_a_new_assignment_plans_three_meetings(page, group):
    assert assign(group, StarterFactory(pages=[page])).planned_meetings == 3


def test_the_start_rule_asks_whether_the_group_has_a_starter_now(page, group):
    assert not group_has_current_starter(group)
    assignment = assign(group, StarterFactory(pages=[page]), since=TODAY, until=TODAY)
    assert group_has_current_starter(group, today=TODAY)
    assert not group_has_current_starter(
        group, today=TODAY + datetime.timedelta(days=1)
    )
    assert list(GroupStarter.objects.current(TODAY)) == [assignment]
    withdraw(assignment, today=TODAY)
    assert not group_has_current_starter(group, today=TODAY)


def test_an_ended_groups_starter_is_not_current(page, group):
    assign(group, StarterFactory(pages=[page]))
    group.end()
    assert not group_has_current_starter(group)


def test_refusals_own_topic_resting_other_page_ended_group(page, group, section):
    with pytest.raises(ValidationError, match="topic of their own"):
        assign(group, StarterFactory(pages=[page], topics=["Sorg"]))
    with pytest.raises(ValidationError, match="Only an active starter"):
        assign(group, StarterFactory(pages=[page], status="resting"))
    other = make_registration_page(section, slug="other")
    with pytest.raises(ValidationError, match="does not serve"):
        assign(group, StarterFactory(pages=[other]))
    group.end()
    with pytest.raises(ValidationError, match="ended group"):
        assign(group, StarterFactory(pages=[page]))


# Load and ranking


def test_load_counts_open_groups_the_starter_accompanies_now(page):
    starter = StarterFactory(pages=[page])
    first, second, ended = (make_group(page, name=str(n)) for n in range(3))
    for group in (first, second, ended):
        assign(group, starter)
    ended.end()
    withdraw(second.starter_assignments.get())
    assert Starter.objects.with_load().get(pk=starter.pk).load == 1


def test_suggestions_are_ranked_by_fit_and_explained(page, group):
    other_group = make_group(page, name="busy")
    busy = StarterFactory(pages=[page], name="Busy")
    assign(other_group, busy)
    free = StarterFactory(pages=[page], name="Free")
    expired = StarterFactory(
        pages=[page], name="Expired", course=TODAY - datetime.timedelta(days=1)
    )
    untrained = StarterFactory(pages=[page], name="Untrained", course=False)
    wrong_slot = StarterFactory(pages=[page], name="Wrong slot", time_slots=["Dagtid"])
    wrong_place = StarterFactory(pages=[page], name="Wrong place", places=["Ål"])
    StarterFactory(pages=[page], name="Own topic", topics=["Sorg"])
    StarterFactory(pages=[page], name="Resting", status="resting")
    StarterFactory(pages=[page], name="Archived", status="archived")

    suggestions = suggest_starters(group, today=TODAY)

    names = [s.starter.name for s in suggestions.ranked]
    assert names[:2] == ["Free", "Busy"]  # lowest load first
    assert set(names[2:4]) == {"Expired", "Untrained"}  # no valid course
    assert names[4:] == ["Wrong slot", "Wrong place"]
    assert suggestions.own_topic == 1
    assert [s.starter for s in suggestions.fitting] == [free, busy]
    first = suggestions.ranked[0]
    assert "takes Gol" in first.reasons
    assert "takes Kveld" in first.reasons
    assert "has a valid course" in first.reasons
    assert "starts no other group now" in first.reasons
    by_name = {s.starter.name: s for s in suggestions.ranked}
    assert "accompanies 1 open group(s)" in by_name["Busy"].reasons
    assert "no valid course" in by_name["Expired"].reasons
    assert "does not take Gol" in by_name["Wrong place"].reasons
    assert not by_name["Untrained"].valid_course
    assert expired.pk and untrained.pk and wrong_slot.pk and wrong_place.pk


def test_a_mixed_group_excludes_no_one_for_their_topic(page):
    mixed = make_group(page)
    StarterFactory(pages=[page], topics=["Sorg"])
    suggestions = suggest_starters(mixed)
    assert len(suggestions.ranked) == 1 and suggestions.own_topic == 0


def test_starters_with_the_group_or_of_other_pages_are_not_suggested(
    page, group, section
):
    other = make_registration_page(section, slug="other")
    StarterFactory(pages=[other])
    lead = StarterFactory(pages=[page])
    assign(group, lead)
    assert suggest_starters(group).ranked == []


def test_suggestions_take_a_constant_number_of_queries(
    page, group, django_assert_num_queries
):
    for _ in range(3):
        StarterFactory(pages=[page])
    with django_assert_num_queries(4):
        suggest_starters(group)
    for _ in range(5):
        StarterFactory(pages=[page])
    with django_assert_num_queries(4):
        assert len(suggest_starters(group).ranked) == 8


# Status


def test_archiving_records_when_and_waits_for_the_groups(page, group, admin_user):
    starter = StarterFactory(pages=[page])
    assignment = assign(group, starter)
    with pytest.raises(ValidationError, match="still accompanies"):
        ChangeStarterStatus(starter, "archived", user=admin_user).execute()
    withdraw(assignment)
    ChangeStarterStatus(starter, "archived", user=admin_user).execute()
    starter.refresh_from_db()
    assert starter.status == "archived" and starter.archived_at is not None
    ChangeStarterStatus(starter, "active", user=admin_user).execute()
    starter.refresh_from_db()
    assert starter.archived_at is None


# The log


def test_log_entries_hold_ids_and_codes_only(page, group, admin_user):
    starter = StarterFactory(
        pages=[page], name="Navn Navnesen", email="navn@example.test"
    )
    starter.phone = "+4791377731"
    starter.save()
    assignment = AssignStarter(group, starter, user=admin_user).execute()
    WithdrawStarter(assignment, reason="own_wish", user=admin_user).execute()
    ChangeStarterStatus(starter, "resting", user=admin_user).execute()
    EraseStarter(starter, user=admin_user).execute()

    entries = SelfHelpLogEntry.objects.filter(action__startswith="wagtail_selvhjelp.")
    assert {e.action for e in entries} == {
        "wagtail_selvhjelp.starter_assign",
        "wagtail_selvhjelp.starter_withdraw",
        "wagtail_selvhjelp.starter_status",
        "wagtail_selvhjelp.starter_erase",
    }
    assign_entry = entries.get(action="wagtail_selvhjelp.starter_assign")
    assert assign_entry.data == {
        "assignment": assignment.pk,
        "starter": starter.pk,
        "role": "lead",
        "planned_meetings": 3,
    }
    for entry in entries:
        text = json.dumps(entry.data) + entry.label
        for secret in ("Navn", "navn@example.test", "91377731"):
            assert secret not in text, entry.action


# Erasure, export, retention


@pytest.fixture
def known_starter(page, group):
    starter = StarterFactory(
        pages=[page],
        name="Sigrunn Igangsetter",
        email="sigrunn.igang@example.test",
        topics=["Angst"],
    )
    starter.phone = "+4791377731"
    starter.notes = "Kan ikke tirsdager i mai"
    starter.save()
    return starter


STARTER_SECRETS = (
    "Sigrunn Igangsetter",
    "sigrunn.igang@example.test",
    "91377731",
    "tirsdager i mai",
)


def test_a_starters_data_export_holds_everything_about_them(
    known_starter, group, admin_user
):
    assign(group, known_starter)
    data = privacy.starter_person_data(known_starter)
    text = json.dumps(data, ensure_ascii=False, default=str)
    for secret in STARTER_SECRETS:
        assert secret in text, secret
    assert data["starter_topics"] == ["Angst"]
    assert data["starter_places"] == ["Gol", "Hol", "Ål"]
    assert data["starter_courses"][0]["completed_on"] == "2024-03-01"
    assert data["starter_groups"] == [
        {
            "group": group.name,
            "place": "Gol",
            "time_slot": "Kveld",
            "role": "lead",
            "from": timezone.localdate().isoformat(),
            "until": None,
            "planned_meetings": 3,
            "withdrawn_on": None,
            "withdrawal_reason": "",
        }
    ]


def test_erasing_a_starter_works_by_reference_and_leaves_no_trace(
    known_starter, group, page, admin_user
):
    assignment = assign(group, known_starter)
    # Someone registered with the same name and phone: a different person
    # to the package, never matched by name.
    namesake = RegistrationFactory(
        page=page, name="Sigrunn Igangsetter", phone="+4791377731"
    )
    assert scan_database_for(STARTER_SECRETS)

    privacy.erase_starter(known_starter, user=admin_user)

    assert not Starter.objects.filter(pk=known_starter.pk).exists()
    assert not StarterCourse.objects.exists()
    assignment.refresh_from_db()
    # The group keeps that it had a starter, withdrawn and without them.
    assert assignment.starter is None
    assert assignment.withdrawal_reason == "erased"
    assert assignment.withdrawn_on == timezone.localdate()
    assert not group_has_current_starter(group)
    assert Registration.objects.filter(pk=namesake.pk).exists()
    found = scan_database_for(STARTER_SECRETS[1:])
    assert {table for table, _column, _secret in found} == {Registration._meta.db_table}

    # And the other way round: erasing the registrant leaves a starter alone.
    starter = StarterFactory(pages=[page], name="Sigrunn Igangsetter")
    privacy.erase(namesake, user=admin_user)
    assert Starter.objects.filter(pk=starter.pk).exists()


def archived(starter, months_ago, now):
    Starter.objects.filter(pk=starter.pk).update(
        status="archived",
        archived_at=privacy.months_before(now, months_ago),
    )


NOW = timezone.make_aware(datetime.datetime(2026, 12, 3, 12, 0))


@pytest.mark.parametrize(
    ("months", "kept"), [(11, True), (12, False), (30, False)], ids=str
)
def test_archived_starters_are_deleted_after_the_retention_time(
    page, group, months, kept
):
    starter = StarterFactory(pages=[page])
    assignment = assign(group, starter)
    withdraw(assignment)
    archived(starter, months, NOW)
    active = StarterFactory(pages=[page])
    Starter.objects.filter(pk=active.pk).update(
        archived_at=privacy.months_before(NOW, 40)
    )

    assert privacy.purge(now=NOW, dry_run=True)["archived_starters"] == (not kept)
    counts = privacy.purge(now=NOW)

    assert Starter.objects.filter(pk=starter.pk).exists() is kept
    assert Starter.objects.filter(pk=active.pk).exists()
    assert counts["archived_starters"] == (0 if kept else 1)
    assignment.refresh_from_db()
    assert (assignment.starter_id is None) is not kept


def test_a_starter_of_two_pages_is_purged_once(section):
    first = make_registration_page(section, slug="first")
    second = make_registration_page(section, slug="second")
    starter = StarterFactory(pages=[first, second])
    archived(starter, 13, NOW)
    assert privacy.purge(now=NOW, dry_run=True)["archived_starters"] == 1
    assert privacy.purge(now=NOW)["archived_starters"] == 1
    assert not Starter.objects.exists()


def test_the_retention_time_is_a_setting(page, settings):
    settings.WAGTAIL_SELVHJELP = {"RETENTION_ARCHIVED_STARTER_MONTHS": 2}
    starter = StarterFactory(pages=[page])
    archived(starter, 3, NOW)
    assert privacy.purge(now=NOW)["archived_starters"] == 1


# The data migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_typed_starters_into_the_register(home_page):
    from django.db.migrations.executor import MigrationExecutor

    before = [("wagtail_selvhjelp", "0014_meeting")]
    after = [("wagtail_selvhjelp", "0015_starters")]
    # The page is made with today's models, before going back in time.
    page = make_registration_page(home_page, slug="migrert")
    place = page.places.get(name="Gol")
    slot = page.time_slots.get(name="Kveld")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        OldGroup = old_apps.get_model("wagtail_selvhjelp", "SelfHelpGroup")

        def old_group(name, **fields):
            return OldGroup.objects.create(
                page_id=page.pk,
                name=name,
                place_id=place.pk,
                time_slot_id=slot.pk,
                **fields,
            )

        by_email = old_group(
            "e-post", starter_name="Kari Start", starter_contact="kari@example.test"
        )
        same_again = old_group(
            "igjen", starter_name="Kari Start", starter_contact="kari@example.test"
        )
        by_phone = old_group(
            "telefon", starter_name="Ola Start", starter_contact="913 77 731"
        )
        by_text = old_group(
            "tekst",
            starter_name="Per Start",
            starter_contact="via frivilligsentralen",
            status="ended",
            ended_on=datetime.date(2026, 6, 1),
        )
        old_group("uten")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        # The later migrations leave starters alone; today's models need them.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        assert Starter.objects.count() == 3
        kari = Starter.objects.get(email="kari@example.test")
        assert kari.name == "Kari Start"
        assert list(kari.pages.all()) == [page.page_ptr]
        assert list(kari.places.all()) == [place]
        assert set(
            GroupStarter.objects.filter(starter=kari).values_list("group", flat=True)
        ) == {by_email.pk, same_again.pk}
        ola = Starter.objects.get(name="Ola Start")
        assert ola.phone == "+4791377731"
        per = Starter.objects.get(name="Per Start")
        assert per.notes == "via frivilligsentralen" and not per.email
        ended = GroupStarter.objects.get(starter=per)
        assert ended.withdrawn_on == datetime.date(2026, 6, 1)
        assert ended.withdrawal_reason == "group_ended"
        assert group_has_current_starter(SelfHelpGroup.objects.get(pk=by_phone.pk))
        assert not group_has_current_starter(SelfHelpGroup.objects.get(pk=by_text.pk))
        assert not GroupStarter.objects.filter(group__name="uten").exists()
        assert {a.role for a in GroupStarter.objects.all()} == {"lead"}

        # And back: each group's starter in the two fields again.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        OldGroup = old_apps.get_model("wagtail_selvhjelp", "SelfHelpGroup")
        assert OldGroup.objects.get(pk=by_phone.pk).starter_contact == "+4791377731"
        assert OldGroup.objects.get(pk=same_again.pk).starter_name == "Kari Start"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
