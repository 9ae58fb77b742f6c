"""The Celery application: one code path for the embedded and production modes.

The broker comes from settings (``CELERY_BROKER_URL``): Kombu's filesystem
transport in the embedded default, Redis in production.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.settings")

app = Celery("spbe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "scheduler-heartbeat": {"task": "spbe.front.tasks.scheduler_heartbeat", "schedule": 60.0},
    "clear-expired-sessions": {"task": "spbe.front.tasks.clear_expired_sessions", "schedule": 6 * 3600.0},
    # 18:00 UTC is 01:00 WIB; the job pings its heartbeat check (docs/deploy.md, Backups)
    "nightly-backup": {"task": "spbe.front.tasks.nightly_backup", "schedule": crontab(hour=18, minute=0)},
    "check-sla-clocks": {"task": "spbe.clocks.tasks.check_clocks", "schedule": 60.0},
    "verify-releases": {"task": "spbe.change.tasks.verify_releases", "schedule": 60.0},
    "close-unconfirmed-tickets": {"task": "spbe.desk.tasks.close_unconfirmed_tickets", "schedule": 3600.0},
    "deliver-outbox": {"task": "spbe.notify.tasks.deliver_outbox", "schedule": 60.0},
    # issue 15: the mailboxes are read every minute; chat replies the provider refused are retried
    "mail-poll": {"task": "spbe.mail.tasks.poll_mailboxes", "schedule": 60.0, "options": {"expires": 55}},
    "chat-deliver": {"task": "spbe.chat.tasks.deliver_pending", "schedule": 60.0},
    # a dispatch is one cheap query when nothing is due; every second keeps the scheduling lag under 2 s
    "monitoring-dispatch": {
        "task": "spbe.monitoring.tasks.dispatch_checks",
        "schedule": 1.0,
        "options": {"expires": 5},
    },
    "monitoring-rollups": {"task": "spbe.monitoring.tasks.roll_up_results", "schedule": 300.0},
    "monitoring-utilisation": {"task": "spbe.monitoring.tasks.scrape_utilisation", "schedule": 60.0},
    "monitoring-availability": {"task": "spbe.monitoring.tasks.refresh_availability", "schedule": 300.0},
}
