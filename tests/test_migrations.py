from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:  # pragma: no cover - the message says which
        pytest.fail("Missing migrations:\n" + out.getvalue())


def test_no_migration_names_the_swappable_page_setting():
    """Wagtail 7.0 has no ``WAGTAIL_PAGE_MODEL`` (Page became swappable in
    8.0): a migration that reads it breaks every install on the oldest
    supported Wagtail, so migrations name ``wagtailcore.page`` directly."""
    from pathlib import Path

    import wagtail_selvhjelp

    folder = Path(wagtail_selvhjelp.__file__).parent / "migrations"
    offending = [
        path.name
        for path in sorted(folder.glob("0*.py"))
        if "settings.WAGTAIL_PAGE_MODEL" in path.read_text()
    ]
    assert offending == []
