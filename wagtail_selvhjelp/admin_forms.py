"""Forms of the coordinator admin (groups, their members and starters)."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from .choices import (
    STARTER_PLANNED_MEETINGS,
    AfterGroupEnds,
    GroupEndReason,
    GroupStatus,
    LeaveReason,
    MentionKeptReason,
    RegistrationStatus,
    StarterRole,
    StarterStatus,
    StarterWithdrawalReason,
    StartReason,
)
from .models import ContactPoint, Registration, Starter
from .models.actions import MEETING_FIELDS
from .models.page_scoped import coordinated_page_ids
from .models.sites import site_ids_for_user, works_for_every_site


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
        if (
            group.pk
            and cleaned_data.get("status") == GroupStatus.ACTIVE
            and group.status == GroupStatus.FORMING
        ):
            # Checked as the group will be once saved: a first meeting
            # entered in this form counts.
            candidate = copy.copy(group)
            for name in MEETING_FIELDS:
                if name in cleaned_data:
                    setattr(candidate, name, cleaned_data[name])
            try:
                candidate.check_can_start()
            except ValidationError as error:
                self.add_error("status", error)
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


class StartGroupForm(forms.Form):
    """Confirm a group's start, with a reason when something is missing."""

    reason = forms.ChoiceField(
        label=_("Why does the group start without it?"),
        help_text=_(
            "Only needed when the group has no starter or no first meeting. "
            "The reason is kept with the group."
        ),
        choices=[("", _("No reason needed")), *StartReason.choices],
        required=False,
    )


class StarterForm(WagtailAdminModelForm):
    """A starter in the register, with choices from the pages the user
    coordinates.

    The user picks among their own pages and those pages' places, time slots
    and topics; what the starter has on pages the user does not coordinate
    is neither shown nor lost (it is kept on save). A new starter is active;
    the status changes through its action (the edit view).
    """

    #: The choice fields cut to the user's pages, and the page lookup of each.
    scoped_fields = {
        "pages": "pk__in",
        "places": "page__in",
        "time_slots": "page__in",
        "topics": "page__in",
    }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        pages = coordinated_page_ids(for_user) if for_user else Page.objects.none()
        self.hidden = {}
        for name, lookup in self.scoped_fields.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.queryset = field.queryset.filter(**{lookup: pages})
            if name != "pages":
                field.queryset = field.queryset.select_related("page")
                field.label_from_instance = _choice_with_page
            if self.instance.pk:
                self.hidden[name] = list(
                    getattr(self.instance, name)
                    .exclude(pk__in=field.queryset.values("pk"))
                    .values_list("pk", flat=True)
                )
        if "status" in self.fields and not self.instance.pk:
            del self.fields["status"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        starter = self.instance
        if (
            status == StarterStatus.ARCHIVED
            and starter.pk
            and starter.status != StarterStatus.ARCHIVED
            and starter.assignments.current().exists()
        ):
            raise forms.ValidationError(
                gettext(
                    "This starter still accompanies an open group: withdraw them "
                    "from it first."
                )
            )
        return status

    def clean(self):
        cleaned_data = super().clean()
        # Keep what lies outside the user's pages; a starter serving another
        # page needs none of the user's.
        for name, hidden in self.hidden.items():
            if name in cleaned_data and hidden:
                model = self.fields[name].queryset.model
                cleaned_data[name] = list(cleaned_data[name]) + list(
                    model.objects.filter(pk__in=hidden)
                )
        if "pages" in self.fields and not cleaned_data.get("pages"):
            self.add_error("pages", gettext("Choose at least one registration page."))
        chosen_pages = {page.pk for page in cleaned_data.get("pages") or []}
        for name in ("places", "time_slots", "topics"):
            outside = [
                choice
                for choice in cleaned_data.get(name) or []
                if choice.page_id not in chosen_pages
            ]
            if outside and name in self.fields:
                self.add_error(
                    name,
                    gettext("Choose only from the pages the starter serves."),
                )
        return cleaned_data


def _choice_with_page(choice):
    return f"{choice.name} ({choice.page.title})"


class AssignStarterForm(forms.Form):
    """Give the group a starter, chosen among the page's suggestions."""

    starter = forms.ModelChoiceField(
        label=_("Starter"), queryset=Starter.objects.none()
    )
    role = forms.TypedChoiceField(
        label=_("Role"),
        choices=[
            ("", _("Lead, or co-starter if the group has a lead")),
            *StarterRole.choices,
        ],
        required=False,
    )
    since = forms.DateField(
        label=_("From"), required=False, help_text=_("Empty: today.")
    )
    until = forms.DateField(label=_("Until"), required=False)
    planned_meetings = forms.IntegerField(
        label=_("Meetings they plan to accompany"),
        initial=STARTER_PLANNED_MEETINGS,
        min_value=1,
        max_value=52,
        help_text=_(
            "Starters usually accompany the first two to five meetings; more "
            "than eight is unusual."
        ),
    )

    def __init__(self, *args, starters, **kwargs):
        super().__init__(*args, **kwargs)
        # The suggestions' order: best fit first.
        ids = [starter.pk for starter in starters]
        if ids:
            self.fields["starter"].queryset = Starter.objects.filter(
                pk__in=ids
            ).order_by(Case(*(When(pk=pk, then=rank) for rank, pk in enumerate(ids))))
        self.fields["starter"].label_from_instance = lambda starter: starter.name

    def clean(self):
        cleaned_data = super().clean()
        since, until = cleaned_data.get("since"), cleaned_data.get("until")
        if since and until and until < since:
            self.add_error("until", gettext("The end comes before the start."))
        return cleaned_data


class WithdrawStarterForm(forms.Form):
    """Record a starter's withdrawal from the group, with a reason code."""

    assignment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Why they withdraw"),
        choices=[
            ("", _("Not given")),
            *(
                choice
                for choice in StarterWithdrawalReason.choices
                if choice[0] != StarterWithdrawalReason.ERASED
            ),
        ],
        required=False,
    )


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


class SiteScopedForm(WagtailAdminModelForm):
    """A snippet that belongs to a site (``models/sites.py``): its site is
    chosen among the sites the user works for, and "every site" (no site)
    is offered only to those who work for every site."""

    #: What the empty choice means for this model.
    every_site_label = _("Every site")

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("site")
        if field is None or for_user is None:
            return
        if works_for_every_site(for_user):
            field.empty_label = self.every_site_label
            return
        site_ids = site_ids_for_user(for_user)
        field.queryset = field.queryset.filter(pk__in=site_ids)
        field.required = True
        field.empty_label = None
        self.site_required = True
        if not self.instance.pk and len(site_ids) == 1:
            self.initial.setdefault("site", next(iter(site_ids)))

    #: Whether the user must choose one of their sites.
    site_required = False

    def clean_site(self):
        # Wagtail defers required fields when a draft is saved: a draft
        # without a site would belong to every site and to no one's editors.
        site = self.cleaned_data.get("site")
        if site is None and self.site_required:
            raise ValidationError(
                gettext("Choose the site it belongs to."), code="required"
            )
        return site


class ContactPointForm(SiteScopedForm):
    every_site_label = _("National: shown on every site")


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


class MentionDecisionForm(forms.Form):
    """A decision on one mention of a person being erased, in another
    registration's text: remove it, or keep it for a reason (a code, so that
    the decision holds no name)."""

    REDACT = "redact"
    KEEP = "keep"

    registration = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    field = forms.CharField(max_length=100)
    decision = forms.ChoiceField(
        choices=[
            (REDACT, _("Remove the name, e-mail and phone number")),
            (KEEP, _("Keep the text as it is")),
        ]
    )
    reason = forms.ChoiceField(
        label=_("Why it stays"),
        choices=[("", "---------"), *MentionKeptReason.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.KEEP and not cleaned.get("reason"):
            self.add_error("reason", gettext("Choose why the text stays."))
        return cleaned
