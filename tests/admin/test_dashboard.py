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
