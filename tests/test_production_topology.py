"""Several application processes sharing one cache and one task queue.

The production settings choose the shared cache (Redis through
django-redis, else the database cache) and the task backend from the
environment; the rate limit counts one client across processes that share
Redis. The cross-process test starts its own ``redis-server`` on a free
loopback port: where none is installed it is skipped with the reason, and
CI, which installs it, sets ``SELVHJELP_REQUIRE_REDIS=1`` to fail instead.
"""

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .test_example_site import PRODUCTION_ENV, _settings_of


ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = "example_site.settings.production"
HOSTS = {**PRODUCTION_ENV, "ALLOWED_HOSTS": "selvhjelp.example.no"}


def test_without_redis_the_database_cache_and_in_process_tasks():
    result = _settings_of(
        PRODUCTION,
        HOSTS,
        "CACHES['default']['BACKEND']",
        "TASKS['default']['BACKEND']",
        drop={"REDIS_URL", "TASKS_BACKEND"},
    )
    assert result.returncode == 0, result.stderr
    cache, tasks = result.stdout.split()
    assert cache == "'django.core.cache.backends.db.DatabaseCache'"
    assert tasks.endswith(".backends.immediate.ImmediateBackend'")


@pytest.mark.skipif(
    not hasattr(__import__("django_tasks"), "task_backends"),
    reason="django-tasks-db needs django-tasks 0.9 or newer (this is 0.7)",
)
def test_redis_and_the_database_task_backend_when_configured():
    result = _settings_of(
        PRODUCTION,
        {
            **HOSTS,
            "REDIS_URL": "redis://cache.internal:6379/1",
            "TASKS_BACKEND": "database",
        },
        "CACHES['default']['BACKEND']",
        "CACHES['default']['LOCATION']",
        "TASKS['default']['BACKEND']",
        "INSTALLED_APPS[-1]",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "'django_redis.cache.RedisCache'",
        "'redis://cache.internal:6379/1'",
        "'django_tasks_db.DatabaseBackend'",
        "'django_tasks_db'",
    ]


def test_an_unknown_task_backend_is_refused():
    result = _settings_of(PRODUCTION, {**HOSTS, "TASKS_BACKEND": "celery"}, "TASKS")
    assert result.returncode != 0
    assert "TASKS_BACKEND" in result.stderr


# The rate limit across processes sharing Redis


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of its own on a free loopback port, stopped afterwards."""
    server = shutil.which("redis-server")
    if server is None:
        reason = "redis-server is not on PATH (apt install redis-server)"
        if os.environ.get("SELVHJELP_REQUIRE_REDIS") == "1":
            pytest.fail(f"SELVHJELP_REQUIRE_REDIS=1 but {reason}")
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    redis = pytest.importorskip("redis")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


#: One application process: counts TAKES submissions of one client against
#: the registration page's rate limit, once the go file exists; prints how
#: many were let through.
CLIENT = textwrap.dedent(
    """
    import os, sys, time
    import django
    from django.conf import settings

    django.setup()
    from django.test import RequestFactory, override_settings

    url, limit, takes, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    shared = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    with override_settings(CACHES=shared):
        from wagtail_selvhjelp.models.rate_limits import rate_limit_for

        rate_limit = rate_limit_for("registration-page-7", limit=limit)
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
        while not os.path.exists(go):
            time.sleep(0.01)
        print(sum(rate_limit.take(request) for _ in range(takes)))
        print(type(rate_limit).__name__)
    """
)


def test_the_rate_limit_counts_one_client_across_two_processes(redis_url, tmp_path):
    pytest.importorskip("django_redis")
    limit, takes = 40, 30  # neither process alone reaches the limit
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
    }
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", CLIENT, redis_url, str(limit), str(takes), str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    allowed = [int(out.split()[0]) for out, _err in outputs]
    assert {out.split()[1] for out, _err in outputs} == {"RateLimit"}
    # Together they let through exactly the limit, each some of it: the
    # counter is one, and no increment was lost.
    assert sum(allowed) == limit
    assert all(0 < number <= takes for number in allowed)
    import redis

    client = redis.Redis.from_url(redis_url)
    [key] = client.keys("*wagtail_selvhjelp:rate:*")
    assert int(client.get(key)) == 2 * takes
    assert b"203.0.113.9" not in key


# The deploy/ examples


DEPLOY = ROOT / "deploy"


def test_the_env_example_names_only_what_the_settings_read():
    """Every variable of deploy/.env.example is read by the production
    settings (or by the units: WEB_WORKERS, or by Django itself)."""
    settings_text = "".join(
        path.read_text() for path in (ROOT / "example_site" / "settings").glob("*.py")
    )
    units = "".join(path.read_text() for path in DEPLOY.glob("selvhjelp-*"))
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {"REDIS_URL", "TASKS_BACKEND", "CLIENT_IP_HEADER"} <= set(names)
    for name in names:
        if name == "DJANGO_SETTINGS_MODULE":
            continue
        assert f'"{name}"' in settings_text or f"${{{name}}}" in units, name


def test_the_units_run_the_worker_the_tick_and_several_web_processes():
    web = (DEPLOY / "selvhjelp-web.service").read_text()
    assert "gunicorn" in web and "--workers" in web and "127.0.0.1:8000" in web
    assert "manage.py db_worker" in (DEPLOY / "selvhjelp-worker.service").read_text()
    assert "manage.py selvhjelp_tick" in (DEPLOY / "selvhjelp-tick.service").read_text()
    assert "OnCalendar=" in (DEPLOY / "selvhjelp-tick.timer").read_text()
    # Both proxies replace the client's X-Forwarded-For with the peer's
    # address, as TRUSTED_PROXY_HOPS=1 assumes.
    nginx = (DEPLOY / "nginx-selvhjelp.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "health_uri /selvhjelp-health/" in (DEPLOY / "Caddyfile").read_text()
