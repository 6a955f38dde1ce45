"""The example site answers: home page, admin login, the demo commands."""

import os
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
    assert client.login(username="admin", password=password)


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings.production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-value-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "selvhjelp.example.no",
        "DATABASE_URL": "sqlite:///:memory:",
        "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
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
