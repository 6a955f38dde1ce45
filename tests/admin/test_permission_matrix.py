"""Every admin URL the package adds, for every kind of user.

The URLs are read from the resolver, so a new view cannot escape: a URL name
without an expectation below fails the test until someone decides what each
user should get.
"""

import pytest
from django.urls import get_resolver, reverse


pytestmark = pytest.mark.django_db

#: Namespaces of the package's admin views.
NAMESPACES = (
    "wagtail_selvhjelp_registration",
    "wagtail_selvhjelp_group",
    "wagtail_selvhjelp_matching",
    "wagtail_selvhjelp_statistics",
    "wagtail_selvhjelp_privacy",
    "wagtail_selvhjelp_starter",
)

LOGIN = "login"  # a redirect to the admin's login page

#: URL name -> expected status per user, for an object of page A. Wagtail
#: answers a missing permission with a redirect to the dashboard and a
#: message (302 to /admin/); another page's object is a 404.
OBJECT = {"editor": 302, "a": 200, "b": 404, "superuser": 200}
LISTING = {"editor": 302, "a": 200, "b": 200, "superuser": 200}
EXPECTED = {
    "wagtail_selvhjelp_registration:index": LISTING,
    "wagtail_selvhjelp_registration:index_results": LISTING,
    # Nobody adds a registration in the admin: consent comes from the form.
    "wagtail_selvhjelp_registration:add": {
        "editor": 302,
        "a": 302,
        "b": 302,
        "superuser": 302,
    },
    "wagtail_selvhjelp_registration:inspect": OBJECT,
    "wagtail_selvhjelp_registration:edit": OBJECT,
    "wagtail_selvhjelp_registration:delete": OBJECT,
    "wagtail_selvhjelp_registration:history": OBJECT,
    "wagtail_selvhjelp_registration:history_results": OBJECT,
    "wagtail_selvhjelp_registration:usage": OBJECT,
    "wagtail_selvhjelp_registration:bulk_status": LISTING,
    "wagtail_selvhjelp_group:index": LISTING,
    "wagtail_selvhjelp_group:index_results": LISTING,
    # Without ?page= the add view lists the pages the user coordinates.
    "wagtail_selvhjelp_group:add": LISTING,
    "wagtail_selvhjelp_group:edit": OBJECT,
    "wagtail_selvhjelp_group:delete": OBJECT,
    "wagtail_selvhjelp_group:history": OBJECT,
    "wagtail_selvhjelp_group:history_results": OBJECT,
    "wagtail_selvhjelp_group:usage": OBJECT,
    "wagtail_selvhjelp_group:members": OBJECT,
    # The confirmation screen before a start (a GET changes nothing) and
    # the printable starter's kit.
    "wagtail_selvhjelp_group:start": OBJECT,
    "wagtail_selvhjelp_group:kit": OBJECT,
    # POST only (invite, take back, refill a seat): a GET is refused (405)
    # once permission and page are checked.
    "wagtail_selvhjelp_group:invitations": {
        "editor": 302,
        "a": 405,
        "b": 404,
        "superuser": 405,
    },
    # Confirmation steps: GET shows the consequence, only a POST acts.
    "wagtail_selvhjelp_group:end": OBJECT,
    "wagtail_selvhjelp_group:remove_member": OBJECT,
    # The printable contact list (logged once per view).
    "wagtail_selvhjelp_group:contact_list": OBJECT,
    "wagtail_selvhjelp_matching:index": LISTING,
    "wagtail_selvhjelp_matching:page": OBJECT,
    "wagtail_selvhjelp_matching:run": OBJECT,
    # The rights of access and erasure, behind permissions of their own.
    "wagtail_selvhjelp_registration:person_data": OBJECT,
    "wagtail_selvhjelp_registration:erase": OBJECT,
    # POST only (redact a mention or keep it for a reason, before an
    # erasure): a GET is refused (405) once permission and page are checked.
    "wagtail_selvhjelp_registration:erase_mention": {
        "editor": 302,
        "a": 405,
        "b": 404,
        "superuser": 405,
    },
    # POST only: a GET is refused (405) once permission and page are checked.
    "wagtail_selvhjelp_registration:confirm": {
        "editor": 302,
        "a": 405,
        "b": 404,
        "superuser": 405,
    },
    # Counts only, each coordinator of their own pages.
    "wagtail_selvhjelp_statistics:index": LISTING,
    "wagtail_selvhjelp_statistics:results": LISTING,
    "wagtail_selvhjelp_statistics:groups": LISTING,
    "wagtail_selvhjelp_statistics:groups_results": LISTING,
    "wagtail_selvhjelp_statistics:languages": LISTING,
    "wagtail_selvhjelp_statistics:languages_results": LISTING,
    # For the data-protection officer (a permission of its own).
    "wagtail_selvhjelp_privacy:index": {
        "editor": 302,
        "a": 302,
        "b": 302,
        "superuser": 200,
    },
    # The starter register, scoped by the pages each starter serves.
    "wagtail_selvhjelp_starter:index": LISTING,
    "wagtail_selvhjelp_starter:index_results": LISTING,
    "wagtail_selvhjelp_starter:add": LISTING,
    "wagtail_selvhjelp_starter:edit": OBJECT,
    "wagtail_selvhjelp_starter:delete": OBJECT,
    "wagtail_selvhjelp_starter:history": OBJECT,
    "wagtail_selvhjelp_starter:history_results": OBJECT,
    "wagtail_selvhjelp_starter:usage": OBJECT,
    "wagtail_selvhjelp_starter:person_data": OBJECT,
    # POST only (assign or withdraw a group's starter): a GET is refused
    # (405) once permission and page are checked.
    "wagtail_selvhjelp_group:starters": {
        "editor": 302,
        "a": 405,
        "b": 404,
        "superuser": 405,
    },
    # POST only: a GET is a 404 for everyone who may change registrations.
    "wagtail_selvhjelp_registration:avoid": {
        "editor": 302,
        "a": 404,
        "b": 404,
        "superuser": 404,
    },
}


def package_urls():
    """(namespaced name, takes a pk) for every URL in the package's namespaces."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace in NAMESPACES and pattern.name:
                takes_pk = pattern.pattern.regex.groups > 0
                found.append((f"{namespace}:{pattern.name}", takes_pk))

    walk(get_resolver().url_patterns, None)
    # A name may have several patterns (e.g. a legacy one); any with a pk counts.
    takes = {}
    for name, takes_pk in found:
        takes[name] = takes.get(name, False) or takes_pk
    return sorted(takes.items())


def test_every_package_url_has_an_expectation():
    names = {name for name, _takes_pk in package_urls()}
    assert names, "no package URLs found"
    assert names == set(EXPECTED), (
        f"without expectation: {sorted(names - set(EXPECTED))}; "
        f"gone: {sorted(set(EXPECTED) - names)}"
    )


@pytest.fixture
def users(editor, coordinator_a, coordinator_b, superuser):
    return {
        "anonymous": None,
        "editor": editor,
        "a": coordinator_a,
        "b": coordinator_b,
        "superuser": superuser,
    }


def test_permission_matrix(client, users, registration_a, registration_b, group_a):
    from wagtail_selvhjelp.models import MatchingRun

    run_a = MatchingRun.objects.create(
        page=group_a.page,
        proposal={
            "groups": [],
            "unplaced": {str(registration_a.pk): {"code": "too_few", "params": {}}},
            "upper_bound": 0,
        },
    )
    from ..factories import StarterFactory

    membership_a = group_a.add_member(registration_a)
    starter_a = StarterFactory(pages=[group_a.page], name="Igang Hemmeligsen")
    objects = {
        "wagtail_selvhjelp_group": group_a,
        "wagtail_selvhjelp_registration": registration_a,
        "wagtail_selvhjelp_starter": starter_a,
    }
    object_ids = {
        "wagtail_selvhjelp_matching:page": group_a.page_id,
        "wagtail_selvhjelp_matching:run": run_a.pk,
        "wagtail_selvhjelp_group:remove_member": membership_a.pk,
    }
    secret = [registration_a.name, registration_a.email, "Hemmeligsen", starter_a.email]
    for name, takes_pk in package_urls():
        args = []
        if takes_pk:
            args = [object_ids.get(name) or objects[name.split(":")[0]].pk]
        url = reverse(name, args=args)
        for who, user in users.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if who == "anonymous":
                assert response.status_code == 302, (name, who)
                assert "/admin/login/" in response["Location"], (name, who)
                continue
            expected = EXPECTED[name][who]
            assert response.status_code == expected, (name, who, response.status_code)
            if expected == 302:
                assert response["Location"] == "/admin/", (name, who)
            # Personal data never sits in a browser's or a proxy's cache.
            assert "no-store" in response.get("Cache-Control", ""), (name, who)
            if who in ("b", "editor"):
                body = response.content.decode()
                for text in secret:
                    assert text not in body, (name, who, text)


def test_coordinator_b_lists_only_page_b(
    client, coordinator_b, registration_a, registration_b
):
    client.force_login(coordinator_b)
    response = client.get(reverse("wagtail_selvhjelp_registration:index"))
    listed = {obj.pk for obj in response.context["object_list"]}
    assert listed == {registration_b.pk}
    # The page filter offers only B's page.
    choices = response.context["filters"].form.fields["page"].queryset
    assert [page.title for page in choices] == ["Meld deg på B"]


def test_coordinator_b_cannot_change_page_a_by_post(
    client, coordinator_b, registration_a
):
    client.force_login(coordinator_b)
    for name in ("edit", "delete"):
        url = reverse(
            f"wagtail_selvhjelp_registration:{name}", args=[registration_a.pk]
        )
        response = client.post(url, {"status": "spam", "coordinator_notes": "x"})
        assert response.status_code == 404, name
    registration_a.refresh_from_db()
    assert registration_a.status == "waiting"


def test_custom_permissions_are_offered_in_the_group_editor(admin_client):
    html = admin_client.get("/admin/groups/new/").content.decode()
    for codename in (
        "match_registration",
        "export_registration",
        "export_registration_answers",
        "access_registration",
        "erase_registration",
        "view_privacy_overview",
        "add_selfhelpgroup",
        "access_starter",
        "change_starter",
    ):
        from django.contrib.auth.models import Permission

        permission = Permission.objects.get(codename=codename)
        assert f'value="{permission.pk}"' in html, codename
