"""The registration page's form in the page editor.

A plain module below the models (it imports none), so the page model can name
it as its ``base_form_class`` without importing the public forms.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class RegistrationPageAdminForm(WagtailAdminPageForm):
    """The registration page's admin form.

    Requires a privacy notice with actual text before publishing (a draft may
    leave it empty), and refuses to delete a place, time slot or topic that
    registrations chose.
    """

    choice_formsets = ("places", "time_slots", "topics")

    def clean_privacy_notice(self):
        value = self.cleaned_data.get("privacy_notice") or ""
        # An emptied rich-text editor still sends an empty paragraph.
        if strip_tags(value).strip():
            return value
        # The field is only required when publishing; drafts defer it.
        if self.fields["privacy_notice"].required:
            raise ValidationError(
                _("Write a privacy notice before you publish the page."),
                code="required",
            )
        return ""

    def clean(self):
        cleaned_data = super().clean()
        for name in self.choice_formsets:
            formset = self.formsets.get(name)
            if formset is None:
                continue
            for form in formset.deleted_forms:
                instance = form.instance
                if instance.pk and instance.registrations.exists():
                    form.add_error(
                        None,
                        _(
                            "“%(name)s” is used by registrations, so it cannot be "
                            "removed. Tick “archived” instead: it disappears from "
                            "the form and the registrations keep it."
                        )
                        % {"name": instance.name},
                    )
                    # Keep the form in the formset so the editor sees the message.
                    form.cleaned_data["DELETE"] = False
                    self.add_error(None, form.errors[NON_FIELD_ERRORS][0])
        return cleaned_data
