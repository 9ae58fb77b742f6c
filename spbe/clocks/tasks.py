"""Periodic work of the clocks: warnings and breaches as they come due."""

from celery import shared_task
from django.utils import timezone

from spbe.clocks.actions import check_due_clocks


@shared_task
def check_clocks() -> int:
    """Runs every minute (celery beat); idempotent, so an overlapping or
    repeated run records nothing twice."""
    return len(check_due_clocks(timezone.now()))
