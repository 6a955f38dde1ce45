"""Forms of the coordinator admin (groups and their members)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .choices import GroupStatus
from .models import ContactPoint, Registration


#: Status changes a coordinator may make in the group's form.
ALLOWED_TRANSITIONS = {
    GroupStatus.FORMING: {GroupStatus.ACTIVE, GroupStatus.ENDED},
    GroupStatus.ACTIVE: {GroupStatus.ENDED},
    GroupStatus.ENDED: set(),
}


class SelfHelpGroupForm(WagtailAdminModelForm):
    """A group's details, with choices from its own registration page.

    The status moves forward only: forming → active (within the page's size
    bounds) → ended (the date is recorded; the memberships end, through the
    ``EndGroup`` action).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance.page.specific
        self.fields["place"].queryset = page.places.all()
        self.fields["time_slot"].queryset = page.time_slots.all()
        self.fields["topic"].queryset = page.topics.all()
        self.fields["topic"].empty_label = gettext("Mixed group (no shared topic)")
        if "status" in self.fields:
            current = self.instance.status if self.instance.pk else GroupStatus.FORMING
            allowed = {current, *ALLOWED_TRANSITIONS[current]}
            self.fields["status"].choices = [
                choice for choice in GroupStatus.choices if choice[0] in allowed
            ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        group = self.instance
        if not group.pk:
            return GroupStatus.FORMING
        if status == GroupStatus.ACTIVE and group.status == GroupStatus.FORMING:
            group.check_can_start()
        return status

    def clean(self):
        cleaned_data = super().clean()
        group = self.instance
        if group.pk and group.current_memberships().exists():
            changed = [
                name
                for name in ("place", "time_slot", "topic", "gender")
                if name in self.changed_data
            ]
            if changed:
                self.add_error(
                    None,
                    gettext(
                        "The group has members, so its place, time, topic and "
                        "gender stay as they are. Remove the members first, or "
                        "create a new group."
                    ),
                )
        return cleaned_data


class AddMemberForm(forms.Form):
    """Place a waiting registration of the group's page in the group."""

    registration = forms.ModelChoiceField(
        label=_("Registration"), queryset=Registration.objects.none()
    )
    override_reason = forms.CharField(
        label=_("Reason for placing them despite a mismatch"),
        help_text=_(
            "Only needed when they do not fit the group's place, time, topic, "
            "gender, age span or avoid pairs. It is kept with the membership."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    group_agreed = forms.BooleanField(
        label=_("The group has agreed to take a new member"),
        help_text=_("Needed once the group has started: a started group is closed."),
        required=False,
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["registration"].queryset = (
            Registration.objects.waiting()
            .filter(page_id=group.page_id)
            .prefetch_related("places", "time_slots")
            .order_by("created_at", "pk")
        )
        self.fields["registration"].label_from_instance = lambda registration: (
            f"{registration.name} ({registration}, "
            f"{registration.place_names or '–'}; {registration.time_slot_names or '–'})"
        )
        if group.status != GroupStatus.ACTIVE:
            del self.fields["group_agreed"]


class MunicipalityInput(forms.TextInput):
    """A text input that offers the municipalities contact points already
    have (a ``datalist``), so an editor picks a name rather than retyping it;
    a new municipality is still typed in."""

    template_name = "wagtail_selvhjelp/admin/widgets/municipality_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["list_id"] = f"{widget['attrs'].get('id', name)}_list"
        widget["attrs"]["list"] = widget["list_id"]
        widget["attrs"]["autocomplete"] = "off"
        widget["options"] = list(
            ContactPoint.objects.order_by("municipality")
            .values_list("municipality", flat=True)
            .distinct()
        )
        return context
