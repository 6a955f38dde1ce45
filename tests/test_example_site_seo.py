"""The example site's titles, descriptions and static files (issue 22).

The production settings give static files hashed names with compressed
copies, served by WhiteNoise for ten years; the home page's title is the
site's name once; the demo's pages carry descriptions an editor wrote.
"""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command


ROOT = Path(__file__).resolve().parent.parent


def _title(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


def test_the_home_pages_title_names_the_site_once(client, home_page, section):
    assert _title(client, home_page) == "Fjellbygd kommune"
    assert _title(client, section) == "Selvhjelp – Fjellbygd kommune"
    home_page.seo_title = "Velkommen til Fjellbygd"
    home_page.save_revision().publish()
    assert _title(client, home_page) == "Velkommen til Fjellbygd"
    section.seo_title = "Selvhjelpsgrupper"
    section.save_revision().publish()
    assert _title(client, section) == "Selvhjelpsgrupper – Fjellbygd kommune"


def test_an_unknown_address_keeps_the_sites_name_in_its_title(client, home_page):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert "<title>Fant ikke siden – Fjellbygd kommune</title>" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_every_demo_page_has_a_description_an_editor_wrote(client, home_page):
    from wagtail.models import Page

    call_command("selvhjelp_demo", stdout=StringIO())
    home_page.refresh_from_db()
    pages = [home_page, *home_page.get_descendants().live().specific()]
    assert len(pages) == 7
    for page in pages:
        description = page.search_description
        assert 50 <= len(description) <= 155, (page.title, len(description))
        html = client.get(page.url).content.decode()
        assert f'<meta name="description" content="{description}">' in html
    assert len({page.search_description for page in pages}) == len(pages)
    # Running the demo again leaves what an editor changed alone.
    Page.objects.filter(pk=home_page.pk).update(search_description="Endret.")
    call_command("selvhjelp_demo", "--force", stdout=StringIO())
    home_page.refresh_from_db()
    assert home_page.search_description == "Endret."


#: Collects the static files with the production settings (without Wagtail's
#: admin, 9 MB that only slow the test down), then asks for them through the
#: production middleware, as a browser would.
COLLECT_AND_SERVE = """
import json
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

call_command(
    "collectstatic", interactive=False, verbosity=0, ignore_patterns=["wagtailadmin"]
)
client = Client()
result = {"middleware": settings.MIDDLEWARE[:3], "files": {}}
for name in ("wagtail_selvhjelp/css/selvhjelp.css", "css/example_site.css"):
    url = static(name)
    answers = {}
    for encoding in ("br, gzip", "gzip", ""):
        response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING=encoding)
        answers[encoding] = {
            "status": response.status_code,
            "encoding": response.get("Content-Encoding"),
            "cache_control": response.get("Cache-Control"),
            "vary": response.get("Vary"),
        }
        response.close()
    result["files"][name] = {"url": url, "answers": answers}
print(json.dumps(result))
"""


def test_production_static_files_have_hashed_names_and_are_served_compressed(
    tmp_path,
):
    static_root = tmp_path / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite:///:memory:",
        "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "STATIC_ROOT": str(static_root),
    }
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "example_site" / "manage.py"),
            "shell",
            "--verbosity",
            "0",
            "-c",
            COLLECT_AND_SERVE,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])

    assert served["middleware"] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "wagtail_selvhjelp.http.ContentCompressionMiddleware",
    ]
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name, file in served["files"].items():
        stem, extension = name.rsplit(".", 1)
        hashed = manifest[name]
        assert re.fullmatch(rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", hashed)
        assert file["url"] == f"/static/{hashed}"
        for suffix in ("", ".gz", ".br"):
            assert (static_root / (hashed + suffix)).is_file()
        answers = file["answers"]
        assert [answers[key]["encoding"] for key in ("br, gzip", "gzip", "")] == [
            "br",
            "gzip",
            None,
        ]
        for answer in answers.values():
            assert answer["status"] == 200
            assert answer["cache_control"] == "max-age=315360000, public, immutable"
            assert answer["vary"] == "Accept-Encoding"
