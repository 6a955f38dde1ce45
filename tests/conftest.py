import os

import pytest
from django.core.cache import caches
from hypothesis import settings as hypothesis_settings


# CI explores the same examples on every run (HYPOTHESIS_PROFILE=ci), so a
# landing is never turned red by chance; local runs keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Give every test a private, temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_caches():
    """Start every test with empty caches (rate limits live there)."""
    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """End every test in the installation's language: Django's
    LocaleMiddleware (on in the i18n tests) leaves the language of its last
    request active in the thread, and the next test would render in it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def english():
    """For tests that read the English source texts: the admin, for a user
    without a preferred language, follows the active language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    """Start every test with no SMS sent, as pytest-django does for e-mails."""
    from wagtail_selvhjelp.sms import memory

    memory.outbox.clear()
    yield


@pytest.fixture
def sms_outbox():
    """The SMS sent through the memory backend (the test settings' backend)."""
    from wagtail_selvhjelp.sms import memory

    return memory.outbox


@pytest.fixture
def home_page(db):
    """The example site's home page, created by its data migration.

    A transactional test (a race on PostgreSQL) ends with a flush that empties
    every table, the migrations' rows included; the tests after it get the
    same locale, root, home page and site built anew.
    """
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return _rebuild_home_page()
    return site.root_page.specific


def _rebuild_home_page():
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    from example_site.home.models import HomePage

    locale, _created = Locale.objects.get_or_create(
        language_code=settings.LANGUAGE_CODE
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(
        instance=HomePage(title="Fjellbygd kommune", slug="home", locale=locale)
    )
    Site.objects.create(
        hostname="localhost",
        site_name="Fjellbygd kommune",
        root_page=home,
        is_default_site=True,
    )
    return home


@pytest.fixture
def section(home_page):
    """A published self-help section below the home page."""
    from .factories import SelfHelpIndexPageFactory

    return SelfHelpIndexPageFactory(parent=home_page)


@pytest.fixture
def nn_site(home_page):
    """A second municipality, in nynorsk, on its own host name."""
    from wagtail.models import Locale, Page, Site

    nynorsk, _created = Locale.objects.get_or_create(language_code="nn")
    home = Page.get_first_root_node().add_child(
        instance=Page(title="Dalbygd kommune", slug="dalbygd", locale=nynorsk)
    )
    return Site.objects.create(
        hostname="dalbygd.example.test", site_name="Dalbygd kommune", root_page=home
    )
