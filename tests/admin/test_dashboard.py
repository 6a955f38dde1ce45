"""The dashboard shows each coordinator their own pages only."""

import pytest

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db


def test_dashboard_counts_only_the_users_pages(
    client, coordinator_a, coordinator_b, editor, page_a, page_b, group_a
):
    for _ in range(3):
        RegistrationFactory(page=page_a, days_ago=40)
    RegistrationFactory(page=page_b, days_ago=5)
    client.force_login(coordinator_a)
    html = client.get("/admin/").content.decode()
    assert page_a.title in html and page_b.title not in html
    assert 'id="selvhjelp-coordinator' in html
    panel = html[html.index('id="selvhjelp-coordinator') :]
    assert "<td>3</td>" in panel  # waiting
    assert "40" in panel  # longest wait in days
    assert "<td>1</td>" in panel  # the forming group

    client.force_login(coordinator_b)
    html = client.get("/admin/").content.decode()
    assert page_b.title in html and page_a.title not in html

    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "selvhjelp-coordinator" not in html
    assert "/admin/selvhjelp/matching/" not in html  # nor in the menu


def test_page_overview_counts_per_page_in_two_queries(
    django_assert_num_queries, page_a, page_b, group_a
):
    from wagtail_selvhjelp.models.overview import page_overview

    waiting = [RegistrationFactory(page=page_a, days_ago=days) for days in (40, 3)]
    group_a.add_member(
        RegistrationFactory(
            page=page_a, days_ago=90, places=["Gol"], time_slots=["Kveld"]
        )
    )
    with django_assert_num_queries(2):
        row_a, row_b = page_overview([page_a, page_b])
    assert (row_a["page"], row_a["waiting"], row_a["longest_wait"]) == (
        page_a,
        len(waiting),
        40,
    ), "a member is not waiting, however long ago they registered"
    assert (row_a["forming"], row_a["active"]) == (1, 0)
    assert (row_b["waiting"], row_b["longest_wait"], row_b["forming"]) == (0, None, 0)
