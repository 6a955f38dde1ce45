"""The anonymous follow-up: sent once, unlinkable, answered once, counted."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from wagtail_selvhjelp.models import (
    FollowUp,
    FollowUpCode,
    GroupLifeStatistic,
    OutgoingMessage,
    Registration,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.actions import ActionPermissionError, AnswerFollowUp
from wagtail_selvhjelp.notifications import send_follow_ups
from wagtail_selvhjelp.tasks import send_follow_ups as send_follow_ups_task

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db

CODE = re.compile(r"/oppfolging/([A-Za-z0-9_-]+)/")


@pytest.fixture
def page(section):
    return make_registration_page(section)


def started_group(page, members=5, days_ago=42, **fields):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        **fields,
    )
    people = [
        RegistrationFactory(page=page, places=["Gol"], time_slots=["Kveld"])
        for _ in range(members)
    ]
    for person in people:
        group.add_member(person)
    group.activate(reason="other")
    SelfHelpGroup.objects.filter(pk=group.pk).update(
        started_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    group.refresh_from_db()
    return group, people


def sent_codes():
    return [CODE.search(message.body).group(1) for message in mail.outbox]


def test_the_follow_up_goes_once_to_each_member_after_six_weeks(page):
    group, people = started_group(page)
    too_early, _ = started_group(page, days_ago=41)
    mail.outbox.clear()
    assert send_follow_ups() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    codes = sent_codes()
    assert len(set(codes)) == 5
    follow_up = FollowUp.objects.get(group=group)
    assert follow_up.sent_count == 5 and follow_up.answer_count == 0
    assert not FollowUp.objects.filter(group=too_early).exists()
    # Idempotent: run again (the task, then the command), nothing more is sent.
    mail.outbox.clear()
    assert send_follow_ups_task.call() == 0
    out = StringIO()
    call_command("selvhjelp_follow_ups", stdout=out)
    assert "0  groups followed up" in out.getvalue()
    assert mail.outbox == []
    assert FollowUpCode.objects.count() == 5
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.follow_up_sent")
    assert entry.data == {"count": 5}


def test_the_delay_is_a_setting_and_ended_groups_get_none(page, settings):
    group, _people = started_group(page, days_ago=10)
    ended, _ = started_group(page, days_ago=60)
    ended.end(reason="decided")
    settings.WAGTAIL_SELVHJELP = {"FOLLOW_UP_AFTER_DAYS": 10}
    mail.outbox.clear()
    assert send_follow_ups() == 1
    assert FollowUp.objects.get().group == group
    settings.WAGTAIL_SELVHJELP = {"FOLLOW_UP_AFTER_DAYS": None}
    SelfHelpGroup.objects.filter(pk=group.pk).delete()
    started_group(page, days_ago=100)
    assert send_follow_ups() == 0


def test_no_table_links_a_code_or_an_answer_to_a_person_after_sending(client, page):
    group, people = started_group(page)
    mail.outbox.clear()
    send_follow_ups()
    codes = sent_codes()
    client.post(
        page.get_follow_up_url(codes[0]).replace("http://localhost", ""),
        {"meets": "yes", "useful": "partly"},
    )

    # The follow-up's tables hold no reference to a registration at all.
    for model in (FollowUp, FollowUpCode):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related is not Registration, (model, field.name)
    # No code is stored anywhere: every text column of every table read clear.
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            table = model._meta.db_table
            columns = [
                f.column
                for f in model._meta.local_concrete_fields
                if f.get_internal_type() in ("CharField", "TextField", "JSONField")
            ]
            if not columns:
                continue
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f'SELECT {quoted} FROM "{table}"')  # noqa: S608
            dump = repr(cursor.fetchall())
            for code in codes:
                assert code not in dump, table
    # The stored hashes are in hash order, not in the order the people (and
    # their messages) were sent: nothing lines a hash up with a message.
    hashes = list(
        FollowUpCode.objects.order_by("pk").values_list("code_hash", flat=True)
    )
    assert hashes == sorted(hashes)
    # The messages sent are recorded per person, without a code.
    rows = OutgoingMessage.objects.filter(kind="follow_up")
    assert rows.count() == 5
    for row in rows.values():
        for code in codes:
            assert code not in repr(row)
    # The answer is a count on the group, and its log entry names nobody.
    follow_up = FollowUp.objects.get()
    assert (follow_up.answer_count, follow_up.meets_yes, follow_up.useful_partly) == (
        1,
        1,
        1,
    )
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.follow_up_answer")
    assert entry.user is None and entry.data == {}
    assert entry.object_id == str(group.pk)


def test_the_answer_page_shows_on_get_and_counts_on_post_once(client, page):
    started_group(page)
    mail.outbox.clear()
    send_follow_ups()
    code = sent_codes()[0]
    url = page.url + page.reverse_subpage("follow_up", args=[code])

    response = client.get(url)
    assert response.status_code == 200
    assert response.context["state"] == "ask"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert FollowUpCode.objects.count() == 5
    assert FollowUp.objects.get().answer_count == 0

    # Nothing answered: a message and an error summary, nothing counted.
    response = client.post(url, {})
    assert response.status_code == 400
    assert response.context["error_summary"]
    response = client.post(url, {"meets": "maybe"})
    assert response.status_code == 400
    assert FollowUp.objects.get().answer_count == 0

    response = client.post(url, {"meets": "no"})
    assert response.status_code == 200
    assert response.context["state"] == "thanks"
    assert FollowUpCode.objects.count() == 4
    follow_up = FollowUp.objects.get()
    assert (follow_up.answer_count, follow_up.meets_no) == (1, 1)
    stat = GroupLifeStatistic.objects.get(measure="follow_up")
    assert (stat.key, stat.count) == ("no", 1)

    # A used code, a bad one and a code on another page: one neutral page.
    other_page = make_registration_page(page.get_parent(), slug="annen", title="Annen")
    other_url = other_page.url + other_page.reverse_subpage(
        "follow_up", args=[sent_codes()[1]]
    )
    for bad in (url, url.replace(code, "x" * 22), other_url):
        for response in (client.get(bad), client.post(bad, {"meets": "yes"})):
            assert response.status_code == 404
            assert response.context["state"] == "unknown"
            assert response.context["form"] is None
    assert FollowUp.objects.get().answer_count == 1


def test_the_group_page_shows_the_answers_only_from_four(admin_client, page):
    group, _people = started_group(page)
    mail.outbox.clear()
    send_follow_ups()
    codes = sent_codes()
    members = reverse("wagtail_selvhjelp_group:members", args=[group.pk])
    for number, code in enumerate(codes[:4], start=1):
        AnswerFollowUp(code, meets="yes", useful="yes").execute()
        response = admin_client.get(members)
        life = response.context["group_life"]
        assert life.follow_up.answer_count == number
        assert life.follow_up.shows_answers is (number >= 4)
        html = response.content.decode()
        section = html[html.index('id="selvhjelp-follow-up"') :]
        assert ("<li>" in section[: section.index("</section>")]) is (number >= 4)


def test_a_follow_up_code_is_spent_once(page):
    started_group(page)
    mail.outbox.clear()
    send_follow_ups()
    code = sent_codes()[0]
    AnswerFollowUp(code, meets="yes").execute()
    with pytest.raises(ActionPermissionError):
        AnswerFollowUp(code, meets="yes").execute()
    assert FollowUp.objects.get().answer_count == 1


def test_unused_codes_expire_with_the_daily_job(client, page):
    started_group(page)
    mail.outbox.clear()
    send_follow_ups()
    code = sent_codes()[0]
    later = timezone.localdate() + datetime.timedelta(days=30)
    send_follow_ups(today=later)
    assert FollowUpCode.objects.count() == 5
    send_follow_ups(today=later + datetime.timedelta(days=1))
    assert not FollowUpCode.objects.exists()
    url = page.url + page.reverse_subpage("follow_up", args=[code])
    assert client.get(url).status_code == 404
    assert FollowUp.objects.get().sent_count == 5


def test_the_answer_page_is_rate_limited_before_any_code_is_read(
    client, page, settings
):
    settings.WAGTAIL_SELVHJELP = {
        **settings.WAGTAIL_SELVHJELP,
        "SELF_SERVICE_RATE_LIMIT_PER_HOUR": 2,
    }
    url = page.url + page.reverse_subpage("follow_up", args=["x" * 22])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 429
    assert response.context["state"] == "limited"
