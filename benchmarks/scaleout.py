"""The production topology scaled out: one application process against two.

The example site as ``deploy/`` runs it (``benchmarks/load_site``'s
settings: production's, DEBUG off, on plain HTTP), on a PostgreSQL and a
Redis of its own (the shared cache: rate-limit counters and cached
fragments), with the e-mail tasks queued in the database
(``TASKS_BACKEND=database``) and one ``db_worker`` running them, as
``deploy/selvhjelp-worker.service`` does. Two rounds, each on a fresh copy
of the demo database and an emptied Redis:

* **one**: one gunicorn process with one sync worker;
* **two**: two gunicorn processes with one sync worker each, the clients
  alternating between them (nothing in front, as a proxy would spread them).

In each round: ``--info-requests`` GETs of an info page (a content page
served from cached fragments) at ``--concurrency``, then
``--registrations`` registrations (a form GET and a POST each, the harness
of ``benchmarks/load.py``) at the same concurrency. Every twentieth
registration comes from one busy address whose limit is ``RATE_LIMIT`` an
hour, so the two processes must share its counter. Printed: requests per
second of each, the ratio two/one, and the checks that nothing was lost,
doubled or double-counted:

* registrations stored = the 303 answers, none without its choices, no
  e-mail twice (``load.count_rows``);
* the busy address stored ``RATE_LIMIT`` (fewer if it sent fewer), the
  rest answered 429;
* the rate-limit counters in Redis add up to the POSTs that were counted
  (every 303 and every 429: one increment each, none lost or doubled);
* the worker finished every task: one per stored registration, all
  successful, none left waiting, none for the same registration twice.

Two cores run the clients, both servers, the worker, PostgreSQL and Redis,
so expect well under 2x: the point is correctness when work is spread.

Requirements as ``benchmarks/load.py`` (gunicorn, django-redis, Debian's
PostgreSQL and Redis) plus django-tasks-db (the testing extra)::

    python benchmarks/scaleout.py                      # about 3 minutes
    python benchmarks/scaleout.py --registrations 600 --info-requests 3000
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit


sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import (
    ROOT,
    Gunicorn,
    OwnPostgres,
    OwnRedis,
    admin_connection,
    build_template,
    count_rows,
    create_database,
    database_name,
    django_env,
    drop_database,
    http_request,
    manage,
    own_address,
    run_clients,
    summarise,
    with_name,
)


RATE_LIMIT = 5
BUSY_ADDRESS = "203.0.113.7"
BUSY_EVERY = 20


def busy_or_own(number):
    return BUSY_ADDRESS if number % BUSY_EVERY == 0 else own_address(number)


def info_page_path(env):
    out = manage(
        env,
        "shell",
        "-c",
        "from wagtail_selvhjelp.models import SelfHelpInfoPage as P; "
        "print('PAGE', P.objects.live().first().get_url_parts()[2])",
        capture=True,
    )
    return next(line for line in out.splitlines() if line.startswith("PAGE ")).split()[
        1
    ]


def get_load(ports, path, count, concurrency):
    """``count`` GETs of ``path`` by ``concurrency`` threads: (statuses, seconds)."""
    statuses = {}
    numbers = iter(range(count))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            try:
                status = http_request(ports[number % len(ports)], "GET", path)[0]
            except OSError as error:
                status = type(error).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, time.perf_counter() - start


def task_counts(url):
    """{status: count} of the package's tasks, and how many registrations
    got more than one task."""
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username or "postgres",
        dbname=database_name(url),
    ) as connection:
        statuses = dict(
            connection.execute(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE task_path LIKE 'wagtail_selvhjelp.tasks.%' GROUP BY status"
            ).fetchall()
        )
        doubled = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM "
            "django_tasks_database_dbtaskresult WHERE task_path LIKE "
            "'wagtail_selvhjelp.tasks.%' GROUP BY task_path, args_kwargs::text "
            "HAVING count(*) > 1) AS d"
        ).fetchone()[0]
    return statuses, doubled


def redis_counters(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    return sum(int(client.get(key) or 0) for key in client.scan_iter("*:rate:*"))


class Worker:
    """``manage.py db_worker``, as deploy/selvhjelp-worker.service runs it."""

    def __init__(self, env, log_path):
        self.log = open(log_path, "wb")
        self.log_path = log_path
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter and arguments
            [sys.executable, str(ROOT / "example_site" / "manage.py"), "db_worker",
             "--interval", "0.2", "--no-startup-delay"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        return Path(self.log_path).read_text(errors="replace").count("Traceback")


def last_frames(text, frames=4):
    """The first traceback in ``text``: its last frames and its exception."""
    lines = text[text.index("Traceback (most recent call last)") :].splitlines()
    end = next(
        (n for n, line in enumerate(lines[1:], 1) if not line.startswith(" ")),
        len(lines) - 1,
    )
    return "\n".join(lines[max(1, end - 3 * frames) : end + 1])


def wait_for_tasks(url, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses, _doubled = task_counts(url)
        if not statuses.get("READY") and not statuses.get("RUNNING"):
            return True
        time.sleep(1)
    return False


def run_round(args, key, processes, template_url, redis, scratch, paths):
    name = f"{database_name(template_url)}_{key}"
    create_database(template_url, name, template=database_name(template_url))
    url = with_name(template_url, name)
    redis.flush()
    env = django_env(
        url,
        cache="redis",
        redis_url=redis.url,
        rate_limit=RATE_LIMIT,
        tasks="database",
    )
    worker = Worker(env, scratch / f"{key}-worker.log")
    servers = [Gunicorn(env, 1, scratch / f"{key}-{n}.log") for n in range(processes)]
    result = {"key": key, "processes": processes}
    try:
        for server in servers:
            server.wait(paths["form"])
        ports = [server.port for server in servers]
        statuses, seconds = get_load(
            ports, paths["info"], args.info_requests, args.concurrency
        )
        result["info"] = (statuses, seconds)
        results, seconds = run_clients(
            ports,
            paths["form"],
            args.registrations,
            args.concurrency,
            key,
            args.seed,
            address_of=busy_or_own,
        )
        result["form"] = summarise(results, seconds, processes)
        result["drained"] = wait_for_tasks(url)
    finally:
        tracebacks, first = worker.stop(), ""
        for server in servers:
            server.stop()
            count, text = server.tracebacks()
            tracebacks += count
            if count and not first:
                first = last_frames(text)
    result["tracebacks"] = tracebacks
    if first:
        print(f"  the first traceback in the servers' logs:\n{first}")
    result["rows"] = count_rows(url, key)
    result["tasks"] = task_counts(url)
    result["counters"] = redis_counters(redis.url)
    drop_database(template_url, name)
    return result


def report(args, result):
    info_statuses, info_seconds = result["info"]
    form = result["form"]
    stored, duplicates, incomplete, _db_counters = result["rows"]
    statuses, doubled = result["tasks"]
    busy = len(range(0, args.registrations, BUSY_EVERY))
    refused = form["statuses"].get("POST 429", 0)
    checks = {
        "info page: every GET 200": info_statuses == {200: args.info_requests},
        "stored = 303 answers": stored == form["successes"],
        "no duplicate, none without its choices": duplicates == incomplete == 0,
        f"busy address: at most {RATE_LIMIT} stored, the rest 429": refused
        == max(0, busy - RATE_LIMIT)
        and form["successes"] == args.registrations - refused,
        "Redis counters = counted POSTs": result["counters"]
        == form["successes"] + refused,
        "worker: one task per row, all done": result["drained"]
        and statuses.get("SUCCESSFUL", 0) == stored
        and set(statuses) == {"SUCCESSFUL"}
        and doubled == 0,
        "no 5xx, no traceback": form["server_errors"] == 0
        and not form["errors"]
        and result["tracebacks"] == 0,
    }
    info_rate = args.info_requests / info_seconds
    form_rate = form["requests"] / form["seconds"]
    print(
        f"\n[{result['key']}] {result['processes']} gunicorn x 1 worker, "
        "Redis, PostgreSQL, 1 db_worker"
    )
    print(f"  info page:    {info_rate:7.1f} requests/s  {info_statuses}")
    print(
        f"  registration: {form_rate:7.1f} requests/s "
        f"({form['successes'] / form['seconds']:.1f} registrations/s)  "
        f"{form['statuses']}"
    )
    print(
        f"  stored {stored}, 303 {form['successes']}, 429 {refused}; Redis "
        f"counters {result['counters']}; tasks {statuses}"
    )
    for check, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {check}")
    return info_rate, form_rate, all(checks.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=300)
    parser.add_argument("--info-requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for module, package in (
        ("gunicorn", "gunicorn"),
        ("django_redis", "django-redis"),
        ("django_tasks_db", "django-tasks-db"),
    ):
        try:
            __import__(module)
        except ImportError:
            raise SystemExit(f"{package} is needed: pip install {package}") from None

    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="selvhjelp-scaleout-"))
    postgres, redis = OwnPostgres(), OwnRedis(scratch)
    failed = True
    try:
        template_url = postgres.start()
        redis.url = redis.start()
        with admin_connection(template_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        print(
            f"PostgreSQL {version.split()[0]}, Redis {redis.version()}; Python "
            f"{sys.version.split()[0]}; {os.cpu_count()} CPUs; "
            f"{args.info_requests} info-page GETs and {args.registrations} "
            f"registrations per round at concurrency {args.concurrency}",
            flush=True,
        )
        # Production's static files have hashed names: collect them once.
        os.environ["STATIC_ROOT"] = str(scratch / "static")
        manage(django_env(template_url), "collectstatic", "--noinput", "-v", "0")
        _page_id, form_path = build_template(template_url)
        # The worker's tables, in the template every round copies.
        manage(django_env(template_url, tasks="database"), "migrate", "-v", "0")
        paths = {"form": form_path, "info": info_page_path(django_env(template_url))}
        print(f"form at {paths['form']}, info page at {paths['info']}", flush=True)
        rates, oks = [], []
        for key, processes in (("one", 1), ("two", 2)):
            result = run_round(
                args, key, processes, template_url, redis, scratch, paths
            )
            info_rate, form_rate, ok = report(args, result)
            rates.append((info_rate, form_rate))
            oks.append(ok)
        (info_one, form_one), (info_two, form_two) = rates
        print(
            f"\nratio two/one: info page {info_two / info_one:.2f}x, "
            f"registration {form_two / form_one:.2f}x"
        )
        failed = not all(oks)
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"{'FAIL' if failed else 'PASS'}; total time {time.monotonic() - started:.0f} s"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
