"""Why a registrant was left out, in the coordinator's language.

The matching engine (:mod:`wagtail_selvhjelp.matching`) knows no Django, so it
cannot translate. Every :class:`~wagtail_selvhjelp.matching.UnplacedReason` it
returns carries a stable ``code``, the facts behind it in ``params`` (place,
slot, topic, gender, counts, size and age limits) and an English ``message``.

This module renders a reason **from its code and params only**, through
``gettext``/``ngettext`` with named placeholders, so the text is in the active
language (bokmål or nynorsk) and every count reads right, 1 as well as several.
A message built in English by the engine could not be translated: its numbers
and names are already baked into the sentence.

The English ``message`` is only the fallback: when the code is unknown (a
newer engine than this module) or a param a sentence needs is missing or of the
wrong type, :func:`describe_reason` returns ``str(reason)`` instead of raising,
so the coordinator always sees something true.

:data:`RENDERERS` maps every code the engine produces (they are listed in
:mod:`wagtail_selvhjelp.matching.reasons`) to the function that renders it; the
tests check that no code the engine can return is missing from it.
:data:`COORDINATOR_RENDERERS` does the same for the codes a coordinator's
edits store beside them (:class:`~wagtail_selvhjelp.choices.CoordinatorReason`),
so :func:`describe_reason` renders any entry of a run's ``unplaced``.

Place, slot and topic are names the editors typed on the registration page and
are inserted as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext, ngettext

from .choices import CoordinatorReason, Gender
from .matching import UnplacedReason


class _CannotRender(Exception):
    """A param the sentence needs is missing: use the engine's message."""


def _need(params: Mapping[str, Any], key: str) -> Any:
    value = params.get(key)
    if value is None:
        raise _CannotRender(key)
    return value


def _count(params: Mapping[str, Any], key: str) -> int:
    value = _need(params, key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _CannotRender(key)
    return value


# -- the shape of a group -------------------------------------------------


def _gender_phrases() -> dict[str, str]:
    return {
        Gender.WOMAN.value: gettext("%(shape)s, for women only"),
        Gender.MAN.value: gettext("%(shape)s, for men only"),
        Gender.OTHER.value: gettext(
            "%(shape)s, for non-binary people and other genders only"
        ),
    }


def describe_shape(
    place: str, slot: str, topic: str | None = None, gender: str | None = None
) -> str:
    """A group's place, slot, topic and gender as words in the active language,
    e.g. ``in Gol (weekday evening) in a group on “anxiety”, for women only``.

    ``topic=None`` is a mixed group and ``gender=None`` a group open to every
    gender. A gender that is not one of :class:`~wagtail_selvhjelp.choices.Gender`
    is inserted as it is.
    """
    if topic is None:
        text = gettext("in %(place)s (%(slot)s) in a mixed group") % {
            "place": place,
            "slot": slot,
        }
    else:
        text = gettext("in %(place)s (%(slot)s) in a group on “%(topic)s”") % {
            "place": place,
            "slot": slot,
            "topic": topic,
        }
    return _for_gender(text, gender)


def describe_group(
    place: str, slot: str, topic: str | None = None, gender: str | None = None
) -> str:
    """A group in a few words, for a heading or a new group's name, e.g.
    ``Gol, weekday evening, anxiety, for women only`` or ``Gol, evening, mixed``.

    ``topic=None`` is a mixed group and ``gender=None`` a group open to every
    gender, as in :func:`describe_shape`.
    """
    return _for_gender(", ".join([place, slot, topic or gettext("mixed")]), gender)


def _for_gender(text: str, gender: str | None) -> str:
    if gender is None:
        return text
    template = _gender_phrases().get(gender)
    if template is None:
        return gettext("%(shape)s, for “%(gender)s” only") % {
            "shape": text,
            "gender": gender,
        }
    return template % {"shape": text}


def _shape(params: Mapping[str, Any]) -> str:
    return describe_shape(
        _need(params, "place"),
        _need(params, "slot"),
        params.get("topic"),
        params.get("gender"),
    )


# -- sentences shared by several codes ------------------------------------


def _needs_at_least(params: Mapping[str, Any]) -> str:
    count = _count(params, "min_size")
    return ngettext(
        "A group needs at least %(count)d member.",
        "A group needs at least %(count)d members.",
        count,
    ) % {"count": count}


def _can_meet(count: int, shape: str) -> str:
    if count == 0:
        return gettext("No one else can meet %(shape)s.") % {"shape": shape}
    return ngettext(
        "%(count)d other person can meet %(shape)s.",
        "%(count)d others can meet %(shape)s.",
        count,
    ) % {"count": count, "shape": shape}


def _years(count: int) -> str:
    return ngettext("%(count)d year", "%(count)d years", count) % {"count": count}


def _sentences(*sentences: str) -> str:
    return " ".join(sentences)


# -- one renderer per code ------------------------------------------------


def _gender_missing(params: Mapping[str, Any]) -> str:
    return gettext(
        "Asked for a group for one gender only, but did not give their gender."
    )


def _topic_missing(params: Mapping[str, Any]) -> str:
    return gettext("Asked for a group on one topic, but chose no topic.")


def _too_few(params: Mapping[str, Any]) -> str:
    if "place" not in params:
        # The engine's variant for someone who fits no group at all.
        return _sentences(
            gettext("No one else can meet at any of the places and times they chose."),
            _needs_at_least(params),
        )
    others = _count(params, "others")
    shape = _shape(params)
    if others == 0:
        first = _can_meet(0, shape)
    else:
        first = ngettext(
            "Only %(count)d other person can meet %(shape)s.",
            "Only %(count)d others can meet %(shape)s.",
            others,
        ) % {"count": others, "shape": shape}
    return _sentences(first, _needs_at_least(params))


def _avoid(params: Mapping[str, Any]) -> str:
    return gettext(
        "Could only be placed %(shape)s, together with someone they must not be "
        "in a group with."
    ) % {"shape": _shape(params)}


def _age_span(params: Mapping[str, Any]) -> str:
    years = _years(_count(params, "max_age_span"))
    shape = _shape(params)
    if "others" not in params:
        # The engine's variant for a group with room that they otherwise fit.
        return gettext(
            "There is room for them %(shape)s, but one member of that group is "
            "more than %(years)s older or younger than them."
        ) % {"shape": shape, "years": years}
    others = _count(params, "others")
    close = min(_count(params, "close_in_age"), others)
    if others == 0:
        # Nobody to be close in age to: no sentence about "them".
        return _sentences(_can_meet(0, shape), _needs_at_least(params))
    if close == 0:
        second = ngettext(
            "That person is not close enough in age (at most %(years)s apart).",
            "None of them is close enough in age (at most %(years)s apart).",
            others,
        ) % {"years": years}
    else:
        second = ngettext(
            "Only %(count)d of them is close enough in age (at most %(years)s apart).",
            "Only %(count)d of them are close enough in age (at most %(years)s apart).",
            close,
        ) % {"count": close, "years": years}
    return _sentences(_can_meet(others, shape), second, _needs_at_least(params))


def _taken(params: Mapping[str, Any]) -> str:
    others = _count(params, "others")
    taken = max(0, others - _count(params, "free"))
    if others == 0 or taken == 0:
        # Nobody to speak of, or nobody taken: a sentence about "them"
        # would contradict the first.
        return _sentences(_can_meet(others, _shape(params)), _needs_at_least(params))
    if taken == others:
        second = ngettext(
            "That person is already in another group.",
            "All of them are already in other groups.",
            others,
        )
    else:
        second = ngettext(
            "%(count)d of them is already in another group.",
            "%(count)d of them are already in other groups.",
            taken,
        ) % {"count": taken}
    return _sentences(
        _can_meet(others, _shape(params)), second, _needs_at_least(params)
    )


def _groups_full(params: Mapping[str, Any]) -> str:
    groups = _count(params, "groups")
    max_size = _count(params, "max_size")
    first = ngettext(
        "The only group that fits them, the one %(shape)s, is full.",
        "All %(count)d groups that fit them are full, for example the one %(shape)s.",
        groups,
    ) % {"count": groups, "shape": _shape(params)}
    second = ngettext(
        "A group can have at most %(count)d member.",
        "A group can have at most %(count)d members.",
        max_size,
    ) % {"count": max_size}
    return _sentences(first, second)


def _no_valid_group(params: Mapping[str, Any]) -> str:
    shape = _shape(params)
    if "free" not in params:
        # The engine's variant for a group with room that they fit.
        return gettext(
            "There is room for them %(shape)s, but they cannot join without "
            "breaking a rule."
        ) % {"shape": shape}
    free = _count(params, "free")
    if free == 0:
        first = gettext("No one else who can meet %(shape)s is still waiting.") % {
            "shape": shape
        }
    else:
        first = ngettext(
            "%(count)d other person who can meet %(shape)s is still waiting.",
            "%(count)d others who can meet %(shape)s are still waiting.",
            free,
        ) % {"count": free, "shape": shape}
    return _sentences(
        first,
        gettext(
            "Differences in age or people who must not be in a group together "
            "rule out a group with them."
        ),
        _needs_at_least(params),
    )


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "gender_missing": _gender_missing,
    "topic_missing": _topic_missing,
    "too_few": _too_few,
    "age_span": _age_span,
    "avoid": _avoid,
    "taken": _taken,
    "groups_full": _groups_full,
    "no_valid_group": _no_valid_group,
}
"""Every reason code the engine produces, mapped to its renderer."""


def _left_out(params: Mapping[str, Any]) -> str:
    return gettext("You left them out of this run.")


def _dropped(params: Mapping[str, Any]) -> str:
    return gettext(
        "You dropped their proposal; running again proposes them in other "
        "groups, never in that one, unless you undo the drop."
    )


def _archived(params: Mapping[str, Any]) -> str:
    return gettext(
        "Every place or every time slot they chose is archived. Ask them what "
        "suits them now and change their registration."
    )


def _not_contacted(params: Mapping[str, Any]) -> str:
    return gettext(
        "Not contacted yet: this page proposes only people who have had the "
        "first contact."
    )


COORDINATOR_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    CoordinatorReason.LEFT_OUT: _left_out,
    CoordinatorReason.DROPPED: _dropped,
    CoordinatorReason.ARCHIVED: _archived,
    CoordinatorReason.NOT_CONTACTED: _not_contacted,
}
"""Every code of the coordinator's own edits, mapped to its renderer."""


def describe_reason(reason: UnplacedReason) -> str:
    """The sentence a coordinator reads for ``reason``, in the active language.

    ``reason`` is the engine's or one of a stored run's (its code may then be
    a :class:`~wagtail_selvhjelp.choices.CoordinatorReason`). Built from
    ``reason.code`` and ``reason.params`` only. Falls back to the engine's
    English message (``str(reason)``) when the code is unknown or a param the
    sentence needs is missing or not of the expected type.
    """
    render = RENDERERS.get(reason.code) or COORDINATOR_RENDERERS.get(reason.code)
    if render is None:
        return str(reason)
    try:
        return render(reason.params)
    except _CannotRender:
        return str(reason)


# -- why one person does not fit one group ---------------------------------


def describe_misfit(rule: str, *, mixed_group: bool, max_age_span=None) -> str:
    """What a broken rule of the engine's ``check_proposal`` means for one
    person and one group, in the active language.

    ``rule`` is a :class:`~wagtail_selvhjelp.matching.Violation`'s code (see
    ``FIT_RULES``, plus ``avoid`` and ``age``); ``mixed_group`` tells which
    way a ``kind`` rule was broken. Each sentence names the rule (place,
    time, kind, topic, gender, age, avoid) so the coordinator knows what to
    weigh before placing someone anyway.
    """
    if rule == "kind":
        if mixed_group:
            return gettext("They asked for a group on one topic.")
        return gettext("They asked for a mixed group.")
    if rule == "age":
        return gettext(
            "The age difference to another member is more than %(span)s years."
        ) % {"span": max_age_span}
    texts = {
        "place": gettext("They cannot attend at this place."),
        "slot": gettext("They cannot attend at this time."),
        "topic": gettext("They did not choose this group's topic."),
        "gender": gettext("The group is for another gender."),
        "single_gender": gettext("They asked for a single-gender group."),
        "avoid": gettext("A member is someone they must not share a group with."),
    }
    return texts.get(rule, gettext("They do not fit the group's rules."))
