"""The public registration form, through Django's test client."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Site

from wagtail_selvhjelp import fragment_cache
from wagtail_selvhjelp.models import ConsentText, Registration, RegistrationPlace

from ..factories import RegistrationFactory, make_registration_page
from .helpers import token_from, token_from_html


pytestmark = pytest.mark.django_db


def valid_data(page, token, **overrides):
    data = {
        "form_token": token,
        "website": "",
        "name": "Kari Nordmann",
        "email": "kari@example.test",
        "phone": "968 51 295",
        "birth_year": "1980",
        "places": [str(page.places.get(name="Gol").pk)],
        "time_slots": [str(page.time_slots.get(name="Kveld").pk)],
        "topics": [str(page.topics.get(name="Angst").pk)],
        "group_kind": "themed",
        "gender": "woman",
        "avoid_text": "Søsteren min, Ola",
        "access_needs": "Trinnfri adkomst",
        "message": "Jeg har slitt med angst lenge.",
        "consent": "yes",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, page, **overrides):
    token = token_from(client.get(page.url))
    return client.post(page.url, valid_data(page, token, **overrides))


def test_form_renders_accessibly_and_privately(client, page):
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "csrfmiddlewaretoken" in html
    assert '<label for="id_name">' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html and 'inputmode="email"' in html
    assert 'autocomplete="tel"' in html and 'inputmode="tel"' in html
    assert 'autocomplete="bday-year"' in html and 'inputmode="numeric"' in html
    assert html.count("<fieldset") >= 6
    assert "<legend>" in html
    assert 'aria-describedby="id_birth_year_hint"' in html
    assert 'id="id_birth_year_hint"' in html
    assert 'aria-describedby="selvhjelp-contact-hint"' in html
    assert 'aria-describedby="id_places_hint"' in html
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', html).group(0)
    assert "checked" not in consent
    assert 'aria-hidden="true"' in html and 'tabindex="-1"' in html  # honeypot
    assert "Vi behandler opplysningene dine trygt." in html


def test_valid_registration_is_stored_and_redirects_to_a_thank_you_page(client, page):
    response = post(client, page)
    assert response.status_code == 303
    assert response["Location"] == page.url + "takk/?receipt=email"
    registration = Registration.objects.get()
    assert registration.name == "Kari Nordmann"
    assert registration.phone == "+4796851295"
    assert registration.birth_year == 1980
    assert [p.name for p in registration.places.all()] == ["Gol"]
    assert [s.name for s in registration.time_slots.all()] == ["Kveld"]
    assert [t.name for t in registration.topics.all()] == ["Angst"]
    assert registration.group_kind == "themed"
    assert registration.status == "new"
    assert registration.consent_text.text == page.consent_text
    assert abs(registration.consent_given_at - timezone.now()).total_seconds() < 60
    assert str(registration) in (
        f"Registration {registration.pk}",
        f"Påmelding {registration.pk}",
    )
    assert "Kari" not in str(registration)

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "no-store" in thanks["Cache-Control"]
    html = thanks.content.decode()
    assert "Takk! Vi tar kontakt." in html
    assert "Kari" not in html and "kari@example.test" not in html


def test_invalid_input_keeps_everything_and_summarises_errors(client, page):
    response = post(
        client, page, email="ikke-en-epost", phone="", places=None, consent=None
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert 'role="alert"' in html
    assert 'href="#id_email"' in html
    assert 'href="#id_places_0"' in html
    assert 'href="#id_consent"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="selvhjelp-contact-hint id_email_error"' in html
    assert 'value="Kari Nordmann"' in html
    assert 'value="ikke-en-epost"' in html
    assert "Jeg har slitt med angst lenge." in html
    kveld = page.time_slots.get(name="Kveld").pk
    assert re.search(rf'value="{kveld}"[^>]*checked', html)
    assert "<title>" in html and "Feil:" in html


def test_email_or_phone_is_required(client, page):
    response = post(client, page, email="", phone="")
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert "telefonnummer" in response.content.decode()


def test_phone_only_is_enough(client, page):
    assert post(client, page, email="").status_code == 303
    assert Registration.objects.get().email == ""


def test_bad_phone_is_explained(client, page):
    response = post(client, page, phone="12")
    assert response.status_code == 200
    assert "gyldig telefonnummer" in response.content.decode()


def test_double_submit_stores_one_registration(client, page):
    token = token_from(client.get(page.url))
    first = client.post(page.url, valid_data(page, token))
    second = client.post(page.url, valid_data(page, token))
    assert first.status_code == second.status_code == 303
    assert Registration.objects.count() == 1


def test_honeypot_stores_nothing_and_answers_calmly(client, page):
    response = post(client, page, website="http://spam.example")
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert (
        "nothing was stored" in response.content.decode()
        or "ikke lagret" in response.content.decode()
    )


def test_too_fast_is_treated_as_automated(client, page, settings):
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 60}
    response = post(client, page)
    assert response.status_code == 200
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("token", ["", "forged", "eyJuIjoiYSIsInQiOjB9:1abc:xyz"])
def test_missing_or_forged_token_keeps_the_input_and_stores_nothing(
    client, page, token
):
    response = client.post(page.url, valid_data(page, token))
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    html = response.content.decode()
    assert 'value="Kari Nordmann"' in html
    assert 'role="status"' in html


def test_token_of_another_page_is_refused(client, page, section):
    other = make_registration_page(section, slug="annen-side", title="Annen side")
    token = token_from(client.get(other.url))
    response = client.post(page.url, valid_data(page, token))
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_rate_limit(client, page, settings):
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 0, "RATE_LIMIT_PER_HOUR": 2}
    for number in range(2):
        assert post(client, page, email=f"p{number}@example.test").status_code == 303
    response = post(client, page, email="p3@example.test")
    assert response.status_code == 429
    assert 'value="p3@example.test"' in response.content.decode()
    assert Registration.objects.count() == 2


def test_rate_limit_counts_per_client(client, page, settings):
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 0, "RATE_LIMIT_PER_HOUR": 1}
    assert post(client, page).status_code == 303
    token = token_from(client.get(page.url))
    response = client.post(
        page.url,
        valid_data(page, token, email="b@example.test"),
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 303


def test_a_rate_limit_cache_that_is_down_lets_the_registration_through(
    client, page, settings, caplog
):
    """Redis down: the citizen's registration is stored, not a 500; the
    warning names the cache, never the client."""
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        },
    }
    settings.WAGTAIL_SELVHJELP = {
        "MINIMUM_FILL_SECONDS": 0,
        "RATE_LIMIT_PER_HOUR": 1,
        "RATE_LIMIT_CACHE": "down",
    }
    with caplog.at_level("WARNING", logger="wagtail_selvhjelp.guards"):
        assert post(client, page, email="a@example.test").status_code == 303
        assert post(client, page, email="b@example.test").status_code == 303
    assert Registration.objects.count() == 2
    assert "Rate limit not counted: the cache 'down' failed" in caplog.text
    assert "127.0.0.1" not in caplog.text.replace("127.0.0.1:1", "")


@pytest.mark.parametrize(("opens", "closes"), [(5, None), (None, -1)])
def test_closed_window_accepts_nothing(client, section, opens, closes):
    today = timezone.localdate()
    page = make_registration_page(
        section,
        opens_on=today + timezone.timedelta(days=opens) if opens else None,
        closes_on=today + timezone.timedelta(days=closes) if closes else None,
        closed_text="<p>Påmeldingen er stengt nå.</p>",
    )
    response = client.get(page.url)
    assert "Påmeldingen er stengt nå." in response.content.decode()
    assert "form_token" not in response.content.decode()
    response = client.post(page.url, {"name": "X"})
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_window_includes_its_first_and_last_day(section):
    today = timezone.localdate()
    page = make_registration_page(section, opens_on=today, closes_on=today)
    assert page.is_open()


def test_under_age_gets_the_under_age_text_and_nothing_is_stored(client, page):
    year = timezone.localdate().year - 17
    response = post(client, page, birth_year=str(year))
    assert response.status_code == 200
    assert "Snakk med helsesykepleier" in response.content.decode()
    assert Registration.objects.count() == 0


def test_minimum_age_counts_the_year_someone_turns_it(client, section):
    page = make_registration_page(section, minimum_age=16)
    year = timezone.localdate().year - 16
    assert post(client, page, birth_year=str(year)).status_code == 303


def test_consent_is_required_and_its_text_kept_per_version(client, page):
    response = post(client, page, consent=None)
    assert Registration.objects.count() == 0
    assert 'href="#id_consent"' in response.content.decode()
    assert post(client, page).status_code == 303
    page.consent_text = "Ny samtykketekst."
    page.save_revision().publish()
    page.refresh_from_db()
    assert post(client, page, email="b@example.test").status_code == 303
    first, second = Registration.objects.order_by("pk")
    assert first.consent_text.text == "Jeg samtykker til at dere lagrer dette."
    assert second.consent_text.text == "Ny samtykketekst."
    assert ConsentText.objects.count() == 2


def test_single_gender_wish_needs_a_gender(client, page):
    response = post(client, page, gender="", single_gender="on")
    assert response.status_code == 200
    assert 'href="#id_gender_0"' in response.content.decode()


def test_themed_group_needs_a_topic(client, page):
    response = post(client, page, topics=None, group_kind="themed")
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_possible_duplicates_are_flagged_not_rejected(client, page):
    assert post(client, page).status_code == 303
    assert post(client, page, email="KARI@example.test", phone="").status_code == 303
    assert Registration.objects.count() == 2
    assert all(r.possible_duplicate for r in Registration.objects.all())


def test_archived_choices_are_hidden_but_kept(client, page):
    assert post(client, page).status_code == 303
    gol = page.places.get(name="Gol")
    gol.archived = True
    gol.save()
    html = client.get(page.url).content.decode()
    assert ">Gol</label>" not in html and ">Hol</label>" in html
    response = post(client, page, places=[str(gol.pk)])
    assert response.status_code == 200
    assert [p.name for p in Registration.objects.get().places.all()] == ["Gol"]


def test_markup_is_stored_as_text_and_escaped(client, page, admin_client):
    markup = '<img src=x onerror="alert(1)">'
    response = post(client, page, name=markup, email="bad", message=markup)
    html = response.content.decode()
    assert markup not in html
    assert escape(markup) in html
    assert post(client, page, name=markup, message=markup).status_code == 303
    assert Registration.objects.get().name == markup


@pytest.mark.parametrize(
    "value",
    ["9223372036854775808", "99999999999999999999999", "-1", "1e3", " 1", "0x1"],
)
def test_out_of_range_choice_ids_are_refused_calmly(client, page, value):
    response = post(client, page, places=[value])
    assert response.status_code == 200
    assert 'href="#id_places_0"' in response.content.decode()
    assert Registration.objects.count() == 0


def test_hostile_values_never_fail(client, page):
    token = token_from(client.get(page.url))
    hostile = {
        "form_token": token,
        "name": ["a" * 100_000, "b"],
        "email": "\x00@example.test",
        "phone": "+" + "9" * 5000,
        "birth_year": "1e309",
        "places": ["-1", "abc", "99999999999999999999999"],
        "time_slots": "",
        "group_kind": "nonsense",
        "gender": "🦄",
        "consent": "maybe",
        "message": "\ud800" if False else "\u202e\u0000",
    }
    response = client.post(page.url, hostile)
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_emails_are_sent_on_commit_without_personal_or_health_data(
    client, page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        assert post(client, page, email="first@example.test").status_code == 303
    assert mail.outbox == [], "nothing may be sent before the registration is committed"
    Registration.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, page).status_code == 303
    assert len(mail.outbox) == 2
    notice, receipt = sorted(
        mail.outbox, key=lambda m: m.to != ["koordinator@example.test"]
    )
    assert notice.to == ["koordinator@example.test"]
    assert "http://testserver/admin/selvhjelp/registrations/" in notice.body
    assert receipt.to == ["kari@example.test"]
    private = [
        "Kari",
        "Nordmann",
        "kari@example.test",
        "96851295",
        "968 51 295",
        "Angst",
        "Søsteren",
        "Ola",
        "Trinnfri",
        "slitt",
        "1980",
        "Gol",
        "Kveld",
    ]
    for message in (notice, receipt):
        for text in private:
            assert text not in message.subject + message.body, (text, message.to)


def test_without_an_email_the_receipt_goes_by_sms(
    client, page, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, page, email="").status_code == 303
    assert [m.to for m in mail.outbox] == [["koordinator@example.test"]]
    assert [sms.number for sms in sms_outbox] == ["+4796851295"]
    assert "Kari" not in sms_outbox[0].text


def test_a_failing_mail_server_loses_no_registration(
    client, page, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.failing_email.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, page).status_code == 303
    assert Registration.objects.count() == 1


def test_form_page_uses_a_constant_number_of_queries(client, section):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_registration_page(section, slug="liten")
    large = make_registration_page(
        section,
        slug="stor",
        places=[f"Sted {n}" for n in range(12)],
        slots=[f"Tid {n}" for n in range(6)],
        topics=[f"Tema {n}" for n in range(12)],
    )
    client.get(small.url)
    client.get(large.url)
    counts = []
    for warm in (False, True):  # rendered, then from the fragment cache
        if not warm:
            fragment_cache.new_generation()
        with CaptureQueriesContext(connection) as few:
            client.get(small.url)
        with CaptureQueriesContext(connection) as many:
            client.get(large.url)
        assert len(many) == len(few)
        counts.append(len(few))
    assert counts[1] < counts[0]  # the cached form reads no options


def test_index_page_links_to_the_registration_page(client, section, page):
    html = client.get(section.url).content.decode()
    assert f'<a class="selvhjelp-button" href="{page.url}">Meld deg på</a>' in html


def test_preview_modes(admin_client, page):
    from django.urls import reverse

    for mode, text in [("form", "form_token"), ("landing", "Takk! Vi tar kontakt.")]:
        url = reverse("wagtailadmin_pages:view_draft", args=(page.pk,))
        response = admin_client.get(url, {"mode": mode})
        assert response.status_code == 200
        assert text in response.content.decode()


def test_csrf_is_enforced_and_a_failure_keeps_the_input(page):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = token_from(client.get(page.url))
    client.cookies.clear()  # as when a browser blocks cookies
    response = client.post(page.url, valid_data(page, token))
    assert response.status_code == 403
    assert Registration.objects.count() == 0
    html = response.content.decode()
    assert 'value="Kari Nordmann"' in html
    assert 'role="status"' in html
    assert "csrfmiddlewaretoken" in html
    assert "no-store" in response["Cache-Control"]


def test_csrf_failure_elsewhere_is_djangos_own(home_page):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(home_page.url, {"x": "1"})
    assert response.status_code == 403
    assert "selvhjelp" not in response.content.decode()


def test_csrf_passes_with_the_cookie(page):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    form = client.get(page.url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = valid_data(page, token_from_html(form))
    data["csrfmiddlewaretoken"] = csrf
    assert client.post(page.url, data).status_code == 303


def test_consent_label_is_the_stored_wording_tied_to_the_privacy_notice(client, page):
    html = client.get(page.url).content.decode()
    assert '<label for="id_consent">Jeg samtykker til at dere lagrer dette.' in html
    consent = re.search(r'<input type="checkbox" name="consent"[^>]*>', html).group(0)
    assert 'aria-describedby="selvhjelp-privacy id_consent_hint"' in consent
    assert 'id="selvhjelp-privacy"' in html


def test_answers_are_hidden_from_error_reports(rf, page):
    from django.views.debug import SafeExceptionReporterFilter

    request = rf.post(page.url, {"name": "Kari Nordmann", "message": "Angst"})
    page.serve_form(request)
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "Kari Nordmann" not in str(cleansed.values())
    assert "Angst" not in str(cleansed.values())


def test_tasks_skip_a_registration_deleted_before_they_ran():
    from wagtail_selvhjelp.tasks import (
        notify_coordinators,
        send_receipt,
        send_registration_emails,
    )

    notify_coordinators.call(987654)
    send_receipt.call(987654)
    send_registration_emails.call(987654)
    assert mail.outbox == []


def test_the_form_reads_each_list_of_choices_once(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(page.url)
    cache.clear()  # render the form, not its cached fragment
    with CaptureQueriesContext(connection) as queries:
        client.get(page.url)
    for table in ("registrationplace", "registrationtimeslot", "registrationtopic"):
        reads = [q for q in queries if f"wagtail_selvhjelp_{table}" in q["sql"]]
        assert len(reads) == 1, (table, len(reads))


@pytest.mark.parametrize("cache_backend", ["locmem", "db"])
def test_a_registration_costs_at_most_22_queries(
    client,
    page,
    settings,
    cache_backend,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """Wagtail's routing and both e-mails included, on either kind of cache.

    On Django's database cache every cache read is a query too (the rate
    limit's counter, Wagtail's site root paths). The page's language costs
    two: its site's written standard and its locale.
    """
    if cache_backend == "db":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "selvhjelp_test_cache",
            }
        }
        call_command("createcachetable", verbosity=0)
    data = valid_data(
        page,
        token_from(client.get(page.url)),
        email="andre@example.test",
        phone="412 34 567",
    )
    with django_assert_max_num_queries(22):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(page.url, data)
    assert response.status_code == 303
    assert len(mail.outbox) == 2  # the e-mails were sent within the count


def test_one_task_sends_both_emails_from_one_read(
    page, django_assert_num_queries, monkeypatch
):
    from wagtail_selvhjelp import notifications, tasks

    registration = RegistrationFactory(page=page)
    Site.get_site_root_paths()  # cached, as in any running site
    # The registration with its page and site's name; the two messages' rows.
    with django_assert_num_queries(2):
        tasks.send_registration_emails.call(registration.pk)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "koordinator@example.test",
        registration.email,
    ]
    assert "1 påmelding venter" in next(
        m.body for m in mail.outbox if m.to == ["koordinator@example.test"]
    )

    mail.outbox.clear()

    def broken(notification, recipient, subject, text):
        raise ConnectionRefusedError("the coordinators' mail server is down")

    monkeypatch.setattr(notifications.CoordinatorNotice, "send_email", broken)
    with pytest.raises(notifications.NotificationFailed):
        tasks.send_registration_emails.call(registration.pk)
    assert [m.to for m in mail.outbox] == [[registration.email]]


def test_the_empty_form_is_cached_and_never_stale(client, page):
    """Everyone gets the same empty form; a change to the page shows at once."""
    first = client.get(page.url).content.decode()
    second = client.get(page.url).content.decode()
    assert token_from_html(first) != token_from_html(second)  # outside the cache

    def questions(html):
        return html[html.index('<fieldset class="selvhjelp-fieldset">') :]

    assert questions(first) == questions(second)
    RegistrationPlace.objects.create(page=page, name="Nesbyen", sort_order=99)
    assert ">Nesbyen</label>" in client.get(page.url).content.decode()
    page.ask_gender = False
    page.save_revision().publish()
    assert 'name="gender"' not in client.get(page.url).content.decode()


def test_a_form_sent_back_with_errors_is_never_cached(client, page):
    client.get(page.url)
    response = post(client, page, name="Kari Feil", email="ikke-en-adresse")
    html = response.content.decode()
    assert 'value="Kari Feil"' in html and 'aria-invalid="true"' in html
    fresh = client.get(page.url).content.decode()
    assert "Kari Feil" not in fresh and 'aria-invalid="true"' not in fresh


def test_the_page_keeps_the_stored_version_of_its_consent_wording(client, page):
    assert page.consent_version.text == page.consent_text
    page.consent_text = "Jeg samtykker, versjon 2."
    page.save_revision()  # a draft: the live form still shows the old wording
    assert type(page).objects.get(pk=page.pk).consent_version.text != (
        "Jeg samtykker, versjon 2."
    )
    page.get_latest_revision().publish()
    page = type(page).objects.get(pk=page.pk)
    assert page.consent_version.text == "Jeg samtykker, versjon 2."
    assert post(client, page).status_code == 303
    stored = Registration.objects.get()
    assert stored.consent_text == page.consent_version
    assert ConsentText.objects.filter(text="Jeg samtykker, versjon 2.").count() == 1
