"""The field catalogue on ``Registration`` is the one list of what each field is.

The form's fieldsets are written out for the page's layout; here they are
checked against the catalogue, so a question cannot be asked without being
stored, nor declared without being asked. A site's subclass with one extra
field (``tests.testapp``) shows that adding an answer is that one field: it
is stored, compared, inspected, in the person's data and in the overview.
"""

import pytest

from tests.testapp.models import LanguageRegistration
from wagtail_selvhjelp import export, privacy
from wagtail_selvhjelp.forms import RegistrationForm
from wagtail_selvhjelp.models import Registration

from .test_extension import language_page  # noqa: F401 (a fixture)
from .test_form import post


NOT_FIELDS = {"pk", "days_waiting"}  # spreadsheet columns of their own


def field_names(model):
    return {field.name for field in model._meta.get_fields()}


def test_every_name_in_the_catalogue_is_a_field():
    names = field_names(Registration)
    for attribute in (
        "answer_fields",
        "optional_answers",
        "coordinator_fields",
        "sensitive_fields",
        "internal_fields",
        "inspect_fields",
    ):
        assert set(getattr(Registration, attribute)) <= names, attribute
    assert set(Registration.export_fields) - NOT_FIELDS <= names
    assert set(Registration.export_values) <= set(Registration.export_fields)
    assert set(Registration.answer_fields).isdisjoint(Registration.coordinator_fields)
    assert set(Registration.optional_answers) <= set(Registration.answer_fields)
    assert Registration.sensitive_fields <= {
        *Registration.answer_fields,
        *Registration.coordinator_fields,
    }


def test_the_fieldsets_ask_exactly_the_answers():
    asked = [
        name for _key, _legend, names in RegistrationForm.fieldsets for name in names
    ]
    assert [name for name in asked if name != "consent"] == list(
        Registration.answer_fields
    )


@pytest.mark.django_db
def test_a_page_asks_every_answer_and_drops_only_what_it_turns_off(page):
    form = RegistrationForm(page=page)
    # In the fieldsets' order when rendered; here as a set.
    assert set(form.fields) == {*Registration.answer_fields, "consent"}
    for switch in set(Registration.optional_answers.values()):
        setattr(page, switch, False)
        off = {name for name, s in Registration.optional_answers.items() if s == switch}
        fields = RegistrationForm(page=page).fields
        assert set(form.fields) - set(fields) == off, switch
        setattr(page, switch, True)


@pytest.mark.django_db
def test_the_spreadsheet_has_no_sensitive_column_without_the_permission():
    basic = export.columns(Registration, with_answers=False)
    full = export.columns(Registration, with_answers=True)
    shown = {
        Registration.export_values.get(n, n): n for n in Registration.export_fields
    }
    assert not {shown[column] for column in basic} & Registration.sensitive_fields
    assert full[: len(basic)] == basic
    assert {shown[column] for column in full[len(basic) :]} == (
        Registration.sensitive_fields & set(Registration.export_fields)
    )
    assert set(export.headings(Registration)) == set(full)


# A site's subclass: one field, nothing else declared


def test_a_subclass_field_is_an_answer_without_a_declaration():
    assert LanguageRegistration.get_added_fields() == ("group_language",)
    assert LanguageRegistration.get_answer_fields() == (
        *Registration.answer_fields,
        "group_language",
    )
    assert Registration.get_added_fields() == ()
    assert Registration.get_answer_fields() == Registration.answer_fields


@pytest.mark.django_db
def test_a_subclass_answer_is_compared_for_a_repeated_form(client, language_page):  # noqa: F811
    assert post(client, language_page, group_language="polski").status_code == 303
    registration = LanguageRegistration.objects.get()
    assert language_page.has_same_answers(registration, {"group_language": "polski"})
    assert not language_page.has_same_answers(registration, {"group_language": "norsk"})


@pytest.mark.django_db
def test_a_subclass_answer_is_in_the_person_data_and_the_overview(
    client,
    language_page,  # noqa: F811
):
    assert post(client, language_page, group_language="polski").status_code == 303
    data = privacy.person_data(Registration.objects.get())
    assert data["registration"]["group_language"] == "polski"
    assert "submission_token" not in data["registration"]
    rows = {str(row["label"]): row for row in privacy.collected_fields(language_page)}
    assert rows["preferred language in the group"]["asked"] is True
    assert "submission_token" not in rows and "consent text" not in rows
