"""Erasure counts groups and people, not memberships (issue 18, item 10).

A person removed from a group and placed in it again has two memberships
of one group: the erase page said "2 groups", and the group then counted
two deleted members for one person.
"""

import pytest
from django.urls import reverse


pytestmark = pytest.mark.django_db


@pytest.fixture
def placed_twice(registration_a, group_a):
    membership = group_a.add_member(registration_a)
    group_a.remove_member(membership)
    group_a.add_member(registration_a)
    return registration_a


def test_the_erase_page_counts_groups(client, superuser, placed_twice):
    client.force_login(superuser)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[placed_twice.pk])
    )
    assert response.context["group_count"] == 1
    body = response.content.decode()
    assert "1 gruppe" in body or "1 group" in body
    assert "2 grupper" not in body and "2 groups" not in body


def test_erasing_counts_one_former_member_per_person(
    client, superuser, placed_twice, group_a
):
    client.force_login(superuser)
    client.post(
        reverse("wagtail_selvhjelp_registration:erase", args=[placed_twice.pk]),
        {"confirm": "yes"},
    )
    group_a.refresh_from_db()
    assert not group_a.memberships.exists()
    assert group_a.former_member_count == 1
