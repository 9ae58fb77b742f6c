"""Demo chat channels (issue 15): a Telegram bot of Kota Yogyakarta and a
WhatsApp number of Kabupaten Tegal on a public service, each with a few
conversations that opened tickets by chat through the same actions as the
webhook (so the desk's timeline and clocks are right). Nothing is sent:
the replies are recorded as already delivered. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from spbe.catalog.models import Service
from spbe.chat import actions
from spbe.chat.choices import ChatDirection, ChatMessageStatus, ChatProvider
from spbe.chat.models import ChatChannel, ChatMessage
from spbe.chat.providers import Incoming
from spbe.desk import actions as desk
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch

CHANNELS = {
    "kota-yogyakarta": ("jogja-aduan-bot", ChatProvider.TELEGRAM, "Bot Telegram Aduan SPBE Jogja", ""),
    "kabupaten-tegal": ("tegal-wa", ChatProvider.WHATSAPP, "WhatsApp Layanan SPBE Tegal", "106540352242922"),
}
CHATS = [
    ("Rudi Hartanto", "rudihart", "6281234500011",
     ["Tidak bisa login ke aplikasi\nSudah reset kata sandi tapi tetap gagal sejak kemarin sore.",
      "Pakai HP Android, aplikasi versi terbaru."], True),
    ("Wulan Sari", "wulansari", "6285700000022",
     ["Halaman pendaftaran error 500\nSetiap kirim formulir muncul galat server."], False),
    ("Ahmad Fauzi", "", "6281390000033", ["Notifikasi SMS tidak masuk sejak pagi."], False),
]  # fmt: skip


def load_chat_demo(pemda) -> None:
    spec = CHANNELS.get(pemda.slug)
    if spec is None or ChatChannel.objects.filter(code=spec[0]).exists():
        return
    code, provider, name, phone_number_id = spec
    service = (
        Service.objects.filter(pd__pemda=pemda, lifecycle="active", group="layanan_publik").order_by("pk").first()
        or Service.objects.filter(pd__pemda=pemda, lifecycle="active").order_by("pk").first()
    )
    if service is None:
        return
    channel = actions.save_channel(None, ChatChannel(
        pemda=pemda, provider=provider, name=name, code=code, default_service=service,
        default_kind="complaint", default_impact="minor", phone_number_id=phone_number_id,
    ))  # fmt: skip
    now = timezone.now()
    with without_dispatch():
        for number, (person, username, phone, texts, answered) in enumerate(CHATS):
            chat_id = phone if provider == ChatProvider.WHATSAPP else str(700000000 + number)
            for index, text in enumerate(texts):
                at = now - timedelta(days=3 - number, minutes=30 - 10 * index)
                actions.receive(channel, Incoming(
                    external_id=chat_id, message_id=f"demo-{code}-{number}-{index}", text=text, name=person,
                    username=username if provider == ChatProvider.TELEGRAM else "",
                    phone=f"+{phone}" if provider == ChatProvider.WHATSAPP else "", at=at,
                ))  # fmt: skip
            ticket = channel.conversations.get(external_id=chat_id).ticket
            if answered and ticket is not None:
                desk.respond(service.service_admin, ticket, "Terima kasih, akun Anda sedang kami periksa.")
    # demo replies are history, not news
    ChatMessage.objects.filter(channel=channel, direction=ChatDirection.OUT).update(
        status=ChatMessageStatus.SENT, sent_at=now, next_attempt_at=None, attempts=1
    )
    OutboxMessage.objects.filter(pemda=pemda, status=OutboxStatus.PENDING).update(status=OutboxStatus.SENT, sent_at=now)
    # one failed reply, to show "Kirim ulang"
    last = ChatMessage.objects.filter(channel=channel, direction=ChatDirection.OUT).order_by("-pk").first()
    if last is not None:
        ChatMessage.objects.filter(pk=last.pk).update(
            status=ChatMessageStatus.FAILED, attempts=5, sent_at=None,
            last_error="HTTP 502: Bad Gateway (contoh data demo)",
        )  # fmt: skip
