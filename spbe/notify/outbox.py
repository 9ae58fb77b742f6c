"""Putting messages in the outbox and delivering them."""

from __future__ import annotations

import contextlib
import contextvars
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from spbe.notify.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 5
# Set while loading history (demo data): messages are recorded but not dispatched.
_dispatch = contextvars.ContextVar("spbe_outbox_dispatch", default=True)


@contextlib.contextmanager
def without_dispatch():
    token = _dispatch.set(False)
    try:
        yield
    finally:
        _dispatch.reset(token)


def enqueue(
    *, key: str, to: list[str], subject: str, body: str, pemda=None, fresh: bool = False
) -> OutboxMessage | None:
    """Save a message with the caller's transaction; deliver it after the
    commit. The same ``key`` twice is one message. ``fresh``: the key names
    a row created in the caller's transaction, so it cannot exist yet and
    the lookup (a query and a savepoint) is skipped."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    values = {
        "to": recipients, "subject": subject[:250], "body": body, "pemda": pemda, "next_attempt_at": timezone.now()
    }  # fmt: skip
    if fresh:
        message, created = OutboxMessage.objects.create(key=key, **values), True
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=values)
    if created and _dispatch.get():
        transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id: int) -> None:
    from spbe.notify.tasks import deliver

    # A broker outage must not fail the user's request: deliver_pending()
    # picks the message up on its next run.
    with contextlib.suppress(Exception):
        deliver.delay(message_id)


def deliver_one(message_id: int) -> bool:
    """Send one message if it is still pending. The claim is a conditional
    UPDATE, so two workers never send the same message."""
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).update(status=OutboxStatus.SENDING)
    if claimed != 1:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, message.to)
    except Exception as error:  # any transport failure: retry later
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxStatus.FAILED if attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING,
            attempts=attempts, last_error=str(error)[:1000],
            next_attempt_at=timezone.now() + timedelta(minutes=2**attempts),
        )  # fmt: skip
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxStatus.SENT, attempts=message.attempts + 1, sent_at=timezone.now()
    )
    return True


def deliver_pending(limit: int = 500) -> int:
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
    return sum(deliver_one(pk) for pk in due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
