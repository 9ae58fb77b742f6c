"""Monitoring on Celery (issue 6 item 2). Beat runs ``dispatch_checks``
every second: it claims the due checks in batches and sends each batch as
one ``run_checks`` task, so any worker process takes the next batch —
adding a process adds capacity — and a claimed slot is never claimed again.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from celery import shared_task
from django.conf import settings

from spbe.monitoring import runner
from spbe.monitoring.probes import Job


def _payload(job: Job) -> dict:
    data = asdict(job)
    for name in ("slot", "last_ping_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


def _job(data: dict) -> Job:
    for name in ("slot", "last_ping_at"):
        data[name] = datetime.fromisoformat(data[name]) if data[name] else None
    return Job(**data)


@shared_task(ignore_result=True)
def dispatch_checks() -> int:
    runner.schedule_new()
    sent = 0
    while jobs := runner.claim(limit=settings.MONITORING_BATCH):
        run_checks.delay([_payload(job) for job in jobs])
        sent += len(jobs)
        if len(jobs) < settings.MONITORING_BATCH:
            break
    return sent


@shared_task(ignore_result=True)
def run_checks(payload: list[dict]) -> int:
    outcomes, _changed = runner.run_claimed([_job(dict(item)) for item in payload])
    return len(outcomes)


@shared_task(ignore_result=True)
def roll_up_results() -> dict:
    from spbe.monitoring.rollups import roll_up_recent

    return roll_up_recent()


@shared_task(ignore_result=True)
def refresh_availability() -> int:
    """The catalog's live figure (P-4 item 11): rolling 30 days."""
    from spbe.monitoring.availability import refresh_current_availability

    return refresh_current_availability()


@shared_task(ignore_result=True)
def scrape_utilisation() -> dict:
    """node_exporter endpoints of the components (O-4 form item 3)."""
    from spbe.monitoring.utilisation import scrape_all

    return scrape_all()
