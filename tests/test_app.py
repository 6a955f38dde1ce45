import configparser
from pathlib import Path

from django.apps import apps
from django.utils import translation

import wagtail_selvhjelp


ROOT = Path(__file__).resolve().parent.parent


def test_app_is_installed_with_its_label():
    config = apps.get_app_config("wagtail_selvhjelp")
    assert config.name == "wagtail_selvhjelp"
    with translation.override("en"):
        assert str(config.verbose_name) == "Self-help groups"
    with translation.override("nn"):
        assert str(config.verbose_name) == "Sjølvhjelpsgrupper"
    assert config.default_auto_field == "django.db.models.BigAutoField"


def test_version_is_single_sourced():
    assert wagtail_selvhjelp.__version__ == ".".join(
        str(part) for part in wagtail_selvhjelp.VERSION
    )
    metadata = configparser.ConfigParser()
    metadata.read(ROOT / "setup.cfg")
    assert metadata["metadata"]["version"] == "attr: wagtail_selvhjelp.__version__"


def test_package_init_imports_no_django():
    # setup.cfg reads __version__ without Django configured.
    source = (ROOT / "wagtail_selvhjelp" / "__init__.py").read_text()
    assert "import django" not in source
    assert "from django" not in source
