"""Every model with a person's data is declared, and every declaration is used.

``models.privacy.PERSONAL_DATA`` (access, erasure, the overview) and
``privacy.RETENTION_RULES`` (the purge, its command and the overview) are
lists a new model joins with one entry; these tests fail when a model of the
package holds data nobody declared, or a declaration is not carried through.
"""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.models import PurgeRun, Registration, Starter
from wagtail_selvhjelp.models.personal_data import REGISTRANT, STARTER
from wagtail_selvhjelp.models.privacy import HOLDS_NO_PERSONAL_DATA, PERSONAL_DATA

from .factories import RegistrationFactory, make_registration_page


PACKAGE = "wagtail_selvhjelp"


def package_models():
    return {
        model._meta.label: model for model in apps.get_app_config(PACKAGE).get_models()
    }


def declared_holders():
    return {holder.model for holder in PERSONAL_DATA}


def test_every_model_of_the_package_is_declared_once():
    holders = {label for label in declared_holders() if label.startswith(PACKAGE)}
    undeclared = set(package_models()) - holders - set(HOLDS_NO_PERSONAL_DATA)
    assert not undeclared, f"holds personal data or not? {sorted(undeclared)}"
    assert not holders & set(HOLDS_NO_PERSONAL_DATA)
    assert all(reason.strip() for reason in HOLDS_NO_PERSONAL_DATA.values())


def test_every_declaration_names_a_model():
    for label in [*declared_holders(), *HOLDS_NO_PERSONAL_DATA]:
        assert apps.get_model(label)
    assert len(declared_holders()) == len(PERSONAL_DATA)


def _goes_with(model, subject, on_delete=(models.CASCADE,)):
    return model is subject or any(
        isinstance(field, models.ForeignKey)
        and issubclass(subject, field.related_model)
        and field.remote_field.on_delete in on_delete
        for field in model._meta.concrete_fields
    )


def _goes_with_the_registration(model):
    return _goes_with(model, Registration)


def test_only_the_audit_trail_outlives_the_person():
    """Rows kept after an erasure are declared, and only the log is."""
    assert [holder.model for holder in PERSONAL_DATA if holder.outlives] == [
        "wagtail_selvhjelp.SelfHelpLogEntry"
    ]


def test_every_holder_says_whose_data_it_is():
    assert {holder.subject for holder in PERSONAL_DATA} == {REGISTRANT, STARTER}


def test_what_forget_does_not_clear_goes_with_the_registration():
    """A holder without a step in ``forget()`` must be deleted by it anyway."""
    for holder in PERSONAL_DATA:
        model = apps.get_model(holder.model)
        if (
            holder.subject == REGISTRANT
            and holder.forget is None
            and not holder.outlives
            and model._meta.app_label == PACKAGE
        ):
            assert _goes_with_the_registration(model), holder.model


def test_a_starters_data_goes_with_the_starter():
    """Erasing a starter deletes their rows or takes them off (by reference)."""
    for holder in PERSONAL_DATA:
        if holder.subject == STARTER:
            model = apps.get_model(holder.model)
            assert holder.forget is None, holder.model
            assert _goes_with(model, Starter, (models.CASCADE, models.SET_NULL)), (
                holder.model
            )


def test_what_outlives_its_registrations_has_a_retention_rule():
    """Rows that are not deleted with a registration need a rule of their own
    (a starter's rows, the starter's rule)."""
    ruled = {rule.model for rule in privacy.RETENTION_RULES}
    assert Registration in ruled
    assert Starter in ruled
    for holder in PERSONAL_DATA:
        model = apps.get_model(holder.model)
        if (
            holder.subject == STARTER
            or holder.outlives
            or model._meta.app_label != PACKAGE
        ):
            continue
        if not _goes_with_the_registration(model):
            assert model in ruled, holder.model


def test_the_purge_counts_are_the_rules():
    assert privacy.PURGE_COUNTS == (
        "closed",
        "expired",
        "former_members",
        "reconfirmation_requested",
        "archived_starters",
        "matching_runs",
    )
    assert [rule.name for rule in privacy.RETENTION_RULES] == list(privacy.PURGE_COUNTS)


@pytest.mark.django_db
def test_the_purge_and_its_command_carry_every_rule(capsys):
    assert set(privacy.purge(dry_run=True)) == set(privacy.PURGE_COUNTS)
    call_command("selvhjelp_purge")
    output = capsys.readouterr().out
    with translation.override(None):  # the command speaks English
        for rule in privacy.RETENTION_RULES:
            assert f"0  {rule.label}" in output
    assert set(PurgeRun.objects.get().counts) == set(privacy.PURGE_COUNTS)


@pytest.mark.django_db
def test_due_for_has_a_queryset_per_rule(section):
    due = privacy.due_for(make_registration_page(section))
    for rule in privacy.RETENTION_RULES:
        assert due[rule.name].model is rule.model


@pytest.mark.django_db
def test_the_overview_shows_every_rule_and_every_kind_of_data(admin_client):
    PurgeRun.objects.create(counts={"closed": 3, "matching_runs": 2})
    response = admin_client.get(reverse("wagtail_selvhjelp_privacy:index"))
    html = response.content.decode()

    def shown(text):
        with translation.override(re.search(r'<html lang="([^"]+)"', html)[1]):
            return escape(capfirst(str(text)))

    counts = dict.fromkeys(privacy.PURGE_COUNTS, "–") | {
        "closed": 3,
        "matching_runs": 2,
    }
    for rule in privacy.RETENTION_RULES:
        assert f"{shown(rule.label)}: {counts[rule.name]}" in html, rule.name
    for holder in PERSONAL_DATA:
        assert shown(holder.holds) in html, holder.model


@pytest.mark.django_db
def test_the_person_data_is_every_access_part_in_order(section):
    registration = RegistrationFactory(page=make_registration_page(section))
    parts = [
        holder.access
        for holder in PERSONAL_DATA
        if holder.access and holder.subject == REGISTRANT
    ]
    keys = [key for part in parts for key in part(registration)]
    assert list(privacy.person_data(registration)) == keys


@pytest.mark.django_db
def test_a_starters_data_is_every_starter_part_in_order(section):
    starter = Starter.objects.create(name="Igang Testesen", email="i@example.test")
    starter.pages.add(make_registration_page(section))
    parts = [
        holder.access
        for holder in PERSONAL_DATA
        if holder.access and holder.subject == STARTER
    ]
    keys = [key for part in parts for key in part(starter)]
    assert list(privacy.starter_person_data(starter)) == keys
    assert "starter_log" in keys
