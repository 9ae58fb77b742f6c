"""Periodic work of the desk."""

from celery import shared_task
from django.utils import timezone

from spbe.desk.actions import close_unconfirmed


@shared_task
def close_unconfirmed_tickets() -> int:
    """Hourly: resolved tickets whose reporter did not answer within the
    pack's number of working days are closed, recorded as automatic."""
    return len(close_unconfirmed(timezone.now()))
