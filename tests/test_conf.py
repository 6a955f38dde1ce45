import pytest
from django.core.exceptions import ImproperlyConfigured

from wagtail_selvhjelp.conf import DEFAULTS, selvhjelp_settings


def test_defaults_apply_without_a_project_setting(settings):
    del settings.WAGTAIL_SELVHJELP
    # Deleting a setting sends no setting_changed signal (pytest-django
    # deletes it from the settings object directly), so a value an earlier
    # test read would still be cached.
    selvhjelp_settings.reload()
    for name, value in DEFAULTS.items():
        assert getattr(selvhjelp_settings, name) == value


def test_project_values_override_defaults_and_are_reloaded(settings):
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOUR": 3}
    assert selvhjelp_settings.RATE_LIMIT_PER_HOUR == 3
    assert selvhjelp_settings.GROUP_MIN_SIZE == DEFAULTS["GROUP_MIN_SIZE"]
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOUR": 7}
    assert selvhjelp_settings.RATE_LIMIT_PER_HOUR == 7


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        selvhjelp_settings.NOT_A_SETTING  # noqa: B018


def test_unknown_key_is_reported(settings):
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOURS": 3}
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_PER_HOURS"):
        selvhjelp_settings.RATE_LIMIT_PER_HOUR  # noqa: B018


def test_setting_must_be_a_dict(settings):
    settings.WAGTAIL_SELVHJELP = ["RATE_LIMIT_PER_HOUR"]
    with pytest.raises(ImproperlyConfigured, match="must be a dict"):
        selvhjelp_settings.RATE_LIMIT_PER_HOUR  # noqa: B018
