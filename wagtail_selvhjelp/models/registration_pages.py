"""The registration form page and the choices editors configure on it."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from ..blocks import RICH_TEXT_FEATURES
from ..conf import selvhjelp_settings
from ..page_forms import RegistrationPageAdminForm
from .descriptions import MetaDescriptionMixin, rich_text_to_plain
from .follow_up_page import FollowUpPageMixin
from .invitation_answers import OfferAnswerMixin
from .invitations import MAX_OFFER_DAYS
from .languages import PageLanguageMixin
from .registration_form import RegistrationFormMixin
from .registrations import ConsentText
from .retention import Retention, retention_field
from .self_service import SelfServiceMixin
from .site_settings import SelfHelpSiteSettings


class ChoiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived=False)


class RegistrationChoice(Orderable):
    """One option of a registration page's place, time-slot or topic lists.

    A choice that registrations use cannot be removed from the page; editors
    archive it instead, which hides it from the form and keeps every
    registration that chose it intact.
    """

    name = models.CharField(_("name"), max_length=100)
    archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_("Hidden from the form; registrations that chose it keep it."),
    )

    objects = ChoiceQuerySet.as_manager()

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("archived")])]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return self.name


class RegistrationPlace(RegistrationChoice):
    """A place groups can meet. On a page that serves several municipalities
    (an inter-municipal page), each place names the municipality it is in,
    and the statistics count registrations per municipality."""

    page = ParentalKey(
        "wagtail_selvhjelp.GroupRegistrationPage",
        on_delete=models.CASCADE,
        related_name="places",
    )
    municipality = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        help_text=_(
            "Only on a page several municipalities share: the municipality's "
            "site this place is in."
        ),
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("name"), FieldPanel("municipality"), FieldPanel("archived")]
        )
    ]

    class Meta(RegistrationChoice.Meta):
        verbose_name = _("place")
        verbose_name_plural = _("places")


class RegistrationTimeSlot(RegistrationChoice):
    page = ParentalKey(
        "wagtail_selvhjelp.GroupRegistrationPage",
        on_delete=models.CASCADE,
        related_name="time_slots",
    )

    class Meta(RegistrationChoice.Meta):
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")


class RegistrationTopic(RegistrationChoice):
    page = ParentalKey(
        "wagtail_selvhjelp.GroupRegistrationPage",
        on_delete=models.CASCADE,
        related_name="topics",
    )

    class Meta(RegistrationChoice.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


def validate_email_list(value):
    """Validate one e-mail address per line (or separated by commas)."""
    for address in split_email_list(value):
        validate_email(address)


def split_email_list(value):
    return [
        part.strip()
        for part in (value or "").replace(",", "\n").splitlines()
        if part.strip()
    ]


def default_minimum_age():
    return selvhjelp_settings.DEFAULT_MINIMUM_AGE


def default_min_size():
    return selvhjelp_settings.GROUP_MIN_SIZE


def default_max_size():
    return selvhjelp_settings.GROUP_MAX_SIZE


def default_privacy_notice(language_code=None, site_settings=None):
    """A privacy notice to complete, in ``language_code`` (default: the site's).

    The parts only the municipality knows come from ``site_settings`` (a
    :class:`SelfHelpSiteSettings`) where filled in, and are marked
    "[fill in: …]" where not: the page cannot be published until they are
    replaced. Called without arguments it is the field's default, made
    before the page has a locale or a site (see
    :meth:`AbstractGroupRegistrationPage.use_own_language_for_default_texts`).
    """
    retention = Retention.resolve(site_settings)
    with translation.override(language_code or settings.LANGUAGE_CODE):
        return render_to_string(
            "wagtail_selvhjelp/privacy_notice_default.html",
            {
                "reconfirm_months": retention.reconfirm_months,
                "grace_days": retention.reconfirm_grace_days,
                "after_group_months": retention.after_group_months,
                "site_settings": site_settings,
            },
        ).strip()


def default_consent_text(language_code=None):
    """The consent wording people tick, in ``language_code`` (default: the site's)."""
    with translation.override(language_code or settings.LANGUAGE_CODE):
        return gettext(
            "I agree that the municipality stores what I have written here to put "
            "together self-help groups, and contacts me about it."
        )


# The retention fields' defaults until migration 0024, which its earlier
# migrations still name; the fields are now empty by default (the site's).
def default_closed_days():
    return selvhjelp_settings.RETENTION_CLOSED_DAYS


def default_reconfirm_months():
    return selvhjelp_settings.RETENTION_RECONFIRM_MONTHS


def default_reconfirm_grace_days():
    return selvhjelp_settings.RETENTION_RECONFIRM_GRACE_DAYS


def default_after_group_months():
    return selvhjelp_settings.RETENTION_AFTER_GROUP_MONTHS


class AbstractGroupRegistrationPage(
    PageLanguageMixin,
    MetaDescriptionMixin,
    RegistrationFormMixin,
    SelfServiceMixin,
    OfferAnswerMixin,
    FollowUpPageMixin,
    RoutablePageMixin,
    Page,
):
    """What a registration page is: its fields, panels, rules and routes.

    The contract the rest of the package relies on, as ``AbstractForm`` is
    in ``wagtail.contrib.forms``: a page is a registration page when it is
    an instance of this class.

    The place, time-slot and topic lists are not here. Their models'
    ``ParentalKey`` names the concrete :class:`GroupRegistrationPage`, and
    ``Registration.places`` (time slots, topics) point at those models, as
    a foreign key cannot point at an abstract class. So a site's page
    normally subclasses ``GroupRegistrationPage`` and inherits the lists
    (``tests/testapp``). A class built on this one directly must declare
    the ``places``, ``time_slots`` and ``topics`` child relations that the
    panels, the public form and matching read, and return from
    ``get_registration_model()`` a model that records those choices (the
    package's ``Registration`` records choices of ``GroupRegistrationPage``'s
    lists only), as an ``AbstractForm`` subclass declares its
    ``form_fields``. Wagtail gives every page class a default ``template``:
    a subclass that keeps the package's template names it again.
    """

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)
    privacy_notice = RichTextField(
        _("privacy notice"),
        features=RICH_TEXT_FEATURES,
        default=default_privacy_notice,
        help_text=_(
            "What you collect, why, who sees it, how long you keep it and how to "
            "have it deleted. Required before the page can be published; replace "
            "every “[fill in: …]” with the municipality's details."
        ),
    )
    consent_text = models.TextField(
        _("consent wording"),
        max_length=1000,
        default=default_consent_text,
        help_text=_(
            "The exact text people tick. The text each person agreed to is "
            "stored with their registration."
        ),
    )
    # The stored version of consent_text, kept in step by save(): storing a
    # registration then reads nothing to record what the person agreed to.
    consent_version = models.ForeignKey(
        "wagtail_selvhjelp.ConsentText",
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    thank_you_text = RichTextField(
        _("thank-you text"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Shown after a registration; say what happens next."),
    )
    under_age_text = RichTextField(
        _("under-age text"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Shown to people under the minimum age; point them to other help."),
    )
    closed_text = RichTextField(
        _("text when registration is closed"),
        blank=True,
        features=RICH_TEXT_FEATURES,
    )

    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        choices=[(16, "16"), (18, "18")],
        default=default_minimum_age,
    )
    max_age_span = models.PositiveSmallIntegerField(
        _("largest age span in a group"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
        help_text=_(
            "In years; leave empty for no limit. Used when groups are proposed."
        ),
    )
    group_min_size = models.PositiveSmallIntegerField(
        _("smallest group size"),
        default=default_min_size,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
    )
    group_max_size = models.PositiveSmallIntegerField(
        _("largest group size"),
        default=default_max_size,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to answer an invitation"),
        default=7,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_OFFER_DAYS)],
        help_text=_(
            "Members invited to a new group answer within this many days; one "
            "reminder goes out before the deadline. 2 to 30."
        ),
    )

    propose_new_registrations = models.BooleanField(
        _("propose people not contacted yet"),
        default=True,
        help_text=_(
            "When ticked, registrations with the status “New” are proposed for "
            "groups, marked as not contacted yet."
        ),
    )

    ask_gender = models.BooleanField(
        _("ask for gender and single-gender wish"), default=False
    )
    ask_avoid = models.BooleanField(
        _("ask whom they should not be grouped with"),
        default=True,
        help_text=_("Close family or friends should not be in the same group."),
    )
    ask_access_needs = models.BooleanField(
        _("ask about needs for the meeting place"), default=True
    )

    opens_on = models.DateField(_("registration opens"), null=True, blank=True)
    closes_on = models.DateField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_(
            "The last day registrations are accepted. Leave empty to keep "
            "registration open."
        ),
    )

    notify_emails = models.TextField(
        _("notify these e-mail addresses"),
        blank=True,
        validators=[validate_email_list],
        help_text=_(
            "One per line. They get a short notice with a link to the admin, never "
            "the registrant's name, contact details or answers."
        ),
    )
    # Retention: editable within limits that keep data no longer than a
    # municipality can justify (and long enough to do the work). Empty: the
    # site's default, else the package's (``get_retention``).
    retention_closed_days = retention_field(
        "closed_days",
        _("Counted from their last change; 1 to 90. Empty: the site's default."),
    )
    retention_reconfirm_months = retention_field(
        "reconfirm_months",
        _(
            "People who have waited this long get an e-mail asking whether they "
            "still want a group; 1 to 24. Empty: the site's default."
        ),
    )
    retention_reconfirm_grace_days = retention_field(
        "reconfirm_grace_days",
        _(
            "A registration that does not confirm within this time is deleted; "
            "14 to 90. Empty: the site's default."
        ),
    )
    retention_after_group_months = retention_field(
        "after_group_months",
        _(
            "Counted from when the group ended or the member left; the group's "
            "own record stays, without names; 1 to 24. Empty: the site's default."
        ),
    )
    coordinator_groups = ParentalManyToManyField(
        Group,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator groups"),
        help_text=_("Members of these groups coordinate this page's registrations."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("ask_gender"),
                FieldPanel("ask_avoid"),
                FieldPanel("ask_access_needs"),
            ],
            heading=_("Optional questions"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("privacy_notice"),
                FieldPanel("consent_text"),
                FieldPanel("thank_you_text"),
                FieldPanel("under_age_text"),
                FieldPanel("closed_text"),
            ],
            heading=_("Texts"),
        ),
    ]
    # What people choose from sits with the rest of the registration's
    # settings, where an editor looks for them, not among the page's texts.
    settings_panels_group = [
        InlinePanel("places", heading=_("Places"), label=_("Place"), min_num=1),
        InlinePanel(
            "time_slots", heading=_("Time slots"), label=_("Time slot"), min_num=1
        ),
        InlinePanel("topics", heading=_("Topics"), label=_("Topic")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_on"), FieldPanel("closes_on")]),
            ],
            heading=_("Registration period"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("minimum_age"),
                FieldPanel("max_age_span"),
                FieldRowPanel(
                    [FieldPanel("group_min_size"), FieldPanel("group_max_size")]
                ),
                FieldPanel("offer_days"),
                FieldPanel("propose_new_registrations"),
            ],
            heading=_("Groups"),
        ),
        MultiFieldPanel(
            [FieldPanel("notify_emails"), FieldPanel("coordinator_groups")],
            heading=_("Coordination"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("retention_closed_days"),
                        FieldPanel("retention_reconfirm_months"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("retention_reconfirm_grace_days"),
                        FieldPanel("retention_after_group_months"),
                    ]
                ),
            ],
            heading=_("Retention"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(settings_panels_group, heading=_("Registration")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    base_form_class = RegistrationPageAdminForm

    parent_page_types = ["wagtail_selvhjelp.SelfHelpIndexPage"]
    subpage_types = []
    template = "wagtail_selvhjelp/pages/group_registration_page.html"
    landing_page_template = (
        "wagtail_selvhjelp/pages/group_registration_page_landing.html"
    )

    default_description = _(
        "Register for a self-help group. A coordinator gets in touch with you "
        "to find a group that suits you."
    )

    class Meta:
        abstract = True

    def get_description_text(self):
        return rich_text_to_plain(self.intro)

    def clean(self):
        super().clean()
        if (
            self.group_min_size
            and self.group_max_size
            and self.group_min_size > self.group_max_size
        ):
            raise ValidationError(
                {
                    "group_max_size": _(
                        "The largest group cannot be smaller than the smallest."
                    )
                }
            )
        if self.opens_on and self.closes_on and self.opens_on > self.closes_on:
            raise ValidationError(
                {"closes_on": _("Registration cannot close before it opens.")}
            )

    def use_own_language_for_default_texts(self, parent=None):
        """Make untouched default texts again in the page's language, for its site.

        A field's default is made when the page object is, before it has a
        locale or a place in the tree: in the installation's language, with
        "[fill in: …]" for the municipality's names. Once both are known
        (the page editor's create view; the first save), a privacy notice
        and consent wording still equal to those defaults are made in the
        page's own language (its site's written standard, else its
        locale's: a nynorsk page gets nynorsk, whatever the editor's admin
        language), the notice with the controller and
        data-protection officer from the site's settings. Texts an editor
        or a script gave are kept. ``parent``: the page's parent, when the
        page is not in the tree yet.
        """
        untouched = {
            name
            for name, default in (
                ("privacy_notice", default_privacy_notice),
                ("consent_text", default_consent_text),
            )
            if getattr(self, name) == default()
        }
        if not untouched:
            return
        parent = parent or self.get_parent()
        if self.locale_id is None:
            self.locale = self.get_default_locale()
        site_settings = parent and SelfHelpSiteSettings.for_page(parent)
        language_code = self.locale.language_code
        if site_settings:
            language_code = site_settings.language_for(language_code)
        if "privacy_notice" in untouched:
            self.privacy_notice = default_privacy_notice(language_code, site_settings)
        if "consent_text" in untouched:
            self.consent_text = default_consent_text(language_code)

    def save(self, *args, **kwargs):
        # A new page, as Wagtail tells it (a revision's page is not).
        if self.pk is None:
            self.use_own_language_for_default_texts()
        # Wagtail 7.0's Page.save() tells "update_fields" given from absent
        # by the key, so it is passed on only when given.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "consent_text" in update_fields:
            self.consent_version = ConsentText.for_text(self.consent_text)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "consent_version"}
        return super().save(*args, **kwargs)

    def get_consent_version_id(self):
        if self.consent_version_id is not None:
            return self.consent_version_id
        return super().get_consent_version_id()

    def is_open(self, today=None):
        """Whether the application window includes ``today`` (local date)."""
        today = today or timezone.localdate()
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)

    def oldest_accepted_birth_year(self):
        """People born in or before this year are old enough.

        Only the birth year is asked (data minimisation), so someone who
        reaches the minimum age later this year is accepted.
        """
        return timezone.localdate().year - self.minimum_age

    def get_notify_emails(self):
        return split_email_list(self.notify_emails)

    def get_retention(self, request=None, *, site_settings=None):
        """How long this page keeps its registrations: each rule the page's
        own where set, else its site's default (``site_settings`` when the
        caller read them already), else the package's."""
        return Retention.resolve(
            self, site_settings or SelfHelpSiteSettings.for_page(self, request)
        )

    @path("")
    def index_route(self, request, *args, **kwargs):
        return self.serve_form(request)

    @path("takk/", name="thank_you")
    def thank_you_route(self, request, *args, **kwargs):
        return self.render_landing_page(request)

    @path("min-pamelding/<path:token>/", name="self_service")
    def self_service_route(self, request, token, *args, **kwargs):
        return self.serve_self_service(request, token)

    @path("svar/<path:token>/", name="offer")
    def offer_route(self, request, token, *args, **kwargs):
        return self.serve_offer(request, token)

    @path("oppfolging/<str:code>/", name="follow_up")
    def follow_up_route(self, request, code, *args, **kwargs):
        return self.serve_follow_up(request, code)


class GroupRegistrationPage(AbstractGroupRegistrationPage):
    """Citizens register here for a self-help group.

    The package's registration page: its place, time-slot and topic lists
    (:class:`RegistrationPlace`, :class:`RegistrationTimeSlot`,
    :class:`RegistrationTopic`) belong to it.
    """

    template = AbstractGroupRegistrationPage.template

    class Meta:
        verbose_name = _("registration page")
        verbose_name_plural = _("registration pages")
