"""Hostile values in the admin listings' filters: a clear message, never a 500.

Every filter of every listing validates its value (a 20-digit id, a year
outside the calendar, a date range to the end of time) and the listing
answers with the filter's error; an export or a bulk change with an invalid
filter is refused instead of widening to everything.
"""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import Registration, SelfHelpLogEntry


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


REGISTRATIONS = "wagtail_selvhjelp_registration:index"
REGISTRATION_RESULTS = "wagtail_selvhjelp_registration:index_results"
BULK_STATUS = "wagtail_selvhjelp_registration:bulk_status"
GROUPS = "wagtail_selvhjelp_group:index"
GROUP_RESULTS = "wagtail_selvhjelp_group:index_results"
STATISTICS = "wagtail_selvhjelp_statistics:index"
STATISTICS_RESULTS = "wagtail_selvhjelp_statistics:results"

TWENTY_DIGITS = "9" * 20


@pytest.fixture
def signed_in(client, coordinator_a, registration_a):
    client.force_login(coordinator_a)
    client.raise_request_exception = True
    return client


@pytest.mark.parametrize("url_name", [REGISTRATIONS, REGISTRATION_RESULTS])
@pytest.mark.parametrize(
    "params",
    [
        {"page": TWENTY_DIGITS},
        {"places": TWENTY_DIGITS},
        {"time_slots": "-1"},
        {"topics": "1e400"},
        {"created_at_to": "9999-12-31"},
        {"created_at_from": "0001-01-01", "created_at_to": "9999-12-31"},
        {"created_at_from": "99999-01-01"},
    ],
)
def test_the_registrations_listing_answers_hostile_filters(signed_in, url_name, params):
    response = signed_in.get(reverse(url_name), params)
    assert response.status_code == 200


@pytest.mark.parametrize("url_name", [REGISTRATIONS, REGISTRATION_RESULTS])
def test_an_id_past_the_database_is_a_filter_error(signed_in, url_name):
    response = signed_in.get(reverse(url_name), {"page": TWENTY_DIGITS})
    assert response.status_code == 200
    assert response.context["filters"].errors["page"]


@pytest.mark.parametrize(
    "params",
    [
        {"created_at_to": "9999-12-31"},
        {"created_at_from": "0001-01-01", "created_at_to": "2026-01-01"},
    ],
)
def test_a_date_at_the_calendars_end_is_a_filter_error(signed_in, params):
    response = signed_in.get(reverse(REGISTRATIONS), params)
    assert response.status_code == 200
    assert response.context["filters"].errors["created_at"]


@pytest.mark.parametrize("url_name", [GROUPS, GROUP_RESULTS])
@pytest.mark.parametrize("page", [TWENTY_DIGITS, "-1", "1.5", "0x10"])
def test_the_groups_listing_answers_a_hostile_page_filter(signed_in, url_name, page):
    assert signed_in.get(reverse(url_name), {"page": page}).status_code == 200


@pytest.mark.parametrize("page", [TWENTY_DIGITS, "nonsense"])
def test_the_bulk_status_form_refuses_a_hostile_page_filter(signed_in, page):
    url = reverse(BULK_STATUS) + f"?page={page}"
    response = signed_in.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(REGISTRATIONS) + f"?page={page}"
    response = signed_in.post(url, {"status": "spam"})
    assert response.status_code == 302
    assert not Registration.objects.filter(status="spam").exists()


@pytest.mark.parametrize("url_name", [STATISTICS, STATISTICS_RESULTS])
@pytest.mark.parametrize("year", ["0", "-1", "10000", "9" * 20, "2026.5", "1e4"])
def test_the_statistics_answer_a_year_outside_the_calendar(signed_in, url_name, year):
    response = signed_in.get(reverse(url_name), {"year": year})
    assert response.status_code == 200
    assert response.context["filters"].errors["year"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "params", [{"page": TWENTY_DIGITS}, {"status": "nonsense"}, {"places": "x"}]
)
def test_an_export_with_an_invalid_filter_is_refused(signed_in, fmt, params):
    response = signed_in.get(reverse(REGISTRATIONS), {"export": fmt, **params})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse(REGISTRATIONS)) and "export" not in location
    assert not SelfHelpLogEntry.objects.filter(
        action="wagtail_selvhjelp.export"
    ).exists()
    listing = signed_in.get(location)
    assert "not valid" in " ".join(str(m) for m in listing.context["messages"])
