"""Scheduling and running checks (O-4).

Every check has a ``next_run_at`` slot. ``claim`` takes the due checks and
moves their slot forward in the same transaction (``SKIP LOCKED`` on
PostgreSQL, an immediate transaction on SQLite), so two workers never take
the same check for the same slot. ``execute`` probes them concurrently on
one event loop; ``store`` writes the results in bulk and moves each check's
state (down only after ``retries`` failures in a row), then lets
``spbe.monitoring.outages`` judge the services whose checks changed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
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

JOB_FIELDS = (
    "pk", "next_run_at", "kind", "target", "timeout_seconds", "expected_status", "keyword", "latency_threshold_ms",
    "follow_redirects", "dns_record", "dns_expected", "tls_warn_days", "interval_seconds", "last_ping_at",
)  # fmt: skip


def first_slot(check: Check, now: datetime) -> datetime:
    """Spread checks over their interval (a stable offset from the id) so a
    thousand checks of 60 s do not all fire at :00."""
    offset = zlib.crc32(str(check.pk).encode()) % max(check.interval_seconds, 1)
    return now + timedelta(seconds=offset)


def schedule_new(now: datetime | None = None) -> int:
    """Give every enabled check without a slot its first one."""
    now = now or timezone.now()
    pending = list(Check.objects.filter(enabled=True, next_run_at__isnull=True))
    for check in pending:
        check.next_run_at = first_slot(check, now)
    Check.objects.bulk_update(pending, ["next_run_at"])
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
    due = Check.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    rows = list(due.values_list(*JOB_FIELDS)[:limit])
    if not rows:
        return []
    jobs, updates = [], []
    for row in rows:
        job = Job(*row)
        jobs.append(job)
        updates.append(Check(pk=job.check_id, next_run_at=_next_slot(job.slot, job.interval, now)))
    Check.objects.bulk_update(updates, ["next_run_at"], batch_size=500)
    return jobs


def silenced_checks(check_ids: Iterable[int], now: datetime) -> set[int]:
    """Checks on a service in a maintenance window now (silenced: no failure
    counted, no complaint)."""
    services = MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now).values("services")
    return set(Check.objects.filter(pk__in=list(check_ids), service__in=services).values_list("pk", flat=True))


def store(outcomes: list[Outcome]) -> list[int]:
    """Write the results and move the checks' states. Returns the ids of the
    checks whose status changed (the outages module judges their services)."""
    if not outcomes:
        return []
    now = timezone.now()
    CheckResult.objects.bulk_create(
        [CheckResult(check_ref_id=o.check_id, at=o.started, ok=o.ok, latency_ms=o.latency_ms, error=o.error)
         for o in outcomes], batch_size=1000,
    )  # fmt: skip
    by_id = {o.check_id: o for o in outcomes}
    silenced = silenced_checks(by_id, now)
    checks = Check.objects.filter(pk__in=list(by_id)).only(
        "status", "consecutive_failures", "retries", "status_since", "interval_seconds"
    )
    changed, updated, retried = [], [], []
    for check in checks:
        outcome = by_id[check.pk]
        before = check.status
        if check.pk in silenced:
            check.status = CheckStatus.MAINTENANCE
            check.consecutive_failures = 0
        elif outcome.ok:
            check.status, check.consecutive_failures = CheckStatus.UP, 0
        else:
            check.consecutive_failures = min(check.consecutive_failures + 1, 100)
            confirmed = check.consecutive_failures >= check.retries
            check.status = CheckStatus.DOWN if confirmed else CheckStatus.FAILING
            if not confirmed:  # confirm (or clear) the failure soon, not an interval later
                check.next_run_at = outcome.started + timedelta(seconds=min(check.interval_seconds, RETRY_SECONDS))
                retried.append(check)
        check.last_run_at, check.last_latency_ms, check.last_error = outcome.started, outcome.latency_ms, outcome.error
        if check.status != before:
            check.status_since = outcome.started
            if CheckStatus.DOWN in (before, check.status) or CheckStatus.MAINTENANCE in (before, check.status):
                changed.append(check.pk)
        updated.append(check)
    Check.objects.bulk_update(
        updated, ["status", "consecutive_failures", "last_run_at", "last_latency_ms", "last_error", "status_since"],
        batch_size=500,
    )  # fmt: skip
    Check.objects.bulk_update(retried, ["next_run_at"], batch_size=500)
    return changed


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
