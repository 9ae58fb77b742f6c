"""Putting messages in the outbox and delivering them."""

from __future__ import annotations

import contextlib
import contextvars
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from spbe.notify.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 5
# A claim lasts settings.OUTBOX_CLAIM_SECONDS: a message whose worker died
# while sending it is taken again once its claim has expired. Far longer
# than a send may take (SEND_TIMEOUT per network operation).
SEND_TIMEOUT = 30
# Set while loading history (demo data): messages are recorded but not dispatched.
_dispatch = contextvars.ContextVar("spbe_outbox_dispatch", default=True)


@contextlib.contextmanager
def without_dispatch():
    token = _dispatch.set(False)
    try:
        yield
    finally:
        _dispatch.reset(token)


def dispatching() -> bool:
    """False while history loads (``without_dispatch``): other queues that
    send after the commit (chat replies) follow the same switch."""
    return _dispatch.get()


def enqueue(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    pemda=None,
    fresh: bool = False,
    from_email: str = "",
    headers: dict | None = None,
    thread: str = "",
) -> OutboxMessage | None:
    """Save a message with the caller's transaction; deliver it after the
    commit. The same ``key`` twice is one message. ``fresh``: the key names
    a row created in the caller's transaction, so it cannot exist yet and
    the lookup (a query and a savepoint) is skipped. ``from_email`` and
    ``headers`` override the sender and add headers; ``thread`` names the
    ticket the message is about (issue 15)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    values = {
        "to": recipients, "subject": subject[:250], "body": body, "pemda": pemda, "next_attempt_at": timezone.now(),
        "from_email": from_email, "headers": headers or {}, "thread": thread,
    }  # fmt: skip
    if fresh:
        message, created = OutboxMessage.objects.create(key=key, **values), True
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=values)
    if created and dispatching():
        transaction.on_commit(lambda: _schedule(message.pk))
    return message


def _schedule(message_id: int) -> None:
    from spbe.notify.tasks import deliver

    # A broker outage must not fail the user's request: deliver_pending()
    # picks the message up on its next run.
    with contextlib.suppress(Exception):
        deliver.delay(message_id)


def deliver_one(message_id: int) -> bool:
    """Send one message if it is due. The claim is a conditional UPDATE
    (pending, or claimed by a worker that died: its claim expired), so two
    live workers never send the same message.

    A worker killed after the mail server accepted the message but before
    it was marked sent leaves a claim that expires: the message is sent
    again (at least once, never lost), with the same Message-ID, by which
    mail servers and clients recognise the copy (issue 14)."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + _claim())  # fmt: skip
    if claimed != 1:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT)
        headers = {**message.headers, "Message-ID": message_id_of(message)}
        EmailMessage(message.subject, message.body, message.from_email or settings.DEFAULT_FROM_EMAIL, message.to,
                     connection=connection, headers=headers).send()  # fmt: skip
    except Exception as error:  # any transport failure: retry later
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxStatus.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING,
            last_error=str(error)[:1000], next_attempt_at=timezone.now() + timedelta(minutes=2**message.attempts),
        )  # fmt: skip
        return False
    OutboxMessage.objects.filter(pk=message_id).update(status=OutboxStatus.SENT, sent_at=timezone.now())
    return True


def message_id_of(message: OutboxMessage) -> str:
    """The same Message-ID at every attempt of one message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "layanan-spbe.local"
    return f"<outbox.{message.pk}.{message.created:%Y%m%d%H%M%S}@{domain}>"


def _claim() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def deliver_pending(limit: int = 500) -> int:
    """Every message due: pending ones and those whose worker died while
    sending. One whose worker died at every attempt is given up (failed)."""
    now = timezone.now()
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, next_attempt_at__lte=now, attempts__gte=MAX_ATTEMPTS
    ).update(status=OutboxStatus.FAILED, last_error="worker stopped while sending, at every attempt")
    due = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    )
    return sum(deliver_one(pk) for pk in due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
