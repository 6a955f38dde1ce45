"""The meeting the members are sent when their group starts, and again when
it changes: e-mail with a calendar file (parsed back with icalendar), SMS
for those who gave only a phone number, and nothing that names the topic
or another member."""

import datetime
import logging
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from wagtail_selvhjelp import calendars, handlers
from wagtail_selvhjelp.models import OutgoingMessage, SelfHelpGroup, SelfHelpLogEntry
from wagtail_selvhjelp.models.actions import ChangeMeeting, StartGroup

from ..factories import (
    RegistrationFactory,
    SelfHelpIndexPageFactory,
    give_starter,
    make_registration_page,
)
from .test_group_admin import group_data


pytestmark = pytest.mark.django_db

TOPIC = "Sorg"
STARTER_EMAIL = "igang@example.test"


@pytest.fixture
def group(page_a, group_a):
    group_a.topic = page_a.topics.get(name=TOPIC)
    group_a.first_meeting_date = datetime.date(2027, 1, 12)
    group_a.first_meeting_time = datetime.time(18, 0)
    group_a.venue = "Frivilligsentralen, møterom 2"
    group_a.meeting_frequency = "weekly"
    group_a.save()
    give_starter(group_a, email=STARTER_EMAIL)
    return group_a


@pytest.fixture
def members(page_a, group):
    people = [
        RegistrationFactory(
            page=page_a,
            name=f"Hemmelig Medlem{i}",
            places=["Gol"],
            time_slots=["Kveld"],
            topics=[TOPIC],
        )
        for i in range(3)
    ]
    people.append(
        RegistrationFactory(
            page=page_a,
            name="Telefon Medlemsen",
            email="",
            phone="+4791234567",
            places=["Gol"],
            time_slots=["Kveld"],
            topics=[TOPIC],
        )
    )
    for person in people:
        group.add_member(person)
    return people


def start(group, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        StartGroup(group, user=user).execute()


def calendar_of(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert filename == "invite.ics"
    assert mimetype.startswith("text/calendar")
    assert "method=REQUEST" in mimetype
    if isinstance(content, bytes):
        content = content.decode()
    return content, Calendar.from_ical(content)


def event_of(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def secrets(members):
    names = [part for person in members for part in person.name.split()]
    return [TOPIC, *names, "Igang Setter"]


def test_starting_sends_every_member_and_the_starter_the_meeting(
    coordinator_a,
    group,
    members,
    sms_outbox,
    django_capture_on_commit_callbacks,
    caplog,
):
    mail.outbox.clear()
    caplog.set_level(logging.DEBUG)
    start(group, coordinator_a, django_capture_on_commit_callbacks)

    recipients = sorted(address for m in mail.outbox for address in m.to)
    expected = sorted([p.email for p in members if p.email] + [STARTER_EMAIL])
    assert recipients == expected
    for message in mail.outbox:
        (address,) = message.to
        content, calendar = calendar_of(message)
        text = message.subject + message.body + content
        for secret in secrets(members):
            assert secret not in text, (secret, address)
        # Everyone else's address stays out of each one's message.
        for other in expected:
            if other != address:
                assert other not in text
        event = event_of(calendar)
        assert str(event["attendee"]) == f"mailto:{address}"

    (sms,) = sms_outbox
    assert sms.number == "+4791234567"
    assert "12.1.2027" in sms.text and "18:00" in sms.text
    assert "Fjellbygd kommune" in sms.text  # the municipality (the site)
    assert "http" not in sms.text and "Frivilligsentralen" not in sms.text
    for secret in secrets(members):
        assert secret not in sms.text

    rows = OutgoingMessage.objects.filter(kind="meeting_details")
    assert sorted(rows.values_list("registration_id", flat=True)) == sorted(
        p.pk for p in members
    )
    for record in caplog.records:
        for secret in [*secrets(members), *expected, "91234567"]:
            assert secret not in record.getMessage()


def test_the_calendar_file_parsed_back(
    coordinator_a, group, members, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    start(group, coordinator_a, django_capture_on_commit_callbacks)
    content, calendar = calendar_of(mail.outbox[0])
    assert calendar["method"] == "REQUEST"
    assert calendar["version"] == "2.0"
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Oslo"
    event = event_of(calendar)
    assert event["uid"] == f"{group.calendar_uid}@wagtail-selvhjelp"
    assert str(group.pk) not in event["uid"].split("@")[0].split("-")
    assert event["sequence"] == 0
    assert event["class"] == "PRIVATE"
    start_ = event.decoded("dtstart")
    assert start_ == datetime.datetime(2027, 1, 12, 18, 0, tzinfo=calendars.TIMEZONE)
    assert str(start_.tzinfo) == "Europe/Oslo"
    assert event["dtstart"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("dtend") - start_ == datetime.timedelta(minutes=90)
    assert event["rrule"] == {"FREQ": ["WEEKLY"]}
    assert event["location"] == "Frivilligsentralen, møterom 2"
    with translation.override("nb"):
        assert event["summary"] == translation.gettext("Group meeting")
        assert translation.gettext(
            "Deleting this calendar entry does not take you out of the group. "
            "If you cannot come, or want to leave, tell the group or the "
            "contact point."
        ) in str(event["description"])
    text = content
    for secret in secrets(members):
        assert secret not in text


@pytest.mark.parametrize(
    ("frequency", "rule"),
    [
        ("weekly", {"FREQ": ["WEEKLY"]}),
        ("fortnightly", {"FREQ": ["WEEKLY"], "INTERVAL": [2]}),
        ("irregular", None),
    ],
)
def test_a_regular_rhythm_repeats_and_an_irregular_one_does_not(group, frequency, rule):
    group.meeting_frequency = frequency
    calendar = Calendar.from_ical(calendars.build(group, organizer="x@example.test"))
    assert event_of(calendar).get("rrule") == rule


def test_a_changed_first_meeting_sends_an_update_with_the_same_uid(
    client,
    coordinator_a,
    page_a,
    group,
    members,
    sms_outbox,
    django_capture_on_commit_callbacks,
):
    start(group, coordinator_a, django_capture_on_commit_callbacks)
    first = event_of(calendar_of(mail.outbox[0])[1])
    mail.outbox.clear()
    sms_outbox.clear()
    SelfHelpLogEntry.objects.all().delete()

    client.force_login(coordinator_a)
    edit = reverse("wagtail_selvhjelp_group:edit", args=[group.pk])
    data = group_data(
        page_a,
        status="active",
        topic=group.topic_id,
        first_meeting_date="2027-01-19",
        venue="Frivilligsentralen, møterom 2",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, data)
    assert response.status_code == 302

    assert len(mail.outbox) == 4  # three members by e-mail, and the starter
    update = event_of(calendar_of(mail.outbox[0])[1])
    assert update["uid"] == first["uid"]
    assert update["sequence"] == first["sequence"] + 1
    assert update.decoded("dtstart").date() == datetime.date(2027, 1, 19)
    assert {m.subject for m in mail.outbox} != {""}
    (sms,) = sms_outbox
    assert "19.1.2027" in sms.text
    assert OutgoingMessage.objects.filter(kind="meeting_update").count() == 4
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.meeting_change")
    assert entry.data == {"fields": ["first_meeting_date"], "sequence": 1}

    # Saving the form again without a change sends nothing and keeps SEQUENCE.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, data)
    assert not mail.outbox
    group.refresh_from_db()
    assert group.calendar_sequence == 1

    # Every change raises it again.
    with django_capture_on_commit_callbacks(execute=True):
        ChangeMeeting(
            group, {"first_meeting_time": datetime.time(17, 30)}, user=coordinator_a
        ).execute()
    later = event_of(calendar_of(mail.outbox[0])[1])
    assert (later["uid"], later["sequence"]) == (first["uid"], 2)


def test_a_forming_groups_meeting_changes_quietly(
    coordinator_a, group, members, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ChangeMeeting(group, {"venue": "Biblioteket"}, user=coordinator_a).execute()
    assert not mail.outbox
    group.refresh_from_db()
    assert (group.venue, group.calendar_sequence) == ("Biblioteket", 0)


def test_a_start_without_a_first_meeting_sends_it_once_it_is_set(
    coordinator_a, group, members, django_capture_on_commit_callbacks
):
    group.first_meeting_date = None
    group.first_meeting_time = None
    group.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        StartGroup(group, reason="members_agree", user=coordinator_a).execute()
    assert not mail.outbox  # nothing to put in a calendar yet
    with django_capture_on_commit_callbacks(execute=True):
        ChangeMeeting(
            group,
            {
                "first_meeting_date": datetime.date(2027, 2, 2),
                "first_meeting_time": datetime.time(12, 0),
            },
            user=coordinator_a,
        ).execute()
    assert len(mail.outbox) == 4
    event = event_of(calendar_of(mail.outbox[0])[1])
    assert event["sequence"] == 1


def test_the_task_is_given_the_groups_id_only(
    coordinator_a, group, members, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(
        handlers,
        "send_meeting_details",
        SimpleNamespace(
            enqueue=lambda *args, **kwargs: enqueued.append((args, kwargs))
        ),
    )
    start(group, coordinator_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ChangeMeeting(group, {"meeting_minutes": 120}, user=coordinator_a).execute()
    assert enqueued == [((group.pk,), {}), ((group.pk,), {"update": True})]


def test_a_nynorsk_pages_members_get_the_calendar_file_in_nynorsk(
    nn_site, monkeypatch, django_capture_on_commit_callbacks
):
    section = SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Sjølvhjelp")
    page = make_registration_page(section, slug="nn")
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        first_meeting_date=datetime.date(2027, 1, 12),
        first_meeting_time=datetime.time(18, 0),
    )
    give_starter(group)
    for _ in range(4):
        group.add_member(
            RegistrationFactory(page=page, places=["Gol"], time_slots=["Kveld"])
        )
    languages = []
    build = calendars.build

    def build_and_note(*args, **kwargs):
        languages.append(translation.get_language())
        return build(*args, **kwargs)

    monkeypatch.setattr(calendars, "build", build_and_note)
    mail.outbox.clear()
    with translation.override("nb"):  # the admin's language does not count
        with django_capture_on_commit_callbacks(execute=True):
            StartGroup(group).execute(skip_permission_checks=True)
    assert languages == ["nn"] * 5  # four members and the starter
    with translation.override("nn"):
        summary = translation.gettext("Group meeting")
    assert event_of(calendar_of(mail.outbox[0])[1])["summary"] == summary


def test_a_starter_with_only_a_phone_number_gets_an_sms(
    coordinator_a, group, members, sms_outbox, django_capture_on_commit_callbacks
):
    starter = group.starter_assignments.get().starter
    starter.email, starter.phone = "", "+4791234568"
    starter.save()
    mail.outbox.clear()
    start(group, coordinator_a, django_capture_on_commit_callbacks)
    assert sorted(sms.number for sms in sms_outbox) == ["+4791234567", "+4791234568"]
    assert STARTER_EMAIL not in [a for m in mail.outbox for a in m.to]
    # The starter's message is about the group: its record names no one.
    assert not OutgoingMessage.objects.filter(registration__isnull=True).exists()
