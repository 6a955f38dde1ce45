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

Every route of the page answers only the HTTP methods it is meant for
(:class:`wagtail_selvhjelp.http.RouteMethodsMixin`); others get 405 with an
``Allow`` header.
"""

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import guards
from ..conf import selvhjelp_settings
from ..http import RouteMethodsMixin, private_response
from ..signals import registration_submitted
from .rate_limits import rate_limit_for
from .registrations import Registration


class RegistrationFormMixin(RouteMethodsMixin):
    """Serve a registration form: GET renders, POST validates and stores."""

    preview_modes = [
        ("form", _("Form")),
        ("landing", _("Thank-you page")),
    ]

    form_template_context_name = "form"

    #: Dotted path of the public form class; or override ``get_form_class``.
    form_class_path = "wagtail_selvhjelp.forms.RegistrationForm"

    #: The HTTP methods of the form's routes (see ``RouteMethodsMixin``);
    #: other routes answer ``default_route_methods``, GET and POST.
    route_methods = {
        "index_route": ("GET", "POST"),
        "thank_you_route": ("GET",),
    }

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

    #: How the receipt goes out, named in the thank-you page's query string
    #: (the channel only, never an address or a number).
    RECEIPT_CHANNELS = ("email", "phone")

    def render_landing_page(self, request):
        """The thank-you page: the page's own texts, never the registrant's data.

        ``?receipt=email`` announces the receipt with its personal link;
        ``?receipt=phone`` (no e-mail given) says how to reach a contact point.
        """
        context = self.get_context(request)
        receipt = request.GET.get("receipt")
        context["receipt"] = receipt if receipt in self.RECEIPT_CHANNELS else None
        if context["receipt"] == "phone":
            context["contact_points"] = self.get_contact_points()
            context["sms_receipt"] = bool(selvhjelp_settings.SMS_BACKEND)
        context["link_days"] = selvhjelp_settings.SELF_SERVICE_LINK_DAYS
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
            consent_version_id=self.get_consent_version_id(),
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

    def get_consent_version_id(self):
        """The id of the stored :class:`ConsentText` of ``consent_text``.

        None here: the registration then looks it up (and stores it the
        first time). A page that keeps it at hand returns it.
        """
        return None

    # Guards (see wagtail_selvhjelp.guards)

    def make_form_token(self):
        return guards.make_form_token(self.pk)

    def read_form_token(self, value):
        return guards.read_form_token(value, self.pk)

    def get_rate_limit(self):
        return rate_limit_for(self.pk)

    # Serving

    def render_form(
        self,
        request,
        form,
        *,
        status=200,
        notice=None,
        form_token=None,
        under_age=False,
    ):
        """The form page; ``form_token`` is the one the form was sent with.

        A form sent back with errors keeps its token, so the time it was
        first opened still counts: fixing one answer quickly is not
        mistaken for a bot filling in the form too fast. ``under_age`` adds
        the page's under-age text above the form.
        """
        context = self.get_context(request)
        context.update(
            {
                self.form_template_context_name: form,
                "form_token": form_token or self.make_form_token(),
                "honeypot_field_name": form.honeypot_field_name,
                "error_summary": form.error_summary() if form.is_bound else [],
                "notice": notice,
                "under_age": under_age,
                "form_is_cacheable": self.form_is_cacheable(form),
            }
        )
        return private_response(
            TemplateResponse(
                request, self.get_template(request), context, status=status
            )
        )

    def form_is_cacheable(self, form):
        """Whether the form's questions may come from the fragment cache.

        Only an empty form with no initial values is the same for every
        visitor; a site whose ``get_form`` fills in answers from the request
        gets a fresh rendering, as does every form sent back with errors.
        """
        return not form.is_bound and not form.initial

    def render_state(self, request, state, *, status=200):
        """A page without a form.

        ``state`` is 'closed', 'not_accepted' or
        'already_registered' (this form was sent before, with other answers).
        """
        context = self.get_context(request)
        context["state"] = state
        context["today"] = timezone.localdate()
        if state == "already_registered":
            context["contact_points"] = self.get_contact_points()
        return private_response(
            TemplateResponse(
                request,
                "wagtail_selvhjelp/pages/group_registration_page_state.html",
                context,
                status=status,
            )
        )

    def get_contact_points(self):
        """Where people can get help: the contact points of the parent section.

        An empty list when the parent page has none (or is not a section).
        """
        parent = self.get_parent()
        parent = parent.specific if parent is not None else None
        get_contact_points = getattr(parent, "get_contact_points", None)
        return list(get_contact_points()) if get_contact_points else []

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
        # A form sent before (a double click, a refresh, or back and send
        # again) gets the same answer whatever it holds now: the first
        # registration stands. Answers that would be stored are told apart
        # by the one-time token's unique column as they are stored, so a
        # first sending costs no query to look for an earlier one.
        under_age = (
            form.is_valid()
            and form.cleaned_data["birth_year"] > self.oldest_accepted_birth_year()
        )
        if not form.is_valid() or under_age:
            first = self.get_registration_by_token(token.nonce)
            if first is not None:
                return self.answer_repeated_submission(request, form, first)
            if under_age:
                # With the form, not instead of it: a mistyped year is
                # corrected without typing everything again.
                form.add_error(
                    "birth_year",
                    gettext(
                        "Did you type the wrong year? These groups are for people "
                        "aged %(age)s and over: check the year you were born."
                    )
                    % {"age": self.minimum_age},
                )
            return self.render_form(
                request,
                form,
                form_token=request.POST["form_token"],
                under_age=under_age,
            )

        # Count and check in one atomic step: a burst of simultaneous posts
        # from one client stores no more than the limit.
        if not rate_limit.take(request):
            return self.render_rate_limited(request, form)
        try:
            with transaction.atomic():
                registration = self.process_registration(
                    form, submission_token=token.nonce
                )
        except IntegrityError:
            first = self.get_registration_by_token(token.nonce)
            if first is None:
                raise
            return self.answer_repeated_submission(request, form, first)
        return self.redirect_to_thank_you(request, registration)

    def render_rate_limited(self, request, form):
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

    def redirect_to_thank_you(self, request, registration=None):
        # The form posts to the page's own URL, so the thank-you page is
        # found from the request's path, without looking up the site's
        # root paths (a cache read, a query on the database cache).
        page_path = request.path.rstrip("/") + "/"
        url = page_path + self.reverse_subpage("thank_you")
        if registration is not None:
            url += "?receipt=" + ("email" if registration.email else "phone")
        return HttpResponseRedirect(url, status=303)

    # A form sent more than once

    def get_registration_by_token(self, nonce):
        """The registration stored from the form with this one-time token."""
        model = self.get_registration_model()
        registration = model.objects.filter(submission_token=nonce).first()
        if registration is None and model is not Registration:
            registration = Registration.objects.filter(submission_token=nonce).first()
        return registration

    def answer_repeated_submission(self, request, form, first):
        """Answer a form whose one-time token was already used for ``first``.

        The same answers again (a double click, a refresh) get the thank-you
        page. Different answers are not saved: the person is told plainly
        that the first registration stands and whom to contact to change
        it; their answers, old or new, are never shown back.
        """
        if form.is_valid() and self.has_same_answers(first, form.cleaned_data):
            return self.redirect_to_thank_you(request, first)
        return self.render_state(request, "already_registered")

    def has_same_answers(self, registration, answers):
        """Whether ``registration`` holds ``answers`` (a valid form's data).

        Compares the answers ``Registration.objects.store()`` stores (the
        model's ``get_answer_fields()``), choices included, in memory.
        """
        model = type(registration)
        for name in model.get_answer_fields():
            if name not in answers:
                continue
            field = model._meta.get_field(name)
            if field.many_to_many:
                stored = set(getattr(registration, name).values_list("pk", flat=True))
                if stored != {choice.pk for choice in answers[name]}:
                    return False
            elif getattr(registration, field.attname) != answers[name]:
                return False
        return True

    # Preview in the page editor

    def serve_preview(self, request, mode_name):
        if mode_name == "landing":
            return self.render_landing_page(request)
        return self.render_form(request, self.get_form())
