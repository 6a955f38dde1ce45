"""A coordinator's matching run: the engine's proposal and their edits.

Stored so that a run and its edits survive a page reload and another
coordinator can see it, holding only ids and the engine's structured facts:
registration ids, choice keys, counts and reason codes, never a name or an
answer. Deleting a registration takes its id out (``models.privacy.forget``);
runs are short-lived working state, deleted with their page.

The stored JSON is read and written only through :class:`Proposal`, so a new
field of a run is learnt in one place and every edit keeps the shape whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import CoordinatorReason
from ..matching import MatchResult, ProposedGroup, UnplacedReason
from .page_scoped import PageScopedModel


#: What a group is besides its members, named alike here and in the engine's
#: :class:`~wagtail_selvhjelp.matching.ProposedGroup`.
_SHAPE = ("place", "slot", "topic", "gender", "open_group")


@dataclass
class StoredGroup:
    """One proposed group as stored: member ids and the engine's choice keys.

    For a group that fills an ``open_group`` the members are the newcomers
    only, as in the engine's :class:`~wagtail_selvhjelp.matching.ProposedGroup`.
    """

    members: list[int] = field(default_factory=list)
    place: str | None = None
    slot: str | None = None
    topic: str | None = None
    gender: str | None = None
    open_group: int | None = None
    kept: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredGroup:
        """Tolerant of rows written before a key existed: it gets its default."""
        return cls(
            members=list(data.get("members", [])),
            kept=bool(data.get("kept", False)),
            **{name: data.get(name) for name in _SHAPE},
        )

    def to_json(self) -> dict[str, Any]:
        return {"members": list(self.members), **self._shape(), "kept": self.kept}

    @classmethod
    def from_engine(cls, group: ProposedGroup) -> StoredGroup:
        return cls(
            members=list(group.members),
            **{name: getattr(group, name) for name in _SHAPE},
        )

    def to_engine(self) -> ProposedGroup:
        """The engine's view of this group, for ``check_proposal``."""
        return ProposedGroup(members=tuple(self.members), **self._shape())

    def _shape(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SHAPE}

    def same_group(self, other: StoredGroup) -> bool:
        """The same people in the same kind of group (kept or not)."""
        return (
            sorted(self.members) == sorted(other.members)
            and self._shape() == other._shape()
        )


@dataclass(frozen=True)
class StoredReason:
    """Why someone is not in a proposed group: a code and its facts.

    The code is the engine's or a :class:`~wagtail_selvhjelp.choices.CoordinatorReason`;
    the text is rendered when shown (``reason_texts.describe_reason``), so it
    follows the reader's language and the choices' current names.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredReason:
        return cls(code=data.get("code", ""), params=dict(data.get("params", {})))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @property
    def left_out(self) -> bool:
        return self.code == CoordinatorReason.LEFT_OUT

    def to_reason(self) -> UnplacedReason:
        """As the engine's type; the code stands in for the English message."""
        return UnplacedReason(code=self.code, message=self.code, params=self.params)


def _by_coordinator(code: CoordinatorReason) -> StoredReason:
    return StoredReason(code=code.value)


@dataclass
class Proposal:
    """A run's proposal and the coordinator's edits to it.

    ``groups`` are the proposed groups in the order shown (an edit names a
    group by its index); ``unplaced`` maps the id of everyone not in a group
    to why; ``upper_bound`` and ``candidates`` are counts for the summary.
    ``excluded`` are the people the coordinator left out: unlike the rest it
    outlives running again, and it is stored in the run's own column.
    ``created`` holds the ids of the groups created from the run, so the page
    can say what became of the proposals that left it. ``dropped`` holds
    the proposals the coordinator dropped: running again never proposes
    one of them again, until the drop is undone.

    The edits change the proposal in place and return whether they changed
    anything, so a caller saves only real changes; none of them raises on an
    index or id that is no longer there (a stale form is not an error).
    """

    groups: list[StoredGroup] = field(default_factory=list)
    unplaced: dict[int, StoredReason] = field(default_factory=dict)
    upper_bound: int = 0
    candidates: int = 0
    excluded: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    dropped: list[StoredGroup] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, excluded=()) -> Proposal:
        data = data or {}
        return cls(
            groups=[StoredGroup.from_json(group) for group in data.get("groups", [])],
            unplaced={
                int(pk): StoredReason.from_json(reason)
                for pk, reason in data.get("unplaced", {}).items()
            },
            upper_bound=data.get("upper_bound", 0),
            candidates=data.get("candidates", 0),
            excluded=list(excluded),
            created=list(data.get("created", [])),
            dropped=[StoredGroup.from_json(group) for group in data.get("dropped", [])],
        )

    def to_json(self) -> dict[str, Any]:
        """The ``proposal`` column (``excluded`` has its own)."""
        return {
            "groups": [group.to_json() for group in self.groups],
            "unplaced": {
                str(pk): reason.to_json() for pk, reason in self.unplaced.items()
            },
            "upper_bound": self.upper_bound,
            "candidates": self.candidates,
            "created": list(self.created),
            "dropped": [group.to_json() for group in self.dropped],
        }

    # -- reading ------------------------------------------------------------

    @property
    def placed(self) -> set[int]:
        """The ids of everyone in a proposed group."""
        return {member for group in self.groups for member in group.members}

    @property
    def kept_groups(self) -> list[StoredGroup]:
        return [group for group in self.groups if group.kept]

    def has_group(self, index: int | None) -> bool:
        return index is not None and 0 <= index < len(self.groups)

    # -- running again ------------------------------------------------------

    def renewed(self, result: MatchResult, *, candidates: int) -> Proposal:
        """The next proposal: the kept groups, then the engine's ``result``.

        ``result`` was computed without the kept groups' members and without
        the people left out (``candidates`` is how many it was given); the
        counts include the kept members, and the people left out stay so.
        """
        kept = self.kept_groups
        fixed = {member for group in kept for member in group.members}
        unplaced = {
            pk: StoredReason(code=reason.code, params=reason.params)
            for pk, reason in result.unplaced.items()
        }
        for pk in self.excluded:
            unplaced[pk] = _by_coordinator(CoordinatorReason.LEFT_OUT)
        groups = list(kept)
        for proposed in map(StoredGroup.from_engine, result.groups):
            if any(proposed.same_group(dropped) for dropped in self.dropped):
                for person in proposed.members:
                    unplaced[person] = _by_coordinator(CoordinatorReason.DROPPED)
            else:
                groups.append(proposed)
        return Proposal(
            groups=groups,
            unplaced=unplaced,
            upper_bound=result.upper_bound + len(fixed),
            candidates=candidates + len(fixed),
            excluded=list(self.excluded),
            created=list(self.created),
            dropped=list(self.dropped),
        )

    def set_aside(self, people, code: CoordinatorReason) -> None:
        """Record ``people``, whom the engine was not given, as unplaced for ``code``."""
        for person in people:
            self.unplaced[person] = _by_coordinator(code)

    # -- the coordinator's edits -------------------------------------------

    def leave_out(self, index: int, person: int) -> bool:
        """Take ``person`` out of group ``index`` and out of later runs."""
        group = self.groups[index]
        if person not in group.members:
            return False
        group.members.remove(person)
        if not group.members:
            self.groups.pop(index)
        self._exclude(person)
        return True

    def place(self, person: int, target: int) -> bool:
        """Move ``person`` into group ``target``, from another group or from
        the people not placed (left out ones included). A group left empty
        goes. Whether they fit is the caller's to check first."""
        if not self.has_group(target) or person in self.groups[target].members:
            return False
        group = self.groups[target]
        for other in self.groups:
            if person in other.members:
                other.members.remove(person)
        self.groups = [g for g in self.groups if g.members or g is group]
        self.unplaced.pop(person, None)
        if person in self.excluded:
            self.excluded.remove(person)
        group.members.append(person)
        return True

    def exclude(self, person: int) -> bool:
        """Leave someone who is not in a group out of later runs."""
        if person not in self.unplaced:
            return False
        self._exclude(person)
        return True

    def _exclude(self, person: int) -> None:
        if person not in self.excluded:
            self.excluded.append(person)
        self.unplaced[person] = _by_coordinator(CoordinatorReason.LEFT_OUT)

    def include(self, person: int) -> bool:
        """Take someone left out into later runs again (from the next run on)."""
        if person not in self.excluded:
            return False
        self.excluded.remove(person)
        return True

    def drop(self, index: int) -> bool:
        """Drop group ``index``: its members may be proposed again next run,
        but never in this same group (until :meth:`undrop`)."""
        group = self.groups.pop(index)
        group.kept = False
        self.dropped.append(group)
        for person in group.members:
            self.unplaced[person] = _by_coordinator(CoordinatorReason.DROPPED)
        return True

    def undrop(self, index: int) -> bool:
        """Undo the drop of ``dropped[index]``.

        The group is a proposal again at once when all its members are still
        unplaced and not left out; otherwise the next run may propose it.
        """
        if not 0 <= index < len(self.dropped):
            return False
        group = self.dropped.pop(index)
        free = set(self.unplaced) - set(self.excluded)
        if group.members and set(group.members) <= free:
            self.groups.append(group)
            for person in group.members:
                del self.unplaced[person]
        return True

    def toggle_keep(self, index: int) -> bool:
        """Keep group ``index`` as it is when running again, or stop keeping it."""
        self.groups[index].kept = not self.groups[index].kept
        return True

    def remove_created(self, indices) -> None:
        """Groups ``indices`` were created: they and their members leave."""
        created = set(indices)
        for index in created:
            for person in self.groups[index].members:
                self.unplaced.pop(person, None)
        self.groups = [
            group for index, group in enumerate(self.groups) if index not in created
        ]

    def forget(self, ids) -> bool:
        """Take deleted registrations' ids out of every part of the proposal."""
        gone = set(ids)
        changed = False
        for group in self.groups + self.dropped:
            members = [pk for pk in group.members if pk not in gone]
            if members != group.members:
                group.members = members
                changed = True
        self.dropped = [group for group in self.dropped if group.members]
        for pk in gone & set(self.unplaced):
            del self.unplaced[pk]
            changed = True
        excluded = [pk for pk in self.excluded if pk not in gone]
        if excluded != self.excluded:
            self.excluded = excluded
            changed = True
        return changed


class MatchingRun(PageScopedModel):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    #: :meth:`Proposal.to_json`; read and write it with :meth:`get_proposal`
    #: and :meth:`set_proposal`.
    proposal = models.JSONField(default=dict)
    #: Registration ids the coordinator left out of this run
    #: (:attr:`Proposal.excluded`).
    excluded = models.JSONField(default=list)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Matching run %(number)s") % {"number": self.pk or "–"}

    def get_proposal(self) -> Proposal:
        """The stored proposal as a :class:`Proposal` (a copy: edit, then set)."""
        return Proposal.from_json(self.proposal, excluded=self.excluded)

    def set_proposal(self, proposal: Proposal) -> None:
        """Store ``proposal`` in the run's fields; the caller saves."""
        self.proposal = proposal.to_json()
        self.excluded = list(proposal.excluded)
