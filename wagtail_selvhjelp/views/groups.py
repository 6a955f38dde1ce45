"""Admin views for self-help groups, used by ``SelfHelpGroupViewSet``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import CreateView, WagtailAdminTemplateMixin

from ..admin_forms import AddMemberForm
from ..choices import GroupStatus
from ..http import parse_id
from ..models.actions import (
    MEETING_FIELDS,
    ChangeMeeting,
    Misfit,
    PlaceMembers,
    StartGroup,
)
from ..permissions import coordinated_pages
from .group_life import GroupLife
from .invitations import invitation_board
from .scoping import ScopedIndexView, ScopedQuerysetMixin, StatusActionEditView
from .starters import StarterPanel


class SelfHelpGroupIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("page", "place", "time_slot", "topic")
            .annotate(
                member_count=Count(
                    "memberships", filter=Q(memberships__is_current=True)
                )
            )
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name", label=_("Name"), get_url=self.get_members_url, sort_key="name"
            ),
            Column("page", label=_("Registration page"), accessor="page.title"),
            Column("place", label=_("Place"), accessor="place.name"),
            Column("time_slot", label=_("Time slot"), accessor="time_slot.name"),
            Column("topic", label=_("Topic"), accessor="topic_label"),
            Column(
                "member_count",
                label=_("Members"),
                accessor="member_count",
                sort_key="member_count",
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda group: group.status == GroupStatus.FORMING,
            ),
            # A date, not Wagtail's "… ago": the first meeting is often ahead.
            Column(
                "first_meeting_date",
                label=_("First meeting"),
                accessor=_first_meeting,
                sort_key="first_meeting_date",
            ),
        ]

    members_url_name = None

    def get_members_url(self, instance):
        return reverse(self.members_url_name, args=[instance.pk])


def _first_meeting(group):
    if group.first_meeting_date is None:
        return ""
    return date_format(group.first_meeting_date, "SHORT_DATE_FORMAT")


class SelfHelpGroupCreateView(CreateView):
    """A new group on a registration page the user coordinates.

    Without ``?page=`` it lists those pages to choose from (a plain link per
    page, so it works without JavaScript).
    """

    choose_page_template_name = "wagtail_selvhjelp/admin/groups/choose_page.html"

    @cached_property
    def registration_page(self):
        pages = coordinated_pages(self.request.user)
        page_id = parse_id(self.request.GET.get("page", ""))
        if page_id is None:
            return None
        page = pages.filter(pk=page_id).first()
        if page is None:
            raise Http404
        return page

    def get(self, request, *args, **kwargs):
        if self.registration_page is None:
            return TemplateResponse(
                request,
                self.choose_page_template_name,
                {
                    "view": self,
                    "page_title": self.get_page_title(),
                    "header_title": self.get_page_title(),
                    "header_icon": self.header_icon,
                    "breadcrumbs_items": self.get_breadcrumbs_items(),
                    "pages": coordinated_pages(request.user),
                    "add_url": reverse(self.add_url_name),
                },
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.registration_page is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_initial_form_instance(self):
        return self.model(page=self.registration_page)

    def get_add_url(self):
        url = super().get_add_url()
        if self.registration_page is not None:
            url += f"?page={self.registration_page.pk}"
        return url

    def get_success_url(self):
        return reverse(self.members_url_name, args=[self.object.pk])

    members_url_name = None


class SelfHelpGroupEditView(StatusActionEditView):
    """The group's details; starting it goes through its action (ending has
    a confirmation page of its own, ``views/group_life.EndGroupView``)."""

    def save_instance(self):
        # The meeting is changed by its action (which has a started group's
        # members sent the change), the other fields by the form.
        group = self.form.instance
        self.meeting_changes = {name: getattr(group, name) for name in MEETING_FIELDS}
        for name in MEETING_FIELDS:
            setattr(group, name, self.form.initial[name])
        instance = super().save_instance()
        self.change_meeting(instance)
        return instance

    def change_meeting(self, group):
        changes, self.meeting_changes = self.meeting_changes, None
        if changes:
            ChangeMeeting(group, changes, user=self.request.user).execute()

    def change_status(self, group, before, status):
        self.change_meeting(group)  # a first meeting set here counts for the start
        if status == GroupStatus.ACTIVE and before == GroupStatus.FORMING:
            StartGroup(group, user=self.request.user).execute()


class GroupMembersView(ScopedQuerysetMixin, WagtailAdminTemplateMixin, TemplateView):
    """Who is in the group, who left, and placing or removing a member.

    Plain forms posting back to this view, so it works without JavaScript;
    every change is an action (``models/actions.py``).
    """

    template_name = "wagtail_selvhjelp/admin/groups/members.html"
    model = None
    permission_policy = None
    index_url_name = None
    edit_url_name = None
    start_url_name = None
    kit_url_name = None
    invitations_url_name = None
    remove_member_url_name = None
    end_url_name = None
    contact_list_url_name = None
    registration_inspect_url_name = None
    header_icon = "group"
    scope_actions = ["view", "change"]
    _show_breadcrumbs = True

    def dispatch(self, request, pk):
        self.object = get_object_or_404(
            self.get_scoped_queryset().select_related("page"), pk=pk
        )
        self.can_change = self.permission_policy.user_has_permission(
            request.user, "change"
        )
        return super().dispatch(request, pk)

    def get_page_title(self):
        return str(self.object)

    def get_page_subtitle(self):
        return gettext("Members")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Self-help groups")},
            {"url": "", "label": str(self.object)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        page = group.page.specific
        memberships = list(
            group.memberships.select_related("registration").order_by(
                "-is_current", "joined_on", "pk"
            )
        )
        current = [m for m in memberships if m.is_current]
        context.update(
            {
                "group": group,
                "registration_page": page,
                "current": current,
                "former": [m for m in memberships if not m.is_current],
                "can_change": self.can_change and group.is_open,
                "seats_left": max(0, page.group_max_size - len(current)),
                "starter_panel": StarterPanel(group, self.request.user),
                "edit_url": reverse(self.edit_url_name, args=[group.pk])
                if self.can_change
                else None,
                "group_life": GroupLife(self, group, current, page=page),
                **self.meeting_urls(group),
            }
        )
        context["invitations"] = invitation_board(
            group, page, can_change=self.can_change, url_name=self.invitations_url_name
        )
        if "form" not in context and self.can_change and group.is_open:
            context["form"] = AddMemberForm(group=group)
        return context

    def meeting_urls(self, group):
        """Starting (a confirmation screen) and the starter's kit."""
        start = self.can_change and group.status == GroupStatus.FORMING
        return {
            "start_url": reverse(self.start_url_name, args=[group.pk])
            if start
            else None,
            "kit_url": reverse(self.kit_url_name, args=[group.pk]),
        }

    def post(self, request, pk):
        if not self.can_change or not self.object.is_open:
            return permission_denied(request)
        # Starting, removing a member and ending the group are confirmed on
        # screens of their own (views/meetings.py, views/group_life.py).
        if request.POST.get("action") == "start":
            return redirect(self.start_url_name, self.object.pk)
        return self.add(request)

    def add(self, request):
        group = self.object
        form = AddMemberForm(request.POST, group=group)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        registration = form.cleaned_data["registration"]
        try:
            (membership,) = PlaceMembers(
                group,
                [registration],
                override_reason=form.cleaned_data["override_reason"],
                group_agreed=form.cleaned_data.get("group_agreed", False),
                user=request.user,
            ).execute()
        except Misfit as error:
            for message in error.messages:
                form.add_error(None, message)
            form.add_error(
                "override_reason",
                gettext("They do not fit the group. To place them anyway, write why."),
            )
            return self.render_to_response(self.get_context_data(form=form))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form))
        except IntegrityError:
            form.add_error(
                "registration",
                gettext("They were placed in another group meanwhile."),
            )
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            gettext("%(registration)s was placed in the group.")
            % {"registration": membership.registration},
        )
        return redirect(request.path)
