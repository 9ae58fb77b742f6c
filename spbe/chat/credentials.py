"""The channels' secrets, from the environment only (never the database,
never a log line), like the SSO client secret (``spbe.org.sso``).

``SPBE_CHAT_<CODE>_TOKEN``: Telegram bot token / WhatsApp access token (sending).
``SPBE_CHAT_<CODE>_SECRET``: Telegram ``secret_token`` given to setWebhook.
``SPBE_CHAT_<CODE>_APP_SECRET``: WhatsApp app secret (``X-Hub-Signature-256``).
``SPBE_CHAT_<CODE>_VERIFY_TOKEN``: WhatsApp webhook verification handshake.

<CODE> is the channel's code in capitals with ``-`` as ``_``."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from spbe.chat.choices import ChatProvider

NEEDED = {
    ChatProvider.TELEGRAM: ("TOKEN", "SECRET"),
    ChatProvider.WHATSAPP: ("TOKEN", "APP_SECRET", "VERIFY_TOKEN"),
}
PURPOSE = {
    "TOKEN": _("token bot / access token untuk mengirim balasan"),
    "SECRET": _("secret_token webhook Telegram (header X-Telegram-Bot-Api-Secret-Token)"),
    "APP_SECRET": _("app secret Meta untuk memeriksa X-Hub-Signature-256"),
    "VERIFY_TOKEN": _("verify token saat mendaftarkan webhook WhatsApp"),
}


def variable(code: str, name: str) -> str:
    return f"SPBE_CHAT_{code.upper().replace('-', '_')}_{name}"


def secret(channel, name: str) -> str:
    return os.environ.get(variable(channel.code, name), "")


@dataclass(frozen=True)
class Variable:
    name: str
    purpose: str
    is_set: bool


def variables(channel) -> list[Variable]:
    """What the operator must set for this channel, and whether it is (never its value)."""
    return [
        Variable(variable(channel.code, name), PURPOSE[name], bool(secret(channel, name)))
        for name in NEEDED[channel.provider]
    ]


def api_url(provider: str) -> str:
    """The provider's API base; tests point it at the local fake."""
    if provider == ChatProvider.TELEGRAM:
        return settings.CHAT_TELEGRAM_API_URL.rstrip("/")
    return settings.CHAT_WHATSAPP_API_URL.rstrip("/")


def same(given: str, expected: str) -> bool:
    """Constant-time comparison; an unset secret never matches."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def telegram_secret_ok(channel, header: str) -> bool:
    return same(header or "", secret(channel, "SECRET"))


def whatsapp_signature_ok(channel, body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>``."""
    app_secret = secret(channel, "APP_SECRET")
    if not app_secret or not (header or "").startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").lower().encode(), expected.encode())


def verify_token_ok(channel, given: str) -> bool:
    return same(given or "", secret(channel, "VERIFY_TOKEN"))
