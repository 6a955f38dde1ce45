"""Admin views for the rights of access and erasure, and for re-confirmation.

Each is scoped like the rest of the registrations admin (another page's
registration answers 404) and behind its own permission; each is logged
under the registration's number, with the user and the time.
"""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from .. import privacy
from ..choices import ACTIVE_STATUSES
from ..models import Registration
from ..models.privacy import forget
from ..permissions import scope_to_user
from .scoping import ScopedDeleteView


ACCESS_PERMISSION = "wagtail_selvhjelp.access_registration"
ERASE_PERMISSION = "wagtail_selvhjelp.erase_registration"


class RegistrationDeleteView(ScopedDeleteView):
    """Delete a registration for real, keeping only the anonymous counts."""

    def delete_action(self):
        with transaction.atomic():
            log(self.object, "wagtail.delete", user=self.request.user)
            forget(Registration.objects.filter(pk=self.object.pk))


class RegistrationObjectMixin:
    """Look up the registration within the user's pages, after a permission."""

    permission_required = None
    inspect_url_name = None
    index_url_name = None

    def dispatch(self, request, pk, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            return permission_denied(request)
        self.registration = get_object_or_404(
            scope_to_user(Registration.objects.all(), request.user), pk=pk
        )
        return super().dispatch(request, pk, *args, **kwargs)


class PersonDataView(RegistrationObjectMixin, View):
    """Everything held about one person, as a JSON download (GDPR art. 15)."""

    permission_required = ACCESS_PERMISSION
    http_method_names = ["get"]

    def get(self, request, pk):
        log(self.registration, "wagtail_selvhjelp.access_export", user=request.user)
        data = privacy.person_data(self.registration)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="registration-{self.registration.pk}.json"'
        )
        return response


class EraseView(RegistrationObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Erase one person (GDPR art. 17), after a confirmation."""

    permission_required = ERASE_PERMISSION
    template_name = "wagtail_selvhjelp/admin/registrations/erase.html"
    page_title = _("Erase this person")
    header_icon = "bin"
    http_method_names = ["get", "post"]

    def get_page_subtitle(self):
        return str(self.registration)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registration"] = self.registration
        context["memberships"] = self.registration.memberships.count()
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
        number = privacy.erase(self.registration, user=request.user)
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

    permission_required = "wagtail_selvhjelp.change_registration"
    http_method_names = ["post"]

    def post(self, request, pk):
        registration = self.registration
        if registration.status not in ACTIVE_STATUSES:
            raise Http404
        registration.confirm_still_waiting()
        log(registration, "wagtail_selvhjelp.confirm", user=request.user)
        messages.success(
            request,
            gettext("%(registration)s stays on the waiting list.")
            % {"registration": registration},
        )
        return redirect(self.inspect_url_name, registration.pk)
