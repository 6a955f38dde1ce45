"""No input makes the registration form fail, store junk or echo markup."""

import threading

import pytest
from django.db import connection
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from wagtail.models import Site

from wagtail_selvhjelp.forms import RegistrationForm
from wagtail_selvhjelp.models import Registration

from ..factories import SelfHelpIndexPageFactory, make_registration_page
from .helpers import token_from


#: Every name the form knows: the catalogue's answers, then the form's own.
FIELDS = [
    *Registration.answer_fields,
    "consent",
    RegistrationForm.honeypot_field_name,
    "form_token",
    "csrfmiddlewaretoken",
]
PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


def values(ids):
    plausible = st.sampled_from(
        [
            "",
            "on",
            "yes",
            "1980",
            "2015",
            "kari@example.test",
            "968 51 295",
            "themed",
            "mixed",
            "any",
            "woman",
            *ids,
        ]
    )
    return st.one_of(
        plausible,
        st.sampled_from(PAYLOADS),
        st.text(max_size=300),
        st.integers().map(str),
        st.lists(st.one_of(plausible, st.text(max_size=20)), max_size=4),
    )


@override_settings(
    WAGTAIL_SELVHJELP={"MINIMUM_FILL_SECONDS": 0, "RATE_LIMIT_PER_HOUR": 100_000}
)
class TestArbitraryPosts(TestCase):
    @classmethod
    def setUpTestData(cls):
        root = Site.objects.get(is_default_site=True).root_page
        cls.page = make_registration_page(SelfHelpIndexPageFactory(parent=root))
        cls.ids = [
            str(pk)
            for related in (cls.page.places, cls.page.time_slots, cls.page.topics)
            for pk in related.values_list("pk", flat=True)
        ]

    @settings(
        max_examples=75,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_any_post(self, data):
        fields = data.draw(
            st.dictionaries(
                st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)),
                values(self.ids),
                max_size=len(FIELDS),
            )
        )
        if data.draw(st.booleans()):
            fields["form_token"] = token_from(self.client.get(self.page.url))
        fields = {key: value for key, value in fields.items() if "\x00" not in key}
        response = self.client.post(self.page.url, fields)
        assert response.status_code < 500
        content = response.content.decode()
        for payload in PAYLOADS:
            assert payload not in content
        stored = Registration.objects.count()
        if stored:
            form = RegistrationForm(self._as_querydict(fields), page=self.page)
            assert form.is_valid(), form.errors
            assert response.status_code == 303
        Registration.objects.all().delete()

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_valid_posts_with_some_answers_changed(self, data):
        """Start from a valid registration and spoil some answers at random."""
        fields = {
            "form_token": token_from(self.client.get(self.page.url)),
            "name": "Kari Nordmann",
            "email": "kari@example.test",
            "phone": "968 51 295",
            "birth_year": "1980",
            "places": [str(self.page.places.first().pk)],
            "time_slots": [str(self.page.time_slots.first().pk)],
            "group_kind": "any",
            "consent": "yes",
        }
        changed = data.draw(
            st.lists(
                st.sampled_from(sorted(set(fields) - {"form_token"})),
                unique=True,
                max_size=3,
            )
        )
        for key in changed:
            fields[key] = data.draw(values(self.ids), label=key)
        response = self.client.post(self.page.url, fields)
        assert response.status_code < 500
        content = response.content.decode()
        for payload in PAYLOADS:
            assert payload not in content
        form = RegistrationForm(self._as_querydict(fields), page=self.page)
        should_store = form.is_valid() and (
            form.cleaned_data["birth_year"] <= self.page.oldest_accepted_birth_year()
        )
        assert Registration.objects.count() == int(should_store)
        if should_store:
            assert response.status_code == 303
        Registration.objects.all().delete()

    @staticmethod
    def _as_querydict(fields):
        from django.http import QueryDict

        querydict = QueryDict(mutable=True)
        for key, value in fields.items():
            if isinstance(value, list):
                querydict.setlist(key, [str(v) for v in value])
            else:
                querydict[key] = str(value)
        return querydict


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_form_store_one_row(home_page, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL's row locking (run with DATABASE_URL=postgres://...)"
        )
    settings.WAGTAIL_SELVHJELP = {
        "MINIMUM_FILL_SECONDS": 0,
        "RATE_LIMIT_PER_HOUR": 1000,
    }
    page = make_registration_page(SelfHelpIndexPageFactory(parent=home_page))
    first = Client()
    token = token_from(first.get(page.url))
    data = {
        "form_token": token,
        "name": "Samtidig",
        "email": "samtidig@example.test",
        "birth_year": "1970",
        "places": [str(page.places.first().pk)],
        "time_slots": [str(page.time_slots.first().pk)],
        "group_kind": "any",
        "consent": "yes",
    }
    barrier = threading.Barrier(6)
    statuses = []

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            statuses.append(Client().post(page.url, data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 6
    assert Registration.objects.filter(email="samtidig@example.test").count() == 1
