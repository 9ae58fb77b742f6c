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
