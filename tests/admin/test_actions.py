"""Every state-changing admin POST goes through its action: it leaves exactly
the log entries the action defines, and nothing for a user who may not.

And the audit table: every log action the package writes is registered.
"""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.log_actions import registry

import wagtail_selvhjelp
from wagtail_selvhjelp import audit
from wagtail_selvhjelp.models import (
    AvoidPair,
    Registration,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.actions import (
    ActionPermissionError,
    ChangeStatus,
    Misfit,
    PlaceMembers,
)
from wagtail_selvhjelp.models.page_scoped import PageScopedModel

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db

ROOT = Path(wagtail_selvhjelp.__file__).parent


def logged_actions(registration, group):
    """The log entries written since the test began, by action."""
    return sorted(SelfHelpLogEntry.objects.values_list("action", flat=True))


def _member(group, registration):
    group.add_member(registration)
    return group.memberships.get(registration=registration)


def _posts(registration, other, group):
    """(name, URL, data, the log entries it must leave)."""
    members = reverse("wagtail_selvhjelp_group:members", args=[group.pk])
    return {
        "status": (
            reverse("wagtail_selvhjelp_registration:edit", args=[registration.pk]),
            {"status": "contacted", "coordinator_notes": ""},
            ["wagtail.edit", "wagtail_selvhjelp.status"],
        ),
        "bulk status": (
            reverse("wagtail_selvhjelp_registration:bulk_status")
            + f"?page={registration.page_id}",
            {"status": "contacted"},
            ["wagtail_selvhjelp.status", "wagtail_selvhjelp.status"],
        ),
        "avoid link": (
            reverse("wagtail_selvhjelp_registration:avoid", args=[registration.pk]),
            {"other": other.pk},
            ["wagtail_selvhjelp.avoid_link", "wagtail_selvhjelp.avoid_link"],
        ),
        "confirm": (
            reverse("wagtail_selvhjelp_registration:confirm", args=[registration.pk]),
            {},
            ["wagtail_selvhjelp.confirm"],
        ),
        "erase": (
            reverse("wagtail_selvhjelp_registration:erase", args=[registration.pk]),
            {"confirm": "yes"},
            ["wagtail_selvhjelp.erase"],
        ),
        "delete": (
            reverse("wagtail_selvhjelp_registration:delete", args=[registration.pk]),
            {},
            ["wagtail.delete"],
        ),
        "place": (
            members,
            {"action": "add", "registration": registration.pk},
            ["wagtail_selvhjelp.place"],
        ),
        "end": (
            reverse("wagtail_selvhjelp_group:end", args=[group.pk]),
            {"reason": "decided", "then": "waiting"},
            ["wagtail_selvhjelp.group_status"],
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "status",
        "bulk status",
        "avoid link",
        "confirm",
        "erase",
        "delete",
        "place",
        "end",
    ],
)
def test_each_post_leaves_the_entries_of_its_action(
    client, coordinator_a, coordinator_b, registration_a, group_a, name
):
    other = RegistrationFactory(page=registration_a.page)
    url, data, entries = _posts(registration_a, other, group_a)[name]
    client.force_login(coordinator_b)
    response = client.post(url, data)
    assert response.status_code in (302, 403, 404), name
    assert not SelfHelpLogEntry.objects.exists(), name
    client.force_login(coordinator_a)
    response = client.post(url, data)
    assert response.status_code == 302, (name, response.status_code)
    assert logged_actions(registration_a, group_a) == sorted(entries)


def test_removing_and_starting_leave_one_entry_each(
    client, coordinator_a, page_a, group_a
):
    people = [
        RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
        for _ in range(5)
    ]
    PlaceMembers(group_a, people, user=coordinator_a).execute()
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)
    membership = group_a.memberships.get(registration=people[0])
    client.post(
        reverse("wagtail_selvhjelp_group:remove_member", args=[membership.pk]),
        {"reason": "own_wish", "then": "withdrawn"},
    )
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.remove"
    assert entry.data == {
        "registration": people[0].pk,
        "reason": "own_wish",
        "then": "withdrawn",
    }
    people[0].refresh_from_db()
    assert people[0].status == "withdrawn"
    membership.refresh_from_db()
    assert membership.left_reason == "own_wish" and not membership.is_current

    start = reverse("wagtail_selvhjelp_group:start", args=[group_a.pk])
    client.post(start, {"reason": "other"})
    assert list(
        SelfHelpLogEntry.objects.order_by("pk").values_list("action", flat=True)
    ) == [
        "wagtail_selvhjelp.remove",
        "wagtail_selvhjelp.group_status",
    ]
    assert SelfHelpGroup.objects.get(pk=group_a.pk).status == "active"


def test_an_action_refuses_another_pages_coordinator(
    coordinator_b, registration_a, group_a
):
    with pytest.raises(ActionPermissionError):
        ChangeStatus(registration_a, "spam", user=coordinator_b).execute()
    with pytest.raises(ActionPermissionError):
        PlaceMembers(group_a, [registration_a], user=coordinator_b).execute()
    with pytest.raises(ActionPermissionError):
        ChangeStatus(registration_a, "spam").execute()  # nobody asked
    registration_a.refresh_from_db()
    assert registration_a.status == "waiting"
    assert not SelfHelpLogEntry.objects.exists()


def test_placing_many_at_once_checks_the_rulebook_for_each(
    coordinator_a, page_a, group_a
):
    fits = RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
    elsewhere = RegistrationFactory(page=page_a, places=["Ål"], time_slots=["Kveld"])
    AvoidPair.objects.link(fits, elsewhere)
    with translation.override("en"), pytest.raises(Misfit) as error:
        PlaceMembers(group_a, [fits, elsewhere], user=coordinator_a).execute()
    text = " ".join(error.value.messages)
    assert "place" in text and "must not share" in text
    assert not group_a.memberships.exists()
    assert Registration.objects.get(pk=fits.pk).status == "waiting"


# The audit table


def _logged_names():
    """Every action name the package passes to ``log()`` or names from ``audit``."""
    names = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "log"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.add(node.args[1].value)
            if (
                isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == "log_action_code" for t in node.targets)
                and isinstance(node.value, ast.Constant)
            ):
                names.add(node.value.value)
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "audit"
                and node.attr.isupper()
            ):
                names.add(getattr(audit, node.attr).code)
    return names


def test_every_logged_action_is_registered():
    names = _logged_names()
    assert {"wagtail_selvhjelp.place", "wagtail.delete"} <= names
    codes = {action.code for action in audit.LOG_ACTIONS}
    for name in names:
        assert name in codes or name.startswith("wagtail."), name
        assert registry.action_exists(name), name


def test_every_page_scoped_model_has_a_policy_that_scopes_it(
    coordinator_b, registration_a, group_a
):
    """A new page-scoped model (starters, invitations...) is covered here by
    declaration: it needs a policy, and the policy cuts it to the pages."""
    from django.apps import apps

    from wagtail_selvhjelp.models import MatchingRun
    from wagtail_selvhjelp.models.invitation_actions import Invite
    from wagtail_selvhjelp.models.permissions import PageScopedPermissionPolicy

    MatchingRun.objects.create(page=registration_a.page)
    group_a.add_member(registration_a)
    Invite([group_a]).execute(skip_permission_checks=True)
    try:
        from wagtail.permissions import policy_registry
    except ImportError:  # Wagtail 7.x: no registry; the viewsets hold them
        policy_registry = None
    models = [
        model
        for model in apps.get_app_config("wagtail_selvhjelp").get_models()
        if issubclass(model, PageScopedModel)
    ]
    assert {Registration, SelfHelpGroup, MatchingRun} <= set(models)
    for model in models:
        assert model.objects.filter(page=registration_a.page).exists(), model
        assert not model.objects.for_user(coordinator_b).exists(), model
        if policy_registry is not None:
            policy = policy_registry.get_by_type(model)
            assert isinstance(policy, PageScopedPermissionPolicy), model
            assert not policy.instances_user_has_any_permission_for(
                coordinator_b, ["view", "change", "match"]
            ).exists(), model


def test_a_signed_link_acts_only_on_its_own_registration_and_only_where_allowed(
    registration_a,
):
    from wagtail_selvhjelp.models.actions import ConfirmWaiting, Erase

    other = RegistrationFactory(page=registration_a.page)
    with pytest.raises(ActionPermissionError):
        ConfirmWaiting(other, link=registration_a).execute()
    with pytest.raises(ActionPermissionError):
        Erase(registration_a, link=registration_a).execute()
    ConfirmWaiting(registration_a, link=registration_a).execute()
    assert Registration.objects.filter(pk=registration_a.pk).exists()
    assert list(SelfHelpLogEntry.objects.values_list("action", flat=True)) == [
        "wagtail_selvhjelp.self_confirm"
    ]
