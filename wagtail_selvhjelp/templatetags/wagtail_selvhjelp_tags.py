from django import template
from django.conf import settings
from django.utils.html import format_html
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from .. import fragment_cache
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
