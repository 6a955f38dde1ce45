"""The answer page of an invitation, a route on the registration page.

Each member's offer comes with a signed link (:data:`.invitations.OFFER_LINK`).
**A GET shows the offer and changes nothing**: mail security gateways open
every link in incoming mail. A POST with Django's CSRF token accepts or
declines through :class:`~.invitation_actions.AnswerOffer`; a decline asks
whether the person stays on the waiting list or withdraws. The answer can be
changed until the group starts.

Every bad, tampered, expired or revoked link, and a link to another page's
offer, gets the self-service page's neutral "this link does not open
anything" page, so the page tells nobody whether someone was invited. The
page is rate-limited per client, never cached or indexed, and sends no
referrer to other sites.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.module_loading import import_string

from ..conf import selvhjelp_settings
from ..http import private_response
from .invitation_actions import AnswerOffer
from .invitations import make_offer_token, read_offer_token
from .rate_limits import rate_limit_for


class OfferAnswerMixin:
    """Serve an invitation's answer page; combine with the self-service mixin."""

    offer_answer_template = "wagtail_selvhjelp/pages/offer_answer.html"
    #: The answer form, a ``PublicForm`` (named by path: models import no forms).
    offer_form_class_path = "wagtail_selvhjelp.forms.invitations.OfferAnswerForm"

    def get_offer_url(self, offer):
        """The full URL of ``offer``'s answer page."""
        return self.full_url + self.reverse_subpage(
            "offer", args=[make_offer_token(offer)]
        )

    def get_offer_form_class(self):
        return import_string(self.offer_form_class_path)

    def get_offer_rate_limit(self):
        return rate_limit_for(
            f"offer:{self.pk}", limit=selvhjelp_settings.OFFER_RATE_LIMIT_PER_HOUR
        )

    def get_offer_contact_points(self):
        """The contact points of the page's section, to ask questions."""
        parent = self.get_parent().specific
        getter = getattr(parent, "get_contact_points", None)
        return getter() if getter else []

    def render_offer(self, request, offer, form, *, status=200, error=None):
        context = self.get_context(request)
        group = offer.group
        context.update(
            {
                "offer": offer,
                "group": group,
                "form": form,
                "error_summary": form.error_summary() if form.is_bound else [],
                "answer_error": error,
                "can_answer": group.status == "forming"
                and offer.state in ("offered", "accepted", "declined"),
                "contact_points": self.get_offer_contact_points(),
            }
        )
        response = TemplateResponse(
            request, self.offer_answer_template, context, status=status
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return private_response(response)

    def serve_offer(self, request, token):
        request.sensitive_post_parameters = "__ALL__"
        if not self.get_offer_rate_limit().take(request):
            return self.render_self_service(request, "limited", status=429)
        offer = read_offer_token(token)
        if offer is None or offer.page_id != self.pk:
            return self.render_self_service(request, "unknown", status=404)
        form_class = self.get_offer_form_class()
        if request.method != "POST":
            return self.render_offer(request, offer, form_class())
        form = form_class(request.POST)
        if not form.is_valid():
            return self.render_offer(request, offer, form, status=400)
        try:
            AnswerOffer(
                offer,
                accept=form.cleaned_data["answer"] == "accept",
                then=form.cleaned_data["then"] or "waiting",
                link=offer.registration,
            ).execute()
        except ValidationError as error:
            return self.render_offer(
                request, offer, form_class(), status=409, error=error.messages[0]
            )
        # Post/redirect/get: a reload shows the answer, it does not send it again.
        return private_response(HttpResponseRedirect(request.path, status=303))
