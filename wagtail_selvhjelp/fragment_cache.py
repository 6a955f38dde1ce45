"""Which version of the published content rendered fragments belong to.

The bodies of content pages are cached as template fragments
(``{% wagtailpagecache %}``, keyed on the page's own cache key, which changes
when the page is published) and on this *content generation*: a random token
that changes whenever anything a body can show is saved or deleted (any
page, contact point, image, document or site; see ``handlers``). So a
fragment is never served after its page, a page it links to or a contact
point it lists changes. A token, not a counter: if the cache evicts it, a new
one is drawn and no old fragment can match again.
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
