"""Per-site settings: what differs between the municipalities of one installation.

A municipality is a Wagtail ``Site``; its written standard (bokmål,
nynorsk or neutral, see docs/languages.md) and the names it signs with (the
sender of its e-mails and text messages, the controller and the
data-protection officer its privacy notice names, the retention defaults
of its registration pages) are edited in the admin's Settings menu,
one set per site, with Wagtail's own ``BaseSiteSetting``. Empty fields fall
back to what the installation is configured with, so a site that fills in
nothing behaves as before these settings existed.
"""

from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..conf import selvhjelp_settings
from ..sms import gsm7
from .retention import retention_field


#: An alphanumeric SMS sender travels in the GSM 03.38 alphabet (its basic
#: set, one septet each; line breaks left out) and holds 11 of them at most.
#: The GSM basic alphabet without its line breaks: a sender name is one line.
SMS_SENDER_CHARACTERS = frozenset(gsm7.BASIC) - {"\n", "\r"}
SMS_SENDER_MAX_LENGTH = 11

#: The longest a site may let shared caches keep its content pages: a day.
#: Browsers keep them as long, and no purge reaches a browser.
CACHE_MAX_AGE_LIMIT = 24 * 60 * 60


class LanguageForm(models.TextChoices):
    """The written standard a municipality chose (språklova § 11).

    ``nb`` and ``nn``: the site's package pages (their texts, form errors,
    default texts) and the messages of those who register there are in that
    standard, whatever language its pages' Wagtail locale has. ``neutral``:
    the site has both trees (Wagtail's internationalisation), each page is in
    its own locale's standard, the citizen chooses, and each person's
    messages are in the standard they registered in.
    """

    BOKMAL = "nb", _("Bokmål")
    NYNORSK = "nn", _("Nynorsk")
    NEUTRAL = "neutral", _("Neutral: bokmål and nynorsk, the reader chooses")


def validate_sms_sender(value):
    """Refuse characters an SMS sender name cannot carry (gateways drop them)."""
    refused = sorted(set(value) - SMS_SENDER_CHARACTERS)
    if refused:
        raise ValidationError(
            _("A text message's sender cannot contain: %(characters)s"),
            code="sms_alphabet",
            params={"characters": " ".join(refused)},
        )


@register_setting(icon="site")
class SelfHelpSiteSettings(BaseSiteSetting):
    """The names a municipality (a site) signs its self-help pages and messages with.

    Also how long shared caches may keep its content pages (docs/caching.md)
    and how long its registration pages keep personal data unless a page
    sets its own (``Retention.resolve``).
    """

    email_sender_name = models.CharField(
        _("e-mail sender name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name e-mails come from, for example “Gol kommune, selvhjelp”."
        ),
    )
    email_sender_address = models.EmailField(
        _("e-mail sender address"),
        blank=True,
        help_text=_(
            "The address e-mails come from. Empty: the address the installation "
            "is set up with."
        ),
    )
    controller_name = models.CharField(
        _("controller"),
        max_length=255,
        blank=True,
        help_text=_(
            "The municipality's name, address and organisation number: who is "
            "responsible for the information people give (behandlingsansvarlig). "
            "New registration pages name it in their privacy notice."
        ),
    )
    dpo_name = models.CharField(
        _("data-protection officer"),
        max_length=100,
        blank=True,
        help_text=_("Their name, as new privacy notices give it."),
    )
    dpo_contact = models.CharField(
        _("data-protection officer's contact"),
        max_length=255,
        blank=True,
        help_text=_("The e-mail address or phone number people reach them at."),
    )
    sms_sender = models.CharField(
        _("SMS sender name"),
        max_length=SMS_SENDER_MAX_LENGTH,
        blank=True,
        validators=[validate_sms_sender],
        help_text=_(
            "The name text messages come from, at most 11 characters, for "
            "example “Gol kommune”."
        ),
    )

    cache_max_age = models.PositiveIntegerField(
        _("seconds a shared cache may keep a page"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(CACHE_MAX_AGE_LIMIT)],
        help_text=_(
            "How long a proxy, CDN or browser may keep the self-help section's "
            "pages (forms and personal pages are never kept). 0: not at all. "
            "Empty: the installation's default."
        ),
    )

    language_form = models.CharField(
        _("written standard"),
        max_length=10,
        choices=LanguageForm.choices,
        default=LanguageForm.NEUTRAL,
        help_text=_(
            "Bokmål or nynorsk: the self-help pages and the messages sent from "
            "this site are in that standard. Neutral: each page is in its own "
            "language (a bokmål and a nynorsk tree), and each person gets "
            "messages in the standard they registered in."
        ),
    )

    # Retention defaults of the site's registration pages: empty, the
    # package's (``Retention.resolve`` decides, in one place).
    retention_closed_days = retention_field(
        "closed_days",
        _("Counted from their last change; 1 to 90."),
    )
    retention_reconfirm_months = retention_field(
        "reconfirm_months",
        _(
            "People who have waited this long get an e-mail asking whether they "
            "still want a group; 1 to 24."
        ),
    )
    retention_reconfirm_grace_days = retention_field(
        "reconfirm_grace_days",
        _(
            "A registration that does not confirm within this time is deleted; "
            "14 to 90."
        ),
    )
    retention_after_group_months = retention_field(
        "after_group_months",
        _("Counted from when the group ended or the member left; 1 to 24."),
    )

    panels = [
        FieldPanel("language_form"),
        MultiFieldPanel(
            [FieldPanel("email_sender_name"), FieldPanel("email_sender_address")],
            heading=_("E-mail"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("controller_name"),
                FieldPanel("dpo_name"),
                FieldPanel("dpo_contact"),
            ],
            heading=_("Privacy notice"),
        ),
        MultiFieldPanel([FieldPanel("sms_sender")], heading=_("SMS")),
        MultiFieldPanel([FieldPanel("cache_max_age")], heading=_("Caching")),
        MultiFieldPanel(
            [
                FieldPanel("retention_closed_days"),
                FieldPanel("retention_reconfirm_months"),
                FieldPanel("retention_reconfirm_grace_days"),
                FieldPanel("retention_after_group_months"),
            ],
            heading=_("Retention"),
            help_text=_(
                "How long this site's registration pages keep personal data, "
                "unless a page sets its own. Empty: the installation's default."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("self-help settings")
        verbose_name_plural = _("self-help settings")

    #: Where :meth:`for_page` keeps the settings it read, per site, on a request.
    request_cache_attribute = "_wagtail_selvhjelp_site_settings"

    @classmethod
    def get_permission_policy(cls):
        """Who edits which site's settings (Wagtail 7.1 and later ask it)."""
        from .site_setting_permissions import SiteSettingPermissionPolicy

        return SiteSettingPermissionPolicy(cls)

    @classmethod
    def for_page(cls, page, request=None, *, site=None):
        """The settings of the site ``page`` belongs to, never ``None``.

        The site is the one Wagtail builds the page's URL with
        (``get_url_parts``, from the site root paths Wagtail caches for
        every page URL); the settings then cost one query, none when
        ``request`` already holds them. Unlike ``for_site``, a site without settings
        gets an unsaved, empty instance instead of a new row, so reading
        never writes; its fallbacks are the installation's. ``site``: the
        page's site where the caller knows it (the site a request was routed
        through), which saves finding it.
        """
        if site is not None:
            site_id = site.pk
        else:
            url_parts = page.get_url_parts(request)
            site_id = url_parts[0] if url_parts else None
        cache = None
        if request is not None:
            cached = getattr(request, cls.get_cache_attr_name(), None)
            if cached is not None and cached.site_id == site_id:
                return cached  # read by Wagtail's for_request or a template
            cache = getattr(request, cls.request_cache_attribute, None)
            if cache is None:
                cache = {}
                setattr(request, cls.request_cache_attribute, cache)
            if site_id in cache:
                return cache[site_id]
        found = None
        if site_id is not None:
            found = cls.base_queryset().filter(site_id=site_id).first()
        found = found or cls(site_id=site_id)
        if cache is not None:
            cache[site_id] = found
        return found

    def language_for(self, language_code):
        """The language of a page in ``language_code`` (its locale's) on this
        site: the site's written standard, or in a neutral site the page's own."""
        if self.language_form in (LanguageForm.BOKMAL, LanguageForm.NYNORSK):
            return self.language_form
        return language_code

    def get_from_email(self):
        """The ``From`` of the e-mails the package sends for this site.

        The site's name and address where filled in; the installation's
        sender (``FROM_EMAIL`` in ``WAGTAIL_SELVHJELP``, else Django's
        ``DEFAULT_FROM_EMAIL``) for what is not. Quoted as a header needs
        (a name with a comma); Django encodes non-ASCII names when sending.
        """
        installation = selvhjelp_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL
        if not (self.email_sender_name or self.email_sender_address):
            return installation
        name, address = parseaddr(installation)
        return str(
            Address(
                display_name=self.email_sender_name or name,
                addr_spec=self.email_sender_address or address,
            )
        )

    def get_cache_max_age(self):
        """Seconds a shared cache may keep this site's content pages; 0: not at all.

        The site's own choice, else the installation's
        ``PUBLIC_CACHE_SECONDS`` (see docs/caching.md).
        """
        if self.cache_max_age is not None:
            return self.cache_max_age
        return selvhjelp_settings.PUBLIC_CACHE_SECONDS
