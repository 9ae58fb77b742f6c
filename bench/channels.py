"""Benchmark of the channels (issue 15): e-mail intake, its exactly-once under SIGKILL, knowledge suggestions and the
Telegram webhook. Not a test.

On a throw-away PostgreSQL database (``spbe_bench_channels``: migrated and seeded with the demo data, dropped at the
end) and a real dovecot started with ``spbe.mail.testing.DovecotServer`` (the tests' helper, Debian's dovecot):

1. **Mail intake**: N realistic citizen mails (plain and HTML, a fifth with a small PNG screenshot, ~10 % replies to
   earlier tickets by ``[NUMBER]`` in the subject, a few out-of-office replies) are put in a mailbox with IMAP APPEND,
   then the beat's task (``spbe.mail.tasks.poll_mailboxes``, called directly) is run back to back, one batch per
   call, until a poll reads nothing. Mails/s, polls, and the exact counts (tickets opened, replies added to the right
   ticket, ignored, attachments, the paused clocks resumed) are checked.
2. **Exactly once under SIGKILL**: M mails in a second mailbox, read by the same task in a child process
   (``python -c`` with ``django.setup()``) that is SIGKILLed 0.3–1.5 s after it is ready (warmed up by one made-up
   mail through ``receive()`` in a rolled-back transaction: a cold process spends its first ~1.3 s importing the
   URLconf), again and again, until a child finishes; then one clean poll in this process. A killed poll leaves its
   5-minute claim on the mailbox (``spbe.mail.actions._claim``): the bench clears ``claimed_until`` after each kill,
   as if the claim had expired. No mail may be lost, none may become two tickets.
3. **Knowledge suggestions**: with K published public articles in one Pemda (the demo's are archived first), the
   query of the portal's suggestion view (``search_articles(…, match="any")`` over the service's and the Pemda's
   general articles, first five), and the whole request through Django's test Client to
   ``knowledge_public:suggest``: p50 / p95 over ``--runs`` runs per typed text.
4. **Telegram webhook**: W updates (the Bot API's shape: private chats, several messages per chat, a few ``/start``,
   ~5 % replayed) posted one after the other through Django's test Client with the channel's secret; the Bot API URL
   is a closed local port. Requests/s and p50 / p95, tickets = chats, messages = distinct ids, and no reply was sent
   during a request (replies are queued and sent after the commit by Celery; the filesystem broker of this bench has
   no worker). Then ``deliver_one`` on each reply shows the replies failing against the closed port and rescheduled.

    .venv/bin/python bench/channels.py
    .venv/bin/python bench/channels.py --mails 300 --kill-mails 200 --articles 25,400 --updates 300
    .venv/bin/python bench/channels.py --reuse --keep     # keep the seeded database between runs (development)

It prints figures, never fails for being slow, and exits 1 when a count is wrong.
"""

from __future__ import annotations

import argparse
import email.policy
import email.utils
import imaplib
import json
import os
import platform
import queue
import random
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import desk
from common import percentiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
DB_NAME = "spbe_bench_channels"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
VAR = ROOT / "var" / "bench-channels"
PEMDA = "kota-yogyakarta"
SERVICE = "Pencetakan KTP-el"  # an active demo service of Disdukcapil Kota Yogyakarta
ACTOR = "admin.dukcapil@jogjakota.demo"  # its Administrator Layanan asks the reporters of the earlier tickets
CHANNEL_SECRET = "bench-secret-" + uuid.uuid4().hex
SEED = 20260315
# the filesystem broker (no worker) in VAR: queued deliveries stay queued; the console e-mail backend
ENV = {"DATABASE_URL": DB_URL, "SPBE_VAR_DIR": str(VAR), "LOG_LEVEL": "ERROR", "DATABASE_CONN_MAX_AGE": "60",
       "CELERY_BROKER_URL": "", "EMAIL_HOST": "", "DJANGO_SETTINGS_MODULE": "spbe.settings"}  # fmt: skip

FAILURES: list[str] = []


def check(label: str, got, expected) -> None:
    """Print ``label: got`` and remember a mismatch (the bench exits 1 at the end)."""
    ok = got == expected
    if not ok:
        FAILURES.append(f"{label}: {got}, expected {expected}")
    print(f"  {label:<58} {got!s:>8}  {'ok' if ok else f'WRONG (expected {expected})'}")


def line(label: str, value) -> None:
    print(f"  {label:<58} {value!s:>8}")


def timing(label: str, samples: list[float]) -> None:
    p50, p95 = percentiles(samples)
    print(f"  {label:<58} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(samples)})")


# ---------------------------------------------------------------- the database and Django


def build(reuse: bool) -> None:
    started = time.perf_counter()
    exists = subprocess.run(["psql", desk.PG_ADMIN, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    if reuse and exists:
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**os.environ, **ENV}, check=True)
        print(f"database {DB_NAME}: reused")
        return
    shutil.rmtree(VAR, ignore_errors=True)
    desk.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", desk.PG_ADMIN)
    desk.psql(f"CREATE DATABASE {DB_NAME}", desk.PG_ADMIN)
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env={**os.environ, **ENV}, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"database {DB_NAME}: migrated and seeded in {time.perf_counter() - started:.0f} s", flush=True)


def setup_django(telegram_url: str) -> None:
    os.environ.update(ENV)
    os.environ["CHAT_TELEGRAM_API_URL"] = telegram_url
    os.environ["CHAT_WHATSAPP_API_URL"] = telegram_url  # the demo's WhatsApp channel must not reach Meta either
    import django

    django.setup()


# ---------------------------------------------------------------- realistic mail

FIRST = ["Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Wahyu", "Sri", "Andi", "Putri", "Yusuf", "Ratna", "Bambang",
         "Lestari", "Hendra", "Nur", "Fajar", "Indah", "Rudi", "Ayu", "Eko", "Wulan", "Dimas", "Fitri"]  # fmt: skip
LAST = ["Santoso", "Rahayu", "Wibowo", "Lestari", "Saputra", "Handayani", "Pratama", "Susanti", "Nugroho", "Kurniawan",
        "Hidayat", "Permatasari", "Setiawan", "Wulandari", "Prasetyo", "Utami"]  # fmt: skip
DOMAINS = ["gmail.test", "yahoo.test", "outlook.test", "ymail.test", "student.ugm.test"]
COMPLAINTS = [
    ("KTP-el belum jadi", "Saya sudah rekam KTP-el di kantor kecamatan {place} tanggal {day} {month} tetapi sampai "
     "sekarang belum ada kabar kapan bisa diambil. Waktu itu petugas bilang dua minggu. Mohon informasinya."),
    ("Lupa kata sandi akun layanan kependudukan", "Selamat pagi. Saya lupa kata sandi akun layanan kependudukan "
     "daring. Tombol 'lupa kata sandi' sudah saya tekan tetapi tautan reset tidak pernah masuk ke e-mail ini, sudah "
     "saya cek juga di folder spam."),
    ("Aplikasi error 500 saat unggah berkas", "Setiap kali saya mengunggah scan KK di aplikasi, muncul tulisan "
     "'500 Internal Server Error'. Sudah saya coba di Chrome dan Firefox, hasilnya sama. Tangkapan layar terlampir."),
    ("Kode OTP tidak masuk", "Kode OTP untuk masuk ke aplikasi tidak pernah sampai ke nomor HP saya ({phone}). "
     "Sudah saya coba lima kali sejak kemarin sore."),
    ("Antrean daring penuh terus", "Sudah tiga hari saya mencoba ambil nomor antrean perekaman KTP-el secara "
     "daring, selalu tertulis kuota penuh padahal baru jam 07.01. Apakah ada cara lain?"),
    ("Data KTP-el salah cetak", "Nama saya tercetak salah di KTP-el yang baru saya ambil ({wrong}). Bagaimana cara "
     "memperbaikinya dan apakah harus rekam ulang?"),
    ("Situs tidak bisa dibuka", "Situs layanan kependudukan tidak bisa dibuka sejak pagi, hanya muncul halaman "
     "putih. Saya coba dari jaringan kantor dan dari HP, sama saja."),
    ("Status permohonan tidak berubah", "Permohonan saya nomor {number} statusnya masih 'diverifikasi' sejak "
     "{day} {month}. Apakah ada berkas yang kurang?"),
]  # fmt: skip
PLACES = ["Gondokusuman", "Umbulharjo", "Kotagede", "Jetis", "Tegalrejo", "Mergangsan", "Wirobrajan", "Danurejan"]
MONTHS = ["Agustus", "September", "Oktober", "November"]
SIGNATURES = ["Terima kasih.\n\nSalam,\n{name}", "Atas perhatiannya saya ucapkan terima kasih.\n\n{name}\n{phone}",
              "Mohon bantuannya.\n{name}", "Terima kasih,\n{name}\n\nDikirim dari ponsel saya"]  # fmt: skip
FOLLOW_UPS = ["Saya sudah coba lagi pagi ini tetapi masih sama.", "Berikut nomor NIK saya yang Bapak/Ibu minta: "
              "34710{n:011d}.", "Terima kasih atas jawabannya. Saya pakai Android 13, aplikasi versi terbaru.",
              "Apakah sudah ada perkembangan? Saya perlu KTP untuk melamar kerja minggu depan."]  # fmt: skip


def png(rng: random.Random, width: int = 96, height: int = 64) -> bytes:
    """A small real PNG (a noisy gradient, like a cropped screenshot; validate_attachment reads its signature)."""
    rows = b"".join(b"\0" + bytes((x * 2 + rng.randrange(16)) % 256 for x in range(width * 3)) for _y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def person(rng: random.Random, n: int, domain: str | None = None) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first}.{last}.{n}@{domain or rng.choice(DOMAINS)}".lower()


def message(rng: random.Random, *, sender: tuple[str, str], to: str, subject: str, body: str, attach: bytes = b"",
            html: bool = False, headers: dict | None = None, in_reply_to: str = "") -> tuple[str, bytes]:  # fmt: skip
    """(Message-ID, bytes) of one message as a mail client sends it."""
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr(sender)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id = email.utils.make_msgid(domain=sender[1].partition("@")[2])
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html:  # what Gmail and the phone clients send: text and HTML alternatives
        paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
        msg.add_alternative(f'<html><body><div dir="ltr">{paragraphs}</div></body></html>', subtype="html")
    if attach:
        msg.add_attachment(attach, maintype="image", subtype="png", filename=f"Screenshot_{rng.randrange(10**6)}.png")
    return message_id, msg.as_bytes(policy=email.policy.SMTP)


def citizen_mail(rng: random.Random, n: int, to: str, domain: str | None = None) -> tuple[dict, str, bytes]:
    name, address = person(rng, n, domain)
    phone = f"08{rng.randrange(10**9, 10**10)}"
    subject, text = rng.choice(COMPLAINTS)
    body = text.format(place=rng.choice(PLACES), day=rng.randint(1, 28), month=rng.choice(MONTHS), phone=phone,
                       wrong=name.upper().replace("A", "E", 1), number=f"PMH-{rng.randrange(10**6):06d}")  # fmt: skip
    body += "\n\n" + rng.choice(SIGNATURES).format(name=name, phone=phone)
    attach = png(rng) if rng.random() < 0.2 else b""
    message_id, raw = message(rng, sender=(name, address), to=to, subject=subject, body=body, attach=attach,
                              html=rng.random() < 0.5)  # fmt: skip
    return {"sender": address, "subject": subject, "attachment": bool(attach)}, message_id, raw


def append_all(server, address: str, messages: list[bytes]) -> float:
    """IMAP APPEND of every message over one connection (as an MTA's local delivery); the seconds it took."""
    started = time.perf_counter()
    client = server.client(address)
    try:
        for raw in messages:
            status, response = client.append("INBOX", None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            assert status == "OK", response
    finally:
        client.logout()
    return time.perf_counter() - started


def unseen(server, address: str) -> int:
    client = server.client(address)
    try:
        _status, data = client.uid("SEARCH", None, "UNSEEN")
        return len((data[0] or b"").split())
    finally:
        client.logout()


def make_mailbox(server, service, code: str, address: str):
    from spbe.mail.models import Mailbox

    mailbox = Mailbox.objects.create(
        pemda=service.pd.pemda, pd=service.pd, name=f"Bench {code}", code=code, address=address, host="127.0.0.1",
        port=server.port, security="none", username=address, default_service=service,
    )  # fmt: skip
    os.environ[mailbox.password_variable] = server.add_user(address)
    return mailbox


# ---------------------------------------------------------------- 1. mail intake


def mail_intake(server, service, count: int, tag: str, rng: random.Random) -> None:
    from django.db.models import Count

    from spbe.desk import actions as desk_actions
    from spbe.desk.choices import ReportingMethod, TicketKind, TicketStatus, TimelineKind
    from spbe.desk.models import Ticket, TicketAttachment, TimelineEvent
    from spbe.mail import tasks
    from spbe.mail.models import InboundMail, Mailbox
    from spbe.org.models import User

    print(f"\n1. Mail intake: {count} mails, IMAP APPEND into dovecot, then the beat's poll back to back", flush=True)
    Mailbox.objects.filter(is_active=True).update(is_active=False)  # the demo's mailboxes point at nothing
    address = f"layanan-{tag}@jogjakota.bench"
    mailbox = make_mailbox(server, service, f"bench-{tag}-intake", address)
    replies = count // 10
    autos = max(3, count // 50)
    # the earlier tickets the replies continue: opened by e-mail before, half of them waiting for the reporter
    actor = User.objects.get(email=ACTOR)
    earlier = []
    for n in range(replies):
        name, sender = person(rng, 10_000 + n)
        ticket = desk_actions.open_ticket(
            actor=None, service=service, kind=TicketKind.COMPLAINT, reporter=desk_actions.Reporter(name, sender),
            subject="KTP-el belum jadi", description="Sudah tiga minggu belum jadi.",
            reporting_method=ReportingMethod.EMAIL, reported_at=None, impact="minor",
        )  # fmt: skip
        if n % 2 == 0:
            ticket = desk_actions.wait_for_reporter(actor, ticket, "Mohon kirim nomor NIK dan tanggal perekaman.")
        earlier.append((name, sender, ticket))
    kinds = ["new"] * (count - replies - autos) + ["reply"] * replies + ["auto"] * autos
    rng.shuffle(kinds)
    expected, raws, pending_replies = {}, [], list(earlier)
    for n, kind in enumerate(kinds):
        if kind == "new":
            meta, message_id, raw = citizen_mail(rng, n, address)
        elif kind == "reply":
            name, sender, ticket = pending_replies.pop()
            attach = png(rng) if n % 5 == 0 else b""
            sender_shown = sender if n % 3 else sender.upper()  # case must not matter
            body = (f"{rng.choice(FOLLOW_UPS).format(n=n)}\n\nSalam,\n{name}\n\nPada Sen, 30 Nov 2026 10.00, "
                    f"Layanan <{address}> menulis:\n> Mohon kirim nomor NIK dan tanggal perekaman.\n")  # fmt: skip
            message_id, raw = message(rng, sender=(name, sender_shown), to=address, attach=attach, body=body,
                                      subject=f"Re: [{ticket.number}] {ticket.subject}")  # fmt: skip
            meta = {"ticket": ticket.pk, "attachment": bool(attach), "waiting": ticket.status}
        else:
            name, sender = person(rng, n, "pemkot.bench")
            header = [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"Precedence": "auto_reply"},
                      {"X-Auto-Response-Suppress": "All", "Auto-Submitted": "auto-generated"}][n % 4]  # fmt: skip
            message_id, raw = message(rng, sender=(name, sender), to=address, headers=header,
                                      subject="Balasan otomatis: Di luar kantor",
                                      body="Saya sedang cuti sampai 8 Desember. Untuk urusan mendesak hubungi "
                                           "bagian umum.")  # fmt: skip
            meta = {}
        expected[message_id] = {"kind": kind, **meta}
        raws.append(raw)
    tickets_before = Ticket.objects.count()
    append_s = append_all(server, address, raws)
    size = sum(len(raw) for raw in raws)
    line("mails appended (new / replies / auto-replies)", f"{kinds.count('new')}/{replies}/{autos}")
    line("  of which with a PNG attachment", sum(1 for e in expected.values() if e.get("attachment")))
    line("  total size (KB)", size // 1024)
    line("IMAP APPEND rate (mails/s, one connection)", f"{count / append_s:.0f}")

    batches: list[tuple[int, float]] = []  # (mails read, seconds) per poll
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        result = tasks.poll_mailboxes()[mailbox.code]
        if result["error"] or result["busy"]:
            raise RuntimeError(f"poll failed: {result}")
        if not result["read"]:
            break
        batches.append((result["read"], time.perf_counter() - began))
    total_s = time.perf_counter() - started
    polls, read, work_s = len(batches), sum(n for n, _s in batches), sum(s for _n, s in batches)
    line("polls that read mail (50 per poll), + 1 empty", polls)
    line("mails read", read)
    line("intake rate (mails/s, polls back to back)", f"{read / total_s:.1f}")
    line("per mail (ms)", f"{1000 * work_s / read:.1f}")
    full = [s for n, s in batches if n == max(n for n, _s in batches)]
    print(f"  one poll of a full batch: min {min(full):.2f} s, median {statistics.median(full):.2f} s, "
          f"max {max(full):.2f} s")  # fmt: skip
    line("time for the beat (one poll a minute) to drain N mails", f"{polls} min")

    rows = InboundMail.objects.filter(mailbox=mailbox)
    by_status = Counter(rows.values_list("status", flat=True))
    opened_tickets = Ticket.objects.filter(mails__mailbox=mailbox, mails__status="opened").distinct()
    check("InboundMail rows", rows.count(), count)
    check("distinct Message-IDs recorded = delivered", len(set(rows.values_list("message_id", flat=True))
                                                         & set(expected)), count)  # fmt: skip
    check("tickets opened (status opened)", by_status["opened"], kinds.count("new"))
    check("new tickets in the database", Ticket.objects.count() - tickets_before, kinds.count("new"))
    check("  each opened by e-mail with its mail", opened_tickets.filter(reporting_method="email").count(),
          kinds.count("new"))  # fmt: skip
    check("replies added (status added)", by_status["added"], replies)
    wrong = [mid for mid, row in rows.filter(status="added").values_list("message_id", "ticket_id")
             if expected[mid].get("ticket") != row]  # fmt: skip
    check("  replies on the ticket their [NUMBER] names", replies - len(wrong), replies)
    notes = TimelineEvent.objects.filter(ticket__in=[t for *_x, t in earlier], kind=TimelineKind.REPLIED)
    check("  'Balasan pelapor' on the timeline, one per reply", notes.count(), replies)
    waiting = [e["ticket"] for e in expected.values() if e.get("waiting") == TicketStatus.WAITING_REPORTER]
    check("  tickets waiting for the reporter back in progress",
          Ticket.objects.filter(pk__in=waiting, status=TicketStatus.IN_PROGRESS).count(), len(waiting))  # fmt: skip
    check("ignored (auto-replies)", rows.filter(status="ignored", reason="auto_reply").count(), autos)
    check("other statuses (triage, rejected)", sum(v for k, v in by_status.items()
                                                   if k not in ("opened", "added", "ignored")), 0)  # fmt: skip
    attachments = TicketAttachment.objects.filter(ticket__mails__mailbox=mailbox).distinct().count()
    check("PNG attachments kept on the tickets", attachments, sum(1 for e in expected.values() if e.get("attachment")))
    duplicates = (Ticket.objects.filter(mails__mailbox=mailbox).values("reporter_email", "subject")
                  .annotate(n=Count("pk", distinct=True)).filter(n__gt=1).count())  # fmt: skip
    check("tickets sharing sender + subject", duplicates, 0)
    check("messages left unread on the server", unseen(server, address), 0)
    mailbox.is_active = False
    mailbox.save(update_fields=["is_active"])


# ---------------------------------------------------------------- 2. exactly once under SIGKILL

# The child warms up first (the URLconf's import on the first reverse() alone takes ~1.3 s): one made-up mail goes
# through receive() in a transaction that is rolled back; only then is it "ready" and may be killed.
CHILD = """
import json, django
django.setup()
from django.db import transaction
from spbe.mail import actions, tasks
from spbe.mail.models import Mailbox
with transaction.atomic():
    actions.receive(Mailbox.objects.get(code=%(code)r), b"From: Warm Up <warm.up@warm.bench>\\r\\nTo: %(address)s\\r\\n"
                    b"Subject: KTP\\r\\nMessage-ID: <warm-up@warm.bench>\\r\\n\\r\\nKTP belum jadi.\\r\\n")
    transaction.set_rollback(True)
print("ready", flush=True)
while True:
    result = tasks.poll_mailboxes()
    print(json.dumps(result), flush=True)
    if all(not r["read"] and not r["busy"] and not r["error"] for r in result.values()):
        break
"""


def _reader(stream, lines: queue.Queue) -> None:
    for text in stream:
        lines.put(text.strip())
    lines.put(None)


def kill_test(server, service, count: int, tag: str, rng: random.Random, min_s: float, max_s: float) -> None:
    from django.db.models import Count

    from spbe.desk.models import Ticket
    from spbe.mail import tasks
    from spbe.mail.models import InboundMail, Mailbox

    print(f"\n2. Exactly once under SIGKILL: {count} mails, the poll in a child process killed every "
          f"{min_s}–{max_s} s", flush=True)  # fmt: skip
    address = f"aduan-{tag}@jogjakota.bench"
    mailbox = make_mailbox(server, service, f"bench-{tag}-kill", address)
    domain = f"kill-{tag}.bench"
    mails = [citizen_mail(rng, n, address, domain) for n in range(count)]
    append_all(server, address, [raw for _meta, _mid, raw in mails])
    delivered = {mid for _meta, mid, _raw in mails}
    line("mails delivered", len(delivered))
    print("  (after each kill the bench clears the mailbox's claim, as if its 5-minute lease had expired)")
    code = CHILD % {"code": mailbox.code, "address": address}
    log = VAR / "kill-child.log"  # the children's stderr (a traceback if one fails)
    kills, starts, progress = 0, 0, []
    started = time.perf_counter()
    while True:
        starts += 1
        with open(log, "a") as errors:  # the child keeps its own copy of the descriptor
            child = subprocess.Popen([PY, "-c", code], cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
                                     stderr=errors, text=True)  # fmt: skip
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
        if lines.get(timeout=60) != "ready":
            raise RuntimeError(f"the polling child did not start, see {log}")
        delay = rng.uniform(min_s, max_s)
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            kills += 1
            Mailbox.objects.filter(pk=mailbox.pk).update(claimed_until=None)  # the claim "expires"
            progress.append(f"{InboundMail.objects.filter(mailbox=mailbox).count()}")
            if starts > 500:
                raise RuntimeError("no progress after 500 kills") from None
            continue
        if child.returncode != 0:
            raise RuntimeError(f"the polling child failed with {child.returncode}, see {log}")
        break
    elapsed = time.perf_counter() - started
    line("kills (SIGKILL)", kills)
    print(f"  mails recorded after each kill: {' '.join(progress)}")
    line("child processes started", starts)
    line("wall time, kills and restarts included (s)", f"{elapsed:.1f}")
    final = tasks.poll_mailboxes()[mailbox.code]
    line("final clean poll: mails read", final["read"])
    rows = InboundMail.objects.filter(mailbox=mailbox)
    recorded = set(rows.values_list("message_id", flat=True))
    tickets = Ticket.objects.filter(reporter_email__endswith=f"@{domain}")
    check("InboundMail rows", rows.count(), count)
    check("mails lost (delivered, not recorded)", len(delivered - recorded), 0)
    check("tickets opened", tickets.count(), count)
    check("InboundMail rows opening a ticket", rows.filter(status="opened", ticket__isnull=False).count(), count)
    shared = rows.values("message_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    twins = tickets.values("reporter_email", "subject").annotate(n=Count("pk")).filter(n__gt=1).count()
    check("duplicates: Message-IDs recorded twice", shared, 0)
    check("duplicates: tickets sharing sender + subject", twins, 0)
    check("tickets without their mail", tickets.filter(mails__isnull=True).count(), 0)
    line("left unread on the server (committed, killed before \\Seen)", unseen(server, address))
    mailbox.is_active = False
    mailbox.save(update_fields=["is_active"])


# ---------------------------------------------------------------- 3. knowledge suggestions

TOPICS = [
    ("Lupa kata sandi akun {app}", "Cara mengatur ulang kata sandi bila Anda lupa.",
     "lupa password, lupa sandi, reset kata sandi, tidak bisa masuk",
     "Buka halaman masuk {app} dan tekan tautan \"Lupa kata sandi\". Masukkan alamat e-mail yang Anda daftarkan. "
     "Kami mengirim tautan untuk membuat kata sandi baru yang berlaku 60 menit. Bila e-mail tidak masuk, periksa "
     "folder spam atau promosi."),
    ("Cara mengurus akta kelahiran {where}", "Syarat dan langkah permohonan akta kelahiran.",
     "akta lahir, akta kelahiran anak, surat kelahiran",
     "Siapkan surat keterangan lahir dari rumah sakit atau bidan, KK, KTP-el kedua orang tua dan buku nikah. "
     "Ajukan permohonan melalui {app} atau datang ke {where}. Akta selesai dalam lima hari kerja dan dapat "
     "dicetak sendiri di kertas HVS putih."),
    ("Muncul error 500 di {app}", "Apa yang harus dilakukan bila muncul galat server.",
     "error 500, internal server error, aplikasi error, halaman error",
     "Galat 500 berarti server kami gagal memproses permintaan, bukan kesalahan Anda. Muat ulang halaman setelah "
     "beberapa menit. Bila galat muncul saat mengunggah berkas, pastikan ukurannya di bawah 2 MB dan formatnya PDF "
     "atau JPG. Bila tetap terjadi, laporkan dengan tangkapan layar dan jam kejadian."),
    ("Kode OTP tidak terkirim di {app}", "Penyebab umum kode verifikasi tidak sampai.",
     "otp, kode verifikasi, sms tidak masuk",
     "Pastikan nomor ponsel yang terdaftar masih aktif dan sinyal cukup. Kode OTP berlaku lima menit dan hanya "
     "dapat diminta ulang setelah 60 detik. Operator tertentu menunda SMS pada jam sibuk; coba lagi beberapa saat "
     "kemudian atau pilih pengiriman melalui WhatsApp."),
    ("Status permohonan {app} tidak berubah", "Arti setiap status permohonan dan lama prosesnya.",
     "status permohonan, cek status, permohonan belum diproses",
     "Status \"Diverifikasi\" berarti berkas sedang diperiksa petugas {where}, paling lama tiga hari kerja. "
     "\"Perlu perbaikan\" berarti ada berkas yang kurang: buka rincian permohonan untuk melihat catatan petugas "
     "dan unggah berkas yang diminta."),
    ("Mengambil KTP-el yang sudah dicetak di {where}", "Jadwal dan syarat pengambilan KTP-el.",
     "ambil ktp, ktp sudah jadi, pengambilan ktp-el",
     "KTP-el yang sudah dicetak dapat diambil di {where} pada hari kerja pukul 08.00–14.00 dengan membawa bukti "
     "perekaman. Pengambilan boleh diwakilkan anggota keluarga dalam satu KK dengan membawa KK asli."),
    ("Perbaikan data kartu keluarga lewat {app}", "Mengubah data yang salah pada KK.",
     "perbaikan kk, salah nama, ubah data kk",
     "Ajukan perubahan data KK melalui {app} dengan melampirkan dokumen pendukung, misalnya ijazah atau akta "
     "kelahiran untuk perbaikan nama. KK baru dapat dicetak sendiri setelah permohonan disetujui."),
    ("Pindah domisili antarkabupaten", "Langkah mengurus surat pindah.",
     "pindah domisili, surat pindah, skpwni",
     "Surat keterangan pindah diterbitkan oleh daerah asal. Setelah tiba, lapor ke {where} paling lambat 14 hari "
     "dengan membawa surat pindah dan KTP-el lama untuk diterbitkan KK dan KTP-el baru."),
]  # fmt: skip
APPS = ["Jogja Smart Service", "layanan kependudukan daring", "aplikasi antrean", "portal layanan"]
WHERES = ["Disdukcapil", "kantor kecamatan", "mal pelayanan publik", "kelurahan"]
EXTRA = ("Layanan ini gratis dan tidak dipungut biaya. Hati-hati terhadap pihak yang menawarkan jasa pengurusan "
         "berbayar. Jam layanan Senin sampai Jumat pukul 08.00–15.00, kecuali hari libur nasional.\n\nBila langkah di "
         "atas tidak menyelesaikan masalah Anda, sampaikan laporan melalui portal layanan dengan menyebut nama "
         "layanan, waktu kejadian dan tangkapan layar; petugas membalas pada hari kerja berikutnya.")  # fmt: skip
TYPED = ["lupa kata sandi", "akta kelahiran", "aplikasi error 500"]


def knowledge(service, sizes: list[int], runs: int, tag: str, rng: random.Random) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from spbe.catalog.models import Service
    from spbe.knowledge.models import Article, Category
    from spbe.knowledge.search import search_articles
    from spbe.knowledge.views_public import SUGGESTIONS, published

    pemda = service.pd.pemda
    print(f"\n3. Knowledge suggestions: {runs} runs per text, PostgreSQL's indonesian full-text search", flush=True)
    archived = Article.objects.filter(pemda=pemda).exclude(status="archived").update(status="archived")
    print(f"  (the demo's {archived} articles of {pemda.name} archived first: only the bench's are published)")
    others = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").exclude(pk=service.pk))
    categories = [Category.objects.get_or_create(pemda=pemda, name=name)[0]
                  for name in ("Akun dan kata sandi", "Dokumen kependudukan", "Gangguan aplikasi")]  # fmt: skip
    url = reverse("knowledge_public:suggest", args=[pemda.slug, service.pk])
    client = Client(SERVER_NAME="localhost")
    for size in sizes:
        Article.objects.filter(pemda=pemda, title__endswith=f"· {tag}").delete()
        rows = []
        for n in range(size):
            title, summary, keywords, body = TOPICS[n % len(TOPICS)]
            app, where = rng.choice(APPS), rng.choice(WHERES)
            place = n % 10  # 3 of 10 on the service, 3 general (no PD), 4 on the Pemda's other services
            target = service if place < 3 else None if place < 6 else others[n % len(others)]
            text = body.format(app=app, where=where)
            rows.append(Article(
                pemda=pemda, pd=target.pd if target else None, service=target, category=categories[n % 3],
                title=f"{title.format(app=app, where=where)} ({n + 1}) · {tag}", summary=summary, keywords=keywords,
                body=f"{text}\n\n{EXTRA}\n\n{text}", visibility="public", status="published",
                published_at=timezone.now() - timedelta(days=n % 300), helpful_count=rng.randrange(40),
            ))  # fmt: skip
        Article.objects.bulk_create(rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_article")
        candidates = (published(pemda).filter(service=service) | published(pemda).filter(pd__isnull=True)).count()
        chars = sum(len(a.body) for a in rows) // len(rows)
        print(f"  {size} articles in {pemda.name} (bodies ~{chars} characters); {candidates} are the service's or "
              f"general, searched per keystroke pause; GET {url}?subject=…")  # fmt: skip
        for text in TYPED:

            def query(text=text):
                qs = published(pemda).filter(service=service) | published(pemda).filter(pd__isnull=True)
                return list(search_articles(qs, text, match="any")[:SUGGESTIONS])

            def request(text=text):
                response = client.get(url, {"subject": text, "description": ""})
                assert response.status_code == 200, response.status_code
                return response

            top = query()
            assert top and all(word in top[0].title.lower() for word in text.split()[-1:]), [a.title for a in top]
            for _warm in range(3):
                query(), request()
            samples = []
            for _run in range(runs):
                began = time.perf_counter()
                query()
                samples.append(time.perf_counter() - began)
            timing(f'"{text}": search query', samples)
            samples = []
            for _run in range(runs):
                began = time.perf_counter()
                request()
                samples.append(time.perf_counter() - began)
            timing(f'"{text}": the whole request (test Client)', samples)
            print(f"      first suggestion: {top[0].title.rsplit(' · ', 1)[0]}")


# ---------------------------------------------------------------- 4. Telegram webhook

TEXTS = [
    "Aplikasi KTP-el tidak bisa dibuka\nSejak pagi muncul halaman putih setelah login di kantor kecamatan.",
    "Selamat siang, saya mau tanya kenapa KTP-el saya belum jadi padahal sudah rekam bulan lalu",
    "Lupa kata sandi akun layanan kependudukan, link reset tidak masuk ke email",
    "Antrean online perekaman penuh terus, mohon dibantu",
    "Muncul error 500 waktu upload scan KK di aplikasi",
    "Nama di KTP-el saya salah cetak, bagaimana cara memperbaikinya?",
]
FOLLOW_TEXTS = [
    "Saya pakai Chrome di laptop kantor, versi terbaru.",
    "Sudah saya coba lagi tadi, masih sama.",
    "NIK saya 3471012345678901",
    "Terima kasih, ditunggu kabarnya",
    "Kapan kira-kira bisa diambil?",
]


def updates_for(count: int, rng: random.Random) -> tuple[list[tuple[str, dict]], int, int]:
    """(kind, update) in posting order, the number of chats and of distinct messages."""
    replays = count // 20
    unique = count - replays
    chats = max(1, unique // 3)
    per_chat = [1] * chats
    for _extra in range(unique - chats):
        per_chat[rng.randrange(chats)] += 1
    queues = {}
    for index, n in enumerate(per_chat):
        chat_id = 700_000_000 + index * 7919
        first, last = rng.choice(FIRST), rng.choice(LAST)
        texts = ["/start"] if n > 1 and index % 10 == 0 else []
        texts += [rng.choice(TEXTS)] + [rng.choice(FOLLOW_TEXTS) for _ in range(n - 1 - len(texts))]
        sender = {"id": chat_id, "is_bot": False, "first_name": first, "last_name": last,
                  "username": f"{first}{last}{index}".lower(), "language_code": "id"}  # fmt: skip
        chat = {"id": chat_id, "first_name": first, "last_name": last, "username": sender["username"],
                "type": "private"}  # fmt: skip
        queues[chat_id] = [{"message_id": 40 + k, "from": sender, "chat": chat, "text": text}
                           for k, text in enumerate(texts)]  # fmt: skip
    posted: list[tuple[str, dict]] = []
    update_id = 815_404_000
    opened: set[int] = set()
    while queues:
        chat_id = rng.choice(list(queues))
        msg = queues[chat_id].pop(0)
        if not queues[chat_id]:
            del queues[chat_id]
        update_id += 1
        kind = "/start" if msg["text"] == "/start" else "follow-up" if chat_id in opened else "new ticket"
        if kind == "new ticket":
            opened.add(chat_id)
        posted.append((kind, {"update_id": update_id, "message": {**msg, "date": int(time.time())}}))
    for _replay in range(replays):  # Telegram delivering an update again (our answer was lost or slow)
        at = rng.randrange(1, len(posted))
        posted.insert(at + rng.randrange(0, 5), ("replay", posted[rng.randrange(at)][1]))
    return posted, chats, unique


def telegram(service, count: int, tag: str, rng: random.Random, closed_port: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from spbe.chat import delivery
    from spbe.chat.models import ChatChannel, ChatConversation, ChatMessage
    from spbe.desk.choices import TimelineKind
    from spbe.desk.models import Ticket, TimelineEvent

    print(f"\n4. Telegram webhook: {count} updates posted one after the other through Django's test Client; the Bot "
          f"API at 127.0.0.1:{closed_port} (closed)", flush=True)  # fmt: skip
    channel = ChatChannel(pemda=service.pd.pemda, pd=service.pd, provider="telegram", name=f"Bench bot {tag}",
                          code=f"bench-{tag}-bot", default_service=service, default_kind="complaint",
                          default_impact="minor")  # fmt: skip
    channel.full_clean()
    channel.save()
    os.environ[f"SPBE_CHAT_{channel.code.upper().replace('-', '_')}_SECRET"] = CHANNEL_SECRET
    os.environ[f"SPBE_CHAT_{channel.code.upper().replace('-', '_')}_TOKEN"] = "123456:BENCH-token"
    posted, chats, unique = updates_for(count, rng)
    client = Client(SERVER_NAME="localhost")
    path = channel.webhook_path
    headers = {"X-Telegram-Bot-Api-Secret-Token": CHANNEL_SECRET}
    began = timezone.now()
    samples: dict[str, list[float]] = {}
    statuses = Counter()
    started = time.perf_counter()
    for kind, update in posted:
        body = json.dumps(update)
        t0 = time.perf_counter()
        response = client.post(path, body, content_type="application/json", headers=headers)
        samples.setdefault(kind, []).append(time.perf_counter() - t0)
        statuses[response.status_code] += 1
    elapsed = time.perf_counter() - started
    every = [s for values in samples.values() for s in values]
    line("requests posted", len(posted))
    line("answered 200", statuses[200])
    line("throughput (requests/s, one client, sequential)", f"{len(posted) / elapsed:.1f}")
    timing("every request", every)
    for kind in ("new ticket", "follow-up", "/start", "replay"):
        if samples.get(kind):
            timing(f"  {kind}", samples[kind])
    inbound = ChatMessage.objects.filter(channel=channel, direction="in")
    outbound = ChatMessage.objects.filter(channel=channel, direction="out")
    tickets = Ticket.objects.filter(chat_messages__channel=channel).distinct()
    starts = sum(1 for kind, _u in posted if kind == "/start")
    check("answered 200 (replays too)", statuses[200], len(posted))
    check("conversations = distinct chats", ChatConversation.objects.filter(channel=channel).count(), chats)
    check("tickets = distinct chats", tickets.count(), chats)
    check("tickets opened during the run, method chat",
          Ticket.objects.filter(created__gte=began, reporting_method="chat").count(), chats)  # fmt: skip
    check("inbound messages = distinct message ids", inbound.count(), unique)
    follow_ups = unique - chats - starts
    check("follow-ups on the timeline ('Balasan pelapor')",
          TimelineEvent.objects.filter(ticket__in=tickets, kind=TimelineKind.REPLIED).count(), follow_ups)  # fmt: skip
    check("replies queued (ticket number + /start welcome)", outbound.count(), chats + starts)
    check("replies attempted during the requests (sent later)", outbound.filter(attempts__gt=0).count(), 0)
    t0 = time.perf_counter()
    for pk in outbound.values_list("pk", flat=True):  # what deliver_pending() does, for this channel's replies only
        delivery.deliver_one(pk)
    spent = time.perf_counter() - t0
    retrying = outbound.filter(status="pending", attempts=1, next_attempt_at__gt=timezone.now()).count()
    print(f"  then the delivery task (after the commit, on a worker): {spent:.2f} s for {outbound.count()} replies, "
          f"{retrying} refused by the closed port and rescheduled")  # fmt: skip
    check("  replies rescheduled for a retry", retrying, outbound.count())


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=300, help="mails of the intake (1)")
    parser.add_argument("--kill-mails", type=int, default=200, help="mails of the SIGKILL test (2)")
    parser.add_argument("--kill-every", default="0.3,1.5", help="seconds from a child's start to its kill: min,max")
    parser.add_argument("--articles", default="25,400", help="published articles in the Pemda, one run each (3)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per typed text (3)")
    parser.add_argument("--updates", type=int, default=300, help="Telegram updates posted (4)")
    parser.add_argument("--reuse", action="store_true", help="reuse the seeded database of an earlier --keep run")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    sizes = [int(n) for n in args.articles.split(",") if n.strip()]
    min_s, max_s = (float(n) for n in args.kill_every.split(","))
    total = time.perf_counter()
    build(args.reuse)
    from spbe.mail.testing import DovecotServer, free_port

    closed_port = free_port(15950, 16000)  # nobody listens: the Bot API "down"
    setup_django(f"http://127.0.0.1:{closed_port}")
    from spbe.catalog.models import Service

    service = Service.objects.select_related("pd__pemda").get(pd__pemda__slug=PEMDA, name=SERVICE)
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(SEED)
    root = Path(tempfile.mkdtemp(prefix="spbe-bench-channels-"))
    server = DovecotServer(root, free_port(14950, 15000)).start()
    version = subprocess.run(["psql", DB_URL, "-tAc", "SHOW server_version"], capture_output=True, text=True)
    dovecot = subprocess.run([shutil.which("dovecot") or "/usr/sbin/dovecot", "--version"], capture_output=True,
                             text=True).stdout.split()[0]  # fmt: skip
    command = shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    print(f"\nChannels (issue 15) on {platform.node()}, {os.cpu_count()} cores; PostgreSQL {version.stdout.strip()}; "
          f"dovecot {dovecot} on 127.0.0.1:{server.port}")  # fmt: skip
    print(f"command: {command}")
    try:
        mail_intake(server, service, args.mails, tag, rng)
        kill_test(server, service, args.kill_mails, tag, rng, min_s, max_s)
        knowledge(service, sizes, args.runs, tag, rng)
        telegram(service, args.updates, tag, rng, closed_port)
    except imaplib.IMAP4.error as error:
        FAILURES.append(f"IMAP: {error}")
        raise
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            desk.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", desk.PG_ADMIN)
            shutil.rmtree(VAR, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - total:.0f} s, load average {os.getloadavg()[0]:.2f}")
    if FAILURES:
        print("WRONG COUNTS:\n  " + "\n  ".join(FAILURES))
        return 1
    print("every count is right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
