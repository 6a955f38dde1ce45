"""The self-help section's content pages."""

import json
from math import ceil
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.template.response import SimpleTemplateResponse
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
from ..http import parse_id
from .contact_points import ContactPoint
from .descriptions import (
    MetaDescriptionMixin,
    first_paragraph_of_stream,
    rich_text_to_plain,
)
from .languages import PageLanguageMixin
from .registration_pages import AbstractGroupRegistrationPage
from .site_settings import SelfHelpSiteSettings
from .sites import site_id_of_page


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
    set no cookie, so they send ``Cache-Control: public, max-age=N``: N from
    the site's settings (``SelfHelpSiteSettings.cache_max_age``, else
    ``PUBLIC_CACHE_SECONDS``; 0 turns it off). The decision waits until the
    template has run, because what a template reads decides it: a response
    is ``private`` when it is a preview or not a 200, sets a cookie, used a
    CSRF token (which sets one) or a Content-Security-Policy nonce (one per
    response), or when the request read the session (a view restriction, a
    user bar) or carries a session cookie (a signed-in editor), so that
    nothing shown to one person is kept for the next. See docs/caching.md.
    """

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.add_post_render_callback(
                lambda rendered: self.set_cache_headers(request, rendered)
            )
        else:
            self.set_cache_headers(request, response)
        return response

    def get_cache_max_age(self, request):
        """Seconds a shared cache may keep this page: its site's choice."""
        return SelfHelpSiteSettings.for_page(self, request).get_cache_max_age()

    def is_shareable(self, request, response):
        """Whether ``response`` is the same for every visitor (see the class)."""
        session = getattr(request, "session", None)
        # django-csp sets ``_csp_nonce`` to the nonce once a template used
        # it; Django 6's lazy nonce is false until it is used.
        return (
            response.status_code == 200
            and not getattr(request, "is_preview", False)
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(request, "_csp_nonce", None)
            and not (session is not None and session.accessed)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )

    def set_cache_headers(self, request, response):
        if self.is_shareable(request, response):
            seconds = self.get_cache_max_age(request)
            if seconds:
                patch_cache_control(response, public=True, max_age=seconds)
                return
        patch_cache_control(response, private=True)


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

    def get_cached_paths(self):
        """The page, and each page of its list as its links write them.

        Read by Wagtail's frontend cache when it purges the page. One more
        list page than there is now: the one a page that left the section
        may have emptied.
        """
        count = self.get_section_pages(self.get_registration_page()).count()
        list_pages = ceil(max(0, count - self.card_count) / self.list_size)
        numbers = range(1, list_pages + 2) if list_pages else ()
        return ["/", *(f"/?{self.page_parameter}={number}" for number in numbers)]

    def get_contact_points(self, request=None):
        """The chosen contact points that are live and belong to this page's
        site (its own, shared with it, or national)."""
        return [
            link.contact_point
            for link in self.contact_point_links.filter(
                contact_point__live=True,
                contact_point__in=ContactPoint.objects.for_site(
                    site_id_of_page(self, request)
                ),
            )
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
            "contact_points": self.get_contact_points(request),
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

    def published_contact_points(self, request=None):
        """Live contact points of this page's site (its own, those shared with
        it and national ones) in this page's language, in directory order."""
        return (
            ContactPoint.objects.live()
            .for_site(site_id_of_page(self, request))
            .filter(locale_id=self.locale_id)
            .in_directory_order()
        )

    def municipality_counts(self, request=None):
        """(municipality, number of contact points), in alphabetical order."""
        rows = (
            self.published_contact_points(request)
            .order_by()
            .values_list("municipality")
            .annotate(number=models.Count("pk"))
        )
        return sorted(rows, key=lambda row: row[0].casefold())

    def get_cached_paths(self):
        """Every list the directory shows, as its links and its filter write them.

        All contact points and each municipality's, each page of them (one
        more than there is now, which a removed contact point may have
        emptied); the filter form sends the municipality with ``+`` for a
        space, the page links with ``%20``. A municipality no contact point
        has any more is not known here: its list expires with ``max-age``.
        """
        counts = self.municipality_counts()

        def page_paths(total, query):
            last = ceil(total / self.page_size) + 1
            return [
                f"/?{query}{self.page_parameter}={number}"
                for number in range(1, last + 1)
            ]

        paths = ["/", f"/?{self.filter_parameter}="]
        paths += page_paths(sum(number for _name, number in counts), "")
        for name, number in counts:
            paths.append(f"/?{urlencode({self.filter_parameter: name})}")
            paths += page_paths(number, f"{self.filter_parameter}={quote(name)}&")
        return paths

    def get_directory(self, request):
        """One municipality or all, a page at a time: two queries at any size.

        The municipality filter runs in the database, the list of
        municipalities comes with their counts (so the page count needs no
        query of its own), and the JSON-LD describes only what is shown.
        """
        context = {}
        counts = self.municipality_counts(request)
        municipalities = [name for name, _number in counts]
        selected = request.GET.get(self.filter_parameter, "")
        if selected not in municipalities:
            context["unknown_municipality"] = bool(selected)
            selected = ""
        contact_points = self.published_contact_points(request)
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


def pages_showing_contact_point(contact_point):
    """The live content pages that show ``contact_point``.

    Every contact directory in its language, and every section that chose
    it; the pages a shared cache may keep and so must be purged when it
    changes (the registration pages that show contact points are never
    kept).
    """
    directories = ContactDirectoryPage.objects.live().filter(
        locale_id=contact_point.locale_id
    )
    sections = SelfHelpIndexPage.objects.live().filter(
        contact_point_links__contact_point=contact_point
    )
    return [*directories, *sections.distinct()]
