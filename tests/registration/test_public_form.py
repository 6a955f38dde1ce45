"""Any form built on ``PublicForm`` is as accessible as the registration form.

``AnswerForm`` stands in for the coming invitation answer page and a
starter's sign-up: a form of its own, rendered with the package's includes,
with none of the registration form's questions or texts.
"""

import re

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.utils import translation

from tests.testapp.models import LanguageRegistrationForm
from wagtail_selvhjelp.forms import (
    FixedValueCheckboxInput,
    PublicForm,
    RegistrationForm,
)

from ..factories import make_registration_page


class AnswerForm(PublicForm):
    fieldsets = (
        ("answer", "Your answer", ("answer", "note")),
        ("contact", "How we reach you", ("phone",)),
    )

    answer = forms.ChoiceField(
        label="Will you join the group?",
        help_text="You can change your mind later.",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")],
    )
    note = forms.CharField(
        label="Anything the starter should know?",
        help_text="Optional.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(label="Phone number", help_text="Eight digits.")
    #: In no fieldset: rendered at the end of the last one.
    agree = forms.BooleanField(
        label="I have read the group's principles",
        widget=FixedValueCheckboxInput,
    )


def render(form):
    """The form as a page renders it, with the package's includes."""
    template = engines["django"].from_string(
        '{% include "wagtail_selvhjelp/includes/form_error_summary.html" %}'
        '<form method="post" novalidate>'
        '{% include "wagtail_selvhjelp/includes/form_fieldsets.html" %}</form>'
    )
    return template.render(
        {"form": form, "error_summary": form.error_summary() if form.is_bound else []}
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_questions_have_labels_fieldsets_and_described_hints():
    html = render(AnswerForm())
    assert html.count('<fieldset class="selvhjelp-fieldset">') == 2
    assert "<legend><h2>Your answer</h2></legend>" in html
    assert "<legend><h2>How we reach you</h2></legend>" in html
    # A text question: a label, and its hint tied to the input.
    assert '<label for="id_phone">Phone number' in html
    phone = re.search(r'<input type="text" name="phone"[^>]*>', html).group(0)
    assert 'aria-describedby="id_phone_hint"' in phone
    assert '<p class="selvhjelp-hint" id="id_phone_hint">Eight digits.</p>' in html
    assert 'aria-describedby="id_note_hint"' in html
    # Radio buttons: a fieldset of their own, described by the hint.
    assert re.search(
        r'<fieldset class="selvhjelp-field selvhjelp-choices" '
        r'aria-describedby="id_answer_hint">\s*<legend>Will you join the group\?',
        html,
    )
    assert '<label for="id_answer_0">Yes</label>' in html
    # The question in no fieldset comes at the end of the last one.
    contact = html[html.index("How we reach you") :]
    assert '<input type="checkbox" name="agree" value="yes"' in contact
    assert '<label for="id_agree">I have read the group' in contact
    assert "selvhjelp-error-summary" not in html


def test_missing_answers_are_named_linked_and_described():
    form = AnswerForm({})
    assert not form.is_valid()
    html = render(form)
    summary = re.search(
        r'<div class="selvhjelp-error-summary".*?</ul>\s*</div>', html, re.S
    ).group(0)
    assert 'role="alert"' in summary and 'id="selvhjelp-error-summary"' in summary
    assert "There are problems with 3 answers" in summary
    named = [
        ("id_answer_0", "Answer this question: Will you join the group?"),
        ("id_phone", "Answer this question: Phone number"),
        ("id_agree", "Answer this question: I have read the group&#x27;s principles"),
    ]
    # In the order of the questions on the page.
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary) == named
    assert "This field is required." not in html
    phone = re.search(r'<input type="text" name="phone"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in phone
    assert 'aria-describedby="id_phone_hint id_phone_error"' in phone
    assert 'id="id_phone_error"' in html
    assert 'aria-describedby="id_answer_hint id_answer_error"' in html


def test_control_characters_are_refused_in_every_text_answer():
    data = {"answer": "yes", "phone": "4123\x004567", "agree": "yes"}
    form = AnswerForm({**data, "note": "Hei\x1b[31m der"})
    assert not form.is_valid()
    assert set(form.errors) == {"note", "phone"}
    assert form.errors["note"] == [
        "Remove the invisible control characters from this answer."
    ]
    assert 'href="#id_note"' in render(form)
    form = AnswerForm({**data, "phone": "41234567", "note": "Linje én\r\nto\tmed tab"})
    assert form.is_valid(), form.errors


def test_a_question_added_in_init_gets_the_same_rules():
    """The rules apply when the form is checked, after any ``__init__``."""

    class WithCode(AnswerForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["code"] = forms.CharField(label="The code in your letter")
            self.fields["phone"].label = "Mobile number"

    form = WithCode({"code": "\x07"})
    assert not form.is_valid()
    assert form.errors["code"] == [
        "Remove the invisible control characters from this answer."
    ]
    assert form.errors["phone"] == ["Answer this question: Mobile number"]
    assert WithCode({}).errors["code"] == [
        "Answer this question: The code in your letter"
    ]


def test_texts_elsewhere_on_the_page_can_describe_a_question():
    class SharedHint(AnswerForm):
        def get_description_ids(self, name):
            return ["contact-hint"] if name == "phone" else []

    phone = re.search(r'<input type="text" name="phone"[^>]*>', render(SharedHint()))
    assert 'aria-describedby="contact-hint id_phone_hint"' in phone.group(0)


def test_a_public_form_needs_fieldsets():
    class NoFieldsets(PublicForm):
        name = forms.CharField()

    with pytest.raises(ImproperlyConfigured):
        NoFieldsets().get_fieldsets()


# The registration form declares its questions


def test_a_site_changes_a_label_by_overriding_one_declaration(db, section):
    class OwnLabel(RegistrationForm):
        message = forms.CharField(label="Noe mer vi bør vite?", required=False)

    page = make_registration_page(section)
    form = OwnLabel(page=page)
    assert form.fields["message"].label == "Noe mer vi bør vite?"
    wishes = {fieldset.name: fieldset for fieldset in form.get_fieldsets()}["wishes"]
    assert [field.name for field in wishes.fields][-1] == "message"
    assert list(form.fields)[-1] == "consent"


def test_the_questions_a_page_does_not_ask_are_left_out(db, section):
    page = make_registration_page(
        section, ask_gender=False, ask_avoid=False, ask_access_needs=False
    )
    form = LanguageRegistrationForm(page=page)
    for name in ("gender", "single_gender", "avoid_text", "access_needs"):
        assert name not in form.fields
        assert name in RegistrationForm.base_fields  # declared all the same
    assert "group_language" in form.fields
    assert list(form.fields)[-1] == "consent"


def test_the_options_are_read_together_and_kept_on_the_fields(
    db, section, django_assert_num_queries
):
    """One UNION ALL for places, time slots and topics, through public API.

    The rows stay on each field (the form's own copy), not in the queryset's
    result cache, which is Django's private business.
    """
    page = make_registration_page(section)
    form = RegistrationForm(page=page)
    names = ("places", "time_slots", "topics")
    with django_assert_num_queries(1):
        options = {name: form.fields[name].options() for name in names}
    with django_assert_num_queries(0):
        for name in names:
            assert form.fields[name].options() is options[name]
            assert len(list(form[name])) == len(options[name])
    assert [o.name for o in options["places"]] == ["Gol", "Hol", "Ål"]
    assert [o.name for o in options["time_slots"]] == ["Dagtid", "Kveld"]
    assert [o.name for o in options["topics"]] == ["Angst", "Sorg"]
    for name in names:
        assert form.fields[name].queryset._result_cache is None
        assert not RegistrationForm.base_fields[name].options_are_read()
    # Another form reads its own rows.
    with django_assert_num_queries(1):
        RegistrationForm(page=page).fields["topics"].options()
