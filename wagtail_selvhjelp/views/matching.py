"""The matching workflow: from the people waiting to confirmed groups.

Thin views over :mod:`wagtail_selvhjelp.workflow` (which calls the engine
through :mod:`wagtail_selvhjelp.adapters`). Every step is a plain form posting
back, so the workflow works without JavaScript; a run is stored, so it and
its edits survive a reload.
"""

from django.contrib import messages
from django.db.models import Count, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import adapters, workflow
from ..choices import GroupStatus
from ..http import parse_id
from ..matching import UnplacedReason
from ..models import MatchingRun, Registration, SelfHelpGroup
from ..models.registrations import days_since
from ..permissions import coordinated_pages
from ..reason_texts import describe_reason, describe_shape


MATCH_PERMISSION = "wagtail_selvhjelp.match_registration"


class MatchingPermissionMixin:
    """Only users with the ``match_registration`` permission, on their pages."""

    url_names = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(MATCH_PERMISSION):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_registration_page(self, page_id):
        """A page the user coordinates, or 404 (never a 403 that confirms it)."""
        return get_object_or_404(coordinated_pages(self.request.user), pk=page_id)

    def url(self, name, *args):
        return reverse(self.url_names[name], args=args)


def page_overview(pages):
    """Waiting count, longest wait and groups per page, in two queries."""
    pages = list(pages)
    ids = [page.pk for page in pages]
    waiting = {
        row["page_id"]: row
        for row in Registration.objects.waiting()
        .filter(page_id__in=ids)
        .values("page_id")
        .annotate(count=Count("pk"), first=Min("created_at"))
    }
    groups = {
        row["page_id"]: row
        for row in SelfHelpGroup.objects.filter(page_id__in=ids)
        .values("page_id")
        .annotate(
            forming=Count("pk", filter=Q(status=GroupStatus.FORMING)),
            active=Count("pk", filter=Q(status=GroupStatus.ACTIVE)),
        )
    }
    today = timezone.localdate()
    rows = []
    for page in pages:
        row = waiting.get(page.pk, {})
        first = row.get("first")
        rows.append(
            {
                "page": page,
                "waiting": row.get("count", 0),
                "longest_wait": days_since(first, today) if first else None,
                "forming": groups.get(page.pk, {}).get("forming", 0),
                "active": groups.get(page.pk, {}).get("active", 0),
            }
        )
    return rows


class MatchingIndexView(
    MatchingPermissionMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "wagtail_selvhjelp/admin/matching/index.html"
    page_title = _("Put groups together")
    header_icon = "group"

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
        if request.user.has_perm(MATCH_PERMISSION):
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
        workflow.run_engine(run)
        log_run(run, request.user)
        return redirect(self.url("run", run.pk))


def log_run(run, user):
    proposal = run.proposal
    log(
        run.page.specific,
        "wagtail_selvhjelp.match_run",
        user=user,
        data={
            "run": run.pk,
            "candidates": proposal.get("candidates", 0),
            "groups": len(proposal.get("groups", [])),
            "placed": sum(len(g["members"]) for g in proposal.get("groups", [])),
            "upper_bound": proposal.get("upper_bound", 0),
        },
    )


class MatchingRunView(MatchingPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """A proposal as cards, the people left out with reasons, and the edits."""

    template_name = "wagtail_selvhjelp/admin/matching/run.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(MATCH_PERMISSION):
            self.run = get_object_or_404(
                MatchingRun.objects.filter(
                    page__in=coordinated_pages(request.user).values("pk")
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
        proposal = self.run.proposal
        names = adapters.ChoiceNames.for_page(page)
        ids = {m for g in proposal.get("groups", []) for m in g["members"]}
        ids |= {int(pk) for pk in proposal.get("unplaced", {})}
        people = Registration.objects.in_bulk(ids)
        open_groups = SelfHelpGroup.objects.in_bulk(
            [g["open_group"] for g in proposal.get("groups", []) if g["open_group"]]
        )
        open_sizes = dict(
            SelfHelpGroup.objects.filter(pk__in=list(open_groups))
            .annotate(n=Count("memberships", filter=Q(memberships__is_current=True)))
            .values_list("pk", "n")
        )
        cards = []
        for index, group in enumerate(proposal.get("groups", [])):
            members = sorted(
                (people[m] for m in group["members"] if m in people),
                key=lambda person: (person.created_at, person.pk),
            )
            existing = open_groups.get(group["open_group"])
            size = len(members) + (open_sizes.get(existing.pk, 0) if existing else 0)
            cards.append(
                {
                    "index": index,
                    "title": describe_shape(
                        names.place(group["place"]),
                        names.slot(group["slot"]),
                        names.topic(group["topic"]),
                        group["gender"],
                    ),
                    "members": members,
                    "existing": existing,
                    "size": size,
                    "kept": group.get("kept", False),
                    "problems": self.card_problems(size, existing, page),
                }
            )
        unplaced = []
        for pk, reason in sorted(
            proposal.get("unplaced", {}).items(),
            key=lambda item: (
                people[int(item[0])].created_at
                if int(item[0]) in people
                else timezone.now()
            ),
        ):
            person = people.get(int(pk))
            if person is None:
                continue  # deleted since the run
            unplaced.append(
                {
                    "person": person,
                    "reason": self.reason_text(reason, names),
                    "left_out": reason["code"] == workflow.LEFT_OUT,
                }
            )
        placed = sum(len(card["members"]) for card in cards)
        context.update(
            {
                "run": self.run,
                "cards": cards,
                "unplaced": unplaced,
                "placed": placed,
                "upper_bound": proposal.get("upper_bound", 0),
                "candidates": proposal.get("candidates", 0),
                "action_url": self.url("run", self.run.pk),
                "page_url": self.url("page", page.pk),
                "members_url_name": self.url_names["members"],
                "min_size": page.group_min_size,
                "max_size": page.group_max_size,
            }
        )
        return context

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

    def reason_text(self, reason, names):
        code = reason["code"]
        if code == workflow.LEFT_OUT:
            return gettext("You left them out of this run.")
        if code == "dropped":
            return gettext(
                "You dropped their proposal; run again to propose them anew."
            )
        return describe_reason(
            names.reason(
                UnplacedReason(code=code, message=code, params=reason["params"])
            )
        )

    def post(self, request, run_id):
        action = request.POST.get("action", "")
        try:
            index = int(request.POST.get("group", "-1"))
            person = int(request.POST.get("person", "0"))
        except ValueError:
            raise Http404 from None
        groups = self.run.proposal.get("groups", [])
        in_range = 0 <= index < len(groups)
        if action == "leave_out" and in_range:
            workflow.leave_out(self.run, index, person)
        elif action == "drop" and in_range:
            workflow.drop(self.run, index)
        elif action == "keep" and in_range:
            workflow.toggle_keep(self.run, index)
        elif action == "exclude":
            workflow.exclude(self.run, person)
        elif action == "include":
            workflow.include(self.run, person)
        elif action == "rerun":
            workflow.run_engine(self.run)
            log_run(self.run, request.user)
        elif action == "create":
            return self.create(request)
        else:
            messages.error(
                request, gettext("That proposal has changed; here it is as it is now.")
            )
        return redirect(self.url("run", self.run.pk))

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
        outcome = workflow.create_groups(self.run, indices)
        for group in outcome.created:
            log(group, "wagtail.create", user=request.user)
        if outcome.created:
            log(
                self.registration_page,
                "wagtail_selvhjelp.create_groups",
                user=request.user,
                data={
                    "run": self.run.pk,
                    "groups": [group.pk for group in outcome.created],
                    "refused": len(outcome.refused),
                },
            )
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
        return redirect(self.url("run", self.run.pk))
