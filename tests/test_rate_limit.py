"""The rate limit counts and checks in one atomic step.

In the cache (Redis, memcached and the local-memory cache increment
atomically) or, on Django's database cache, in a table of its own; on
PostgreSQL, 60 simultaneous posts from one client store at most the limit.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from wagtail_selvhjelp import guards
from wagtail_selvhjelp.models import RateLimitCounter, Registration, rate_limits
from wagtail_selvhjelp.models.rate_limits import DatabaseRateLimit, rate_limit_for

from .factories import make_registration_page
from .registration.helpers import token_from


DATABASE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "selvhjelp_cache",
    },
}


@pytest.fixture
def on_database_cache(settings):
    settings.CACHES = DATABASE_CACHE
    settings.WAGTAIL_SELVHJELP = {
        "RATE_LIMIT_CACHE": "shared",
        "RATE_LIMIT_PER_HOUR": 10,
        "MINIMUM_FILL_SECONDS": 0,
    }


def test_the_cache_limit_lets_exactly_the_limit_through(rf, settings):
    settings.WAGTAIL_SELVHJELP = {"RATE_LIMIT_PER_HOUR": 3}
    limit = guards.RateLimit("scope")
    request = rf.post("/", REMOTE_ADDR="192.0.2.7")
    assert [limit.take(request) for _ in range(5)] == [True] * 3 + [False] * 2
    assert limit.is_exceeded(request)


def test_the_database_cache_gets_the_table(on_database_cache):
    assert isinstance(rate_limit_for(1), DatabaseRateLimit)


def test_other_caches_count_in_the_cache(settings):
    assert type(rate_limit_for(1)) is guards.RateLimit


@pytest.fixture(params=["upsert", "portable"])
def counting_path(request, monkeypatch):
    """Both ways of counting: the single upsert and the portable transaction."""
    if request.param == "portable":
        monkeypatch.setattr(rate_limits, "UPSERT_VENDORS", ())
    return request.param


@pytest.mark.django_db
def test_the_table_counts_per_client_and_window(rf, on_database_cache, counting_path):
    limit = DatabaseRateLimit("page-1", limit=2)
    one = rf.post("/", REMOTE_ADDR="192.0.2.1")
    other = rf.post("/", REMOTE_ADDR="192.0.2.2")
    assert [limit.take(one) for _ in range(3)] == [True, True, False]
    assert limit.is_exceeded(one)
    assert not limit.is_exceeded(other)
    assert limit.take(other)
    # No address in the table, only a hash.
    assert not RateLimitCounter.objects.filter(key__contains="192.0.2").exists()
    # A new hour starts a new window.
    RateLimitCounter.objects.update(
        window_start=timezone.now() - datetime.timedelta(hours=2)
    )
    assert not limit.is_exceeded(one)
    assert limit.take(one)
    assert RateLimitCounter.objects.get(key=limit.key(one)).count == 1


@pytest.mark.django_db
def test_the_purge_deletes_finished_windows(rf, on_database_cache):
    from wagtail_selvhjelp import privacy

    limit = DatabaseRateLimit("page-1")
    limit.take(rf.post("/", REMOTE_ADDR="192.0.2.1"))
    RateLimitCounter.objects.update(
        window_start=timezone.now() - datetime.timedelta(hours=2)
    )
    limit.take(rf.post("/", REMOTE_ADDR="192.0.2.2"))
    privacy.purge()
    assert RateLimitCounter.objects.count() == 1


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    results = []

    def run(index):
        try:
            barrier.wait()
            results.append(work(index))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_no_count_is_lost_under_concurrent_increments(
    rf, on_database_cache, counting_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    limit = DatabaseRateLimit("page-1", limit=10)
    request = rf.post("/", REMOTE_ADDR="192.0.2.9")
    results = _in_threads(60, lambda _n: limit.take(request))
    assert results.count(True) == 10
    assert RateLimitCounter.objects.get().count == 60


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_60_simultaneous_posts_store_at_most_the_limit(section, on_database_cache):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    page = make_registration_page(section)
    gol = str(page.places.get(name="Gol").pk)
    evening = str(page.time_slots.get(name="Kveld").pk)
    clients = [Client(REMOTE_ADDR="192.0.2.50") for _ in range(60)]
    tokens = [token_from(client.get(page.url)) for client in clients]
    connection.close()

    def post(index):
        response = clients[index].post(
            page.url,
            {
                "form_token": tokens[index],
                "website": "",
                "name": f"Samtidig {index}",
                "email": f"samtidig{index}@example.test",
                "birth_year": "1980",
                "places": [gol],
                "time_slots": [evening],
                "group_kind": "any",
                "consent": "yes",
            },
        )
        return response.status_code

    statuses = _in_threads(60, post)
    assert statuses.count(303) == 10
    assert statuses.count(429) == 50
    assert Registration.objects.count() == 10


@pytest.mark.django_db
def test_the_upsert_counts_in_one_query(
    rf, on_database_cache, django_assert_num_queries
):
    limit = DatabaseRateLimit("page-1", limit=2)
    request = rf.post("/", REMOTE_ADDR="192.0.2.3")
    for expected in (True, True, False):
        with django_assert_num_queries(1):
            assert limit.take(request) is expected
