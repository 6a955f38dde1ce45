"""The registration page's form in the page editor.

A plain module below the models (it imports none), so the page model can name
it as its ``base_form_class`` without importing the public forms.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


#: The mark of a part of the default privacy notice left to the municipality.
FILL_IN = gettext_noop("fill in")


def has_fill_ins(text):
    """Whether ``text`` still holds a "[fill in: …]" of the default notice."""
    languages = {"en", *(code for code, _name in settings.LANGUAGES)}
    for code in languages:
        with translation.override(code):
            if f"[{gettext(FILL_IN)}:" in text:
                return True
    return False


class RegistrationPageAdminForm(WagtailAdminPageForm):
    """The registration page's admin form.

    Requires a privacy notice with actual text, its "[fill in: …]" parts
    completed, before publishing (a draft may leave it unfinished), and refuses to delete a place, time slot or topic that
    registrations chose.
    """

    choice_formsets = ("places", "time_slots", "topics")

    def __init__(self, data=None, files=None, parent_page=None, *args, **kwargs):
        # A new page's default texts follow its language and site, which the
        # create view knows (the parent), not the page's field defaults.
        page = kwargs.get("instance")
        if data is None and page is not None and page.pk is None and parent_page:
            page.use_own_language_for_default_texts(parent=parent_page)
        super().__init__(data, files, parent_page, *args, **kwargs)

    def clean_privacy_notice(self):
        value = self.cleaned_data.get("privacy_notice") or ""
        publishing = self.fields["privacy_notice"].required
        text = strip_tags(value).strip()
        if text and publishing and has_fill_ins(text):
            raise ValidationError(
                _(
                    "Complete the privacy notice before you publish the page: "
                    "replace every “[fill in: …]” with the municipality's details."
                ),
                code="incomplete",
            )
        # An emptied rich-text editor still sends an empty paragraph.
        if text:
            return value
        # The field is only required when publishing; drafts defer it.
        if publishing:
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
            self.refuse_renames(formset)
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
                    # Keep the form in the formset so the editor sees the
                    # message, and show its row again: the re-rendered form
                    # reads DELETE from the posted data, which would keep the
                    # row hidden and marked for deletion.
                    form.cleaned_data["DELETE"] = False
                    data = form.data.copy()
                    data[form.add_prefix("DELETE")] = ""
                    form.data = data
                    self.add_error(None, form.errors[NON_FIELD_ERRORS][0])
        return cleaned_data

    def refuse_renames(self, formset):
        """Refuse a new name for a choice registrations chose: what they
        answered would change under them. Case and spaces may change."""

        def meaning(text):
            return " ".join((text or "").split()).casefold()

        formset.is_valid()  # cleans its forms, as deleted_forms does
        for form in formset.forms:
            instance = form.instance
            if (
                not instance.pk
                or not hasattr(form, "cleaned_data")
                or "name" not in form.changed_data
            ):
                continue
            old, new = form.initial.get("name"), form.cleaned_data.get("name")
            if meaning(old) == meaning(new):
                continue
            count = instance.registrations.count()
            if count:
                form.add_error(
                    "name",
                    ngettext(
                        "“%(name)s” was chosen by %(count)s registration: a new "
                        "name would change what they answered. Tick “archived” "
                        "and add the new one instead.",
                        "“%(name)s” was chosen by %(count)s registrations: a new "
                        "name would change what they answered. Tick “archived” "
                        "and add the new one instead.",
                        count,
                    )
                    % {"name": old, "count": count},
                )
                self.add_error(None, form.errors["name"][0])
