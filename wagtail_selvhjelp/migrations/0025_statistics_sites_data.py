"""The data of 0024: existing counts get their page's site, and page
retention values equal to the package's default follow the site's.

Apart from 0024's schema changes: on PostgreSQL a table whose rows were
updated in a transaction cannot be altered in it (deferred constraint
triggers are pending), which going backwards would do.
"""

from django.conf import settings
from django.db import migrations

RETENTION_FIELDS = {
    "retention_closed_days": "RETENTION_CLOSED_DAYS",
    "retention_reconfirm_months": "RETENTION_RECONFIRM_MONTHS",
    "retention_reconfirm_grace_days": "RETENTION_RECONFIRM_GRACE_DAYS",
    "retention_after_group_months": "RETENTION_AFTER_GROUP_MONTHS",
}


def _site_root_paths(apps):
    """[(site id, root url path)] as Wagtail finds a page's site: the
    deepest root first, the default site first among sites sharing a root,
    both trees of a neutral site."""
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    i18n = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
    roots = []
    for site in Site.objects.select_related("root_page").order_by(
        "-root_page__url_path", "-is_default_site", "hostname"
    ):
        if i18n:
            paths = Page.objects.filter(
                translation_key=site.root_page.translation_key
            ).values_list("url_path", flat=True)
        else:
            paths = [site.root_page.url_path]
        roots.extend((site.pk, path) for path in paths)
    return roots


def give_statistics_a_site(apps, schema_editor):
    """Existing counts get the site their page is served on, where the page
    still exists; the others keep no site (superusers see them)."""
    Page = apps.get_model("wagtailcore", "Page")
    roots = _site_root_paths(apps)
    for name in ("RegistrationStatistic", "GroupLifeStatistic"):
        model = apps.get_model("wagtail_selvhjelp", name)
        page_ids = set(
            model.objects.filter(site__isnull=True).values_list("page_id", flat=True)
        )
        for page_id, url_path in Page.objects.filter(pk__in=page_ids).values_list(
            "pk", "url_path"
        ):
            site_id = next(
                (pk for pk, root in roots if url_path.startswith(root)), None
            )
            if site_id is not None:
                model.objects.filter(page_id=page_id, site__isnull=True).update(
                    site_id=site_id
                )


def _package_defaults():
    from wagtail_selvhjelp.conf import selvhjelp_settings

    return {
        field: getattr(selvhjelp_settings, setting)
        for field, setting in RETENTION_FIELDS.items()
    }


def follow_the_site_defaults(apps, schema_editor):
    """A page's retention value that equals the package's default becomes
    empty (the site's default, else the package's): the same rule today,
    and a site's default, once set, reaches the page. A value an editor
    changed stays the page's own."""
    Page = apps.get_model("wagtail_selvhjelp", "GroupRegistrationPage")
    for field, value in _package_defaults().items():
        Page.objects.filter(**{field: value}).update(**{field: None})


def fill_in_the_defaults(apps, schema_editor):
    """Backwards: empty values get the package's default again."""
    Page = apps.get_model("wagtail_selvhjelp", "GroupRegistrationPage")
    for field, value in _package_defaults().items():
        Page.objects.filter(**{field: None}).update(**{field: value})


class Migration(migrations.Migration):

    dependencies = [
        ("wagtail_selvhjelp", "0024_statistics_sites"),
    ]

    operations = [
        migrations.RunPython(give_statistics_a_site, migrations.RunPython.noop),
        migrations.RunPython(follow_the_site_defaults, fill_in_the_defaults),
    ]
