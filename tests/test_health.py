"""The health URL: database, cache and the worker's queue, without personal data."""

import json
from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone

from wagtail_selvhjelp import task_backend, tasks

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db

URL = "/selvhjelp-health/"


def get_health(client):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    return response, json.loads(response.content)


def test_a_healthy_site_answers_200_and_no_store(client):
    assert reverse("selvhjelp_health") == URL
    response, body = get_health(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": "not applicable",  # the immediate backend: no worker
        "queue_age_seconds": None,
    }
    # Asked again and again (a monitor, a load balancer): no limit.
    for _ in range(20):
        assert client.get(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_the_cache_down_answers_503(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis://:hunter2@cache.internal:6379")

    monkeypatch.setattr(LocMemCache, "set", refuse)
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "failing" and body["cache"] == "failing"
    assert body["database"] == "ok"
    assert "ConnectionError" in caplog.text and "hunter2" not in caplog.text


def test_the_database_down_answers_503(client, monkeypatch):
    connection = connections["default"]

    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "failing" and body["database"] == "failing"
    assert body["cache"] == "ok"


@pytest.mark.skipif(
    not hasattr(__import__("django_tasks"), "task_backends"),
    reason="django-tasks-db needs django-tasks 0.9 or newer (this is 0.7)",
)
def test_the_queue_age_of_the_database_backend(client, settings, section):
    settings.TASKS = {
        **settings.TASKS,
        "default": settings.TASKS["database"],
    }
    registration = RegistrationFactory(page=make_registration_page(section))
    _response, body = get_health(client)
    assert (body["queue"], body["queue_age_seconds"]) == ("ok", 0)

    tasks.send_receipt.enqueue(registration.pk)
    response, body = get_health(client)
    assert response.status_code == 200
    assert body["queue"] == "ok" and 0 <= body["queue_age_seconds"] < 60
    # Nothing about the registration, nor how many there are.
    assert registration.email not in response.content.decode()

    # The worker has not taken a task for twenty minutes: 503.
    long_ago = timezone.now() - timedelta(minutes=20)
    task_backend.result_model().objects.update(enqueued_at=long_ago, run_after=long_ago)
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["queue"] == "failing" and body["queue_age_seconds"] >= 1200
    assert body["database"] == body["cache"] == "ok"

    # A task due later is not late; one the worker finished no longer waits.
    model = task_backend.result_model()
    model.objects.update(run_after=timezone.now() + timedelta(hours=1))
    assert get_health(client)[1]["queue_age_seconds"] == 0
    model.objects.update(
        run_after=long_ago, status=task_backend.TaskResultStatus.FAILED
    )
    assert get_health(client)[0].status_code == 200
