"""The invitation board on the group's page, its buttons, the tick at
"Create groups", and the rule-aware backfill (its ranking and its race)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp import audit, proposals
from wagtail_selvhjelp.choices import OfferState
from wagtail_selvhjelp.models import (
    AvoidPair,
    GroupMembership,
    MatchingRun,
    Offer,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.invitation_actions import (
    AnswerOffer,
    Backfill,
    Invite,
    proposals_for_seats,
)

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(page_a):
    page_a.group_min_size = 3
    page_a.group_max_size = 5
    page_a.max_age_span = 15
    page_a.save_revision().publish()
    page_a.refresh_from_db()
    return page_a


@pytest.fixture
def group(page):
    return SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld, angst",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        topic=page.topics.get(name="Angst"),
    )


def person(page, **fields):
    defaults = {
        "places": ["Gol"],
        "time_slots": ["Kveld"],
        "topics": ["Angst"],
        "group_kind": "themed",
        "birth_year": 1980,
        "gender": "woman",
    }
    defaults.update(fields)
    return RegistrationFactory(page=page, **defaults)


def fill(page, group, count):
    people = [person(page, name=f"Medlem {n}", days_ago=400) for n in range(count)]
    for registration in people:
        group.add_member(registration)
    return people


def invitations_url(group):
    return reverse("wagtail_selvhjelp_group:invitations", args=[group.pk])


def members_url(group):
    return reverse("wagtail_selvhjelp_group:members", args=[group.pk])


# Invite from the group's page


def test_invite_the_members_from_the_groups_page(client, coordinator_a, page, group):
    fill(page, group, 4)
    client.force_login(coordinator_a)
    html = client.get(members_url(group)).content.decode()
    assert 'value="invite"' in html
    response = client.post(invitations_url(group), {"action": "invite"})
    assert response.status_code == 302 and response["Location"] == members_url(group)
    assert Offer.objects.filter(group=group, state=OfferState.OFFERED).count() == 4
    entry = SelfHelpLogEntry.objects.get(action=audit.INVITE.code)
    assert entry.user == coordinator_a
    html = client.get(members_url(group)).content.decode()
    assert 'value="invite"' not in html  # everyone is invited
    assert 'value="withdraw"' in html


def test_the_invite_request_takes_a_constant_number_of_queries(
    client, coordinator_a, page, section
):
    def count(size):
        group = SelfHelpGroup.objects.create(
            page=page,
            name=f"Gruppe {size}",
            place=page.places.get(name="Gol"),
            time_slot=page.time_slots.get(name="Kveld"),
            topic=page.topics.get(name="Angst"),
        )
        fill(page, group, size)
        client.force_login(coordinator_a)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(invitations_url(group), {"action": "invite"})
        assert response.status_code == 302
        assert Offer.objects.filter(group=group).count() == size
        return len(queries)

    assert count(3) == count(5)


def test_the_round_for_many_groups_is_one_set_of_queries(page, coordinator_a):
    def count(groups):
        made = []
        for n in range(groups):
            group = SelfHelpGroup.objects.create(
                page=page,
                name=f"G{groups}-{n}",
                place=page.places.get(name="Gol"),
                time_slot=page.time_slots.get(name="Kveld"),
                topic=page.topics.get(name="Angst"),
            )
            fill(page, group, 3)
            made.append(group)
        with CaptureQueriesContext(connection) as queries:
            offers = Invite(made, user=coordinator_a).execute()
        assert len(offers) == 3 * groups
        return len(queries)

    count(1)  # warm the caches (content types, the user's permissions)
    assert count(2) == count(4)


def test_a_coordinator_invites_only_groups_of_their_pages(
    page, page_b, coordinator_a, coordinator_b
):
    from wagtail_selvhjelp.models.actions import ActionPermissionError

    group = SelfHelpGroup.objects.create(
        page=page,
        name="A",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        topic=page.topics.get(name="Angst"),
    )
    fill(page, group, 3)
    with pytest.raises(ActionPermissionError):
        Invite([group], user=coordinator_b).execute()
    with pytest.raises(ActionPermissionError):
        Invite([group]).execute()
    assert not Offer.objects.exists()


def test_the_board_shows_answers_against_the_minimum(
    client, coordinator_a, page, group
):
    people = fill(page, group, 4)
    Invite([group]).execute(skip_permission_checks=True)
    client.force_login(coordinator_a)
    response = client.get(members_url(group))
    board = response.context["invitations"]
    assert (board["accepted"], board["minimum"], board["ready"]) == (0, 3, False)
    for registration in people[:3]:
        offer = Offer.objects.get(registration=registration)
        AnswerOffer(offer, accept=True, link=registration).execute()
    board = client.get(members_url(group)).context["invitations"]
    assert (board["accepted"], board["ready"]) == (3, True)
    assert [row["time_left"] is not None for row in board["rows"]] == [
        False,
        False,
        False,
        True,
    ]


def test_the_start_screen_warns_that_whoever_has_not_answered_is_released(
    client, coordinator_a, page, group
):
    people = fill(page, group, 4)
    Invite([group]).execute(skip_permission_checks=True)
    for registration in people[:3]:
        offer = Offer.objects.get(registration=registration)
        AnswerOffer(offer, accept=True, link=registration).execute()
    client.force_login(coordinator_a)
    start = reverse("wagtail_selvhjelp_group:start", args=[group.pk])
    with translation.override("en"):  # the admin follows the active language
        response = client.get(start)
    assert response.context["unanswered"] == 1
    assert "back to the waiting list" in response.content.decode()
    offer = Offer.objects.get(registration=people[3])
    AnswerOffer(offer, accept=True, link=people[3]).execute()
    with translation.override("en"):
        response = client.get(start)
    assert response.context["unanswered"] == 0
    assert "back to the waiting list" not in response.content.decode()


def test_a_coordinator_of_another_page_or_without_permission_cannot_act(
    client, coordinator_b, editor, page, group
):
    fill(page, group, 3)
    for user, status in ((coordinator_b, 404), (editor, 302)):
        client.force_login(user)
        response = client.post(invitations_url(group), {"action": "invite"})
        assert response.status_code == status
    assert not Offer.objects.exists()


def test_a_viewer_sees_the_board_without_buttons(
    client, page, group, django_user_model
):
    from django.contrib.auth.models import Group, Permission

    fill(page, group, 3)
    Invite([group]).execute(skip_permission_checks=True)
    viewers = Group.objects.create(name="Lesere")
    viewers.permissions.set(
        Permission.objects.filter(codename__in=["access_admin", "view_selfhelpgroup"])
    )
    page.coordinator_groups.add(viewers)
    page.save()
    user = django_user_model.objects.create_user("leser", password="pw")
    user.groups.add(viewers)
    client.force_login(user)
    html = client.get(members_url(group)).content.decode()
    assert 'value="withdraw"' not in html and 'value="invite"' not in html
    assert client.post(invitations_url(group), {"action": "invite"}).status_code == 302
    assert Offer.objects.filter(state=OfferState.OFFERED).count() == 3


def test_taking_an_offer_back_from_the_board(client, coordinator_a, page, group):
    people = fill(page, group, 3)
    Invite([group]).execute(skip_permission_checks=True)
    offer = Offer.objects.get(registration=people[0])
    client.force_login(coordinator_a)
    client.post(invitations_url(group), {"action": "withdraw", "offer": offer.pk})
    offer.refresh_from_db()
    assert offer.state == OfferState.WITHDRAWN and offer.version == 2
    assert not GroupMembership.objects.filter(
        registration=people[0], is_current=True
    ).exists()


# The tick at "Create groups"


def test_the_tick_at_create_groups_sends_the_invitations(client, coordinator_a, page):
    for n in range(4):
        person(page, name=f"Venter {n}", topics=[], group_kind="any")
    run = MatchingRun.objects.create(page=page)
    proposals.run_engine(run)
    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_matching:run", args=[run.pk])
    response = client.post(url, {"action": "create", "groups": ["0"], "invite": "yes"})
    assert response.status_code == 302
    group = SelfHelpGroup.objects.get()
    assert Offer.objects.filter(group=group).count() == 4


def test_without_the_tick_nobody_is_invited(client, coordinator_a, page):
    for n in range(4):
        person(page, name=f"Venter {n}", topics=[], group_kind="any")
    run = MatchingRun.objects.create(page=page)
    proposals.run_engine(run)
    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_matching:run", args=[run.pk])
    client.post(url, {"action": "create", "groups": ["0"]})
    assert SelfHelpGroup.objects.count() == 1 and not Offer.objects.exists()


# Backfill


@pytest.fixture
def declined(page, group):
    """A group of 4 invited members, one of whom declined: one freed seat."""
    people = fill(page, group, 4)
    Invite([group]).execute(skip_permission_checks=True)
    offer = Offer.objects.get(registration=people[0])
    AnswerOffer(offer, accept=False, link=people[0]).execute()
    offer.refresh_from_db()
    return offer


def test_backfill_ranks_the_best_eligible_under_every_rule(
    client, coordinator_a, page, group, declined
):
    members = [m.registration for m in group.current_memberships()]
    misfits = [
        person(page, name="Feil sted", places=["Hol"], days_ago=300),
        person(page, name="Feil tid", time_slots=["Dagtid"], days_ago=300),
        person(page, name="Vil blandet", group_kind="mixed", days_ago=300),
        person(page, name="Feil tema", topics=["Sorg"], days_ago=300),
        person(page, name="Bare menn", gender="man", single_gender=True, days_ago=300),
        person(page, name="For gammel", birth_year=1940, days_ago=300),
        person(page, name="Unngås", days_ago=300),
    ]
    AvoidPair.objects.link(misfits[-1], members[0])
    shorter = person(page, name="Kortere ventetid", days_ago=50)
    longer = person(page, name="Lengst ventetid", days_ago=100)
    ((seat, proposed, reason),) = proposals_for_seats(group)
    assert seat == declined and proposed == longer
    assert "100" in reason and "2" in reason  # waited 100 days, 1 of the 2 who fit
    client.force_login(coordinator_a)
    html = client.get(members_url(group)).content.decode()
    assert "Lengst ventetid" in html and 'value="backfill"' in html
    response = client.post(
        invitations_url(group),
        {"action": "backfill", "offer": declined.pk, "registration": longer.pk},
    )
    assert response.status_code == 302
    offer = Offer.objects.get(registration=longer)
    assert offer.state == OfferState.OFFERED and offer.replaces == declined
    assert GroupMembership.objects.filter(
        group=group, registration=longer, is_current=True
    ).exists()
    entry = SelfHelpLogEntry.objects.get(action=audit.BACKFILL.code)
    assert entry.data == {
        "offer": offer.pk,
        "registration": longer.pk,
        "replaces": declined.pk,
        "position": 1,
        "eligible": 2,
    }
    # The seat is refilled: it is not offered again.
    assert proposals_for_seats(group) == []
    with pytest.raises(ValidationError):
        Backfill(declined).execute(skip_permission_checks=True)
    assert not Offer.objects.filter(registration=shorter).exists()


def test_backfill_refuses_when_someone_else_is_next_by_now(page, group, declined):
    shown = person(page, name="Vist", days_ago=50)
    person(page, name="Kom foran", days_ago=90)
    with pytest.raises(ValidationError):
        Backfill(declined, expected=shown.pk).execute(skip_permission_checks=True)
    assert not Offer.objects.filter(replaces=declined).exists()


def test_backfill_when_nobody_fits(page, group, declined):
    person(page, name="Feil sted", places=["Hol"])
    ((_seat, proposed, _reason),) = proposals_for_seats(group)
    assert proposed is None
    with pytest.raises(ValidationError):
        Backfill(declined).execute(skip_permission_checks=True)


def test_backfill_ranking_reads_a_constant_number_of_queries(page, group, declined):
    def count():
        with CaptureQueriesContext(connection) as queries:
            proposals_for_seats(group)
        return len(queries)

    for n in range(2):
        person(page, name=f"Venter {n}")
    few = count()
    for n in range(8):
        person(page, name=f"Flere {n}")
    assert count() == few


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_backfill_at_once_never_offer_one_person_twice(page_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    page_a.group_min_size = 3
    page_a.group_max_size = 5
    page_a.save_revision().publish()
    groups = []
    seats = []
    for n in range(2):
        group = SelfHelpGroup.objects.create(
            page=page_a,
            name=f"Gruppe {n}",
            place=page_a.places.get(name="Gol"),
            time_slot=page_a.time_slots.get(name="Kveld"),
        )
        people = [
            RegistrationFactory(
                page=page_a, places=["Gol"], time_slots=["Kveld"], days_ago=400
            )
            for _ in range(3)
        ]
        for registration in people:
            group.add_member(registration)
        Invite([group]).execute(skip_permission_checks=True)
        offer = Offer.objects.get(registration=people[0])
        AnswerOffer(offer, accept=False, then="withdrawn", link=people[0]).execute()
        groups.append(group)
        seats.append(offer)
    best, second = (
        RegistrationFactory(
            page=page_a, places=["Gol"], time_slots=["Kveld"], days_ago=days
        )
        for days in (100, 50)
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def backfill(seat):
        try:
            barrier.wait()
            offer = Backfill(Offer.objects.get(pk=seat.pk)).execute(
                skip_permission_checks=True
            )
            outcomes.append(offer.registration_id)
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=backfill, args=(seat,)) for seat in seats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == sorted([best.pk, second.pk])
    assert (
        Offer.objects.filter(state=OfferState.OFFERED, registration=best).count() == 1
    )
    assert (
        Offer.objects.filter(state=OfferState.OFFERED, registration=second).count() == 1
    )
    assert (
        GroupMembership.objects.filter(is_current=True, registration=best).count() == 1
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_refill_the_same_seat_once(page_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    group = SelfHelpGroup.objects.create(
        page=page_a,
        name="Gruppe",
        place=page_a.places.get(name="Gol"),
        time_slot=page_a.time_slots.get(name="Kveld"),
    )
    people = [
        RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
        for _ in range(4)
    ]
    for registration in people:
        group.add_member(registration)
    Invite([group]).execute(skip_permission_checks=True)
    seat = Offer.objects.get(registration=people[0])
    AnswerOffer(seat, accept=False, link=people[0]).execute()
    for days in (100, 50):
        RegistrationFactory(
            page=page_a, places=["Gol"], time_slots=["Kveld"], days_ago=days
        )
    barrier = threading.Barrier(2)
    outcomes = []

    def backfill():
        try:
            barrier.wait()
            offer = Backfill(Offer.objects.get(pk=seat.pk)).execute(
                skip_permission_checks=True
            )
            outcomes.append(offer.pk)
        except ValidationError:
            outcomes.append(None)
        finally:
            connection.close()

    threads = [threading.Thread(target=backfill) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(None) == 1
    assert Offer.objects.filter(replaces=seat).count() == 1
