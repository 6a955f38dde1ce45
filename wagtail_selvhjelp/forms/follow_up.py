"""The anonymous follow-up's two questions, on the accessible public form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import FollowUpMeets, FollowUpUseful
from .base import PublicForm


class FollowUpForm(PublicForm):
    """ "Does the group still meet? Was it useful?" Each optional, one needed."""

    meets = forms.ChoiceField(
        label=_("Does the group still meet?"),
        choices=FollowUpMeets.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    useful = forms.ChoiceField(
        label=_("Has the group been useful to you?"),
        choices=FollowUpUseful.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    fieldsets = (("follow_up", _("Your answer"), ("meets", "useful")),)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("meets") and not cleaned.get("useful"):
            raise ValidationError(
                gettext("Answer at least one of the questions, or close the page.")
            )
        return cleaned
