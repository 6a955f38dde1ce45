"""Every message a group's life sends, scanned for what must never leave.

One themed group goes the whole way: invited (e-mail and SMS), a decline
and a refilled seat, a reminder, the start with its calendar file, a
changed meeting, a member's notice to the group's contact and the anonymous
follow-up. Every e-mail (subject, body, attachments) and every SMS is then
read for the group's topic, the name of anyone but its recipient, and
anything a registrant answered (issue 19, item 8).
"""

import datetime
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from wagtail_selvhjelp import notifications
from wagtail_selvhjelp.models import Offer, Registration, SelfHelpGroup
from wagtail_selvhjelp.models.actions import ChangeMeeting, ReportAbsence, StartGroup
from wagtail_selvhjelp.models.invitation_actions import (
    AnswerOffer,
    Backfill,
    Invite,
    RemindOffers,
)

from .factories import (
    RegistrationFactory,
    give_starter,
    make_registration_page,
    secret_answers,
)


pytestmark = pytest.mark.django_db

TOPIC = "Angst"
#: A secret for every typed answer of the catalogue (free texts and the like).
ANSWERS = {
    name: value
    for name, value in secret_answers({}).items()
    if name not in ("name", "email", "phone")
}


def member(page, name, **fields):
    return RegistrationFactory(
        page=page,
        name=name,
        places=["Gol"],
        time_slots=["Kveld"],
        topics=[TOPIC],
        group_kind="themed",
        birth_year=1980,
        gender="woman",
        **{**ANSWERS, **fields},
    )


def texts_of(message):
    """Everything an e-mail carries: subject, bodies and attachments."""
    parts = [message.subject, message.body]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    for _name, content, _type in message.attachments:
        parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts)


def test_no_message_of_a_groups_life_names_the_topic_another_member_or_an_answer(
    page_factory_section, sms_outbox, django_capture_on_commit_callbacks
):
    page = page_factory_section
    group = SelfHelpGroup.objects.create(
        page=page,
        name=f"Gol, kveld, {TOPIC}",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        topic=page.topics.get(name=TOPIC),
        first_meeting_date=timezone.localdate() + timedelta(days=20),
        first_meeting_time=datetime.time(18, 30),
        venue="Frivilligsentralen",
    )
    people = [
        member(page, "Ingrid Lekkasjesen", email="ingrid@example.test", phone=""),
        member(page, "Torbjørg Hemmeligdal", email="torbjorg@example.test"),
        member(page, "Aslaug Skjultvik", email="aslaug@example.test"),
        member(page, "Margit Tauserud", email="", phone="+4791234567"),
    ]
    waiting = member(page, "Sigrun Ventelund", email="sigrun@example.test")
    for person in people:
        group.add_member(person)
    give_starter(group, name="Igang Startesen", email="igang@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        Invite([group]).execute(skip_permission_checks=True)
    offers = {offer.registration_id: offer for offer in Offer.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        for person in people[:3]:
            AnswerOffer(offers[person.pk], accept=True, link=person).execute()
        AnswerOffer(offers[people[3].pk], accept=False, link=people[3]).execute()
        Backfill(offers[people[3].pk]).execute(skip_permission_checks=True)
    refill = Offer.objects.get(registration=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        RemindOffers(now=refill.deadline - timedelta(hours=1)).execute(
            skip_permission_checks=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        AnswerOffer(refill, accept=True, link=waiting).execute()
        StartGroup(group).execute(skip_permission_checks=True)
    group.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ChangeMeeting(group, {"first_meeting_time": datetime.time(19, 0)}).execute(
            skip_permission_checks=True
        )
    membership = group.memberships.get(registration=people[0], is_current=True)
    with django_capture_on_commit_callbacks(execute=True):
        ReportAbsence(membership, link=people[0]).execute()
    SelfHelpGroup.objects.filter(pk=group.pk).update(
        started_on=timezone.localdate() - timedelta(days=43)
    )
    notifications.send_follow_ups()

    kinds = {
        "invitation": any("svar/" in m.body for m in mail.outbox),
        "calendar": any(
            a[0].endswith(".ics") for m in mail.outbox for a in m.attachments
        ),
        "follow-up": any("oppfolging/" in m.body for m in mail.outbox),
        "sms": bool(sms_outbox),
    }
    assert all(kinds.values()), kinds
    everyone = [*people, waiting]
    answers = list(ANSWERS.values())
    messages = [(m.to, texts_of(m)) for m in mail.outbox]
    messages += [([sms.number], sms.text) for sms in sms_outbox]
    assert len(messages) >= 15
    for recipients, text in messages:
        assert not re.search(rf"\b{TOPIC}\b", text, re.IGNORECASE), (recipients, text)
        for answer in answers:
            assert answer not in text, (recipients, answer)
        for person in everyone:
            own = {person.email, person.phone} & set(recipients)
            if own:
                continue
            for part in person.name.split():
                assert part not in text, (recipients, person.name, text)
    assert Registration.objects.filter(pk=waiting.pk, status="placed").exists()


@pytest.fixture
def page_factory_section(section):
    return make_registration_page(section, group_min_size=4, group_max_size=6)
