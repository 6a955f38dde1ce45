"""Contact points: who a citizen can call or write to about self-help."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    DraftStateMixin,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
)
from wagtail.search import index

from ..phone import format_phone, normalise_phone
from .sites import SiteScopedQuerySet


class ContactPointKind(models.TextChoices):
    HEALTHY_LIFE_CENTRE = "healthy_life_centre", _("Healthy-life centre")
    VOLUNTEER_CENTRE = "volunteer_centre", _("Volunteer centre")
    MENTAL_HEALTH = "mental_health", _("Mental-health services")
    NATIONAL_CENTRE = "national_centre", _("National self-help centre")
    USER_ORGANISATION = "user_organisation", _("User organisation")
    OTHER = "other", _("Other")


class ContactPointQuerySet(SiteScopedQuerySet):
    """Contact points of a site, those shared with it, and national ones."""

    def _for_site_ids(self, site_ids):
        shared = ContactPoint.shared_with_sites.through.objects.filter(
            site__in=site_ids
        ).values("contactpoint_id")
        return self.filter(
            models.Q(site__in=site_ids)
            | models.Q(site__isnull=True)
            | models.Q(pk__in=shared)
        )

    def live(self):
        return self.filter(live=True)

    def in_directory_order(self):
        return self.order_by("municipality", "sort_order", "organisation", "pk")


class ContactPoint(
    PreviewableMixin,
    DraftStateMixin,
    RevisionMixin,
    TranslatableMixin,
    index.Indexed,
    models.Model,
):
    """A unit or person citizens can contact about self-help in an area.

    It belongs to one municipality's site, may be shared with named other
    sites (a regional centre), or is national (no site: every site shows
    it); ``ContactPoint.objects.for_site()`` is what a site's pages show.

    Drafts and revisions come from Wagtail's mixins, so editors can prepare a
    change and publish it later; only live contact points are ever shown on
    the public site.
    """

    organisation = models.CharField(
        _("organisation or unit"),
        max_length=200,
        help_text=_("For example 'Fjellbygd frisklivssentral'."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=40,
        choices=ContactPointKind.choices,
        default=ContactPointKind.OTHER,
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    role = models.CharField(
        _("role or subject"),
        max_length=200,
        blank=True,
        help_text=_(
            "What to contact them about, for example 'relatives of people with "
            "addiction'."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        help_text=_(
            "Write Norwegian numbers any way you like ('968 51 295'); start "
            "other numbers with + and the country code."
        ),
    )
    municipality = models.CharField(
        _("municipality or area"),
        max_length=100,
        help_text=_("Contact points are grouped and filtered by this name."),
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_(
            "The municipality's site this contact point belongs to; its editors "
            "keep it up to date. Empty: national, shown on every site (for "
            "example a national helpline)."
        ),
    )
    shared_with_sites = models.ManyToManyField(
        "wagtailcore.Site",
        blank=True,
        related_name="+",
        verbose_name=_("also shown on"),
        help_text=_(
            "Other municipalities' sites that show it too, for example a "
            "regional centre serving several municipalities."
        ),
    )
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    website = models.URLField(_("web address"), blank=True)
    sort_order = models.IntegerField(
        _("sort order"),
        default=0,
        help_text=_("Lower numbers come first within a municipality."),
    )

    # Revisions are deleted with the contact point.
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="contact_point",
        for_concrete_model=False,
    )

    objects = ContactPointQuerySet.as_manager()

    search_fields = [
        index.SearchField("organisation"),
        index.AutocompleteField("organisation"),
        index.SearchField("contact_person"),
        index.SearchField("role"),
        index.SearchField("municipality"),
        index.FilterField("kind"),
        index.FilterField("municipality"),
        index.FilterField("live"),
        index.FilterField("site"),
        # A site's listing and chooser search within for_site()'s rows.
        index.FilterField("id"),
        index.FilterField("locale"),
        index.FilterField("translation_key"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["municipality", "sort_order", "organisation"]
        indexes = [
            # The directory: live ones of a language, by municipality.
            models.Index(
                fields=["locale", "live", "municipality", "sort_order"],
                name="selvhjelp_cp_directory",
            )
        ]

    def __str__(self):
        if self.contact_person:
            return f"{self.organisation} ({self.contact_person})"
        return self.organisation

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        shared_site_ids = self.__dict__.pop("_shared_site_ids", None)
        if shared_site_ids is not None:
            self.shared_with_sites.set(shared_site_ids)

    def copy_for_translation(self, locale, exclude_fields=None):
        """The unsaved copy in ``locale`` (Wagtail's "Translate",
        wagtail-localize), which keeps the contact point's site, its ways of
        getting in touch and the sites it is shared with, so the
        translation is shown where the original is.

        Wagtail copies the fields (the site, the e-mail, phone and web
        address among them) but not a many-to-many, which can only be set
        once the copy is saved: :meth:`save` sets it then.
        """
        translated = super().copy_for_translation(locale, exclude_fields=exclude_fields)
        translated._shared_site_ids = list(
            self.shared_with_sites.values_list("pk", flat=True)
        )
        return translated

    def clean(self):
        super().clean()
        errors = {}
        # One heading per municipality in the directory: another spelling of
        # an existing name (case, spaces) becomes that name.
        name = " ".join(self.municipality.split())
        existing = (
            ContactPoint.objects.exclude(pk=self.pk)
            .filter(municipality__iexact=name)
            .values_list("municipality", flat=True)
            .first()
        )
        self.municipality = existing or name
        try:
            self.phone = normalise_phone(self.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
        if not (self.email or self.phone or self.website or errors):
            errors["email"] = [
                _(
                    "Give at least one way to get in touch: e-mail, phone or web address."
                )
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def site_label(self):
        """The site it belongs to, or that it is national (the admin's listing)."""
        return self.site.site_name if self.site_id else _("National")

    @property
    def phone_display(self):
        """The phone number as Norwegians write it, e.g. '968 51 295'."""
        return format_phone(self.phone)

    def get_preview_template(self, request, mode_name):
        return "wagtail_selvhjelp/previews/contact_point.html"

    def to_schema_org(self):
        """This contact point as a schema.org ``Organization`` (JSON-LD dict)."""
        contact = {
            "@type": "ContactPoint",
            "contactType": self.role or self.get_kind_display(),
            "areaServed": self.municipality,
            "availableLanguage": ["nb", "nn"],
        }
        if self.phone:
            contact["telephone"] = self.phone
        if self.email:
            contact["email"] = self.email
        organisation = {
            "@type": "Organization",
            "name": self.organisation,
            "contactPoint": contact,
        }
        if self.website:
            organisation["url"] = self.website
        if self.address:
            organisation["address"] = self.address
        return organisation
