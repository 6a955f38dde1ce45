"""The public registration form."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    ACCESS_NEEDS_MAX_LENGTH,
    AVOID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Gender,
    GroupKind,
)
from ..phone import normalise_phone
from .base import PublicForm
from .fields import (
    ChoiceModelMultipleField,
    FixedValueCheckboxInput,
    OptionsReadTogether,
)


def this_year():
    return timezone.localdate().year


def oldest_birth_year():
    return this_year() - 120


class RegistrationForm(PublicForm):
    """The questions of a :class:`GroupRegistrationPage`.

    Every question is declared here, so a site that wants another label or
    hint overrides one declaration in a subclass. What depends on the page
    is set in ``__init__``: its places, time slots and topics, the wording
    of its consent, and which optional questions the editor turned off.
    Spam fields (the honeypot and the signed form token) are checked by the
    page, not here, so that spam never reaches validation messages.
    """

    #: Name of the honeypot field: hidden from people and assistive tech.
    honeypot_field_name = "website"
    #: E-mail and phone share one hint: "give one or both".
    contact_fields = ("email", "phone")
    contact_hint_id = "selvhjelp-contact-hint"
    #: The privacy notice on the page; the consent checkbox refers to it.
    privacy_notice_id = "selvhjelp-privacy"

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

    #: The page's lists of options, by the name of the page's relation:
    #: read in one query whenever the form is rendered or checked.
    option_fields = ("places", "time_slots", "topics")
    #: The questions a page can turn off, by its flag.
    optional_questions = {
        "ask_gender": ("gender", "single_gender"),
        "ask_avoid": ("avoid_text",),
        "ask_access_needs": ("access_needs",),
    }

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
        # Limits read when the answer is checked, so a long-running process
        # moves on with the calendar.
        validators=[
            MinValueValidator(oldest_birth_year, _("Check the year of birth.")),
            MaxValueValidator(this_year, _("Check the year of birth.")),
        ],
        error_messages={
            "required": _("Enter your year of birth."),
            "invalid": _(
                "Write your year of birth with four digits, for example 1984."
            ),
        },
    )
    places = ChoiceModelMultipleField(
        label=_("Where can you attend?"),
        help_text=_("Choose all that suit you."),
        error_messages={"required": _("Choose at least one place.")},
    )
    time_slots = ChoiceModelMultipleField(
        label=_("When can you attend?"),
        help_text=_("Choose all that suit you."),
        error_messages={"required": _("Choose at least one time.")},
    )
    topics = ChoiceModelMultipleField(
        label=_("What would you like to talk about in the group?"),
        help_text=_("Optional. Choose as many as you like."),
        required=False,
    )
    group_kind = forms.ChoiceField(
        label=_("What kind of group would you like?"),
        help_text=_(
            "In a group with a shared topic, everyone has come for the same thing; "
            "a mixed group brings together people with different things on their mind."
        ),
        widget=forms.RadioSelect,
        choices=GroupKind.choices,
        initial=GroupKind.ANY,
        error_messages={"required": _("Choose what kind of group you would like.")},
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        help_text=_("Optional. Only asked so we can offer single-gender groups."),
        widget=forms.RadioSelect,
        choices=[("", _("Prefer not to say")), *Gender.choices],
        required=False,
    )
    single_gender = forms.BooleanField(
        label=_("I would prefer a group where everyone shares my gender"),
        required=False,
    )
    avoid_text = forms.CharField(
        label=_("Is there someone you should not be in a group with?"),
        help_text=_(
            "Optional. For example a close family member or friend who may "
            "also register. Write their name; we will keep you apart."
        ),
        max_length=AVOID_MAX_LENGTH,
        required=False,
    )
    access_needs = forms.CharField(
        label=_("Do you need anything in particular at the meeting place?"),
        help_text=_("Optional. For example step-free access or a hearing loop."),
        max_length=ACCESS_NEEDS_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("Anything else you would like us to know?"),
        help_text=_("Optional. Only the coordinators read this."),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    #: Its label is the page's consent wording, set in ``__init__``.
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
        for flag, names in self.optional_questions.items():
            if not getattr(page, flag):
                for name in names:
                    del self.fields[name]
        for name in self.option_fields:
            self.fields[name].queryset = (
                getattr(page, name).active().order_by("sort_order", "pk")
            )
        # Consent comes last, after a site's extra questions too. Its label is
        # the exact wording the person agrees to, stored with the registration.
        self.fields["consent"] = self.fields.pop("consent")
        self.fields["consent"].label = page.consent_text
        OptionsReadTogether([self.fields[name] for name in self.option_fields])

    def get_description_ids(self, name):
        ids = []
        if name == "consent":
            ids.append(self.privacy_notice_id)
        if name in self.contact_fields:
            ids.append(self.contact_hint_id)
        return ids

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
            group_kind == GroupKind.THEMED
            and "topics" in cleaned_data
            and not cleaned_data["topics"]
        ):
            self.add_error(
                "topics",
                _("Choose at least one topic if you want a group with a shared topic."),
            )
        return cleaned_data


class ChangeChoicesForm(PublicForm):
    """Places and time slots, changed by the person on their self-service
    page while they wait: the registration form's own questions, offering
    the page's active choices and checked the same way."""

    places = RegistrationForm.base_fields["places"]
    time_slots = RegistrationForm.base_fields["time_slots"]

    fieldsets = (
        (
            "wishes",
            _("Where and when you can attend"),
            ("places", "time_slots"),
        ),
    )

    def __init__(self, *args, page, registration, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "places": list(registration.places.active()),
                "time_slots": list(registration.time_slots.active()),
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("places", "time_slots"):
            self.fields[name].queryset = (
                getattr(page, name).active().order_by("sort_order", "pk")
            )
        OptionsReadTogether([self.fields["places"], self.fields["time_slots"]])
