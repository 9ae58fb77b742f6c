"""Scheduling and running checks (O-4).

Every check has a ``next_run_at`` slot. ``claim`` takes the due checks and
moves their slot forward in the same transaction (``SKIP LOCKED`` on
PostgreSQL, an immediate transaction on SQLite), so two workers never take
the same check for the same slot. The probes run concurrently on one event
loop (``spbe.monitoring.probes``); ``store`` writes the results and moves
each check's state (down only after ``retries`` failures in a row), then
``spbe.monitoring.outages`` judges the services whose checks changed.

On PostgreSQL ``claim`` and ``store`` are one statement each over arrays
(``unnest``): Django's ``bulk_update`` builds a CASE per row and field, and
at a thousand checks a second that was three quarters of a worker's time
(bench/probes.py). SQLite, the embedded default with a handful of checks,
takes the ORM path. The suite runs on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from spbe.monitoring.choices import CheckStatus
from spbe.monitoring.models import Check, CheckResult, MaintenanceWindow
from spbe.monitoring.probes import Job, Outcome, run_jobs

# A failed check that is not yet confirmed down is tried again this soon (as
# Uptime Kuma's "retry interval"): an outage is confirmed within the
# interval, and a one-off failure cleared as fast.
RETRY_SECONDS = 10
SCHEDULE_BATCH = 5000  # new checks given a slot per dispatch (an import of 100,000 spreads over seconds)

JOB_FIELDS = (
    "pk", "next_run_at", "kind", "target", "timeout_seconds", "expected_status", "keyword", "latency_threshold_ms",
    "follow_redirects", "dns_record", "dns_expected", "tls_warn_days", "interval_seconds", "last_ping_at",
)  # fmt: skip
COLUMNS = ", ".join("c." + ("id" if name == "pk" else name) for name in JOB_FIELDS[2:])

# The slot moves one interval on; a worker that fell behind skips the missed
# slots instead of running them all at once (the same rule as _next_slot).
CLAIM_SQL = f"""
WITH due AS (
    SELECT id, next_run_at AS slot FROM monitoring_check
    WHERE enabled AND next_run_at <= %(now)s ORDER BY next_run_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
)
UPDATE monitoring_check c SET next_run_at = due.slot + make_interval(secs => c.interval_seconds
    * (floor(extract(epoch FROM %(now)s - due.slot) / c.interval_seconds) + 1))
FROM due WHERE c.id = due.id
RETURNING c.id, due.slot, {COLUMNS}
"""
INSERT_RESULTS_SQL = """
INSERT INTO monitoring_checkresult (check_id, at, ok, latency_ms, error)
SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::bool[], %s::int[], %s::text[])
"""
UPDATE_STATES_SQL = """
UPDATE monitoring_check c SET status = v.status, consecutive_failures = v.failures, last_run_at = v.at,
    last_latency_ms = v.latency, last_error = v.error, status_since = v.since,
    next_run_at = coalesce(v.retry_at, c.next_run_at)
FROM unnest(%s::bigint[], %s::text[], %s::smallint[], %s::timestamptz[], %s::int[], %s::text[],
            %s::timestamptz[], %s::timestamptz[]) AS v(id, status, failures, at, latency, error, since, retry_at)
WHERE c.id = v.id
"""


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def first_slot(check: Check, now: datetime) -> datetime:
    """Spread checks over their interval, to the millisecond, by a stable
    offset from the id: a thousand checks of 60 s do not all fire at :00."""
    interval_ms = max(check.interval_seconds, 1) * 1000
    return now + timedelta(milliseconds=(check.pk * 7919) % interval_ms)


def schedule_new(now: datetime | None = None, limit: int = SCHEDULE_BATCH) -> int:
    """Give enabled checks without a slot their first one (at most ``limit``
    per call: dispatch runs every second)."""
    now = now or timezone.now()
    pending = list(Check.objects.filter(enabled=True, next_run_at__isnull=True).only("interval_seconds")[:limit])
    for check in pending:
        check.next_run_at = first_slot(check, now)
    Check.objects.bulk_update(pending, ["next_run_at"], batch_size=500)
    return len(pending)


def _next_slot(slot: datetime, interval: int, now: datetime) -> datetime:
    """The slot after this one; a worker that fell behind skips the missed
    slots instead of running them all at once."""
    following = slot + timedelta(seconds=interval)
    if following <= now:
        missed = (now - slot) // timedelta(seconds=interval)
        following = slot + timedelta(seconds=interval) * (missed + 1)
    return following


@transaction.atomic
def claim(now: datetime | None = None, limit: int = 500) -> list[Job]:
    """Take up to ``limit`` due checks and move their slots forward."""
    now = now or timezone.now()
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_SQL, {"now": now, "limit": limit})
            return [Job(*row) for row in cursor.fetchall()]
    due = Check.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")
    jobs = [Job(*row) for row in due.values_list(*JOB_FIELDS)[:limit]]
    Check.objects.bulk_update(
        [Check(pk=job.check_id, next_run_at=_next_slot(job.slot, job.interval, now)) for job in jobs],
        ["next_run_at"], batch_size=500,
    )  # fmt: skip
    return jobs


def silenced_checks(check_ids: Iterable[int], now: datetime) -> set[int]:
    """Checks on a service in a maintenance window now (silenced: no failure
    counted, no complaint)."""
    services = MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now).values("services")
    return set(Check.objects.filter(pk__in=list(check_ids), service__in=services).values_list("pk", flat=True))


@dataclass(frozen=True)
class State:
    """A check's state after one run."""

    check_id: int
    status: str
    failures: int
    at: datetime
    latency_ms: int | None
    error: str
    since: datetime | None
    retry_at: datetime | None  # an unconfirmed failure is tried again then


def next_state(outcome: Outcome, status: str, failures: int, retries: int, since, interval: int,
               silenced: bool) -> State:  # fmt: skip
    """Down only after ``retries`` failures in a row; silenced in maintenance."""
    retry_at = None
    if silenced:
        new, failures = CheckStatus.MAINTENANCE, 0
    elif outcome.ok:
        new, failures = CheckStatus.UP, 0
    else:
        failures = min(failures + 1, 100)
        new = CheckStatus.DOWN if failures >= retries else CheckStatus.FAILING
        if new == CheckStatus.FAILING:  # confirm (or clear) the failure soon, not an interval later
            retry_at = outcome.started + timedelta(seconds=min(interval, RETRY_SECONDS))
    return State(outcome.check_id, str(new), failures, outcome.started, outcome.latency_ms, outcome.error,
                 outcome.started if new != status else since, retry_at)  # fmt: skip


def store(outcomes: list[Outcome]) -> list[int]:
    """Write the results and move the checks' states. Returns the ids of the
    checks that went down, came back, or entered or left maintenance (the
    outages module judges their services)."""
    if not outcomes:
        return []
    by_id = {o.check_id: o for o in outcomes}
    silenced = silenced_checks(by_id, timezone.now())
    rows = Check.objects.filter(pk__in=list(by_id)).values_list(
        "pk", "status", "consecutive_failures", "retries", "status_since", "interval_seconds"
    )
    changed, states = [], []
    for pk, before, failures, retries, since, interval in rows:
        state = next_state(by_id[pk], before, failures, retries, since, interval, pk in silenced)
        states.append(state)
        if state.status != before and {CheckStatus.DOWN, CheckStatus.MAINTENANCE} & {before, state.status}:
            changed.append(pk)
    with transaction.atomic():
        (_write_postgres if _postgres() else _write_orm)(outcomes, states)
    return changed


def _write_postgres(outcomes: list[Outcome], states: list[State]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(INSERT_RESULTS_SQL, [list(column) for column in zip(
            *((o.check_id, o.started, o.ok, o.latency_ms, o.error) for o in outcomes), strict=True)])  # fmt: skip
        if states:
            cursor.execute(UPDATE_STATES_SQL, [list(column) for column in zip(
                *((s.check_id, s.status, s.failures, s.at, s.latency_ms, s.error, s.since, s.retry_at)
                  for s in states), strict=True)])  # fmt: skip


def _write_orm(outcomes: list[Outcome], states: list[State]) -> None:
    CheckResult.objects.bulk_create(
        [CheckResult(check_ref_id=o.check_id, at=o.started, ok=o.ok, latency_ms=o.latency_ms, error=o.error)
         for o in outcomes], batch_size=500,
    )  # fmt: skip
    checks = [
        Check(pk=s.check_id, status=s.status, consecutive_failures=s.failures, last_run_at=s.at,
              last_latency_ms=s.latency_ms, last_error=s.error, status_since=s.since)
        for s in states
    ]  # fmt: skip
    fields = ["status", "consecutive_failures", "last_run_at", "last_latency_ms", "last_error", "status_since"]
    Check.objects.bulk_update(checks, fields, batch_size=500)
    retried = [Check(pk=s.check_id, next_run_at=s.retry_at) for s in states if s.retry_at]
    Check.objects.bulk_update(retried, ["next_run_at"], batch_size=500)


def run_claimed(jobs: list[Job], concurrency: int = 500) -> tuple[list[Outcome], list[int]]:
    """Probe claimed jobs, store their results, judge the affected services."""
    from spbe.monitoring import outages

    outcomes = run_jobs(jobs, concurrency)
    changed = store(outcomes)
    if changed:
        outages.judge_checks(changed)
    return outcomes, changed


def work(until: datetime | None = None, limit: int = 500, concurrency: int = 500) -> list[Outcome]:
    """Claim and run due checks until none are due (or ``until``): what one
    worker process does per dispatch (and what bench/probes.py measures)."""
    done: list[Outcome] = []
    while until is None or timezone.now() < until:
        jobs = claim(limit=limit)
        if not jobs:
            break
        outcomes, _changed = run_claimed(jobs, concurrency)
        done.extend(outcomes)
    return done


def due_count(now: datetime | None = None) -> int:
    return Check.objects.filter(Q(next_run_at__lte=now or timezone.now()), enabled=True).count()
