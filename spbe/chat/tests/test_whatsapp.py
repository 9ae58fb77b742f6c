"""A report by WhatsApp Business Cloud API (issue 15): Meta's verification
handshake, the app secret's signature over the raw body, a text that opens
a complaint with reporting method *chat*, the reply through the Graph API,
statuses acknowledged and ignored, and one Pemda's number isolated from
another's."""

import json

import pytest
from django.urls import reverse

from spbe.chat.models import ChatMessage
from spbe.chat.tests.conftest import payload, post_telegram, post_whatsapp, sign
from spbe.desk.choices import ReportingMethod
from spbe.desk.models import Ticket

pytestmark = pytest.mark.usefixtures("now", "eager")


@pytest.fixture
def send(client, wa, django_capture_on_commit_callbacks):
    def _send(notification, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_whatsapp(client, wa, notification, **kwargs)

    return _send


def handshake(client, channel, **params):
    query = {"hub.mode": "subscribe", "hub.verify_token": "verifikasi-tegal", "hub.challenge": "1158201444"}
    return client.get(reverse("chat_webhook:whatsapp", args=[channel.code]), {**query, **params})


def test_the_verification_handshake_echoes_the_challenge_only_with_the_verify_token(client, wa):
    ok = handshake(client, wa)
    assert ok.status_code == 200 and ok.content == b"1158201444" and ok["Content-Type"].startswith("text/plain")
    assert handshake(client, wa, **{"hub.verify_token": "tebakan"}).status_code == 403
    assert handshake(client, wa, **{"hub.mode": "unsubscribe"}).status_code == 400


def test_a_text_opens_a_complaint_and_the_reply_goes_through_the_graph_api(wa, fake, send, tegal_service):
    response = send(payload("whatsapp_text"))
    assert response.status_code == 200 and response.json()["received"] == 1
    ticket = Ticket.objects.get()
    assert (ticket.reporting_method, ticket.service, ticket.impact) == (ReportingMethod.CHAT, tegal_service, "mayor")
    assert ticket.subject == "Server Adminduk Daring tidak bisa diakses"
    assert (ticket.reporter_name, ticket.reporter_phone) == ("Budi Santoso", "+6281234567890")
    (sent,) = fake.sent("/v21.0/106540352242922/messages")
    assert sent.headers["Authorization"] == "Bearer EAAG-whatsapp-token-uji"
    assert sent.json["messaging_product"] == "whatsapp" and sent.json["to"] == "6281234567890"
    assert sent.json["type"] == "text" and ticket.number in sent.json["text"]["body"]
    reply = ChatMessage.objects.get(direction="out")
    assert reply.status == "sent" and reply.provider_message_id.startswith("wamid.FAKE")


def test_the_signature_is_checked_over_the_raw_body(wa, fake, send):
    body = json.dumps(payload("whatsapp_text")).encode()
    assert send(body, signature=sign(body, "rahasia-lain")).status_code == 403
    assert send(body, signature="sha1=" + sign(body)[7:]).status_code == 403
    tampered = body.replace(b"tidak bisa diakses", b"tidak bisa diakses!!")
    assert send(tampered, signature=sign(body)).status_code == 403
    assert not ChatMessage.objects.exists()
    # the same bytes with different whitespace are a different body: signed as sent, they pass
    spaced = json.dumps(payload("whatsapp_text"), indent=2).encode()
    assert send(spaced, signature=sign(spaced)).status_code == 200


def test_a_replayed_notification_is_one_ticket(wa, fake, send):
    send(payload("whatsapp_text"))
    assert send(payload("whatsapp_text")).json()["received"] == 0
    assert Ticket.objects.count() == 1 and len(fake.sent("/messages")) == 1


def test_delivery_statuses_are_acknowledged_and_ignored(wa, fake, send):
    response = send(payload("whatsapp_status"))
    assert response.status_code == 200 and response.json()["received"] == 0
    assert not ChatMessage.objects.exists() and not fake.requests


def test_an_image_gets_a_polite_answer(wa, fake, send):
    send(payload("whatsapp_image"))
    assert not Ticket.objects.exists()
    (sent,) = fake.sent("/messages")
    assert "pesan teks" in sent.json["text"]["body"]


def test_another_numbers_messages_are_not_this_channels(wa, fake, send):
    other = payload("whatsapp_text")
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999"
    assert send(other).json()["received"] == 0
    assert not Ticket.objects.exists()


MALFORMED = [
    b"{}",
    b'{"object": "page", "entry": []}',
    b'{"object": "whatsapp_business_account"}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": '
    b'{"metadata": {"phone_number_id": "106540352242922"}, "messages": [{}]}}]}]}',
]


@pytest.mark.parametrize("body", MALFORMED)
def test_a_malformed_notification_is_400(wa, send, body):
    assert send(body).status_code == 400


def test_one_pemdas_secret_does_not_open_another_pemdas_channel(client, world, wa, bot, fake, send):
    """Tegal's app secret signs nothing for Yogyakarta's bot, and Yogyakarta's
    Telegram secret is not Tegal's: each channel trusts only its own."""
    assert post_telegram(client, bot, payload("telegram_message"), secret="app-secret-tegal").status_code == 403
    body = json.dumps(payload("whatsapp_text")).encode()
    assert send(body, signature=sign(body, "rahasia-webhook-jogja")).status_code == 403
    assert client.post(reverse("chat_webhook:whatsapp", args=[bot.code]), body, content_type="application/json",
                       HTTP_X_HUB_SIGNATURE_256=sign(body)).status_code == 404  # fmt: skip
    send(body)
    assert Ticket.objects.get().pemda == world.tegal
