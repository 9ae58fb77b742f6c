"""Background work on Celery (issue 2, item 3): a task round-trips through
the configured broker — the filesystem transport in the SQLite run, the real
Redis in the PostgreSQL run — and a real worker process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from spbe.celery import app
from spbe.front import tasks
from spbe.front.models import Heartbeat

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker():
    """A real `celery worker` process with the same environment as the tests."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spbe",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def test_task_round_trips_through_broker_and_worker(worker):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    result = tasks.echo.delay("halo dari uji")
    assert result.get(timeout=60) == "halo dari uji"
    assert worker.poll() is None  # the worker is still alive


def test_beat_schedules_every_periodic_job_and_each_names_a_real_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "spbe.front.tasks.scheduler_heartbeat",
        "spbe.front.tasks.clear_expired_sessions",
        "spbe.front.tasks.nightly_backup",
        "spbe.clocks.tasks.check_clocks",
        "spbe.change.tasks.verify_releases",
        "spbe.desk.tasks.close_unconfirmed_tickets",
        "spbe.notify.tasks.deliver_outbox",
        "spbe.mail.tasks.poll_mailboxes",
        "spbe.chat.tasks.deliver_pending",
        "spbe.monitoring.tasks.dispatch_checks",
        "spbe.monitoring.tasks.roll_up_results",
        "spbe.monitoring.tasks.scrape_utilisation",
        "spbe.monitoring.tasks.refresh_availability",
    }
    assert scheduled <= set(app.tasks)  # a typo in a task name would silently never run


def test_heartbeat_task_records_the_time(db):
    tasks.scheduler_heartbeat()
    assert Heartbeat.objects.filter(name="scheduler").exists()
