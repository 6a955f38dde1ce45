"""Which written standard a page is shown in, and which one a person used.

Norwegian municipalities choose bokmål, nynorsk or neutral (språklova § 11);
one installation serves many, each with its own choice
(``SelfHelpSiteSettings.language_form``). Two facts follow from it:

- **a page's language** (:func:`page_language`): the site's standard, or in
  a neutral site the page's own locale. The package's pages are served in it
  (:class:`PageLanguageMixin`), whatever language the request came with, so a
  nynorsk municipality's form, its errors and its thank-you page are in
  nynorsk even on an installation whose default language is bokmål;
- **a person's language** (:func:`registered_language`): the standard they
  read the form in, recorded on their registration (``Registration.language``,
  from :func:`registered_language`). Every later message to them, and their
  own data document, is in it (:func:`person_language`), whatever language
  the coordinator who acts uses in the admin.
"""

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy
from wagtail.coreutils import get_content_languages
from wagtail.models import Page, Site

from .site_settings import SelfHelpSiteSettings


def written_standards():
    """The language codes a page or a person's messages may be in: the
    installation's content languages (``WAGTAIL_CONTENT_LANGUAGES``)."""
    return get_content_languages()


#: The written standards' names as Norwegian writes them in running text
#: ("sider på nynorsk"): lower case in the catalogues, as any name the
#: content languages (``WAGTAIL_CONTENT_LANGUAGES``) give that is not here.
STANDARD_NAMES = {
    "nb": pgettext_lazy("written standard, in running text", "Bokmål"),
    "nn": pgettext_lazy("written standard, in running text", "Nynorsk"),
}


def standard_name(code):
    """The name of the written standard ``code`` in the active language,
    for running text ("not available in nynorsk")."""
    return str(STANDARD_NAMES.get(code) or written_standards().get(code, code))


def standard_label(code):
    """:func:`standard_name` on its own (a link, a cell): capitalised."""
    return capfirst(standard_name(code))


def locale_language(page):
    """The language code of ``page``'s locale, or the installation's."""
    locale = getattr(page, "locale", None)
    return getattr(locale, "language_code", None) or settings.LANGUAGE_CODE


def page_language(page, request=None, *, site=None):
    """The language ``page`` is shown in: its site's written standard, or in
    a neutral site its locale's. One query for the site's settings, none
    when ``request`` already read them; ``site``: the page's, if known."""
    code = SelfHelpSiteSettings.for_page(page, request, site=site).language_for(
        locale_language(page)
    )
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def registered_language(page, request=None):
    """The written standard of a person registering on ``page`` now: the
    active language (the page's, as :class:`PageLanguageMixin` serves it)
    when it is one of the content languages, else the page's."""
    active = translation.get_language()
    if active in written_standards():
        return active
    return page_language(page, request)


def person_language(registration):
    """The written standard of everything written to the person: the one
    they registered in, else (a row from before it was recorded) their
    page's language."""
    return registration.language or page_language(registration.page)


class PageLanguageMixin:
    """Serve the page, its routes and its previews in :func:`page_language`.

    The response is rendered inside the language, as Django would render it
    only after ``serve`` returns; ``Content-Language`` says which it is.
    """

    def serve(self, request, *args, **kwargs):
        # The site the request was routed through, which Wagtail keeps on it
        # (a preview's request may be another site's, so it finds its own).
        language = page_language(self, request, site=Site.find_for_request(request))
        return in_language(language, super().serve, request, *args, **kwargs)

    def serve_preview(self, request, *args, **kwargs):
        language = page_language(self, request)
        return in_language(language, super().serve_preview, request, *args, **kwargs)


def in_language(language, serve, *args, **kwargs):
    """``serve(*args, **kwargs)``'s response, rendered in ``language``."""
    with translation.override(language):
        response = serve(*args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    response.headers.setdefault("Content-Language", language)
    return response


def canonical_path(page, request):
    """The address of the request for ``page`` in the form Wagtail gives
    ``page`` (``page.get_url``: its locale's prefix on its site), or None
    when the request already has it.

    With translated trees and a default language without a prefix
    (``i18n_patterns(..., prefix_default_language=False)``), Wagtail serves
    a tree that has no translation in the requested language at both
    addresses: a nynorsk-only municipality's pages at ``/nn/side/`` and
    at ``/side/``. Only the first is the page's own. Django's
    ``translate_url`` keeps a route's remainder and the query string.
    """
    from django.urls import translate_url

    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    language = locale_language(page)
    if translation.get_language() == language:
        return None
    path = request.get_full_path()
    canonical = translate_url(path, language)
    return canonical if canonical != path else None


def translation_elsewhere(request, path):
    """The live page of the request's site that ``path`` names in another
    written standard, for a page missing in the requested one; else None.

    Wagtail routes ``path`` in the site root's translation of the active
    language (``Site.root_page.localized``). The deepest page it names
    there (the root, or a translated section whose child is missing) is
    looked up in each other translation of the site's root by its
    translation key, and the rest of the path is routed below it, so the
    slugs may differ between the trees up to the missing page. Only pages
    of the request's own site are found, and none behind a view
    restriction; nothing where Wagtail found a page whose own view said 404.
    """
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    # Wagtail found a page there (kept on the request): the 404 came from
    # the page itself (a link whose token is wrong), not a missing page.
    if Page.route_for_request(request, path) is not None:
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [component for component in path.split("/") if component]
    root = site.root_page.localized
    prefixes = [
        root.url_path + "".join(f"{c}/" for c in components[:length])
        for length in range(len(components), -1, -1)
    ]
    deepest = (
        Page.objects.live()
        .filter(url_path__in=prefixes, path__startswith=root.path)
        .order_by("-depth")
        .first()
    )
    if deepest is None:
        return None
    rest = components[deepest.depth - root.depth :]
    other_roots = (
        site.root_page.get_translations(inclusive=True)
        .exclude(pk=root.pk)
        .exclude(sites_rooted_here__isnull=False)
    )
    if site.root_page_id != root.pk:
        other_roots = other_roots | Page.objects.filter(pk=site.root_page_id)
    for other_root in other_roots.live().order_by("pk"):
        start = deepest.get_translation_or_none(other_root.locale_id)
        if start is None or not start.path.startswith(other_root.path):
            continue
        try:
            found = start.specific.route(request, rest)
        except Http404:
            continue
        page = getattr(found, "page", None) or found[0]
        if page.get_view_restrictions().exists():
            continue
        url_parts = page.get_url_parts(request)
        if url_parts and url_parts[0] == site.pk:
            return page
    return None
