"""Delivery of chat replies on Celery workers (beat: "chat-deliver", every minute)."""

from celery import shared_task

from spbe.chat import delivery


@shared_task
def deliver(message_id: int) -> bool:
    return delivery.deliver_one(message_id)


@shared_task
def deliver_pending() -> int:
    """Whatever was not sent right after its commit (broker down, worker
    crash, the provider busy)."""
    return delivery.deliver_pending()
