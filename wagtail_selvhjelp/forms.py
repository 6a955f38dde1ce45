"""The public registration form."""

import unicodedata
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet, Value
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import (
    ACCESS_NEEDS_MAX_LENGTH,
    AVOID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Gender,
    GroupKind,
)
from .phone import normalise_phone


class CachedChoiceIterator(forms.models.ModelChoiceIterator):
    """The field's options from its queryset's rows, fetched once per form.

    Django's iterator runs the query again (with ``.iterator()``) each time
    the options are listed; a page's few places, time slots and topics are
    read once and reused for checking, rendering and validating.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.options():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.options()) + (self.field.empty_label is not None)


class ChoiceModelMultipleField(forms.ModelMultipleChoiceField):
    """Checkboxes of a page's places, time slots or topics, shown by name."""

    widget = forms.CheckboxSelectMultiple
    iterator = CachedChoiceIterator

    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "invalid_choice": _("Choose from the options shown."),
        "invalid_pk_value": _("Choose from the options shown."),
    }

    #: Set by :class:`OptionsReadTogether`: reads these options with others.
    read_together = None

    def label_from_instance(self, obj):
        return obj.name

    def options(self):
        """The options shown: the queryset's rows, read once per form."""
        if self.read_together is not None:
            self.read_together()
        return self.queryset

    def _check_values(self, value):
        """Accept only the ids of the options shown.

        Compared as strings against the page's few options, so that no value
        a client sends (a 20-digit number, "1e9", "-0") ever reaches a
        database query, where it could overflow the integer type. Returns
        the chosen options as a list, in the page's order.
        """
        options = {str(option.pk): option.pk for option in self.options()}
        for key in value:
            if str(key) not in options:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
        chosen = {str(key) for key in value}
        # The rows already read for the checkboxes, not another query.
        return [option for option in self.options() if str(option.pk) in chosen]


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


class OptionsReadTogether:
    """Reads the options of several ``ChoiceModelMultipleField`` in one query.

    A page's places, time slots and topics are three small tables that the
    form needs whenever it is rendered or checked; one ``UNION ALL`` reads
    them the first time any of the fields lists its options, and hands each
    field's queryset its rows, in the queryset's order (``sort_order``, then
    id). A form whose questions come from the fragment cache reads none.
    The lists of a preview, which are in memory, are read as they are.
    """

    def __init__(self, fields):
        self.querysets = [field.queryset for field in fields]
        self.done = not all(isinstance(qs, QuerySet) for qs in self.querysets)
        for field in fields:
            field.read_together = self

    def __call__(self):
        if self.done:
            return
        self.done = True
        columns = [
            [f.attname for f in qs.model._meta.concrete_fields] for qs in self.querysets
        ]
        parts = [
            qs.order_by()
            .annotate(option_list=Value(index))
            .values_list("option_list", *names)
            for index, (qs, names) in enumerate(
                zip(self.querysets, columns, strict=True)
            )
        ]
        rows = [[] for _ in self.querysets]
        for index, *values in parts[0].union(*parts[1:], all=True):
            qs = self.querysets[index]
            rows[index].append(qs.model.from_db(qs.db, columns[index], values))
        for qs, options in zip(self.querysets, rows, strict=True):
            options.sort(key=lambda o: (o.sort_order is None, o.sort_order or 0, o.pk))
            # As Django's prefetch_related fills a queryset it has read.
            qs._result_cache = options
            qs._prefetch_done = True


class FixedValueCheckboxInput(forms.CheckboxInput):
    """A checkbox that sends one fixed value and counts as ticked only with it.

    Django's own checkbox counts any non-empty value but "false" as ticked,
    so a client posting ``0``, ``off``, ``no`` or ``nei`` would be recorded as
    agreeing. This one renders ``value="yes"`` and accepts exactly that.
    """

    checked_value = "yes"

    def format_value(self, value):
        return self.checked_value

    def value_from_datadict(self, data, files, name):
        return data.get(name) == self.checked_value


@dataclass
class Fieldset:
    """A group of questions rendered as ``<fieldset>`` with a ``<legend>``."""

    name: str
    legend: str
    fields: list


class RegistrationBoundField(forms.BoundField):
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
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            attrs.pop("aria-describedby", None)
            return attrs
        described_by = []
        if self.name == "consent":
            described_by.append(self.form.privacy_notice_id)
        if self.name in self.form.contact_fields:
            described_by.append(self.form.contact_hint_id)
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
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            return "wagtail_selvhjelp/includes/form_choices.html"
        if isinstance(widget, forms.CheckboxInput):
            return "wagtail_selvhjelp/includes/form_checkbox.html"
        return "wagtail_selvhjelp/includes/form_field.html"


class RegistrationForm(forms.Form):
    """The questions of a :class:`GroupRegistrationPage`.

    The fields depend on the page: its places, time slots and topics, and
    which optional questions the editor turned on. Spam fields (the honeypot
    and the signed form token) are checked by the page, not here, so that
    spam never reaches validation messages.
    """

    #: Name of the honeypot field: hidden from people and assistive tech.
    honeypot_field_name = "website"
    #: E-mail and phone share one hint: "give one or both".
    contact_fields = ("email", "phone")
    contact_hint_id = "selvhjelp-contact-hint"
    #: The privacy notice on the page; the consent checkbox refers to it.
    privacy_notice_id = "selvhjelp-privacy"

    bound_field_class = RegistrationBoundField

    #: The form's fieldsets in order: (name, legend, field names). A field
    #: not named here, such as a site's extra question, is rendered at the
    #: end of the fieldset named by ``extra_fields_fieldset``.
    fieldsets = (
        ("about", _("About you"), ("name", "email", "phone", "birth_year")),
        (
            "wishes",
            _("Your wishes for a group"),
            (
                "places",
                "time_slots",
                "topics",
                "group_kind",
                "gender",
                "single_gender",
                "avoid_text",
                "access_needs",
                "message",
            ),
        ),
        ("privacy", _("Privacy"), ("consent",)),
    )
    extra_fields_fieldset = "wishes"

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("So that we know what to call you when we get in touch."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": _("Enter an e-mail address such as navn@example.no.")
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        help_text=_("Four digits, for example 1984."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "bday-year",
                "inputmode": "numeric",
                "maxlength": "4",
                "size": "4",
            }
        ),
        error_messages={
            "required": _("Enter your year of birth."),
            "invalid": _(
                "Write your year of birth with four digits, for example 1984."
            ),
        },
    )
    group_kind = forms.ChoiceField(
        label=_("What kind of group would you like?"),
        widget=forms.RadioSelect,
        initial="any",
        error_messages={"required": _("Choose what kind of group you would like.")},
    )
    consent = forms.BooleanField(
        help_text=_("Read the privacy notice above before you agree."),
        widget=FixedValueCheckboxInput,
        error_messages={
            "required": _(
                "Tick the box to agree, so that we can store your registration."
            )
        },
    )

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        this_year = timezone.localdate().year
        self.fields["birth_year"].validators += [
            MinValueValidator(this_year - 120, _("Check the year of birth.")),
            MaxValueValidator(this_year, _("Check the year of birth.")),
        ]
        self.fields["places"] = ChoiceModelMultipleField(
            label=_("Where can you attend?"),
            help_text=_("Choose all that suit you."),
            queryset=page.places.active().order_by("sort_order", "pk"),
            error_messages={"required": _("Choose at least one place.")},
        )
        self.fields["time_slots"] = ChoiceModelMultipleField(
            label=_("When can you attend?"),
            help_text=_("Choose all that suit you."),
            queryset=page.time_slots.active().order_by("sort_order", "pk"),
            error_messages={"required": _("Choose at least one time.")},
        )
        topics = page.topics.active().order_by("sort_order", "pk")
        self.fields["topics"] = ChoiceModelMultipleField(
            label=_("What would you like to talk about in the group?"),
            help_text=_("Optional. Choose as many as you like."),
            queryset=topics,
            required=False,
        )
        self.fields["group_kind"].choices = GroupKind.choices
        self.fields["group_kind"].help_text = _(
            "In a group with a shared topic, everyone has come for the same thing; "
            "a mixed group brings together people with different things on their mind."
        )
        if page.ask_gender:
            self.fields["gender"] = forms.ChoiceField(
                label=_("Gender"),
                help_text=_(
                    "Optional. Only asked so we can offer single-gender groups."
                ),
                widget=forms.RadioSelect,
                choices=[("", _("Prefer not to say")), *Gender.choices],
                required=False,
            )
            self.fields["single_gender"] = forms.BooleanField(
                label=_("I would prefer a group where everyone shares my gender"),
                required=False,
            )
        if page.ask_avoid:
            self.fields["avoid_text"] = forms.CharField(
                label=_("Is there someone you should not be in a group with?"),
                help_text=_(
                    "Optional. For example a close family member or friend who may "
                    "also register. Write their name; we will keep you apart."
                ),
                max_length=AVOID_MAX_LENGTH,
                required=False,
            )
        if page.ask_access_needs:
            self.fields["access_needs"] = forms.CharField(
                label=_("Do you need anything in particular at the meeting place?"),
                help_text=_(
                    "Optional. For example step-free access or a hearing loop."
                ),
                max_length=ACCESS_NEEDS_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["message"] = forms.CharField(
            label=_("Anything else you would like us to know?"),
            help_text=_("Optional. Only the coordinators read this."),
            max_length=MESSAGE_MAX_LENGTH,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        # Consent comes last, whatever was added above. Its label is the exact
        # wording the person agrees to, which is stored with the registration.
        self.fields["consent"] = self.fields.pop("consent")
        self.fields["consent"].label = page.consent_text
        self._name_the_question_in_required_messages()
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_control_characters)
        OptionsReadTogether(
            [self.fields[name] for name in ("places", "time_slots", "topics")]
        )

    def _name_the_question_in_required_messages(self):
        """Give a required question without a message of its own one naming it.

        Every question of the package has its own ("Enter your name."); this
        covers a site's extra questions, so that no message in the error
        summary is a bare "This field is required."
        """
        generic = forms.Field.default_error_messages["required"]
        for name, field in self.fields.items():
            if field.required and field.error_messages.get("required") == generic:
                field.error_messages["required"] = gettext(
                    "Answer this question: %(question)s"
                ) % {"question": field.label or pretty_name(name)}

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned_data = super().clean()
        if not (cleaned_data.get("email") or cleaned_data.get("phone")) and not (
            self.has_error("email") or self.has_error("phone")
        ):
            self.add_error(
                "email",
                _("Give an e-mail address or a phone number, so we can get in touch."),
            )
        if cleaned_data.get("single_gender") and not cleaned_data.get("gender"):
            self.add_error(
                "gender",
                _("Tell us your gender if you would like a single-gender group."),
            )
        group_kind = cleaned_data.get("group_kind")
        if (
            group_kind == "themed"
            and "topics" in cleaned_data
            and not cleaned_data["topics"]
        ):
            self.add_error(
                "topics",
                _("Choose at least one topic if you want a group with a shared topic."),
            )
        return cleaned_data

    def get_fieldsets(self):
        """The :class:`Fieldset` list the template renders, fields bound.

        A list of choices with no options (a page without topics) is left out.
        """
        named = {name for _name, _legend, names in self.fieldsets for name in names}
        extra = [name for name in self.fields if name not in named]
        fieldsets = []
        for fieldset_name, legend, names in self.fieldsets:
            if fieldset_name == self.extra_fields_fieldset:
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
        if isinstance(
            field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect
        ):
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
