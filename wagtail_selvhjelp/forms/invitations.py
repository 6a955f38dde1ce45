"""The answer to an invitation: yes or no, and after a no, what next."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import PublicForm


class OfferAnswerForm(PublicForm):
    """Accept or decline a place; a decline says whether the person stays on
    the waiting list or withdraws (asked in a fieldset of its own, so the
    page works without JavaScript)."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("accept", _("Yes, I want the place")),
            ("decline", _("No, I do not want the place")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    then = forms.ChoiceField(
        label=_("If you say no"),
        help_text=_("Only needed if you say no."),
        choices=[
            ("waiting", _("Keep me on the waiting list for another group")),
            ("withdrawn", _("Take me off the waiting list")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )

    fieldsets = (
        ("answer", _("Do you want the place?"), ("answer",)),
        ("then", _("Stay on the waiting list, or withdraw?"), ("then",)),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == "decline" and not cleaned.get("then"):
            self.add_error(
                "then",
                _("Choose whether you stay on the waiting list or withdraw."),
            )
        if cleaned.get("answer") == "accept":
            cleaned["then"] = ""
        return cleaned
