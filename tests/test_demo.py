import re
from io import StringIO
from urllib.parse import urlsplit

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
    assert SelfHelpIndexPage.objects.count() == 2


def test_demo_pages_render_in_bokmal(client, home_page):
    _run()
    section = SelfHelpIndexPage.objects.get(slug="selvhjelp")
    assert section.live
    for page in [section, *section.get_descendants().live().specific()]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert '<html lang="nb">' in response.content.decode()
    bokmal = ContactPoint.objects.filter(locale__language_code="nb")
    assert bokmal.filter(live=True).count() >= 5
    kinds = set(bokmal.values_list("kind", flat=True))
    assert len(kinds) >= 3
    municipalities = set(bokmal.values_list("municipality", flat=True))
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
    waiting = Registration.objects.filter(
        status__in=["new", "contacted", "waiting"], page__locale__language_code="nb"
    )
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
    for registration in Registration.objects.filter(page__locale__language_code="nb"):
        first = registration.name.split()[0]
        if registration.gender == "woman":
            assert first in WOMEN_NAMES, registration.name
        elif registration.gender == "man":
            assert first in MEN_NAMES, registration.name
    page = GroupRegistrationPage.objects.get(locale__language_code="nb")
    notice = page.privacy_notice
    assert "ett år" not in notice
    retention = page.get_retention()
    assert f"{retention.reconfirm_months} måneder" in notice
    assert f"{retention.reconfirm_grace_days} dager" in notice
    assert f"{retention.after_group_months} måneder" in notice


#: Words only bokmål writes (nynorsk: ikkje, eg, korleis, kva, viss).
BOKMAL_WORDS = re.compile(r"\b(ikke|jeg|hvordan|hva|hvis|selvhjelp)\b", re.I)
NYNORSK_WORDS = ["ikkje", "korleis", "sjølvhjelp", "gruppa"]


def _text(html):
    """The words a reader sees: tags, scripts and JSON-LD left out."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def _nn_pages():
    from example_site.home import demo_nynorsk

    home = demo_nynorsk.home_page()
    return [home, *home.get_descendants().live().specific()]


def _get(client, page):
    _site_id, root_url, path = page.get_url_parts()
    address = urlsplit(root_url)
    # Wagtail finds the site by the host name and the server's port.
    return client.get(
        path, HTTP_HOST=address.netloc, SERVER_PORT=str(address.port or 80)
    )


def test_demo_serves_a_nynorsk_municipality_on_its_own_site(client, home_page):
    """Issue 20, item 4: a second site, its pages in locale nn, answering on
    its own host name, with its own contact points and the shared one."""
    from wagtail.models import Site

    from example_site.home import demo_nynorsk
    from wagtail_selvhjelp.models import SelfHelpSiteSettings

    _run()
    assert Site.objects.count() == 2
    lauvdal = demo_nynorsk.site()
    hostname, port = demo_nynorsk.site_address()
    assert (lauvdal.hostname, lauvdal.port) == (hostname, port)
    signed = SelfHelpSiteSettings.objects.get(site=lauvdal)
    assert (signed.sms_sender, signed.email_sender_name) == (
        "Lauvdal",
        "Lauvdal kommune, sjølvhjelp",
    )
    pages = _nn_pages()
    assert {type(page).__name__ for page in pages} >= {
        "HomePage",
        "SelfHelpIndexPage",
        "SelfHelpInfoPage",
        "GroupRegistrationPage",
        "ContactDirectoryPage",
    }
    for page in pages:
        assert page.locale.language_code == "nn", page
        response = _get(client, page)
        assert response.status_code == 200, page.url_path
        html = response.content.decode()
        assert page.title in html
        # Each page describes itself to search engines, as Fjellbygd's do.
        assert 50 <= len(page.search_description) <= 155, page.title
        assert f'<meta name="description" content="{page.search_description}">' in html
    assert len({page.search_description for page in pages}) == len(pages)
    directory = next(p for p in pages if type(p).__name__ == "ContactDirectoryPage")
    html = _get(client, directory).content.decode()
    assert "Lauvdal frisklivssentral" in html
    assert demo_nynorsk.REGIONAL_CENTRE["role"] in html
    assert "Fjellbygd frisklivssentral" not in html
    # The bokmål site's directory has the regional centre in bokmål, and
    # neither of Lauvdal's own.
    bokmal = SelfHelpIndexPage.objects.get(slug="selvhjelp")
    bokmal_directory = bokmal.get_children().get(slug="kontaktpunkter")
    html = client.get(bokmal_directory.url).content.decode()
    assert "Kurs for igangsettere" in html and "Lauvdal frisklivssentral" not in html


def test_the_nynorsk_demo_is_written_in_nynorsk(client, home_page):
    """The demo's own words on Lauvdal's pages: nynorsk, no bokmål."""
    from example_site.home import demo_nynorsk

    _run()
    own = " ".join(
        [
            demo_nynorsk.HOME_INTRO,
            demo_nynorsk.SECTION_INTRO,
            str(demo_nynorsk.SECTION_BODY),
            str(demo_nynorsk.ARTICLES),
            str(demo_nynorsk.CONTACT_POINTS),
            str(demo_nynorsk.REGIONAL_CENTRE["role"]),
        ]
    )
    for page in _nn_pages():
        own += " " + " ".join(
            str(getattr(page, field, ""))
            for field in (
                "title",
                "search_description",
                "intro",
                "consent_text",
                "thank_you_text",
                "under_age_text",
                "privacy_notice",
            )
        )
    assert not BOKMAL_WORDS.findall(_text(own))
    for word in NYNORSK_WORDS:
        assert word in own.lower(), word


def test_no_bokmal_on_the_nynorsk_pages(client, home_page):
    _run()
    for page in _nn_pages():
        text = _text(_get(client, page).content.decode())
        # The footer names the package, whose name is bokmål.
        text = text.replace("wagtail-selvhjelp", "")
        assert not BOKMAL_WORDS.findall(text), page.url_path
        assert "korleis" in text or "ikkje" in text or "Kva" in text


def test_each_municipality_has_its_own_coordinator(
    client, home_page, tmp_path, monkeypatch
):
    """koordinator-nn sees Lauvdal's waiting list and nothing of Fjellbygd's."""
    import os

    from django.contrib.auth import get_user_model

    from example_site.home import demo_nynorsk
    from example_site.home.management.commands import demo_admin
    from wagtail_selvhjelp.models import GroupRegistrationPage, Registration

    _run()
    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "pw")
    call_command("demo_admin", stdout=open(os.devnull, "w"))
    lauvdal = GroupRegistrationPage.objects.get(locale__language_code="nn")
    fjellbygd = GroupRegistrationPage.objects.get(locale__language_code="nb")
    mine = Registration.objects.filter(page=lauvdal)
    assert mine.waiting().count() >= 5
    coordinator = get_user_model().objects.get(
        username=demo_nynorsk.COORDINATOR_USERNAME
    )
    client.force_login(coordinator)
    listing = client.get("/admin/selvhjelp/registrations/").content.decode()
    theirs = Registration.objects.filter(page=fjellbygd).first()
    inspect = "/admin/selvhjelp/registrations/inspect/{}/"
    assert inspect.format(mine.first().pk) in listing
    assert inspect.format(theirs.pk) not in listing
    assert client.get(inspect.format(mine.first().pk)).status_code == 200
    assert client.get(inspect.format(theirs.pk)).status_code in {403, 404}
    assert client.get(f"/admin/selvhjelp/matching/{lauvdal.pk}/").status_code == 200
    assert client.get(f"/admin/selvhjelp/matching/{fjellbygd.pk}/").status_code in {
        403,
        404,
    }


def test_links_for_lauvdal_registrations_lead_to_lauvdal(home_page):
    """E-mails to a Lauvdal registrant link to Lauvdal's host name."""
    from django.conf import settings

    from wagtail_selvhjelp.models import GroupRegistrationPage

    _run()
    page = GroupRegistrationPage.objects.get(locale__language_code="nn")
    registration = page.registrations.first()
    url = page.get_self_service_url(registration)
    assert url.startswith(settings.DEMO_NYNORSK_BASE_URL.rstrip("/") + "/")


def test_each_contact_point_belongs_to_one_site(home_page):
    """Each municipality's own points; the regional centre shared by both."""
    from wagtail.models import Site

    from example_site.home import demo, demo_nynorsk

    _run()
    fjellbygd = Site.objects.get(is_default_site=True)
    lauvdal = demo_nynorsk.site()
    contact_points = ContactPoint.objects.select_related("locale", "site")
    assert contact_points.exists()
    for contact_point in contact_points:
        own = lauvdal if contact_point.locale.language_code == "nn" else fjellbygd
        assert contact_point.site == own
        shared = list(contact_point.shared_with_sites.all())
        if contact_point.organisation == demo.REGIONAL_CENTRE:
            assert shared == [fjellbygd if own == lauvdal else lauvdal]
        else:
            assert shared == []
    regional = ContactPoint.objects.filter(organisation=demo.REGIONAL_CENTRE)
    assert regional.count() == 2
    assert len({cp.translation_key for cp in regional}) == 1
