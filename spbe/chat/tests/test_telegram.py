"""A report by Telegram (issue 15; O-2 item 3, reporting method *chat*): a
message opens a complaint or continues the conversation's ticket, a replayed
update changes nothing, the desk's words go back to the chat, an answer to
the agent's question resumes the paused clock (P-1), and the webhook trusts
only Telegram's secret token."""

import pytest

from spbe.chat.models import ChatConversation, ChatMessage
from spbe.chat.tests.conftest import payload, post_telegram
from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketStatus, TimelineKind
from spbe.desk.models import Ticket

pytestmark = pytest.mark.usefixtures("now", "eager")


@pytest.fixture
def send(client, bot, django_capture_on_commit_callbacks):
    """Post an update as Telegram would and run what is queued after the commit."""

    def _send(update, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_telegram(client, bot, update, **kwargs)

    return _send


def test_a_message_opens_a_complaint_by_chat_and_the_reporter_gets_its_number(bot, fake, send, service):
    response = send(payload("telegram_message"))
    assert response.status_code == 200 and response.json()["received"] == 1
    ticket = Ticket.objects.get()
    assert ticket.reporting_method == ReportingMethod.CHAT
    assert (ticket.kind, ticket.service, ticket.impact) == ("complaint", service, "minor")
    assert ticket.subject == "Aplikasi KTP-el tidak bisa dibuka"
    assert "halaman putih" in ticket.description
    assert ticket.reporter_name == "Siti Rahayu"
    assert ticket.reported_at.timestamp() == 1795167000  # the time the citizen wrote, not the time we read it
    (sent,) = fake.sent("/sendMessage")
    assert sent.json["chat_id"] == 123456789
    assert ticket.number in sent.json["text"]
    reply = ChatMessage.objects.get(direction="out")
    assert (reply.status, reply.ticket, reply.provider_message_id) == ("sent", ticket, "1001")
    assert ChatConversation.objects.get().ticket == ticket


def test_the_same_update_sent_twice_is_one_ticket_and_one_reply(bot, fake, send):
    assert send(payload("telegram_message")).json()["received"] == 1
    again = send(payload("telegram_message"))
    assert again.status_code == 200 and again.json() == {"ok": True, "message": "ok", "received": 0, "ignored": 1}
    assert Ticket.objects.count() == 1
    assert ChatMessage.objects.filter(direction="in").count() == 1
    assert len(fake.sent("/sendMessage")) == 1


def test_a_second_message_continues_the_ticket_on_its_timeline(bot, fake, send):
    send(payload("telegram_message"))
    send(payload("telegram_followup"))
    ticket = Ticket.objects.get()
    note = ticket.timeline.filter(kind=TimelineKind.REPLIED).get()
    assert note.message == "Saya pakai Chrome di laptop kantor, versi terbaru."
    assert note.data == {"via": "chat"}
    assert ChatMessage.objects.filter(direction="in", ticket=ticket).count() == 2


def test_the_agents_response_reaches_the_chat_with_the_ticket_number(
    world, bot, fake, send, django_capture_on_commit_callbacks
):
    send(payload("telegram_message"))
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        desk.respond(world.owner_admin, ticket, "Sedang kami periksa bersama vendor.")
    last = fake.sent("/sendMessage")[-1].json
    assert last["chat_id"] == 123456789
    assert f"[{ticket.number}]" in last["text"] and "Sedang kami periksa bersama vendor." in last["text"]


def test_an_answer_to_the_agents_question_resumes_the_paused_clock(world, bot, fake, send,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    send(payload("telegram_message"))
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        desk.respond(world.owner_admin, ticket, "Kami periksa.")
        desk.wait_for_reporter(world.owner_admin, ticket, "Peramban apa yang dipakai?")
    assert "Peramban apa yang dipakai?" in fake.sent("/sendMessage")[-1].json["text"]
    clock = desk.ticket_clocks(ticket).get(kind=ClockKind.USER_SERVICE)
    assert clock.state == ClockState.PAUSED
    followup = payload("telegram_followup")
    followup["message"]["date"] = 1795167000 + 600  # 16:40, before the frozen 16:45
    send(followup)
    ticket.refresh_from_db()
    clock.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert clock.state == ClockState.RUNNING


def test_a_closed_ticket_is_not_continued_a_new_one_names_it(world, bot, fake, send):
    send(payload("telegram_message"))
    first = Ticket.objects.get()
    desk.resolve(world.owner_admin, first, "Cache dibersihkan.")
    desk.confirm(None, first, satisfaction=4)
    send(payload("telegram_followup"))
    second = Ticket.objects.exclude(pk=first.pk).get()
    assert first.number in second.description
    assert ChatConversation.objects.get().ticket == second


def test_start_is_welcomed_without_a_ticket(bot, fake, send):
    send(payload("telegram_start"))
    assert not Ticket.objects.exists()
    (sent,) = fake.sent("/sendMessage")
    assert "Selamat datang" in sent.json["text"] and "Kota Yogyakarta" in sent.json["text"]


def test_a_photo_gets_a_polite_answer_and_no_ticket(bot, fake, send):
    send(payload("telegram_photo"))
    assert not Ticket.objects.exists()
    (sent,) = fake.sent("/sendMessage")
    assert "pesan teks" in sent.json["text"] and "/portal/yogya/" in sent.json["text"]
    assert ChatMessage.objects.get(direction="in").kind == "media"


@pytest.mark.parametrize("name", ["telegram_edited", "telegram_group"])
def test_edited_messages_and_group_chats_are_acknowledged_and_ignored(bot, fake, send, name):
    response = send(payload(name))
    assert response.status_code == 200 and response.json()["received"] == 0
    assert not ChatMessage.objects.exists() and not fake.requests


@pytest.mark.parametrize("secret", ["salah", "", None])
def test_a_wrong_or_missing_secret_token_is_refused(bot, send, secret):
    response = send(payload("telegram_message"), secret=secret)
    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert not ChatMessage.objects.exists()


def test_no_secret_configured_refuses_everything(bot, send, monkeypatch):
    monkeypatch.delenv("SPBE_CHAT_JOGJA_BOT_SECRET")
    assert send(payload("telegram_message"), secret="").status_code == 403


def test_unknown_or_inactive_channel_is_404(client, bot, send):
    bot.is_active = False
    bot.save()
    assert send(payload("telegram_message")).status_code == 404
    assert client.post("/kanal/webhook/telegram/tidak-ada/", "{}", content_type="application/json").status_code == 404
    assert client.get(f"/kanal/webhook/telegram/{bot.code}/").status_code == 405


MALFORMED_UPDATES = [
    b"{not json",
    b"[1, 2]",
    b'{"message": {}}',
    b'{"update_id": 1, "message": {"chat": 5}}',
    b'{"update_id": 1, "message": {"message_id": 1, "chat": {"id": "x"}}}',
    b"\xff\xfe",
]


@pytest.mark.parametrize("body", MALFORMED_UPDATES)
def test_a_malformed_update_is_400_json(bot, send, body):
    response = send(body)
    assert response.status_code == 400
    assert "tidak valid" in response.json()["message"]
