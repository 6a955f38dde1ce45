"""The follow-up's answer page, a route on the registration page.

Public, without an account: the one-time code in the link is the key. GET
shows the questions and changes nothing; a POST with CSRF counts the answer
(:class:`~.actions.AnswerFollowUp`), which spends the code. A bad, tampered
or used code gets one neutral page, the same for every case. The page is
rate-limited per client, never cached or indexed, and sends no referrer.
"""

from django.template.response import TemplateResponse
from django.utils.module_loading import import_string

from ..conf import selvhjelp_settings
from ..http import private_response
from .actions import ActionPermissionError, AnswerFollowUp
from .group_life import FollowUpCode, hash_code
from .rate_limits import rate_limit_for


class FollowUpPageMixin:
    """Serve the follow-up's answer page; combine with a routable page."""

    follow_up_template = "wagtail_selvhjelp/pages/follow_up.html"
    #: The form, by dotted path (models import no forms).
    follow_up_form_class_path = "wagtail_selvhjelp.forms.follow_up.FollowUpForm"

    def get_follow_up_url(self, code):
        """The full URL of the answer page for ``code``."""
        return self.full_url + self.reverse_subpage("follow_up", args=[code])

    def get_follow_up_form_class(self):
        return import_string(self.follow_up_form_class_path)

    def render_follow_up(self, request, state, *, form=None, status=200):
        context = self.get_context(request)
        context.update(
            {
                "state": state,
                "form": form,
                "error_summary": form.error_summary()
                if form is not None and form.errors
                else [],
            }
        )
        response = TemplateResponse(
            request, self.follow_up_template, context, status=status
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return private_response(response)

    def serve_follow_up(self, request, code):
        request.sensitive_post_parameters = "__ALL__"
        rate_limit = rate_limit_for(
            f"follow-up:{self.pk}",
            limit=selvhjelp_settings.SELF_SERVICE_RATE_LIMIT_PER_HOUR,
        )
        if not rate_limit.take(request):
            return self.render_follow_up(request, "limited", status=429)
        known = FollowUpCode.objects.filter(
            code_hash=hash_code(code), follow_up__group__page_id=self.pk
        ).exists()
        if not known:
            return self.render_follow_up(request, "unknown", status=404)
        form_class = self.get_follow_up_form_class()
        if request.method != "POST":
            return self.render_follow_up(request, "ask", form=form_class())
        form = form_class(request.POST)
        if not form.is_valid():
            return self.render_follow_up(request, "ask", form=form, status=400)
        try:
            AnswerFollowUp(
                code,
                meets=form.cleaned_data["meets"],
                useful=form.cleaned_data["useful"],
            ).execute()
        except ActionPermissionError:  # spent meanwhile by a second POST
            return self.render_follow_up(request, "unknown", status=404)
        return self.render_follow_up(request, "thanks")
