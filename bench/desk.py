"""Benchmark of the service desk (issue 5, Speed). Not a test.

Builds a throw-away PostgreSQL database ``spbe_bench`` with the demo Pemda
and N generated tickets (default 1,000,000; a tenth of them open, with their
clocks), starts gunicorn on it, and measures over HTTP:

* the agent queue's first page and a filtered page: p50 / p95;
* creating a complaint through the API (priority, clocks, timeline and
  outbox in one transaction): p50 / p95, then the throughput with 8
  concurrent clients;
* for scale, the rate of the cheapest signed-in API call with 8 clients.

    .venv/bin/python bench/desk.py                  # 1,000,000 tickets
    .venv/bin/python bench/desk.py --tickets 100000

It prints figures and never fails for being slow. bench/helpdesk.py measures
django-helpdesk the same way and, with ``--compare``, calls ``measure()`` below
to print both side by side.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from common import Client, concurrently, figures

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_URL = "postgres://postgres@127.0.0.1:5432/spbe_bench"
PORT = 8765


def sh(*args: str, env: dict | None = None) -> None:
    subprocess.run(args, cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def psql(sql: str, url: str = DB_URL) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def build(tickets: int, env: dict) -> None:
    create(env)
    generate_tickets(tickets)


def create(env: dict) -> None:
    """A fresh database at ``env["DATABASE_URL"]`` with the schema and the demo Pemda."""
    name = env["DATABASE_URL"].rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {name}", PG_ADMIN)
    psql(f"CREATE DATABASE {name}", PG_ADMIN)
    py = str(ROOT / ".venv" / "bin" / "python")
    sh(py, "manage.py", "migrate", "-v0", env=env)
    sh(py, "manage.py", "seed_demo", env=env)


def generate_tickets(tickets: int, url: str = DB_URL, days: int = 730, services: str = "catalog_service") -> None:
    """``tickets`` complaints spread over the last ``days`` days, 10 % still open (with their clocks), given in
    turn to the rows (id, pd_id) of the table ``services``; bench/evaluation.py passes its own."""
    started = time.perf_counter()
    # Tickets copy the shape of the demo ones: random services of the Pemda,
    # spread over the last `days` days (two years by default), 10 % still open.
    psql(f"""
        INSERT INTO desk_ticket (number, kind, pemda_id, pd_id, service_id, policy_version_id, reporter_name,
            reporter_email, reporter_phone, reporting_method, lapor_tracking_id, reported_at, recorded_at, category,
            subject, description, impact, priority, priority_reason, cause, analysis, solution, escalation_level,
            status, progress_channel, suggestion, drp_assessment, created, last_updated)
        SELECT 'BENCH-' || g, 'complaint', p.id, s.pd_id, s.id, p.policy_version_id, 'Pelapor ' || g, '', '',
            'portal', '', now() - (g % {days}) * interval '1 day' - (g % 1440) * interval '1 minute', now(), '',
            'Gangguan nomor ' || g, 'Uraian gangguan ' || g, CASE WHEN g % 3 = 0 THEN 'mayor' ELSE 'minor' END,
            1 + g % 6, '', '', '', '', 0,
            CASE WHEN g % 10 = 0 THEN 'in_progress' ELSE 'closed' END, '', '', false, now(), now()
        FROM generate_series(1, {tickets}) AS g
        JOIN LATERAL (SELECT id, pd_id FROM {services} ORDER BY id OFFSET (g % (SELECT count(*) FROM {services}))
                      LIMIT 1) s ON true
        JOIN org_perangkatdaerah d ON d.id = s.pd_id
        JOIN org_pemda p ON p.id = d.pemda_id;
    """, url)  # fmt: skip
    psql("""
        INSERT INTO clocks_clock (pemda_id, kind, policy_version_id, calendar, target, started_at, due_at, state,
            pauses, warning_thresholds, warnings_fired, next_check_at, owner_type_id, owner_id, created, last_updated)
        SELECT t.pemda_id, 'user_service', t.policy_version_id, 'working_hours', interval '24 hours', t.reported_at,
            t.reported_at + interval '3 days', 'running', '[]', '[75, 90]', '[]', t.reported_at + interval '2 days',
            (SELECT id FROM django_content_type WHERE app_label = 'desk' AND model = 'ticket'), t.id, now(), now()
        FROM desk_ticket t WHERE t.status = 'in_progress';
        UPDATE desk_ticket SET next_due = reported_at + interval '3 days' WHERE status = 'in_progress';
    """, url)  # fmt: skip
    psql("VACUUM ANALYZE", url)  # its own statement: VACUUM cannot run in the transaction of the lines above
    print(f"generated {tickets:,} tickets (+ clocks of the open ones) in {time.perf_counter() - started:.0f} s")


def measure(tickets: int, reuse: bool) -> dict:
    """Build the database (unless ``reuse``), serve it with gunicorn, print the figures and return them.

    The figures: ``queue`` and ``filtered`` (p50, p95 of a page), ``create_1`` and ``create_8`` (p50, p95 of an API
    create, 1 client then 8 concurrent ones), ``throughput`` (creates/s with 8 clients); times in seconds. The
    server is stopped before this returns.
    """
    env = {"DATABASE_URL": DB_URL, "SPBE_VAR_DIR": str(ROOT / "var" / "bench"), "LOG_LEVEL": "WARNING",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14", "DATABASE_CONN_MAX_AGE": "60"}  # fmt: skip
    if not reuse:
        build(tickets, env)
    sh(str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "spbe.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2",
         "--threads", "4", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    result = {}
    try:
        time.sleep(4)
        base = f"http://127.0.0.1:{PORT}"
        client = Client(base, "kominfo@tegalkab.demo", "SPBE-demo-2026")
        for _ in range(3):
            client.get("/layanan-pengguna/")  # warm-up
        print(f"\nDesk benchmark on PostgreSQL ({tickets:,} generated tickets), gunicorn 2×4, over HTTP")
        result["queue"] = figures("queue, first page", [client.get("/layanan-pengguna/") for _ in range(40)])
        result["filtered"] = figures(
            "queue, filtered (open, P1, search)",
            [client.get("/layanan-pengguna/?status=open&priority=1&q=gangguan") for _ in range(40)],
        )
        services = subprocess.run(
            ["psql", DB_URL, "-tAc",
             "SELECT s.id FROM catalog_service s JOIN org_perangkatdaerah d ON d.id = s.pd_id "
             "JOIN org_pemda p ON p.id = d.pemda_id "
             "WHERE p.slug = 'kabupaten-tegal' AND s.lifecycle = 'active' LIMIT 1"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        payload = {"kind": "complaint", "service": int(services[0]), "impact": "mayor",
                   "reporting_method": "email", "reporter_name": "Bench", "reporter_email": "", "subject": "Uji",
                   "description": "Uji beban"}  # fmt: skip
        result["create_1"] = figures(
            "API create complaint, 1 client", [client.post_json("/api/v1/tickets/", payload) for _ in range(60)]
        )
        clients = [Client(base, "kominfo@tegalkab.demo", "SPBE-demo-2026") for _ in range(8)]
        samples, result["throughput"] = concurrently(clients, lambda c: c.post_json("/api/v1/tickets/", payload), 240)
        result["create_8"] = figures("API create complaint, 8 concurrent clients", samples)
        print(f"  throughput with 8 clients: {result['throughput']:.1f} complaints/s")
        result["floor"] = concurrently(clients, lambda c: c.get("/api/v1/me/"), 800)[1]
        # For scale: what this machine serves through the session, the middleware and DRF before any ticket work,
        # and so a ceiling for any create rate measured here.
        print(f"  for scale, the cheapest signed-in API call (GET /api/v1/me/), 8 clients: {result['floor']:.0f} req/s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    args = parser.parse_args()
    measure(args.tickets, args.reuse)


if __name__ == "__main__":
    sys.exit(main())
