"""The example site answers: home page, admin login, the demo commands."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.urls import reverse


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_home_page_answers_in_norwegian(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="nb">' in response.content
    assert "Fjellbygd kommune" in response.content.decode()


@pytest.mark.django_db
def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.django_db
def test_admin_login_page_answers(client):
    response = client.get(reverse("wagtailadmin_login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


@pytest.mark.django_db
def test_admin_dashboard_for_a_superuser(admin_client):
    assert admin_client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_admin_creates_a_working_login(tmp_path, monkeypatch, client):
    from django.contrib.auth import get_user_model

    from example_site.home.management.commands import demo_admin

    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "pw")
    call_command("demo_admin", stdout=open(os.devnull, "w"))
    password = (tmp_path / "pw").read_text().strip()
    assert len(password) >= 12
    call_command("demo_admin", stdout=open(os.devnull, "w"))
    assert get_user_model().objects.filter(username="admin").count() == 1
    # Through the admin's sign-in form: django-axes needs the request.
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "admin", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings.production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-value-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "selvhjelp.example.no",
        "DATABASE_URL": "sqlite:///:memory:",
        "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CLIENT_IP_HEADER": "X-Forwarded-For",
    }
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "example_site" / "manage.py"),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings.production"
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "example_site" / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_settings_refuse_to_start_without_an_encryption_key():
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="example_site.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="selvhjelp.example.no",
        DATABASE_URL="sqlite:///:memory:",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "example_site" / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS" in result.stderr


def _settings_of(module, env, *names, drop=()):
    """Values of settings ``names`` as ``module`` computes them under ``env``.

    Variables that would change the outcome are taken out of the inherited
    environment first, and those named in ``drop``.
    """
    script = "from django.conf import settings; " + "; ".join(
        f"print(repr(settings.{name}))" for name in names
    )
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "HOST",
            "HOST_NN",
            "PORT",
            "WAGTAILADMIN_BASE_URL",
            "DEMO_NYNORSK_BASE_URL",
            "SELVHJELP_REQUIRE_2FA",
        }
        and key not in drop
    }
    return subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "example_site" / "manage.py"),
            "shell",
            "--verbosity",
            "0",
            "-c",
            script,
        ],
        env={**inherited, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60,
    "DATABASE_URL": "sqlite:///:memory:",
    "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def test_production_settings_strip_blank_hosts():
    result = _settings_of(
        "example_site.settings.production",
        {**PRODUCTION_ENV, "ALLOWED_HOSTS": "a.example.no, ,b.example.no,"},
        "ALLOWED_HOSTS",
        "WAGTAILADMIN_BASE_URL",
        "ADMIN_REQUIRE_SECOND_FACTOR",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "['a.example.no',",
        "'b.example.no']",
        "'https://a.example.no'",
        "True",
    ]


def test_production_settings_read_the_proxys_client_header():
    result = _settings_of(
        "example_site.settings.production",
        {
            **PRODUCTION_ENV,
            "ALLOWED_HOSTS": "a.example.no",
            "CLIENT_IP_HEADER": "X-Forwarded-For",
            "TRUSTED_PROXY_HOPS": "2",
        },
        "WAGTAIL_SELVHJELP['CLIENT_IP_META']",
        "WAGTAIL_SELVHJELP['TRUSTED_PROXY_HOPS']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'HTTP_X_FORWARDED_FOR'", "2"]


@pytest.mark.parametrize("hosts", ["", " , ", ","])
def test_production_settings_refuse_an_empty_allowed_hosts(hosts):
    result = _settings_of(
        "example_site.settings.production",
        {**PRODUCTION_ENV, "ALLOWED_HOSTS": hosts},
        "ALLOWED_HOSTS",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS holds no host name" in result.stderr
    assert "IndexError" not in result.stderr


#: ``make demo HOST=0.0.0.0`` serves on every interface.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104


def test_admin_links_in_e_mails_follow_the_demo_server_address():
    def base_url(host, port):
        result = _settings_of(
            "example_site.settings.dev",
            {"HOST": host, "PORT": port},
            "WAGTAILADMIN_BASE_URL",
            "ADMIN_REQUIRE_SECOND_FACTOR",
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert base_url("127.0.0.1", "8123") == ["'http://127.0.0.1:8123'", "False"]
    assert base_url(EVERY_INTERFACE, "9000")[0] == "'http://localhost:9000'"
    makefile = (ROOT / "Makefile").read_text()
    assert "HOST=$(HOST) PORT=$(PORT) HOST_NN=$(HOST_NN)" in makefile


def test_the_nynorsk_municipality_has_a_host_name_of_its_own():
    """Issue 20, item 4: both municipalities on one server, told apart by
    the host name the browser asks for; never the same name for both."""

    def addresses(**env):
        result = _settings_of(
            "example_site.settings.dev",
            env,
            "WAGTAILADMIN_BASE_URL",
            "DEMO_NYNORSK_BASE_URL",
            "ALLOWED_HOSTS",
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    nb, nn, hosts = addresses(HOST="127.0.0.1", PORT="8123")
    assert (nb, nn) == ("'http://127.0.0.1:8123'", "'http://localhost:8123'")
    nb, nn, hosts = addresses(HOST=EVERY_INTERFACE, PORT="8123")
    assert (nb, nn) == ("'http://localhost:8123'", "'http://127.0.0.1:8123'")
    nb, nn, hosts = addresses(HOST="192.0.2.7", HOST_NN="nn.demo.test", PORT="80")
    assert nn == "'http://nn.demo.test:80'"
    assert "'nn.demo.test'" in hosts and "'192.0.2.7'" in hosts


def test_new_page_slugs_are_plain_ascii(admin_client, home_page):
    from wagtail_selvhjelp.models import SelfHelpIndexPage

    section = home_page.add_child(
        instance=SelfHelpIndexPage(title="Pårørende og ærlighet", slug="")
    )
    assert section.slug.isascii()
    assert "%" not in section.url
    # The admin's slug field transliterates as the editor types (æ → ae).
    add_url = reverse(
        "wagtailadmin_pages:add",
        args=("wagtail_selvhjelp", "selfhelpindexpage", home_page.pk),
    )
    html = admin_client.get(add_url).content.decode()
    (slug_input,) = re.findall(r'<input type="text" name="slug"[^>]*>', html)
    # Django leaves a false boolean attribute out; true would be present.
    assert 'data-controller="w-slug"' in slug_input
    assert "data-w-slug-allow-unicode-value" not in slug_input


def test_the_favicon_is_served(client, home_page):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    html = client.get(home_page.url).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.django_db
def test_the_demo_prints_how_to_sign_in_last(tmp_path, monkeypatch):
    from io import StringIO

    from django.conf import settings

    from example_site.home.management.commands import demo_admin, demo_server

    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "pw")
    quiet = StringIO()
    call_command("demo_admin", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""
    password = (tmp_path / "pw").read_text().strip()

    out = StringIO()
    server = demo_server.Command(stdout=out)
    server.addr, server._raw_ipv6, server.protocol = "127.0.0.1", False, "http"
    server.on_bind(8123)
    lines = out.getvalue().rstrip().splitlines()
    assert lines[-1] == lines[-8] == "=" * 72
    block = "\n".join(lines[-8:])
    assert "http://127.0.0.1:8123/admin/" in block
    assert f"password: {password}" in block
    assert "koordinator " in block
    # Both municipalities, side by side on one server.
    assert "Fjellbygd (bokmål):  http://127.0.0.1:8123/" in block
    assert f"Lauvdal (nynorsk):   {settings.DEMO_NYNORSK_BASE_URL}/" in block
    assert "koordinator-nn" in block


def test_demo_admin_points_the_site_at_the_demo_server(
    tmp_path, monkeypatch, home_page
):
    import os

    from django.core.management import call_command
    from wagtail.models import Site

    from example_site.home.management.commands import demo_admin

    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "pw")
    call_command(
        "demo_admin",
        "--url",
        "http://127.0.0.1:8123/admin/",
        stdout=open(os.devnull, "w"),
    )
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    home_page.refresh_from_db()
    assert home_page.full_url.startswith("http://127.0.0.1:8123/")


def test_an_unknown_address_gets_a_page_in_the_sites_layout(client, home_page):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Vi fant ikke siden" in html and 'href="/"' in html


def test_the_demo_sqlite_waits_for_locks_instead_of_failing():
    """Issue 18, item 21: autosave and Publish within a second gave a 500."""
    result = _settings_of(
        "example_site.settings.dev",
        {},
        'DATABASES["default"]["ENGINE"]',
        'DATABASES["default"].get("OPTIONS")',
        # The demo's own database, whatever the suite itself runs on.
        drop=("DATABASE_URL",),
    )
    assert result.returncode == 0, result.stderr
    engine, options = result.stdout.strip().splitlines()
    assert "sqlite3" in engine
    options = eval(options)  # noqa: S307 - a repr printed by our own script
    assert options["timeout"] >= 10
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
