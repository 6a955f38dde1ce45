"""The language report: each site's pages and messages per written standard.

Counts only, cut to the pages a user coordinates as the statistics are, and
closed to a user who may not see statistics.
"""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import OutgoingMessage, SelfHelpSiteSettings

from ..factories import SelfHelpIndexPageFactory, make_registration_page
from .conftest import _coordinators


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "wagtail_selvhjelp_statistics:languages"


@pytest.fixture
def nn_page(nn_site):
    SelfHelpSiteSettings.objects.create(site=nn_site, language_form="nn")
    section = SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Sjølvhjelp")
    return make_registration_page(section, title="Meld deg på", slug="meld")


def sent(page, language, count, state=OutgoingMessage.State.SENT):
    OutgoingMessage.objects.bulk_create(
        OutgoingMessage(
            kind="receipt", channel="email", state=state, page=page, language=language
        )
        for _ in range(count)
    )


@pytest.fixture
def messages(page_a, nn_page):
    sent(page_a, "nb", 6)
    sent(page_a, "nn", 2)
    sent(page_a, "nb", 3, state=OutgoingMessage.State.FAILED)
    sent(nn_page, "nn", 5)


def rows(client):
    response = client.get(reverse(URL))
    assert response.status_code == 200
    return {row.site_name: row for row in response.context["object_list"]}


def test_every_site_for_whoever_sees_every_pages_counts(
    client, superuser, messages, nn_site
):
    client.force_login(superuser)
    found = rows(client)
    assert set(found) == {"Fjellbygd kommune", "Dalbygd kommune"}
    bokmal, nynorsk = found["Fjellbygd kommune"], found["Dalbygd kommune"]
    # The section and the registration page, in bokmål; the failed not sent.
    assert (bokmal.pages_nb, bokmal.pages_nn) == (2, 0)
    assert (bokmal.messages_nb, bokmal.messages_nn) == ("6", "< 5")
    assert str(bokmal.standard) == "Neutral: bokmål and nynorsk, the reader chooses"
    assert (nynorsk.pages_nb, nynorsk.pages_nn) == (0, 2)
    assert (nynorsk.messages_nb, nynorsk.messages_nn) == ("0", "5")
    assert str(nynorsk.standard) == "Nynorsk"


def test_a_coordinator_sees_only_the_sites_of_their_pages(
    client, coordinator_a, messages, nn_page, django_user_model
):
    client.force_login(coordinator_a)
    assert set(rows(client)) == {"Fjellbygd kommune"}
    other = django_user_model.objects.create_user("koordinator-nn", password="pw")
    other.groups.add(_coordinators("Koordinatorar Dalbygd", nn_page))
    client.force_login(other)
    found = rows(client)
    assert set(found) == {"Dalbygd kommune"}
    assert found["Dalbygd kommune"].messages_nn == "5"


def test_closed_to_a_user_who_may_not_see_statistics(client, editor, messages):
    client.force_login(editor)
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert "Dalbygd" not in response.content.decode()


def test_the_export_has_the_same_counts(client, superuser, messages):
    client.force_login(superuser)
    response = client.get(reverse(URL), {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "Messages in" in text
    assert "< 5" in text


def test_the_statistics_link_to_it(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("wagtail_selvhjelp_statistics:index"))
    assert f'href="{reverse(URL)}"' in response.content.decode()


@pytest.mark.parametrize("language", ["en", "nb", "nn"])
def test_the_standards_are_named_as_in_running_text(
    client, superuser, messages, language
):
    """ "Pages in nynorsk", not "Pages in Norsk nynorsk" (the content
    languages' names, which read as a heading of their own)."""
    from django.utils import translation

    from wagtail_selvhjelp.models.languages import standard_name

    client.force_login(superuser)
    with translation.override(language):
        response = client.get(reverse(URL), HTTP_ACCEPT_LANGUAGE=language)
        labels = [str(column.label) for column in response.context["view"].columns]
        expected = [
            translation.gettext(text) % {"language": standard_name(code)}
            for text in ("Pages in %(language)s", "Messages in %(language)s")
            for code in ("nb", "nn")
        ]
    assert labels[2:] == expected
    assert not any("Norsk" in label for label in labels)
    html = response.content.decode()
    assert all(label in html for label in expected)
