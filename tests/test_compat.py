"""The work-arounds in ``wagtail_selvhjelp.compat``."""

import pytest
from django.db.models import IntegerField, Value
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, PageLogEntry

from wagtail_selvhjelp import audit
from wagtail_selvhjelp.compat import flat_union
from wagtail_selvhjelp.models import SelfHelpLogEntry
from wagtail_selvhjelp.models.audit_log import log_on_page

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db

MODELS = (ModelLogEntry, PageLogEntry, SelfHelpLogEntry, ModelLogEntry)


def nested_union():
    """Built the way Wagtail's site history builds it: one model at a time."""
    queryset = None
    for index, model in enumerate(MODELS):
        part = (
            model.objects.values("pk", "timestamp")
            .annotate(index=Value(index, output_field=IntegerField()))
            .order_by()
        )
        queryset = part if queryset is None else queryset.union(part, all=True)
    return queryset


@pytest.fixture
def registration(section):
    return RegistrationFactory(page=make_registration_page(section))


def test_a_flat_union_returns_every_row_of_the_nested_one_in_order(
    home_page, registration, django_user_model
):
    user = django_user_model.objects.create_user("redaktor")
    log(registration, audit.VIEW.code, user=user)
    log_on_page(registration.page, audit.EXPORT.code, user=user, data={"rows": 1})
    log(home_page, "wagtail.publish", user=user)
    log(user, "wagtail.edit", user=user)

    flat = flat_union(nested_union())

    assert len(flat.query.combined_queries) == len(MODELS)
    rows = list(flat.order_by("-timestamp", "index")[:20])
    expected = sorted(
        (
            {"pk": entry.pk, "timestamp": entry.timestamp, "index": index}
            for index, model in enumerate(MODELS)
            for entry in model.objects.all()
        ),
        key=lambda row: (-row["timestamp"].timestamp(), row["index"]),
    )
    assert rows == expected
    assert {row["index"] for row in rows} == {0, 1, 2, 3}


def test_a_query_without_a_union_is_left_alone():
    queryset = SelfHelpLogEntry.objects.all()
    assert flat_union(queryset) is queryset


def test_the_site_history_lists_all_three_log_models(
    client, admin_user, home_page, registration
):
    log(registration, audit.VIEW.code, user=admin_user)
    log(home_page, "wagtail.publish", user=admin_user)
    log(admin_user, "wagtail.edit", user=admin_user)
    client.force_login(admin_user)

    response = client.get("/admin/reports/site-history/")

    assert response.status_code == 200
    entries = response.context["object_list"]
    assert {type(entry) for entry in entries} == {
        SelfHelpLogEntry,
        PageLogEntry,
        ModelLogEntry,
    }
