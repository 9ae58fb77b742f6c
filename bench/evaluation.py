"""Benchmark of the evaluation (issue 13, Speed). Not a test.

Builds a throw-away PostgreSQL database ``spbe_bench_eval`` (migrate and
seed_demo through bench/desk.py's ``create``) and gives Kota Yogyakarta a
realistic year:

* four active services in each of its twelve PDs (the demo's own plus
  copies of them), three SLA documents (vendor contracts) on six services;
* N tickets (default 1,000,000) from bench/desk.py's ``generate_tickets``,
  spread over the last 365 days across every active service of both demo
  Pemda (about nine in ten land in Kota Yogyakarta), then given their
  shape in one UPDATE: a third requests, an open backlog of the last two
  weeks (and a stale tail), responses, resolutions, confirmations,
  satisfaction ratings on ~45 % of the closed ones, escalations, E-3
  urgency on the SLA documents' tickets;
* their clocks (P-3 response, P-1 user service, E-3 response and
  resolution; met, breached, running; ~2 per ticket), recurring problems;
* a year of monitoring: bench/probes.py's ``add_checks`` HTTP checks
  spread over five in six services, 30 days of raw results (the retention),
  hourly and daily rollups for the year, outages and hourly utilisation
  from spbe/monitoring/demo.py's generators, a maintenance window a month
  per PD;
* DRPs for most kritis services, monthly drills and quarterly activations,
  a change plan a month and a release a week.

Then it measures, in this process (Django on that database, CONN_MAX_AGE 60,
the URL resolver built first as in a running server; PostgreSQL's settings
as they are, printed with the machine's load average):

1. ``spbe.evaluation.figures.compute`` of the Pemda for the year (target
   < 10 s), and the same aggregates as hand-written SQL in the same run
   (target: compute within 3× of it); a breakdown by chapter and the
   slowest statements;
2. ``compute`` of one PD (Disdukcapil) for a semester (target < 2 s);
3. ``spbe.evaluation.maturity.assess`` of the Pemda (target < 1 s);
4. the dashboard ``evaluation:dashboard`` with Django's test Client,
   signed in as the Koordinator SPBE and as the Pimpinan PD of
   Disdukcapil: p50 / p95 of 50 requests each (target p95 < 200 ms);
   "dashboard: not built yet" while the URL does not resolve.

    .venv/bin/python bench/evaluation.py                     # 1,000,000 tickets
    .venv/bin/python bench/evaluation.py --tickets 5000      # a smoke run
    .venv/bin/python bench/evaluation.py --keep              # keep spbe_bench_eval …
    .venv/bin/python bench/evaluation.py --reuse --explain   # … measure it again, with query plans

``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the slowest statements
of each figure. It prints figures and never fails for being slow; it drops
the database when done unless ``--keep``.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import desk
import probes
from common import percentiles

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "spbe_bench_eval"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
ENV = {"DATABASE_URL": DB_URL, "SPBE_VAR_DIR": str(ROOT / "var" / "bench"), "LOG_LEVEL": "WARNING",
       "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14", "DATABASE_CONN_MAX_AGE": "60",
       "DJANGO_SETTINGS_MODULE": "spbe.settings"}  # fmt: skip
PEMDA = "kota-yogyakarta"
PD = "Disdukcapil"  # the PD whose semester report is timed
KOORDINATOR = "kominfo@jogjakota.demo"
PIMPINAN = "kadis.dukcapil@jogjakota.demo"
BACKEND = "spbe.org.backends.AccountBackend"
SERVICE_TABLE = "bench_eval_service"  # (id, pd_id, sla_document_id) of the services tickets go to
SERVICES_PER_PD = 4
DAYS = 365
SEMESTER_DAYS = 182
REPEAT = 3
DASHBOARD_REQUESTS = 50
TARGETS = {"pemda": 10.0, "ratio": 3.0, "pd": 2.0, "maturity": 1.0, "dashboard": 0.2}
SEED = 20260320


def psql(sql: str) -> None:
    desk.psql(sql, DB_URL)


def roll(column: str, seed: int, n: int = 100) -> str:
    """SQL: a stable pseudo-random integer in [0, n) from ``column`` (a hash, so two seeds are independent)."""
    return f"mod(abs(hashint8extended({column}, {seed})), {n})"


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def step(label: str):
    started = time.perf_counter()
    print(f"  {label} …", end="", flush=True)
    yield
    print(f" {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------- the database


def build(tickets: int) -> None:
    started = time.perf_counter()
    print(f"building {DB_NAME} with {tickets:,} tickets", flush=True)
    desk.create(ENV)
    setup_django()
    from spbe.org.models import Pemda

    pemda = Pemda.objects.get(slug=PEMDA)
    rng = random.Random(SEED)
    with step("services and SLA documents"):
        add_services(pemda)
        add_sla_documents(pemda)
        psql(f"""
            CREATE TABLE {SERVICE_TABLE} AS
            SELECT s.id, s.pd_id, (SELECT min(m.sladocument_id) FROM desk_sladocument_services m
                                   WHERE m.service_id = s.id) AS sla_document_id
            FROM catalog_service s WHERE s.lifecycle = 'active' ORDER BY s.id
        """)  # fmt: skip
    desk.generate_tickets(tickets, DB_URL, days=DAYS, services=SERVICE_TABLE)
    with step("tickets shaped (kinds, statuses, responses, ratings, escalations, urgency)"):
        shape_tickets()
    with step("clocks"):
        add_clocks()
    with step("problems"):
        add_problems(pemda)
    with step("monitoring: checks, 30 days of results, a year of rollups"):
        add_checks()
    with step("monitoring: a year of outages, maintenance windows and utilisation"):
        add_monitoring_history(rng)
    with step("DRPs, drills, activations, change plans, releases"):
        add_continuity_and_releases(pemda, rng)
    with step("VACUUM ANALYZE"):
        psql("VACUUM ANALYZE")
    print(f"built {DB_NAME} in {time.perf_counter() - started:.0f} s", flush=True)


def clone(obj, **changes):
    """An unsaved copy of ``obj`` with ``changes`` (for bulk_create)."""
    twin = copy.copy(obj)
    twin.pk = twin.id = None
    twin._state = copy.copy(obj._state)
    twin._state.adding = True
    for name, value in changes.items():
        setattr(twin, name, value)
    return twin


def add_services(pemda) -> None:
    """Each PD of the Pemda gets active, approved services (copies of the demo's) up to SERVICES_PER_PD."""
    from spbe.catalog.models import Service
    from spbe.org.models import PerangkatDaerah

    templates = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").order_by("pk"))
    classes = ["kritis", "esensial", "esensial", "normal"]
    new = []
    for pd in PerangkatDaerah.objects.filter(pemda=pemda).order_by("pk"):
        have = Service.objects.filter(pd=pd, lifecycle="active").count()
        for n in range(have, SERVICES_PER_PD):
            template = templates[(pd.pk + n) % len(templates)]
            target = "99.50" if classes[n] == "kritis" else "98.00"
            new.append(clone(template, pd=pd, code=f"BENCH-{pd.pk}-{n}", name=f"Layanan {pd.abbreviation} {n + 1}",
                             classification=classes[n], availability_target=target, availability_current=None,
                             service_admin=None, infra_admin=None))  # fmt: skip
    Service.objects.bulk_create(new)


def add_sla_documents(pemda) -> None:
    """Three vendor contracts in force all year, on two services each."""
    from spbe.catalog.models import Service
    from spbe.desk.models import SlaDocument
    from spbe.org.models import PerangkatDaerah

    today = date.today()
    for abbreviation, vendor, value in (("Diskominfosan", "PT Awan Data Nusantara", 480_000_000),
                                        ("Disdukcapil", "PT Sinergi Kependudukan", 350_000_000),
                                        ("BPKAD", "CV Anggaran Digital", 210_000_000)):  # fmt: skip
        pd = PerangkatDaerah.objects.get(pemda=pemda, abbreviation=abbreviation)
        document = SlaDocument.objects.create(
            pemda=pemda, pd=pd, title=f"Kontrak pemeliharaan {abbreviation}", vendor=vendor,
            contract_number=f"027/{pd.pk}/SLA/{today.year}", valid_from=today - timedelta(days=400),
            valid_to=today + timedelta(days=30), response_target=timedelta(hours=4),
            resolution_1=timedelta(hours=8), resolution_2=timedelta(days=1), resolution_3=timedelta(days=3),
            contract_value=value,
        )  # fmt: skip
        document.services.set(Service.objects.filter(pd=pd, lifecycle="active").order_by("pk")[:2])


def shape_tickets() -> None:
    """desk.py's tickets are complaints, closed or in progress: one UPDATE gives them the shape of a year of
    work (a third are requests; a backlog of the last two weeks' open tickets and a stale tail; response and
    resolution times, confirmations, ratings, escalations, E-3 urgency on the tickets of the SLA documents'
    services)."""
    # desk.py leaves a tenth open however old; a working desk's backlog is its last two weeks and a stale tail
    status = (f"CASE WHEN x.status = 'in_progress' AND (x.reported_at > now() - interval '14 days' "
              f"OR {roll('x.id', 6)} < 2) THEN 'in_progress' WHEN {roll('x.id', 2)} < 5 THEN 'resolved' "
              f"WHEN {roll('x.id', 2)} < 7 THEN 'rejected' ELSE 'closed' END")  # fmt: skip
    rating = (f"CASE WHEN {roll('x.id', 8)} < 4 THEN 1 WHEN {roll('x.id', 8)} < 10 THEN 2 "
              f"WHEN {roll('x.id', 8)} < 28 THEN 3 WHEN {roll('x.id', 8)} < 68 THEN 4 ELSE 5 END")  # fmt: skip
    escalation = (f"CASE WHEN {roll('x.id', 9)} < 9 THEN 1 WHEN {roll('x.id', 9)} < 13 THEN 2 "
                  f"WHEN {roll('x.id', 9)} < 14 THEN 3 ELSE 0 END")  # fmt: skip
    psql(f"""
        UPDATE desk_ticket t SET
            kind = h.kind,
            impact = CASE WHEN h.kind = 'request' THEN '' ELSE t.impact END,
            priority = CASE WHEN h.kind = 'request' THEN NULL ELSE t.priority END,
            status = h.status,
            next_due = CASE WHEN h.status = 'in_progress' THEN t.next_due END,
            first_response_at = CASE WHEN h.status <> 'in_progress' OR h.r < 60
                                     THEN t.reported_at + (5 + h.m) * interval '1 minute' END,
            resolved_at = CASE WHEN h.status IN ('resolved', 'closed') THEN h.resolved END,
            closed_at = CASE WHEN h.status = 'closed' THEN h.resolved + interval '3 days' END,
            reporter_confirmed_at = CASE WHEN h.status = 'closed' AND h.r < 85 THEN h.resolved + interval '1 day' END,
            satisfaction = CASE WHEN h.status = 'closed' AND h.s < 45 THEN h.rating END,
            escalation_level = CASE WHEN h.kind = 'complaint' THEN h.escalation ELSE 0 END,
            cause = CASE WHEN h.kind = 'complaint' AND h.status IN ('resolved', 'closed')
                         THEN (ARRAY['Server aplikasi kehabisan memori', 'Sertifikat TLS kedaluwarsa',
                                     'Koneksi ke basis data terputus',
                                     'Kesalahan konfigurasi setelah rilis'])[1 + h.r % 4]
                         ELSE '' END,
            sla_document_id = h.sla_document_id,
            urgency = CASE WHEN h.sla_document_id IS NOT NULL AND h.u < 80 THEN 1 + h.u % 3 END
        FROM (SELECT x.id, b.sla_document_id,
                     CASE WHEN {roll('x.id', 1)} < 35 THEN 'request' ELSE 'complaint' END AS kind,
                     {status} AS status, {rating} AS rating, {escalation} AS escalation,
                     x.reported_at + (1 + {roll('x.id', 5, 96)}) * interval '1 hour' AS resolved,
                     {roll('x.id', 3)} AS r, {roll('x.id', 4, 240)} AS m, {roll('x.id', 7)} AS s,
                     {roll('x.id', 11)} AS u
              FROM desk_ticket x JOIN {SERVICE_TABLE} b ON b.id = x.service_id
              WHERE x.number LIKE 'BENCH-%') h
        WHERE h.id = t.id
    """)  # fmt: skip


def add_clocks() -> None:
    """The clocks open_ticket and classify_urgency start: P-3 response (complaints), P-1 user service (desk.py
    already made those of the open tickets), E-3 response and resolution. A stopped clock is breached for 4–16 %
    of the tickets depending on the service, so some services meet their target and some do not; a clock still
    running past its deadline is breached."""
    response = ("CASE t.priority WHEN 1 THEN interval '30 minutes' WHEN 2 THEN interval '1 hour' "
                "WHEN 3 THEN interval '2 hours' WHEN 4 THEN interval '4 hours' WHEN 5 THEN interval '8 hours' "
                "ELSE interval '1 day' END")  # fmt: skip
    resolution = "CASE t.urgency WHEN 1 THEN interval '8 hours' WHEN 2 THEN interval '1 day' ELSE interval '3 days' END"
    breached = f"{roll('t.id * 4 + c.n', 13)} < 4 + (t.service_id % 5) * 3"
    # desk.py's running clocks: gone with the tickets shape_tickets closed; past their deadline for the rest
    psql("""
        DELETE FROM clocks_clock c USING desk_ticket t
        WHERE c.owner_id = t.id AND t.number LIKE 'BENCH-%' AND t.status <> 'in_progress'
          AND c.owner_type_id = (SELECT id FROM django_content_type WHERE app_label = 'desk' AND model = 'ticket');
        UPDATE clocks_clock c SET state = 'breached', breached_at = c.due_at, next_check_at = NULL
        FROM desk_ticket t WHERE c.owner_id = t.id AND t.number LIKE 'BENCH-%' AND c.state = 'running'
          AND c.due_at < now()
          AND c.owner_type_id = (SELECT id FROM django_content_type WHERE app_label = 'desk' AND model = 'ticket');
    """)  # fmt: skip
    psql(f"""
        INSERT INTO clocks_clock (pemda_id, kind, policy_version_id, calendar, target, started_at, due_at, state,
            pauses, warning_thresholds, warnings_fired, stopped_at, breached_at, next_check_at, owner_type_id,
            owner_id, created, last_updated)
        SELECT t.pemda_id, c.kind, t.policy_version_id, 'working_hours', c.target, t.reported_at,
            t.reported_at + c.target,
            CASE WHEN c.stop IS NULL AND t.reported_at + c.target > now() THEN 'running'
                 WHEN c.stop IS NULL OR {breached} THEN 'breached' ELSE 'met' END,
            '[]', '[75, 90]', '[]', c.stop,
            CASE WHEN (c.stop IS NULL AND t.reported_at + c.target <= now()) OR (c.stop IS NOT NULL AND {breached})
                 THEN t.reported_at + c.target END,
            CASE WHEN c.stop IS NULL AND t.reported_at + c.target > now() THEN t.reported_at + c.target END,
            (SELECT id FROM django_content_type WHERE app_label = 'desk' AND model = 'ticket'), t.id, now(), now()
        FROM desk_ticket t
        CROSS JOIN LATERAL (VALUES
            (1, 'response', {response}, t.kind = 'complaint', t.first_response_at),
            (2, 'user_service', interval '1 day', t.status <> 'in_progress', coalesce(t.resolved_at, t.reported_at)),
            (3, 'sla_response', interval '4 hours', t.sla_document_id IS NOT NULL, t.first_response_at),
            (4, 'sla_resolution', {resolution}, t.urgency IS NOT NULL, t.resolved_at)
        ) AS c(n, kind, target, wanted, stop)
        WHERE c.wanted AND t.number LIKE 'BENCH-%'
    """)  # fmt: skip


def add_problems(pemda) -> None:
    """Recurring disruptions (O-3): one per two services, each with 100 of its complaints."""
    from spbe.catalog.models import Service
    from spbe.desk.models import Problem

    services = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").order_by("pk"))[::2]
    problems = [
        Problem(pemda=pemda, pd=s.pd, service=s, title=f"Gangguan berulang {s.name}", status="analysing",
                root_cause="Kapasitas server aplikasi tidak cukup pada jam sibuk")
        for s in services
    ]  # fmt: skip
    Problem.objects.bulk_create(problems)
    psql("""
        INSERT INTO desk_problem_complaints (problem_id, ticket_id)
        SELECT p.id, t.id FROM desk_problem p
        CROSS JOIN LATERAL (SELECT id FROM desk_ticket WHERE service_id = p.service_id AND kind = 'complaint'
                            ORDER BY id LIMIT 100) t
    """)  # fmt: skip


def add_checks() -> None:
    """probes.py's HTTP checks, one on each active service without a check except one in six (so coverage has
    gaps), watched for more than a year; 30 days of raw results (the retention) and a year of hourly and daily
    rollups for every check that runs on an interval."""
    psql("UPDATE monitoring_check SET created = now() - interval '400 days'")
    unwatched = subprocess.run(
        ["psql", DB_URL, "-tAc", "SELECT count(*) FROM catalog_service s WHERE lifecycle = 'active' AND id % 6 <> 0 "
         "AND NOT EXISTS (SELECT 1 FROM monitoring_check c WHERE c.service_id = s.id)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    probes.add_checks(int(unwatched), "http://127.0.0.1:9/", DB_URL)
    psql("""
        UPDATE monitoring_check c SET service_id = s.id, pd_id = s.pd_id, pemda_id = d.pemda_id, enabled = true,
            status = 'up', name = 'Beranda ' || s.name, created = now() - interval '400 days'
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM monitoring_check
              WHERE heartbeat_token LIKE 'bench-%') mine
        JOIN (SELECT id, pd_id, name, row_number() OVER (ORDER BY id) AS n FROM catalog_service s
              WHERE lifecycle = 'active' AND id % 6 <> 0
                AND NOT EXISTS (SELECT 1 FROM monitoring_check c WHERE c.service_id = s.id)) s ON s.n = mine.n
        JOIN org_perangkatdaerah d ON d.id = s.pd_id
        WHERE c.id = mine.id
    """)  # fmt: skip
    psql(f"""
        INSERT INTO monitoring_checkresult (check_id, at, ok, latency_ms, error)
        SELECT c.id, at, ok, CASE WHEN ok THEN 40 + {roll('extract(epoch FROM at)::bigint + c.id', 21, 400)} END,
               CASE WHEN ok THEN '' ELSE 'Batas waktu 10 detik habis' END
        FROM monitoring_check c
        CROSS JOIN LATERAL generate_series(now() - interval '30 days', now(), c.interval_seconds * interval '1 second')
            AS at
        CROSS JOIN LATERAL (SELECT {roll('extract(epoch FROM at)::bigint * 7 + c.id', 22, 1000)} >= 3 AS ok) o
        WHERE c.kind IN ('http', 'tcp')
    """)  # fmt: skip
    for granularity, span in (("hour", "1 hour"), ("day", "1 day")):
        psql(f"""
            INSERT INTO monitoring_checkrollup (check_id, granularity, start, total, ok, latency_sum_ms,
                latency_max_ms)
            SELECT c.id, '{granularity}', p, n, n - {roll('extract(epoch FROM p)::bigint + c.id', 23, 3)},
                   n * (40 + {roll('c.id', 24, 60)}), 300 + {roll('extract(epoch FROM p)::bigint', 25, 2000)}
            FROM monitoring_check c
            CROSS JOIN LATERAL generate_series(date_trunc('{granularity}', now()) - interval '365 days',
                                               now() - interval '{span}', interval '{span}') AS p
            CROSS JOIN LATERAL (SELECT (extract(epoch FROM interval '{span}') / c.interval_seconds)::int AS n) k
            WHERE c.kind IN ('http', 'tcp')
            ON CONFLICT (check_id, granularity, start) DO NOTHING
        """)  # fmt: skip


def add_monitoring_history(rng: random.Random) -> None:
    """A year of outages (monitoring/demo.py's generator; the demo's services already have its last 120 days),
    a four-hour maintenance window a month per PD with services, and a year of hourly utilisation."""
    from django.utils import timezone

    from spbe.catalog.models import Service
    from spbe.monitoring import demo
    from spbe.monitoring.models import MaintenanceWindow, Outage, UtilisationSample
    from spbe.org.models import Pemda

    now = timezone.now()
    with_history = set(Outage.objects.values_list("service_id", flat=True))
    services = list(Service.objects.filter(lifecycle="active").select_related("pd").order_by("pk"))
    for service in services:
        if service.pk in with_history:
            demo._history(rng, service, now - timedelta(days=demo.HISTORY_DAYS), days=DAYS - demo.HISTORY_DAYS)
        else:
            demo._history(rng, service, now, days=DAYS)
    by_pd: dict[int, list] = {}
    for service in services:
        by_pd.setdefault(service.pd_id, []).append(service)
    windows, links = [], []
    for month in range(12):
        for pd_services in by_pd.values():
            saturday = (now - timedelta(days=30 * month + 3)).replace(hour=14, minute=0, second=0, microsecond=0)
            windows.append(MaintenanceWindow(
                pemda_id=pd_services[0].pd.pemda_id, title="Pemeliharaan bulanan server aplikasi",
                starts_at=saturday, ends_at=saturday + timedelta(hours=4),
            ))  # fmt: skip
            links.append(pd_services)
    MaintenanceWindow.objects.bulk_create(windows)
    through = MaintenanceWindow.services.through
    through.objects.bulk_create(
        through(maintenancewindow_id=w.pk, service_id=s.pk) for w, group in zip(windows, links, strict=True)
        for s in group
    )  # fmt: skip
    UtilisationSample.objects.all().delete()
    for pemda in Pemda.objects.all():
        demo._utilisation(rng, pemda, now, days=DAYS)


def add_continuity_and_releases(pemda, rng: random.Random) -> None:
    """Copies of the demo's records, spread over the year: a DRP for two in three kritis services without one,
    a drill a month and an activation a quarter, an approved change plan a month, a release a week."""
    from django.utils import timezone

    from spbe.catalog.models import Service
    from spbe.change.models import ChangePlan, Release
    from spbe.continuity.models import Recovery, RecoveryPlan

    now = timezone.now()
    plan = RecoveryPlan.objects.filter(pd__pemda=pemda).in_force().order_by("pk").first()
    series = (RecoveryPlan.objects.order_by("-series").values_list("series", flat=True).first() or 0) + 1
    bare = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active", classification="kritis",
                                       recovery_plans__isnull=True).order_by("pk"))  # fmt: skip
    plans = [clone(plan, pd=s.pd, title=f"DRP {s.name}", series=series + n, previous=None)
             for n, s in enumerate(bare) if n % 3 != 2]  # fmt: skip
    RecoveryPlan.objects.bulk_create(plans)
    for new, service in zip(plans, [s for n, s in enumerate(bare) if n % 3 != 2], strict=True):
        new.services.add(service)
    in_force = list(RecoveryPlan.objects.filter(pd__pemda=pemda).in_force().order_by("pk"))
    drill = Recovery.objects.filter(pd__pemda=pemda, kind="drill").order_by("pk").first()
    activation = Recovery.objects.filter(pd__pemda=pemda, kind="activation").order_by("pk").first()
    recoveries = []
    for month in range(12):
        for template in [drill] + ([activation] if month % 3 == 0 else []):
            target = rng.choice(in_force)
            opened = now - timedelta(days=30 * month + rng.randint(2, 25), hours=rng.randint(0, 8))
            recoveries.append(clone(
                template, pd=target.pd, plan=target, title=f"{template.title} ({opened:%B %Y})", opened_at=opened,
                rto_achieved=template.rto_target * rng.uniform(0.5, 1.3),
                rpo_achieved=template.rpo_target * rng.uniform(0.3, 1.2), ticket=None, revision_plan=None,
            ))  # fmt: skip
    Recovery.objects.bulk_create(recoveries)
    services = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").order_by("pk"))
    change = ChangePlan.objects.filter(pd__pemda=pemda, status="approved").order_by("pk").first()
    changes = []
    for month in range(12):
        service = services[month * 7 % len(services)]
        end = (now - timedelta(days=30 * month + 5)).replace(hour=17, minute=0, second=0, microsecond=0)
        changes.append(clone(change, pd=service.pd, title=f"Perubahan {service.name} #{month + 1}",
                             planned_start=end - timedelta(hours=4), planned_end=end, request=None))  # fmt: skip
    ChangePlan.objects.bulk_create(changes)
    for plan_, month in zip(changes, range(12), strict=True):
        plan_.services.add(services[month * 7 % len(services)])
    template = Release.objects.filter(pd__pemda=pemda, status="approved").order_by("pk").first()
    releases, release_services = [], []
    for week in range(52):
        service = services[week * 5 % len(services)]
        stage = rng.choices(["succeeded", "rolled_back", "failed"], [85, 10, 5])[0]
        start = (now - timedelta(days=7 * week + 2)).replace(hour=14, minute=0, second=0, microsecond=0)
        linked = changes[week // 5] if week % 5 == 0 and week // 5 < len(changes) else None
        releases.append(clone(
            template, pd=service.pd, title=f"Rilis {service.name} minggu {week + 1}", stage=stage,
            window_start=start, window_end=start + timedelta(hours=3), maintenance_window=None,
            verified_at=start + timedelta(hours=2) if stage == "succeeded" else None, change_plan=linked,
            version=f"2.{week}.0",
        ))  # fmt: skip
        release_services.append(service)
    Release.objects.bulk_create(releases)
    through = Release.services.through
    through.objects.bulk_create(through(release_id=r.pk, service_id=s.pk)
                                for r, s in zip(releases, release_services, strict=True))  # fmt: skip


# ---------------------------------------------------------------- the hand-written SQL


def hand_queries(pemda, start: datetime, end: datetime) -> list[tuple[str, str, list]]:
    """The aggregates compute() runs for the Pemda, as one would write them by hand: (label, SQL, params)."""
    from django.contrib.contenttypes.models import ContentType

    from spbe.desk.models import Ticket

    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    period = [pemda.pk, start, end]
    in_period = "t.pemda_id = %s AND t.reported_at >= %s AND t.reported_at < %s"
    services = "SELECT s.id FROM catalog_service s JOIN org_perangkatdaerah d ON d.id = s.pd_id " \
               "WHERE d.pemda_id = %s AND s.lifecycle <> 'draft'"  # fmt: skip
    overlaps = "o.started_at < %s AND (o.ended_at IS NULL OR o.ended_at > %s)"
    return [
        ("tickets GROUP BY service, kind, priority", f"""
            SELECT t.service_id, t.kind, t.priority, count(*),
                   count(*) FILTER (WHERE t.status IN ('resolved', 'closed')),
                   count(*) FILTER (WHERE t.reporter_confirmed_at IS NOT NULL),
                   count(*) FILTER (WHERE t.first_response_at IS NOT NULL),
                   count(*) FILTER (WHERE t.escalation_level = 1), count(*) FILTER (WHERE t.escalation_level = 2),
                   count(*) FILTER (WHERE t.escalation_level = 3), count(t.satisfaction), sum(t.satisfaction)
            FROM desk_ticket t WHERE {in_period} GROUP BY 1, 2, 3""", period),
        ("clocks ⋈ tickets GROUP BY clock kind, service, kind, priority", f"""
            SELECT c.kind, t.service_id, t.kind, t.priority, count(*) FILTER (WHERE c.state = 'met'),
                   count(*) FILTER (WHERE c.state = 'breached')
            FROM clocks_clock c JOIN desk_ticket t ON t.id = c.owner_id
            WHERE c.owner_type_id = %s AND {in_period} GROUP BY 1, 2, 3, 4""", [ticket_type, *period]),
        ("satisfaction by month", f"""
            SELECT date_trunc('month', t.reported_at AT TIME ZONE %s), avg(t.satisfaction), count(*)
            FROM desk_ticket t WHERE {in_period} AND t.satisfaction IS NOT NULL GROUP BY 1 ORDER BY 1""",
         [pemda.time_zone, *period]),
        ("breached tickets, newest 20 of each kind", f"""
            (SELECT t.id, t.number, t.subject, t.priority, t.cause, s.name, t.reported_at FROM desk_ticket t
             JOIN catalog_service s ON s.id = t.service_id
             WHERE {in_period} AND t.kind = 'request' AND EXISTS (SELECT 1 FROM clocks_clock c
                 WHERE c.owner_type_id = %s AND c.owner_id = t.id AND c.state = 'breached')
             ORDER BY t.reported_at DESC LIMIT 20)
            UNION ALL
            (SELECT t.id, t.number, t.subject, t.priority, t.cause, s.name, t.reported_at FROM desk_ticket t
             JOIN catalog_service s ON s.id = t.service_id
             WHERE {in_period} AND t.kind = 'complaint' AND EXISTS (SELECT 1 FROM clocks_clock c
                 WHERE c.owner_type_id = %s AND c.owner_id = t.id AND c.state = 'breached')
             ORDER BY t.reported_at DESC LIMIT 20)""", [*period, ticket_type, *period, ticket_type]),
        ("outages in the period: count and the 20 longest", f"""
            SELECT o.id, s.name, o.state, o.started_at, o.ended_at, o.cause, count(*) OVER (),
                   least(coalesce(o.ended_at, %s), %s) - greatest(o.started_at, %s) AS span
            FROM monitoring_outage o JOIN catalog_service s ON s.id = o.service_id
            JOIN org_perangkatdaerah d ON d.id = s.pd_id
            WHERE d.pemda_id = %s AND {overlaps} ORDER BY span DESC, o.id LIMIT 20""",
         [end, end, start, pemda.pk, end, start]),
        ("availability: outages per service", f"""
            SELECT o.service_id, o.state, o.started_at, o.ended_at FROM monitoring_outage o
            WHERE o.service_id IN ({services}) AND {overlaps} ORDER BY o.started_at""", [pemda.pk, end, start]),
        ("availability: maintenance windows per service", f"""
            SELECT m.service_id, w.starts_at, w.ends_at FROM monitoring_maintenancewindow_services m
            JOIN monitoring_maintenancewindow w ON w.id = m.maintenancewindow_id
            WHERE m.service_id IN ({services}) AND w.starts_at < %s AND w.ends_at > %s""", [pemda.pk, end, start]),
        ("availability: checks and first outage per service", f"""
            SELECT c.service_id, min(c.created), count(*), count(*) FILTER (WHERE c.enabled)
            FROM monitoring_check c WHERE c.service_id IN ({services}) GROUP BY 1
            UNION ALL
            SELECT o.service_id, min(o.started_at), 0, 0 FROM monitoring_outage o
            WHERE o.service_id IN ({services}) GROUP BY 1""", [pemda.pk, pemda.pk]),
        ("SLA documents: clocks GROUP BY document, kind, urgency", f"""
            SELECT t.sla_document_id, c.kind, t.urgency, count(*) FILTER (WHERE c.state = 'met'),
                   count(*) FILTER (WHERE c.state = 'breached')
            FROM clocks_clock c JOIN desk_ticket t ON t.id = c.owner_id
            WHERE c.owner_type_id = %s AND c.kind IN ('sla_response', 'sla_resolution') AND {in_period}
              AND t.sla_document_id IS NOT NULL GROUP BY 1, 2, 3""", [ticket_type, *period]),
        ("SLA documents: newest 20 breaches of each document", f"""
            SELECT * FROM (
                SELECT t.sla_document_id, c.kind, c.due_at, t.id, t.number, t.subject, t.urgency,
                       row_number() OVER (PARTITION BY t.sla_document_id ORDER BY c.due_at DESC) AS n
                FROM clocks_clock c JOIN desk_ticket t ON t.id = c.owner_id
                WHERE c.owner_type_id = %s AND c.kind IN ('sla_response', 'sla_resolution') AND c.state = 'breached'
                  AND {in_period} AND t.sla_document_id IS NOT NULL) ranked
            WHERE n <= 20""", [ticket_type, *period]),
        ("SLA documents: reported and responded times of their tickets", f"""
            SELECT t.sla_document_id, t.reported_at, t.first_response_at FROM desk_ticket t
            WHERE {in_period} AND t.sla_document_id IS NOT NULL""", period),
    ]  # fmt: skip


def run_sql(queries: list[tuple[str, str, list]]) -> dict[str, float]:
    """Each statement's seconds, rows fetched into Python like the ORM does."""
    from django.db import connection

    seconds = {}
    with connection.cursor() as cursor:
        for label, sql, params in queries:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            seconds[label] = time.perf_counter() - started
    return seconds


# ---------------------------------------------------------------- measuring


def timed(call: Callable[[], object], repeat: int = REPEAT) -> tuple[float, list[float]]:
    """The first run's seconds (caches cold for these rows) and the following ``repeat`` runs'."""
    first = _seconds(call)
    return first, [_seconds(call) for _ in range(repeat)]


def _seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


class Statements:
    """Times every SQL statement run inside ``with`` (connection.execute_wrapper)."""

    def __init__(self):
        self.rows: list[tuple[float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((time.perf_counter() - started, sql, params))

    @contextmanager
    def recording(self):
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self

    def slowest(self, n: int) -> list[tuple[float, str, tuple]]:
        return sorted(self.rows, key=lambda row: -row[0])[:n]

    @property
    def total(self) -> float:
        return sum(row[0] for row in self.rows)


@contextmanager
def chapter_timer(spent: dict[str, float]):
    """Wrap the chapter functions of figures.py and sla_documents.py that exist to time them (a breakdown of
    compute(); functions that are not there are left out)."""
    from spbe.evaluation import figures, sla_documents

    names = {figures: ["_ticket_figures", "_clock_counts", "_breached", "_problems", "_satisfaction_by_month",
                       "_monitoring", "availability_many", "_outages", "_over_threshold", "_recovery", "_release",
                       "_planning", "_sla_documents"],
             sla_documents: ["_clock_states", "_out_of_hours", "_breaches"]}  # fmt: skip
    saved = []
    for module, functions in names.items():
        for name in functions:
            original = getattr(module, name, None)
            if callable(original):
                saved.append((module, name, original))
                setattr(module, name, _timing(original, name, spent))
    try:
        yield spent
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _timing(function, name: str, spent: dict[str, float]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def explain(rows: list[tuple[float, str, tuple]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for seconds, sql, params in rows:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            print(f"\n  --- {seconds * 1000:.0f} ms: {sql[:300]}")
            print("\n".join(f"      {line}" for (line,) in cursor.fetchall()))


def show_slowest(label: str, statements: Statements, n: int = 5) -> None:
    print(f"\n  {label}: {len(statements.rows)} statements, {statements.total:.2f} s in the database; slowest:")
    for seconds, sql, _params in statements.slowest(n):
        text = " ".join(sql.split())
        print(f"    {seconds * 1000:8.1f} ms  {text[:150]}{'…' if len(text) > 150 else ''}")


def verdict(value: float, target: float) -> str:
    return "met" if value < target else "NOT met"


def dashboard(results: dict) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from spbe.org.models import User

    try:
        path = reverse("evaluation:dashboard")
    except NoReverseMatch:
        results["dashboard"] = None
        return
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results["dashboard"] = {}
    for who, email in (("Koordinator SPBE", KOORDINATOR), ("Pimpinan PD Disdukcapil", PIMPINAN)):
        client = Client()
        client.force_login(User.objects.get(email=email), backend=BACKEND)
        statements = Statements()
        cache.clear()  # the first view after a change computes the slow figures (dashboard.py)
        started = time.perf_counter()
        response = client.get(path)
        cold = time.perf_counter() - started
        for _ in range(3):  # warm-up
            response = client.get(path)
        if response.status_code != 200:
            results["dashboard"][who] = f"HTTP {response.status_code}"
            continue
        samples = []
        with statements.recording():
            for _ in range(DASHBOARD_REQUESTS):
                started = time.perf_counter()
                client.get(path)
                samples.append(time.perf_counter() - started)
        results["dashboard"][who] = (samples, statements, cold)


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        cursor.execute(
            "SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings "
            "WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather')"
        )
        found["settings"] = cursor.fetchone()[0]
        for table in ("desk_ticket", "clocks_clock", "monitoring_checkresult", "monitoring_checkrollup",
                      "monitoring_outage", "monitoring_maintenancewindow", "monitoring_utilisationsample",
                      "catalog_service", "continuity_recovery", "change_release"):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
        found["size"], found["version"] = cursor.fetchone()
    return found


def measure(args: argparse.Namespace) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from spbe.desk.models import Ticket
    from spbe.evaluation.figures import Subject, compute
    from spbe.evaluation.maturity import assess
    from spbe.org.models import Pemda, PerangkatDaerah

    pemda = Pemda.objects.select_related("policy_version").get(slug=PEMDA)
    pd = PerangkatDaerah.objects.get(pemda=pemda, abbreviation=PD)
    today = timezone.localdate(timezone=Subject(pemda, None, date.today(), date.today()).zone)
    year = Subject(pemda, None, today - timedelta(days=DAYS - 1), today)
    semester = Subject(pemda, pd, today - timedelta(days=SEMESTER_DAYS - 1), today)
    start, end = year.bounds
    found = counts()
    in_year = Ticket.objects.filter(pemda=pemda, reported_at__gte=start, reported_at__lt=end).count()
    results: dict = {}

    reverse("login")  # what a server process has done before its first request: the URL resolver built (~0.7 s)
    load_before = os.getloadavg()[0]
    print("measuring …", flush=True)
    results["pemda"] = timed(lambda: compute(year))
    queries = hand_queries(pemda, start, end)
    sql_first = sum(run_sql(queries).values())
    sql_runs = [run_sql(queries) for _ in range(REPEAT)]
    results["sql"] = (sql_first, [sum(run.values()) for run in sql_runs])
    results["pd"] = timed(lambda: compute(semester))
    results["maturity"] = timed(lambda: assess(pemda, None, start=year.start, end=year.end), repeat=5)
    dashboard(results)
    spent: dict[str, float] = {}
    traced = {}
    for key, call in (("pemda", lambda: compute(year)), ("pd", lambda: compute(semester)),
                      ("maturity", lambda: assess(pemda, None, start=year.start, end=year.end))):  # fmt: skip
        statements = Statements()
        with statements.recording(), chapter_timer(spent if key == "pemda" else {}):
            call()
        traced[key] = statements

    command = shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    print(f"\nEvaluation benchmark (issue 13, Speed) on {platform.node()}, {os.cpu_count()} cores; "
          f"{found['version'].split(' on ')[0]}")  # fmt: skip
    print(f"command: {command}")
    print(f"database {DB_NAME} ({found['size']}): {found['desk_ticket']:,} tickets ({in_year:,} of Kota Yogyakarta "
          f"in the year), {found['clocks_clock']:,} clocks, {found['catalog_service']} services, "
          f"{found['monitoring_checkresult']:,} check results (30 days), {found['monitoring_checkrollup']:,} rollups, "
          f"{found['monitoring_outage']:,} outages, {found['monitoring_maintenancewindow']} maintenance windows, "
          f"{found['monitoring_utilisationsample']:,} utilisation hours, {found['continuity_recovery']} recoveries, "
          f"{found['change_release']} releases")  # fmt: skip
    print(f"PostgreSQL settings: {found['settings']}; load average {load_before:.2f} before measuring, "
          f"{os.getloadavg()[0]:.2f} after (other work on the machine makes the figures noisy)")  # fmt: skip
    print(f"periods: year {year.start} – {year.end} (Pemda), semester {semester.start} – {semester.end} ({PD})\n")
    head = f"{'figure':<52}{'target':>12}{'first':>10}{'median':>10}{'min':>10}{'max':>10}   verdict"
    print(head)
    print("-" * len(head))

    def line(label: str, key: str, target: str, check: float | None) -> float:
        first, runs = results[key]
        median = statistics.median(runs)
        mark = "" if check is None else verdict(median, check)
        print(f"{label:<52}{target:>12}{first:>9.2f}s{median:>9.2f}s{min(runs):>9.2f}s{max(runs):>9.2f}s   {mark}")
        return median

    pemda_s = line("1. Pemda report, a year: figures.compute()", "pemda", "< 10 s", TARGETS["pemda"])
    sql_s = line("   the same aggregates, hand-written SQL", "sql", "", None)
    ratio = pemda_s / sql_s if sql_s else float("inf")
    print(f"{'   ratio compute / SQL (medians)':<52}{'≤ 3×':>12}{'':>30}{ratio:>9.1f}×   "
          f"{'met' if ratio <= TARGETS['ratio'] else 'NOT met'}")  # fmt: skip
    line(f"2. PD report ({PD}), a semester: compute()", "pd", "< 2 s", TARGETS["pd"])
    line("3. maturity of the Pemda: maturity.assess()", "maturity", "< 1 s", TARGETS["maturity"])
    if results["dashboard"] is None:
        print("4. dashboard: not built yet")
    else:
        for who, outcome in results["dashboard"].items():
            label = f"4. dashboard as {who}"
            if isinstance(outcome, str):
                print(f"{label:<52} {outcome}")
                continue
            samples, statements, cold = outcome
            p50, p95 = percentiles(samples)
            print(f"{label:<52}{'p95 < 200 ms':>12}   p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms "
                  f"(n={len(samples)}, {len(statements.rows) / len(samples):.0f} queries a page)   "
                  f"{verdict(p95, TARGETS['dashboard'])}")  # fmt: skip
            print(f"{'':<52}{'':>12}   first view, slow figures not yet cached: {cold * 1000:6.1f} ms")
    print("\n  first: the first run after the build (rows partly out of cache); median/min/max of the next "
          f"{REPEAT} ({5} for maturity).")  # fmt: skip

    print("\n  compute() of the Pemda by chapter (one traced run; nested lines are inside the one above):")
    nesting = {"_clock_counts": 1, "_breached": 1, "_problems": 1, "_satisfaction_by_month": 1,
               "availability_many": 1, "_outages": 1, "_over_threshold": 1, "_clock_states": 1,
               "_out_of_hours": 1, "_breaches": 1}  # fmt: skip
    for name, seconds in spent.items():
        print(f"    {'    ' * nesting.get(name, 0)}{name:<28}{seconds * 1000:9.1f} ms")
    print("\n  hand-written SQL, per statement (median of the runs):")
    for label in sql_runs[0]:
        print(f"    {statistics.median(run[label] for run in sql_runs) * 1000:8.1f} ms  {label}")
    show_slowest("compute() of the Pemda", traced["pemda"])
    show_slowest(f"compute() of {PD}", traced["pd"])
    show_slowest("assess() of the Pemda", traced["maturity"], 3)
    if results["dashboard"]:
        for who, outcome in results["dashboard"].items():
            if not isinstance(outcome, str):
                show_slowest(f"dashboard as {who} ({DASHBOARD_REQUESTS} requests)", outcome[1], 3)
    if args.explain:
        print("\nQuery plans of the slowest statements (EXPLAIN ANALYZE, BUFFERS):")
        explain(traced["pemda"].slowest(3))
        explain(traced["pd"].slowest(2))
        explain(traced["maturity"].slowest(1))
        for outcome in (results["dashboard"] or {}).values():
            if not isinstance(outcome, str):
                explain(outcome[1].slowest(1))


def drop() -> None:
    psql_admin = ["psql", desk.PG_ADMIN, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run([*psql_admin, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database for --reuse")
    parser.add_argument("--reuse", action="store_true", help=f"measure the {DB_NAME} of a run with --keep")
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest statements")
    args = parser.parse_args()
    try:
        if args.reuse:
            setup_django()
        else:
            build(args.tickets)
        # the pages' {% static %} needs the manifest (as bench/desk.py does before serving)
        desk.sh(str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0", env=ENV)
        measure(args)
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        if not args.keep:
            drop()


if __name__ == "__main__":
    sys.exit(main())
