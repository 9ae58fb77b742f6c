"""Delivery of the outbox on Celery workers."""

from celery import shared_task

from spbe.notify.outbox import deliver_one, deliver_pending


@shared_task
def deliver(message_id: int) -> bool:
    return deliver_one(message_id)


@shared_task
def deliver_outbox() -> int:
    """Every minute: whatever was not delivered right after its commit
    (broker down, worker crash, transient SMTP error)."""
    return deliver_pending()
