"""The desk benchmark of bench/desk.py, run against django-helpdesk (issue 5, Speed). Not a test.

Installs django-helpdesk from PyPI into its own virtualenv (var/bench/helpdesk-venv, the exact versions of
bench/helpdesk-requirements.txt; reused once installed), writes a minimal Django project for it into
var/bench/helpdesk-project (the settings the issue lists: INSTALLED_APPS + django.contrib.sites,
django.contrib.humanize, rest_framework, helpdesk; SITE_ID = 1; HELPDESK_TEAMS_MODE_ENABLED = False; a dummy e-mail
backend; loaddata emailtemplate.json), builds the throw-away PostgreSQL database ``helpdesk_bench`` with one queue
and N generated tickets of the same shape as bench/desk.py's (spread over two years, a tenth of them open), starts
gunicorn on it with bench/desk.py's options (2 workers × 4 threads, port 8766) and measures over HTTP, with
bench/desk.py's sample counts:

* the staff ticket list's first page as a browser shows it: django-helpdesk's list page is an HTML shell whose
  25 rows come from a DataTables JSON request, so a sample is the HTML page plus that JSON request;
* the same list filtered (open, priority 1, search text "gangguan") through the list's own query parameters;
* creating a ticket through django-helpdesk's REST API (POST /helpdesk/api/tickets/, JSON): 1 client p50 / p95,
  then 240 creates from 8 concurrent clients.

    .venv/bin/python bench/helpdesk.py --tickets 1000000 --compare   # both, one after the other, with ratios
    .venv/bin/python bench/helpdesk.py --tickets 100000               # django-helpdesk alone
    .venv/bin/python bench/helpdesk.py --tickets 100000 --reuse       # keep the database(s) of a previous run

With ``--compare`` it then runs bench/desk.py's ``measure()`` on the same ticket count (the two servers never run
at the same time) and prints a table of ratios: django-helpdesk / Layanan SPBE for latencies, Layanan SPBE /
django-helpdesk for the throughput, so a ratio above 1 means Layanan SPBE is faster. The issue's target is at least
10× on the queue's first page and on the throughput. Like bench/desk.py it prints figures and never fails for being
slow. The databases are left in place for ``--reuse``; drop them with ``DROP DATABASE helpdesk_bench`` (and
``spbe_bench``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from common import Client, concurrently, figures

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "bench" / "helpdesk-requirements.txt"
VENV = ROOT / "var" / "bench" / "helpdesk-venv"
PROJECT = ROOT / "var" / "bench" / "helpdesk-project"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "helpdesk_bench"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PORT = 8766
USERNAME = "agen"
PASSWORD = "helpdesk-bench-2026"  # of a throw-away local account
QUEUE_SLUG = "layanan"

SETTINGS = f'''"""Settings of the throw-away django-helpdesk project of bench/helpdesk.py (generated; do not edit)."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        }},
    }},
]

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "{DB_NAME}",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,  # as Layanan SPBE's DATABASE_CONN_MAX_AGE in bench/desk.py
    }}
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"  # static files are never requested: only HTML and JSON are timed
STATIC_ROOT = BASE_DIR / "static"
MEDIA_ROOT = BASE_DIR / "media"

LOGIN_URL = "/helpdesk/login/"
LOGIN_REDIRECT_URL = "/helpdesk/tickets/"

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@bench.invalid"

HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_API_ENABLED = True  # the REST API that creates tickets (called HELPDESK_ACTIVATE_API_ENDPOINT before 1.0)
'''

URLS = """from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls")),
]
"""

WSGI = """import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
"""

MANAGE = """import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def psql(sql: str, url: str = DB_URL) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def psql_value(sql: str) -> str:
    return subprocess.run(["psql", DB_URL, "-tAc", sql], capture_output=True, text=True, check=True).stdout.strip()


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run(
        [str(VENV / "bin" / "python"), "manage.py", *args], cwd=PROJECT, check=True, env={**os.environ, **(env or {})}
    )


def install() -> None:
    """Create the virtualenv and install the pinned requirements, unless that is already done."""
    marker = VENV / "installed-requirements.txt"
    wanted = REQUIREMENTS.read_text()
    if marker.exists() and marker.read_text() == wanted:
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run(["python3.11", "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        check=True,
    )
    marker.write_text(wanted)


def write_project() -> None:
    PROJECT.mkdir(parents=True, exist_ok=True)
    for name, text in {"settings.py": SETTINGS, "urls.py": URLS, "wsgi.py": WSGI, "manage.py": MANAGE}.items():
        (PROJECT / name).write_text(text)


def build(tickets: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}", PG_ADMIN)
    psql(f"CREATE DATABASE {DB_NAME}", PG_ADMIN)
    manage("migrate", "-v0")
    manage("loaddata", "-v0", "emailtemplate.json")
    manage("createsuperuser", "--noinput", "-v0", "--username", USERNAME, "--email", "agen@bench.invalid",
           env={"DJANGO_SUPERUSER_PASSWORD": PASSWORD})  # fmt: skip
    queue = f"from helpdesk.models import Queue; Queue.objects.create(title='Layanan', slug='{QUEUE_SLUG}')"
    manage("shell", "-v0", "-c", queue)
    started = time.perf_counter()
    # The shape of bench/desk.py's tickets: spread over two years, 10 % open (the rest closed), the same title and
    # description, and priorities chosen so that "open and priority 1" selects the same 1/30 of the tickets
    # (django-helpdesk's priorities run 1-5, Layanan SPBE's 1-6). Open ones are due three days after they came in, as
    # the clocks of bench/desk.py's open tickets are. No follow-ups, as bench/desk.py writes no timeline entries.
    psql(f"""
        INSERT INTO helpdesk_ticket (title, queue_id, created, modified, submitter_email, assigned_to_id, status,
            on_hold, description, resolution, priority, due_date, last_escalation, secret_key, kbitem_id, merged_to_id)
        SELECT 'Gangguan nomor ' || g, q.id, t.created, now(), 'pelapor' || g || '@bench.invalid', NULL,
            CASE WHEN g % 10 = 0 THEN 1 ELSE 4 END, false, 'Uraian gangguan ' || g, NULL, LEAST(1 + g % 6, 5),
            CASE WHEN g % 10 = 0 THEN t.created + interval '3 days' END, NULL, gen_random_uuid()::text, NULL, NULL
        FROM generate_series(1, {tickets}) AS g
        CROSS JOIN (SELECT id FROM helpdesk_queue WHERE slug = '{QUEUE_SLUG}') q
        CROSS JOIN LATERAL (SELECT now() - (g % 730) * interval '1 day' - (g % 1440) * interval '1 minute') t(created);
    """)
    psql("VACUUM ANALYZE")  # its own statement: VACUUM cannot run in a transaction
    print(f"generated {tickets:,} django-helpdesk tickets in {time.perf_counter() - started:.0f} s")


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                response.read()
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


DATATABLES_URL = re.compile(rb'"url": "(/helpdesk/datatables_ticket_list/[^"]+)"')
# What the page's DataTables asks for the first page (of its parameters the server reads these and `order`).
DATATABLES_FIRST_PAGE = urllib.parse.urlencode({"draw": 1, "start": 0, "length": 25, "search[value]": "",
                                                "search[regex]": "false"})  # fmt: skip


def list_page(client: Client, path: str) -> float:
    """The ticket list as a browser loads it: the HTML page, then the DataTables request for its first 25 rows.

    The HTML names the JSON URL (the list's query, base64-encoded); DataTables adds its paging parameters. Without
    an ``order`` parameter the server sorts as the list's query says (by creation date), as the page's
    ``order: []`` asks.
    """
    html_seconds, html = client.fetch(path)
    json_path = DATATABLES_URL.search(html).group(1).decode()
    json_seconds, body = client.fetch(f"{json_path}?{DATATABLES_FIRST_PAGE}")
    if not body.startswith(b'{"data": [{'):
        raise RuntimeError(f"unexpected DataTables answer for {path}: {body[:200]!r}")
    return html_seconds + json_seconds


def measure(tickets: int, reuse: bool) -> dict:
    """Install, build (unless ``reuse``), serve, print the figures and return them (bench/desk.py's keys)."""
    install()
    write_project()
    if not reuse:
        build(tickets)
    server = subprocess.Popen(
        [str(VENV / "bin" / "gunicorn"), "wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--threads", "4",
         "--log-level", "warning"],
        cwd=PROJECT,
    )  # fmt: skip
    result = {}
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_until_up(f"{base}/helpdesk/login/")
        client = Client(base, USERNAME, PASSWORD, login_path="/helpdesk/login/")
        for _ in range(3):
            list_page(client, "/helpdesk/tickets/")  # warm-up
        print(f"\ndjango-helpdesk benchmark on PostgreSQL ({tickets:,} generated tickets), gunicorn 2×4, over HTTP")
        result["queue"] = figures(
            "ticket list, first page (HTML + JSON)", [list_page(client, "/helpdesk/tickets/") for _ in range(40)]
        )
        # Open is django-helpdesk's Open (1) and Reopened (2), as its list's default filter has it.
        filtered = "/helpdesk/tickets/?status=1&status=2&priority=1&q=gangguan"
        result["filtered"] = figures(
            "ticket list, filtered (open, P1, search)", [list_page(client, filtered) for _ in range(40)]
        )
        queue = int(psql_value(f"SELECT id FROM helpdesk_queue WHERE slug = '{QUEUE_SLUG}'"))
        # bench/desk.py's complaint: a subject, a description and no reporter e-mail; django-helpdesk asks for the
        # priority that Layanan SPBE derives from the impact.
        payload = {"queue": queue, "title": "Uji", "description": "Uji beban", "submitter_email": "", "priority": 3}
        result["create_1"] = figures(
            "API create ticket, 1 client", [client.post_json("/helpdesk/api/tickets/", payload) for _ in range(60)]
        )
        clients = [Client(base, USERNAME, PASSWORD, login_path="/helpdesk/login/") for _ in range(8)]
        samples, result["throughput"] = concurrently(
            clients, lambda c: c.post_json("/helpdesk/api/tickets/", payload), 240
        )
        result["create_8"] = figures("API create ticket, 8 concurrent clients", samples)
        print(f"  throughput with 8 clients: {result['throughput']:.1f} tickets/s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    return result


def compare(spbe: dict, helpdesk: dict, tickets: int) -> None:
    print(f"\nSide by side ({tickets:,} tickets each, PostgreSQL, gunicorn 2×4, over HTTP)")
    print(f"  {'metric':<40} {'Layanan SPBE':>14} {'django-helpdesk':>16} {'ratio':>9}")
    rows = [("queue, first page", "queue"), ("queue, filtered (open, P1, search)", "filtered"),
            ("API create, 1 client", "create_1"), ("API create, 8 concurrent clients", "create_8")]  # fmt: skip
    for label, key in rows:
        for i, name in enumerate(("p50", "p95")):
            ours, theirs = spbe[key][i], helpdesk[key][i]
            print(f"  {label + ' ' + name:<40} {ours * 1000:11.1f} ms {theirs * 1000:13.1f} ms {theirs / ours:8.1f}×")
    ours, theirs = spbe["throughput"], helpdesk["throughput"]
    print(f"  {'creates/s with 8 clients':<40} {ours:12.1f}/s {theirs:14.1f}/s {ours / theirs:8.1f}×")
    print("  ratio: django-helpdesk / Layanan SPBE for latencies, Layanan SPBE / django-helpdesk for throughput")
    print("  (target of the issue: at least 10× on the queue's first page and on the throughput)")
    print(f"  10× django-helpdesk's creates would be {10 * theirs:.0f}/s; this machine serves the cheapest signed-in")
    print(f"  API call of Layanan SPBE (GET /api/v1/me/, no ticket work) at {spbe['floor']:.0f}/s with 8 clients")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database(s) of a previous run")
    parser.add_argument("--compare", action="store_true", help="also run bench/desk.py and print the ratios")
    args = parser.parse_args()
    helpdesk = measure(args.tickets, args.reuse)
    if args.compare:
        import desk  # bench/desk.py, next to this file; imported only when needed

        compare(desk.measure(args.tickets, args.reuse), helpdesk, args.tickets)


if __name__ == "__main__":
    sys.exit(main())
