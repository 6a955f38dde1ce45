"""Small counts stay hidden: no total, complement or difference the
statistics show gives a count below 5 back (issue 17 item 5), and the
yearly totals appear where they reveal nothing (issue 18 item 12).

The check tries every subtraction the report allows at once: each identity
between the numbers shown (a total is the sum of its parts) is an equation,
and a hidden count is given away exactly when its unit vector lies in the
span of those equations over the hidden counts (Gaussian elimination with
fractions). A single subtraction is the case of one equation.
"""

import datetime
from collections import defaultdict
from fractions import Fraction

import pytest
from django.urls import reverse

from wagtail_selvhjelp.choices import GroupEndReason, LeaveReason, Outcome
from wagtail_selvhjelp.models import GroupLifeStatistic, RegistrationStatistic
from wagtail_selvhjelp.views.reports import suppress


pytestmark = pytest.mark.django_db


def rank(rows):
    rows = [list(row) for row in rows]
    rank = 0
    columns = len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [
                    a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)
                ]
        rank += 1
    return rank


def given_away(shown, identities):
    """The hidden cells that the identities give back exactly.

    ``shown`` maps a cell to its text; a cell is known when its text is a
    number. ``identities`` are ``(total, parts)``.
    """
    hidden = sorted({c for c, text in shown.items() if not text.isdigit()}, key=repr)
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for total, parts in identities:
        row = [Fraction(0)] * len(hidden)
        for cell, sign in [(total, 1), *((part, -1) for part in parts)]:
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            equations.append(row)
    base = rank(equations)
    found = []
    for cell, i in index.items():
        unit = [Fraction(0)] * len(hidden)
        unit[i] = Fraction(1)
        if rank([*equations, unit]) == base:
            found.append(cell)
    return found


def test_a_total_is_hidden_when_a_part_is():
    values = {"all": 7, "themed": 5, "mixed": 2}
    shown = suppress(values, [("all", ["themed", "mixed"])])
    assert shown == {"all": ":", "themed": "5", "mixed": "< 5"}
    # Before: 7 − 5 gave the 2 back.
    assert given_away(shown, [("all", ["themed", "mixed"])]) == []
    # A total of parts all 0 or at least 5 is shown.
    values = {"all": 12, "themed": 7, "mixed": 5, "any": 0}
    shown = suppress(values, [("all", ["themed", "mixed", "any"])])
    assert shown["all"] == "12"


def test_the_checker_finds_what_a_careless_report_would_give_away():
    shown = {"all": "7", "themed": "5", "mixed": "< 5"}
    assert given_away(shown, [("all", ["themed", "mixed"])]) == ["mixed"]


def stored(page, month, dimension, key, outcome, count):
    RegistrationStatistic.objects.create(
        month=month,
        page_id=page.pk,
        page_title=page.title,
        dimension=dimension,
        key=key,
        label=key,
        outcome=outcome,
        count=count,
    )


def report_rows(client, dimension):
    url = reverse("wagtail_selvhjelp_statistics:index")
    response = client.get(url, {"dimension": dimension} if dimension else {})
    assert response.status_code == 200
    return list(response.context["object_list"])


KINDS = ["themed", "mixed", "any"]

#: (month, kind): count of "waiting", in a year with small cells here and there.
MONTHS = {
    (datetime.date(2025, 1, 1), "themed"): 5,
    (datetime.date(2025, 1, 1), "mixed"): 2,  # 7 − 5 gave this back before
    (datetime.date(2025, 2, 1), "themed"): 6,
    (datetime.date(2025, 2, 1), "mixed"): 5,
    (datetime.date(2025, 2, 1), "any"): 9,
    (datetime.date(2025, 3, 1), "any"): 3,
    (datetime.date(2024, 5, 1), "themed"): 8,
    (datetime.date(2024, 5, 1), "any"): 5,
}


def test_no_subtraction_of_the_registration_statistics_gives_a_small_count_back(
    client, coordinator_a, page_a
):
    totals = defaultdict(int)
    for (month, kind), count in MONTHS.items():
        stored(page_a, month, "group_kind", kind, "waiting", count)
        totals[month] += count
    for month, count in totals.items():
        stored(page_a, month, "total", "", "waiting", count)
    client.force_login(coordinator_a)

    shown, identities = {}, []
    rows = {
        dimension: report_rows(client, dimension)
        for dimension in ("total", "group_kind")
    }
    for dimension, listed in rows.items():
        for row in listed:
            for outcome in Outcome.values:
                cell = (dimension, row.month_label, row.key, outcome)
                shown[cell] = getattr(row, outcome).replace(" ", "")
                # What is shown as a number is the true count.
                if shown[cell].isdigit():
                    assert int(shown[cell]) == row.counts[outcome]
    # Every identity between the rows: a period's total is the sum of its
    # kinds; a year's row is the sum of its months, for every value.
    period_of = {}
    for dimension, listed in rows.items():
        for row in listed:
            period_of[(dimension, row.month_label, row.key)] = row
    for (dimension, label, key), row in period_of.items():
        for outcome in Outcome.values:
            if dimension == "total":
                identities.append(
                    (
                        ("total", label, key, outcome),
                        [
                            ("group_kind", label, kind, outcome)
                            for kind in KINDS
                            if ("group_kind", label, kind) in period_of
                        ],
                    )
                )
            if row.year is not None:
                identities.append(
                    (
                        (dimension, label, key, outcome),
                        [
                            (dimension, other.month_label, key, outcome)
                            for other in rows[dimension]
                            if other.year is None
                            and other.key == key
                            and other.month.year == row.year
                        ],
                    )
                )
    assert given_away(shown, identities) == []
    # The small counts are hidden, their month's total too.
    january = {row.key: row for row in rows["group_kind"] if row.month.month == 1}
    assert january["mixed"].waiting == "< 5" and january["themed"].waiting == "5"
    (january_total,) = [
        r for r in rows["total"] if r.year is None and r.month.month == 1
    ]
    assert january_total.waiting == ":"
    # Totals per year where they reveal nothing: 2024 has only safe parts.
    (year_2024,) = [r for r in rows["total"] if r.year == 2024]
    assert year_2024.waiting == "13"
    (year_2025,) = [r for r in rows["total"] if r.year == 2025]
    assert year_2025.waiting == ":"


def test_a_spreadsheet_export_carries_the_same_suppression(
    client, coordinator_a, page_a
):
    month = datetime.date(2025, 1, 1)
    stored(page_a, month, "group_kind", "themed", "waiting", 5)
    stored(page_a, month, "group_kind", "mixed", "waiting", 2)
    stored(page_a, month, "total", "", "waiting", 7)
    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_statistics:index")
    response = client.get(url, {"export": "csv"})
    csv = b"".join(response.streaming_content).decode()
    lines = [line for line in csv.splitlines() if "2025" in line]
    assert lines, csv
    assert not any(",7," in line for line in lines)
    assert any(",:," in line for line in lines)


def group_stat(page, measure, key, count, year=2025):
    GroupLifeStatistic.objects.create(
        year=year,
        page_id=page.pk,
        page_title=page.title,
        measure=measure,
        key=key,
        count=count,
    )


def test_no_subtraction_of_the_group_statistics_gives_a_small_count_back(
    admin_client, page_a, page_b
):
    group_stat(page_a, "started", "", 6)
    group_stat(page_a, "ended", "decided", 5)
    group_stat(page_a, "ended", "too_few", 2)
    group_stat(page_a, "departed", "own_wish", 6)
    group_stat(page_a, "departed", "not_suited", 5)
    group_stat(page_b, "started", "", 3)
    group_stat(page_b, "ended", "decided", 5)
    group_stat(page_b, "departed", "own_wish", 1)
    group_stat(page_a, "follow_up", "yes", 7)
    group_stat(page_a, "follow_up", "no", 5)
    group_stat(page_b, "follow_up", "yes", 5)
    group_stat(page_b, "follow_up", "unsure", 2)
    for days, count in ((10, 3), (40, 2), (90, 1)):
        group_stat(page_a, "days_to_group", str(days), count)
    group_stat(page_b, "days_to_group", "20", 2)

    response = admin_client.get(reverse("wagtail_selvhjelp_statistics:groups"))
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [row.page_id for row in rows][-1] is None  # all pages, last
    assert {row.page_id for row in rows} == {page_a.pk, page_b.pk, None}

    parts = {
        "ended": ["ended_", *(f"ended_{k}" for k in GroupEndReason.values)],
        "departed": ["departed_", *(f"departed_{k}" for k in LeaveReason.values)],
    }
    shown, identities = {}, []
    names = ["started", *parts, *(n for p in parts.values() for n in p)]
    for row in rows:
        for name in names:
            shown[(row.page_id, name)] = getattr(row, name)
        shown[(row.page_id, "meets_yes")] = row.shown["meets_yes"]
        shown[(row.page_id, "meets_other")] = row.shown["meets_other"]
        for total, items in parts.items():
            identities.append(
                ((row.page_id, total), [(row.page_id, item) for item in items])
            )
    page_ids = [row.page_id for row in rows if row.page_id is not None]
    for name in [*names, "meets_yes", "meets_other"]:
        identities.append(((None, name), [(page, name) for page in page_ids]))
    assert given_away(shown, identities) == []

    by_page = {row.page_id: row for row in rows}
    assert by_page[page_a.pk].ended == ":" and by_page[page_a.pk].ended_too_few == "< 5"
    assert by_page[page_a.pk].departed == "11"
    assert by_page[page_b.pk].started == "< 5"
    assert by_page[None].started == ":"  # 6 + 3: would give page B's 3 back
    # The share still meeting, only where yes and the rest are both shown.
    assert by_page[page_a.pk].still_meeting == "58 %"
    assert by_page[page_b.pk].still_meeting == ":"
    # The median from 5 placements up.
    assert by_page[page_a.pk].median_days == "25"  # 10 10 10 40 40 90
    assert by_page[page_b.pk].median_days == ":"


def test_a_coordinator_sees_only_their_pages_group_counts(
    client, coordinator_b, page_a, page_b
):
    group_stat(page_a, "started", "", 9)
    client.force_login(coordinator_b)
    response = client.get(reverse("wagtail_selvhjelp_statistics:groups"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
