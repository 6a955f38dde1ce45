import pytest

from ..factories import make_registration_page


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Tests post at once; the minimum fill time has tests of its own."""
    settings.WAGTAIL_SELVHJELP = {
        **settings.WAGTAIL_SELVHJELP,  # the memory SMS backend
        "MINIMUM_FILL_SECONDS": 0,
    }


@pytest.fixture
def page(section):
    return make_registration_page(section)
