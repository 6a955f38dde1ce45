from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import override as translation_override
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar
from wagtail.coreutils import get_content_languages
from wagtail.models import Page

from .. import fragment_cache
from ..models.languages import standard_label, standard_name
from ..phone import format_phone


register = template.Library()


@register.inclusion_tag("wagtail_selvhjelp/includes/contact_point.html")
def selvhjelp_contact_point(contact_point, heading_tag="h3"):
    """Render one contact point's card: ``{% selvhjelp_contact_point cp %}``.

    ``heading_tag`` sets the level of the card's heading (``"h2"``–``"h4"``) so
    it fits the outline of the page it is placed on.
    """
    if heading_tag not in {"h2", "h3", "h4", "h5", "h1"}:
        heading_tag = "h3"
    return {"contact_point": contact_point, "heading_tag": heading_tag}


@register.filter
def phone_display(value):
    """Show an E.164 number the Norwegian way: ``{{ number|phone_display }}``."""
    return format_phone(value)


def _csp_nonce(context):
    """The request's Content-Security-Policy nonce, or None without one.

    Django 6's ``csp`` context processor puts it in the context as
    ``csp_nonce``; django-csp (Django 5.2) puts it on ``request.csp_nonce``;
    Django 6's middleware without the context processor keeps it on
    ``request._csp_nonce``. All three are lazy: reading one makes the
    middleware add the nonce to the header.
    """
    nonce = context.get("csp_nonce")
    request = context.get("request")
    if nonce is None and request is not None:
        nonce = getattr(request, "csp_nonce", None)
        if nonce is None:
            nonce = getattr(request, "_csp_nonce", None)
    return nonce


@register.simple_tag(takes_context=True)
def selvhjelp_csp_nonce_attr(context):
    """``nonce="…"`` for an inline ``<script>``, or nothing without a CSP nonce.

    ``<script {% selvhjelp_csp_nonce_attr %} type="application/ld+json">``
    works on a site with django-csp, with Django 6's own CSP support, or
    with neither, so the package's templates need no branch per setup.
    """
    nonce = _csp_nonce(context)
    if nonce is None:
        return ""
    return format_html('nonce="{}"', nonce)


@register.simple_tag
def selvhjelp_content_generation():
    """The content generation, to key cached fragments on.

    ``{% selvhjelp_content_generation as generation %}`` then
    ``{% wagtailpagecache 86400 "body" generation %}``: see
    :mod:`wagtail_selvhjelp.fragment_cache`.
    """
    return fragment_cache.generation()


@register.simple_tag(takes_context=True)
def selvhjelp_userbar(context, position="bottom-right"):
    """Wagtail's user bar for a signed-in editor, nothing read for anyone else.

    ``{% wagtailuserbar %}`` reads the session to learn who the visitor is,
    on every request, which makes every page vary by cookie and so unfit
    for a shared cache. This tag calls it only when the request carries a
    session cookie: an anonymous reader's page stays the same for everyone,
    and an editor's page, which read the session, is kept private (see
    ``PublicCacheMixin`` and docs/caching.md).
    """
    request = context.get("request")
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    return wagtailuserbar(context, position)


def _translations(page):
    """``page``'s live translations, its own locale's first, or ``[]`` where
    the installation has no translated trees (``WAGTAIL_I18N_ENABLED``)."""
    if page is None or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return []
    found = list(page.get_translations(inclusive=True).live().select_related("locale"))
    found.sort(key=lambda translation: translation.pk != page.pk)
    return found


@register.simple_tag(takes_context=True)
def selvhjelp_canonical_link(context, page=None):
    """``<link rel="canonical">`` to the page's one address, the one
    Wagtail gives it on its site (``page.get_full_url``): a nynorsk-only
    site's pages answer at ``/nn/side/`` and, sent there for good, at
    ``/side/``; a route of the page (a thank-you page) names the page."""
    page = page or context.get("page")
    if page is None or not getattr(page, "pk", None):
        return ""
    url = page.get_full_url(context.get("request"))
    if not url:
        return ""
    return format_html('<link rel="canonical" href="{}">', url)


@register.inclusion_tag(
    "wagtail_selvhjelp/includes/alternate_links.html", takes_context=True
)
def selvhjelp_alternate_links(context, page=None):
    """``<link rel="alternate" hreflang>`` for each live translation of the
    page (``{% selvhjelp_alternate_links %}`` in the head), so search
    engines pair the bokmål and the nynorsk page; ``x-default`` is the
    installation's default language's. Nothing for a page without one."""
    page = page or context.get("page")
    translations = _translations(page)
    if len(translations) < 2:
        return {"links": []}
    request = context.get("request")
    links = [
        {
            "hreflang": translation.locale.language_code,
            "href": translation.get_full_url(request),
        }
        for translation in translations
    ]
    default = next(
        (link for link in links if link["hreflang"] == settings.LANGUAGE_CODE), None
    )
    if default is not None:
        links.append({"hreflang": "x-default", "href": default["href"]})
    return {"links": [link for link in links if link["href"]]}


@register.inclusion_tag(
    "wagtail_selvhjelp/includes/language_switcher.html", takes_context=True
)
def selvhjelp_language_switcher(context, page=None):
    """A link to the page in each other written standard of the site.

    Where the page has no translation in a standard, the switcher says so in
    that standard ("Denne sida finst ikkje på nynorsk") and links to the
    nearest ancestor that has one, instead of a link to a missing page: a
    reader never meets a silent fallback or a 404 there.
    """
    page = page or context.get("page")
    translations = _translations(page)
    if not translations:
        return {"choices": []}
    own = page.locale.language_code
    by_language = {
        translation.locale.language_code: translation for translation in translations
    }
    request = context.get("request")
    choices = []
    for code in get_content_languages():
        if code == own:
            continue
        with translation_override(code):
            name = standard_label(code)
            translated = by_language.get(code)
            if translated is not None:
                choices.append(
                    {
                        "code": code,
                        "name": name,
                        "url": translated.get_url(request),
                    }
                )
                continue
            nearest = (
                Page.objects.filter(
                    translation_key__in=page.get_ancestors().values("translation_key"),
                    locale__language_code=code,
                    depth__gt=1,
                )
                .live()
                .order_by("-depth")
                .first()
            )
            choices.append(
                {
                    "code": code,
                    "name": name,
                    "missing": gettext("This page is not available in %(language)s.")
                    % {"language": standard_name(code)},
                    "url": nearest.get_url(request) if nearest else "",
                    "nearest_title": nearest.title if nearest else "",
                }
            )
    return {"choices": choices}
