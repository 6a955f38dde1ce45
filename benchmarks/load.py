"""Load test of the public registration form under gunicorn on PostgreSQL.

Builds the example site's demo content (``example_site/home/demo.py``, what
``manage.py selvhjelp_demo`` loads) in a fresh PostgreSQL database, then
serves the example site with gunicorn (sync workers, on 127.0.0.1) under
``benchmarks/load_site``'s settings: the example site's ``production``
settings with DEBUG off, e-mail kept in memory, the e-mail task runs in
the request (django-tasks' ImmediateBackend), no second factor, no minimum
fill time, and ``CLIENT_IP_META = "HTTP_X_FORWARDED_FOR"`` so that every
simulated citizen presents an address of its own.

A threaded client (``http.client``, one connection per request, as a sync
worker closes it anyway) registers people: each registration GETs the form,
takes the CSRF cookie, ``csrfmiddlewaretoken`` and the signed ``form_token``
and the place, time-slot and topic ids from the HTML, and POSTs valid
answers (names, e-mails, years, wishes and free texts vary), following no
redirect. It records every request's status and latency. Afterwards it
counts the ``Registration`` rows in the database against the 303 answers
(none lost, none stored unacknowledged), looks for an e-mail stored twice
(the one-time token's unique constraint already refuses a second row per
form) and for a registration stored without its choices, and scans the
servers' logs for tracebacks.

Scenarios (each in a fresh copy of the demo database):

1. one gunicorn (``--workers``, default 2), PostgreSQL, Django's database
   cache (the rate limit counts in ``RateLimitCounter`` rows);
2. two gunicorn processes, the client alternating between them, sharing
   PostgreSQL and Redis (django-redis is the cache, so the rate limit counts
   in Redis with atomic ``INCR``); run once per ``--workers-per-process``
   value, default ``1,2``: one worker each (the same two workers as
   scenario 1, so the figures compare), then two each;
3. the rate limit under load: a limit of 10 per hour, 60 posts from one
   address released at once (after 60 GETs) at two gunicorn processes;
   exactly 10 must be stored and 50 refused with 429, once with the
   database cache and once with Redis.

It prints, per scenario, throughput (registrations and requests per second),
p50/p95/p99 latency of the form GET, the POST and the two together, the
responses by status, the worker time per request (workers x wall time /
requests: at concurrency 20 the rest of the latency is gunicorn's queue),
rows stored against 303s, and a table with pass/fail: 0 lost, 0 duplicated,
0 5xx, no traceback in the servers' logs (and, for 3, exactly the limit
stored). The exit status is 1 when anything failed.

Requirements beyond the package's own (not in setup.cfg): gunicorn and
django-redis in the virtualenv, Debian's PostgreSQL and Redis servers::

    .venv/bin/pip install gunicorn django-redis
    apt-get install -y postgresql redis-server

Without ``--database-url`` the benchmark starts a PostgreSQL of its own
(``initdb`` into a temporary directory, as the ``postgres`` user when run as
root, on a free port of 127.0.0.1) and stops and deletes it at the end. With
``--database-url`` it uses that server: the database named there (default
``selvhjelp_bench_load``) holds the demo and is the template of one database
per scenario (``<name>_s1``...); all of them are dropped first if they exist
and at the end. Redis (for scenarios 2 and 3) is always started by the
benchmark on a free port, without persistence, and stopped after.

    python benchmarks/load.py                       # all scenarios: ~6 min
    python benchmarks/load.py --scenario 1 --registrations 500
    python benchmarks/load.py --scenario 3          # the rate limit only
    python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:54330/bench_load
"""

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit


ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULE = "benchmarks.load_site.settings"
DEFAULT_NAME = "selvhjelp_bench_load"
EMAIL_DOMAIN = "load.example"
RATE_LIMIT = 10
BURST = 60

FIRST_NAMES = [
    "Kari", "Ola", "Ingrid", "Per", "Sigrid", "Lars", "Nora", "Jonas", "Åse",
    "Øystein", "Marit", "Håkon", "Liv", "Bjørn", "Solveig", "Even", "Ragnhild",
]  # fmt: skip
SURNAMES = ["Last", "Prøve", "Belastning", "Test", "Måling", "Fiktiv", "Demo"]
MESSAGES = [
    "",
    "",
    "",
    "Jeg jobber turnus, så kvelder passer best.",
    "Trinnfri adkomst, takk.",
    "Har vært med i en gruppe før – det hjalp.",
]


# Processes: PostgreSQL, Redis, gunicorn


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds} s")


class OwnPostgres:
    """A PostgreSQL server in a temporary directory, as ``.ci/run`` starts one."""

    def __init__(self):
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        )
        if not candidates:
            raise SystemExit(
                "No PostgreSQL binaries under /usr/lib/postgresql: "
                "apt-get install -y postgresql, or pass --database-url."
            )
        self.bin = candidates[-1]
        self.version = self.bin.parent.name
        self.dir = Path(tempfile.mkdtemp(prefix="selvhjelp-load-pg-"))
        self.port = free_port()
        self.run_as = []
        if os.getuid() == 0:
            # PostgreSQL refuses to run as root: the Debian package's account.
            import pwd

            try:
                pwd.getpwnam("postgres")
            except KeyError:  # as .ci/run: the account the package would create
                subprocess.run(  # noqa: S603
                    ["useradd", "--system", "--home-dir", str(self.dir), "postgres"],  # noqa: S607
                    check=True,
                )
            shutil.chown(self.dir, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.started = False

    def start(self):
        data = self.dir / "data"
        result = subprocess.run(  # noqa: S603 - Debian's binaries, our arguments
            [*self.run_as, str(self.bin / "initdb"), "-D", str(data), "-U",
             "postgres", "-A", "trust", "-E", "UTF8"],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise SystemExit(f"initdb failed: {result.stderr[-2000:]}")
        subprocess.run(  # noqa: S603
            [*self.run_as, str(self.bin / "pg_ctl"), "-D", str(data), "-l",
             str(self.dir / "log"), "-w", "-o",
             f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F -c max_connections=200",
             "start"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.started = True
        return f"postgres://postgres@127.0.0.1:{self.port}/{DEFAULT_NAME}"

    def stop(self):
        if self.started:
            subprocess.run(  # noqa: S603
                [*self.run_as, str(self.bin / "pg_ctl"), "-D",
                 str(self.dir / "data"), "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnRedis:
    """redis-server on a free port of 127.0.0.1, without persistence."""

    def __init__(self, scratch):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = scratch
        self.process = None

    def start(self):
        if self.binary is None:
            raise SystemExit(
                "redis-server is not installed: apt-get install -y redis-server"
            )
        self.process = subprocess.Popen(  # noqa: S603
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, 20, "redis-server")
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self):
        import redis

        redis.Redis(host="127.0.0.1", port=self.port).flushall()

    def version(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port).info()["redis_version"]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Gunicorn:
    def __init__(self, env, workers, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(  # noqa: S603 - our interpreter and arguments
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
             "--chdir", str(ROOT), "benchmarks.load_site.wsgi:application"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait(self, path):
        wait_for_port(self.port, self.process, 60, "gunicorn")
        # Every worker imports Django and renders the page once before timing.
        for _ in range(8):
            http_request(self.port, "GET", path)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def tracebacks(self):
        text = Path(self.log_path).read_text(errors="replace")
        return text.count("Traceback (most recent call last)"), text


# Databases


def admin_connection(url):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def with_name(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url):
    return urlsplit(url).path.lstrip("/") or DEFAULT_NAME


def drop_database(url, name):
    with admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(url, name, template=None):
    drop_database(url, name)
    with admin_connection(url) as connection:
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{suffix}')


def django_env(
    database_url, *, cache="db", redis_url="", rate_limit=None, tasks="immediate"
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "LOAD_CACHE": cache,
        "LOAD_REDIS_URL": redis_url,
        "TASKS_BACKEND": tasks,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("LOAD_RATE_LIMIT", None)
    if rate_limit is not None:
        env["LOAD_RATE_LIMIT"] = str(rate_limit)
    return env


def manage(env, *args, capture=False):
    result = subprocess.run(  # noqa: S603 - our interpreter and arguments
        [sys.executable, str(ROOT / "example_site" / "manage.py"), *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
        raise SystemExit(f"manage.py {args[0]} failed ({result.returncode})")
    return result.stdout if capture else None


def build_template(url):
    """Migrate, create the cache table and load the demo; the form's URL."""
    create_database(url, database_name(url))
    env = django_env(url)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "createcachetable")
    manage(env, "selvhjelp_demo", "--verbosity", "0")
    out = manage(
        env,
        "shell",
        "-c",
        "from wagtail.models import Site; "
        "from wagtail_selvhjelp.models import GroupRegistrationPage as P; "
        "root = Site.objects.get(is_default_site=True).root_page; "
        "p = P.objects.live().descendant_of(root).get(); "
        "print('PAGE', p.pk, p.get_url_parts()[2])",
        capture=True,
    )
    line = next(line for line in out.splitlines() if line.startswith("PAGE "))
    _marker, page_id, path = line.split()
    return int(page_id), path


def count_rows(url, marker):
    """(stored, duplicate e-mails, without places or time slots) for a run."""
    import psycopg

    pattern = f"{marker}-%@{EMAIL_DOMAIN}"
    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port,
        user=parts.username or "postgres",
        dbname=database_name(url),
    ) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM wagtail_selvhjelp_registration WHERE email LIKE %s",
            [pattern],
        ).fetchone()[0]
        duplicates = connection.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n "
            "FROM wagtail_selvhjelp_registration WHERE email LIKE %s "
            "GROUP BY lower(email) HAVING count(*) > 1) AS d",
            [pattern],
        ).fetchone()[0]
        incomplete = connection.execute(
            "SELECT count(*) FROM wagtail_selvhjelp_registration r "
            "WHERE r.email LIKE %s AND (NOT EXISTS (SELECT 1 FROM "
            "wagtail_selvhjelp_registrationplacechoice c WHERE c.registration_id = r.id) "
            "OR NOT EXISTS (SELECT 1 FROM wagtail_selvhjelp_registrationtimeslotchoice t "
            "WHERE t.registration_id = r.id))",
            [pattern],
        ).fetchone()[0]
        counters = connection.execute(
            "SELECT coalesce(sum(count), 0) FROM wagtail_selvhjelp_ratelimitcounter"
        ).fetchone()[0]
    return stored, int(duplicates), incomplete, counters


# The client


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CHOICE = re.compile(r'<input type="(?:checkbox|radio)" name="(\w+)" value="([^"]*)"')
COOKIE = re.compile(r"csrftoken=([^;]+)")


def http_request(port, method, path, *, body=None, headers=None):
    """(status, headers, body, seconds) of one request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return (
            response.status,
            response.getheaders(),
            content,
            time.perf_counter() - start,
        )
    finally:
        connection.close()


def read_form(html, headers):
    """CSRF cookie and field, the form token, and the options by field name."""
    cookie = None
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("csrftoken="):
            cookie = COOKIE.match(value).group(1)
    csrf, token = CSRF_INPUT.search(html), FORM_TOKEN.search(html)
    if not (cookie and csrf and token):
        return None
    options = {}
    for name, value in CHOICE.findall(html):
        options.setdefault(name, []).append(value)
    return {
        "cookie": cookie,
        "csrf": csrf.group(1),
        "token": token.group(1),
        "options": options,
    }


def answers(number, marker, rng, options):
    """A valid registration's answers, varied from person to person."""
    places = options.get("places", [])
    slots = options.get("time_slots", [])
    topics = options.get("topics", [])
    kind = rng.choice(["any", "any", "themed", "mixed"])
    chosen_topics = rng.sample(topics, k=min(len(topics), rng.choice([0, 1, 1, 2])))
    if kind == "themed" and not chosen_topics and topics:
        chosen_topics = [rng.choice(topics)]
    data = [
        ("name", f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {number}"),
        ("email", f"{marker}-{number}@{EMAIL_DOMAIN}"),
        ("phone", f"+4799{number:06d}" if rng.random() < 0.4 else ""),
        ("birth_year", str(rng.randint(1945, 2005))),
        ("group_kind", kind),
        ("consent", "yes"),
        ("message", rng.choice(MESSAGES)),
        ("website", ""),
    ]
    data += [("places", p) for p in rng.sample(places, k=rng.choice([1, 1, 2]))]
    data += [("time_slots", s) for s in rng.sample(slots, k=rng.choice([1, 2]))]
    data += [("topics", t) for t in chosen_topics]
    if "gender" in options:
        gender = rng.choice(["", "woman", "man", "other"])
        data.append(("gender", gender))
        if gender in ("woman", "man") and rng.random() < 0.2:
            data.append(("single_gender", "on"))
    if rng.random() < 0.05:
        data.append(("avoid_text", f"{rng.choice(FIRST_NAMES)} Demo"))
    return data


def register(port, path, address, number, marker, rng, barrier=None):
    """GET the form, POST valid answers; a dict of what happened."""
    result = {"get": None, "post": None, "get_s": 0.0, "post_s": 0.0, "error": None}
    try:
        headers = {"X-Forwarded-For": address, "User-Agent": "selvhjelp-load"}
        status, response_headers, content, seconds = http_request(
            port, "GET", path, headers=headers
        )
        result["get"], result["get_s"] = status, seconds
        form = read_form(content.decode("utf-8", "replace"), response_headers)
        if status != 200 or form is None:
            result["error"] = f"GET {status} without a form"
            if barrier is not None:
                barrier.abort()
            return result
        data = [
            ("csrfmiddlewaretoken", form["csrf"]),
            ("form_token", form["token"]),
            *answers(number, marker, rng, form["options"]),
        ]
        post_headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={form['cookie']}",
        }
        if barrier is not None:
            barrier.wait(120)
        status, _headers, _content, seconds = http_request(
            port, "POST", path, body=urlencode(data), headers=post_headers
        )
        result["post"], result["post_s"] = status, seconds
    except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def run_clients(
    ports, path, count, concurrency, marker, seed, *, one_address=None, address_of=None
):
    """``count`` registrations by ``concurrency`` threads; results and seconds.

    With ``one_address`` every registration comes from that address and all
    POSTs are released at once, after every thread has its form. Otherwise
    registration ``number`` comes from ``address_of(number)``, by default
    an address of its own.
    """
    results = [None] * count
    next_number = iter(range(count))
    lock = threading.Lock()
    barrier = threading.Barrier(count) if one_address else None

    def worker(thread_number):
        rng = random.Random(seed * 1000 + thread_number)
        while True:
            with lock:
                number = next(next_number, None)
            if number is None:
                return
            address = one_address or (address_of or own_address)(number)
            results[number] = register(
                ports[number % len(ports)], path, address, number, marker, rng, barrier
            )

    threads = [
        threading.Thread(target=worker, args=(n,), daemon=True)
        for n in range(concurrency)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def own_address(number):
    """A client address of registration ``number``'s own."""
    return f"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


# Scenarios


def percentiles(values):
    if not values:
        return (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def summarise(results, seconds, workers):
    posts = [r for r in results if r["post"] is not None]
    statuses = {}
    for r in results:
        for kind in ("get", "post"):
            if r[kind] is not None:
                key = f"{kind.upper()} {r[kind]}"
                statuses[key] = statuses.get(key, 0) + 1
    errors = [r["error"] for r in results if r["error"]]
    successes = sum(1 for r in posts if r["post"] == 303)
    requests = sum((r["get"] is not None) + (r["post"] is not None) for r in results)
    return {
        "seconds": seconds,
        "worker_ms": workers * seconds * 1000 / max(1, requests),
        "successes": successes,
        "requests": requests,
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "server_errors": sum(
            1
            for r in results
            for kind in ("get", "post")
            if r[kind] is not None and r[kind] >= 500
        ),
        "get": percentiles([r["get_s"] for r in results if r["get"] is not None]),
        "post": percentiles([r["post_s"] for r in posts]),
        "both": percentiles([r["get_s"] + r["post_s"] for r in posts]),
    }


class Bench:
    def __init__(self, args, base_url, page_path, scratch, redis):
        self.args = args
        self.base_url = base_url
        self.page_path = page_path
        self.scratch = scratch
        self.redis = redis
        self.redis_url = ""
        self.databases = []
        self.rows = []
        self.failed = False

    def database(self, suffix):
        name = f"{database_name(self.base_url)}_{suffix}"
        create_database(self.base_url, name, template=database_name(self.base_url))
        self.databases.append(name)
        return with_name(self.base_url, name)

    def start_servers(self, label, env, processes, workers):
        servers = []
        try:
            for number in range(processes):
                servers.append(
                    Gunicorn(env, workers, self.scratch / f"{label}-{number}.log")
                )
            for server in servers:
                server.wait(self.page_path)
        except BaseException:
            for server in servers:
                server.stop()
            raise
        return servers

    def stop_servers(self, servers):
        tracebacks, first = 0, ""
        for server in servers:
            server.stop()
            count, text = server.tracebacks()
            tracebacks += count
            if count and not first:
                start = text.index("Traceback (most recent call last)")
                first = text[max(0, start - 400) : start + 4000]
        return tracebacks, first

    def throughput(self, key, label, cache, processes, workers):
        args = self.args
        url = self.database(key)
        if cache == "redis":
            self.redis.flush()
        env = django_env(url, cache=cache, redis_url=self.redis_url)
        print(
            f"\n[{key}] {label}: {processes} gunicorn x {workers} sync workers, "
            f"{cache} cache; {args.registrations} registrations at concurrency "
            f"{args.concurrency}",
            flush=True,
        )
        servers = self.start_servers(key, env, processes, workers)
        try:
            results, seconds = run_clients(
                [s.port for s in servers],
                self.page_path,
                args.registrations,
                args.concurrency,
                key,
                args.seed,
            )
        finally:
            tracebacks, first = self.stop_servers(servers)
        summary = summarise(results, seconds, processes * workers)
        stored, duplicates, incomplete, counters = count_rows(url, key)
        lost = max(0, summary["successes"] - stored)
        unacknowledged = max(0, stored - summary["successes"])
        ok = (
            lost == 0
            and unacknowledged == 0
            and duplicates == 0
            and incomplete == 0
            and summary["server_errors"] == 0
            and tracebacks == 0
            and not summary["errors"]
            and summary["successes"] == args.registrations
        )
        self.failed |= not ok
        self.print_details(summary, stored, tracebacks, first, counters, cache)
        self.rows.append(
            {
                "scenario": f"{key}: {label}",
                "servers": f"{processes}x{workers}",
                "summary": summary,
                "stored": stored,
                "lost": lost,
                "unacknowledged": unacknowledged,
                "duplicates": duplicates,
                "incomplete": incomplete,
                "ok": ok,
            }
        )

    def print_details(self, summary, stored, tracebacks, first, counters, cache):
        s = summary
        print(
            f"  {s['seconds']:.1f} s; {s['successes'] / s['seconds']:.1f} "
            f"registrations/s, {s['requests'] / s['seconds']:.1f} requests/s"
        )
        for kind in ("get", "post", "both"):
            p50, p95, p99 = (value * 1000 for value in s[kind])
            label = {"get": "form GET", "post": "POST", "both": "GET + POST"}[kind]
            print(
                f"  {label:<11} p50 {p50:7.0f} ms   p95 {p95:7.0f} ms   p99 {p99:7.0f} ms"
            )
        print(
            f"  worker time per request: about {s['worker_ms']:.0f} ms "
            "(workers x wall time / requests; the rest of the latency is the "
            "queue)"
        )
        print(f"  responses: {s['statuses']}")
        print(f"  rows stored: {stored}; 303 answers: {s['successes']}")
        if cache == "db":
            print(f"  rate-limit counters in the database: total {counters}")
        if s["errors"]:
            print(f"  client errors ({len(s['errors'])}), first: {s['errors'][0]}")
        if tracebacks:
            print(f"  TRACEBACKS in the servers' logs: {tracebacks}; the first:")
            print("    " + first.replace("\n", "\n    "))

    def rate_limit(self, key, label, cache):
        url = self.database(key)
        if cache == "redis":
            self.redis.flush()
        env = django_env(
            url, cache=cache, redis_url=self.redis_url, rate_limit=RATE_LIMIT
        )
        print(
            f"\n[{key}] {label}: limit {RATE_LIMIT}/hour, {BURST} posts from one "
            f"address at once; 2 gunicorn x 2 sync workers, {cache} cache",
            flush=True,
        )
        servers = self.start_servers(key, env, 2, 2)
        try:
            results, seconds = run_clients(
                [s.port for s in servers],
                self.page_path,
                BURST,
                BURST,
                key,
                self.args.seed,
                one_address="203.0.113.7",
            )
        finally:
            tracebacks, first = self.stop_servers(servers)
        summary = summarise(results, seconds, 4)
        stored, duplicates, incomplete, counters = count_rows(url, key)
        refused = summary["statuses"].get("POST 429", 0)
        ok = (
            stored == RATE_LIMIT
            and summary["successes"] == RATE_LIMIT
            and refused == BURST - RATE_LIMIT
            and duplicates == 0
            and incomplete == 0
            and summary["server_errors"] == 0
            and tracebacks == 0
            and not summary["errors"]
        )
        self.failed |= not ok
        self.print_details(summary, stored, tracebacks, first, counters, cache)
        print(f"  refused with 429: {refused} (expected {BURST - RATE_LIMIT})")
        self.rows.append(
            {
                "scenario": f"{key}: {label}",
                "servers": "2x2",
                "summary": summary,
                "stored": stored,
                "lost": max(0, summary["successes"] - stored),
                "unacknowledged": max(0, stored - summary["successes"]),
                "duplicates": duplicates,
                "incomplete": incomplete,
                "ok": ok,
                "expected": RATE_LIMIT,
            }
        )

    def table(self):
        print()
        header = (
            f"{'scenario':<38} {'procs':>5} {'reg/s':>6} {'req/s':>6} "
            f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'303':>5} {'stored':>6} "
            f"{'lost':>4} {'dup':>4} {'5xx':>4}  result"
        )
        print(header)
        print("-" * len(header))
        for row in self.rows:
            s = row["summary"]
            p50, p95, p99 = (value * 1000 for value in s["both"])
            stored = row["stored"]
            if "expected" in row:
                stored = f"{stored}/{row['expected']}"
            lost = row["lost"] + row["unacknowledged"] + row["incomplete"]
            rate = "-" if "expected" in row else f"{s['successes'] / s['seconds']:.1f}"
            print(
                f"{row['scenario']:<38} {row['servers']:>5} {rate:>6} "
                f"{s['requests'] / s['seconds']:>6.1f} {p50:>7.0f} {p95:>7.0f} "
                f"{p99:>7.0f} {s['successes']:>5} {stored!s:>6} {lost:>4} "
                f"{row['duplicates']:>4} {s['server_errors']:>4}  "
                f"{'PASS' if row['ok'] else 'FAIL'}"
            )
        print(
            "(procs: gunicorn processes x sync workers; latency: one "
            "registration, its form GET plus its POST; lost: 303s without a "
            "row, rows without a 303, rows without their choices)"
        )

    def cleanup(self):
        for name in self.databases:
            try:
                drop_database(self.base_url, name)
            except Exception as error:
                print(f"could not drop {name}: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--scenario",
        default="1,2,3",
        help="comma-separated: 1 (one gunicorn, database cache), 2 (two "
        "gunicorns, Redis), 3 (the rate limit, both caches); default all",
    )
    parser.add_argument("--workers", type=int, default=2, help="scenario 1")
    parser.add_argument(
        "--workers-per-process",
        default="1,2",
        help="scenario 2, once per value (default 1,2: the same two workers "
        "as scenario 1, then two each)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to use (the database named is created and "
        "dropped); default: start a PostgreSQL of our own",
    )
    args = parser.parse_args()
    scenarios = {part.strip() for part in args.scenario.split(",") if part.strip()}
    if not scenarios <= {"1", "2", "3"}:
        parser.error("--scenario takes 1, 2 and 3")
    try:
        per_process = [int(n) for n in args.workers_per_process.split(",") if n]
    except ValueError:
        parser.error("--workers-per-process takes numbers, comma-separated")
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        raise SystemExit("gunicorn is needed: .venv/bin/pip install gunicorn") from None
    if scenarios & {"2", "3"}:
        try:
            import django_redis  # noqa: F401
        except ImportError:
            raise SystemExit(
                "django-redis is needed: .venv/bin/pip install django-redis"
            ) from None

    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="selvhjelp-load-"))
    postgres = None
    redis = OwnRedis(scratch) if scenarios & {"2", "3"} else None
    bench = None
    try:
        if args.database_url:
            base_url = args.database_url
            where = "given server"
        else:
            postgres = OwnPostgres()
            base_url = postgres.start()
            where = f"own server, port {postgres.port}"
        with admin_connection(base_url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        redis_text = ""
        if redis is not None:
            redis_url = redis.start()
            redis_text = f"; Redis {redis.version()} on port {redis.port}"
        print(
            f"PostgreSQL {version.split()[0]} ({where}){redis_text}; Python "
            f"{sys.version.split()[0]}; {os.cpu_count()} CPUs",
            flush=True,
        )
        build_start = time.monotonic()
        page_id, page_path = build_template(base_url)
        print(
            f"demo built in {time.monotonic() - build_start:.0f} s; form at "
            f"{page_path} (page {page_id})",
            flush=True,
        )
        bench = Bench(args, base_url, page_path, scratch, redis)
        if redis is not None:
            bench.redis_url = redis_url
        if "1" in scenarios:
            bench.throughput("s1", "1 gunicorn, PostgreSQL", "db", 1, args.workers)
        if "2" in scenarios:
            for workers in per_process:
                bench.throughput(
                    f"s2x{workers}",
                    "2 gunicorns, PostgreSQL + Redis",
                    "redis",
                    2,
                    workers,
                )
        if "3" in scenarios:
            bench.rate_limit("s3db", "rate limit, database cache", "db")
            bench.rate_limit("s3redis", "rate limit, Redis", "redis")
        bench.table()
    finally:
        if bench is not None:
            bench.cleanup()
        if args.database_url:
            try:
                drop_database(args.database_url, database_name(args.database_url))
            except Exception as error:
                print(f"could not drop the template database: {error}")
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    failed = bench is None or bench.failed
    print(
        f"\n{'FAIL' if failed else 'PASS'}; total time {time.monotonic() - started:.0f} s"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
