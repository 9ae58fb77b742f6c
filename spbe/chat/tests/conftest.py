"""Fixtures of the chat tests (issue 15): an active service of each Pemda,
a Telegram bot of Yogyakarta and a WhatsApp number of Tegal with their
secrets in the environment, the local fake of the providers' send APIs,
Celery running tasks at once, and the clock frozen at Friday 20 November
2026, 16:45 WIB, a quarter of an hour after the recorded messages."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from spbe.catalog.models import Service
from spbe.celery import app as celery_app
from spbe.chat import actions
from spbe.chat.models import ChatChannel
from spbe.chat.tests.fake_provider import FakeProvider

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 20, 16, 45, tzinfo=WIB)
PAYLOADS = Path(__file__).parent / "payloads"
SECRETS = {
    "SPBE_CHAT_JOGJA_BOT_TOKEN": "7000001:AAH-telegram-token-uji",
    "SPBE_CHAT_JOGJA_BOT_SECRET": "rahasia-webhook-jogja",
    "SPBE_CHAT_TEGAL_WA_TOKEN": "EAAG-whatsapp-token-uji",
    "SPBE_CHAT_TEGAL_WA_APP_SECRET": "app-secret-tegal",
    "SPBE_CHAT_TEGAL_WA_VERIFY_TOKEN": "verifikasi-tegal",
}


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def make_service(pd, code: str, name: str) -> Service:
    return Service.objects.create(
        pd=pd, code=code, name=name, description="-", group="layanan_publik", classification="kritis",
        access="web", availability_target=Decimal("99.5"), help_contact="-", support_hours="24x7",
        lifecycle="active", status="approved", user_service_target_override=timedelta(hours=24),
        user_service_target_reason="Ditetapkan Pimpinan PD",
    )  # fmt: skip


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def secrets(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


@pytest.fixture
def fake(settings):
    provider = FakeProvider(SECRETS["SPBE_CHAT_JOGJA_BOT_TOKEN"], SECRETS["SPBE_CHAT_TEGAL_WA_TOKEN"]).start()
    settings.CHAT_TELEGRAM_API_URL = provider.url
    settings.CHAT_WHATSAPP_API_URL = provider.url + "/v21.0"
    yield provider
    provider.stop()


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def service(world, packs):
    return make_service(world.dukcapil, "DUK-01", "Pencetakan KTP-el")


@pytest.fixture
def tegal_service(world, packs):
    return make_service(world.tegal_dukcapil, "ADM-01", "Adminduk Daring")


@pytest.fixture
def bot(world, service, secrets):
    """Yogyakarta's Telegram bot, a channel of Disdukcapil."""
    return actions.save_channel(world.coordinator, ChatChannel(
        pemda=world.yogya, pd=world.dukcapil, provider="telegram", name="Bot Aduan Dukcapil Jogja", code="jogja-bot",
        default_service=service, default_kind="complaint", default_impact="minor",
    ))  # fmt: skip


@pytest.fixture
def wa(world, tegal_service, secrets):
    """Tegal's WhatsApp number, a channel of the whole Pemda."""
    return actions.save_channel(world.tegal_coordinator, ChatChannel(
        pemda=world.tegal, provider="whatsapp", name="WhatsApp Layanan SPBE Tegal", code="tegal-wa",
        default_service=tegal_service, default_kind="complaint", default_impact="mayor",
        phone_number_id="106540352242922",
    ))  # fmt: skip


def post_telegram(client, channel, update, secret=SECRETS["SPBE_CHAT_JOGJA_BOT_SECRET"]):
    body = update if isinstance(update, (bytes, str)) else json.dumps(update)
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return client.post(reverse("chat_webhook:telegram", args=[channel.code]), body,
                       content_type="application/json", **headers)  # fmt: skip


def sign(body: bytes, secret=SECRETS["SPBE_CHAT_TEGAL_WA_APP_SECRET"]) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_whatsapp(client, channel, notification, signature=None):
    body = notification if isinstance(notification, bytes) else json.dumps(notification).encode()
    return client.post(reverse("chat_webhook:whatsapp", args=[channel.code]), body, content_type="application/json",
                       HTTP_X_HUB_SIGNATURE_256=signature or sign(body))  # fmt: skip
