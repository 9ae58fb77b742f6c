"""Periodic work of releases: verification by monitoring (O-6)."""

from celery import shared_task
from django.utils import timezone

from spbe.change.actions import verify_due_releases


@shared_task
def verify_releases() -> int:
    """Every minute (celery beat); stage changes are claimed with a
    conditional UPDATE, so an overlapping run decides nothing twice."""
    return len(verify_due_releases(timezone.now()))
