"""Admin sessions that open personal data end when idle and after a lifetime."""

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from wagtail_selvhjelp.middleware import LAST_SEEN_KEY, STARTED_KEY


pytestmark = pytest.mark.django_db

HOME = "wagtailadmin_home"


def signed_in(client, user, *, idle=timedelta(0), age=timedelta(0)):
    """``client`` with ``user``'s admin session, last seen ``idle`` ago and
    begun ``age`` ago."""
    client.force_login(user)
    assert client.get(reverse(HOME)).status_code == 200
    now = timezone.now()
    session = client.session
    session[LAST_SEEN_KEY] = (now - idle).timestamp()
    session[STARTED_KEY] = (now - max(age, idle)).timestamp()
    session.save()
    return client


def assert_signed_out(response, client):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login") + "?next=")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse(HOME)).status_code == 302


def test_a_coordinator_idle_for_30_minutes_signs_in_again(client, coordinator_a):
    signed_in(client, coordinator_a, idle=timedelta(minutes=31))
    assert_signed_out(client.get(reverse(HOME)), client)


def test_a_coordinator_active_within_30_minutes_stays(client, coordinator_a):
    signed_in(client, coordinator_a, idle=timedelta(minutes=29), age=timedelta(hours=9))
    assert client.get(reverse(HOME)).status_code == 200
    # The request counts as activity: the idle clock starts again.
    assert timezone.now().timestamp() - client.session[LAST_SEEN_KEY] < 60


def test_after_10_hours_the_session_ends_however_active(client, coordinator_a):
    signed_in(
        client,
        coordinator_a,
        idle=timedelta(minutes=1),
        age=timedelta(hours=10, minutes=1),
    )
    assert_signed_out(client.get(reverse(HOME)), client)


def test_a_superuser_is_held_to_the_same_limits(client, superuser):
    signed_in(client, superuser, idle=timedelta(minutes=31))
    assert_signed_out(client.get(reverse(HOME)), client)


def test_an_editor_without_personal_data_keeps_the_sites_session(client, editor):
    signed_in(client, editor, idle=timedelta(hours=2), age=timedelta(days=2))
    assert client.get(reverse(HOME)).status_code == 200


def test_the_limits_are_configurable(client, coordinator_a, settings):
    settings.WAGTAIL_SELVHJELP = {
        **settings.WAGTAIL_SELVHJELP,
        "ADMIN_SESSION_IDLE_MINUTES": 5,
        "ADMIN_SESSION_MAX_HOURS": None,
    }
    signed_in(client, coordinator_a, idle=timedelta(minutes=4), age=timedelta(days=3))
    assert client.get(reverse(HOME)).status_code == 200
    signed_in(client, coordinator_a, idle=timedelta(minutes=6))
    assert_signed_out(client.get(reverse(HOME)), client)


def test_the_stored_session_expires_with_the_idle_limit(client, coordinator_a):
    signed_in(client, coordinator_a)
    client.get(reverse(HOME))
    assert client.session.get_expiry_age() == 30 * 60


def test_the_deploy_check_warns_without_the_middleware(settings):
    settings.DEBUG = False
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W022" not in ids
    settings.MIDDLEWARE = [
        path for path in settings.MIDDLEWARE if "AdminSessionLifetime" not in path
    ]
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W022" in ids


def test_public_pages_do_not_refresh_the_admin_session(
    client, coordinator_a, home_page
):
    """Reading public pages keeps no admin session alive: only the admin's
    own requests count as activity. (A signed-in editor's page does read the
    session, for Wagtail's user bar, and so is private: docs/caching.md.)"""
    signed_in(client, coordinator_a, idle=timedelta(hours=1))
    last_seen = client.session[LAST_SEEN_KEY]
    response = client.get(home_page.url)
    assert response.status_code == 200
    assert client.session[LAST_SEEN_KEY] == last_seen
    assert "private" in response["Cache-Control"]


def test_public_pages_do_not_read_an_anonymous_visitors_session(client, home_page):
    response = client.get(home_page.url)
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
