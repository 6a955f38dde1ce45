"""Admin views for the starter register, used by ``StarterViewSet``, and the
group's starters on the group's page (``GroupStartersView`` and the panel
its template includes).

Every view is scoped by the starters' permission policy (a starter of a page
the user does not coordinate answers 404); every change is an action
(``models/starter_actions.py``).
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.log_actions import log

from .. import audit, privacy
from ..admin_forms import AssignStarterForm, WithdrawStarterForm
from ..admin_urls import GROUP_VIEWSET_NAME
from ..choices import STARTER_MEETINGS_WARNING_ABOVE, StarterStatus
from ..http import parse_id
from ..models import GroupStarter
from ..models.permissions import group_permission_policy, starter_permission_policy
from ..models.starter_actions import (
    AssignStarter,
    ChangeStarterStatus,
    EraseStarter,
    WithdrawStarter,
)
from ..models.starters import suggest_starters
from .scoping import (
    ScopedDeleteView,
    ScopedIndexView,
    ScopedQuerysetMixin,
    StatusActionEditView,
)


class StarterIndexView(ScopedIndexView):
    """The register: name, pages, status and load (open groups now)."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .with_load()
            .with_valid_course()
            .prefetch_related("pages")
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name", label=_("Name"), get_url=self.get_edit_url, sort_key="name"
            ),
            Column("pages", label=_("Registration pages"), accessor=_page_titles),
            Column("load", label=_("Open groups now"), sort_key="load"),
            Column(
                "has_valid_course",
                label=_("Valid course"),
                accessor=lambda starter: (
                    gettext("yes") if starter.has_valid_course else gettext("no")
                ),
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda starter: starter.status == StarterStatus.ACTIVE,
            ),
        ]


def _page_titles(starter):
    return ", ".join(page.title for page in starter.pages.all())


class StarterEditView(StatusActionEditView):
    """A starter's details; their status changes through its action."""

    def change_status(self, starter, before, status):
        ChangeStarterStatus(starter, status, user=self.request.user).execute()

    def save_instance(self):
        try:
            return super().save_instance()
        except ValidationError as error:
            # The form checked the status; a group assigned meanwhile
            # keeps it as it was: the rest is saved, and the message says why.
            for message in error.messages:
                messages.error(self.request, message)
            return self.form.instance


class StarterDeleteView(ScopedDeleteView):
    """Erase the starter by reference: their row and courses go, their
    groups keep the assignment without them."""

    def delete_action(self):
        EraseStarter(self.object, user=self.request.user).execute()


class StarterDataView(ScopedQuerysetMixin, View):
    """Everything held about one starter, as a JSON download (GDPR art. 15)."""

    permission_policy = starter_permission_policy
    scope_actions = ["access"]
    http_method_names = ["get"]

    def get(self, request, pk):
        starter = get_object_or_404(self.get_scoped_queryset(), pk=pk)
        log(starter, audit.STARTER_ACCESS_EXPORT.code, user=request.user)
        data = privacy.starter_person_data(starter)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="starter-{starter.pk}.json"'
        )
        return response


# The group's starters


class StarterPanel:
    """The group page's section on starters: who accompanies the group, the
    suggestions ranked by fit, and the forms to assign or withdraw.

    Built by the group's page with one context line; the template is
    ``admin/groups/starters.html``.
    """

    def __init__(self, group, user):
        self.group = group
        self.action_url = reverse(f"{GROUP_VIEWSET_NAME}:starters", args=[group.pk])
        self.can_change = (
            group.is_open
            and starter_permission_policy.user_has_permission(user, "view")
            and group_permission_policy.user_has_permission_for_instance(
                user, "change", group
            )
        )
        self.assignments = list(
            group.starter_assignments.select_related("starter").order_by(
                "withdrawn_on", "role", "pk"
            )
        )
        self.current = [a for a in self.assignments if a.withdrawn_on is None]
        self.former = [a for a in self.assignments if a.withdrawn_on is not None]
        self.suggestions = None
        self.form = None
        self.withdraw_form = None
        self.meetings_warning_above = STARTER_MEETINGS_WARNING_ABOVE
        if self.can_change:
            self.suggestions = suggest_starters(group)
            if len(self.current) < 2:
                self.form = AssignStarterForm(
                    starters=[s.starter for s in self.suggestions.ranked]
                )
            self.withdraw_form = WithdrawStarterForm()

    @property
    def warning(self):
        """No starter fits, or only one: say so."""
        if self.suggestions is None or self.current:
            return ""
        fitting = len(self.suggestions.fitting)
        if not fitting:
            return gettext(
                "No active starter of this page takes the group's place and time "
                "with a valid course. Ask the starters, or start without one."
            )
        if fitting == 1:
            return gettext(
                "Only one starter fits this group: ask them early, and think of "
                "a second."
            )
        return ""

    @property
    def own_topic_note(self):
        count = self.suggestions.own_topic if self.suggestions else 0
        if not count:
            return ""
        return ngettext(
            "%(count)s starter is not proposed: the group's topic is their own.",
            "%(count)s starters are not proposed: the group's topic is their own.",
            count,
        ) % {"count": count}


class GroupStartersView(ScopedQuerysetMixin, View):
    """POST only: assign a starter to the group, or record a withdrawal.

    Back to the group's page with a message (the form's errors among them:
    the page's own form is a plain GET of the group's page).
    """

    model = None
    permission_policy = None
    members_url_name = None
    scope_actions = ["change"]
    http_method_names = ["post"]

    def dispatch(self, request, pk):
        # Scope first, so that another page's group is a 404 even for a GET.
        self.group = get_object_or_404(self.get_scoped_queryset(), pk=pk)
        return super().dispatch(request, pk)

    def post(self, request, pk):
        group = self.group
        if not group.is_open or not starter_permission_policy.user_has_permission(
            request.user, "view"
        ):
            return permission_denied(request)
        members_url = reverse(self.members_url_name, args=[group.pk])
        if request.POST.get("action") == "withdraw":
            return self.withdraw(request, members_url)
        return self.assign(request, members_url)

    def assign(self, request, members_url):
        group = self.group
        suggestions = suggest_starters(group)
        form = AssignStarterForm(
            request.POST, starters=[s.starter for s in suggestions.ranked]
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment = AssignStarter(
                    group,
                    data["starter"],
                    role=data["role"] or None,
                    since=data["since"],
                    until=data["until"],
                    planned_meetings=data["planned_meetings"],
                    user=request.user,
                ).execute()
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(members_url)
            else:
                messages.success(
                    request,
                    gettext("%(name)s is now the group's %(role)s.")
                    % {
                        "name": assignment.starter.name,
                        "role": assignment.get_role_display().lower(),
                    },
                )
                if assignment.many_meetings:
                    messages.warning(
                        request,
                        gettext(
                            "%(count)s accompanied meetings are planned: starters "
                            "usually stay for at most %(most)s."
                        )
                        % {
                            "count": assignment.planned_meetings,
                            "most": STARTER_MEETINGS_WARNING_ABOVE,
                        },
                    )
                return redirect(members_url)
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(members_url)

    def withdraw(self, request, members_url):
        form = WithdrawStarterForm(request.POST)
        assignment_id = parse_id(request.POST.get("assignment", ""))
        assignment = get_object_or_404(
            GroupStarter.objects.select_related("starter"),
            pk=assignment_id or 0,
            group=self.group,
            withdrawn_on__isnull=True,
        )
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            WithdrawStarter(assignment, reason=reason, user=request.user).execute()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(members_url)
        messages.success(
            request,
            gettext("%(name)s withdrew from the group.")
            % {"name": assignment.starter.name if assignment.starter else "–"},
        )
        return redirect(members_url)
