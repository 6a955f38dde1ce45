"""Reason texts never contradict themselves (issue 18, item 7).

Seen on the demo: "nobody else can … all of them are already in other
groups" and "2 others … 0 of them are in other groups". Property tests over
every code and every count, in English, bokmål and nynorsk: a count of zero
is never written as a number, and a sentence about "them" never follows one
that says there is nobody.
"""

import re

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import UnplacedReason
from wagtail_selvhjelp.reason_texts import RENDERERS, describe_reason


SHAPE = {"place": "Gol", "slot": "kveld", "topic": None, "gender": None}
COUNTS = st.integers(min_value=0, max_value=12)
LANGUAGES = ("en", "nb", "nn")
#: "Of them" in each language: a sentence about people already counted.
ABOUT_THEM = re.compile(
    r"\b(of them|all of them|none of them|that person|av dei|av dem|alle|ingen av)\b",
    re.IGNORECASE,
)


@st.composite
def params(draw):
    others = draw(COUNTS)
    free = draw(st.integers(min_value=0, max_value=others))
    close = draw(st.integers(min_value=0, max_value=others))
    return {
        **SHAPE,
        "others": others,
        "free": free,
        "close_in_age": close,
        "groups": draw(st.integers(min_value=1, max_value=6)),
        "min_size": draw(st.integers(min_value=2, max_value=8)),
        "max_size": draw(st.integers(min_value=2, max_value=8)),
        "max_age_span": draw(st.integers(min_value=1, max_value=40)),
    }


def render(code, values, language):
    with translation.override(language):
        return describe_reason(
            UnplacedReason(code=code, message="fallback", params=values)
        )


@given(code=st.sampled_from(sorted(RENDERERS)), values=params())
def test_no_zero_is_written_and_nobody_is_not_followed_by_them(code, values):
    for language in LANGUAGES:
        text = render(code, values, language)
        assert text != "fallback", (code, values, language)
        assert not re.search(r"(?<![\d.,])0(?![\d.,])", text), (code, values, text)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
        nobody = values["others"] == 0 and code in ("taken", "age_span", "too_few")
        if nobody:
            later = " ".join(sentences[1:])
            assert not ABOUT_THEM.search(later), (code, values, language, text)


def test_the_two_seen_on_the_demo():
    with translation.override("en"):
        nobody = render("taken", {**SHAPE, "others": 0, "free": 0, "min_size": 4}, "en")
        two = render("taken", {**SHAPE, "others": 2, "free": 2, "min_size": 4}, "en")
    assert "All of them" not in nobody
    assert "0 of them" not in two
