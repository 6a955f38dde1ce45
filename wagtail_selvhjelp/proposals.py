"""Matching proposals, apart from HTTP: run the engine, create the groups.

A run is stored as ids and choice keys (:class:`~wagtail_selvhjelp.models.matching_runs.Proposal`,
which also holds the coordinator's edits: leave a person out, drop a
proposal, keep one while running again). "Create groups" re-checks every
chosen proposal against the database as it is then, with the rows locked: a
proposal someone else has overtaken meanwhile is refused whole
(:class:`ProposalRefused`), the others are saved, and nothing is ever
half-saved.

Named for proposals, not "workflow": in Wagtail a workflow is page
moderation (``wagtail.models.Workflow``).
"""

from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from wagtail.log_actions import log

from . import adapters, audit
from .choices import CoordinatorReason, GroupStatus, NotReady, RegistrationStatus
from .conf import selvhjelp_settings
from .matching import MatchResult, check_proposal, propose_groups
from .models import SelfHelpGroup
from .models.actions import Action, PlaceMembers
from .models.audit_log import log_on_page
from .models.candidates import (
    avoid_map,
    candidate_for,
    open_group_for,
    prefetch_for_matching,
    rules_for,
)
from .models.permissions import matching_run_permission_policy
from .reason_texts import describe_group, describe_misfit


class ProposalRefused(Exception):
    """A chosen proposal no longer holds; ``message`` tells the coordinator why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def run_engine(run, *, today=None):
    """Propose groups for the run's page and store the proposal in ``run``.

    Kept proposals stay as they are; their members and everyone the
    coordinator left out are not proposed again.
    """
    page = run.page.specific
    proposal = run.get_proposal()
    kept = proposal.kept_groups
    fixed = {member for group in kept for member in group.members}
    stranded, new = set(), set()
    candidates, rules, open_groups = adapters.matching_input(
        page,
        exclude=set(proposal.excluded) | fixed,
        today=today,
        stranded=stranded,
        new=new,
    )
    kept_open = {group.open_group for group in kept if group.open_group}
    open_groups = [group for group in open_groups if group.id not in kept_open]
    # Someone kept in a proposal cannot be avoided by a fresh candidate's
    # group either: the engine only knows the candidates it is given.
    result = propose_groups(
        candidates,
        rules=rules,
        open_groups=open_groups,
        exact_seconds=selvhjelp_settings.MATCHING_EXACT_SECONDS or None,
    )
    renewed = proposal.renewed(result, candidates=len(candidates))
    renewed.set_aside(stranded, CoordinatorReason.ARCHIVED)
    renewed.set_aside(new, CoordinatorReason.NOT_CONTACTED)
    run.set_proposal(renewed)
    run.save()
    return run


def misfits_in(page, group, person, *, today=None):
    """Why ``person`` cannot join the stored proposal ``group``: sentences
    naming each broken rule (place, time, kind, topic, gender, age, avoid,
    full), from the engine's ``check_proposal``; empty when they fit."""
    ids = {*group.members, person}
    registrations = list(
        prefetch_for_matching(adapters.waiting_registrations(page).filter(pk__in=ids))
    )
    if person not in {registration.pk for registration in registrations}:
        return [gettext("They are no longer waiting for a group.")]
    open_groups, known = [], {registration.pk for registration in registrations}
    seated = 0
    if group.open_group is not None:
        existing = SelfHelpGroup.objects.filter(pk=group.open_group).first()
        if existing is not None:
            current = [
                m.registration
                for m in existing.current_memberships().select_related("registration")
            ]
            open_groups = [open_group_for(existing, current)]
            known |= {member.pk for member in current}
            seated = len(current)
    if seated + len(registrations) > page.group_max_size:
        return [gettext("The group is full.")]
    partners = avoid_map(known)
    try:
        candidates = [
            candidate_for(r, avoid=partners.get(r.pk, set()) & known, today=today)
            for r in registrations
        ]
    except ValueError:  # no place or time slot left to them
        return [gettext("They have no place or time to offer.")]
    proposed = replace(
        group.to_engine(),
        members=tuple(r.pk for r in registrations),
    )
    violations = check_proposal(
        candidates,
        rules_for(page),
        open_groups,
        MatchResult(groups=[proposed], unplaced={}, upper_bound=len(candidates)),
    )
    rules = []
    for violation in violations:
        if violation.rule in ("size", "bookkeeping", "unknown", "shape"):
            continue  # a card's size is shown on it; the rest is not about them
        if violation.member not in (person, None) and violation.rule not in (
            "avoid",
            "age",
        ):
            continue
        if violation.rule not in rules:
            rules.append(violation.rule)
    return [
        describe_misfit(
            rule, mixed_group=group.topic is None, max_age_span=page.max_age_span
        )
        for rule in rules
    ]


def not_ready(registrations):
    """{registration id: [:class:`NotReady` codes]} for ``registrations``.

    Warnings, not rules: someone not contacted yet, someone who has not
    answered whether they still want a group, someone whose "should not be
    grouped with" text has no avoid link. One query for the avoid links.
    """
    linked = avoid_map([registration.pk for registration in registrations])
    warnings = {}
    for registration in registrations:
        codes = []
        if registration.status == RegistrationStatus.NEW:
            codes.append(NotReady.NEW)
        if registration.reconfirmation_requested_at is not None:
            codes.append(NotReady.UNANSWERED)
        if registration.avoid_text.strip() and registration.pk not in linked:
            codes.append(NotReady.AVOID_UNLINKED)
        warnings[registration.pk] = codes
    return warnings


@dataclass
class CreateOutcome:
    created: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (index, message)


def _name_for(names, group):
    return describe_group(
        names.place(group.place), names.slot(group.slot), names.topic(group.topic)
    )[:100]


class CreateGroups(Action):
    """Save the chosen proposals of a run as groups, in one transaction.

    Each proposal is re-checked against the database as it is now, its
    registrations and open group locked; a proposal that no longer holds is
    refused with a message and the rest are saved. Each new group is logged
    as created, each member as placed (:class:`PlaceMembers`), and the page
    gets one entry with the run, the groups and how many were refused.
    """

    permission_policy = matching_run_permission_policy
    permission_action = "match"

    def __init__(self, run, indices, *, today=None, **kwargs):
        super().__init__(**kwargs)
        self.run = run
        self.indices = indices
        self.today = today

    def checked_instances(self):
        return [self.run]

    def _execute(self):
        run = self.run
        page = run.page.specific
        names = adapters.ChoiceNames.for_page(page)
        rules = rules_for(page)
        outcome = CreateOutcome()
        proposal = run.get_proposal()
        chosen = sorted({i for i in self.indices if proposal.has_group(i)})
        created = []
        for index in chosen:
            try:
                group = _check_and_create(
                    page, rules, names, proposal.groups[index], self
                )
            except ProposalRefused as refused:
                outcome.refused.append((index, refused.message))
            else:
                outcome.created.append(group)
                created.append(index)
        proposal.remove_created(created)
        proposal.created.extend(group.pk for group in outcome.created)
        run.set_proposal(proposal)
        run.save()
        if outcome.created:
            log_on_page(
                page,
                audit.CREATE_GROUPS.code,
                user=self.user,
                data={
                    "run": run.pk,
                    "groups": [group.pk for group in outcome.created],
                    "refused": len(outcome.refused),
                },
            )
        return outcome


def create_groups(run, indices, *, user=None, today=None):
    """:class:`CreateGroups` for code that has already checked the user."""
    return CreateGroups(run, indices, user=user, today=today).execute(
        skip_permission_checks=True
    )


def _archived(page, proposed):
    """Whether the proposal's place, time slot or topic is archived now."""
    choices = [(page.places, proposed.place), (page.time_slots, proposed.slot)]
    if proposed.topic:
        choices.append((page.topics, proposed.topic))
    return any(
        manager.filter(pk=int(key), archived=True).exists() for manager, key in choices
    )


def _check_and_create(page, rules, names, proposed, action):
    """The new or filled group; raises :class:`ProposalRefused` if it no longer holds."""
    members = list(proposed.members)
    today = action.today
    try:
        with transaction.atomic():
            locked = list(
                prefetch_for_matching(
                    adapters.waiting_registrations(page)
                    .filter(pk__in=members)
                    .select_for_update(of=("self",))
                )
            )
            if len(locked) != len(members):
                raise ProposalRefused(
                    gettext(
                        "Someone in this proposal was placed in another group, "
                        "withdrew or was deleted meanwhile. Run the proposal again."
                    )
                )
            if _archived(page, proposed):
                raise ProposalRefused(
                    gettext(
                        "The place, time slot or topic of this proposal was "
                        "archived meanwhile. Run the proposal again."
                    )
                )
            open_groups = []
            group = None
            if proposed.open_group is not None:
                group = (
                    SelfHelpGroup.objects.select_for_update()
                    .filter(
                        pk=proposed.open_group,
                        page_id=page.pk,
                        status=GroupStatus.FORMING,
                    )
                    .first()
                )
                if group is None:
                    raise ProposalRefused(
                        gettext(
                            "The group this proposal fills has started, ended or "
                            "been deleted meanwhile."
                        )
                    )
                current = [
                    m.registration
                    for m in group.current_memberships().select_related("registration")
                ]
                open_groups = [open_group_for(group, current)]
            partners = avoid_map([r.pk for r in locked])
            known = {r.pk for r in locked} | {
                pk for g in open_groups for pk in g.member_ids
            }
            candidates = [
                candidate_for(r, avoid=partners.get(r.pk, set()) & known, today=today)
                for r in locked
            ]
            problems = check_proposal(
                candidates,
                rules,
                open_groups,
                MatchResult(
                    groups=[proposed.to_engine()],
                    unplaced={},
                    upper_bound=len(candidates),
                ),
            )
            if problems:
                raise ProposalRefused(
                    gettext(
                        "This proposal no longer meets the page's rules (someone's "
                        "answers, an avoid pair or the group changed meanwhile). "
                        "Run the proposal again."
                    )
                )
            if group is None:
                group = SelfHelpGroup.objects.create(
                    page=page,
                    name=_name_for(names, proposed),
                    place_id=int(proposed.place),
                    time_slot_id=int(proposed.slot),
                    topic_id=int(proposed.topic) if proposed.topic else None,
                    gender=proposed.gender or "",
                )
                log(group, "wagtail.create", user=action.user)
            # Checked above, under the locks, with the whole proposal.
            PlaceMembers(
                group, locked, joined_on=today, checked=True, user=action.user
            ).execute(skip_permission_checks=True)
            return group
    except IntegrityError:
        # The database constraint: placed elsewhere between check and insert.
        raise ProposalRefused(
            gettext(
                "Someone in this proposal was placed in another group meanwhile. "
                "Run the proposal again."
            )
        ) from None
