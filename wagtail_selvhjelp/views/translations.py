"""The notice for a page missing in the requested written standard.

A neutral municipality keeps a bokmål and a nynorsk tree, and not every
page has its translation. Someone who follows or types ``/nn/<path>`` for a
page that exists only in bokmål (or the other way round) gets a notice in
the standard they asked for, saying so and linking the page where it
exists, instead of Wagtail's bare 404 (docs/languages.md).
"""

from django.template.response import TemplateResponse
from django.utils import translation

from ..models.languages import (
    locale_language,
    standard_name,
    translation_elsewhere,
)


def translation_missing(request, path):
    """The notice for ``path``, missing in the active language, or None
    when the site has no page there in another standard either.

    Status 404: the address names no page in the language asked for, and a
    search engine must not index the notice in its place (a 200 would be a
    "soft 404"); the page itself is linked with ``hreflang``, and the
    alternate links of that page already pair the trees where a translation
    exists.
    """
    page = translation_elsewhere(request, path)
    if page is None:
        return None
    requested = translation.get_language()
    language = locale_language(page)
    response = TemplateResponse(
        request,
        "wagtail_selvhjelp/pages/translation_missing.html",
        {
            "requested_name": standard_name(requested),
            "available_code": language,
            "available_name": standard_name(language),
            "available_page": page,
            "available_url": page.get_url(request),
        },
        status=404,
    )
    response.headers["Content-Language"] = requested
    return response
