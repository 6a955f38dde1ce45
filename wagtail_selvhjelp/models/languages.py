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
from django.utils import translation
from wagtail.coreutils import get_content_languages
from wagtail.models import Site

from .site_settings import SelfHelpSiteSettings


def written_standards():
    """The language codes a page or a person's messages may be in: the
    installation's content languages (``WAGTAIL_CONTENT_LANGUAGES``)."""
    return get_content_languages()


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
