"""Retention, statistics that survive deletion, access and erasure.

Time is fixed by passing ``now`` to the purge and dating rows back with
``update()``, so every boundary is tested a day before, on and after.
"""

import datetime
import json

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from wagtail_selvhjelp import privacy, task_backend
from wagtail_selvhjelp.models import (
    AvoidPair,
    GroupMembership,
    MatchingRun,
    PurgeRun,
    Registration,
    RegistrationStatistic,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.privacy import (
    count_registrations,
    forget,
    live_outcome,
)

from .factories import RegistrationFactory, make_registration_page, secret_answers


pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 12, 0))
DAY = datetime.timedelta(days=1)


@pytest.fixture
def page(section):
    return make_registration_page(section)


def dated(registration, **moments):
    Registration.objects.filter(pk=registration.pk).update(**moments)
    registration.refresh_from_db()
    return registration


def exists(registration):
    return Registration.objects.filter(pk=registration.pk).exists()


def statistics(page):
    """(dimension, key, outcome) -> count, stored and live together."""
    live_counts, _labels = count_registrations(
        Registration.objects.filter(page=page), outcome_of=live_outcome
    )
    totals = {}
    for (_month, _page, dimension, key, outcome), number in live_counts.items():
        totals[(dimension, key, outcome)] = (
            totals.get((dimension, key, outcome), 0) + number
        )
    for stat in RegistrationStatistic.objects.filter(page_id=page.pk):
        index = (stat.dimension, stat.key, stat.outcome)
        totals[index] = totals.get(index, 0) + stat.count
    return totals


def test_months_before_clamps_the_day():
    moment = datetime.datetime(2026, 3, 31, 10, 0)
    assert privacy.months_before(moment, 1) == datetime.datetime(2026, 2, 28, 10, 0)
    assert privacy.months_before(moment, 12) == datetime.datetime(2025, 3, 31, 10, 0)
    assert privacy.months_before(moment, 15) == datetime.datetime(2024, 12, 31, 10, 0)


@pytest.mark.parametrize(
    ("age", "kept"),
    [(29 * DAY, True), (30 * DAY, False), (31 * DAY, False)],
    ids=["a day before", "on the day", "a day after"],
)
@pytest.mark.parametrize("status", ["withdrawn", "spam"])
def test_withdrawn_and_spam_go_after_30_days(page, status, age, kept):
    registration = dated(
        RegistrationFactory(page=page, status=status), updated_at=NOW - age
    )
    counts = privacy.purge(now=NOW)
    assert exists(registration) is kept
    assert counts["closed"] == (0 if kept else 1)


def test_the_page_sets_its_own_period(page):
    page.retention_closed_days = 7
    page.save()
    registration = dated(
        RegistrationFactory(page=page, status="withdrawn"), updated_at=NOW - 8 * DAY
    )
    privacy.purge(now=NOW)
    assert not exists(registration)


def test_a_waiting_registration_is_asked_after_12_months_then_deleted(
    page, django_capture_on_commit_callbacks, sms_outbox
):
    before = dated(
        RegistrationFactory(page=page),
        created_at=privacy.months_before(NOW, 12) + DAY,
    )
    due = dated(
        RegistrationFactory(page=page), created_at=privacy.months_before(NOW, 12)
    )
    no_email = dated(
        RegistrationFactory(page=page, email="", phone="+4791234567"),
        created_at=privacy.months_before(NOW, 13),
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        counts = privacy.purge(now=NOW)

    assert counts["reconfirmation_requested"] == 2
    for registration in (before, due, no_email):
        registration.refresh_from_db()
    assert before.reconfirmation_requested_at is None
    assert due.reconfirmation_requested_at == NOW
    assert no_email.reconfirmation_requested_at == NOW
    # Only the one with an e-mail address gets an e-mail, with its link; the
    # one who gave only a phone number gets an SMS.
    assert [message.to for message in mail.outbox] == [[due.email]]
    assert [sms.number for sms in sms_outbox] == [no_email.phone]
    body = mail.outbox[0].body
    assert "/min-pamelding/" in body
    assert due.name not in body and due.name not in mail.outbox[0].subject

    # Asked once only (the one a day short of 12 months is asked now).
    assert privacy.purge(now=NOW + DAY)["reconfirmation_requested"] == 1
    due.refresh_from_db()
    assert due.reconfirmation_requested_at == NOW

    # 30 days to answer: kept a day before, gone on the day.
    privacy.purge(now=NOW + 29 * DAY)
    assert exists(due)
    counts = privacy.purge(now=NOW + 30 * DAY)
    assert counts["expired"] == 2
    assert not exists(due) and not exists(no_email)
    assert exists(before)


def test_confirming_restarts_the_wait(page):
    registration = dated(
        RegistrationFactory(page=page), created_at=privacy.months_before(NOW, 14)
    )
    privacy.purge(now=NOW)
    registration.refresh_from_db()
    registration.confirm_still_waiting()
    dated(registration, confirmed_at=NOW + DAY)
    counts = privacy.purge(now=NOW + 40 * DAY)
    assert exists(registration)
    assert counts["reconfirmation_requested"] == 0
    assert counts["expired"] == 0


@pytest.fixture
def ended_group(page):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, dagtid",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Dagtid"),
    )
    members = [
        RegistrationFactory(page=page, places=["Gol"], time_slots=["Dagtid"])
        for _ in range(4)
    ]
    for member in members:
        group.add_member(member)
        member.save()
    group.activate(reason="members_agree")
    return group, members


@pytest.mark.parametrize(
    ("ended_days_before_cutoff", "kept"),
    [(-1, True), (0, False), (1, False)],
    ids=["a day before", "on the day", "a day after"],
)
def test_members_go_six_months_after_their_group_ended(
    page, ended_group, ended_days_before_cutoff, kept
):
    group, members = ended_group
    cutoff = privacy.months_before(timezone.localdate(NOW), 6)
    group.end(today=cutoff - datetime.timedelta(days=ended_days_before_cutoff))

    counts = privacy.purge(now=NOW)

    assert all(exists(member) is kept for member in members)
    group.refresh_from_db()
    # The group's record stays, with its size and without names.
    assert group.status == "ended"
    if not kept:
        assert counts["former_members"] == 4
        assert group.former_member_count == 4
        assert not GroupMembership.objects.filter(group=group).exists()


def test_a_member_of_an_open_group_is_kept(page, ended_group):
    group, members = ended_group
    dated(members[0], updated_at=NOW - 400 * DAY)
    privacy.purge(now=NOW)
    assert all(exists(member) for member in members)


def test_dry_run_changes_nothing_and_records_nothing(page, capsys):
    dated(RegistrationFactory(page=page, status="spam"), updated_at=NOW - 40 * DAY)
    dated(RegistrationFactory(page=page), created_at=NOW - 400 * DAY)
    before = list(Registration.objects.values())
    call_command("selvhjelp_purge", "--dry-run")
    output = capsys.readouterr().out
    assert "Dry run" in output
    assert list(Registration.objects.values()) == before
    assert not PurgeRun.objects.exists()
    assert not RegistrationStatistic.objects.exists()
    assert "1  withdrawn or spam registrations deleted" in output
    assert "1  registrations asked to re-confirm" in output


def test_a_run_is_recorded_and_logged_with_counts_only(page):
    spam = dated(
        RegistrationFactory(page=page, status="spam", name="Spammy Navnesen"),
        updated_at=timezone.now() - 40 * DAY,
    )
    call_command("selvhjelp_purge")
    run = PurgeRun.objects.get()
    assert run.counts["closed"] == 1
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.purge")
    assert entry.data["closed"] == 1
    assert spam.name not in json.dumps(entry.data) + entry.label
    assert privacy.last_purge() == run


def test_the_purge_task_runs_the_purge(page):
    from wagtail_selvhjelp.tasks import purge

    dated(
        RegistrationFactory(page=page, status="withdrawn"),
        updated_at=timezone.now() - 40 * DAY,
    )
    # call(): django-tasks 0.7 runs an enqueued task only after the commit.
    assert purge.call()["closed"] == 1
    assert PurgeRun.objects.count() == 1


def stored_task_result(task_path, *, finished_at, status="SUCCESSFUL"):
    """A row of django-tasks' database backend, as its worker leaves it."""
    model = task_backend.result_model()
    return model.objects.create(
        task_path=task_path,
        status=status,
        args_kwargs={"args": [7], "kwargs": {}},
        backend_name="database",
        queue_name="default",
        run_after=NOW - 3 * DAY,
        finished_at=finished_at,
        exception_class_path="",
        traceback="",
    )


def test_the_purge_deletes_the_packages_finished_task_results(page, settings):
    settings.WAGTAIL_SELVHJELP = {**settings.WAGTAIL_SELVHJELP, "TASK_RESULT_HOURS": 24}
    ours = "wagtail_selvhjelp.tasks.send_receipt"
    old_success = stored_task_result(ours, finished_at=NOW - 2 * DAY)
    old_failure = stored_task_result(ours, finished_at=NOW - 2 * DAY, status="FAILED")
    recent = stored_task_result(ours, finished_at=NOW - DAY / 2)
    waiting = stored_task_result(ours, finished_at=None, status="READY")
    foreign = stored_task_result(
        "home.tasks.send_newsletter", finished_at=NOW - 9 * DAY
    )

    privacy.purge(now=NOW, dry_run=True)
    model = task_backend.result_model()
    assert model.objects.count() == 5
    privacy.purge(now=NOW)
    kept = set(model.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, waiting.pk, foreign.pk}
    assert old_success.pk not in kept and old_failure.pk not in kept


def test_statistics_are_the_same_before_and_after_a_purge(page, ended_group):
    group, _members = ended_group
    group.end(today=timezone.localdate(NOW) - 200 * DAY)
    for status in ("withdrawn", "spam", "withdrawn"):
        dated(
            RegistrationFactory(page=page, status=status, topics=["Sorg"]),
            updated_at=NOW - 40 * DAY,
        )
    RegistrationFactory(page=page, places=["Hol"], topics=["Angst"])
    before = statistics(page)

    counts = privacy.purge(now=NOW)

    assert counts["closed"] == 3 and counts["former_members"] == 4
    assert statistics(page) == before
    assert Registration.objects.filter(page=page).count() == 1


def test_expiry_moves_a_count_from_waiting_to_expired(page):
    dated(RegistrationFactory(page=page), created_at=NOW - 400 * DAY)
    privacy.purge(now=NOW)
    before = statistics(page)
    privacy.purge(now=NOW + 31 * DAY)
    after = statistics(page)
    assert before[("total", "", "waiting")] == 1
    assert after[("total", "", "expired")] == 1
    assert ("total", "", "waiting") not in after


def test_statistics_survive_the_page(page):
    registration = RegistrationFactory(page=page, status="withdrawn")
    forget(Registration.objects.filter(pk=registration.pk))
    page_id = page.pk
    page.delete()
    assert RegistrationStatistic.objects.filter(page_id=page_id).exists()


def test_matching_runs_lose_the_forgotten_ids(page):
    one, two = RegistrationFactory(page=page), RegistrationFactory(page=page)
    run = MatchingRun.objects.create(
        page=page,
        proposal={
            "groups": [{"members": [one.pk, two.pk]}],
            "unplaced": {str(one.pk): {"code": "x", "params": {}}},
        },
        excluded=[one.pk],
    )
    forget(Registration.objects.filter(pk=one.pk))
    run.refresh_from_db()
    assert run.proposal["groups"][0]["members"] == [two.pk]
    assert run.proposal["unplaced"] == {}
    assert run.excluded == []


# Access and erasure

#: The person's typed answers; one the catalogue gains later gets a secret too.
PERSON = secret_answers(
    {
        "name": "Sigrunn Sporløs",
        "email": "sigrunn.sporlos@example.test",
        "phone": "+4799988877",
        "avoid_text": "Ikke med svogeren Kjeldsrud",
        "access_needs": "Trenger rullestolrampe ved Fjordtun",
        "message": "Har slitt med søvnen etter dødsfallet",
    }
)


@pytest.fixture
def person(page, ended_group):
    group, members = ended_group
    registration = RegistrationFactory(
        page=page,
        places=["Gol"],
        time_slots=["Dagtid"],
        topics=["Sorg"],
        coordinator_notes="Ringte 3. mai, virket lettet",
        **PERSON,
    )
    GroupMembership.objects.create(
        group=group,
        registration=registration,
        override_reason="Passer inn tross alder, avtalt med Sporløs",
        is_current=False,
        left_on=timezone.localdate(),
    )
    AvoidPair.objects.link(registration, members[0])
    return registration


SECRETS = (
    "Sigrunn",
    "Sporløs",
    "sigrunn.sporlos@example.test",
    "99988877",
    "Kjeldsrud",
    "rullestolrampe",
    "søvnen",
    "lettet",
    *(value for value in PERSON.values() if value.startswith("Hemmelig")),
    "avtalt med",
)


def test_person_data_holds_everything_and_who_viewed_it(person, admin_user):
    from wagtail.log_actions import log

    log(person, "wagtail_selvhjelp.view", user=admin_user)
    data = privacy.person_data(person)
    text = json.dumps(data, ensure_ascii=False, default=str)
    for secret in SECRETS[:-1]:
        assert secret in text, secret
    assert data["consent_text"] == "Jeg samtykker."
    assert data["topics"] == ["Sorg"]
    assert data["group_memberships"][0]["group"] == "Gol, dagtid"
    assert len(data["must_not_share_a_group_with_registrations"]) == 1
    assert data["log"][-1]["action"] == "wagtail_selvhjelp.view"
    assert data["log"][-1]["user"] == admin_user.get_username()
    assert "submission_token" not in data["registration"]


def _text_columns():
    """(model, field name) of every text and JSON column of every table."""
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        # Local fields: a child model's table holds only its own columns.
        for field in model._meta.local_concrete_fields:
            if isinstance(
                field, (models.CharField, models.TextField, models.JSONField)
            ):
                yield model, field


def scan_database_for(secrets):
    """Every (table, column, secret) where a secret is stored in clear."""
    found = []
    with connection.cursor() as cursor:
        for model, field in _text_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
            for (value,) in cursor.fetchall():
                text = value if isinstance(value, str) else json.dumps(value or "")
                found.extend(
                    (model._meta.db_table, field.column, secret)
                    for secret in secrets
                    if secret.lower() in (text or "").lower()
                )
    return found


def test_after_erasure_no_table_holds_a_trace_of_the_person(client, person, admin_user):
    # The person's data has been through the admin: viewed, exported, logged.
    client.force_login(admin_user)
    client.get(f"/admin/selvhjelp/registrations/inspect/{person.pk}/")
    client.get(f"/admin/selvhjelp/registrations/person-data/{person.pk}/")
    # Clear texts are somewhere before (the name, e-mail, the log...).
    assert scan_database_for(SECRETS)

    privacy.erase(person, user=admin_user)

    assert scan_database_for(SECRETS) == []
    assert not Registration.objects.filter(pk=person.pk).exists()
    assert SelfHelpLogEntry.objects.filter(
        action="wagtail_selvhjelp.erase", object_id=str(person.pk)
    ).exists()


def test_a_stolen_dump_holds_no_free_text_in_clear(person):
    assert scan_database_for(["rullestolrampe", "søvnen", "Kjeldsrud", "lettet"]) == []


# The default privacy notice


def test_a_new_page_starts_with_a_notice_to_complete(client, admin_client, section):
    from django.urls import reverse
    from django.utils.html import strip_tags

    from wagtail_selvhjelp.models import GroupRegistrationPage
    from wagtail_selvhjelp.page_forms import has_fill_ins

    from .registration.test_admin import _page_form

    notice = GroupRegistrationPage().privacy_notice
    assert has_fill_ins(strip_tags(notice))
    assert "9(2)(a)" in notice and "Datatilsynet" in notice

    page = make_registration_page(section, privacy_notice=notice)
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    # A draft may keep the "[fill in: …]" parts; publishing may not.
    response = admin_client.post(
        edit, _page_form(page, privacy=notice, action="action-save-draft")
    )
    assert response.status_code == 302
    response = admin_client.post(edit, _page_form(page, privacy=notice))
    assert response.status_code == 200
    assert "[fill in" in response.content.decode() or "fyll inn" in (
        response.content.decode()
    )
    completed = notice.replace("[", "").replace("]", "")
    completed = completed.replace("fill in:", "").replace("fyll inn:", "")
    response = admin_client.post(edit, _page_form(page, privacy=completed))
    assert response.status_code == 302


def test_a_person_placed_while_asked_is_not_deleted_when_removed_again(
    page, admin_client
):
    """The silent deletion a walk of the demo found: someone asked to
    re-confirm is placed in a group, removed again (back to waiting), and a
    month later the purge must not delete them as "did not answer": placing
    them was their answer."""
    from django.urls import reverse

    from wagtail_selvhjelp.models import SelfHelpGroup

    now = timezone.now()
    person = dated(
        RegistrationFactory(page=page, places=["Gol"], time_slots=["Kveld"]),
        created_at=privacy.months_before(now, 13),
    )
    assert privacy.purge(now=now)["reconfirmation_requested"] == 1
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
    )
    members_url = reverse("wagtail_selvhjelp_group:members", args=[group.pk])
    response = admin_client.post(
        members_url, {"action": "add", "registration": person.pk}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == "placed"
    assert person.reconfirmation_requested_at is None
    membership = group.memberships.get()
    admin_client.post(
        reverse("wagtail_selvhjelp_group:remove_member", args=[membership.pk]),
        {"reason": "not_suited", "then": "waiting"},
    )
    person.refresh_from_db()
    assert person.status == "waiting"

    counts = privacy.purge(now=now + 31 * DAY)

    assert exists(person)
    assert counts["expired"] == 0
    assert counts["reconfirmation_requested"] == 0


@pytest.mark.parametrize(
    ("status", "answers"),
    [("contacted", True), ("waiting", True), ("withdrawn", False)],
)
def test_a_recorded_contact_answers_a_pending_question(page, status, answers):
    """A coordinator who records a contact (a status change) has the answer."""
    from wagtail_selvhjelp.models.actions import ChangeStatus

    now = timezone.now()
    person = dated(
        RegistrationFactory(page=page, status="new"),
        created_at=privacy.months_before(now, 13),
    )
    privacy.purge(now=now)
    ChangeStatus(person, status).execute(skip_permission_checks=True)
    person.refresh_from_db()
    assert (person.reconfirmation_requested_at is None) is answers
