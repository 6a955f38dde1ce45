"""Spreadsheets read as a person would (issue 18, item 11): local times
without microseconds, and yes/no in words."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wagtail_selvhjelp.models import Registration

from ..factories import RegistrationFactory


pytestmark = pytest.mark.django_db

#: 23:30:15.123456 UTC on 31 December is 00:30:15 on 1 January in Oslo.
CREATED = datetime.datetime(2025, 12, 31, 23, 30, 15, 123456, tzinfo=datetime.UTC)


@pytest.fixture
def registration(page_a):
    registration = RegistrationFactory(page=page_a, possible_duplicate=True)
    Registration.objects.filter(pk=registration.pk).update(created_at=CREATED)
    return registration


def export(client, spreadsheet_format):
    return client.get(
        reverse("wagtail_selvhjelp_registration:index")
        + f"?export={spreadsheet_format}"
    )


def test_csv_has_local_times_and_yes_no_in_words(client, superuser, registration):
    client.force_login(superuser)
    text = b"".join(export(client, "csv").streaming_content).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text)))
    values = dict(zip(header, row, strict=True))
    local = timezone.localtime(CREATED)
    assert local.hour == 0  # the test's zone is Oslo
    assert "2026-01-01 00:30:15" in row
    assert not any(".123456" in value or "+00:00" in value for value in row)
    flags = [values[h] for h in header if values[h] in ("Ja", "Nei", "True", "False")]
    assert flags and set(flags) <= {"Ja", "Nei"}


def test_xlsx_has_local_times_without_microseconds(client, superuser, registration):
    client.force_login(superuser)
    response = export(client, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    times = [value for value in row if isinstance(value, datetime.datetime)]
    assert times == [datetime.datetime(2026, 1, 1, 0, 30, 15)]
    assert "Ja" in row
    assert not any(isinstance(value, bool) for value in row)
