"""Registrations: people who want to join a self-help group.

They hold special-category personal data (GDPR art. 9), so: a registration's
``__str__`` is never the person's name (Wagtail's audit log keeps an object's
label after the object is gone), they are not under revisions and not in any
search index, and deleting one deletes its choices with it.
"""

import functools
import hashlib

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    ACCESS_NEEDS_MAX_LENGTH,
    ACTIVE_STATUSES,
    AVOID_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    Gender,
    GroupKind,
    RegistrationStatus,
)
from ..fields import EncryptedTextField
from ..phone import format_phone
from .languages import registered_language
from .page_scoped import PageScopedModel, PageScopedQuerySet


def days_since(moment, today=None):
    """Whole local calendar days from ``moment`` to ``today`` (never negative)."""
    today = today or timezone.localdate()
    return max(0, (today - timezone.localdate(moment)).days)


class ConsentText(models.Model):
    """The exact wording of a consent someone gave, stored once per version."""

    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    text = models.TextField(editable=False)
    first_used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return self.text

    @classmethod
    def for_text(cls, text):
        """The stored version of ``text``, created the first time it is used."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        consent, _created = cls.objects.get_or_create(
            sha256=digest, defaults={"text": text}
        )
        return consent


@functools.cache
def registration_page_paths():
    """``{page class: relation path from Page}`` for every registration page.

    A registration's page is a ``Page``; its own class (``GroupRegistrationPage``
    or a site's subclass) is a join away through the parent links, so that
    :meth:`RegistrationQuerySet.with_specific_page` can select it along.
    The page class comes from the models package when this is called: its
    module imports this one, so importing it back (even in a function)
    would be an import cycle.
    """
    from wagtail.models import Page, get_page_models

    from . import AbstractGroupRegistrationPage

    return {
        model: "__".join(
            step.join_field.get_accessor_name()
            for step in model._meta.get_path_from_parent(Page)
        )
        for model in get_page_models()
        if issubclass(model, AbstractGroupRegistrationPage)
    }


class RegistrationQuerySet(PageScopedQuerySet):
    def active(self):
        """Registrations of people who still want a group (in one or not)."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def waiting(self):
        """People waiting for a group: they still want one and are in none.

        The one definition of "waiting" that matching, the dashboard, the
        members page and the coordinators' e-mail count.
        """
        return self.active().exclude(memberships__is_current=True)

    def with_specific_page(self):
        """Select each registration's page as its own page class, in one query.

        ``registration.page.specific`` would read the page once more per
        registration; :meth:`Registration.get_specific_page` finds it here.
        """
        return self.select_related(
            "page__locale",
            *(f"page__{path}" for path in registration_page_paths().values()),
        )

    def same_person(self, registration):
        """Active registrations on the same page with the same e-mail or phone."""
        match = Q()
        if registration.email:
            match |= Q(email__iexact=registration.email)
        if registration.phone:
            match |= Q(phone=registration.phone)
        if not match:
            return self.none()
        return (
            self.active()
            .filter(match, page_id=registration.page_id)
            .exclude(pk=registration.pk)
        )

    def store(
        self,
        *,
        page,
        answers,
        consent_text,
        consent_version_id=None,
        submission_token=None,
        language=None,
    ):
        """Create a registration from a valid form's ``answers``; return it.

        Every answer of the model's field catalogue (``get_answer_fields()``)
        is stored, so a site's registration model with an extra field stores
        an extra question without further code. The consent wording is kept
        as given, as the :class:`ConsentText` ``consent_version_id`` when the caller
        knows it holds that wording, else looked up (or stored) by its text.
        ``language``: the written standard the person used, by default the
        one they are registering in now (``languages.registered_language``).
        Raises ``IntegrityError`` when ``submission_token`` was already used.
        """
        model = self.model
        fields, many = {}, {}
        for name in model.get_answer_fields():
            if name in answers:
                is_many = model._meta.get_field(name).many_to_many
                (many if is_many else fields)[name] = answers[name]
        registration = model(
            page=page,
            consent_given_at=timezone.now(),
            consent_text_id=consent_version_id or ConsentText.for_text(consent_text).pk,
            submission_token=submission_token,
            language=language or registered_language(page),
            **fields,
        )
        # One transaction (no savepoint inside the caller's), and the choices
        # in one INSERT per relation: the registration is new, so there is
        # nothing to compare with, as ``.set()`` would.
        with transaction.atomic(savepoint=False):
            registration.save()
            for name, values in many.items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source = f"{field.m2m_field_name()}_id"
                target = f"{field.m2m_reverse_field_name()}_id"
                through.objects.bulk_create(
                    through(**{source: registration.pk, target: value.pk})
                    for value in values
                )
            registration.flag_possible_duplicates()
        return registration


class Registration(PageScopedModel):
    created_at = models.DateTimeField(_("registered"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    email = models.EmailField(_("e-mail"), blank=True, max_length=EMAIL_MAX_LENGTH)
    phone = models.CharField(_("phone"), blank=True, max_length=PHONE_MAX_LENGTH)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))

    places = models.ManyToManyField(
        "wagtail_selvhjelp.RegistrationPlace",
        through="RegistrationPlaceChoice",
        related_name="registrations",
        verbose_name=_("places"),
    )
    time_slots = models.ManyToManyField(
        "wagtail_selvhjelp.RegistrationTimeSlot",
        through="RegistrationTimeSlotChoice",
        related_name="registrations",
        verbose_name=_("time slots"),
    )
    topics = models.ManyToManyField(
        "wagtail_selvhjelp.RegistrationTopic",
        through="RegistrationTopicChoice",
        related_name="registrations",
        blank=True,
        verbose_name=_("topics"),
    )
    group_kind = models.CharField(
        _("group wanted"),
        max_length=10,
        choices=GroupKind.choices,
        default=GroupKind.ANY,
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    single_gender = models.BooleanField(_("wants a single-gender group"), default=False)
    # The free texts are encrypted at rest (see wagtail_selvhjelp.encryption).
    avoid_text = EncryptedTextField(
        _("should not be grouped with"), max_length=AVOID_MAX_LENGTH, blank=True
    )
    access_needs = EncryptedTextField(
        _("needs for the meeting place"),
        max_length=ACCESS_NEEDS_MAX_LENGTH,
        blank=True,
    )
    message = EncryptedTextField(
        _("anything else"), max_length=MESSAGE_MAX_LENGTH, blank=True
    )

    consent_given_at = models.DateTimeField(_("consent given"))
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent text"),
    )

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.NEW,
        db_index=True,
    )
    possible_duplicate = models.BooleanField(
        _("possible duplicate"),
        default=False,
        help_text=_(
            "Another active registration on this page has the same e-mail or phone."
        ),
    )
    coordinator_notes = EncryptedTextField(_("coordinator notes"), blank=True)

    # Retention (see wagtail_selvhjelp.privacy): a registration that has
    # waited long is asked whether it still wants a group, and is deleted
    # when nobody answers.
    confirmed_at = models.DateTimeField(
        _("last confirmed they still want a group"),
        null=True,
        blank=True,
        editable=False,
    )
    reconfirmation_requested_at = models.DateTimeField(
        _("asked to confirm"), null=True, blank=True, editable=False
    )

    #: The written standard the person registered in (nb or nn): every
    #: message to them is in it, whatever the coordinator's admin language.
    language = models.CharField(
        _("written standard"), max_length=15, blank=True, editable=False
    )

    # The one-time token of the form that was submitted: a double click or a
    # refresh carries the same token, and the unique constraint lets only
    # one row in, even when the requests race.
    # NULL, not "", so that many registrations can lack a token (demo data).
    submission_token = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )

    objects = RegistrationQuerySet.as_manager()

    # The field catalogue: what each field is to the package, declared once.
    # Storing, duplicate detection, Inspect, the spreadsheet export, a
    # person's data and the privacy overview read it, so a new question of
    # the package is its field and one entry in ``answer_fields``. A site's
    # subclass declares nothing: the fields it adds are answers too (see
    # ``get_answer_fields()``); it overrides an attribute only to say more.

    #: The person's answers, in the order the public form asks them.
    answer_fields = (
        "name",
        "email",
        "phone",
        "birth_year",
        "places",
        "time_slots",
        "topics",
        "group_kind",
        "gender",
        "single_gender",
        "avoid_text",
        "access_needs",
        "message",
    )
    #: Answers a registration page may leave out: {answer: the page's switch}.
    optional_answers = {
        "gender": "ask_gender",
        "single_gender": "ask_gender",
        "avoid_text": "ask_avoid",
        "access_needs": "ask_access_needs",
    }
    #: Fields only coordinators set; never taken from a form's answers.
    coordinator_fields = frozenset(
        {
            "status",
            "possible_duplicate",
            "coordinator_notes",
            "confirmed_at",
            "reconfirmation_requested_at",
        }
    )
    #: Health-related answers and free texts: in a spreadsheet only for users
    #: who may also export answers (``export_registration_answers``).
    sensitive_fields = frozenset(
        {
            "topics",
            "gender",
            "single_gender",
            "avoid_text",
            "access_needs",
            "message",
            "coordinator_notes",
        }
    )
    #: Technical fields: nobody's answer, never shown, in no one's data.
    internal_fields = frozenset({"submission_token"})
    #: The Inspect view's fields, in order (a subclass's own follow).
    inspect_fields = (
        "page",
        "created_at",
        *answer_fields,
        "consent_given_at",
        "consent_text",
        "status",
        "possible_duplicate",
        "coordinator_notes",
    )
    #: The spreadsheet's columns, in order; the sensitive ones come last, and
    #: only with the second permission. ``pk`` and ``days_waiting`` are no
    #: fields: ``export`` names their headings.
    export_fields = (
        "pk",
        "page",
        "created_at",
        "days_waiting",
        "status",
        *answer_fields,
        "possible_duplicate",
        "coordinator_notes",
    )
    #: What a column shows where that is not the field's own value.
    export_values = {
        "page": "page.title",
        "status": "status_label",
        "phone": "phone_display",
        "places": "place_names",
        "time_slots": "time_slot_names",
        "topics": "topic_names",
        "group_kind": "group_kind_label",
        "gender": "gender_label",
    }

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        permissions = [
            ("match_registration", _("Can put registrations together into groups")),
            ("export_registration", _("Can export registrations")),
            (
                "export_registration_answers",
                _("Can export registrations' free texts and health-related answers"),
            ),
            (
                "access_registration",
                _("Can export everything held about a person (right of access)"),
            ),
            ("erase_registration", _("Can erase a person (right to erasure)")),
            (
                "view_privacy_overview",
                _("Can see the privacy overview of every registration page"),
            ),
        ]

    def __str__(self):
        # Never the person's name: this label outlives the registration in logs.
        return _("Registration %(number)s") % {"number": self.pk or "–"}

    @classmethod
    def get_added_fields(cls):
        """Names of the fields a site's subclass adds to ``Registration``.

        Its own columns and choices, not the link to the parent row; empty
        for ``Registration`` itself.
        """
        return tuple(
            field.name
            for field in (*cls._meta.concrete_fields, *cls._meta.many_to_many)
            if field.model is not Registration
            and not field.primary_key
            and (field.many_to_many or not field.is_relation)
        )

    @classmethod
    def get_answer_fields(cls):
        """Names of every answer this model stores: the package's, then a
        subclass's own editable fields (but coordinators' and internal ones).
        """
        added = tuple(
            name
            for name in cls.get_added_fields()
            if cls._meta.get_field(name).editable
            and name not in cls.coordinator_fields
            and name not in cls.internal_fields
        )
        return (*cls.answer_fields, *added)

    @property
    def phone_display(self):
        return format_phone(self.phone)

    # Plain values for listings and exports; the relations are meant to be
    # prefetched (prefetch_related("places", "time_slots", "topics")).

    @property
    def days_waiting(self):
        return days_since(self.created_at)

    def confirm_still_waiting(self):
        """Record that the person still wants a group (restarts the wait);
        see :class:`~.actions.ConfirmWaiting`."""
        from .actions import ConfirmWaiting

        ConfirmWaiting(self).execute(skip_permission_checks=True)

    @property
    def status_label(self):
        return str(self.get_status_display())

    @property
    def group_kind_label(self):
        return str(self.get_group_kind_display())

    @property
    def gender_label(self):
        return str(self.get_gender_display()) if self.gender else ""

    @property
    def place_names(self):
        return ", ".join(place.name for place in self.places.all())

    @property
    def time_slot_names(self):
        return ", ".join(slot.name for slot in self.time_slots.all())

    @property
    def topic_names(self):
        return ", ".join(topic.name for topic in self.topics.all())

    def get_specific(self):
        """This registration as its page's registration model.

        A site's page may store registrations in a subclass of
        ``Registration`` with fields for extra questions; this returns that
        row, or ``self`` when the page uses ``Registration`` itself.
        """
        from . import AbstractGroupRegistrationPage  # see registration_page_paths

        page = self.page.specific
        if not isinstance(page, AbstractGroupRegistrationPage):
            return self
        model = page.get_registration_model()
        if model is type(self) or not issubclass(model, type(self)):
            return self
        return model.objects.filter(pk=self.pk).first() or self

    def get_specific_page(self):
        """The registration page as its own class (see ``with_specific_page``)."""
        page = self.page
        path = registration_page_paths().get(page.specific_class)
        if path is None:
            return page.specific
        for name in path.split("__"):
            page = getattr(page, name)
        return page

    def flag_possible_duplicates(self):
        """Mark this and other active registrations of the same person.

        Flagged, never rejected: two people may share an e-mail address, and
        the coordinator decides.
        """
        duplicates = Registration.objects.same_person(self)
        if duplicates.exists():
            duplicates.update(possible_duplicate=True)
            self.possible_duplicate = True
            self.save(update_fields=["possible_duplicate"])


class RegistrationPlaceChoice(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE)
    # RESTRICT: a place registrations chose can only be archived, not deleted
    # on its own; deleting the whole page (and so its registrations) is fine.
    place = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationPlace", on_delete=models.RESTRICT
    )

    class Meta:
        unique_together = [("registration", "place")]

    def __str__(self):
        return f"{self.registration}: {self.place}"


class RegistrationTimeSlotChoice(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE)
    time_slot = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationTimeSlot", on_delete=models.RESTRICT
    )

    class Meta:
        unique_together = [("registration", "time_slot")]

    def __str__(self):
        return f"{self.registration}: {self.time_slot}"


class RegistrationTopicChoice(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE)
    topic = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationTopic", on_delete=models.RESTRICT
    )

    class Meta:
        unique_together = [("registration", "topic")]

    def __str__(self):
        return f"{self.registration}: {self.topic}"
