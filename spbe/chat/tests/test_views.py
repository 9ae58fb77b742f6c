"""Staff pages of the chat channels (issue 15) with the personas of
docs/access.md: who sees a channel, who sets it up, what the channel page
tells the operator (the webhook URL, which variables are set — never their
values), the connection test, "Kirim ulang", filters, search and export."""

import pytest
from django.urls import reverse

from spbe.chat.models import ChatChannel, ChatMessage
from spbe.chat.tests.conftest import SECRETS, payload, post_telegram

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def chatted(client, bot, fake):
    post_telegram(client, bot, payload("telegram_message"))
    return bot


def test_who_sees_the_dukcapil_bot(world, login, chatted):
    url = reverse("chat:channel_detail", args=[chatted.pk])
    for person in (world.coordinator, world.owner_head, world.owner_admin, world.sysadmin):
        client = login(person)
        assert chatted.name in client.get(reverse("chat:channel_list")).content.decode()
        assert client.get(url).status_code == 200
    for person in (world.other_pd_admin, world.tegal_coordinator, world.vendor):
        client = login(person)
        assert chatted.name not in client.get(reverse("chat:channel_list")).content.decode()
        assert client.get(url).status_code == 404
    assert login(world.citizen).get(url).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, bot):
    assert client.get(reverse("chat:channel_list")).status_code == 302


def test_the_channel_page_shows_what_to_register_and_never_a_secret(world, login, chatted, monkeypatch, settings):
    settings.SITE_URL = "https://layanan.jogjakota.go.id"
    monkeypatch.delenv("SPBE_CHAT_JOGJA_BOT_SECRET")
    page = login(world.coordinator).get(reverse("chat:channel_detail", args=[chatted.pk])).content.decode()
    assert "https://layanan.jogjakota.go.id/kanal/webhook/telegram/jogja-bot/" in page
    assert "SPBE_CHAT_JOGJA_BOT_TOKEN" in page and "SPBE_CHAT_JOGJA_BOT_SECRET" in page
    assert "belum diisi" in page
    assert all(value not in page for value in SECRETS.values())
    assert "Siti Rahayu" in page and "Aplikasi KTP-el" in page


def test_messages_filter_by_direction_status_and_search(world, login, chatted):
    client = login(world.owner_admin)
    url = reverse("chat:channel_detail", args=[chatted.pk])
    inbound = client.get(url, {"direction": "in"}).content.decode()
    assert "halaman putih" in inbound and "Laporan Anda sudah kami terima" not in inbound
    assert "Laporan Anda sudah kami terima" in client.get(url, {"status": "pending"}).content.decode()
    assert "Belum ada pesan" not in client.get(url, {"q": "KTP-el"}).content.decode()
    assert "Tidak ada pesan yang cocok" in client.get(url, {"q": "zzzz"}).content.decode()
    assert client.get(url, {"direction": "sideways", "percakapan": "x"}).status_code == 200
    export = client.get(url, {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_list_filters_and_exports(world, login, bot, wa):
    client = login(world.sysadmin)
    page = client.get(reverse("chat:channel_list"), {"provider": "whatsapp"}).content.decode()
    assert wa.name in page and bot.name not in page
    assert bot.name in client.get(reverse("chat:channel_list"), {"q": "dukcapil jogja"}).content.decode()
    assert wa.name not in client.get(reverse("chat:channel_list"), {"pemda": world.yogya.pk}).content.decode()
    assert client.get(reverse("chat:channel_list"), {"export": "xlsx"}).status_code == 200


def form(service, **overrides):
    data = {
        "pemda": service.pd.pemda_id, "pd": "", "provider": "telegram", "name": "Bot Pemda", "code": "bot-pemda",
        "default_service": service.pk, "default_kind": "complaint", "default_impact": "minor", "is_active": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_coordinator_sets_up_a_pemda_channel(world, login, service):
    response = login(world.coordinator).post(reverse("chat:channel_create"), form(service))
    channel = ChatChannel.objects.get(code="bot-pemda")
    assert response.status_code == 302 and channel.pd is None and channel.created_by == world.coordinator


def test_a_pd_leader_sets_up_only_their_pds_channel(world, login, service):
    client = login(world.owner_head)
    refused = client.post(reverse("chat:channel_create"), form(service))
    assert refused.status_code == 400 and "Koordinator SPBE" in refused.content.decode()
    assert client.post(reverse("chat:channel_create"), form(service, pd=world.dukcapil.pk)).status_code == 302
    assert client.post(reverse("chat:channel_create"), form(service, pd=world.dinkes.pk, code="x")).status_code == 400
    assert login(world.owner_admin).get(reverse("chat:channel_create")).status_code == 403


def test_bad_input_is_said_next_to_its_field(world, login, service, tegal_service):
    client = login(world.coordinator)
    cases = [
        (form(service, provider="whatsapp"), "Phone number ID"),
        (form(service, code="Bot-Pemda"), "huruf kecil"),
        (form(service, default_impact=""), "dampak awal"),
        (form(service, default_service=tegal_service.pk), "pilihan yang valid"),
        (form(service, pemda=world.tegal.pk), "pilihan yang valid"),
    ]
    for data, message in cases:
        response = client.post(reverse("chat:channel_create"), data)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert not ChatChannel.objects.exists()


def test_editing_keeps_the_code_and_is_for_managers(world, login, bot):
    url = reverse("chat:channel_edit", args=[bot.pk])
    data = form(bot.default_service, pd=world.dukcapil.pk, code="lain", name="Bot baru", is_active="")
    assert login(world.owner_admin).post(url, data).status_code == 403
    assert login(world.owner_head).post(url, data).status_code == 302
    bot.refresh_from_db()
    assert (bot.code, bot.name, bot.is_active) == ("jogja-bot", "Bot baru", False)


def test_the_connection_check_says_who_the_token_is_or_why_not(world, login, bot, wa, fake, monkeypatch):
    client = login(world.coordinator)
    ok = client.post(reverse("chat:channel_check", args=[bot.pk]), follow=True).content.decode()
    assert "Koneksi berhasil: @AduanSpbeBot" in ok
    assert fake.requests[-1].path.endswith("/getMe")
    monkeypatch.setenv("SPBE_CHAT_JOGJA_BOT_TOKEN", "token-salah")
    refused = client.post(reverse("chat:channel_check", args=[bot.pk]), follow=True).content.decode()
    assert "Koneksi ke Telegram gagal" in refused and "Unauthorized" in refused and "token-salah" not in refused
    whatsapp = login(world.tegal_coordinator).post(reverse("chat:channel_check", args=[wa.pk]), follow=True)
    assert "+62 811-2600-2026" in whatsapp.content.decode()
    assert login(world.owner_admin).post(reverse("chat:channel_check", args=[bot.pk])).status_code == 403
    assert login(world.owner_admin).get(reverse("chat:channel_check", args=[bot.pk])).status_code == 405


def test_a_failed_reply_is_sent_again_from_the_page(world, login, chatted, fake):
    reply = ChatMessage.objects.get(direction="out")
    ChatMessage.objects.filter(pk=reply.pk).update(status="failed", attempts=5, last_error="HTTP 502")
    url = reverse("chat:message_resend", args=[chatted.pk, reply.pk])
    assert login(world.other_pd_admin).post(url).status_code == 404
    client = login(world.owner_admin)
    assert "Kirim ulang" in client.get(reverse("chat:channel_detail", args=[chatted.pk])).content.decode()
    assert client.post(url).status_code == 302
    reply.refresh_from_db()
    assert (reply.status, reply.attempts) == ("pending", 0)
    again = client.post(url, follow=True).content.decode()
    assert "Hanya pesan keluar yang gagal" in again
