"""Mentions of a person in other people's free texts, at erasure and access.

Encrypted texts cannot be searched in the database; the erase page and the
person's data export decrypt the page's texts in memory and list where the
person is named, so the coordinator can deal with each.
"""

import json

import pytest
from django.urls import reverse

from wagtail_selvhjelp import audit, privacy
from wagtail_selvhjelp.models import KeptMention, Registration, SelfHelpLogEntry
from wagtail_selvhjelp.models.personal_data import mentions_of

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


@pytest.fixture
def kari(page_a):
    return RegistrationFactory(
        page=page_a,
        name="Kari  Nordmann",
        email="Kari.Nordmann@example.test",
        phone="+4791377731",
    )


@pytest.fixture
def mentions(page_a, page_b, kari):
    return {
        "avoid": RegistrationFactory(
            page=page_a, name="Ola", avoid_text="Ikke i gruppe med kari nordmann"
        ),
        "message": RegistrationFactory(
            page=page_a, name="Per", message="Kan ringe 913 77 731 om skyss"
        ),
        "notes": RegistrationFactory(
            page=page_a,
            name="Siri",
            coordinator_notes="Kjenner kari.nordmann@example.test",
        ),
        "first_name_only": RegistrationFactory(
            page=page_a, name="Liv", message="Kari er fin", avoid_text="91377"
        ),
        "other_page": RegistrationFactory(
            page=page_b, name="Bo", message="Ikke med Kari Nordmann"
        ),
    }


def test_the_page_s_texts_that_name_the_person_are_found(kari, mentions):
    found = {
        (mention.registration_id, mention.field_name, mention.matched)
        for mention in mentions_of(kari)
    }
    assert found == {
        (mentions["avoid"].pk, "avoid_text", ("name",)),
        (mentions["message"].pk, "message", ("phone",)),
        (mentions["notes"].pk, "coordinator_notes", ("email",)),
    }


def test_the_persons_export_says_where_without_the_others_texts(kari, mentions):
    data = privacy.person_data(kari)
    assert sorted(entry["registration"] for entry in data["mentioned_in"]) == sorted(
        [mentions["avoid"].pk, mentions["message"].pk, mentions["notes"].pk]
    )
    dumped = json.dumps(data, default=str)
    assert "skyss" not in dumped and "Kjenner" not in dumped


def test_the_erase_page_lists_each_mention_with_a_link(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[kari.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("avoid", "message", "notes"):
        inspect = reverse(
            "wagtail_selvhjelp_registration:inspect", args=[mentions[key].pk]
        )
        assert f'href="{inspect}"' in html
    for key in ("first_name_only", "other_page"):
        inspect = reverse(
            "wagtail_selvhjelp_registration:inspect", args=[mentions[key].pk]
        )
        assert f'href="{inspect}"' not in html
    assert "skyss" not in html


def test_without_mentions_the_erase_page_has_no_such_section(
    client, coordinator_a, kari
):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[kari.pk])
    )
    assert "selvhjelp-mentions-heading" not in response.content.decode()


# Deciding on each mention: redact it, or keep it for a reason


def erase_url(registration):
    return reverse("wagtail_selvhjelp_registration:erase", args=[registration.pk])


def mention_url(registration):
    return reverse(
        "wagtail_selvhjelp_registration:erase_mention", args=[registration.pk]
    )


def decide(client, kari, other, field, decision, reason=""):
    return client.post(
        mention_url(kari),
        {
            "registration": other.pk,
            "field": field,
            "decision": decision,
            "reason": reason,
        },
    )


def entries(action):
    return SelfHelpLogEntry.objects.filter(action=action)


@pytest.mark.usefixtures("english")
def test_redacting_replaces_the_name_email_and_phone_and_logs_no_text(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    for key, field in (
        ("avoid", "avoid_text"),
        ("message", "message"),
        ("notes", "coordinator_notes"),
    ):
        response = decide(client, kari, mentions[key], field, "redact")
        assert response.status_code == 302
        assert response["Location"] == erase_url(kari)
    texts = {
        key: getattr(Registration.objects.get(pk=mentions[key].pk), field)
        for key, field in (
            ("avoid", "avoid_text"),
            ("message", "message"),
            ("notes", "coordinator_notes"),
        )
    }
    assert texts == {  # the marker in the page's language (nb)
        "avoid": "Ikke i gruppe med [fjernet]",
        "message": "Kan ringe [fjernet] om skyss",
        "notes": "Kjenner [fjernet]",
    }
    assert mentions_of(kari) == []
    logged = entries(audit.MENTION_REDACT.code)
    assert {entry.object_id for entry in logged} == {
        str(mentions[key].pk) for key in ("avoid", "message", "notes")
    }
    for entry in logged:
        assert entry.page_id == kari.page_id
        dumped = json.dumps(entry.data) + entry.label
        assert "kari" not in dumped.casefold() and "913" not in dumped
        assert str(kari.pk) not in json.dumps(entry.data)
    # Nothing left to decide: the erasure goes ahead.
    response = client.post(erase_url(kari), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=kari.pk).exists()


@pytest.mark.usefixtures("english")
def test_keeping_records_a_reason_code_and_no_name(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    response = decide(
        client, kari, mentions["avoid"], "avoid_text", "keep", "own_answer_safety"
    )
    assert response.status_code == 302
    kept = KeptMention.objects.get()
    assert (kept.subject, kept.registration_id, kept.field_name, kept.reason) == (
        kari,
        mentions["avoid"].pk,
        "avoid_text",
        "own_answer_safety",
    )
    assert kept.decided_by == coordinator_a
    # The text stays as it was.
    assert (
        Registration.objects.get(pk=mentions["avoid"].pk).avoid_text
        == "Ikke i gruppe med kari nordmann"
    )
    (entry,) = entries(audit.MENTION_KEEP.code)
    assert entry.object_id == str(mentions["avoid"].pk)
    assert entry.data == {"field": "avoid_text", "reason": "own_answer_safety"}
    page = client.get(erase_url(kari)).content.decode()
    assert "The other person&#x27;s own answer, kept for their safety" in page
    assert privacy.person_data(kari)["mentions_kept"] == [
        {
            "registration": mentions["avoid"].pk,
            "field": "avoid_text",
            "reason": "own_answer_safety",
            "decided_at": kept.decided_at.isoformat(),
        }
    ]


@pytest.mark.usefixtures("english")
def test_the_erasure_waits_until_every_mention_is_decided(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    page = client.get(erase_url(kari)).content.decode()
    assert 'name="confirm"' not in page
    assert "Decide on each of the 3 texts above" in page

    response = client.post(erase_url(kari), {"confirm": "yes"}, follow=True)
    assert Registration.objects.filter(pk=kari.pk).exists()
    assert "still name this person" in response.content.decode()

    decide(client, kari, mentions["avoid"], "avoid_text", "keep", "own_answer_safety")
    decide(client, kari, mentions["message"], "message", "keep", "not_this_person")
    decide(client, kari, mentions["notes"], "coordinator_notes", "redact")
    page = client.get(erase_url(kari)).content.decode()
    assert 'name="confirm"' in page
    response = client.post(erase_url(kari), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=kari.pk).exists()
    # The decisions' link to the erased person goes with them; the log on
    # the other registrations keeps the field and the reason.
    assert not KeptMention.objects.exists()
    assert sorted(
        entry.data["reason"] for entry in entries(audit.MENTION_KEEP.code)
    ) == ["not_this_person", "own_answer_safety"]


@pytest.mark.usefixtures("english")
def test_a_keep_without_a_reason_and_a_text_that_no_longer_names_are_refused(
    client, coordinator_a, kari, mentions
):
    client.force_login(coordinator_a)
    response = decide(client, kari, mentions["avoid"], "avoid_text", "keep")
    assert response.status_code == 302
    assert not KeptMention.objects.exists()
    for key, field in (("first_name_only", "message"), ("avoid", "name")):
        decide(client, kari, mentions[key], field, "redact")
    assert (
        Registration.objects.get(pk=mentions["first_name_only"].pk).message
        == "Kari er fin"
    )
    assert not entries(audit.MENTION_REDACT.code).exists()
    # Another page's text is not this page's to change.
    response = decide(client, kari, mentions["other_page"], "message", "redact")
    assert response.status_code == 404
    assert (
        Registration.objects.get(pk=mentions["other_page"].pk).message
        == "Ikke med Kari Nordmann"
    )


def test_deciding_needs_the_erase_permission_on_the_page(
    client, coordinator_b, editor, kari, mentions, page_a, django_user_model
):
    from django.contrib.auth.models import Group, Permission

    viewer = django_user_model.objects.create_user("leser", password="pw")
    group = Group.objects.create(name="Lesere A")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_registration", "change_registration"]
        )
    )
    page_a.coordinator_groups.add(group)
    page_a.save()
    viewer.groups.add(group)
    for user, status in ((coordinator_b, 404), (editor, 302), (viewer, 302)):
        client.force_login(user)
        response = decide(client, kari, mentions["avoid"], "avoid_text", "redact")
        assert response.status_code == status, user
        if status == 302:
            assert response["Location"] != erase_url(kari)
        response = decide(
            client, kari, mentions["avoid"], "avoid_text", "keep", "legal_duty"
        )
        assert response.status_code == status, user
    assert (
        Registration.objects.get(pk=mentions["avoid"].pk).avoid_text
        == "Ikke i gruppe med kari nordmann"
    )
    assert not KeptMention.objects.exists()
    assert not entries(audit.MENTION_REDACT.code).exists()


def test_deciding_takes_a_post_with_a_csrf_token(coordinator_a, kari, mentions):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator_a)
    assert client.get(mention_url(kari)).status_code == 405
    response = decide(client, kari, mentions["avoid"], "avoid_text", "redact")
    assert response.status_code == 403
    response = decide(
        client, kari, mentions["avoid"], "avoid_text", "keep", "own_answer_safety"
    )
    assert response.status_code == 403
    assert (
        Registration.objects.get(pk=mentions["avoid"].pk).avoid_text
        == "Ikke i gruppe med kari nordmann"
    )
    assert not KeptMention.objects.exists()
