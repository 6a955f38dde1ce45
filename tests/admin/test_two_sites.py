"""Two municipalities in one installation: nothing of one leaks to the other.

Site A (Fjellbygd, the default site) and site B (Dalbygd, its own host
name) each have a self-help section, a contact directory and a registration
page, with overlapping data: contact points of the same name, a regional
contact point of A shared with B, a national one, starters and
registrations with the same names. An editor and a coordinator of each
site work only through Wagtail's own page permissions and the package's
coordinator groups (``models/sites.py``). Every admin URL of the package
and of the contact point's and the kit's snippets, and every public page of
a site, is checked for the other site's data.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import get_resolver, reverse
from wagtail.models import GroupPagePermission, Page

from wagtail_selvhjelp.models import (
    ContactPoint,
    SelfHelpIndexContactPoint,
    StarterKitText,
)
from wagtail_selvhjelp.models.sites import site_ids_for_user, works_for_every_site

from ..factories import (
    ContactDirectoryPageFactory,
    ContactPointFactory,
    RegistrationFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
    StarterFactory,
    make_registration_page,
)
from .conftest import HOST_B, _coordinators
from .test_permission_matrix import EXPECTED, package_urls


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


#: Permissions an editor of a site has on the package's snippets.
EDITOR_PERMISSIONS = [
    "access_admin",
    "add_contactpoint",
    "change_contactpoint",
    "delete_contactpoint",
    "publish_contactpoint",
    "add_starterkittext",
    "change_starterkittext",
    "delete_starterkittext",
]


@pytest.fixture
def section_b(site_b):
    return SelfHelpIndexPageFactory(parent=site_b.root_page, slug="selvhjelp-b")


@pytest.fixture
def page_b(section_b):
    """Registration page B, on site B (the admin conftest's is on site A)."""
    return make_registration_page(section_b, title="Meld deg på B", slug="b")


def _editor(django_user_model, name, home):
    user = django_user_model.objects.create_user(name, password="pw")
    group = Group.objects.create(name=f"Redaktører {name}")
    group.permissions.set(Permission.objects.filter(codename__in=EDITOR_PERMISSIONS))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=home,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    user.groups.add(group)
    return user


@pytest.fixture
def editor_a(django_user_model, site_a):
    return _editor(django_user_model, "redaktor-a", site_a.root_page)


@pytest.fixture
def editor_b(django_user_model, site_b):
    return _editor(django_user_model, "redaktor-b", site_b.root_page)


@pytest.fixture
def coordinator_b_cp(coordinator_b):
    """Coordinator B, who also keeps the site's contact points."""
    group = Group.objects.create(name="Kontaktpunkter B")
    group.permissions.set(Permission.objects.filter(codename__in=EDITOR_PERMISSIONS))
    coordinator_b.groups.add(group)
    return coordinator_b


@pytest.fixture
def contact_points(site_a, site_b):
    """Same names in both sites; what B must never show has ``-a-only``."""
    own_a = ContactPointFactory(
        organisation="Frisklivssentralen",
        email="frisk-a-only@example.test",
        site=site_a,
    )
    own_b = ContactPointFactory(
        organisation="Frisklivssentralen",
        email="frisk-b-only@example.test",
        site=site_b,
    )
    regional = ContactPointFactory(
        organisation="Regionalt selvhjelpssenter",
        email="regional@example.test",
        site=site_a,
        municipality="Hallingdal",
    )
    regional.shared_with_sites.add(site_b)
    national = ContactPointFactory(
        organisation="Selvhjelp Norge",
        email="nasjonal@example.test",
        site=None,
        municipality="Hele landet",
    )
    return {"a": own_a, "b": own_b, "regional": regional, "national": national}


# The one rule: which sites a user works for.


def test_users_work_for_the_sites_of_their_page_permissions_and_pages(
    site_a, site_b, editor_a, editor_b, coordinator_a, coordinator_b, superuser
):
    assert site_ids_for_user(editor_a) == {site_a.pk}
    assert site_ids_for_user(editor_b) == {site_b.pk}
    assert site_ids_for_user(coordinator_a) == {site_a.pk}
    assert site_ids_for_user(coordinator_b) == {site_b.pk}
    assert site_ids_for_user(superuser) == {site_a.pk, site_b.pk}
    assert not works_for_every_site(editor_a)
    assert works_for_every_site(superuser)


def test_a_permission_on_the_tree_root_covers_every_site(
    django_user_model, site_a, site_b
):
    user = _editor(django_user_model, "landsredaktor", Page.get_first_root_node())
    assert site_ids_for_user(user) == {site_a.pk, site_b.pk}
    assert works_for_every_site(user)


def test_a_user_without_pages_works_for_no_site(editor, site_a, site_b):
    assert site_ids_for_user(editor) == frozenset()
    assert not works_for_every_site(editor)


def test_for_site_is_own_shared_and_national(site_a, site_b, contact_points):
    on_b = set(ContactPoint.objects.for_site(site_b))
    assert on_b == {
        contact_points["b"],
        contact_points["regional"],
        contact_points["national"],
    }
    on_a = set(ContactPoint.objects.for_site(site_a.pk))
    assert on_a == {
        contact_points["a"],
        contact_points["regional"],
        contact_points["national"],
    }
    assert set(ContactPoint.objects.for_site(None)) == {contact_points["national"]}


# Public pages of each site.


@pytest.fixture
def public_b(section_b, page_b, contact_points):
    """Site B's pages, with A's own contact point chosen everywhere it can
    be (as a superuser could): none of it may show."""
    for point in (contact_points["a"], contact_points["b"], contact_points["regional"]):
        SelfHelpIndexContactPoint.objects.create(page=section_b, contact_point=point)
    directory = ContactDirectoryPageFactory(parent=section_b, slug="kontakt-b")
    article = SelfHelpInfoPageFactory(
        parent=section_b,
        slug="artikkel-b",
        body=[
            (
                "contact_points",
                {
                    "heading": "Kontakt",
                    "contact_points": [contact_points["a"], contact_points["b"]],
                },
            )
        ],
    )
    return {
        "section": section_b,
        "directory": directory,
        "article": article,
        "registration": page_b,
    }


def _get_b(client, page, query=""):
    url = page.relative_url(page.get_site()) + query
    response = client.get(url, HTTP_HOST=HOST_B)
    assert response.status_code == 200, url
    return response.content.decode()


def test_no_public_page_of_site_b_shows_site_a_s_contact_points(client, public_b):
    pages = [
        (public_b["section"], ""),
        (public_b["directory"], ""),
        (public_b["directory"], "?municipality=Gol"),
        (public_b["article"], ""),
        (public_b["registration"], ""),
        (public_b["registration"], "takk/?receipt=phone"),
    ]
    for page, query in pages:
        body = _get_b(client, page, query)
        assert "frisk-a-only@example.test" not in body, (page.title, query)
    directory = _get_b(client, public_b["directory"])
    for email in (
        "frisk-b-only@example.test",
        "regional@example.test",
        "nasjonal@example.test",
    ):
        assert email in directory
    section = _get_b(client, public_b["section"])
    assert "frisk-b-only@example.test" in section
    assert "regional@example.test" in section
    article = _get_b(client, public_b["article"])
    assert "frisk-b-only@example.test" in article
    thanks = _get_b(client, public_b["registration"], "takk/?receipt=phone")
    assert "frisk-b-only@example.test" in thanks


def test_site_a_s_directory_does_not_show_site_b_s(client, section, contact_points):
    directory = ContactDirectoryPageFactory(parent=section, slug="kontakt-a")
    body = client.get(directory.url).content.decode()
    assert "frisk-a-only@example.test" in body
    assert "regional@example.test" in body
    assert "nasjonal@example.test" in body
    assert "frisk-b-only@example.test" not in body


def test_the_section_s_cards_and_registration_link_stay_on_its_site(
    client, section, page_a, public_b
):
    body = _get_b(client, public_b["section"])
    assert public_b["registration"].title in body
    assert page_a.title not in body
    assert page_a.url not in body


# The admin: the contact point's and the kit's snippets.


def snippet_urls(model):
    """(namespaced name, takes a pk) for every URL of ``model``'s snippet
    viewset and chooser."""
    namespaces = {
        model.snippet_viewset.get_admin_url_namespace(),
        model.snippet_viewset.get_chooser_admin_url_namespace(),
    }
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace in namespaces and pattern.name:
                name = f"{namespace}:{pattern.name}"
                found[name] = found.get(name, False) or bool(
                    pattern.pattern.regex.groups
                )

    walk(get_resolver().url_patterns, None)
    return sorted(found.items())


def _args(name, pk):
    pattern_names = {
        "revisions_view": [pk, 1],
        "revisions_revert": [pk, 1],
        "revisions_compare": [pk, 1, 1],
        "revisions_unschedule": [pk, 1],
    }
    return pattern_names.get(name.split(":")[1], [pk])


@pytest.fixture
def admin_users(editor_a, coordinator_b_cp, editor_b, superuser):
    return {
        "editor_a": editor_a,
        "editor_b": editor_b,
        "coordinator_b": coordinator_b_cp,
    }


def test_another_site_s_contact_point_is_a_404_at_every_url(
    client, admin_users, contact_points
):
    """Every URL of the snippet and its chooser that takes an object, for
    A's own contact point, to the editor and the coordinator of B."""
    own_a = contact_points["a"]
    own_a.save_revision()
    urls = [(name, takes) for name, takes in snippet_urls(ContactPoint) if takes]
    assert len(urls) > 8
    for name, _takes in urls:
        url = reverse(name, args=_args(name, own_a.pk))
        for who in ("editor_b", "coordinator_b"):
            client.force_login(admin_users[who])
            response = client.get(url)
            assert response.status_code == 404, (name, who, response.status_code)


def test_listings_and_choosers_show_own_shared_and_national(
    client, admin_users, contact_points
):
    viewset = ContactPoint.snippet_viewset
    chooser = viewset.get_chooser_admin_url_namespace()
    listing = reverse(viewset.get_url_name("list"))
    expected = {
        contact_points["b"],
        contact_points["regional"],
        contact_points["national"],
    }
    for who in ("editor_b", "coordinator_b"):
        client.force_login(admin_users[who])
        response = client.get(listing)
        assert set(response.context["object_list"]) == expected, who
        for view in ("choose", "choose_results"):
            body = client.get(reverse(f"{chooser}:{view}")).content.decode()
            for point in contact_points.values():
                chosen = reverse(f"{chooser}:chosen", args=[point.pk])
                assert (chosen in body) == (point in expected), (who, view, point)
        response = client.get(reverse(f"{chooser}:choose_results"), {"q": "Friskliv"})
        assert response.status_code == 200
        assert reverse(f"{chooser}:chosen", args=[contact_points["a"].pk]) not in (
            response.content.decode()
        )
    client.force_login(admin_users["editor_a"])
    listed = set(client.get(listing).context["object_list"])
    assert contact_points["b"] not in listed
    assert contact_points["a"] in listed


def test_shared_and_national_contact_points_are_seen_not_changed(
    client, admin_users, contact_points, superuser
):
    client.force_login(admin_users["editor_b"])
    viewset = ContactPoint.snippet_viewset
    for key in ("regional", "national"):
        point = contact_points[key]
        for view in ("edit", "delete"):
            response = client.get(reverse(viewset.get_url_name(view), args=[point.pk]))
            assert response.status_code == 302, (key, view)
            assert response["Location"] == "/admin/", (key, view)
    # Their own site's is theirs to change.
    own = contact_points["b"]
    response = client.get(reverse(viewset.get_url_name("edit"), args=[own.pk]))
    assert response.status_code == 200
    # A superuser reaches every one.
    client.force_login(superuser)
    for point in contact_points.values():
        response = client.get(reverse(viewset.get_url_name("edit"), args=[point.pk]))
        assert response.status_code == 200


def test_an_editor_creates_contact_points_for_their_own_site_only(
    client, admin_users, site_a, site_b
):
    client.force_login(admin_users["editor_b"])
    url = reverse(ContactPoint.snippet_viewset.get_url_name("add"))
    form = client.get(url).context["form"]
    assert list(form.fields["site"].queryset) == [site_b]
    assert form.initial["site"] == site_b.pk
    data = {
        "organisation": "Dalbygd frivilligsentral",
        "kind": "volunteer_centre",
        "municipality": "Dalbygd",
        "email": "frivillig@example.test",
        "sort_order": 0,
    }
    for site, expected in ((site_a.pk, 200), ("", 200), (site_b.pk, 302)):
        response = client.post(url, {**data, "site": site})
        assert response.status_code == expected, site
    assert list(ContactPoint.objects.values_list("site", flat=True)) == [site_b.pk]


def test_the_kit_s_texts_of_another_site_are_hidden(
    client, admin_users, site_a, site_b
):
    from wagtail.models import Locale

    locale = Locale.get_default()
    text_a = StarterKitText.objects.create(
        site=site_a, locale=locale, principles="Fjellbygds egne prinsipper"
    )
    text_b = StarterKitText.objects.create(
        site=site_b, locale=locale, principles="Dalbygds egne prinsipper"
    )
    viewset = StarterKitText.snippet_viewset
    client.force_login(admin_users["editor_b"])
    listed = set(
        client.get(reverse(viewset.get_url_name("list"))).context["object_list"]
    )
    assert listed == {text_b}
    for name, takes in snippet_urls(StarterKitText):
        if takes:
            response = client.get(reverse(name, args=_args(name, text_a.pk)))
            assert response.status_code == 404, name
    response = client.get(reverse(viewset.get_url_name("edit"), args=[text_b.pk]))
    assert response.status_code == 200


# The package's own admin URLs, with the other page on another site.


@pytest.fixture
def users(editor, coordinator_a, coordinator_b, superuser):
    return {
        "anonymous": None,
        "editor": editor,
        "a": coordinator_a,
        "b": coordinator_b,
        "superuser": superuser,
    }


def test_permission_matrix_across_sites(
    client, users, registration_a, registration_b, group_a, site_b
):
    """The permission matrix (``test_permission_matrix``) with coordinator B
    on site B: A's registrations, groups, runs, starters, offers and
    statistics are a 404 or absent for them."""
    from wagtail_selvhjelp.models import MatchingRun

    assert registration_b.page.get_site() == site_b
    run_a = MatchingRun.objects.create(
        page=group_a.page,
        proposal={"groups": [], "unplaced": {}, "upper_bound": 0},
    )
    membership_a = group_a.add_member(registration_a)
    starter_a = StarterFactory(pages=[group_a.page], name="Igang Hemmeligsen")
    StarterFactory(pages=[registration_b.page], name="Igang Hemmeligsen")
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
    secret = [registration_a.email, starter_a.email, "Meld deg på A", "Gol, kveld"]
    for name, takes_pk in package_urls():
        args = []
        if takes_pk:
            args = [object_ids.get(name) or objects[name.split(":")[0]].pk]
        url = reverse(name, args=args)
        client.force_login(users["b"])
        response = client.get(url)
        assert response.status_code == EXPECTED[name]["b"], (name, response.status_code)
        body = response.content.decode()
        for text in secret:
            assert text not in body, (name, text)


def test_statistics_of_site_a_are_not_shown_to_site_b(
    client, coordinator_b, registration_a, registration_b
):
    client.force_login(coordinator_b)
    for name in ("index", "groups"):
        response = client.get(reverse(f"wagtail_selvhjelp_statistics:{name}"))
        assert response.status_code == 200
        assert "Meld deg på A" not in response.content.decode(), name


def test_registrations_with_the_same_name_stay_apart(
    client, coordinator_b, page_a, page_b
):
    RegistrationFactory(page=page_a, name="Kari Nordmann", email="kari-a@example.test")
    RegistrationFactory(page=page_b, name="Kari Nordmann", email="kari-b@example.test")
    client.force_login(coordinator_b)
    response = client.get(reverse("wagtail_selvhjelp_registration:index"))
    assert [r.email for r in response.context["object_list"]] == ["kari-b@example.test"]


# An inter-municipal registration page.


@pytest.fixture
def shared_page(page_a, site_a, site_b):
    """Page A serves both municipalities: Gol and Hol in A, Ål in B."""
    for place in page_a.places.all():
        place.municipality = site_b if place.name == "Ål" else site_a
        place.save()
    return page_a


def test_statistics_count_an_inter_municipal_page_per_municipality(
    client, coordinator_a, shared_page
):
    for _number in range(6):
        RegistrationFactory(page=shared_page, places=["Gol"], time_slots=["Kveld"])
    for _number in range(2):
        RegistrationFactory(page=shared_page, places=["Ål"], time_slots=["Kveld"])
    # Counted once per municipality, though two of its places were chosen.
    RegistrationFactory(page=shared_page, places=["Gol", "Hol"], time_slots=["Kveld"])
    client.force_login(coordinator_a)
    response = client.get(
        reverse("wagtail_selvhjelp_statistics:index"), {"dimension": "municipality"}
    )
    assert response.status_code == 200
    rows = {
        (row.value_label, row.year is not None): row.waiting
        for row in response.context["object_list"]
    }
    assert rows[("Fjellbygd kommune", False)] == "7"
    # Two people are a count too small to show.
    assert rows[("Dalbygd", False)] == "< 5"
    assert "Dalbygd" in response.content.decode()


def test_municipality_counts_outlive_the_registrations(shared_page):
    from wagtail_selvhjelp.models import Registration, RegistrationStatistic
    from wagtail_selvhjelp.models.privacy import forget

    RegistrationFactory(page=shared_page, places=["Ål"], time_slots=["Kveld"])
    forget(Registration.objects.all())
    row = RegistrationStatistic.objects.get(dimension="municipality")
    assert (row.label, row.count) == ("Dalbygd", 1)


def test_coordinators_of_each_municipality_share_the_page(
    client, shared_page, django_user_model
):
    """Coordinators of B are given the shared page through its coordinator
    groups, as any page's: they see its registrations."""
    registration = RegistrationFactory(
        page=shared_page, places=["Ål"], time_slots=["Kveld"]
    )
    user = django_user_model.objects.create_user("koordinator-dalbygd", password="pw")
    user.groups.add(_coordinators("Koordinatorer Dalbygd", shared_page))
    client.force_login(user)
    response = client.get(reverse("wagtail_selvhjelp_registration:index"))
    assert [r.pk for r in response.context["object_list"]] == [registration.pk]


def test_the_kit_shows_only_a_contact_point_its_site_shows(
    site_a, site_b, contact_points
):
    from wagtail.models import Locale

    locale = Locale.get_default()
    StarterKitText.objects.create(
        site=None, locale=locale, contact_point=contact_points["a"]
    )
    assert StarterKitText.texts_for(site_b, locale)["contact_point"] is None
    assert (
        StarterKitText.texts_for(site_a, locale)["contact_point"]
        == (contact_points["a"])
    )
    StarterKitText.objects.create(
        site=site_b, locale=locale, contact_point=contact_points["regional"]
    )
    assert (
        StarterKitText.texts_for(site_b, locale)["contact_point"]
        == (contact_points["regional"])
    )


def test_the_migration_gives_existing_contact_points_a_site(site_a, site_b, section_b):
    """Migration 0019: the site whose sections show a contact point, else
    the default site; none becomes national."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wagtail_selvhjelp.migrations.0022_sites")
    shown_on_b = ContactPointFactory(site=None)
    SelfHelpIndexContactPoint.objects.create(page=section_b, contact_point=shown_on_b)
    unused = ContactPointFactory(site=None)
    migration.give_contact_points_a_site(apps, None)
    shown_on_b.refresh_from_db()
    unused.refresh_from_db()
    assert (shown_on_b.site, unused.site) == (site_b, site_a)
