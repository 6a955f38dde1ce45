"""Users and pages for the admin tests: two pages, each with its coordinators.

* ``coordinator_a`` coordinates ``page_a``; ``coordinator_b`` coordinates
  ``page_b``; both have the registration and group permissions;
* ``editor`` may use the admin but has none of the package's permissions.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import Page, Site

from ..factories import RegistrationFactory, make_registration_page


COORDINATOR_PERMISSIONS = [
    "access_admin",
    "view_registration",
    "change_registration",
    "delete_registration",
    "match_registration",
    "export_registration",
    "access_registration",
    "erase_registration",
    "add_selfhelpgroup",
    "change_selfhelpgroup",
    "delete_selfhelpgroup",
    "add_starter",
    "view_starter",
    "change_starter",
    "delete_starter",
    "access_starter",
]


def _coordinators(name, page):
    group = Group.objects.create(name=name)
    group.permissions.set(
        Permission.objects.filter(codename__in=COORDINATOR_PERMISSIONS)
    )
    page.coordinator_groups.add(group)
    page.save()
    return group


def _works_for(group, page):
    """Make ``group``'s members work for the site(s) of ``page`` with the
    least of Wagtail's page permissions (lock), as a data-protection
    officer's group is given one (docs/sites.md)."""
    from wagtail.models import GroupPagePermission

    GroupPagePermission.objects.create(
        group=group,
        page=page,
        permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename="lock_page"
        ),
    )


@pytest.fixture
def page_a(section):
    return make_registration_page(section, title="Meld deg på A", slug="a")


@pytest.fixture
def page_b(section):
    return make_registration_page(section, title="Meld deg på B", slug="b")


@pytest.fixture
def coordinator_a(page_a, django_user_model):
    user = django_user_model.objects.create_user("koordinator-a", password="pw")
    user.groups.add(_coordinators("Koordinatorer A", page_a))
    return user


@pytest.fixture
def coordinator_b(page_b, django_user_model):
    user = django_user_model.objects.create_user("koordinator-b", password="pw")
    user.groups.add(_coordinators("Koordinatorer B", page_b))
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("redaktor", password="pw")
    group = Group.objects.create(name="Redaktører")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", password="pw")


@pytest.fixture
def registration_a(page_a):
    return RegistrationFactory(
        page=page_a,
        name="Aslaug Hemmeligsen",
        email="aslaug@example.test",
        places=["Gol"],
        time_slots=["Kveld"],
    )


@pytest.fixture
def registration_b(page_b):
    return RegistrationFactory(page=page_b, name="Bjarne Bsen")


@pytest.fixture
def group_a(page_a):
    from wagtail_selvhjelp.models import SelfHelpGroup

    return SelfHelpGroup.objects.create(
        page=page_a,
        name="Gol, kveld",
        place=page_a.places.get(name="Gol"),
        time_slot=page_a.time_slots.get(name="Kveld"),
    )


#: The second municipality's host name in the two-site tests.
HOST_B = "dalbygd.example.test"


@pytest.fixture
def site_a(home_page):
    """Municipality A: the example site's default site."""
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def site_b(home_page, settings):
    """Municipality B: its own tree on its own host name."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST_B]
    home = Page.get_first_root_node().add_child(
        instance=Page(title="Dalbygd kommune", slug="dalbygd")
    )
    return Site.objects.create(hostname=HOST_B, site_name="Dalbygd", root_page=home)
