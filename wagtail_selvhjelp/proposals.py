"""Matching proposals, apart from HTTP: run, edit, create groups.

A run is stored as ids and choice keys (see ``MatchingRun``). The coordinator
can leave a person out, drop a proposal, keep a proposal while running again,
and create the groups they choose. "Create groups" re-checks every chosen
proposal against the database as it is then, with the rows locked: a
proposal someone else has overtaken meanwhile is refused whole, the others
are saved, and nothing is ever half-saved.

Named for proposals, not "workflow": in Wagtail a workflow is page
moderation (``wagtail.models.Workflow``).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import adapters
from .choices import GroupStatus, RegistrationStatus
from .matching import MatchResult, ProposedGroup, check_proposal, propose_groups
from .models import GroupMembership, Registration, SelfHelpGroup


#: The code of a person the coordinator left out (not an engine code).
LEFT_OUT = "left_out"


def _group_to_json(group, kept=False):
    return {
        "members": list(group.members),
        "place": group.place,
        "slot": group.slot,
        "topic": group.topic,
        "gender": group.gender,
        "open_group": group.open_group,
        "kept": kept,
    }


def _proposed(data):
    return ProposedGroup(
        members=tuple(data["members"]),
        place=data["place"],
        slot=data["slot"],
        topic=data["topic"],
        gender=data["gender"],
        open_group=data["open_group"],
    )


def run_engine(run, *, today=None):
    """Propose groups for the run's page and store the proposal in ``run``.

    Kept proposals stay as they are; their members and everyone the
    coordinator left out are not proposed again.
    """
    page = run.page.specific
    kept = [group for group in run.proposal.get("groups", []) if group.get("kept")]
    fixed = {member for group in kept for member in group["members"]}
    excluded = set(run.excluded)
    candidates, rules, open_groups = adapters.matching_input(
        page, exclude=excluded | fixed, today=today
    )
    kept_open = {group["open_group"] for group in kept if group["open_group"]}
    open_groups = [group for group in open_groups if group.id not in kept_open]
    # Someone kept in a proposal cannot be avoided by a fresh candidate's
    # group either: the engine only knows the candidates it is given.
    result = propose_groups(candidates, rules=rules, open_groups=open_groups)
    unplaced = {
        str(pk): {"code": reason.code, "params": reason.params}
        for pk, reason in result.unplaced.items()
    }
    for pk in excluded:
        unplaced[str(pk)] = {"code": LEFT_OUT, "params": {}}
    run.proposal = {
        "groups": kept + [_group_to_json(group) for group in result.groups],
        "unplaced": unplaced,
        "upper_bound": result.upper_bound + len(fixed),
        "candidates": len(candidates) + len(fixed),
    }
    run.save()
    return run


def leave_out(run, index, person):
    """Take ``person`` out of proposal ``index`` and out of later runs."""
    groups = run.proposal["groups"]
    group = groups[index]
    if person not in group["members"]:
        return
    group["members"].remove(person)
    if not group["members"]:
        groups.pop(index)
    _exclude(run, person)


def _exclude(run, person):
    if person not in run.excluded:
        run.excluded.append(person)
    run.proposal.setdefault("unplaced", {})[str(person)] = {
        "code": LEFT_OUT,
        "params": {},
    }
    run.save()


def exclude(run, person):
    """Leave an unplaced person out of later runs."""
    if str(person) in run.proposal.get("unplaced", {}):
        _exclude(run, person)


def include(run, person):
    """Take a person the coordinator left out into later runs again."""
    if person in run.excluded:
        run.excluded.remove(person)
        run.save()


def drop(run, index):
    """Drop proposal ``index``; its members are proposed again next run."""
    group = run.proposal["groups"].pop(index)
    for person in group["members"]:
        run.proposal["unplaced"][str(person)] = {"code": "dropped", "params": {}}
    run.save()


def toggle_keep(run, index):
    group = run.proposal["groups"][index]
    group["kept"] = not group.get("kept")
    run.save()


@dataclass
class CreateOutcome:
    created: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (index, message)


def _name_for(names, group):
    parts = [names.place(group["place"]), names.slot(group["slot"])]
    parts.append(names.topic(group["topic"]) or gettext("mixed"))
    return ", ".join(parts)[:100]


def create_groups(run, indices, *, user=None, today=None):
    """Save the chosen proposals of ``run`` as groups, in one transaction.

    Each proposal is re-checked against the database as it is now, its
    registrations and open group locked; a proposal that no longer holds is
    refused with a message and the rest are saved.
    """
    page = run.page.specific
    names = adapters.ChoiceNames.for_page(page)
    rules = adapters.rules_for(page)
    outcome = CreateOutcome()
    groups = run.proposal.get("groups", [])
    chosen = sorted({i for i in indices if 0 <= i < len(groups)})
    with transaction.atomic():
        for index in chosen:
            data = groups[index]
            message = _check_and_create(page, rules, names, data, today)
            if isinstance(message, SelfHelpGroup):
                outcome.created.append(message)
            else:
                outcome.refused.append((index, message))
        created_members = {
            member
            for index in chosen
            if index not in {i for i, _m in outcome.refused}
            for member in groups[index]["members"]
        }
        run.proposal["groups"] = [
            group
            for i, group in enumerate(groups)
            if i not in chosen or i in {r for r, _m in outcome.refused}
        ]
        for person in created_members:
            run.proposal.get("unplaced", {}).pop(str(person), None)
        run.save()
    return outcome


def _check_and_create(page, rules, names, data, today):
    """The new or filled group, or a message why the proposal was refused."""
    members = list(data["members"])
    try:
        with transaction.atomic():
            locked = list(
                adapters.prefetch_for_matching(
                    adapters.waiting_registrations(page)
                    .filter(pk__in=members)
                    .select_for_update(of=("self",))
                )
            )
            if len(locked) != len(members):
                return gettext(
                    "Someone in this proposal was placed in another group, "
                    "withdrew or was deleted meanwhile. Run the proposal again."
                )
            open_groups = []
            group = None
            if data["open_group"] is not None:
                group = (
                    SelfHelpGroup.objects.select_for_update()
                    .filter(
                        pk=data["open_group"],
                        page_id=page.pk,
                        status=GroupStatus.FORMING,
                    )
                    .first()
                )
                if group is None:
                    return gettext(
                        "The group this proposal fills has started, ended or "
                        "been deleted meanwhile."
                    )
                current = [
                    m.registration
                    for m in group.current_memberships().select_related("registration")
                ]
                open_groups = [adapters.open_group_for(group, current)]
            partners = adapters.avoid_map([r.pk for r in locked])
            known = {r.pk for r in locked} | {
                pk for g in open_groups for pk in g.member_ids
            }
            candidates = [
                adapters.candidate_for(
                    r, avoid=partners.get(r.pk, set()) & known, today=today
                )
                for r in locked
            ]
            problems = check_proposal(
                candidates,
                rules,
                open_groups,
                MatchResult(
                    groups=[_proposed(data)],
                    unplaced={},
                    upper_bound=len(candidates),
                ),
            )
            if problems:
                return gettext(
                    "This proposal no longer meets the page's rules (someone's "
                    "answers, an avoid pair or the group changed meanwhile). "
                    "Run the proposal again."
                )
            if group is None:
                group = SelfHelpGroup.objects.create(
                    page=page,
                    name=_name_for(names, data),
                    place_id=int(data["place"]),
                    time_slot_id=int(data["slot"]),
                    topic_id=int(data["topic"]) if data["topic"] else None,
                    gender=data["gender"] or "",
                )
            joined = today or timezone.localdate()
            GroupMembership.objects.bulk_create(
                GroupMembership(group=group, registration_id=pk, joined_on=joined)
                for pk in members
            )
            Registration.objects.filter(pk__in=members).update(
                status=RegistrationStatus.PLACED, updated_at=timezone.now()
            )
            return group
    except IntegrityError:
        # The database constraint: placed elsewhere between check and insert.
        return gettext(
            "Someone in this proposal was placed in another group meanwhile. "
            "Run the proposal again."
        )
