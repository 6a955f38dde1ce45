"""Behaviour of the registration page, as an abstract mixin.

Modelled on ``wagtail.contrib.forms``: a concrete page class combines this
mixin with ``Page``, and sites can subclass it and override the small hook
methods (``get_form_class``, ``get_form``, ``process_registration``,
``render_landing_page``...).
"""

import hashlib
import secrets
import time

from django.core import signing
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..conf import selvhjelp_settings


TOKEN_SALT = "wagtail_selvhjelp.registration.form-token"  # noqa: S105 - a salt


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

    # Hooks

    def get_form_class(self):
        from ..forms import RegistrationForm

        return RegistrationForm

    def get_form(self, data=None, **kwargs):
        return self.get_form_class()(data, page=self, **kwargs)

    def get_landing_page_template(self, request):
        return self.landing_page_template

    def render_landing_page(self, request):
        """The thank-you page: the page's own texts, never the registrant's data."""
        context = self.get_context(request)
        return private_response(
            TemplateResponse(request, self.get_landing_page_template(request), context)
        )

    def process_registration(self, form, *, submission_token):
        """Store a valid registration and schedule its e-mails; return it.

        Runs inside a transaction. Raises ``IntegrityError`` when this form's
        one-time token was already used (a double click or a refresh).
        """
        from ..tasks import notify_coordinators, send_receipt
        from .registrations import ConsentText, Registration

        data = form.cleaned_data
        registration = Registration(
            page=self,
            name=data["name"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            birth_year=data["birth_year"],
            group_kind=data["group_kind"],
            gender=data.get("gender", ""),
            single_gender=data.get("single_gender", False),
            avoid_text=data.get("avoid_text", ""),
            access_needs=data.get("access_needs", ""),
            message=data.get("message", ""),
            consent_given_at=timezone.now(),
            consent_text=ConsentText.for_text(self.consent_text),
            submission_token=submission_token,
        )
        with transaction.atomic():
            registration.save()
        registration.places.set(data["places"])
        registration.time_slots.set(data["time_slots"])
        registration.topics.set(data.get("topics", []))

        duplicates = Registration.objects.same_person(registration)
        if duplicates.exists():
            duplicates.update(possible_duplicate=True)
            registration.possible_duplicate = True
            registration.save(update_fields=["possible_duplicate"])

        # Only identifiers go to the task queue, and only after the commit:
        # a failing mail server never loses a registration.
        transaction.on_commit(
            lambda: notify_coordinators.enqueue(registration.pk), robust=True
        )
        if registration.email:
            transaction.on_commit(
                lambda: send_receipt.enqueue(registration.pk), robust=True
            )
        return registration

    # The form token: a signed nonce and timestamp

    def make_form_token(self):
        return signing.dumps(
            {"n": secrets.token_urlsafe(24), "t": int(time.time()), "p": self.pk},
            salt=TOKEN_SALT,
            compress=True,
        )

    def read_form_token(self, value):
        """Return ``(nonce, seconds since the form was rendered)`` or ``None``."""
        try:
            data = signing.loads(
                value or "",
                salt=TOKEN_SALT,
                max_age=selvhjelp_settings.FORM_MAX_AGE_HOURS * 3600,
            )
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("p") != self.pk:
            return None
        nonce, rendered_at = data.get("n"), data.get("t")
        if not isinstance(nonce, str) or not isinstance(rendered_at, int):
            return None
        return nonce, time.time() - rendered_at

    # Rate limit

    def _rate_limit_key(self, request):
        client = request.META.get(selvhjelp_settings.CLIENT_IP_META, "") or ""
        client = client.split(",")[0].strip()
        # Hash the address: the cache should not hold IP addresses either.
        digest = hashlib.sha256(f"{self.pk}:{client}".encode()).hexdigest()[:32]
        return f"wagtail_selvhjelp:registration-rate:{digest}"

    def is_rate_limited(self, request):
        cache = caches[selvhjelp_settings.RATE_LIMIT_CACHE]
        return cache.get(self._rate_limit_key(request), 0) >= (
            selvhjelp_settings.RATE_LIMIT_PER_HOUR
        )

    def count_submission(self, request):
        cache = caches[selvhjelp_settings.RATE_LIMIT_CACHE]
        key = self._rate_limit_key(request)
        cache.add(key, 0, timeout=3600)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)

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
        if self.is_rate_limited(request):
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
        honeypot = request.POST.get(form.honeypot_field_name, "")
        if honeypot or (
            token is not None and token[1] < selvhjelp_settings.MINIMUM_FILL_SECONDS
        ):
            # Looks automated: count it, store nothing, answer calmly.
            self.count_submission(request)
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

        self.count_submission(request)
        try:
            with transaction.atomic():
                self.process_registration(form, submission_token=token[0])
        except IntegrityError:
            from .registrations import Registration

            # The same form was sent twice (a double click, a refresh): the
            # first one was stored, so this one just gets the same answer.
            if not Registration.objects.filter(submission_token=token[0]).exists():
                raise
        return HttpResponseRedirect(
            self.get_url(request) + self.reverse_subpage("thank_you"), status=303
        )

    # Preview in the page editor

    def serve_preview(self, request, mode_name):
        if mode_name == "landing":
            return self.render_landing_page(request)
        return self.render_form(request, self.get_form())
