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


@pytest.fixture
def home_page(db):
    """The example site's home page, created by its data migration."""
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def section(home_page):
    """A published self-help section below the home page."""
    from .factories import SelfHelpIndexPageFactory

    return SelfHelpIndexPageFactory(parent=home_page)
