"""The per-site settings live in the admin's Settings menu, for those allowed."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import Site

from wagtail_selvhjelp.models import SelfHelpSiteSettings

from .conftest import _works_for


pytestmark = pytest.mark.django_db


def _edit_url():
    site = Site.objects.get(is_default_site=True)
    return f"/admin/settings/wagtail_selvhjelp/selfhelpsitesettings/{site.pk}/"


def test_a_superuser_edits_them_from_the_settings_menu(client, superuser, section):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "/admin/settings/wagtail_selvhjelp/selfhelpsitesettings/" in html
    response = client.post(
        _edit_url(),
        {
            "email_sender_name": "Fjellbygd kommune",
            "email_sender_address": "selvhjelp@fjellbygd.example.test",
            "controller_name": "Fjellbygd kommune, Storgata 1, org.nr. 123 456 789",
            "dpo_name": "Per Vern",
            "dpo_contact": "personvern@fjellbygd.example.test",
            "sms_sender": "Fjellbygd",
            "language_form": "nn",
        },
    )
    assert response.status_code == 302
    saved = SelfHelpSiteSettings.objects.get()
    assert saved.dpo_name == "Per Vern" and saved.sms_sender == "Fjellbygd"
    assert saved.language_form == "nn"


def test_coordinators_and_editors_without_the_permission_cannot(
    client, coordinator_a, editor, section
):
    for user in (coordinator_a, editor):
        client.force_login(user)
        html = client.get("/admin/").content.decode()
        assert "selfhelpsitesettings" not in html
        response = client.get(_edit_url())
        assert response.status_code in (302, 403)
        response = client.post(_edit_url(), {"dpo_name": "Noen andre"})
        assert response.status_code in (302, 403)
    assert not SelfHelpSiteSettings.objects.filter(dpo_name="Noen andre").exists()


def test_a_user_given_the_permission_can(client, editor, section):
    """For the sites they work for (docs/sites.md): here, by a page permission."""
    editor.groups.get().permissions.add(
        Permission.objects.get(codename="change_selfhelpsitesettings")
    )
    _works_for(editor.groups.get(), section)
    client.force_login(editor)
    assert client.get(_edit_url()).status_code == 200
