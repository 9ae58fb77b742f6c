"""Housekeeping tasks run by celery beat."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from spbe.front.models import Heartbeat


@shared_task
def scheduler_heartbeat() -> str:
    """Proves that beat and a worker are alive; /healthz reports its age."""
    Heartbeat.beat("scheduler")
    return "ok"


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def echo(value: str) -> str:
    """A task with no side effect, used to prove a round trip through the broker."""
    return value


@shared_task
def nightly_backup() -> str:
    """The nightly backup (issue 14, item 5): an archive of the database and the
    uploads in SPBE_BACKUP_DIR, the newest SPBE_BACKUP_KEEP kept, then a ping to
    its heartbeat check, so monitoring shows the age of the last good backup."""
    from spbe.front.backup import scheduled_backup

    return str(scheduled_backup().path)
