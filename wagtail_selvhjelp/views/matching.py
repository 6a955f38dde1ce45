"""The matching workflow: from the people waiting to confirmed groups.

Thin views over :mod:`wagtail_selvhjelp.proposals` (which calls the engine
through :mod:`wagtail_selvhjelp.adapters`) and the run's stored
:class:`~wagtail_selvhjelp.models.matching_runs.Proposal`, which holds the
edits. Every step is a plain form posting back, so the workflow works
without JavaScript; a run is stored, so it and its edits survive a reload.
"""

from collections import Counter

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .. import adapters, audit, proposals
from ..choices import GroupStatus, NotReady
from ..http import parse_id
from ..models import MatchingRun, Registration, SelfHelpGroup
from ..models.actions import ActionPermissionError, misfits
from ..models.audit_log import log_on_page
from ..models.invitation_actions import Invite
from ..models.overview import page_overview
from ..models.permissions import (
    matching_run_permission_policy,
    registration_permission_policy,
)
from ..permissions import coordinated_pages
from ..reason_texts import describe_group, describe_reason
from .invitations import report_sent


def may_match(user):
    """Whether ``user`` may put groups together (on the pages they coordinate)."""
    return registration_permission_policy.user_has_permission(user, "match")


class MatchingPermissionMixin:
    """Only users with the ``match`` permission, on their pages."""

    url_names = None

    def dispatch(self, request, *args, **kwargs):
        if not may_match(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_registration_page(self, page_id):
        """A page the user coordinates, or 404 (never a 403 that confirms it)."""
        return get_object_or_404(coordinated_pages(self.request.user), pk=page_id)

    def url(self, name, *args):
        return reverse(self.url_names[name], args=args)


class MatchingIndexView(
    MatchingPermissionMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "wagtail_selvhjelp/admin/matching/index.html"
    page_title = _("Put groups together")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = page_overview(coordinated_pages(self.request.user))
        context["page_url_name"] = self.url_names["page"]
        return context


class MatchingPageView(
    MatchingPermissionMixin, WagtailAdminTemplateMixin, TemplateView
):
    """One page: who waits, the latest run, and "Propose groups"."""

    template_name = "wagtail_selvhjelp/admin/matching/page.html"
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.registration_page = None

    def get_page_title(self):
        return self.registration_page.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.url("index"), "label": _("Put groups together")},
            {"url": "", "label": self.registration_page.title},
        ]

    def dispatch(self, request, *args, **kwargs):
        if may_match(request.user):
            self.registration_page = self.get_registration_page(kwargs["page_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        (context["overview"],) = page_overview([self.registration_page])
        context["runs"] = MatchingRun.objects.filter(
            page_id=self.registration_page.pk
        ).select_related("created_by")[:5]
        context["propose_url"] = self.url("page", self.registration_page.pk)
        context["run_url_name"] = self.url_names["run"]
        return context

    def post(self, request, page_id):
        run = MatchingRun.objects.create(
            page=self.registration_page, created_by=request.user
        )
        proposals.run_engine(run)
        log_run(run, request.user)
        return redirect(self.url("run", run.pk))


def log_run(run, user):
    proposal = run.get_proposal()
    log_on_page(
        run.page.specific,
        audit.MATCH_RUN.code,
        user=user,
        data={
            "run": run.pk,
            "candidates": proposal.candidates,
            "groups": len(proposal.groups),
            "placed": len(proposal.placed),
            "upper_bound": proposal.upper_bound,
        },
    )


class MatchingRunView(MatchingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """A proposal as cards, the people left out with reasons, and the edits."""

    template_name = "wagtail_selvhjelp/admin/matching/run.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if may_match(request.user):
            self.run = get_object_or_404(
                matching_run_permission_policy.instances_user_has_permission_for(
                    request.user, "match"
                ),
                pk=kwargs["run_id"],
            )
            self.registration_page = self.run.page.specific
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("Proposal for %(page)s") % {"page": self.registration_page.title}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": self.url("index"), "label": _("Put groups together")},
            {
                "url": self.url("page", self.registration_page.pk),
                "label": self.registration_page.title,
            },
            {"url": "", "label": _("Proposal")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.registration_page
        proposal = self.run.get_proposal()
        names = adapters.ChoiceNames.for_page(page)
        people = Registration.objects.in_bulk(proposal.placed | set(proposal.unplaced))
        warnings = proposals.not_ready(
            [people[pk] for pk in proposal.placed if pk in people]
        )
        for pk, codes in warnings.items():
            people[pk].not_ready = codes
        cards = self.get_cards(proposal, people, names)
        # Only cards that can be created count: a card left too small cannot.
        creatable = [card for card in cards if not card["problems"]]
        placed = sum(len(card["members"]) for card in creatable)
        context.update(
            {
                "run": self.run,
                "cards": cards,
                "creatable": len(creatable),
                "created_groups": list(
                    SelfHelpGroup.objects.filter(pk__in=proposal.created).order_by("pk")
                ),
                "still_waiting": Registration.objects.waiting()
                .filter(page_id=page.pk)
                .count(),
                "unplaced": self.get_unplaced(proposal, people, names),
                "dropped": self.get_dropped(proposal, names),
                "forming": self.get_forming(proposal, people),
                "not_ready": [
                    (code.label, count)
                    for code in NotReady
                    if (count := sum(code in c for c in warnings.values()))
                ],
                "placed": placed,
                "upper_bound": proposal.upper_bound,
                "more": max(0, proposal.upper_bound - placed),
                "candidates": proposal.candidates,
                "action_url": self.url("run", self.run.pk),
                "page_url": self.url("page", page.pk),
                "members_url_name": self.url_names["members"],
                "min_size": page.group_min_size,
                "max_size": page.group_max_size,
            }
        )
        return context

    def get_cards(self, proposal, people, names):
        """One card per proposed group, its members in the order they came."""
        page = self.registration_page
        open_groups = SelfHelpGroup.objects.in_bulk(
            [group.open_group for group in proposal.groups if group.open_group]
        )
        open_sizes = dict(
            SelfHelpGroup.objects.filter(pk__in=list(open_groups))
            .annotate(n=Count("memberships", filter=Q(memberships__is_current=True)))
            .values_list("pk", "n")
        )
        cards = []
        for index, group in enumerate(proposal.groups):
            members = sorted(
                (people[m] for m in group.members if m in people),
                key=lambda person: (person.created_at, person.pk),
            )
            existing = open_groups.get(group.open_group)
            size = len(members) + (open_sizes.get(existing.pk, 0) if existing else 0)
            cards.append(
                {
                    "index": index,
                    "heading": describe_group(
                        names.place(group.place),
                        names.slot(group.slot),
                        names.topic(group.topic),
                        group.gender,
                    ),
                    "members": members,
                    "existing": existing,
                    "size": size,
                    "kept": group.kept,
                    "problems": self.card_problems(size, existing, page),
                }
            )
        return cards

    def get_forming(self, proposal, people):
        """The page's forming groups with free seats that no card fills, and
        why none of the people not placed joins each: the engine's rules
        (``misfits``), counted per rule."""
        filled = {group.open_group for group in proposal.groups if group.open_group}
        page = self.registration_page
        groups = (
            SelfHelpGroup.objects.filter(page_id=page.pk, status=GroupStatus.FORMING)
            .exclude(pk__in=filled)
            .annotate(n=Count("memberships", filter=Q(memberships__is_current=True)))
            .order_by("name", "pk")
        )
        outside = [
            people[pk]
            for pk, reason in proposal.unplaced.items()
            if pk in people and not reason.left_out
        ]
        forming = []
        for group in groups:
            free = max(0, page.group_max_size - group.n)
            why = Counter()
            if free and outside:
                for messages_ in misfits(group, outside).values():
                    why.update(set(messages_))
            forming.append({"group": group, "free": free, "why": why.most_common()})
        return forming

    def get_dropped(self, proposal, names):
        """The proposals the coordinator dropped, to undo."""
        people = Registration.objects.in_bulk(
            {pk for group in proposal.dropped for pk in group.members}
        )
        return [
            {
                "index": index,
                "heading": describe_group(
                    names.place(group.place),
                    names.slot(group.slot),
                    names.topic(group.topic),
                    group.gender,
                ),
                "members": [people[pk] for pk in group.members if pk in people],
            }
            for index, group in enumerate(proposal.dropped)
        ]

    def get_unplaced(self, proposal, people, names):
        """Everyone not in a group who still exists, longest waiting first."""
        entries = [
            (people[pk], reason)
            for pk, reason in proposal.unplaced.items()
            if pk in people  # not deleted since the run
        ]
        entries.sort(key=lambda entry: entry[0].created_at)
        return [
            {
                "person": person,
                "reason": describe_reason(names.reason(reason.to_reason())),
                "left_out": reason.left_out,
            }
            for person, reason in entries
        ]

    def card_problems(self, size, existing, page):
        if existing is None and size < page.group_min_size:
            return [
                ngettext(
                    "Too small: a group needs at least %(min)s member.",
                    "Too small: a group needs at least %(min)s members.",
                    page.group_min_size,
                )
                % {"min": page.group_min_size}
            ]
        return []

    def post(self, request, run_id):
        action = request.POST.get("action", "")
        if action == "create":
            return self.create(request)
        if action == "rerun":
            proposals.run_engine(self.run)
            log_run(self.run, request.user)
            return redirect(self.url("run", self.run.pk))
        index = parse_id(request.POST.get("group", ""))
        person = parse_id(request.POST.get("person", ""))
        proposal = self.run.get_proposal()
        in_range = proposal.has_group(index)
        if action == "leave_out" and in_range:
            changed = proposal.leave_out(index, person)
        elif action == "drop" and in_range:
            changed = proposal.drop(index)
        elif action == "keep" and in_range:
            changed = proposal.toggle_keep(index)
        elif action == "exclude":
            changed = proposal.exclude(person)
        elif action == "include":
            changed = proposal.include(person)
        elif action == "undrop" and index is not None:
            changed = proposal.undrop(index)
        elif action == "place" and person is not None:
            changed = self.place(request, proposal, person)
        else:
            changed = False
            messages.error(
                request, gettext("That proposal has changed; here it is as it is now.")
            )
        if changed:
            self.run.set_proposal(proposal)
            self.run.save()
        return redirect(self.url("run", self.run.pk))

    def place(self, request, proposal, person):
        """Move ``person`` to the chosen card if the engine says they fit."""
        target = parse_id(request.POST.get("to", ""))
        if not proposal.has_group(target):
            return False
        page = self.registration_page
        problems = proposals.misfits_in(page, proposal.groups[target], person)
        registration = Registration.objects.filter(pk=person).first()
        if problems:
            messages.error(
                request,
                gettext("%(person)s cannot join that group: %(reasons)s")
                % {"person": registration or person, "reasons": " ".join(problems)},
            )
            return False
        return proposal.place(person, target)

    def create(self, request):
        indices = [
            index
            for index in map(parse_id, request.POST.getlist("groups"))
            if index is not None
        ]
        if not indices:
            messages.error(
                request, gettext("Tick the proposals to create groups from.")
            )
            return redirect(self.url("run", self.run.pk))
        outcome = proposals.CreateGroups(self.run, indices, user=request.user).execute()
        if outcome.created:
            messages.success(
                request,
                ngettext(
                    "%(count)s group saved. Give it a starter and a first meeting.",
                    "%(count)s groups saved. Give them a starter and a first meeting.",
                    len(outcome.created),
                )
                % {"count": len(outcome.created)},
            )
        for _index, message in outcome.refused:
            messages.error(request, message)
        if outcome.created and request.POST.get("invite") == "yes":
            self.invite(request, outcome.created)
        return redirect(self.url("run", self.run.pk))

    def invite(self, request, groups):
        """Invite the new groups' members (the tick at "Create groups")."""
        try:
            offers = Invite(groups, user=request.user).execute()
        except ActionPermissionError:
            messages.error(
                request,
                gettext("You may not change groups, so no invitations were sent."),
            )
            return
        report_sent(request, offers)
