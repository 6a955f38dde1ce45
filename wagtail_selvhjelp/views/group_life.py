"""A group's life in the admin: removing a member and ending the group with
a confirmation step, the members' contact details on the group's page, and
the printable contact list for the phone calls.

The confirmations work without JavaScript: GET shows what will happen and
changes nothing; a POST with CSRF carries the reason code and the choice
for the members, and acts through ``RemoveMember`` or ``EndGroup``.
Contact details are personal data: every page that shows them writes one
log entry on the group naming the registration numbers shown, not one per
person (ids only).
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import audit
from ..admin_forms import EndGroupForm, RemoveMemberForm
from ..choices import AfterGroupEnds, GroupStatus, RegistrationStatus
from ..conf import selvhjelp_settings
from ..http import private_response
from ..models import GroupMembership
from ..models.actions import EndGroup, RemoveMember, StartGroup
from ..models.group_life import FollowUp
from ..models.permissions import registration_permission_policy
from .scoping import ScopedQuerysetMixin


def log_contacts_shown(group, registration_ids, user, log_action):
    """One log entry on ``group`` for contact details shown (ids only)."""
    if registration_ids:
        log(
            group,
            log_action.code,
            user=user,
            data={"registrations": sorted(registration_ids)},
        )


class GroupLife:
    """The group page's section: contacts, the next step, the follow-up.

    Built by ``GroupMembersView`` for its template; building it logs the
    contact details it shows (one entry per page view).
    """

    def __init__(self, view, group, current, *, page):
        self.view = view
        self.group = group
        self.page = page
        user = view.request.user
        #: Contact details only for those who may see the registrations.
        self.shows_contacts = (
            registration_permission_policy.user_has_permission_for_instance(
                user, "view", group
            )
        )
        self.members = [membership.registration for membership in current]
        if self.shows_contacts:
            log_contacts_shown(
                group, [r.pk for r in self.members], user, audit.CONTACTS_VIEW
            )

    @cached_property
    def follow_up(self):
        return FollowUp.objects.filter(group=self.group).first()

    def contact_list_url(self):
        if not (self.shows_contacts and self.members):
            return None
        return reverse(self.view.contact_list_url_name, args=[self.group.pk])

    def registration_url(self, registration):
        return reverse(self.view.registration_inspect_url_name, args=[registration.pk])

    @cached_property
    def rows(self):
        """(registration, its inspect URL) for each current member."""
        return [(r, self.registration_url(r)) for r in self.members]

    @cached_property
    def follow_up_on(self):
        days = selvhjelp_settings.FOLLOW_UP_AFTER_DAYS
        if days is None or self.group.started_on is None:
            return None
        return self.group.started_on + timedelta(days=days)

    @cached_property
    def next_step(self):
        """What the coordinator should do next, in words."""
        group, page = self.group, self.page
        count = len(self.members)
        if group.status == GroupStatus.ENDED:
            return gettext(
                "The group has ended. Nothing more to do: its members' data is "
                "deleted when the retention period is over."
            )
        if group.status == GroupStatus.FORMING:
            if count < page.group_min_size:
                return gettext(
                    "Place at least %(missing)s more member(s): a group starts "
                    "with %(min)s."
                ) % {"missing": page.group_min_size - count, "min": page.group_min_size}
            # What the start still needs, as the start itself judges it.
            unmet = StartGroup.unmet(group)
            if unmet:
                return unmet[0].message(group)
            return gettext(
                "Everything the start needs is in place: invite the members (or "
                "call them from the contact list), then start the group."
            )
        if self.follow_up is None:
            if self.follow_up_on:
                return gettext(
                    "The group meets. The anonymous follow-up goes to its "
                    "members on %(date)s."
                ) % {"date": self.follow_up_on.strftime("%d.%m.%Y")}
            return gettext("The group meets. Nothing to do until it ends.")
        return gettext(
            "The follow-up has been sent. End the group here when it stops meeting."
        )


class GroupConfirmView(ScopedQuerysetMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET shows the consequence; a POST with CSRF acts through an action."""

    model = None
    permission_policy = None
    members_url_name = None
    index_url_name = None
    form_class = None
    header_icon = "group"
    scope_actions = ["change"]
    _show_breadcrumbs = True

    def get_group(self):
        raise NotImplementedError

    def dispatch(self, request, pk):
        self.group = self.get_group(pk)
        if not self.group.is_open:
            messages.error(request, gettext("The group has already ended."))
            return redirect(self.members_url)
        return private_response(super().dispatch(request, pk))

    @cached_property
    def members_url(self):
        return reverse(self.members_url_name, args=[self.group.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Self-help groups")},
            {"url": self.members_url, "label": str(self.group)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form_class())
        context.update({"group": self.group, "members_url": self.members_url})
        return context

    def post(self, request, pk):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            message = self.act(form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, message)
        return redirect(self.members_url)


class RemoveMemberView(GroupConfirmView):
    """Remove one member: why, and back on the waiting list or withdrawn."""

    template_name = "wagtail_selvhjelp/admin/groups/confirm_remove.html"
    form_class = RemoveMemberForm

    def get_group(self, pk):
        self.membership = get_object_or_404(
            GroupMembership.objects.select_related("group__page", "registration"),
            pk=pk,
            is_current=True,
            group__in=self.get_scoped_queryset(),
        )
        return self.membership.group

    def get_page_title(self):
        return gettext("Remove a member")

    def get_page_subtitle(self):
        return str(self.group)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = self.membership
        return context

    def act(self, data):
        RemoveMember(
            self.membership,
            reason=data["reason"],
            then=data["then"],
            user=self.request.user,
        ).execute()
        registration = self.membership.registration
        if data["then"] == RegistrationStatus.WITHDRAWN:
            text = gettext("%(registration)s left the group and the waiting list.")
        else:
            text = gettext(
                "%(registration)s left the group and waits for a group again."
            )
        return text % {"registration": registration}


class EndGroupView(GroupConfirmView):
    """End the group: why, and what becomes of its members."""

    template_name = "wagtail_selvhjelp/admin/groups/confirm_end.html"
    form_class = EndGroupForm

    def get_group(self, pk):
        return get_object_or_404(
            self.get_scoped_queryset().select_related("page"), pk=pk
        )

    def get_page_title(self):
        return gettext("End the group")

    def get_page_subtitle(self):
        return str(self.group)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member_count"] = self.group.current_memberships().count()
        return context

    def act(self, data):
        EndGroup(
            self.group, reason=data["reason"], then=data["then"], user=self.request.user
        ).execute()
        return {
            AfterGroupEnds.KEEP: gettext(
                "The group has ended. Its members keep the status “Placed in a group”."
            ),
            AfterGroupEnds.WAITING: gettext(
                "The group has ended. Its members are back on the waiting list."
            ),
            AfterGroupEnds.WITHDRAWN: gettext(
                "The group has ended. Its members are withdrawn from the waiting list."
            ),
        }[data["then"]]


class ContactListView(ScopedQuerysetMixin, WagtailAdminTemplateMixin, TemplateView):
    """The group's current members with name, phone and e-mail, to print for
    the phone calls. Logged once per view (ids only)."""

    template_name = "wagtail_selvhjelp/admin/groups/contact_list.html"
    model = None
    permission_policy = None
    members_url_name = None
    index_url_name = None
    header_icon = "group"
    scope_actions = ["view", "change"]
    _show_breadcrumbs = True

    def dispatch(self, request, pk):
        self.group = get_object_or_404(
            self.get_scoped_queryset().select_related("page", "place", "time_slot"),
            pk=pk,
        )
        if not registration_permission_policy.user_has_permission_for_instance(
            request.user, "view", self.group
        ):
            # Contact details are the registrations' data.
            return redirect(reverse(self.members_url_name, args=[pk]))
        return private_response(super().dispatch(request, pk))

    def get_page_title(self):
        return gettext("Contact list")

    def get_page_subtitle(self):
        return str(self.group)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Self-help groups")},
            {
                "url": reverse(self.members_url_name, args=[self.group.pk]),
                "label": str(self.group),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        members = [
            membership.registration
            for membership in self.group.current_memberships()
            .select_related("registration")
            .order_by("registration__name", "pk")
        ]
        log_contacts_shown(
            self.group, [r.pk for r in members], request.user, audit.CONTACT_LIST
        )
        return self.render_to_response(
            self.get_context_data(group=self.group, members=members)
        )
