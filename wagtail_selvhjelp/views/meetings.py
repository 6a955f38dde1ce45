"""Starting a group, and the starter's kit, used by ``SelfHelpGroupViewSet``.

Starting is a confirmation screen: a GET shows what the group has and what
it lacks (changing nothing), a POST with CSRF starts it through the
``StartGroup`` action, which also has the members sent the meeting. The
kit is a printable page in the registration page's language.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from ..admin_forms import StartGroupForm
from ..choices import GroupStatus
from ..models import Offer, StarterKitText
from ..models.actions import StartGroup
from ..models.languages import page_language
from .scoping import ScopedQuerysetMixin


class GroupObjectView(ScopedQuerysetMixin, WagtailAdminTemplateMixin, TemplateView):
    """A screen about one group of a page the user coordinates."""

    model = None
    permission_policy = None
    index_url_name = None
    members_url_name = None
    header_icon = "group"
    _show_breadcrumbs = True

    def dispatch(self, request, pk):
        self.object = get_object_or_404(
            self.get_scoped_queryset().select_related(
                "page", "page__locale", "place", "time_slot"
            ),
            pk=pk,
        )
        return super().dispatch(request, pk)

    def get_page_title(self):
        return str(self.object)

    def get_members_url(self):
        return reverse(self.members_url_name, args=[self.object.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Self-help groups")},
            {"url": self.get_members_url(), "label": str(self.object)},
            {"url": "", "label": self.get_page_subtitle()},
        ]


class StartGroupView(GroupObjectView):
    """Confirm that a forming group starts: what it has, what it lacks."""

    template_name = "wagtail_selvhjelp/admin/groups/start.html"
    scope_actions = ["change"]
    http_method_names = ["get", "post"]

    def get_page_subtitle(self):
        return gettext("Start the group")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        unmet = StartGroup.unmet(group)
        context.update(
            {
                "group": group,
                "members_url": self.get_members_url(),
                "can_start": group.status == GroupStatus.FORMING,
                "requirements": [
                    {
                        "code": requirement.code,
                        "label": requirement.label,
                        "met": requirement not in unmet,
                        "message": requirement.message(group)
                        if requirement in unmet
                        else "",
                        "waivable": requirement.waivable,
                    }
                    for requirement in StartGroup.applicable(group)
                ],
                # Released at the start (invitation_actions.settle_offers_at_start).
                "unanswered": Offer.objects.open().filter(group=group).count(),
                "needs_reason": any(r.waivable for r in unmet),
                "blocked": any(not r.waivable for r in unmet),
                "form": form or StartGroupForm(),
            }
        )
        return context

    def post(self, request, pk):
        group = self.object
        form = StartGroupForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            StartGroup(
                group, reason=form.cleaned_data["reason"], user=request.user
            ).execute()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            group.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            gettext(
                "The group has started: it is now closed to newcomers. The "
                "members and the starter are sent the meeting details."
            )
            if group.has_first_meeting
            else gettext(
                "The group has started: it is now closed to newcomers. Set the "
                "first meeting to send the members its details."
            ),
        )
        return redirect(self.get_members_url())


class StarterKitView(GroupObjectView):
    """The starter's kit for one group, to print on one or two A4 pages.

    In the registration page's language (its site's standard) whatever the admin's language:
    the texts are the site's (``StarterKitText``) or the package's. It
    names no one: the declaration has blank lines to sign.
    """

    template_name = "wagtail_selvhjelp/admin/groups/starter_kit.html"
    scope_actions = ["view", "change"]
    http_method_names = ["get"]
    #: Lines to sign: a full group and two starters.
    extra_signature_lines = 2

    def get_page_subtitle(self):
        return gettext("Starter's kit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        page = group.registration_page()
        site = page.get_site()
        texts = StarterKitText.texts_for(site, page.locale)
        context.update(
            {
                "group": group,
                "site_name": site.site_name if site else "",
                "members_url": self.get_members_url(),
                "principles": _lines(texts["principles"]),
                "declaration": texts["declaration"],
                "practical": _lines(texts["practical"]),
                "contact_point": texts["contact_point"],
                "signature_lines": range(
                    page.group_max_size + self.extra_signature_lines
                ),
            }
        )
        return context

    def get(self, request, pk):
        language = page_language(self.object.page)
        with translation.override(language):
            response = self.render_to_response(self.get_context_data())
            response.render()
        response["Content-Language"] = language
        return response


def _lines(text):
    return [line.strip() for line in str(text).splitlines() if line.strip()]
