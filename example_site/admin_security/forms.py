from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """One code from the authenticator app, or a one-time recovery code."""

    token = forms.CharField(
        label=_("Code"),
        help_text=_("The six digits your authenticator app shows now."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self):
        # People copy codes with spaces ("123 456"); the devices compare digits.
        return "".join(self.cleaned_data["token"].split())
