from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

from wagtail_selvhjelp.models import ContactPoint, SelfHelpIndexPage


pytestmark = pytest.mark.django_db


def _counts():
    from wagtail_selvhjelp.models import SelfHelpGroup, Starter

    return (
        Page.objects.count(),
        ContactPoint.objects.count(),
        Starter.objects.count(),
        SelfHelpGroup.objects.count(),
    )


def _run(*args):
    out = StringIO()
    call_command("selvhjelp_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_is_idempotent_and_force_rebuilds(client, home_page):
    assert "loaded" in _run()
    first = _counts()
    assert "already present" in _run()
    assert _counts() == first
    assert "loaded" in _run("--force")
    assert _counts() == first
    assert SelfHelpIndexPage.objects.count() == 1


def test_demo_pages_render_in_bokmal(client, home_page):
    _run()
    section = SelfHelpIndexPage.objects.get()
    assert section.live
    for page in [section, *section.get_descendants().live().specific()]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert '<html lang="nb">' in response.content.decode()
    assert ContactPoint.objects.filter(live=True).count() >= 5
    kinds = set(ContactPoint.objects.values_list("kind", flat=True))
    assert len(kinds) >= 3
    municipalities = set(ContactPoint.objects.values_list("municipality", flat=True))
    assert len(municipalities) >= 3


def test_demo_needs_a_site(home_page):
    from django.core.management.base import CommandError
    from wagtail.models import Site

    Site.objects.all().delete()
    with pytest.raises(CommandError, match="No default Wagtail site"):
        _run()


def test_the_installed_package_has_no_demo():
    """A production install cannot seed fictional registrations."""
    import importlib.util

    from django.core.management import get_commands

    assert importlib.util.find_spec("wagtail_selvhjelp.demo") is None
    # get_commands() maps a command's name to the app it comes from.
    assert get_commands()["selvhjelp_demo"] == "example_site.home"


def test_demo_gives_a_coordinator_a_whole_workflow(
    client, home_page, tmp_path, monkeypatch
):
    """60 or so waiting, one forming group with seats, a coordinator who sees them."""
    import os

    from django.contrib.auth import get_user_model

    from example_site.home.management.commands import demo_admin
    from wagtail_selvhjelp.models import Registration, SelfHelpGroup

    _run()
    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "pw")
    call_command("demo_admin", stdout=open(os.devnull, "w"))
    waiting = Registration.objects.filter(status__in=["new", "contacted", "waiting"])
    assert 50 <= waiting.count() <= 70
    group = SelfHelpGroup.objects.get(status="forming")
    assert 0 < group.current_memberships().count() < 8
    coordinator = get_user_model().objects.get(username="koordinator")
    client.force_login(coordinator)
    html = client.get("/admin/selvhjelp/matching/").content.decode()
    assert "Meld deg på en selvhjelpsgruppe" in html
    response = client.post(f"/admin/selvhjelp/matching/{group.page_id}/", follow=True)
    assert response.status_code == 200
    assert response.context["cards"], "the demo should propose at least one group"


def test_demo_shows_a_group_mid_round_and_a_started_group(
    home_page, django_capture_on_commit_callbacks
):
    """Issue 19, item 9: two starters, a group mid-round (accepted, declined,
    no answer yet) and a started group with its starter and calendar."""
    from django.core import mail

    from wagtail_selvhjelp.models import Offer, SelfHelpGroup, Starter
    from wagtail_selvhjelp.models.starters import group_has_current_starter

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _run()
    assert Starter.objects.count() == 2
    mid_round = SelfHelpGroup.objects.get(status="forming")
    states = sorted(
        Offer.objects.filter(group=mid_round).values_list("state", flat=True)
    )
    assert states == ["accepted"] * 3 + ["declined"] + ["offered"] * 2
    assert group_has_current_starter(mid_round)
    started = SelfHelpGroup.objects.get(status="active")
    assert group_has_current_starter(started)
    assert started.first_meeting_date and started.started_on
    assert set(Offer.objects.filter(group=started).values_list("state", flat=True)) == {
        "accepted"
    }
    assert started.current_memberships().count() >= 4
    calendars = [
        attachment
        for message in mail.outbox
        for attachment in message.attachments
        if attachment[0].endswith(".ics")
    ]
    # Every member of the started group and its starter got the meeting
    # (the demo's people all gave an e-mail address or only a phone).
    assert len(calendars) >= 2
    invitations = [m for m in mail.outbox if "svar/" in m.body]
    assert invitations, "the invitations are sent (and printed by make demo)"


def test_demo_first_names_match_gender_and_the_notice_the_retention(home_page):
    """Issue 18, item 20: a men-only group held two "Gunn"; the notice said
    "one year at the latest" whatever the page's retention rules."""
    from example_site.home.demo import MEN_NAMES, WOMEN_NAMES
    from wagtail_selvhjelp.models import GroupRegistrationPage, Registration

    _run()
    for registration in Registration.objects.all():
        first = registration.name.split()[0]
        if registration.gender == "woman":
            assert first in WOMEN_NAMES, registration.name
        elif registration.gender == "man":
            assert first in MEN_NAMES, registration.name
    page = GroupRegistrationPage.objects.get()
    notice = page.privacy_notice
    assert "ett år" not in notice
    assert f"{page.retention_reconfirm_months} måneder" in notice
    assert f"{page.retention_reconfirm_grace_days} dager" in notice
    assert f"{page.retention_after_group_months} måneder" in notice
