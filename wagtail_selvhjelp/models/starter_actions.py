"""The actions on starters: assigning one to a group, withdrawing them,
changing their status and erasing them (see ``models/actions.py`` for what an
action is).

Log entries hold ids and codes only: the starter's number, the assignment's
number, a role, a reason code; never a name or contact detail.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext

from .. import audit
from ..choices import (
    StarterRole,
    StarterStatus,
    StarterWithdrawalReason,
)
from .actions import Action, ActionPermissionError, GroupAction
from .groups import SelfHelpGroup
from .permissions import starter_permission_policy
from .starters import GroupStarter, Starter, forget_starters


class StarterAction(Action):
    """An action on one starter, scoped by the starters' policy."""

    permission_policy = starter_permission_policy

    def __init__(self, starter, **kwargs):
        super().__init__(**kwargs)
        self.starter = starter

    def checked_instances(self):
        return [self.starter]


class AssignStarter(GroupAction):
    """Give a group a starter: the lead, or a co-starter beside the lead.

    The user must be allowed to change the group and to see the starter (a
    starter of a page they coordinate). The starter must serve the group's
    page, be active, and not have the group's topic as their own; the group
    must be open. ``role`` None means lead when the group has none, else
    co-starter. The group's row is locked, and the database's constraints
    keep one lead and one co-starter at most even when two coordinators race.
    """

    def __init__(
        self,
        group,
        starter,
        *,
        role=None,
        since=None,
        until=None,
        planned_meetings=None,
        **kwargs,
    ):
        super().__init__(group, **kwargs)
        self.starter = starter
        self.role = role
        self.since = since
        self.until = until
        self.planned_meetings = planned_meetings

    def check(self, skip_permission_checks=False):
        super().check(skip_permission_checks=skip_permission_checks)
        if skip_permission_checks:
            return
        if not starter_permission_policy.user_has_permission_for_instance(
            self.user, "view", self.starter
        ):
            raise ActionPermissionError

    def _execute(self):
        group = SelfHelpGroup.objects.select_for_update().get(pk=self.group.pk)
        starter = self.starter
        if not group.is_open:
            raise ValidationError(gettext("An ended group takes no starter."))
        stored = Starter.objects.filter(pk=starter.pk)
        if not stored.filter(pages=group.page_id).exists():
            raise ValidationError(
                gettext("This starter does not serve the group's registration page.")
            )
        if starter.status != StarterStatus.ACTIVE:
            raise ValidationError(gettext("Only an active starter can start a group."))
        if group.topic_id and stored.filter(topics=group.topic_id).exists():
            raise ValidationError(
                gettext("A starter never starts a group on a topic of their own.")
            )
        running = {
            assignment.role: assignment
            for assignment in group.starter_assignments.not_withdrawn()
        }
        if any(a.starter_id == starter.pk for a in running.values()):
            raise ValidationError(gettext("This starter is already with the group."))
        role = self.role or (
            StarterRole.CO_STARTER if StarterRole.LEAD in running else StarterRole.LEAD
        )
        if role in running:
            raise ValidationError(
                gettext("The group has a lead starter and a co-starter already.")
                if len(running) == 2
                else gettext("The group already has a starter in this role.")
            )
        if role == StarterRole.CO_STARTER and StarterRole.LEAD not in running:
            raise ValidationError(gettext("Give the group a lead starter first."))
        assignment = GroupStarter(
            group=group,
            starter=starter,
            role=role,
            since=self.since or timezone.localdate(),
            until=self.until,
        )
        if self.planned_meetings is not None:
            assignment.planned_meetings = self.planned_meetings
        assignment.full_clean(exclude=["group", "starter"], validate_constraints=False)
        try:
            assignment.save()
        except IntegrityError as error:
            raise ValidationError(
                gettext("The group's starters changed meanwhile. Try again.")
            ) from error
        self.log(
            group,
            audit.STARTER_ASSIGN,
            data={
                "assignment": assignment.pk,
                "starter": starter.pk,
                "role": role,
                "planned_meetings": assignment.planned_meetings,
            },
        )
        return assignment


class WithdrawStarter(GroupAction):
    """Record that a starter leaves a group, with a reason code.

    When the lead withdraws and a co-starter remains, the co-starter becomes
    the lead (said in the same log entry).
    """

    def __init__(self, assignment, *, reason="", today=None, **kwargs):
        super().__init__(assignment.group, **kwargs)
        self.assignment = assignment
        self.reason = reason
        self.today = today

    def _execute(self):
        SelfHelpGroup.objects.select_for_update().get(pk=self.group.pk)
        assignment = GroupStarter.objects.get(pk=self.assignment.pk)
        if assignment.withdrawn_on is not None:
            raise ValidationError(gettext("This starter has already withdrawn."))
        if self.reason not in StarterWithdrawalReason.values or (
            self.reason == StarterWithdrawalReason.ERASED
        ):
            self.reason = ""
        assignment.withdrawn_on = self.today or timezone.localdate()
        if assignment.until is None or assignment.until > assignment.withdrawn_on:
            assignment.until = max(assignment.withdrawn_on, assignment.since)
        assignment.withdrawal_reason = self.reason
        assignment.save(update_fields=["withdrawn_on", "withdrawal_reason", "until"])
        promoted = None
        if assignment.role == StarterRole.LEAD:
            co_starter = (
                self.group.starter_assignments.not_withdrawn()
                .filter(role=StarterRole.CO_STARTER)
                .first()
            )
            if co_starter is not None:
                co_starter.role = StarterRole.LEAD
                co_starter.save(update_fields=["role"])
                promoted = co_starter.pk
        self.log(
            self.group,
            audit.STARTER_WITHDRAW,
            data={
                "assignment": assignment.pk,
                "starter": assignment.starter_id,
                "reason": self.reason,
                "promoted": promoted,
            },
        )
        self.assignment = assignment
        return assignment


class ChangeStarterStatus(StarterAction):
    """Set a starter's status: active, resting or archived.

    Archiving records when, which starts the retention time; a starter who
    still accompanies an open group withdraws from it first.
    """

    def __init__(self, starter, status, **kwargs):
        super().__init__(starter, **kwargs)
        self.status = StarterStatus(status)

    def _execute(self):
        starter = self.starter
        before = Starter.objects.filter(pk=starter.pk).values_list("status", flat=True)[
            0
        ]
        if before == self.status:
            return starter
        if (
            self.status == StarterStatus.ARCHIVED
            and starter.assignments.current().exists()
        ):
            raise ValidationError(
                gettext(
                    "This starter still accompanies an open group: withdraw them "
                    "from it first."
                )
            )
        starter.status = self.status
        starter.archived_at = (
            timezone.now() if self.status == StarterStatus.ARCHIVED else None
        )
        Starter.objects.filter(pk=starter.pk).update(
            status=starter.status, archived_at=starter.archived_at
        )
        self.log(
            starter, audit.STARTER_STATUS, data={"from": before, "to": self.status}
        )
        return starter


class EraseStarter(StarterAction):
    """Erase a starter by reference (:func:`~.starters.forget_starters`)."""

    permission_action = "delete"

    def _execute(self):
        self.log(self.starter, audit.STARTER_ERASE)
        return forget_starters(Starter.objects.filter(pk=self.starter.pk))
