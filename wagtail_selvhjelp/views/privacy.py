"""Admin views for the rights of access and erasure, and for re-confirmation.

Each is scoped like the rest of the registrations admin (another page's
registration answers 404) and behind its own permission; each is logged
under the registration's number, with the user and the time.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import audit, privacy
from ..admin_forms import MentionDecisionForm
from ..choices import ACTIVE_STATUSES, MentionKeptReason
from ..http import private_response
from ..models import Registration
from ..models.actions import (
    ConfirmWaiting,
    DeleteRegistration,
    Erase,
    KeepMention,
    RedactMention,
)
from ..models.languages import person_language
from ..models.permissions import registration_permission_policy
from ..models.personal_data import mentions_of
from .scoping import ScopedDeleteView


class RegistrationDeleteView(ScopedDeleteView):
    """Delete a registration for real, keeping only the anonymous counts."""

    def delete_action(self):
        DeleteRegistration(self.object, user=self.request.user).execute()


class RegistrationObjectMixin:
    """Look up the registration among those the user may ``permission_action``."""

    permission_policy = registration_permission_policy
    permission_action = None
    inspect_url_name = None
    index_url_name = None

    def dispatch(self, request, pk, *args, **kwargs):
        policy = self.permission_policy
        if not policy.user_has_permission(request.user, self.permission_action):
            return permission_denied(request)
        self.registration = get_object_or_404(
            policy.instances_user_has_permission_for(
                request.user, self.permission_action
            ),
            pk=pk,
        )
        return super().dispatch(request, pk, *args, **kwargs)


class PersonDataView(RegistrationObjectMixin, View):
    """Everything held about one person (GDPR art. 15): a JSON download, or
    with ``?format=html`` a document for the person to read, print or save,
    in their registration page's language with local times."""

    permission_action = "access"
    http_method_names = ["get"]
    document_template_name = "wagtail_selvhjelp/admin/registrations/person_data.html"

    def get(self, request, pk):
        log(self.registration, audit.ACCESS_EXPORT.code, user=request.user)
        if request.GET.get("format") == "html":
            return self.document(request)
        data = privacy.person_data(self.registration)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="registration-{self.registration.pk}.json"'
        )
        return response

    def document(self, request):
        language = person_language(self.registration)
        with translation.override(language):
            html = render_to_string(
                self.document_template_name,
                {
                    "registration": self.registration,
                    "sections": privacy.person_document(self.registration),
                    "language": language,
                    "json_url": request.path,
                    "made_on": timezone.localtime(),
                },
                request=request,
            )
        return private_response(HttpResponse(html))


class EraseView(RegistrationObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Erase one person (GDPR art. 17), after a confirmation."""

    permission_action = "erase"
    erase_mention_url_name = None
    template_name = "wagtail_selvhjelp/admin/registrations/erase.html"
    page_title = _("Erase this person")
    header_icon = "bin"
    http_method_names = ["get", "post"]

    def get_page_subtitle(self):
        return str(self.registration)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Registration._meta.verbose_name_plural),
            },
            {
                "url": reverse(self.inspect_url_name, args=[self.registration.pk]),
                "label": str(self.registration),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registration"] = self.registration
        context["group_count"] = (
            self.registration.memberships.values("group").distinct().count()
        )
        kept = {
            (decision.registration_id, decision.field_name): decision
            for decision in self.registration.kept_mentions.all()
        }
        mentions = [
            (mention, kept.get((mention.registration_id, mention.field_name)))
            for mention in mentions_of(self.registration)
        ]
        context["mentions"] = mentions
        context["undecided_count"] = sum(1 for _mention, kept in mentions if not kept)
        context["reasons"] = MentionKeptReason.choices
        context["mention_url"] = reverse(
            self.erase_mention_url_name, args=[self.registration.pk]
        )
        context["inspect_url_name"] = self.inspect_url_name
        context["inspect_url"] = reverse(
            self.inspect_url_name, args=[self.registration.pk]
        )
        return context

    def post(self, request, pk):
        if request.POST.get("confirm") != "yes":
            messages.error(
                request, gettext("Tick the box to confirm the erasure first.")
            )
            return self.get(request, pk)
        number = self.registration.pk
        try:
            Erase(self.registration, user=request.user).execute()
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
            return self.get(request, pk)
        messages.success(
            request,
            gettext(
                "Registration %(number)s is erased: the registration, its group "
                "memberships and avoid links are deleted."
            )
            % {"number": number},
        )
        return redirect(self.index_url_name)


class EraseMentionView(RegistrationObjectMixin, View):
    """Decide on one mention of the person being erased in another
    registration's text (POST only): redact it, or keep it for a reason."""

    permission_action = "erase"
    erase_url_name = None
    http_method_names = ["post"]

    def post(self, request, pk):
        form = MentionDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self.erase_url_name, pk)
        other = get_object_or_404(
            self.permission_policy.instances_user_has_permission_for(
                request.user, self.permission_action
            ),
            pk=form.cleaned_data["registration"],
        )
        arguments = (self.registration, other, form.cleaned_data["field"])
        if form.cleaned_data["decision"] == form.REDACT:
            action = RedactMention(*arguments, user=request.user)
            done = gettext("The mention in %(registration)s is removed.")
        else:
            action = KeepMention(
                *arguments, form.cleaned_data["reason"], user=request.user
            )
            done = gettext(
                "The text in %(registration)s stays, with the reason recorded."
            )
        try:
            action.execute()
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
        else:
            messages.success(request, done % {"registration": other})
        return redirect(self.erase_url_name, pk)


class ConfirmWaitingView(RegistrationObjectMixin, View):
    """Record that a person still wants a group (asked by phone, say)."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        registration = self.registration
        if registration.status not in ACTIVE_STATUSES:
            raise Http404
        ConfirmWaiting(registration, user=request.user).execute()
        messages.success(
            request,
            gettext("%(registration)s stays on the waiting list.")
            % {"registration": registration},
        )
        return redirect(self.inspect_url_name, registration.pk)
