"""Counts per municipality: the statistics, the language report and the
privacy overview show a user only the sites they work for.

Site A (Fjellbygd, the default site) and site B (Dalbygd, its own host name)
each have a registration page with registrations, deleted ones (kept as
counts) and group counts. The data-protection officer of each site holds
the overview permission and works for their site through a page
permission on its home page (``models/sites.py``); they see their own
site's counts in every view and export, none of the other's. Superusers see
both; a user without the permission is turned away.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.choices import GroupLifeMeasure
from wagtail_selvhjelp.models import (
    GroupLifeStatistic,
    GroupRegistrationPage,
    PurgeRun,
    Registration,
    RegistrationStatistic,
    Retention,
    SelfHelpSiteSettings,
)
from wagtail_selvhjelp.models.privacy import forget
from wagtail_selvhjelp.permissions import scope_counts_to_user

from ..factories import (
    RegistrationFactory,
    SelfHelpIndexPageFactory,
    make_registration_page,
)
from .conftest import _coordinators, _works_for


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 12, 0))
DAY = datetime.timedelta(days=1)

#: Every view and export that shows counts.
COUNT_URLS = [
    ("wagtail_selvhjelp_statistics:index", {}),
    ("wagtail_selvhjelp_statistics:index", {"export": "csv"}),
    ("wagtail_selvhjelp_statistics:index", {"dimension": "place"}),
    ("wagtail_selvhjelp_statistics:index", {"dimension": "municipality"}),
    ("wagtail_selvhjelp_statistics:groups", {}),
    ("wagtail_selvhjelp_statistics:groups", {"export": "csv"}),
    ("wagtail_selvhjelp_statistics:languages", {}),
    ("wagtail_selvhjelp_statistics:languages", {"export": "csv"}),
    ("wagtail_selvhjelp_privacy:index", {}),
]


@pytest.fixture
def page_b(site_b):
    """Registration page B, on site B (the admin conftest's is on site A)."""
    section = SelfHelpIndexPageFactory(parent=site_b.root_page, slug="selvhjelp-b")
    return make_registration_page(
        section, title="Meld deg på Dalbygd", slug="b", places=("Dalen", "Li")
    )


def _dpo(django_user_model, name, *homes):
    user = django_user_model.objects.create_user(name, password="pw")
    group = Group.objects.create(name=f"Personvernombud {name}")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_privacy_overview"]
        )
    )
    for home in homes:
        _works_for(group, home)
    user.groups.add(group)
    return user


@pytest.fixture
def dpo_a(django_user_model, site_a):
    return _dpo(django_user_model, "personvern-a", site_a.root_page)


@pytest.fixture
def dpo_b(django_user_model, site_b):
    return _dpo(django_user_model, "personvern-b", site_b.root_page)


def _counts(page, live, deleted, place):
    for _number in range(live):
        RegistrationFactory(page=page, places=[place], time_slots=["Kveld"])
    gone = [
        RegistrationFactory(page=page, places=[place], time_slots=["Kveld"]).pk
        for _number in range(deleted)
    ]
    forget(Registration.objects.filter(pk__in=gone))
    GroupLifeStatistic.add(page, GroupLifeMeasure.STARTED, {"": deleted})


@pytest.fixture
def counts(page_a, page_b):
    """A: 6 held and 7 deleted (13); B: 5 held and 11 deleted (16)."""
    _counts(page_a, 6, 7, "Gol")
    _counts(page_b, 5, 11, "Dalen")
    return page_a, page_b


def _body(client, name, params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, params, response.status_code)
    if response.streaming:
        return response, b"".join(response.streaming_content).decode()
    return response, response.content.decode()


def _total_row(response, page):
    return next(
        row
        for row in response.context["object_list"]
        if row.page_title == page.title and row.year is not None
    )


def test_statistics_rows_record_their_site(counts, site_a, site_b):
    page_a, page_b = counts
    for model in (RegistrationStatistic, GroupLifeStatistic):
        assert set(
            model.objects.filter(page_id=page_a.pk).values_list("site", flat=True)
        ) == {site_a.pk}
        assert set(
            model.objects.filter(page_id=page_b.pk).values_list("site", flat=True)
        ) == {site_b.pk}


@pytest.mark.parametrize("who", ["a", "b"])
def test_a_data_protection_officer_sees_only_their_sites_counts(
    client, counts, dpo_a, dpo_b, who
):
    page_a, page_b = counts
    mine, theirs = (page_a, page_b) if who == "a" else (page_b, page_a)
    client.force_login(dpo_a if who == "a" else dpo_b)
    secrets = [theirs.title, "Gol" if who == "b" else "Dalen"]
    if who == "a":
        secrets.append("Dalbygd")
    else:
        secrets.append("Fjellbygd")
    for name, params in COUNT_URLS:
        response, body = _body(client, name, params)
        for text in secrets:
            assert text not in body, (name, params, text)
        if name.endswith(":index") and "statistics" in name and not params:
            row = _total_row(response, mine)
            assert row.shown["waiting"] == ("6" if who == "a" else "5")
            assert row.shown["withdrawn"] == ("7" if who == "a" else "11")
            choices = dict(response.context["filters"].form.fields["page_id"].choices)
            assert mine.pk in choices and theirs.pk not in choices
    response, body = _body(client, "wagtail_selvhjelp_privacy:index", {})
    assert [item.page.pk for item in response.context["pages"]] == [mine.pk]
    assert mine.title in body
    site_name = "Fjellbygd kommune" if who == "a" else "Dalbygd"
    assert f"The pages and counts of the sites you work for: {site_name}." in body
    # The other site's page asked for by its id: not a choice, nothing shown.
    for name in ("index", "groups"):
        response, body = _body(
            client, f"wagtail_selvhjelp_statistics:{name}", {"page_id": theirs.pk}
        )
        assert theirs.title not in body, name


def test_superusers_see_both_sites(client, counts, superuser):
    page_a, page_b = counts
    client.force_login(superuser)
    response, body = _body(client, "wagtail_selvhjelp_statistics:index", {})
    assert _total_row(response, page_a).shown["withdrawn"] == "7"
    assert _total_row(response, page_b).shown["withdrawn"] == "11"
    response, body = _body(client, "wagtail_selvhjelp_statistics:groups", {})
    assert page_a.title in body and page_b.title in body
    response, body = _body(client, "wagtail_selvhjelp_privacy:index", {})
    assert {item.page.pk for item in response.context["pages"]} == {
        page_a.pk,
        page_b.pk,
    }


def test_a_user_without_the_permission_is_turned_away(
    client, counts, editor, coordinator_b
):
    """The editor has no statistics; coordinator B (on site A's page here)
    sees statistics of their page but not the privacy overview."""
    client.force_login(editor)
    for name, params in COUNT_URLS:
        response = client.get(reverse(name), params)
        assert response.status_code == 302, name
        assert response["Location"] == reverse("wagtailadmin_home")
    client.force_login(coordinator_b)
    response = client.get(reverse("wagtail_selvhjelp_privacy:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    client.logout()
    response = client.get(reverse("wagtail_selvhjelp_statistics:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_the_permission_alone_shows_no_site(client, counts, django_user_model):
    """Holding the overview permission without working for any site shows
    nothing: the permission is per site, as everything the package owns."""
    page_a, page_b = counts
    nobody = _dpo(django_user_model, "personvern-ingen")
    client.force_login(nobody)
    for name, params in COUNT_URLS:
        _response, body = _body(client, name, params)
        assert page_a.title not in body and page_b.title not in body, name
    response, body = _body(client, "wagtail_selvhjelp_privacy:index", {})
    assert response.context["pages"] == []
    assert "You work for no site" in body


def test_the_site_of_a_deleted_page_keeps_its_counts_for_its_officer(
    client, counts, dpo_a, dpo_b
):
    page_a, page_b = counts
    Registration.objects.filter(page=page_b).delete()
    page_b.delete()
    client.force_login(dpo_b)
    response, body = _body(client, "wagtail_selvhjelp_statistics:index", {})
    assert "Meld deg på Dalbygd" in body
    client.force_login(dpo_a)
    response, body = _body(client, "wagtail_selvhjelp_statistics:index", {})
    assert "Meld deg på Dalbygd" not in body


def test_an_officer_of_both_sites_sees_both(client, counts, django_user_model):
    page_a, page_b = counts
    both = _dpo(
        django_user_model,
        "personvern-begge",
        page_a.get_site().root_page,
        page_b.get_site().root_page,
    )
    client.force_login(both)
    response, body = _body(client, "wagtail_selvhjelp_statistics:index", {})
    assert _total_row(response, page_a).shown["withdrawn"] == "7"
    assert _total_row(response, page_b).shown["withdrawn"] == "11"


def test_an_inter_municipal_page_is_split_for_its_sites_officer(
    client, page_a, site_a, site_b, dpo_a
):
    """Page A serves both municipalities: its officer (the host's) sees it
    counted per municipality, as its coordinators do."""
    for place in page_a.places.all():
        place.municipality = site_b if place.name == "Ål" else site_a
        place.save()
    for _number in range(5):
        RegistrationFactory(page=page_a, places=["Gol"], time_slots=["Kveld"])
    for _number in range(5):
        RegistrationFactory(page=page_a, places=["Ål"], time_slots=["Kveld"])
    forget(Registration.objects.filter(page=page_a, places__name="Ål"))
    client.force_login(dpo_a)
    response, _body_ = _body(
        client, "wagtail_selvhjelp_statistics:index", {"dimension": "municipality"}
    )
    rows = {
        row.value_label: (row.waiting, row.withdrawn)
        for row in response.context["object_list"]
        if row.year is not None
    }
    assert rows == {"Fjellbygd kommune": ("5", "0"), "Dalbygd": ("0", "5")}


# The purge's counts in the overview


def test_the_overview_shows_the_purges_counts_of_the_officers_sites(
    client, page_a, page_b, dpo_a, superuser
):
    for page, number in ((page_a, 2), (page_b, 3)):
        for _number in range(number):
            registration = RegistrationFactory(page=page, status="withdrawn")
            Registration.objects.filter(pk=registration.pk).update(
                updated_at=NOW - 40 * DAY
            )
    assert privacy.purge(now=NOW)["closed"] == 5
    run = PurgeRun.objects.get()
    assert run.counts_by_site[str(page_b.get_site().pk)]["closed"] == 3
    closed = privacy.RETENTION_RULES[0].label
    client.force_login(dpo_a)
    response, _body_ = _body(client, "wagtail_selvhjelp_privacy:index", {})
    assert dict(response.context["purge_counts"])[closed] == 2
    client.force_login(superuser)
    response, _body_ = _body(client, "wagtail_selvhjelp_privacy:index", {})
    assert dict(response.context["purge_counts"])[closed] == 5


# Retention: the page's own, its site's default, the package's


@pytest.fixture
def settings_b(site_b):
    return SelfHelpSiteSettings.objects.create(
        site=site_b, retention_closed_days=7, retention_reconfirm_months=6
    )


def test_retention_is_the_pages_then_the_sites_then_the_packages(
    page_a, page_b, settings_b
):
    package = Retention.defaults()
    assert privacy.retention_for(page_a) == package
    assert privacy.retention_for(page_b) == Retention(
        closed_days=7,
        reconfirm_months=6,
        reconfirm_grace_days=package.reconfirm_grace_days,
        after_group_months=package.after_group_months,
    )
    page_b.retention_reconfirm_months = 3
    page_b.save()
    page_b = GroupRegistrationPage.objects.get(pk=page_b.pk)
    assert page_b.get_retention().reconfirm_months == 3
    assert page_b.get_retention().closed_days == 7
    assert privacy.retention_for(page_b) == page_b.get_retention()


def test_a_new_page_follows_its_sites_default(page_b, settings_b):
    assert page_b.retention_closed_days is None
    settings_b.retention_closed_days = 14
    settings_b.save()
    assert privacy.retention_for(page_b).closed_days == 14


def test_a_sites_default_in_its_new_privacy_notice(site_b, settings_b):
    section = SelfHelpIndexPageFactory(parent=site_b.root_page, slug="ny")
    page = GroupRegistrationPage(title="Ny", slug="ny")
    section.add_child(instance=page)
    # In the page's language (bokmål): asked after 6 months, not the 12 of
    # the package.
    assert "etter 6 måneder" in page.privacy_notice
    assert "12 måneder" not in page.privacy_notice


def test_the_purge_dry_run_uses_the_sites_default(page_a, page_b, settings_b):
    for page in (page_a, page_b):
        registration = RegistrationFactory(page=page, status="withdrawn")
        Registration.objects.filter(pk=registration.pk).update(updated_at=NOW - 8 * DAY)
    assert privacy.purge(now=NOW, dry_run=True)["closed"] == 1
    assert privacy.due_for(page_b, NOW)["closed"].count() == 1
    assert privacy.due_for(page_a, NOW)["closed"].count() == 0
    assert not PurgeRun.objects.exists()
    assert Registration.objects.count() == 2


def test_the_purge_command_uses_the_sites_default(page_a, page_b, settings_b):
    from io import StringIO

    from django.core.management import call_command

    for page in (page_a, page_b):
        registration = RegistrationFactory(page=page, status="withdrawn")
        Registration.objects.filter(pk=registration.pk).update(
            updated_at=timezone.now() - 8 * DAY
        )
    out = StringIO()
    call_command("selvhjelp_purge", "--dry-run", stdout=out)
    assert "     1  withdrawn or spam registrations deleted" in out.getvalue()
    call_command("selvhjelp_purge", stdout=StringIO())
    assert list(Registration.objects.values_list("page", flat=True)) == [page_a.pk]
    run = PurgeRun.objects.get()
    assert run.counts["closed"] == 1
    assert run.counts_by_site[str(page_b.get_site().pk)]["closed"] == 1
    assert run.counts_by_site[str(page_a.get_site().pk)]["closed"] == 0


def test_the_site_settings_show_the_retention_defaults(admin_client, site_b):
    response = admin_client.get(
        reverse(
            "wagtailsettings:edit",
            args=["wagtail_selvhjelp", "selfhelpsitesettings", site_b.pk],
        )
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="retention_closed_days"' in html
    assert "Empty: the installation&#x27;s default." in html


def test_a_sites_default_is_kept_within_the_limits(site_b):
    from django.core.exceptions import ValidationError

    settings = SelfHelpSiteSettings(site=site_b, retention_closed_days=365)
    with pytest.raises(ValidationError) as raised:
        settings.full_clean()
    assert "retention_closed_days" in raised.value.message_dict


# The data migration


def test_the_migration_gives_existing_counts_their_pages_site(
    page_a, page_b, site_a, site_b
):
    migration = importlib.import_module(
        "wagtail_selvhjelp.migrations.0025_statistics_sites_data"
    )
    month = datetime.date(2026, 1, 1)
    for page_id in (page_a.pk, page_b.pk, 99999):
        RegistrationStatistic.objects.create(
            month=month,
            page_id=page_id,
            page_title="x",
            dimension="total",
            outcome="withdrawn",
            count=1,
        )
        GroupLifeStatistic.objects.create(
            year=2026, page_id=page_id, page_title="x", measure="started", count=1
        )
    migration.give_statistics_a_site(apps, None)
    for model in (RegistrationStatistic, GroupLifeStatistic):
        sites = dict(model.objects.values_list("page_id", "site"))
        assert sites == {page_a.pk: site_a.pk, page_b.pk: site_b.pk, 99999: None}


def test_the_migration_lets_pages_with_the_default_follow_their_site(page_a, page_b):
    migration = importlib.import_module(
        "wagtail_selvhjelp.migrations.0025_statistics_sites_data"
    )
    package = Retention.defaults()
    GroupRegistrationPage.objects.filter(pk=page_a.pk).update(
        retention_closed_days=package.closed_days,
        retention_reconfirm_months=package.reconfirm_months,
    )
    GroupRegistrationPage.objects.filter(pk=page_b.pk).update(retention_closed_days=9)
    migration.follow_the_site_defaults(apps, None)
    page_a.refresh_from_db()
    page_b.refresh_from_db()
    assert page_a.retention_closed_days is None
    assert page_a.retention_reconfirm_months is None
    assert page_b.retention_closed_days == 9
    migration.fill_in_the_defaults(apps, None)
    page_a.refresh_from_db()
    assert page_a.retention_closed_days == package.closed_days


# Queries


def test_the_statistics_do_not_grow_a_query_per_page(client, dpo_a, section):
    """The scope is a subquery and the sites one lookup, whatever the
    number of pages and rows."""

    def queries():
        client.force_login(dpo_a)
        with CaptureQueriesContext(connection) as captured:
            for name in ("index", "groups"):
                client.get(reverse(f"wagtail_selvhjelp_statistics:{name}"))
        return len(captured)

    pages = [
        make_registration_page(section, title=f"Side {n}", slug=f"s{n}")
        for n in range(3)
    ]
    _counts(pages[0], 2, 2, "Gol")
    first = queries()
    for page in pages[1:]:
        _counts(page, 2, 2, "Gol")
    assert queries() == first


def test_the_overview_reads_a_sites_settings_once(rf, section, superuser):
    pages = [
        make_registration_page(section, title=f"Side {n}", slug=f"s{n}")
        for n in range(3)
    ]
    pages = list(Page.objects.filter(pk__in=[p.pk for p in pages]).specific())
    request = rf.get("/")
    request.user = superuser
    privacy.retention_for(pages[0], request)
    with CaptureQueriesContext(connection) as captured:
        for page in pages[1:]:
            privacy.retention_for(page, request)
    assert len(captured) == 0


def test_scope_counts_to_user_needs_an_active_user(counts, dpo_a):
    rows = RegistrationStatistic.objects.all()
    assert scope_counts_to_user(rows, dpo_a, "page_id", site_field="site").exists()
    dpo_a.is_active = False
    assert not scope_counts_to_user(rows, dpo_a, "page_id", site_field="site")


def test_the_overview_costs_one_query_per_page_at_most(
    rf, section, superuser, django_user_model
):
    """A page's coordinator groups are one query; their members and the
    site's retention defaults are read once for all pages."""

    def make(number):
        page = make_registration_page(
            section, title=f"Side {number}", slug=f"s{number}"
        )
        group = _coordinators(f"Koordinatorer {number}", page)
        for member in range(2):
            user = django_user_model.objects.create_user(f"k{number}-{member}")
            user.groups.add(group)
        return page.pk

    def queries(ids):
        request = rf.get("/")
        request.user = superuser
        pages = Page.objects.filter(pk__in=ids).specific()
        with CaptureQueriesContext(connection) as captured:
            found = privacy.overview(pages, request)
        assert all(len(item.coordinator_groups[0]["members"]) == 2 for item in found)
        return len(captured)

    ids = [make(number) for number in range(2)]
    two = queries(ids)
    ids += [make(number) for number in range(2, 6)]
    six = queries(ids)
    assert six - two <= 4


def test_a_permission_in_the_nynorsk_tree_works_for_the_site(
    settings, home_page, site_a, page_a, django_user_model
):
    """A neutral site's nynorsk tree is the translation of its root: its
    officer, given a permission there, works for the site and sees the
    counts of both trees."""
    from wagtail.models import Locale

    from wagtail_selvhjelp.models.sites import site_ids_for_user

    settings.WAGTAIL_I18N_ENABLED = True
    nynorsk, _created = Locale.objects.get_or_create(language_code="nn")
    home_nn = home_page.copy_for_translation(nynorsk)
    Site.clear_site_root_paths_cache()
    officer = _dpo(django_user_model, "personvern-nn", home_nn)
    assert site_ids_for_user(officer) == {site_a.pk}
    _counts(page_a, 0, 5, "Gol")
    assert scope_counts_to_user(
        RegistrationStatistic.objects.all(), officer, "page_id", site_field="site"
    ).exists()
