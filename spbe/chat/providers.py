"""What the two providers send us and how we answer them: the payloads are
read into one shape (``Incoming``), replies go out through the provider's
send API. Telegram Bot API: https://core.telegram.org/bots/api#update and
#sendmessage; WhatsApp Business Cloud API: the ``messages`` webhook field
and ``POST /{phone-number-id}/messages``.

The bot token is part of Telegram's URL: no error text leaves this module
with it inside (``_scrub``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.utils import timezone

from spbe.chat import credentials
from spbe.chat.choices import ChatMessageKind, ChatProvider

TIMEOUT = (5, 20)  # connect, read (seconds)
TEXT_LIMIT = 4096  # both providers refuse longer text messages


class Malformed(ValueError):
    """The payload is not what the provider documents (answered 400)."""


class SendError(Exception):
    """The provider refused or could not be reached. ``permanent``: sending
    again will not help (bad token, unknown chat, WhatsApp's 24-hour window)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Incoming:
    external_id: str  # Telegram chat id, WhatsApp wa_id
    message_id: str  # unique per channel
    text: str
    kind: str = ChatMessageKind.TEXT
    name: str = ""
    username: str = ""
    phone: str = ""
    at: datetime | None = None


def _when(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not an object")
    return value


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- Telegram -------------------------------------------------------------------------------


def parse_telegram(update) -> list[Incoming]:
    """The new message of a private chat, if the update holds one. Edited
    messages, channel posts, group chats, bots and other update kinds are
    not reports: nothing (answered 200, so Telegram does not retry)."""
    update = _dict(update, "update")
    if not isinstance(update.get("update_id"), int):
        raise Malformed("update_id missing")
    if "message" not in update:
        return []
    message = _dict(update["message"], "message")
    chat = _dict(message.get("chat"), "message.chat")
    sender = _dict(message.get("from", {}), "message.from")
    if not isinstance(message.get("message_id"), int) or not isinstance(chat.get("id"), int):
        raise Malformed("message_id or chat.id missing")
    if chat.get("type") != "private" or sender.get("is_bot"):
        return []
    text = _text(message.get("text"))
    kind = ChatMessageKind.TEXT
    if not text:
        kind, text = ChatMessageKind.MEDIA, _text(message.get("caption"))
    elif text.startswith("/"):
        kind = ChatMessageKind.COMMAND
    name = " ".join(_text(sender.get(part)) for part in ("first_name", "last_name")).strip()
    contact = message.get("contact") if isinstance(message.get("contact"), dict) else {}
    return [Incoming(
        external_id=str(chat["id"]), message_id=f"{chat['id']}:{message['message_id']}", text=text, kind=kind,
        name=name[:150], username=_text(sender.get("username"))[:64],
        phone=_text(contact.get("phone_number"))[:30] if contact.get("user_id") == sender.get("id") else "",
        at=_when(message.get("date")),
    )]  # fmt: skip


# --- WhatsApp -------------------------------------------------------------------------------


def parse_whatsapp(body, phone_number_id: str) -> list[Incoming]:
    """Every message to this channel's number in the notification (one
    notification may carry several). Status updates (sent, delivered,
    read) and other numbers' messages are skipped."""
    body = _dict(body, "body")
    entries = body.get("entry")
    if body.get("object") != "whatsapp_business_account" or not isinstance(entries, list):
        raise Malformed("not a WhatsApp Business Account notification")
    found = []
    for entry in entries:
        changes = _dict(entry, "entry").get("changes", [])
        if not isinstance(changes, list):
            raise Malformed("entry.changes is not a list")
        for change in changes:
            change = _dict(change, "change")
            if change.get("field") != "messages":
                continue
            value = _dict(change.get("value"), "change.value")
            metadata = _dict(value.get("metadata", {}), "value.metadata")
            if str(metadata.get("phone_number_id", "")) != phone_number_id:
                continue
            found += _whatsapp_messages(value)
    return found


def _whatsapp_messages(value: dict) -> list[Incoming]:
    contacts, messages = value.get("contacts", []), value.get("messages", [])
    if not isinstance(contacts, list) or not isinstance(messages, list):
        raise Malformed("contacts or messages is not a list")
    names = {}
    for contact in contacts:
        contact = _dict(contact, "contact")
        profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
        names[str(contact.get("wa_id", ""))] = _text(profile.get("name"))
    found = []
    for message in messages:
        message = _dict(message, "message")
        sender, message_id, kind = message.get("from"), message.get("id"), message.get("type")
        if not isinstance(sender, str) or not sender.isdigit() or not isinstance(message_id, str) or not message_id:
            raise Malformed("message.from or message.id missing")
        if kind == "text":
            text, what = _text(_dict(message.get("text"), "message.text").get("body")), ChatMessageKind.TEXT
        else:  # image, audio, document, sticker, location, reaction, interactive, …
            media = message.get(kind) if isinstance(kind, str) and isinstance(message.get(kind), dict) else {}
            text, what = _text(media.get("caption")), ChatMessageKind.MEDIA
        if kind == "reaction":  # an emoji on an earlier message: nothing to say or answer
            continue
        found.append(Incoming(
            external_id=sender, message_id=message_id[:128], text=text, kind=what, name=names.get(sender, "")[:150],
            phone=f"+{sender}"[:30], at=_when(message.get("timestamp")),
        ))  # fmt: skip
    return found


# --- Sending --------------------------------------------------------------------------------


def _scrub(text: str, channel) -> str:
    token = credentials.secret(channel, "TOKEN")
    return text.replace(token, "***") if token else text


def _call(channel, method: str, path: str, **kwargs) -> dict:
    token = credentials.secret(channel, "TOKEN")
    if not token:
        raise SendError(
            f"{credentials.variable(channel.code, 'TOKEN')} belum diisi di lingkungan server.", permanent=True
        )
    base = credentials.api_url(channel.provider)
    if channel.provider == ChatProvider.TELEGRAM:
        url = f"{base}/bot{token}/{path}"
    else:
        url = f"{base}/{path}"
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    try:
        response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise SendError(_scrub(f"{type(error).__name__}: {error}", channel)) from None
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if response.status_code >= 400 or (channel.provider == ChatProvider.TELEGRAM and not data.get("ok")):
        raise SendError(_scrub(_refusal(response.status_code, data), channel),
                        permanent=_permanent(response.status_code, data))  # fmt: skip
    return data


def _refusal(status: int, data: dict) -> str:
    error = data.get("error")
    if isinstance(error, dict):  # Graph API: {"error": {"message", "code", "error_data": {"details"}}}
        details = error.get("error_data", {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
        return f"HTTP {status}: {error.get('message', '')} (kode {error.get('code', '?')}) {details}".strip()
    return f"HTTP {status}: {data.get('description', '') or 'tanpa keterangan'}"


# WhatsApp's "re-engagement" (outside the 24-hour window) and "recipient not a WhatsApp user"
PERMANENT_WHATSAPP_CODES = {131047, 131026, 131051, 100, 190}


def _permanent(status: int, data: dict) -> bool:
    """Client errors do not heal by themselves; rate limits and server errors do."""
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    if error.get("code") in PERMANENT_WHATSAPP_CODES:
        return True
    return 400 <= status < 500 and status not in (408, 409, 429)


def send(channel, external_id: str, text: str) -> str:
    """Send a text; returns the provider's id of the sent message."""
    text = text[:TEXT_LIMIT]
    if channel.provider == ChatProvider.TELEGRAM:
        data = _call(channel, "POST", "sendMessage", json={"chat_id": int(external_id), "text": text})
        result = data.get("result") if isinstance(data.get("result"), dict) else {}
        return str(result.get("message_id", ""))
    data = _call(channel, "POST", f"{channel.phone_number_id}/messages", json={
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": external_id, "type": "text",
        "text": {"preview_url": False, "body": text},
    })  # fmt: skip
    messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    return str(messages[0].get("id", "")) if messages and isinstance(messages[0], dict) else ""


def check(channel) -> str:
    """Ask the provider who we are (Telegram ``getMe``, WhatsApp the phone
    number's display number): proves the token and the base URL."""
    if channel.provider == ChatProvider.TELEGRAM:
        result = _call(channel, "GET", "getMe").get("result") or {}
        return f"@{result.get('username', '?')}" if isinstance(result, dict) else "?"
    if not channel.phone_number_id:
        raise SendError("Phone number ID belum diisi.", permanent=True)
    data = _call(channel, "GET", channel.phone_number_id,
                 params={"fields": "display_phone_number,verified_name"})  # fmt: skip
    return f"{data.get('display_phone_number', '?')} ({data.get('verified_name', '')})".replace(" ()", "")
