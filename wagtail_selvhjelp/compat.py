"""Work-arounds for the Wagtail and Django versions the package supports.

Each one says which versions need it and is applied only there, from
``WagtailSelvhjelpAppConfig.ready``.
"""

import django


def flat_union(queryset):
    """``queryset`` with nested unions of the same kind made into one.

    ``a.union(b).union(c)`` nests the first union inside the second; a
    flat ``UNION ALL`` of ``a``, ``b`` and ``c`` returns the same rows.
    """
    query = queryset.query
    if not query.combinator:
        return queryset

    def parts(inner):
        if (
            inner.combinator == query.combinator
            and inner.combinator_all == query.combinator_all
            and not inner.is_sliced
        ):
            for part in inner.combined_queries:
                yield from parts(part)
        else:
            yield inner

    flat = queryset._chain()
    flat.query.combined_queries = tuple(
        part for combined in query.combined_queries for part in parts(combined)
    )
    return flat


def patch_site_history_union():
    """Let Wagtail's site history combine more than two log models on SQLite.

    Wagtail's ``LogEntriesView`` unions the log models one by one, so a
    third model (this package's ``SelfHelpLogEntry``) nests the first union
    inside the next. From Django 6.1 a nested union keeps its model's
    ``Meta.ordering``, which SQLite refuses inside a compound statement
    ("ORDER BY not allowed in subqueries of compound statements"): the
    site history answered 500. Flattening gives the same rows on every
    database. Wagtail's own two log models never nest, which is why Wagtail
    does not meet it.
    """
    if django.VERSION < (6, 1):
        return
    from wagtail.admin.views.reports.audit_logging import LogEntriesView

    if getattr(LogEntriesView.get_filtered_queryset, "selvhjelp_flat", False):
        return
    original = LogEntriesView.get_filtered_queryset

    def get_filtered_queryset(self):
        return flat_union(original(self))

    get_filtered_queryset.selvhjelp_flat = True
    get_filtered_queryset.__doc__ = original.__doc__
    LogEntriesView.get_filtered_queryset = get_filtered_queryset
