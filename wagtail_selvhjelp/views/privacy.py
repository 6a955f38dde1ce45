"""Admin views for the rights of access and erasure, and for re-confirmation.

Each is scoped like the rest of the registrations admin (another page's
registration answers 404) and behind its own permission; each is logged
under the registration's number, with the user and the time.
"""

import json

from django.contrib import messages
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
from ..choices import ACTIVE_STATUSES
from ..http import private_response
from ..models import Registration
from ..models.actions import ConfirmWaiting, DeleteRegistration, Erase
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
        context["mentions"] = mentions_of(self.registration)
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
        Erase(self.registration, user=request.user).execute()
        messages.success(
            request,
            gettext(
                "Registration %(number)s is erased: the registration, its group "
                "memberships and avoid links are deleted."
            )
            % {"number": number},
        )
        return redirect(self.index_url_name)


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
