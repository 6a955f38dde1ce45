"""Forms of the coordinator admin (groups and their members)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .choices import (
    AfterGroupEnds,
    GroupEndReason,
    GroupStatus,
    LeaveReason,
    RegistrationStatus,
)
from .models import Registration


#: Status changes a coordinator may make in the group's form. Ending a
#: group has a confirmation page of its own, with a reason and a choice for
#: the members (``EndGroupForm``), so it is not offered here.
ALLOWED_TRANSITIONS = {
    GroupStatus.FORMING: {GroupStatus.ACTIVE},
    GroupStatus.ACTIVE: set(),
    GroupStatus.ENDED: set(),
}


class SelfHelpGroupForm(WagtailAdminModelForm):
    """A group's details, with choices from its own registration page.

    The status moves forward only: forming → active (within the page's size
    bounds); a group is ended on its confirmation page (``EndGroupForm``).
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


class RemoveMemberForm(forms.Form):
    """Why a member leaves, and whether they wait for a group again."""

    reason = forms.ChoiceField(
        label=_("Why do they leave?"),
        choices=[("", _("Choose a reason")), *LeaveReason.choices],
    )
    then = forms.ChoiceField(
        label=_("Afterwards"),
        choices=[
            (RegistrationStatus.WAITING, _("Back on the waiting list")),
            (RegistrationStatus.WITHDRAWN, _("Off the waiting list (withdrawn)")),
        ],
        widget=forms.RadioSelect,
    )


class EndGroupForm(forms.Form):
    """Why a group ends, and what becomes of its members."""

    reason = forms.ChoiceField(
        label=_("Why does the group end?"),
        choices=[("", _("Choose a reason")), *GroupEndReason.choices],
    )
    then = forms.ChoiceField(
        label=_("Its members"),
        choices=AfterGroupEnds.choices,
        widget=forms.RadioSelect,
    )
