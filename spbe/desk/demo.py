"""A few weeks of demo tickets per Pemda, in every state, so the queue and
the clocks have something true to show. (Twelve months come with the rest
of the desk.)"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from spbe.catalog.models import Service
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind

SUBJECTS = [
    ("Aplikasi tidak bisa dibuka", "Halaman putih setelah login sejak pagi.", "mayor"),
    ("Unggah berkas gagal", "Muncul pesan galat saat mengunggah PDF di atas 2 MB.", "minor"),
    ("Lambat sekali", "Butuh lebih dari satu menit untuk membuka daftar pengajuan.", "minor"),
    ("Kode OTP tidak terkirim", "SMS OTP tidak masuk ke nomor Telkomsel.", "minor"),
    ("Server tidak dapat diakses", "Semua pengguna di kecamatan tidak bisa mengakses layanan.", "mayor"),
]
REPORTERS = ["Sri Wahyuni", "Bambang Sutrisno", "Dewi Lestari", "Agus Santoso", "Rina Marlina", "Joko Prasetyo"]


def load_desk_demo(pemda) -> None:
    rng = random.Random(pemda.slug)
    services = list(Service.objects.filter(pd__pemda=pemda, lifecycle="active").select_related("pd", "service_admin"))
    now = timezone.now()
    for index in range(12):
        service = rng.choice(services)
        subject, description, impact = rng.choice(SUBJECTS)
        # at least a day ago, so that every step below lies in the past
        reported = now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
        name = rng.choice(REPORTERS)
        ticket = actions.open_ticket(
            actor=service.service_admin, service=service, kind=TicketKind.COMPLAINT,
            reporter=Reporter(name, f"{name.split()[0].lower()}@contoh.id", "08123456789"),
            subject=subject, description=description, impact=impact, reported_at=reported,
            reporting_method=rng.choice([ReportingMethod.PORTAL, ReportingMethod.PHONE, ReportingMethod.EMAIL]),
        )  # fmt: skip
        stage = index % 4
        if stage >= 1:
            actions.respond(service.service_admin, ticket, "Terima kasih, laporan sedang kami periksa.",
                            at=reported + timedelta(minutes=rng.randint(5, 90)))  # fmt: skip
        if stage >= 2:
            actions.resolve(service.service_admin, ticket, "Layanan dipulihkan; penyebab sudah ditangani.",
                            cause="Kapasitas server penuh", at=reported + timedelta(hours=rng.randint(2, 20)))  # fmt: skip
        if stage == 3:
            actions.confirm(None, ticket, rng.randint(3, 5), "", at=reported + timedelta(hours=22))
