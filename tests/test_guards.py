"""The spam and flood guards on their own, without a page or a form."""

import hashlib
import time

import pytest
from django.core import signing
from django.core.checks import run_checks
from django.test import RequestFactory

from wagtail_selvhjelp import checks, guards


@pytest.fixture
def rf():
    return RequestFactory()


def test_a_token_reads_back_for_its_scope_only():
    token = guards.make_form_token(7)
    read = guards.read_form_token(token, 7)
    assert read is not None
    assert len(read.nonce) >= 32
    assert 0 <= read.age_seconds < 5
    assert guards.read_form_token(token, 8) is None


def test_a_page_not_saved_yet_gets_an_empty_token():
    """The editor's preview of a new page renders its form before it has an id."""
    assert guards.make_form_token(None) == ""
    assert guards.read_form_token("", None) is None


def test_every_token_has_its_own_nonce():
    assert (
        guards.read_form_token(guards.make_form_token(1), 1).nonce
        != guards.read_form_token(guards.make_form_token(1), 1).nonce
    )


@pytest.mark.parametrize("value", [None, "", "garbage", "a:b:c", "x" * 5000])
def test_missing_or_garbage_tokens_read_as_none(value):
    assert guards.read_form_token(value, 1) is None


def test_a_tampered_token_reads_as_none():
    token = guards.make_form_token(1)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert guards.read_form_token(tampered, 1) is None


def test_a_token_signed_with_another_salt_reads_as_none():
    forged = signing.dumps([1, "nonce"]).replace(":", "/")
    assert guards.read_form_token(forged, 1) is None


def test_a_token_with_wrong_types_reads_as_none():
    for payload in [
        ["not", "a", "pair"],
        {"n": "nonce", "t": int(time.time()), "p": 1},
        [1, 5],
        ["1", "nonce"],
    ]:
        forged = signing.dumps(payload, salt=guards.FORM_TOKEN.salt)
        assert guards.read_form_token(forged, 1) is None


def test_an_expired_token_reads_as_none(settings, monkeypatch):
    settings.WAGTAIL_SELVHJELP = {"FORM_MAX_AGE_HOURS": 1}
    token = guards.make_form_token(1)
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    assert guards.read_form_token(token, 1) is None


def test_filled_too_fast(settings):
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 3}
    assert guards.filled_too_fast(guards.FormToken("n", 1.0))
    assert not guards.filled_too_fast(guards.FormToken("n", 3.0))


def test_honeypot():
    assert guards.honeypot_filled({"website": "http://spam"}, "website")
    assert not guards.honeypot_filled({"website": ""}, "website")
    assert not guards.honeypot_filled({}, "website")


def test_rate_limit_counts_per_client_and_scope(rf, settings):
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOUR": 2}
    first = rf.post("/", REMOTE_ADDR="192.0.2.1")
    second = rf.post("/", REMOTE_ADDR="192.0.2.2")
    limit = guards.RateLimit(1)
    assert not limit.is_exceeded(first)
    limit.count(first)
    limit.count(first)
    assert limit.is_exceeded(first)
    assert not limit.is_exceeded(second)
    assert not guards.RateLimit(2).is_exceeded(first)


def test_rate_limit_keys_hold_no_address(rf):
    key = guards.RateLimit(1).key(rf.post("/", REMOTE_ADDR="192.0.2.1"))
    assert "192.0.2.1" not in key


def test_rate_limit_keys_need_the_secret_and_hold_no_scope(rf, settings):
    request = rf.post("/", REMOTE_ADDR="192.0.2.1")
    limit = guards.RateLimit("self-service:7")
    key = limit.key(request)
    assert "self-service" not in key and ":7" not in key
    # Hashing every address with the scope, without the secret, finds nothing.
    unkeyed = hashlib.sha256(b"self-service:7:192.0.2.1").hexdigest()
    assert unkeyed[:32] not in key and unkeyed not in key
    settings.SECRET_KEY = "another-secret-for-another-site"
    assert limit.key(request) != key


def test_client_address_behind_a_proxy(rf, settings):
    settings.WAGTAIL_SELVHJELP = {
        "CLIENT_IP_META": "HTTP_X_FORWARDED_FOR",
        "TRUSTED_PROXY_HOPS": 2,
    }
    request = rf.post(
        "/", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1", REMOTE_ADDR="10.0.0.2"
    )
    assert guards.client_address(request) == "198.51.100.7"
    # Not through the proxies: the peer's own address.
    assert guards.client_address(rf.post("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_only_the_entries_the_trusted_proxies_appended_count(rf, settings):
    settings.WAGTAIL_SELVHJELP = {"CLIENT_IP_META": "HTTP_X_FORWARDED_FOR"}
    forged = rf.post(
        "/", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.7", REMOTE_ADDR="10.0.0.1"
    )
    assert guards.client_address(forged) == "198.51.100.7"
    settings.WAGTAIL_SELVHJELP = {
        "CLIENT_IP_META": "HTTP_X_FORWARDED_FOR",
        "TRUSTED_PROXY_HOPS": 2,
    }
    # Two proxies, but only one entry: it did not come through both.
    one_entry = rf.post("/", HTTP_X_FORWARDED_FOR="192.0.2.66", REMOTE_ADDR="10.0.0.1")
    assert guards.client_address(one_entry) == "10.0.0.1"


@pytest.mark.parametrize("value", ["not-an-address", "1" * 20, "<script>", ""])
def test_a_header_entry_that_is_no_address_counts_as_the_peer(rf, settings, value):
    settings.WAGTAIL_SELVHJELP = {"CLIENT_IP_META": "HTTP_X_REAL_IP"}
    request = rf.post("/", HTTP_X_REAL_IP=value, REMOTE_ADDR="10.0.0.1")
    assert guards.client_address(request) == "10.0.0.1"


@pytest.mark.parametrize("hops", [0, -1, "1", None])
def test_a_wrong_number_of_hops_never_trusts_the_clients_entry(rf, settings, hops):
    settings.WAGTAIL_SELVHJELP = {
        "CLIENT_IP_META": "HTTP_X_FORWARDED_FOR",
        "TRUSTED_PROXY_HOPS": hops,
    }
    request = rf.post(
        "/", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.7", REMOTE_ADDR="10.0.0.1"
    )
    assert guards.client_address(request) == "10.0.0.1"
    assert [message.id for message in checks.check_trusted_proxy_hops()] == [
        "wagtail_selvhjelp.E021"
    ]


def test_the_deploy_check_warns_behind_a_proxy_without_a_client_header(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.WAGTAIL_SELVHJELP = {}
    found = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W020" in found
    settings.WAGTAIL_SELVHJELP = {"CLIENT_IP_META": "HTTP_X_FORWARDED_FOR"}
    found = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W020" not in found
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.WAGTAIL_SELVHJELP = {}
    found = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W020" not in found


def test_rate_limit_survives_an_expired_counter(rf, settings):
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOUR": 1}
    request = rf.post("/", REMOTE_ADDR="192.0.2.9")
    limit = guards.RateLimit(1)
    limit.count(request)
    limit.cache.delete(limit.key(request))  # expired meanwhile
    limit.count(request)
    assert limit.is_exceeded(request)
