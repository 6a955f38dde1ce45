"""Which version of the published content rendered fragments belong to.

The content pages (an info page's body, a section's cards and list, a page
of the directory) and the empty registration form's questions are cached as
template fragments (``{% wagtailpagecache %}``, keyed on the page's own
cache key, which changes when the page is published, and on the query
parameters they depend on) and on this *content generation*: a random token
that changes whenever anything a fragment can show is saved or deleted (any
page, contact point, form option, image, document, site or view
restriction; see ``handlers``). The page's context reads the database
lazily, so a cached fragment costs none of its queries. So a fragment is
never served after its page, a page it links to, a contact point it lists
or an option it offers changes. A token, not a counter: if the cache evicts
it, a new one is drawn and no old fragment can match again.
"""

import secrets

from django.core.cache import cache


KEY = "wagtail_selvhjelp:content-generation"


def generation():
    """The current content generation (drawn on first use)."""
    token = cache.get(KEY)
    if token is None:
        cache.add(KEY, secrets.token_hex(8), timeout=None)
        token = cache.get(KEY)
    return token


def new_generation():
    """Start a new content generation: every cached fragment is outdated."""
    cache.set(KEY, secrets.token_hex(8), timeout=None)
