"""Behaviour of the registration page, as an abstract mixin.

Modelled on ``wagtail.contrib.forms``: a concrete page class combines this
mixin with ``Page``, and sites can subclass it and override the small hook
methods (``get_form_class``, ``get_form``, ``get_registration_model``,
``process_registration``, ``render_landing_page``...).

The mixin handles HTTP only: the spam and flood defences live in
:mod:`wagtail_selvhjelp.guards`, storage and duplicate flagging in the
registration model, and the e-mails are sent by receivers of the
``registration_submitted`` signal. Models import no forms, so the form class
is named by its dotted path.
"""

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import guards
from ..signals import registration_submitted
from .registrations import Registration


def private_response(response):
    """Keep a response out of shared caches: it carries a CSRF token or a result."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


class RegistrationFormMixin:
    """Serve a registration form: GET renders, POST validates and stores."""

    preview_modes = [
        ("form", _("Form")),
        ("landing", _("Thank-you page")),
    ]

    form_template_context_name = "form"

    #: Dotted path of the public form class; or override ``get_form_class``.
    form_class_path = "wagtail_selvhjelp.forms.RegistrationForm"

    # Hooks

    def get_form_class(self):
        return import_string(self.form_class_path)

    def get_form(self, data=None, **kwargs):
        return self.get_form_class()(data, page=self, **kwargs)

    def get_registration_model(self):
        """The model registrations of this page are stored in.

        ``Registration`` or a subclass of it (multi-table inheritance) with
        fields for a site's extra questions: answers whose names are fields
        of the model are stored there.
        """
        return Registration

    @property
    def registrations(self):
        """This page's registrations."""
        return Registration.objects.filter(page=self)

    def get_landing_page_template(self, request):
        return self.landing_page_template

    def render_landing_page(self, request):
        """The thank-you page: the page's own texts, never the registrant's data."""
        context = self.get_context(request)
        return private_response(
            TemplateResponse(request, self.get_landing_page_template(request), context)
        )

    def process_registration(self, form, *, submission_token):
        """Store a valid registration and announce it; return it.

        Runs inside a transaction. Raises ``IntegrityError`` when this form's
        one-time token was already used (a double click or a refresh).
        """
        registration = self.get_registration_model().objects.store(
            page=self,
            answers=form.cleaned_data,
            consent_text=self.consent_text,
            submission_token=submission_token,
        )
        # Receivers (the package's e-mails) run only after the commit: a
        # failing mail server never loses a registration.
        transaction.on_commit(
            lambda: registration_submitted.send(
                sender=type(self), page=self, registration=registration
            ),
            robust=True,
        )
        return registration

    # Guards (see wagtail_selvhjelp.guards)

    def make_form_token(self):
        return guards.make_form_token(self.pk)

    def read_form_token(self, value):
        return guards.read_form_token(value, self.pk)

    def get_rate_limit(self):
        return guards.RateLimit(self.pk)

    # Serving

    def render_form(self, request, form, *, status=200, notice=None):
        context = self.get_context(request)
        context.update(
            {
                self.form_template_context_name: form,
                "form_token": self.make_form_token(),
                "honeypot_field_name": form.honeypot_field_name,
                "error_summary": form.error_summary() if form.is_bound else [],
                "notice": notice,
            }
        )
        return private_response(
            TemplateResponse(
                request, self.get_template(request), context, status=status
            )
        )

    def render_state(self, request, state, *, status=200):
        """A page without a form: 'closed', 'under_age' or 'not_accepted'."""
        context = self.get_context(request)
        context["state"] = state
        context["today"] = timezone.localdate()
        return private_response(
            TemplateResponse(
                request,
                "wagtail_selvhjelp/pages/group_registration_page_state.html",
                context,
                status=status,
            )
        )

    def serve_form(self, request):
        if not self.is_open():
            return self.render_state(request, "closed")
        if request.method != "POST":
            return self.render_form(request, self.get_form())
        return self.handle_post(request)

    def handle_post(self, request):
        # Keep every answer out of Django's error reports (the e-mails sent
        # to ADMINS and the debug page), as sensitive_post_parameters() does.
        request.sensitive_post_parameters = "__ALL__"
        form = self.get_form(request.POST)
        rate_limit = self.get_rate_limit()
        if rate_limit.is_exceeded(request):
            form.is_valid()
            return self.render_form(
                request,
                form,
                status=429,
                notice=gettext(
                    "We have received many registrations from this device or "
                    "network in the last hour, so this one was not sent. Please "
                    "try again later, or call one of the contact points."
                ),
            )
        token = self.read_form_token(request.POST.get("form_token"))
        if guards.honeypot_filled(request.POST, form.honeypot_field_name) or (
            token is not None and guards.filled_too_fast(token)
        ):
            # Looks automated: count it, store nothing, answer calmly.
            rate_limit.count(request)
            return self.render_state(request, "not_accepted")
        if token is None:
            form.is_valid()
            return self.render_form(
                request,
                form,
                notice=gettext(
                    "The form had been open for a long time, so it was not sent. "
                    "Everything you wrote is still here: check it and send again."
                ),
            )
        if not form.is_valid():
            return self.render_form(request, form)
        if form.cleaned_data["birth_year"] > self.oldest_accepted_birth_year():
            return self.render_state(request, "under_age")

        rate_limit.count(request)
        try:
            with transaction.atomic():
                self.process_registration(form, submission_token=token.nonce)
        except IntegrityError:
            # The same form was sent twice (a double click, a refresh): the
            # first one was stored, so this one just gets the same answer.
            if not Registration.objects.filter(submission_token=token.nonce).exists():
                raise
        return HttpResponseRedirect(
            self.get_url(request) + self.reverse_subpage("thank_you"), status=303
        )

    # Preview in the page editor

    def serve_preview(self, request, mode_name):
        if mode_name == "landing":
            return self.render_landing_page(request)
        return self.render_form(request, self.get_form())
