"""Which municipalities a user works for, and what belongs to a municipality.

A municipality is a Wagtail ``Site``. Wagtail scopes pages by their place in
the tree (page permissions), but not snippets, users or site settings; the
package scopes what it owns itself, beside the page-scoped rule
(``page_scoped.coordinated_page_ids``) that registrations, groups and
offers follow.

The one rule, :func:`site_ids_for_user`, is derived from what an
administrator already gives a user, so there is no second list to keep:
a user works for a site when one of their Django groups has a page
permission (any kind) on a page inside that site's tree or above its root
(a permission on the tree's root covers every site), or coordinates a
registration page inside it. Active superusers work for every site.

A model that belongs to a site has a ``site`` foreign key; an empty site
means "every site" (a national helpline, the package-wide wording of the
kit). Its queryset subclasses :class:`SiteScopedQuerySet`: ``for_site()``
is what a public page of a site shows, ``for_user()`` what a user sees in
the admin (listings and choosers), ``changeable_by()`` what they may change.
"""

from django.db import models


def _site_root_paths():
    """[(site id, root page's URL path)], both trees of a neutral site
    included: Wagtail's own list, which it caches for page URLs."""
    from wagtail.models import Site

    return [(root.site_id, root.root_path) for root in Site.get_site_root_paths()]


def site_ids_for_user(user):
    """The ids of the sites ``user`` works for, as a frozenset.

    Two queries at most (the site root paths are Wagtail's cached ones),
    kept on the user object for the rest of the request (as Wagtail keeps
    a user's page permissions). A permission in the nynorsk tree of a
    neutral site (a translation of its root) counts for that site.
    """
    cached = getattr(user, "_selvhjelp_site_ids", None)
    if cached is not None:
        return cached
    from wagtail.models import GroupPagePermission, Page

    from .page_scoped import coordinated_page_ids

    if not (user.is_authenticated and user.is_active):
        site_ids = frozenset()
    elif user.is_superuser:
        site_ids = frozenset(pk for pk, _path in _site_root_paths())
    else:
        groups = user.groups.all()
        paths = Page.objects.filter(
            models.Q(
                pk__in=GroupPagePermission.objects.filter(group__in=groups).values(
                    "page"
                )
            )
            | models.Q(pk__in=coordinated_page_ids(user))
        ).values_list("url_path", flat=True)
        paths = list(paths)
        site_ids = frozenset(
            site_id
            for site_id, root in _site_root_paths()
            if any(path.startswith(root) or root.startswith(path) for path in paths)
        )
    user._selvhjelp_site_ids = site_ids
    return site_ids


def works_for_every_site(user):
    """Whether ``user`` works for all the installation's sites: they may
    change what belongs to every site (a national contact point)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    site_ids = site_ids_for_user(user)
    return bool(site_ids) and site_ids >= {pk for pk, _path in _site_root_paths()}


def site_ids_of_pages(page_ids):
    """{page id: the id of the site it is served on, or None}, for many pages.

    The rule of :func:`site_id_of_page` (Wagtail's cached site root paths,
    both trees of a neutral site included: the deepest root above the page,
    the default site first among sites sharing a root), in one query for
    the pages' paths.
    """
    from wagtail.models import Page, Site

    roots = Site.get_site_root_paths()
    return {
        pk: next(
            (root.site_id for root in roots if url_path.startswith(root.root_path)),
            None,
        )
        for pk, url_path in Page.objects.filter(pk__in=list(page_ids)).values_list(
            "pk", "url_path"
        )
    }


def pages_of_sites(site_ids):
    """The pages served on the sites ``site_ids``, as a ``Page`` queryset.

    The rule of :func:`site_ids_of_pages`, as a filter: below one of the
    sites' roots, and not below a deeper root of another site.
    """
    from wagtail.models import Page, Site

    roots = Site.get_site_root_paths()
    mine = {root.root_path for root in roots if root.site_id in site_ids}
    if not mine:
        return Page.objects.none()
    within = models.Q()
    for path in mine:
        within |= models.Q(url_path__startswith=path)
    pages = Page.objects.filter(within)
    for root in roots:
        if root.root_path not in mine and any(
            root.root_path.startswith(path) for path in mine
        ):
            pages = pages.exclude(url_path__startswith=root.root_path)
    return pages


def site_id_of_page(page, request=None):
    """The id of the site ``page`` is served on, or None outside every site.

    Wagtail's own lookup (the site root paths it caches), with the request's
    site preferred where several sites share a root.
    """
    parts = page.get_url_parts(request)
    return parts[0] if parts else None


class SiteScopedQuerySet(models.QuerySet):
    """Rows that belong to one site, or to every site (``site`` empty)."""

    def _for_site_ids(self, site_ids):
        return self.filter(models.Q(site__in=site_ids) | models.Q(site__isnull=True))

    def for_site(self, site):
        """What a public page of ``site`` (a ``Site``, its id, or None
        outside every site) may show."""
        site_id = getattr(site, "pk", site)
        return self._for_site_ids([site_id] if site_id is not None else [])

    def for_user(self, user):
        """What ``user`` sees in the admin: their sites' rows and every
        site's (superusers: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.is_superuser:
            return self
        return self._for_site_ids(site_ids_for_user(user))

    def changeable_by(self, user):
        """What ``user`` may change: their sites' rows, and every site's
        only when they work for every site."""
        if works_for_every_site(user):
            return self
        return self.filter(site__in=site_ids_for_user(user))
