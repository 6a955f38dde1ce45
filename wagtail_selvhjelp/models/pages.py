"""The self-help section's content pages."""

import json

from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES, FactBlock, InfoStreamBlock
from ..conf import selvhjelp_settings
from ..http import parse_id
from .contact_points import ContactPoint
from .descriptions import (
    MetaDescriptionMixin,
    first_paragraph_of_stream,
    rich_text_to_plain,
)
from .languages import PageLanguageMixin
from .registration_pages import AbstractGroupRegistrationPage


#: Characters that must not appear raw inside a <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """Serialise ``data`` for a ``<script type="application/ld+json">`` element."""
    return mark_safe(  # noqa: S308 - the escapes above make it inert in HTML
        json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)
    )


class PublicCacheMixin:
    """Let a shared cache or CDN keep a content page for a few minutes.

    Content pages are the same for everyone, read far more than written, and
    set no cookie, so they send ``Cache-Control: public, max-age=N``
    (``PUBLIC_CACHE_SECONDS``; 0 turns it off). A preview, a response that
    sets a cookie, and a request that read the session (a page behind a view
    restriction checks the visitor's login or password there; a template
    that shows the user does too) stay private, without costing a query.
    """

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        seconds = selvhjelp_settings.PUBLIC_CACHE_SECONDS
        session = getattr(request, "session", None)
        if (
            seconds
            and response.status_code == 200
            and not getattr(request, "is_preview", False)
            and not response.cookies
            and not (session is not None and session.accessed)
        ):
            patch_cache_control(response, public=True, max_age=seconds)
        else:
            patch_cache_control(response, private=True)
        return response


class SelfHelpIndexPage(
    PageLanguageMixin, MetaDescriptionMixin, PublicCacheMixin, Page
):
    """The landing page of a municipality's self-help section."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)
    body = StreamField(InfoStreamBlock(), verbose_name=_("body"), blank=True)
    card_count = models.PositiveSmallIntegerField(
        _("pages shown as cards"),
        default=6,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
        help_text=_(
            "The first pages of the section, in the order of the page tree, are "
            "shown as cards with their summary; the rest as a list of links. "
            "Put the pages you want to feature first."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("card_count"),
        InlinePanel(
            "contact_point_links",
            label=_("Contact points"),
            help_text=_("Shown on the page; only published contact points appear."),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    subpage_types = [
        "wagtail_selvhjelp.SelfHelpInfoPage",
        "wagtail_selvhjelp.ContactDirectoryPage",
        "wagtail_selvhjelp.GroupRegistrationPage",
    ]
    template = "wagtail_selvhjelp/pages/self_help_index_page.html"

    class Meta:
        verbose_name = _("self-help section")
        verbose_name_plural = _("self-help sections")

    default_description = _(
        "Self-help groups: meet a few others in a situation like yours, share "
        "experiences and find your own way forward."
    )

    #: Links per page of the list after the cards.
    list_size = 30
    #: The query parameter of the list's page number.
    page_parameter = "side"

    def get_description_text(self):
        return rich_text_to_plain(self.intro) or first_paragraph_of_stream(self.body)

    @cached_property
    def public_children(self):
        """Live, public child pages, in the page tree's order.

        Cached on the instance: Wagtail's ``public()`` reads the view
        restrictions when it is called, and every part of the page uses it.
        """
        return self.get_children().live().public()

    def get_registration_page(self):
        """The section's first live, public registration page, if there is one."""
        return self.public_children.type(AbstractGroupRegistrationPage).first()

    def get_section_pages(self, registration_page=None):
        """The section's pages but its registration page, in tree order."""
        children = self.public_children
        if registration_page is not None:
            children = children.exclude(pk=registration_page.pk)
        return children

    def get_cards(self, registration_page=None):
        """The first ``card_count`` section pages, specific (for their summary)."""
        pages = self.get_section_pages(registration_page)
        return pages.defer_streamfields().specific()[: self.card_count]

    def get_list(self, request, registration_page=None):
        """The section pages after the cards, one page of links at a time.

        Plain pages (titles and URLs need nothing specific), fetched with one
        extra row to know whether there is a next page: one query at any size.
        """
        # A page number past the last page shows an empty list; one past any
        # sensible size is treated as the first (an OFFSET past bigint fails).
        number = parse_id(request.GET.get(self.page_parameter, ""), digits=6)
        number = max(1, number or 1)
        start = self.card_count + (number - 1) * self.list_size
        rows = list(
            self.get_section_pages(registration_page)[
                start : start + self.list_size + 1
            ]
        )
        return {
            "pages": rows[: self.list_size],
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if len(rows) > self.list_size else None,
        }

    def get_contact_points(self):
        return [
            link.contact_point
            for link in self.contact_point_links.filter(contact_point__live=True)
            .select_related("contact_point")
            .order_by("sort_order")
        ]

    def get_section_parts(self, request):
        """What the page shows besides its own fields, read from the database."""
        registration_page = self.get_registration_page()
        section_list = self.get_list(request, registration_page)
        return {
            "registration_page": registration_page,
            "cards": (
                list(self.get_cards(registration_page))
                if section_list["number"] == 1
                else []
            ),
            "section_list": section_list,
            "contact_points": self.get_contact_points(),
        }

    def get_context(self, request, *args, **kwargs):
        """The section's parts, read only if the template renders them.

        The template caches what it renders from them as a fragment (see
        ``fragment_cache``), so a cached page costs none of their queries.
        """
        context = super().get_context(request, *args, **kwargs)
        context["section"] = SimpleLazyObject(lambda: self.get_section_parts(request))
        context["page_parameter"] = self.page_parameter
        return context


class SelfHelpIndexContactPoint(Orderable):
    """A contact point an editor chose to show on a self-help section's page."""

    page = ParentalKey(
        SelfHelpIndexPage, on_delete=models.CASCADE, related_name="contact_point_links"
    )
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contact point"),
    )

    panels = [FieldPanel("contact_point")]

    class Meta(Orderable.Meta):
        verbose_name = _("contact point")


class SelfHelpInfoPage(PageLanguageMixin, MetaDescriptionMixin, PublicCacheMixin, Page):
    """An article: what self-help is, how a group works, experiences..."""

    intro = models.TextField(
        _("summary"),
        blank=True,
        max_length=400,
        help_text=_("One or two sentences; shown under the title and on cards."),
    )
    facts = StreamField(
        [("fact", FactBlock())],
        verbose_name=_("facts"),
        blank=True,
        help_text=_(
            "A short box of facts, e.g. who it is for, cost: free, referral: not needed."
        ),
    )
    body = StreamField(InfoStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("facts"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtail_selvhjelp.SelfHelpIndexPage"]
    subpage_types = []
    template = "wagtail_selvhjelp/pages/self_help_info_page.html"

    class Meta:
        verbose_name = _("self-help article")
        verbose_name_plural = _("self-help articles")

    default_description = _(
        "About self-help groups: what they are, how they work and how to join one."
    )

    @property
    def card_summary(self):
        """The text under this page's title on its section's cards."""
        return self.intro or self.search_description

    def get_description_text(self):
        """The summary, else the body's first paragraph, else the facts."""
        return (
            self.intro
            or first_paragraph_of_stream(self.body)
            or " ".join(
                f"{fact.value['label']}: {fact.value['value']}." for fact in self.facts
            )
        )


class ContactDirectoryPage(
    PageLanguageMixin, MetaDescriptionMixin, PublicCacheMixin, Page
):
    """Live contact points by municipality: filtered and paged without JS."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtail_selvhjelp.SelfHelpIndexPage"]
    subpage_types = []
    template = "wagtail_selvhjelp/pages/contact_directory_page.html"

    #: The query parameter of the municipality filter.
    filter_parameter = "municipality"

    class Meta:
        verbose_name = _("contact-point directory")
        verbose_name_plural = _("contact-point directories")

    default_description = _(
        "Who to contact about self-help groups where you live: phone numbers, "
        "e-mail addresses and opening hours."
    )

    def get_description_text(self):
        return rich_text_to_plain(self.intro)

    @property
    def card_summary(self):
        """The text under this page's title on its section's cards."""
        return self.search_description or strip_tags(self.intro).strip()

    #: Contact points shown per page of the directory.
    page_size = 20
    #: The query parameter of the page number.
    page_parameter = "side"

    def published_contact_points(self):
        """Live contact points in this page's language, in directory order."""
        return (
            ContactPoint.objects.live()
            .filter(locale_id=self.locale_id)
            .in_directory_order()
        )

    def municipality_counts(self):
        """(municipality, number of contact points), in alphabetical order."""
        rows = (
            self.published_contact_points()
            .order_by()
            .values_list("municipality")
            .annotate(number=models.Count("pk"))
        )
        return sorted(rows, key=lambda row: row[0].casefold())

    def get_directory(self, request):
        """One municipality or all, a page at a time: two queries at any size.

        The municipality filter runs in the database, the list of
        municipalities comes with their counts (so the page count needs no
        query of its own), and the JSON-LD describes only what is shown.
        """
        context = {}
        counts = self.municipality_counts()
        municipalities = [name for name, _number in counts]
        selected = request.GET.get(self.filter_parameter, "")
        if selected not in municipalities:
            context["unknown_municipality"] = bool(selected)
            selected = ""
        contact_points = self.published_contact_points()
        total = sum(number for _name, number in counts)
        if selected:
            contact_points = contact_points.filter(municipality=selected)
            total = dict(counts)[selected]
        paginator = Paginator(range(total), self.page_size)
        page_number = paginator.get_page(request.GET.get(self.page_parameter))
        start = page_number.start_index() - 1 if total else 0
        shown = list(contact_points[start : start + self.page_size])
        context.update(
            {
                "contact_points": shown,
                "municipalities": municipalities,
                "municipality_counts": counts,
                "selected_municipality": selected,
                "page_number": page_number,
                "json_ld": json_ld(
                    {
                        "@context": "https://schema.org",
                        "@graph": [cp.to_schema_org() for cp in shown],
                    }
                ),
            }
        )
        return context

    def get_context(self, request, *args, **kwargs):
        """The directory's parts, read only if the template renders them
        (it caches them as a fragment, see ``fragment_cache``)."""
        context = super().get_context(request, *args, **kwargs)
        context["directory"] = SimpleLazyObject(lambda: self.get_directory(request))
        context["filter_parameter"] = self.filter_parameter
        context["page_parameter"] = self.page_parameter
        return context
