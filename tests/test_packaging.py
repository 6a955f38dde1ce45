"""The wheel holds everything a site needs, and installs and imports cleanly."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wagtail_selvhjelp"


def _run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    return result


#: A minimal site that installs the package, as the README tells a developer.
SITE_SETTINGS = """
SECRET_KEY = "packaging-test"
WAGTAIL_SELVHJELP_ENCRYPTION_KEYS = ["cGFja2FnaW5nLXRlc3Qta2V5LW5vdC1hLXNlY3JldCE="]
INSTALLED_APPS = [
    "wagtail_selvhjelp",
    "wagtail.contrib.settings",
    "wagtail.embeds", "wagtail.sites", "wagtail.users", "wagtail.snippets",
    "wagtail.documents", "wagtail.images", "wagtail.search", "wagtail.admin",
    "wagtail", "modelcluster", "taggit", "django_filters",
    "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
STATIC_URL = "/static/"
WAGTAIL_SITE_NAME = "Packaging test"
WAGTAILADMIN_BASE_URL = "http://localhost"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "site_urls"
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel from the unpacked sdist (build's default, as
    # for a release): a wheel built in the working tree reuses ``build/lib``,
    # which keeps files deleted from the package since the last build.
    _run(sys.executable, "-m", "build", "--outdir", str(out), str(ROOT))
    (wheel,) = out.glob("wagtail_selvhjelp-*.whl")
    return wheel


def _package_files(*patterns):
    return {
        path.relative_to(ROOT).as_posix()
        for pattern in patterns
        for path in PACKAGE.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.slow
def test_wheel_contains_templates_static_migrations_and_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in ("nb", "nn"):
        assert f"wagtail_selvhjelp/locale/{language}/LC_MESSAGES/django.mo" in names
        assert f"wagtail_selvhjelp/locale/{language}/LC_MESSAGES/django.po" in names
    expected = _package_files("templates/**/*", "static/**/*", "migrations/*.py")
    assert expected, "the package has no templates, static files or migrations"
    assert expected <= names, sorted(expected - names)
    assert not any(name.startswith(("tests/", "example_site/")) for name in names)
    # The demo and its fictional registrations belong to the example site.
    assert not any(name.rsplit("/", 1)[-1] == "demo.py" for name in names)
    assert not any(
        name.endswith("management/commands/selvhjelp_demo.py") for name in names
    )


@pytest.mark.slow
def test_wheel_installs_into_a_clean_virtualenv_and_imports(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--quiet", str(wheel))
    (tmp_path / "site_settings.py").write_text(SITE_SETTINGS)
    (tmp_path / "site_urls.py").write_text("urlpatterns = []\n")
    env = {"PATH": str(env_dir / "bin"), "DJANGO_SETTINGS_MODULE": "site_settings"}
    env["PYTHONPATH"] = str(tmp_path)
    _run(str(python), "-m", "django", "check", "--fail-level", "WARNING", env=env)
    _run(str(python), "-m", "django", "migrate", "--noinput", env=env, cwd=tmp_path)
    result = _run(
        str(python),
        "-c",
        "import wagtail_selvhjelp; print(wagtail_selvhjelp.__file__,"
        " wagtail_selvhjelp.__version__)",
        cwd=tmp_path,
    )
    location, version = result.stdout.split()
    assert str(env_dir) in location
    import wagtail_selvhjelp

    assert version == wagtail_selvhjelp.__version__
