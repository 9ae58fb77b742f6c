"""Replies are delivered like the outbox's e-mail (issue 15): retried with
back-off when the provider fails or limits us, given up after MAX_ATTEMPTS
and shown failed with "Kirim ulang"; refused at once when retrying cannot
help; never with a token in an error text; two workers never send one reply."""

from datetime import timedelta

import pytest

from spbe.chat import actions, delivery
from spbe.chat.models import ChatMessage
from spbe.chat.tests.conftest import SECRETS, payload, post_telegram
from spbe.notify.outbox import without_dispatch

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def reply(client, bot, fake):
    """The acknowledgement of a first message, queued but not yet sent (no Celery)."""
    post_telegram(client, bot, payload("telegram_message"))
    return ChatMessage.objects.get(direction="out")


def state(message):
    message.refresh_from_db()
    return message.status, message.attempts


def test_a_provider_error_is_retried_with_back_off_then_sent(reply, fake, time_machine, now):
    fake.fail(500)
    assert delivery.deliver_one(reply.pk) is False
    assert state(reply) == ("pending", 1)
    assert reply.next_attempt_at == now + timedelta(minutes=2)
    assert "HTTP 500" in reply.last_error
    assert delivery.deliver_pending() == 0  # not yet due
    time_machine.shift(timedelta(minutes=2))
    assert delivery.deliver_pending() == 1
    assert state(reply) == ("sent", 2)
    assert reply.last_error == ""


def test_rate_limited_then_failed_after_max_attempts_and_sent_again_by_hand(world, reply, fake, time_machine):
    fake.fail(429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5"},
              times=delivery.MAX_ATTEMPTS)  # fmt: skip
    for _attempt in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_pending()
        time_machine.shift(timedelta(minutes=20))
    assert state(reply) == ("failed", delivery.MAX_ATTEMPTS)
    assert "Too Many Requests" in reply.last_error
    assert delivery.deliver_pending() == 0  # given up
    actions.resend(world.owner_admin, reply)
    assert state(reply) == ("pending", 0)
    assert delivery.deliver_pending() == 1
    assert state(reply) == ("sent", 1)


def test_a_refusal_that_retrying_cannot_heal_fails_at_once(reply, fake):
    fake.fail(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    delivery.deliver_one(reply.pk)
    assert state(reply) == ("failed", 1)
    assert "chat not found" in reply.last_error


def test_whatsapps_24_hour_window_fails_at_once(client, wa, fake, django_capture_on_commit_callbacks):
    from spbe.chat.tests.conftest import post_whatsapp

    post_whatsapp(client, wa, payload("whatsapp_text"))
    message = ChatMessage.objects.get(direction="out")
    fake.fail(400, {"error": {"message": "Re-engagement message", "type": "OAuthException", "code": 131047,
                              "error_data": {"details": "More than 24 hours have passed"}}})  # fmt: skip
    delivery.deliver_one(message.pk)
    assert state(message) == ("failed", 1)
    assert "131047" in message.last_error and "24 hours" in message.last_error


def test_no_token_and_an_unreachable_provider_say_so_without_the_token(reply, settings, monkeypatch):
    settings.CHAT_TELEGRAM_API_URL = "http://127.0.0.1:15099"  # nothing listens there
    delivery.deliver_one(reply.pk)
    assert state(reply) == ("pending", 1)
    assert "ConnectionError" in reply.last_error
    assert SECRETS["SPBE_CHAT_JOGJA_BOT_TOKEN"] not in reply.last_error and "***" in reply.last_error
    monkeypatch.delenv("SPBE_CHAT_JOGJA_BOT_TOKEN")
    ChatMessage.objects.filter(pk=reply.pk).update(next_attempt_at=reply.created)
    delivery.deliver_one(reply.pk)
    assert state(reply) == ("failed", 2)
    assert "SPBE_CHAT_JOGJA_BOT_TOKEN" in reply.last_error


def test_a_claimed_reply_is_not_sent_twice(reply, fake):
    ChatMessage.objects.filter(pk=reply.pk).update(status="sending", next_attempt_at=reply.created + timedelta(hours=1))
    assert delivery.deliver_one(reply.pk) is False
    assert not fake.requests


def test_only_a_failed_outbound_message_can_be_sent_again(world, reply):
    with pytest.raises(Exception, match="gagal"):
        actions.resend(world.owner_admin, reply)
    with pytest.raises(Exception, match="gagal"):
        actions.resend(world.owner_admin, ChatMessage.objects.get(direction="in"))


def test_demo_history_queues_nothing_to_send(client, bot, fake, django_capture_on_commit_callbacks, eager):
    with without_dispatch(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_telegram(client, bot, payload("telegram_message"))
    assert ChatMessage.objects.filter(direction="out").count() == 1
    assert not [c for c in callbacks if "schedule" in getattr(c, "__qualname__", "")]
    assert not fake.sent("/sendMessage")


@pytest.fixture
def eager():
    from spbe.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
