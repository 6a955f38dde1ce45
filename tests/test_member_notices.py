"""A member tells the group's contact "I can't come next time" or "I'm
leaving" through their self-service link: codes only, a notice with the
group's name and the registration number, logged with ids only."""

import pytest
from django.core import mail

from wagtail_selvhjelp.models import GroupMembership, SelfHelpGroup, SelfHelpLogEntry
from wagtail_selvhjelp.models.self_service import make_self_service_token

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(section):
    return make_registration_page(section)


@pytest.fixture
def group(page):
    return SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
    )


@pytest.fixture
def member(page, group):
    person = RegistrationFactory(
        page=page,
        name="Mona Medlemsen",
        email="mona@example.test",
        places=["Gol"],
        time_slots=["Kveld"],
        topics=["Sorg"],
    )
    group.add_member(person)
    person.refresh_from_db()
    return person


def link_for(page, registration):
    return page.url + page.reverse_subpage(
        "self_service", args=[make_self_service_token(registration)]
    )


def test_a_member_sees_the_group_section(client, page, member):
    html = client.get(link_for(page, member)).content.decode()
    assert 'value="absent"' in html and 'value="leaving"' in html
    # Codes only: no free text to write to the contact.
    assert "<textarea" not in html


def test_a_waiting_person_has_no_group_section(client, page):
    person = RegistrationFactory(page=page)
    html = client.get(link_for(page, person)).content.decode()
    assert 'value="absent"' not in html
    response = client.post(link_for(page, person), {"action": "absent"})
    assert response.status_code == 400
    assert not SelfHelpLogEntry.objects.exists()


def test_i_cannot_come_tells_the_contact_with_ids_only(
    client, page, group, member, django_capture_on_commit_callbacks
):
    SelfHelpLogEntry.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link_for(page, member), {"action": "absent"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (message,) = mail.outbox
    assert message.to == ["koordinator@example.test"]
    text = message.subject + message.body
    assert f"{group.pk}" in message.subject and str(member.pk) in text
    # The group's name is left out: coordinators name groups after topics.
    for secret in ("Mona", "mona@example.test", "Sorg", group.name):
        assert secret not in text
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.member_absent"
    assert entry.object_id == str(group.pk)
    assert entry.data == {"registration": member.pk}
    membership = GroupMembership.objects.get(registration=member)
    assert membership.is_current  # nothing else changed


def test_leaving_needs_the_choice_of_waiting_or_withdrawn(client, page, member):
    response = client.post(link_for(page, member), {"action": "leaving"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_then_error"' in html
    assert GroupMembership.objects.get(registration=member).is_current
    response = client.post(
        link_for(page, member), {"action": "leaving", "then": "placed"}
    )
    assert response.status_code == 400
    assert GroupMembership.objects.get(registration=member).is_current


@pytest.mark.parametrize("then", ["waiting", "withdrawn"])
def test_leaving_goes_through_remove_member_with_their_own_reason(
    client, page, group, member, then, django_capture_on_commit_callbacks
):
    SelfHelpLogEntry.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link_for(page, member), {"action": "leaving", "then": then}
        )
    assert response.status_code == 200
    membership = GroupMembership.objects.get(registration=member)
    assert not membership.is_current and membership.left_reason == "own_wish"
    member.refresh_from_db()
    assert member.status == then
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.remove" and entry.user is None
    assert entry.data == {"registration": member.pk, "reason": "own_wish", "then": then}
    (message,) = mail.outbox
    assert str(group.pk) in message.subject and group.name not in message.subject
    assert "Mona" not in message.body and "mona@example.test" not in message.body
    # Once out of the group, there is nothing more to tell through the link.
    response = client.post(link_for(page, member), {"action": "absent"})
    assert response.status_code == 400


def test_a_link_cannot_remove_someone_else(page, group, member):
    from wagtail_selvhjelp.models.actions import ActionPermissionError, RemoveMember

    other = RegistrationFactory(page=page, places=["Gol"], time_slots=["Kveld"])
    group.add_member(other)
    membership = GroupMembership.objects.get(registration=other)
    with pytest.raises(ActionPermissionError):
        RemoveMember(membership, reason="own_wish", link=member).execute()
    assert GroupMembership.objects.get(registration=other).is_current


def test_a_bad_link_gets_the_neutral_page_and_changes_nothing(client, page, member):
    good = link_for(page, member)
    for url in (good[:-5] + "xxxx/", page.url + "min-pamelding/1/2/3/"):
        response = client.post(url, {"action": "leaving", "then": "withdrawn"})
        assert response.status_code == 404
        assert response.context["state"] == "unknown"
    assert GroupMembership.objects.get(registration=member).is_current
    assert not SelfHelpLogEntry.objects.filter(
        action__in=["wagtail_selvhjelp.remove", "wagtail_selvhjelp.member_absent"]
    ).exists()
