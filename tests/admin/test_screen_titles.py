"""Every package screen names itself: a title and breadcrumbs past "Home".

Wagtail's slim header shows the breadcrumbs; a view that keeps only the
base item shows "Home" where its title belongs (issue 18, item 8).
"""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import MatchingRun

from ..factories import StarterFactory
from .test_permission_matrix import package_urls


pytestmark = pytest.mark.django_db


def test_every_package_screen_has_its_own_title_and_breadcrumbs(
    client, superuser, registration_a, group_a
):
    run = MatchingRun.objects.create(
        page=group_a.page, proposal={"groups": [], "unplaced": {}, "upper_bound": 0}
    )
    starter = StarterFactory(pages=[group_a.page])
    membership = group_a.add_member(registration_a)
    ids = {
        "wagtail_selvhjelp_group:remove_member": membership.pk,
        "wagtail_selvhjelp_starter": starter.pk,
        "wagtail_selvhjelp_group": group_a.pk,
        "wagtail_selvhjelp_registration": registration_a.pk,
        "wagtail_selvhjelp_matching:page": group_a.page_id,
        "wagtail_selvhjelp_matching:run": run.pk,
    }
    client.force_login(superuser)
    checked = []
    for name, takes_pk in package_urls():
        args = [ids.get(name) or ids[name.split(":")[0]]] if takes_pk else []
        response = client.get(reverse(name, args=args))
        context = response.context
        if response.status_code != 200 or not context or "header_title" not in context:
            continue  # a download, a redirect, a POST-only route or a fragment
        if name.endswith(("_results", ":results")):
            continue
        crumbs = context["breadcrumbs_items"]
        assert context["header_title"], name
        # No breadcrumbs: Wagtail shows the title in a full header (delete
        # views); only "Home" alone shows "Home" where the title belongs.
        assert len(crumbs) != 1, (name, crumbs)
        checked.append(name)
    for name in (
        "wagtail_selvhjelp_matching:index",
        "wagtail_selvhjelp_privacy:index",
        "wagtail_selvhjelp_registration:erase",
        "wagtail_selvhjelp_group:add",
    ):
        assert name in checked


def test_the_erase_page_leads_back_to_the_registration(
    client, superuser, registration_a
):
    client.force_login(superuser)
    response = client.get(
        reverse("wagtail_selvhjelp_registration:erase", args=[registration_a.pk])
    )
    labels = [item["label"] for item in response.context["breadcrumbs_items"]]
    assert str(registration_a) in labels
    assert labels[-1] == response.context["page_title"]
