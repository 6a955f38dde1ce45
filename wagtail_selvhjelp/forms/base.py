"""The accessible base every public form of the package is built on.

Public forms are filled in by citizens, many on a phone or with assistive
technology, and WCAG 2.1 AA is law for Norwegian public websites. What makes
a form meet it is the same for every form, so it lives here once: questions
in fieldsets with legends, hints and errors tied to their inputs with
``aria-describedby``, an error summary that links to each question, required
messages that name their question, and no invisible control characters in a
text answer. The templates under ``includes/form_*.html`` render any
:class:`PublicForm`.
"""

import unicodedata
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.utils import pretty_name
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .fields import ChoiceModelMultipleField


def reject_control_characters(value):
    """Refuse invisible control characters; line breaks and tabs are fine.

    Nobody types them on a keyboard or a phone: they come from pasted
    binary or from tools probing the form, and would travel on into the
    coordinators' screens and spreadsheet exports.
    """
    if any(
        unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in value
    ):
        raise ValidationError(
            _("Remove the invisible control characters from this answer."),
            code="control_characters",
        )


@dataclass
class Fieldset:
    """A group of questions rendered as ``<fieldset>`` with a ``<legend>``."""

    name: str
    legend: str
    fields: list


def is_choice_group(widget):
    """Whether ``widget`` is a group of checkboxes or radio buttons.

    Such a group is a ``<fieldset>`` of its own: its hint and errors
    describe the fieldset, and the error summary links to its first option.
    """
    return isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


class PublicBoundField(forms.BoundField):
    """Ties hints and errors to inputs with ``aria-describedby``.

    Groups of checkboxes and radio buttons are described on their fieldset
    (see ``includes/form_choices.html``), so their options only get
    ``aria-invalid``.
    """

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors:
            attrs["aria-invalid"] = "true"
        if is_choice_group(widget):
            attrs.pop("aria-describedby", None)
            return attrs
        described_by = list(self.form.get_description_ids(self.name))
        if self.help_text:
            described_by.append(f"{self.auto_id}_hint")
        if self.errors:
            described_by.append(f"{self.auto_id}_error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        else:
            attrs.pop("aria-describedby", None)
        return attrs

    @property
    def include_template(self):
        """The template that renders this question with its label and hints."""
        widget = self.field.widget
        if is_choice_group(widget):
            return "wagtail_selvhjelp/includes/form_choices.html"
        if isinstance(widget, forms.CheckboxInput):
            return "wagtail_selvhjelp/includes/form_checkbox.html"
        return "wagtail_selvhjelp/includes/form_field.html"


class PublicForm(forms.Form):
    """A citizen's form: fieldsets, described inputs, an error summary.

    Declare the fields and ``fieldsets``; render the form with
    ``includes/form_error_summary.html`` (given ``error_summary``, the
    result of :meth:`error_summary`) and ``includes/form_fieldsets.html``.
    Every required question without a message of its own gets one naming
    it, and every text answer is refused with control characters in it;
    both are applied when the form is validated, so that they also cover
    the fields a subclass adds or relabels in its ``__init__``.
    """

    bound_field_class = PublicBoundField

    #: The form's fieldsets in order: (name, legend, field names). A field
    #: not named here, such as a site's extra question, is rendered at the
    #: end of the fieldset named by ``extra_fields_fieldset`` (by default
    #: the last one).
    fieldsets = ()
    extra_fields_fieldset = None

    def get_description_ids(self, name):
        """Ids of texts elsewhere on the page that describe question ``name``.

        Read by assistive technology before the question's own hint and
        error, as when several questions share one hint.
        """
        return ()

    def full_clean(self):
        self._name_the_question_in_required_messages()
        for field in self.fields.values():
            if (
                isinstance(field, forms.CharField)
                and reject_control_characters not in field.validators
            ):
                field.validators.append(reject_control_characters)
        super().full_clean()

    def _name_the_question_in_required_messages(self):
        """Give a required question without a message of its own one naming it.

        A question may have its own ("Enter your name."); this covers the
        rest, such as a site's extra questions, so that no message in the
        error summary is a bare "This field is required."
        """
        generic = forms.Field.default_error_messages["required"]
        for name, field in self.fields.items():
            if field.required and field.error_messages.get("required") == generic:
                field.error_messages["required"] = gettext(
                    "Answer this question: %(question)s"
                ) % {"question": field.label or pretty_name(name)}

    def get_fieldsets(self):
        """The :class:`Fieldset` list the template renders, fields bound.

        A list of choices with no options (a page without topics) is left out.
        """
        if not self.fieldsets:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs fieldsets: a public form's "
                "questions are rendered in fieldsets with legends."
            )
        named = {name for _name, _legend, names in self.fieldsets for name in names}
        extra = [name for name in self.fields if name not in named]
        extra_fieldset = self.extra_fields_fieldset or self.fieldsets[-1][0]
        fieldsets = []
        for fieldset_name, legend, names in self.fieldsets:
            if fieldset_name == extra_fieldset:
                names = (*names, *extra)
            fields = [
                self[name]
                for name in names
                if name in self.fields and not self._has_no_options(name)
            ]
            fieldsets.append(Fieldset(fieldset_name, legend, fields))
        return fieldsets

    def _has_no_options(self, name):
        field = self.fields[name]
        return isinstance(field, ChoiceModelMultipleField) and not field.options()

    def first_error_id(self, name):
        """The id the error summary links to: the field, or its first option."""
        field = self[name]
        if is_choice_group(field.field.widget):
            return f"{field.auto_id}_0"
        return field.auto_id

    def error_summary(self):
        """[(anchor id, message)] for the error summary at the top of the form."""
        summary = [("", message) for message in self.non_field_errors()]
        order = [
            field.name for fieldset in self.get_fieldsets() for field in fieldset.fields
        ]
        for name in [*order, *(name for name in self.fields if name not in order)]:
            for message in self.errors.get(name, []):
                summary.append((self.first_error_id(name), message))
        return summary
