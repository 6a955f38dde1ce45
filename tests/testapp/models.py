"""A site's own registration page with one extra question: the README example.

The page subclasses the package's ``GroupRegistrationPage``; its registrations
are stored in a subclass of ``Registration`` with a field for the answer.
"""

from django import forms
from django.db import models

from wagtail_selvhjelp.forms import RegistrationForm
from wagtail_selvhjelp.models import GroupRegistrationPage, Registration


class LanguageRegistration(Registration):
    group_language = models.CharField(
        "preferred language in the group", max_length=20, blank=True
    )


class LanguageRegistrationForm(RegistrationForm):
    group_language = forms.ChoiceField(
        label="Which language would you like the group to speak?",
        help_text="We try to put together groups in more languages.",
        choices=[("norsk", "Norsk"), ("english", "English"), ("polski", "Polski")],
        widget=forms.RadioSelect,
    )


class LanguageRegistrationPage(GroupRegistrationPage):
    form_class_path = "tests.testapp.models.LanguageRegistrationForm"
    template = GroupRegistrationPage.template

    def get_registration_model(self):
        return LanguageRegistration
