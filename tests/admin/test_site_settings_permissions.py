"""An editor of one municipality edits that municipality's settings only."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission

from wagtail_selvhjelp.models import SelfHelpSiteSettings


pytest.importorskip(
    "wagtail.permission_policies.sites",
    reason="Wagtail 7.0 asks the settings' model permission only",
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


#: Wagtail's admin answers PermissionDenied with a redirect to the dashboard.
DENIED = "/admin/"


def edit_url(site):
    return reverse(
        "wagtailsettings:edit",
        args=["wagtail_selvhjelp", "selfhelpsitesettings", site.pk],
    )


def change_settings_permission():
    return Permission.objects.get(
        content_type__app_label="wagtail_selvhjelp",
        codename="change_selfhelpsitesettings",
    )


def make_user(django_user_model, name, *permissions):
    group = Group.objects.create(name=f"{name} group")
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ),
        *permissions,
    )
    user = django_user_model.objects.create_user(name, password="pw")
    user.groups.add(group)
    return user, group


@pytest.fixture
def editor_a(django_user_model, home_page):
    """Changes the settings (a global permission) and the pages of site A."""
    user, group = make_user(
        django_user_model, "redaktor-a", change_settings_permission()
    )
    GroupPagePermission.objects.create(
        group=group,
        page=home_page,
        permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename="change_page"
        ),
    )
    return user


def test_an_editor_of_site_a_edits_site_as_settings(client, editor_a, site_a, nn_site):
    client.force_login(editor_a)
    response = client.get(edit_url(site_a))
    assert response.status_code == 200
    switcher = response.context["site_switcher"]
    if switcher is not None:
        offered = {int(value) for value, _label in switcher.fields["site"].choices}
        assert nn_site.pk not in offered

    response = client.post(
        edit_url(site_a),
        {"language_form": "nb", "email_sender_name": "Vestby kommune, selvhjelp"},
    )
    assert response.status_code == 302
    assert SelfHelpSiteSettings.for_site(site_a).email_sender_name == (
        "Vestby kommune, selvhjelp"
    )


def test_an_editor_of_site_a_cannot_open_or_change_site_bs_settings(
    client, editor_a, nn_site
):
    client.force_login(editor_a)
    assert client.get(edit_url(nn_site))["Location"] == DENIED
    response = client.post(
        edit_url(nn_site), {"language_form": "nb", "email_sender_name": "Feil"}
    )
    assert response["Location"] == DENIED
    assert SelfHelpSiteSettings.for_site(nn_site).email_sender_name == ""


def test_the_menu_link_opens_a_site_the_editor_works_for(
    client, settings, editor_a, site_a, nn_site
):
    settings.ALLOWED_HOSTS = [nn_site.hostname]
    client.force_login(editor_a)
    response = client.get(
        reverse(
            "wagtailsettings:edit", args=["wagtail_selvhjelp", "selfhelpsitesettings"]
        ),
        HTTP_HOST=nn_site.hostname,
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(site_a)


def test_a_permission_given_for_one_site_covers_that_site(
    client, django_user_model, site_a, nn_site
):
    from wagtail.models import GroupSitePermission

    user, group = make_user(django_user_model, "redaktor-b")
    GroupSitePermission.objects.create(
        group=group, site=nn_site, permission=change_settings_permission()
    )
    client.force_login(user)
    assert client.get(edit_url(nn_site)).status_code == 200
    assert client.get(edit_url(site_a))["Location"] == DENIED


def test_without_the_permission_no_site_opens(
    client, django_user_model, home_page, site_a, nn_site
):
    user, group = make_user(django_user_model, "leser")
    GroupPagePermission.objects.create(
        group=group,
        page=home_page,
        permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename="change_page"
        ),
    )
    client.force_login(user)
    for site in (site_a, nn_site):
        assert client.get(edit_url(site))["Location"] == DENIED
        response = client.post(edit_url(site), {"language_form": "nn"})
        assert response["Location"] == DENIED
    assert not SelfHelpSiteSettings.objects.filter(language_form="nn").exists()


def test_a_superuser_edits_every_site(client, admin_user, site_a, nn_site):
    client.force_login(admin_user)
    for site in (site_a, nn_site):
        assert client.get(edit_url(site)).status_code == 200
