"""Every state change of the chat channels (issue 15; O-1/O-2 item 3, a
report by chat): a channel saved, a message received (which opens or
continues a ticket through ``spbe.desk.actions``, so the timeline and the
clocks are the desk's), a reply queued, a failed reply sent again."""

from __future__ import annotations

import contextlib
import contextvars
import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.chat.choices import ChatDirection, ChatMessageKind, ChatMessageStatus
from spbe.chat.models import ChatChannel, ChatConversation, ChatMessage
from spbe.chat.providers import Incoming
from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketKind, TicketStatus
from spbe.desk.models import Ticket
from spbe.notify import outbox

log = logging.getLogger(__name__)

CHANNEL_FIELDS = ["pemda", "pd", "provider", "name", "code", "default_service", "default_kind", "default_impact",
                  "phone_number_id", "welcome", "is_active"]  # fmt: skip
SUBJECT_LIMIT = 120
# The conversation whose first message is opening a ticket: the desk tells
# the reporter inside open_ticket, before the message is linked to it.
_opening: contextvars.ContextVar[ChatConversation | None] = contextvars.ContextVar("spbe_chat_opening", default=None)


# --- Channels -----------------------------------------------------------------------------------


@transaction.atomic
def save_channel(actor, channel: ChatChannel) -> ChatChannel:
    """Create or change a channel; its secrets are the server's environment's."""
    creating = channel.pk is None
    before = {} if creating else snapshot(ChatChannel.objects.get(pk=channel.pk), CHANNEL_FIELDS)
    if creating:
        channel.created_by = actor
    channel.full_clean()
    channel.save()
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=channel,
           pemda=channel.pemda, changes=diff(before, snapshot(channel, CHANNEL_FIELDS)))  # fmt: skip
    return channel


# --- Inbound ------------------------------------------------------------------------------------


def welcome_text(channel: ChatChannel) -> str:
    return channel.welcome.strip() or _(
        "Selamat datang di layanan pengaduan %(pemda)s.\n\nTuliskan keluhan atau permintaan Anda dalam pesan teks: "
        "layanan apa, apa yang terjadi, dan sejak kapan. Kami membalas dengan nomor tiket; pesan berikutnya di "
        "percakapan ini menjadi tambahan laporan tersebut."
    ) % {"pemda": channel.pemda.name}


def portal_url(channel: ChatChannel) -> str:
    return settings.SITE_URL + reverse("portal:home", args=[channel.pemda.slug])


def media_text(channel: ChatChannel) -> str:
    return _(
        "Maaf, kami baru dapat membaca pesan teks. Tuliskan laporan Anda sebagai teks, atau unggah foto/berkas "
        "melalui portal: %(link)s"
    ) % {"link": portal_url(channel)}


def receive(channel: ChatChannel, incoming: Incoming) -> ChatMessage | None:
    """One message from the provider. Returns None when it was already
    received (the provider sent the update again): nothing changes."""
    with translation.override(settings.LANGUAGE_CODE):  # the citizen's words, whatever the request's language
        try:
            with transaction.atomic():
                return _receive(channel, incoming)
        except _Replayed:
            return None


class _Replayed(Exception):
    pass


def _receive(channel: ChatChannel, incoming: Incoming) -> ChatMessage:
    now = timezone.now()
    at = min(incoming.at or now, now)  # a provider's clock ahead of ours must not report from the future
    conversation, _created = ChatConversation.objects.get_or_create(
        channel=channel, external_id=incoming.external_id,
        defaults={"display_name": incoming.name, "username": incoming.username, "phone": incoming.phone},
    )  # fmt: skip
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                channel=channel, conversation=conversation, direction=ChatDirection.IN, kind=incoming.kind,
                provider_message_id=incoming.message_id, text=incoming.text, status=ChatMessageStatus.RECEIVED, at=at,
            )  # fmt: skip
    except IntegrityError:
        raise _Replayed from None
    _remember(conversation, incoming, at)
    if incoming.kind == ChatMessageKind.COMMAND:
        queue_reply(conversation, welcome_text(channel), key=f"chat-{message.pk}-welcome")
        return message
    if incoming.kind == ChatMessageKind.MEDIA:
        queue_reply(conversation, media_text(channel), key=f"chat-{message.pk}-media")
        if not incoming.text:  # a caption is read as the report's text
            return message
    _file(channel, conversation, message, at)
    return message


def _remember(conversation: ChatConversation, incoming: Incoming, at: datetime) -> None:
    """The person's name and handle as the provider last gave them."""
    conversation.display_name = incoming.name or conversation.display_name
    conversation.username = incoming.username or conversation.username
    conversation.phone = incoming.phone or conversation.phone
    conversation.last_message_at = max(at, conversation.last_message_at or at)
    conversation.save(update_fields=["display_name", "username", "phone", "last_message_at"])


def _subject(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(line) > SUBJECT_LIMIT:
        line = line[: SUBJECT_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return line or _("Laporan melalui chat")


def _file(channel: ChatChannel, conversation: ChatConversation, message: ChatMessage, at: datetime) -> None:
    """Continue the conversation's ticket while it is open or awaiting
    confirmation (an answer to a question resumes its clocks); otherwise
    open a new one on the channel's default service."""
    ticket = conversation.ticket
    earlier = ""
    if ticket is not None and ticket.status not in (TicketStatus.CLOSED, TicketStatus.REJECTED):
        try:
            # our time, not the provider's: a message written before the agent's question but
            # delivered after it still answers it, and a pause cannot end before it began
            desk.reporter_wrote(None, ticket, message.text, at=timezone.now(), via="chat")
        except ValidationError:
            earlier = ticket.number
        else:
            _link(conversation, message, ticket)
            return
    elif ticket is not None:
        earlier = ticket.number
    description = message.text
    if earlier:
        description += "\n\n" + _("(Lanjutan dari tiket %(number)s yang sudah ditutup.)") % {"number": earlier}
    reporter = desk.Reporter(
        name=conversation.display_name or conversation.username or _("Pengguna %(provider)s %(id)s") % {
            "provider": channel.get_provider_display(), "id": conversation.external_id},
        phone=conversation.phone,
    )  # fmt: skip
    token = _opening.set(conversation)
    try:
        ticket = desk.open_ticket(
            actor=None, service=channel.default_service, kind=channel.default_kind, reporter=reporter,
            subject=_subject(message.text), description=description, reporting_method=ReportingMethod.CHAT,
            reported_at=at, impact=channel.default_impact if channel.default_kind == TicketKind.COMPLAINT else "",
        )  # fmt: skip
    except ValidationError as error:
        # the channel's settings went stale (service retired): the message is kept, the operator sees why
        reason = "; ".join(error.messages)
        log.warning("chat message not filed", extra={"channel": channel.code, "error": reason})
        failure = _("Tiket tidak dapat dibuka: %(e)s") % {"e": reason}
        ChatMessage.objects.filter(pk=message.pk).update(last_error=failure)
        queue_reply(conversation, _("Maaf, laporan Anda belum dapat dicatat otomatis. Petugas kami akan "
                                    "menindaklanjutinya."), key=f"chat-{message.pk}-unfiled")  # fmt: skip
        return
    finally:
        _opening.reset(token)
    conversation.ticket = ticket
    conversation.save(update_fields=["ticket"])
    _link(conversation, message, ticket)


def _link(conversation: ChatConversation, message: ChatMessage, ticket: Ticket) -> None:
    message.ticket = ticket
    message.save(update_fields=["ticket"])


# --- Outbound -----------------------------------------------------------------------------------


def conversation_of(ticket: Ticket) -> ChatConversation | None:
    """The conversation a ticket came from: the one opening it right now,
    or the one whose messages it holds."""
    if ticket.reporting_method != ReportingMethod.CHAT:
        return None  # no query for the tickets of every other channel
    opening = _opening.get()
    if opening is not None:
        return opening
    inbound = ChatMessage.objects.filter(ticket=ticket, direction=ChatDirection.IN)
    message = inbound.select_related("conversation__channel").order_by("-id").first()
    return message.conversation if message else None


def reporter_told(ticket: Ticket, key: str, subject: str, text: str) -> ChatMessage | None:
    """What the desk tells the reporter goes to their chat too, once per
    ``key`` (the same words the e-mail carries: the number, the link)."""
    conversation = conversation_of(ticket)
    if conversation is None or not conversation.channel.is_active:
        return None
    return queue_reply(conversation, f"{subject}\n\n{text}".strip(), key=f"desk-{key}"[:120], ticket=ticket)


def queue_reply(conversation: ChatConversation, text: str, *, key: str, ticket: Ticket | None = None):
    """Save a reply with the caller's transaction; send it after the commit."""
    channel = conversation.channel
    message, created = ChatMessage.objects.get_or_create(
        channel=channel, key=key, defaults={
            "conversation": conversation, "direction": ChatDirection.OUT, "text": text[:4096], "ticket": ticket,
            "status": ChatMessageStatus.PENDING, "next_attempt_at": timezone.now(), "at": timezone.now(),
        },
    )  # fmt: skip
    if created and outbox.dispatching():
        transaction.on_commit(lambda: schedule(message.pk))
    return message


def schedule(message_id: int) -> None:
    from spbe.chat.tasks import deliver

    # A broker outage must not fail the webhook or the agent's request:
    # deliver_pending() picks the message up on its next run.
    with contextlib.suppress(Exception):
        deliver.delay(message_id)


@transaction.atomic
def resend(actor, message: ChatMessage) -> ChatMessage:
    """Try a failed reply again, from the first attempt (after fixing the
    token, or when the reporter wrote again and WhatsApp's window reopened)."""
    if message.direction != ChatDirection.OUT or message.status != ChatMessageStatus.FAILED:
        raise ValidationError(_("Hanya pesan keluar yang gagal dapat dikirim ulang."))
    ChatMessage.objects.filter(pk=message.pk).update(status=ChatMessageStatus.PENDING, attempts=0,
                                                     next_attempt_at=timezone.now())  # fmt: skip
    record(actor=actor, action=AuditAction.UPDATE, target=message, pemda=message.channel.pemda,
           changes={"status": [ChatMessageStatus.FAILED.value, ChatMessageStatus.PENDING.value]})  # fmt: skip
    transaction.on_commit(lambda: schedule(message.pk))
    message.refresh_from_db()
    return message
