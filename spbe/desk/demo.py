"""Twelve months of demo tickets per Pemda (issue 5, item 12), in every
state, so the queue, the clocks and later the reports have something true to
show: most are closed (confirmed and rated, or closed by silence), the last
weeks still open, a few escalated or waiting for the reporter."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from spbe.catalog.models import Service
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.desk.models import SlaDocument
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch

SUBJECTS = [
    ("Aplikasi tidak bisa dibuka", "Halaman putih setelah login sejak pagi.", "mayor"),
    ("Unggah berkas gagal", "Muncul pesan galat saat mengunggah PDF di atas 2 MB.", "minor"),
    ("Lambat sekali", "Butuh lebih dari satu menit untuk membuka daftar pengajuan.", "minor"),
    ("Kode OTP tidak terkirim", "SMS OTP tidak masuk ke nomor Telkomsel.", "minor"),
    ("Server tidak dapat diakses", "Semua pengguna di kecamatan tidak bisa mengakses layanan.", "mayor"),
    ("Laporan tidak tampil", "Menu laporan bulanan kosong padahal data sudah diisi.", "minor"),
    ("Sertifikat situs kedaluwarsa", "Peramban menampilkan peringatan keamanan.", "mayor"),
]
REQUESTS = [
    ("Permintaan akun baru", "Mohon dibuatkan akun untuk petugas loket baru."),
    ("Reset kata sandi", "Lupa kata sandi akun petugas."),
    ("Penambahan hak akses", "Mohon akses menu laporan untuk Kasubbag."),
]
REPORTERS = ["Sri Wahyuni", "Bambang Sutrisno", "Dewi Lestari", "Agus Santoso", "Rina Marlina", "Joko Prasetyo",
             "Siti Aminah", "Budi Hartono", "Yuni Kartika", "Eko Saputro"]  # fmt: skip
PER_MONTH = 10
METHODS = [ReportingMethod.PORTAL] * 5 + [ReportingMethod.PHONE] * 2 + [ReportingMethod.EMAIL, ReportingMethod.WALK_IN,
                                                                         ReportingMethod.LAPOR]  # fmt: skip


def load_desk_demo(pemda) -> None:
    rng = random.Random(pemda.slug)
    services = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").select_related("pd", "service_admin"))
    now = timezone.now()
    _sla_document(pemda, services, now)
    with without_dispatch():
        for _number in range(PER_MONTH * 12):
            age = timedelta(days=rng.uniform(1, 365))  # at least a day ago: every step below lies in the past
            _one(rng, rng.choice(services), now - age, age)
    # Demo e-mails are history, not news: nothing to deliver when the worker starts.
    OutboxMessage.objects.filter(pemda=pemda).update(status=OutboxStatus.SENT, sent_at=now)


def _sla_document(pemda, services, now) -> None:
    """E-3: the vendor contract of Disdukcapil's applications, with the
    pack's commitments and a contract value, so its tickets carry E-3
    clocks and the evaluation has a contract to judge (E-2 point 7)."""
    covered = [s for s in services if s.pd.abbreviation == "Disdukcapil"]
    pack = pemda.policy_version.pack if covered and pemda.policy_version_id else None
    if pack is None:
        return
    document = SlaDocument.objects.create(
        pemda=pemda, pd=covered[0].pd, title=f"SLA Pemeliharaan Aplikasi Kependudukan {now.year}",
        vendor="PT Data Solusi Nusantara", contract_number=f"027/SPK/DUKCAPIL/{now.year - 1}",
        contract_value=185_000_000, valid_from=(now - timedelta(days=400)).date(),
        valid_to=(now + timedelta(days=330)).date(), response_target=pack.sla_response,
        resolution_1=pack.sla_resolution[1], resolution_2=pack.sla_resolution[2], resolution_3=pack.sla_resolution[3],
    )  # fmt: skip
    document.services.set(covered)


def _one(rng: random.Random, service, reported, age: timedelta) -> None:
    admin = service.service_admin
    name = rng.choice(REPORTERS)
    reporter = Reporter(name, f"{name.split()[0].lower()}.{rng.randint(1, 99)}@contoh.id", "08123456789")
    if rng.random() < 0.2:
        subject, description = rng.choice(REQUESTS)
        kind, impact = TicketKind.REQUEST, ""
    else:
        subject, description, impact = rng.choice(SUBJECTS)
        kind = TicketKind.COMPLAINT
    method = rng.choice(METHODS)
    ticket = actions.open_ticket(
        actor=admin, service=service, kind=kind, reporter=reporter, subject=subject, description=description,
        impact=impact, reported_at=reported, reporting_method=method,
        lapor_tracking_id=f"LPR{rng.randint(1000000, 9999999)}" if method == ReportingMethod.LAPOR else "",
    )  # fmt: skip
    recent = age < timedelta(days=14)
    if recent and rng.random() < 0.35:
        return  # still new
    responded = reported + timedelta(minutes=rng.choice([5, 10, 20, 45, 90, 180, 600]))
    actions.respond(admin, ticket, "Terima kasih, laporan sedang kami periksa.", at=responded)
    if ticket.sla_document_id:  # E-3 urgency: the whole service down is 1, a part of it 2, a request 3
        actions.classify_urgency(admin, ticket, {"mayor": 1, "minor": 2}.get(impact, 3))
    if rng.random() < 0.1 and kind == TicketKind.COMPLAINT:
        actions.escalate(admin, ticket, 1, "Penanganan melampaui perkiraan; dibantu Administrator Infrastruktur.")
    if recent and rng.random() < 0.4:
        return  # in progress
    resolved = responded + timedelta(hours=rng.choice([1, 2, 4, 8, 20, 30, 50]))
    actions.resolve(admin, ticket, "Layanan dipulihkan; penyebab sudah ditangani.",
                    cause=rng.choice(["Kapasitas disk penuh", "Sertifikat kedaluwarsa", "Gangguan jaringan", ""]),
                    at=resolved)  # fmt: skip
    if recent:
        return  # waiting for the reporter's confirmation
    if rng.random() < 0.8:
        actions.confirm(
            None, ticket, rng.choice([3, 4, 4, 5, 5, 5]), "", at=resolved + timedelta(hours=rng.randint(1, 30))
        )
    else:
        actions.confirm(None, ticket, at=resolved + timedelta(days=7), automatic=True)
