"""Signed links on their own, without a page, a form or a database."""

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import signing

from wagtail_selvhjelp.tokens import (
    MAX_NUMBER,
    MAX_TOKEN_LENGTH,
    Link,
    SignedLink,
    created_at_version,
)


LINK = SignedLink("tests.tokens", max_age=timedelta(days=1))

#: Wagtail serves only path segments of these (and "/" between them).
PATH_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/")


def later(seconds):
    """Django's signer, and everything else, ``seconds`` from now."""
    now = time.time()
    return mock.patch("django.core.signing.time.time", lambda: now + seconds)


class Rows:
    """The part of a queryset that ``get_object`` uses: filter(pk=…).first()."""

    def __init__(self, *objects):
        self.objects = {obj.pk: obj for obj in objects}

    def filter(self, pk):
        return SimpleNamespace(first=lambda: self.objects.get(pk))


def row(pk, created):
    return SimpleNamespace(pk=pk, created_at=created)


def test_a_token_reads_back_what_it_was_made_of():
    link = LINK.read(LINK.make(42, 1700000000))
    assert isinstance(link, Link)
    assert (link.pk, link.version) == (42, 1700000000)
    assert abs(link.signed_at - time.time()) < 5
    assert 0 <= link.age_seconds < 5
    assert LINK.read(LINK.make(7, "a-nonce")).version == "a-nonce"


def test_a_token_is_safe_in_a_wagtail_route():
    token = LINK.make(MAX_NUMBER, "x" * 40)
    assert set(token) <= PATH_SAFE
    assert ":" not in token
    # Routes may hand it over with its slashes around it.
    assert LINK.read(f"/{token}/").pk == MAX_NUMBER


def test_tokens_made_before_this_module_still_open():
    """A link sent by e-mail before the module existed: same format, same salt."""
    old = signing.dumps([5, 1700000000], salt="tests.tokens").replace(":", "/")
    assert LINK.read(old)[:2] == (5, 1700000000)


def test_a_token_of_another_purpose_reads_as_none():
    other = SignedLink("tests.other", max_age=timedelta(days=1))
    assert other.read(LINK.make(1, 1)) is None
    assert LINK.read(signing.dumps([1, 1]).replace(":", "/")) is None


def test_an_expired_token_reads_as_none():
    token = LINK.make(1, 1)
    with later(86400 - 60):
        assert LINK.read(token) is not None
    with later(86400 + 1):
        assert LINK.read(token) is None


def test_max_age_is_read_at_each_use():
    days = {"value": 1}
    link = SignedLink("tests.tokens", max_age=lambda: timedelta(days=days["value"]))
    token = link.make(1, 1)
    with later(2 * 86400):
        assert link.read(token) is None
        days["value"] = 3
        assert link.read(token) is not None
    assert SignedLink("tests.tokens", max_age=60).max_age == 60


def test_a_tampered_token_reads_as_none():
    token = LINK.make(1, 1)
    for position in range(len(token)):
        if token[position] == "/":
            continue
        swapped = "A" if token[position] != "A" else "B"
        assert LINK.read(token[:position] + swapped + token[position + 1 :]) is None


def test_a_signed_payload_of_another_shape_reads_as_none():
    for payload in [
        [1],
        [1, 2, 3],
        {"pk": 1, "version": 2},
        "1",
        [True, 1],
        [1, 1.5],
        [1, None],
        [-1, 1],
        [MAX_NUMBER + 1, 1],
        [1, [2]],
    ]:
        token = signing.dumps(payload, salt="tests.tokens").replace(":", "/")
        assert LINK.read(token) is None, payload


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "/",
        "1",
        "1/2/3",
        "a:b:c",
        "x" * 5000,
        "x" * (MAX_TOKEN_LENGTH + 1),
        "\x00\x00",
        "ÆØÅ/æøå/١٢٣",
        "eyJhIjoxfQ/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/abc",
        "." + "A" * 40 + "/1/abc",
        "9" * 400,
        "\ud800",
        12,
        b"bytes",
        ["list"],
    ],
)
def test_hostile_tokens_read_as_none_and_never_raise(token):
    assert LINK.read(token) is None
    assert LINK.get_object(token, Rows(row(1, datetime.now(UTC)))) is None


def test_make_refuses_what_a_link_cannot_hold():
    for pk, version in [("1", 1), (1.0, 1), (True, 1), (-1, 1), (1, None), (1, 1.5)]:
        with pytest.raises(ValueError):
            LINK.make(pk, version)


def test_a_link_opens_its_object_while_it_has_the_same_version():
    created = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    obj = row(3, created)
    token = LINK.make_for(obj)
    assert LINK.read(token).version == created_at_version(obj)
    assert LINK.get_object(token, Rows(obj)) is obj


def test_a_deleted_object_and_a_reused_id_do_not_open():
    created = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    token = LINK.make_for(row(3, created))
    assert LINK.get_object(token, Rows()) is None
    # SQLite gave the deleted row's id to a new row: a different version.
    reused = row(3, created + timedelta(seconds=1))
    assert LINK.get_object(token, Rows(reused)) is None


def test_changing_the_version_revokes_every_link_made_before():
    answered = SimpleNamespace(pk=9, state="offered")
    link = SignedLink(
        "tests.tokens.answer",
        max_age=timedelta(days=14),
        version_of=lambda obj: obj.state,
    )
    first, second = link.make_for(answered), link.make_for(answered)
    assert link.get_object(first, Rows(answered)) is answered
    answered.state = "accepted"
    assert link.get_object(first, Rows(answered)) is None
    assert link.get_object(second, Rows(answered)) is None
    assert link.get_object(link.make_for(answered), Rows(answered)) is answered
