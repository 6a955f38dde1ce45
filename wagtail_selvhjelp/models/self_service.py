"""Self-service for registrants, without an account.

The receipt e-mail carries a signed, expiring link to a page where the
person sees the state of their registration, confirms that they still want a
group, or withdraws, which deletes their registration at once.

The link is a :class:`~wagtail_selvhjelp.tokens.SignedLink`: the
registration's number and the moment it was created (its version), signed
under a salt of its own, with no name and no contact details, split into
path segments for Wagtail's routes. A guessed, tampered or expired link, and
a link to a deleted registration, all get the same neutral page, so the page
cannot be used to learn whether someone registered. The page is rate-limited per
client, never cached and never indexed, and sends no referrer to other
sites (the link is a key).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from ..choices import ACTIVE_STATUSES, LeaveReason, MemberNotice, RegistrationStatus
from ..conf import selvhjelp_settings
from ..http import RouteMethodsMixin, private_response
from ..tokens import SignedLink
from .actions import (
    ChangeChoices,
    ConfirmWaiting,
    RemoveMember,
    ReportAbsence,
    Withdraw,
)
from .groups import GroupMembership
from .rate_limits import rate_limit_for
from .registrations import Registration


#: The self-service link: a registration's number, bound to the moment it
#: was created, valid for ``SELF_SERVICE_LINK_DAYS``.
SELF_SERVICE_LINK = SignedLink(
    "wagtail_selvhjelp.self_service",
    max_age=lambda: timedelta(days=selvhjelp_settings.SELF_SERVICE_LINK_DAYS),
)


def make_self_service_token(registration):
    """A signed token for ``registration``'s self-service page, URL-path safe."""
    return SELF_SERVICE_LINK.make_for(registration)


def read_self_service_token(token):
    """The registration ``token`` names, or None (whatever went wrong)."""
    return SELF_SERVICE_LINK.get_object(token, Registration.objects.all())


class SelfServiceMixin(RouteMethodsMixin):
    """Serve a registrant's self-service page; combine with the form mixin."""

    self_service_template = "wagtail_selvhjelp/pages/self_service.html"
    #: The form for changing places and times (models import no forms).
    change_choices_form_class_path = "wagtail_selvhjelp.forms.ChangeChoicesForm"

    def get_change_choices_form(self, registration, data=None):
        """The places-and-times form, or None once the person is placed."""
        if not Registration.objects.waiting().filter(pk=registration.pk).exists():
            return None
        form_class = import_string(self.change_choices_form_class_path)
        return form_class(data, page=self, registration=registration)

    def get_self_service_url(self, registration):
        """The full URL of ``registration``'s self-service page."""
        return self.full_url + self.reverse_subpage(
            "self_service", args=[make_self_service_token(registration)]
        )

    def get_self_service_rate_limit(self):
        return rate_limit_for(
            f"self-service:{self.pk}",
            limit=selvhjelp_settings.SELF_SERVICE_RATE_LIMIT_PER_HOUR,
        )

    def render_self_service(
        self,
        request,
        state,
        *,
        registration=None,
        status=200,
        confirm_error=None,
        notice_error=None,
        choices_form=None,
    ):
        context = self.get_context(request)
        context.update(
            {
                "state": state,
                "registration": registration,
                "waiting": registration is not None
                and registration.status in ACTIVE_STATUSES,
                "confirm_error": confirm_error,
                "membership": current_membership(registration),
                "notice_error": notice_error,
                "leave_then_choices": LEAVE_THEN_CHOICES,
            }
        )
        if registration is not None and state != "withdrawn":
            if choices_form is None:
                choices_form = self.get_change_choices_form(registration)
            membership = (
                registration.memberships.filter(is_current=True)
                .select_related("group")
                .first()
            )
            context.update(
                {
                    "choices_form": choices_form,
                    "error_summary": choices_form.error_summary()
                    if choices_form is not None and choices_form.is_bound
                    else [],
                    "group": membership.group if membership else None,
                }
            )
        response = TemplateResponse(
            request, self.self_service_template, context, status=status
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The link is a key: links away from the page send no referrer. Not
        # "no-referrer", which makes browsers post "Origin: null" and fail
        # Django's CSRF origin check.
        response["Referrer-Policy"] = "same-origin"
        return private_response(response)

    def serve_self_service(self, request, token):
        # The person's answers never reach an error report from here.
        request.sensitive_post_parameters = "__ALL__"
        rate_limit = self.get_self_service_rate_limit()
        if not rate_limit.take(request):
            return self.render_self_service(request, "limited", status=429)
        registration = read_self_service_token(token)
        if registration is None or registration.page_id != self.pk:
            return self.render_self_service(request, "unknown", status=404)
        if request.method != "POST":
            return self.render_self_service(
                request, "status", registration=registration
            )
        action = request.POST.get("action")
        if action == "stay" and registration.status in ACTIVE_STATUSES:
            ConfirmWaiting(registration, link=registration).execute()
            return self.render_self_service(
                request, "confirmed", registration=registration
            )
        if action == "choices":
            return self.change_choices(request, registration)
        if action == "withdraw":
            if request.POST.get("confirm") != "yes":
                return self.render_self_service(
                    request,
                    "status",
                    registration=registration,
                    status=400,
                    confirm_error=gettext(
                        "Tick the box to confirm that your registration should "
                        "be deleted."
                    ),
                )
            Withdraw(registration, link=registration).execute()
            return self.render_self_service(request, "withdrawn")
        if action in MemberNotice.values:
            return self.tell_group_contact(request, registration, action)
        return self.render_self_service(
            request, "status", registration=registration, status=400
        )

    def tell_group_contact(self, request, registration, notice):
        """The member tells the group's contact "I can't come next time" or
        "I'm leaving" (then waiting or withdrawn, as they choose); codes
        only. The contact's notice is sent by ``handlers`` on the action."""
        membership = current_membership(registration)
        if membership is None:
            return self.render_self_service(
                request, "status", registration=registration, status=400
            )
        if notice == MemberNotice.ABSENT:
            ReportAbsence(membership, link=registration).execute()
            return self.render_self_service(
                request, "absent", registration=registration
            )
        then = request.POST.get("then", "")
        if then not in dict(LEAVE_THEN_CHOICES):
            return self.render_self_service(
                request,
                "status",
                registration=registration,
                status=400,
                notice_error=gettext(
                    "Choose whether you want to stay on the waiting list for "
                    "another group."
                ),
            )
        RemoveMember(
            membership, reason=LeaveReason.OWN_WISH, then=then, link=registration
        ).execute()
        registration.refresh_from_db(fields=["status"])
        return self.render_self_service(request, "left", registration=registration)

    def change_choices(self, request, registration):
        """Change places and times, checked as the registration form checks them."""
        form = self.get_change_choices_form(registration, request.POST)
        if form is None or not form.is_valid():
            return self.render_self_service(
                request,
                "status",
                registration=registration,
                status=400,
                choices_form=form,
            )
        try:
            ChangeChoices(
                registration,
                places=form.cleaned_data["places"],
                time_slots=form.cleaned_data["time_slots"],
                link=registration,
            ).execute()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_self_service(
                request,
                "status",
                registration=registration,
                status=400,
                choices_form=form,
            )
        return self.render_self_service(request, "changed", registration=registration)


#: What a member who leaves their group may choose to become.
LEAVE_THEN_CHOICES = (
    (RegistrationStatus.WAITING.value, RegistrationStatus.WAITING.label),
    (RegistrationStatus.WITHDRAWN.value, RegistrationStatus.WITHDRAWN.label),
)


def current_membership(registration):
    """``registration``'s membership of a group that has not ended, or None."""
    if registration is None or registration.status != RegistrationStatus.PLACED:
        return None
    return (
        GroupMembership.objects.filter(registration=registration, is_current=True)
        .select_related("group")
        .first()
    )
