"""The invitation round: offers, answers through a signed link, the reminder
and the expiry job, the messages, and the database's guarantees."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail_selvhjelp import audit
from wagtail_selvhjelp.choices import GroupStatus, OfferState, RegistrationStatus
from wagtail_selvhjelp.models import (
    GroupMembership,
    Offer,
    OutgoingMessage,
    Registration,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.actions import StartGroup
from wagtail_selvhjelp.models.invitation_actions import (
    AnswerOffer,
    Invite,
    WithdrawOffer,
)
from wagtail_selvhjelp.models.invitations import make_offer_token
from wagtail_selvhjelp.models.pages import SelfHelpIndexContactPoint
from wagtail_selvhjelp.models.self_service import make_self_service_token
from wagtail_selvhjelp.tasks import expire_and_remind_offers, settle_offers

from .factories import (
    ContactPointFactory,
    RegistrationFactory,
    give_starter,
    make_registration_page,
)


pytestmark = pytest.mark.django_db

TOPIC = "Angst"
PHONE = "+4791234567"


@pytest.fixture
def page(section):
    SelfHelpIndexContactPoint.objects.create(
        page=section,
        contact_point=ContactPointFactory(organisation="Gol frisklivssentral"),
    )
    return make_registration_page(section, group_min_size=3, group_max_size=5)


@pytest.fixture
def group(page):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld, angst",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        topic=page.topics.get(name=TOPIC),
        first_meeting_date=timezone.localdate() + timedelta(days=20),
        first_meeting_time="18:30",
        venue="Frivilligsentralen",
    )
    give_starter(group)
    return group


def member(page, group, **fields):
    registration = RegistrationFactory(
        page=page,
        places=["Gol"],
        time_slots=["Kveld"],
        topics=[TOPIC],
        group_kind="themed",
        access_needs="Hemmelig rullestol kvitre",
        **fields,
    )
    group.add_member(registration)
    return registration


@pytest.fixture
def members(page, group):
    people = [
        member(page, group, name="Aud Aksepterer", email="aud@example.test"),
        member(page, group, name="Bent Betenker", email="bent@example.test"),
        member(page, group, name="Cato Catosen", email="cato@example.test"),
        member(page, group, name="Dina Dalen", email="", phone=PHONE),
    ]
    return people


def invite(group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Invite([group]).execute(skip_permission_checks=True)


def offer_of(registration):
    return Offer.objects.get(registration=registration)


def url_of(page, offer):
    return page.url + page.reverse_subpage("offer", args=[make_offer_token(offer)])


def writes(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


# Invite


def test_invite_offers_each_member_once_through_their_channel(
    page, group, members, sms_outbox, django_capture_on_commit_callbacks
):
    offers = invite(group, django_capture_on_commit_callbacks)
    assert len(offers) == 4
    for offer in Offer.objects.all():
        assert offer.state == OfferState.OFFERED
        assert offer.deadline - offer.created_at == pytest.approx(
            timedelta(days=7), abs=timedelta(seconds=5)
        )
        assert offer.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == [
        "aud@example.test",
        "bent@example.test",
        "cato@example.test",
    ]
    assert [sms.number for sms in sms_outbox] == [PHONE]
    assert OutgoingMessage.objects.filter(kind="offer").count() == 4
    entry = SelfHelpLogEntry.objects.get(action=audit.INVITE.code)
    assert entry.object_id == str(group.pk)
    assert sorted(entry.data["registrations"]) == sorted(r.pk for r in members)
    # Inviting again makes no second offer and sends nothing.
    mail.outbox.clear()
    assert invite(group, django_capture_on_commit_callbacks) == []
    assert Offer.objects.count() == 4 and mail.outbox == []


def test_the_deadline_is_the_pages_setting(page, group, members):
    page.offer_days = 3
    page.save_revision().publish()
    Invite([group]).execute(skip_permission_checks=True)
    offer = Offer.objects.first()
    assert offer.deadline - offer.created_at == pytest.approx(
        timedelta(days=3), abs=timedelta(seconds=5)
    )


def test_only_a_forming_group_is_invited(page, group, members):
    SelfHelpGroup.objects.filter(pk=group.pk).update(status=GroupStatus.ACTIVE)
    assert Invite([group]).execute(skip_permission_checks=True) == []


def test_one_person_never_holds_two_open_offers(page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    other = SelfHelpGroup.objects.create(
        page=page,
        name="Annen",
        place=group.place,
        time_slot=group.time_slot,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            page=page,
            group=other,
            registration=members[0],
            deadline=timezone.now(),
        )


# Messages


def test_messages_hold_what_they_should_and_never_the_topic_names_or_answers(
    page, group, members, sms_outbox, django_capture_on_commit_callbacks
):
    invite(group, django_capture_on_commit_callbacks)
    AnswerOffer(offer_of(members[1]), accept=False, link=members[1]).execute()
    Offer.objects.update(
        created_at=timezone.now() - timedelta(days=6),
        deadline=timezone.now() + timedelta(hours=20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        settle_offers()
    texts = [m.subject + "\n" + m.body for m in mail.outbox] + [
        sms.text for sms in sms_outbox
    ]
    assert len(mail.outbox) == 5 and len(sms_outbox) == 2  # 4 offers + 2 reminders
    names = [r.name for r in members]
    for text in texts:
        assert TOPIC not in text and TOPIC.lower() not in text.lower()
        for name in names:
            assert name not in text
        assert "Hemmelig" not in text and "rullestol" not in text
        assert "aud@example.test" not in text
    first = mail.outbox[0].body
    assert "Gol" in first and "Kveld" in first
    assert "Frivilligsentralen" in first and "18:30" in first
    assert "Gol frisklivssentral" in first
    assert "/svar/" in first
    sms = sms_outbox[0].text
    assert "Fjellbygd kommune" in sms and "/svar/" in sms
    assert "Gol" not in sms.split("http")[0].replace("Fjellbygd", "")


def test_someone_without_email_or_sms_gets_a_text_to_read_out(
    page, group, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_SELVHJELP = {"SMS_BACKEND": None}
    person = member(page, group, name="Ola Utenkanal", email="", phone=PHONE)
    invite(group, django_capture_on_commit_callbacks)
    offer = offer_of(person)
    assert offer.sent_at is None
    from wagtail_selvhjelp.views.invitations import invitation_board

    board = invitation_board(group, page, can_change=True)
    (row,) = board["rows"]
    assert "Gol" in row["read_out"] and "Frivilligsentralen" in row["read_out"]
    assert TOPIC not in row["read_out"] and person.name not in row["read_out"]


# The answer page


def test_a_get_shows_the_offer_and_changes_nothing(client, page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url_of(page, offer))
    assert response.status_code == 200
    assert writes(queries) == []
    html = response.content.decode()
    assert "Gol" in html and "Kveld" in html and "Frivilligsentralen" in html
    assert TOPIC not in html
    for person in members:
        assert person.name not in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<legend>" in html
    offer.refresh_from_db()
    assert offer.state == OfferState.OFFERED and offer.answered_at is None


def test_accepting_through_the_link(client, page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    url = url_of(page, offer)
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 303 and response["Location"] == url
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED and offer.answered_at
    entry = SelfHelpLogEntry.objects.get(action=audit.OFFER_ACCEPT.code)
    assert entry.data == {
        "offer": offer.pk,
        "registration": members[0].pk,
        "link": True,
    }
    assert entry.user is None
    # The page now shows the answer, and still lets it be changed.
    html = client.get(url).content.decode()
    assert 'role="status"' in html and 'value="decline"' in html


@pytest.mark.parametrize("then", ["waiting", "withdrawn"])
def test_declining_frees_the_seat_as_the_person_chose(
    client, page, group, members, then
):
    Invite([group]).execute(skip_permission_checks=True)
    person = members[0]
    offer = offer_of(person)
    response = client.post(url_of(page, offer), {"answer": "decline", "then": then})
    assert response.status_code == 303
    offer.refresh_from_db()
    assert (offer.state, offer.then) == (OfferState.DECLINED, then)
    assert not GroupMembership.objects.filter(
        registration=person, is_current=True
    ).exists()
    person.refresh_from_db()
    assert person.status == then
    entry = SelfHelpLogEntry.objects.get(action=audit.OFFER_DECLINE.code)
    assert entry.data["then"] == then


def test_a_decline_must_say_stay_or_withdraw(client, page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    response = client.post(url_of(page, offer), {"answer": "decline"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "selvhjelp-error-summary" in html and 'aria-invalid="true"' in html
    offer.refresh_from_db()
    assert offer.state == OfferState.OFFERED


def test_the_answer_can_change_until_the_group_starts(client, page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    url = url_of(page, offer)
    client.post(url, {"answer": "accept"})
    client.post(url, {"answer": "decline", "then": "waiting"})
    offer.refresh_from_db()
    assert offer.state == OfferState.DECLINED
    # The seat is still free: saying yes again takes it back.
    client.post(url, {"answer": "accept"})
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    assert GroupMembership.objects.filter(
        registration=members[0], group=group, is_current=True
    ).exists()
    for other in members[1:3]:
        AnswerOffer(offer_of(other), accept=True, link=other).execute()
    StartGroup(group).execute(skip_permission_checks=True)
    response = client.post(url, {"answer": "decline", "then": "waiting"})
    assert response.status_code == 409
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED


def test_a_seat_given_away_cannot_be_taken_back(client, page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    url = url_of(page, offer)
    client.post(url, {"answer": "decline", "then": "waiting"})
    # Two others fill the group up to its maximum (5).
    member(page, group, name="Ny En")
    member(page, group, name="Ny To")
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 409
    offer.refresh_from_db()
    assert offer.state == OfferState.DECLINED


def _neutral(response):
    return response.status_code, response.content.decode().replace(
        response.wsgi_request.path, ""
    )


def test_bad_tampered_expired_and_revoked_links_look_the_same(
    client, section, page, group, members
):
    Invite([group]).execute(skip_permission_checks=True)
    first, second, third = (offer_of(person) for person in members[:3])
    token = make_offer_token(first)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps(
        [first.pk, "0.1"], salt="wagtail_selvhjelp.invitation.answer"
    ).replace(":", "/")
    revoked_url = url_of(page, second)
    WithdrawOffer(second).execute(skip_permission_checks=True)
    expired_url = url_of(page, third)
    Offer.objects.filter(pk=third.pk).update(
        deadline=timezone.now() - timedelta(days=15)
    )
    self_service_token = make_self_service_token(members[0])
    other_page = make_registration_page(section, title="Annen", slug="annen")
    base = page.url + "svar/"
    answers = [
        client.get(base + tampered + "/"),
        client.get(base + "1/"),
        client.get(base + forged + "/"),
        client.get(revoked_url),
        client.get(expired_url),
        client.get(base + self_service_token + "/"),
        client.post(revoked_url, {"answer": "accept"}),
    ]
    assert [r.status_code for r in answers] == [404] * len(answers)
    # Another page's offer: that page's own neutral answer.
    assert client.get(url_of(other_page, first)).status_code == 404
    shown = {_neutral(response) for response in answers}
    assert len(shown) == 1
    # The self-service page's own neutral answer.
    unknown = client.get(page.url + "min-pamelding/1/")
    assert _neutral(unknown) == shown.pop()
    second.refresh_from_db()
    assert second.state == OfferState.WITHDRAWN


def test_the_answer_page_is_rate_limited(client, page, group, members, settings):
    settings.WAGTAIL_SELVHJELP = {"OFFER_RATE_LIMIT_PER_HOUR": 2}
    Invite([group]).execute(skip_permission_checks=True)
    assert client.get(page.url + "svar/1/").status_code == 404
    assert client.get(page.url + "svar/2/").status_code == 404
    assert client.get(url_of(page, offer_of(members[0]))).status_code == 429


def test_the_answer_needs_the_csrf_token(page, group, members):
    from django.test import Client

    Invite([group]).execute(skip_permission_checks=True)
    offer = offer_of(members[0])
    response = Client(enforce_csrf_checks=True).post(
        url_of(page, offer), {"answer": "accept"}
    )
    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.state == OfferState.OFFERED


# The reminder and the expiry job


def test_one_reminder_before_the_deadline(
    page, group, members, sms_outbox, django_capture_on_commit_callbacks
):
    Invite([group]).execute(skip_permission_checks=True)
    now = timezone.now()
    # Not yet: the deadline is a week away.
    assert settle_offers(now) == (0, 0)
    Offer.objects.update(created_at=now - timedelta(days=6))
    Offer.objects.filter(registration=members[0]).update(state=OfferState.ACCEPTED)
    Offer.objects.update(deadline=now + timedelta(hours=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert settle_offers(now) == (0, 3)
    assert len(mail.outbox) == 2 and len(sms_outbox) == 1
    assert (
        OutgoingMessage.objects.filter(kind="offer_reminder", state="sent").count() == 3
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert settle_offers(now) == (0, 0)
    assert len(mail.outbox) == 2
    assert SelfHelpLogEntry.objects.filter(action=audit.OFFER_REMIND.code).count() == 3


def test_the_job_expires_unanswered_offers_once(page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    AnswerOffer(offer_of(members[0]), accept=True, link=members[0]).execute()
    Offer.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    call_command("selvhjelp_offers", stdout=open("/dev/null", "w"))
    states = dict(Offer.objects.values_list("registration_id", "state"))
    assert states[members[0].pk] == OfferState.ACCEPTED
    for person in members[1:]:
        assert states[person.pk] == OfferState.EXPIRED
        person.refresh_from_db()
        assert person.status == RegistrationStatus.WAITING
    assert group.current_memberships().count() == 1
    assert SelfHelpLogEntry.objects.filter(action=audit.OFFER_EXPIRE.code).count() == 3
    # Again, by the task: nothing left to do.
    expire_and_remind_offers.call()
    assert SelfHelpLogEntry.objects.filter(action=audit.OFFER_EXPIRE.code).count() == 3


# Starting the group (StartGroup)


def test_the_group_starts_only_when_enough_accepted(page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    for person in members[:2]:
        AnswerOffer(offer_of(person), accept=True, link=person).execute()
    with pytest.raises(ValidationError):
        StartGroup(group).execute(skip_permission_checks=True)
    group.refresh_from_db()
    assert group.status == GroupStatus.FORMING
    AnswerOffer(offer_of(members[2]), accept=True, link=members[2]).execute()
    StartGroup(group).execute(skip_permission_checks=True)
    group.refresh_from_db()
    assert group.status == GroupStatus.ACTIVE
    # Who never answered is released to the waiting list.
    assert offer_of(members[3]).state == OfferState.EXPIRED
    members[3].refresh_from_db()
    assert members[3].status == RegistrationStatus.WAITING
    assert group.current_memberships().count() == 3


def test_the_person_data_shows_the_offers(page, group, members):
    from wagtail_selvhjelp import privacy

    Invite([group]).execute(skip_permission_checks=True)
    data = privacy.person_data(members[0])
    (offer,) = data["offers_of_a_place"]
    assert offer["state"] == "offered"


def test_offers_go_with_the_registration(page, group, members):
    Invite([group]).execute(skip_permission_checks=True)
    Registration.objects.filter(pk=members[0].pk).first().delete()
    assert not Offer.objects.filter(registration_id=members[0].pk).exists()


def test_the_email_link_opens_the_offer(
    client, page, group, members, django_capture_on_commit_callbacks
):
    invite(group, django_capture_on_commit_callbacks)
    body = next(m.body for m in mail.outbox if m.to == ["aud@example.test"])
    url = re.search(r"https?://\S+/svar/\S+/", body).group(0)
    path = url.split("testserver", 1)[-1] if "testserver" in url else url
    response = client.get(path)
    assert response.status_code == 200
