"""Purge a shared cache's copies of every page a change shows on.

Wagtail's frontend cache (``wagtail.contrib.frontend_cache``) purges a
page's own URLs, each path of its ``get_cached_paths()`` on its site's root
URL, when the page is published or unpublished. The package's pages show
more than themselves, so this module purges the rest:

* a page published, unpublished, moved or deleted: its parent when a shared cache may keep
  it (a section lists its pages as cards and links, the example site's home
  page its sections);
* a section published: its articles, which link back to it by its title;
* a page published, unpublished or deleted: its translations in the other
  language, which link to it;
* a contact point published, unpublished or deleted: the contact
  directories in its language and the sections that chose it
  (``pages_showing_contact_point``). Snippets are not pages, so Wagtail
  knows none of this.

Wagtail purges nothing when a live page is deleted or moved: this module
purges a deleted page itself and the parents on both sides of a move. The
URL a moved page leaves behind is purged by Wagtail's redirects app, which
redirects it; without that app its copy expires with ``max-age``.

Each change makes one ``PurgeBatch``: one purge request per backend, on
Wagtail's own task (so after the commit, by the worker where there is one).
With ``WAGTAIL_I18N_ENABLED`` Wagtail adds each content language's URL.
Connected by ``apps.ready()`` only when the frontend cache app is installed;
see docs/caching.md.
"""

from django.db.models.signals import pre_delete
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from .models import ContactPoint, PublicCacheMixin, SelfHelpIndexPage
from .models.pages import SelfHelpInfoPage, pages_showing_contact_point


def pages_around(page):
    """The pages besides ``page`` that show something of it."""
    parent = page.get_parent()
    if parent is not None:
        parent = parent.specific_deferred
        if isinstance(parent, PublicCacheMixin):
            yield parent
    if isinstance(page, SelfHelpIndexPage):
        yield from SelfHelpInfoPage.objects.child_of(page).live()
    # Its translations name it in their language links (hreflang).
    for translation in page.get_translations().live().specific(defer=True):
        if isinstance(translation, PublicCacheMixin):
            yield translation


def purge(pages):
    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.purge()


def purge_around_page(sender, instance, **kwargs):
    purge(pages_around(instance.specific_deferred))


def purge_deleted_page(sender, instance, **kwargs):
    # Sent for the page's base row and again for its specific row: the base
    # row alone, while the page and its parent can still be read.
    if type(instance) is Page and instance.live:
        page = instance.specific_deferred
        purge([page, *pages_around(page)])


def purge_parents_of_moved_page(sender, instance, **kwargs):
    parents = (kwargs.get("parent_page_before"), kwargs.get("parent_page_after"))
    purge(
        parent.specific_deferred
        for parent in parents
        if parent is not None
        and instance.live
        and isinstance(parent.specific_deferred, PublicCacheMixin)
    )


def purge_contact_point_pages(sender, instance, signal=None, **kwargs):
    if signal is pre_delete and not instance.live:
        return  # a draft was shown nowhere
    purge(pages_showing_contact_point(instance))


def connect():
    """Connect the receivers (every page model sends ``page_published``)."""
    page_published.connect(purge_around_page, dispatch_uid="selvhjelp.purge.pub")
    page_unpublished.connect(purge_around_page, dispatch_uid="selvhjelp.purge.unpub")
    post_page_move.connect(
        purge_parents_of_moved_page, dispatch_uid="selvhjelp.purge.move"
    )
    pre_delete.connect(purge_deleted_page, dispatch_uid="selvhjelp.purge.delete")
    for signal in (published, unpublished, pre_delete):
        signal.connect(
            purge_contact_point_pages,
            sender=ContactPoint,
            dispatch_uid="selvhjelp.purge.contact_point",
        )
