"""Delivering replies through the provider's send API, as the outbox
delivers e-mail (``spbe.notify.outbox``): a conditional UPDATE claims the
message (two workers never send it together; a claim of a worker that died
expires), a transport error or a refusal that may heal (429, 5xx) is
retried with back-off, a refusal that will not (bad token, WhatsApp's
24-hour window) fails at once, and MAX_ATTEMPTS failures fail it for good:
the channel page shows it with its error and a "Kirim ulang" button."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from spbe.chat import providers
from spbe.chat.choices import OUTBOUND_DUE, ChatDirection, ChatMessageStatus
from spbe.chat.models import ChatMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def _claim() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8, 16 minutes after the 1st…4th failure."""
    return timedelta(minutes=2**attempts)


def deliver_one(message_id: int) -> bool:
    now = timezone.now()
    claimed = ChatMessage.objects.filter(
        pk=message_id, direction=ChatDirection.OUT, status__in=OUTBOUND_DUE, next_attempt_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=ChatMessageStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + _claim())  # fmt: skip
    if claimed != 1:
        return False
    message = ChatMessage.objects.select_related("channel", "conversation").get(pk=message_id)
    try:
        provider_id = providers.send(message.channel, message.conversation.external_id, message.text)
    except providers.SendError as error:
        final = error.permanent or message.attempts >= MAX_ATTEMPTS
        log.warning("chat reply not sent", extra={"channel": message.channel.code, "chat_message": message_id,
                                                  "attempt": message.attempts, "final": final})  # fmt: skip
        ChatMessage.objects.filter(pk=message_id).update(
            status=ChatMessageStatus.FAILED if final else ChatMessageStatus.PENDING, last_error=str(error)[:1000],
            next_attempt_at=None if final else timezone.now() + backoff(message.attempts),
        )  # fmt: skip
        return False
    ChatMessage.objects.filter(pk=message_id).update(
        status=ChatMessageStatus.SENT, sent_at=timezone.now(), provider_message_id=provider_id[:128], last_error="",
        next_attempt_at=None,
    )  # fmt: skip
    return True


def deliver_pending(limit: int = 500) -> int:
    """Every reply due: pending ones and those whose worker died while
    sending. One whose worker died at every attempt is given up."""
    now = timezone.now()
    ChatMessage.objects.filter(
        status=ChatMessageStatus.SENDING, next_attempt_at__lte=now, attempts__gte=MAX_ATTEMPTS
    ).update(status=ChatMessageStatus.FAILED, next_attempt_at=None, last_error="worker stopped while sending")
    due = ChatMessage.objects.filter(status__in=OUTBOUND_DUE, next_attempt_at__lte=now).order_by("next_attempt_at")
    return sum(deliver_one(pk) for pk in due.values_list("pk", flat=True)[:limit])
