"""Demo of the SP4N-LAPOR! channel (Pedoman C): per Pemda, one past import
of seven LAPOR! reports whose tickets stand in different states — a
verification overdue, one verified and followed up on time, one late on
both, some still running — and the LAPOR! clocks of the desk demo's
tickets recorded with method SP4N-LAPOR! (backfilled from their history).
The follow-up export is generated on demand from these."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from spbe.catalog.models import Service
from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod
from spbe.desk.models import Ticket
from spbe.lapor import actions, rules
from spbe.lapor.fileformat import COLUMNS
from spbe.lapor.models import LaporImport
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch
from spbe.org.choices import Role
from spbe.org.models import User

# tracking suffix, days ago, type, title, body, reporter, what happened next
REPORTS = [
    ("01", 10, "Pengaduan", "Aplikasi antrean daring tidak bisa dibuka", "Sejak pagi muncul galat saat memilih "
     "jadwal layanan.", "Budi Santoso", "none"),
    ("02", 9, "Pengaduan", "Unggah dokumen persyaratan gagal", "Berkas PDF 1 MB selalu ditolak sistem.",
     "Rahasia", "on_time"),
    ("03", 12, "Pengaduan", "Status permohonan tidak berubah", "Sudah dua minggu status masih 'diproses'.",
     "Dewi Lestari", "late"),
    ("04", 2, "Aspirasi", "Usul layanan loket hari Sabtu", "Mohon loket dibuka Sabtu pagi untuk pekerja.",
     "Anonim", "none"),
    ("05", 4, "Pengaduan", "Kode OTP tidak terkirim", "OTP via SMS tidak masuk ke nomor saya.", "Agus Prasetyo",
     "verified"),
    ("06", 6, "Permintaan Informasi", "Syarat pindah domisili", "Apa saja syarat pindah datang dari luar kota?",
     "Siti Aminah", "on_time"),
    ("07", 1, "Pengaduan", "Halaman pembayaran retribusi lambat", "Butuh lebih dari satu menit untuk memuat.",
     "Anonim", "none"),
]  # fmt: skip


def _importer(service) -> User | None:
    admins = User.objects.filter(role_assignments__role=Role.ADMIN_LAYANAN, role_assignments__pd=service.pd)
    for person in [service.service_admin, *admins]:
        if person is not None and rules.can_import(person, service.pd):
            return person
    return User.objects.filter(role_assignments__role=Role.KOORDINATOR_SPBE,
                               role_assignments__pd__pemda=service.pd.pemda).first()  # fmt: skip


def _csv(pemda, now) -> bytes:
    header = [c.header for c in COLUMNS if c.key not in ("impact", "service")]
    lines = [";".join(header)]
    for suffix, days, kind, title, body, reporter, _then in REPORTS:
        reported = timezone.localtime(now - timedelta(days=days)).replace(hour=9, minute=int(suffix) * 5)
        email = "" if reporter in ("Anonim", "Rahasia") else f"{reporter.split()[0].lower()}@contoh.id"
        lines.append(";".join([
            f"LPR{pemda.pk:02d}{now:%y%m}{suffix}", reported.strftime("%d/%m/%Y %H:%M"), title, body,
            "Pelayanan Publik", kind, reporter, email, "", pemda.name, "", "Diverifikasi",
        ]))  # fmt: skip
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def load_lapor_demo(pemda) -> None:
    """Idempotent: a Pemda that already has a LAPOR! import is left as it is."""
    if pemda.policy_version_id is None or LaporImport.objects.filter(pemda=pemda).exists():
        return
    services = list(
        Service.objects.filter(pd__pemda=pemda, lifecycle="active", service_admin__isnull=False)
        .select_related("pd__pemda__policy_version", "service_admin")
        .order_by("code")
    )
    if not services:
        return
    # Disdukcapil (the PD the demo's Administrator Layanan persona serves) when there is one
    service = next((s for s in services if "dukcapil" in s.pd.abbreviation.lower()), services[0])
    admin = _importer(service)
    if admin is None:
        return
    now = timezone.now()
    with without_dispatch():
        upload = SimpleUploadedFile("ekspor-lapor-demo.csv", _csv(pemda, now), content_type="text/csv")
        done = actions.confirm_import(admin, actions.preview_import(admin, upload, service))
        for row in done.rows.select_related("ticket"):
            then = next(r[6] for r in REPORTS if row.tracking_id.endswith(r[0]))
            _walk(admin, row.ticket, then, now)
        for ticket in Ticket.objects.filter(pemda=pemda, reporting_method=ReportingMethod.LAPOR).exclude(
            pk__in=done.rows.values("ticket")
        ):
            actions.backfill_lapor_clocks(None, ticket)
    OutboxMessage.objects.filter(pemda=pemda, status=OutboxStatus.PENDING).update(status=OutboxStatus.SENT, sent_at=now)


def _walk(admin, ticket, then: str, now) -> None:
    if ticket is None or then == "none":
        return
    reported = ticket.reported_at
    if then == "late":
        desk.respond(admin, ticket, "Laporan diterima dan diverifikasi.", at=reported + timedelta(days=6))
        desk.resolve(admin, ticket, "Status permohonan diperbarui; data sudah disinkronkan.",
                     at=reported + timedelta(days=10))  # fmt: skip
        desk.confirm(None, ticket, 3, at=min(now, reported + timedelta(days=11)))
        return
    desk.respond(admin, ticket, "Terima kasih, laporan sudah kami verifikasi dan sedang ditangani.",
                 at=reported + timedelta(hours=3))  # fmt: skip
    if then == "on_time":
        desk.resolve(admin, ticket, "Sudah kami tindak lanjuti; silakan dicoba kembali.",
                     at=reported + timedelta(days=1, hours=2))  # fmt: skip
