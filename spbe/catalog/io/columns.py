"""The one column specification of the catalog's Excel files (P-4),
shared by export, template and import."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.catalog.choices import Classification, ServiceGroup, SupportHours, TimeUnit
from spbe.org.choices import Role

MAX_HOURS = 8760  # as ServiceForm.target_hours


@dataclass(frozen=True)
class Column:
    """One column of the catalog sheet. ``kind`` says how a cell is written
    and read; ``read_only`` columns are exported for information and ignored
    by the import."""

    field: str
    header: Any  # lazy text
    kind: str  # text, pd, person, decimal, int, hours, choice, bool
    required: bool
    help: Any
    choices: type[models.TextChoices] | None = None
    role: Role | None = None
    example: Any = ""
    width: int = 18
    read_only: bool = False


gl = gettext_lazy
COLUMNS: list[Column] = [
    Column("code", gl("Kode"), "text", True, gl("Unik di satu PD; bersama singkatan PD menjadi kunci impor."),
           example="CONTOH-01", width=14),
    Column("name", gl("Nama layanan"), "text", True, gl("Nama layanan (P-4 butir 1)."),
           example="Penerbitan Akta Kelahiran Daring", width=32),
    Column("description", gl("Deskripsi"), "text", True, gl("Deskripsi layanan (P-4 butir 2)."),
           example="Permohonan dan penerbitan akta kelahiran secara daring.", width=40),
    Column("pd", gl("Penyedia layanan (singkatan PD)"), "pd", True,
           gl("Singkatan Perangkat Daerah penyedia (P-4 butir 3); hanya PD yang boleh Anda kelola."), width=16),
    Column("service_admin", gl("Administrator layanan (e-mail)"), "person", False,
           gl("E-mail orang yang memegang peran Administrator Layanan (P-4 butir 4)."),
           role=Role.ADMIN_LAYANAN, width=28),
    Column("infra_admin", gl("Administrator infrastruktur dan teknis (e-mail)"), "person", False,
           gl("E-mail orang yang memegang peran Administrator Infrastruktur dan Aplikasi (P-4 butir 5)."),
           role=Role.ADMIN_INFRA, width=28),
    Column("access", gl("Cara akses"), "text", True, gl("Alamat aplikasi, loket, atau langkah akses (P-4 butir 6)."),
           example="Aplikasi web atau loket pelayanan.", width=30),
    Column("url", gl("Alamat web"), "text", False, gl("Alamat web lengkap, diawali https://."),
           example="https://layanan.example.go.id", width=28),
    Column("availability_target", gl("Target ketersediaan (%)"), "decimal", True,
           gl("Angka 0–100, paling banyak 2 desimal (P-4 butir 7)."), example=Decimal("99.50"), width=12),
    Column("help_contact", gl("Kontak bantuan"), "text", True, gl("Telepon, e-mail, atau kanal bantuan (P-4 butir 8)."),
           example="0274 555123", width=22),
    Column("support_hours", gl("Waktu pelayanan bantuan"), "choice", True,
           gl("Kalender waktu pelayanan bantuan (P-4 butir 9)."), choices=SupportHours,
           example=SupportHours.WORKING_HOURS, width=20),
    Column("group", gl("Kelompok"), "choice", True, gl("Kelompok layanan (Perpres 95/2018)."), choices=ServiceGroup,
           example=ServiceGroup.LAYANAN_PUBLIK, width=30),
    Column("classification", gl("Klasifikasi"), "choice", True,
           gl("Klasifikasi layanan (P-5); kritis wajib RPO dan RTO sebelum diajukan."), choices=Classification,
           example=Classification.ESENSIAL, width=12),
    Column("user_service_target_override", gl("Target pelayanan pengguna sendiri (jam)"), "hours", False,
           gl("Bilangan bulat 1–8760. Kosongkan untuk memakai target paket kebijakan Pemda (P-1); wajib bila "
              "paket tidak menetapkan target untuk kelompok dan klasifikasi ini."), example=36, width=14),
    Column("user_service_target_reason", gl("Alasan target sendiri"), "text", False,
           gl("Wajib bila target sendiri diisi."), example="Ditetapkan Pimpinan PD bersama PJ Penyedia Layanan.",
           width=30),
    Column("rpo_value", gl("RPO"), "int", False, gl("Bilangan bulat; isi bersama satuannya (P-5)."), example=1,
           width=8),
    Column("rpo_unit", gl("Satuan RPO"), "choice", False, gl("Satuan RPO."), choices=TimeUnit,
           example=TimeUnit.DAYS, width=10),
    Column("rto_value", gl("RTO"), "int", False, gl("Bilangan bulat; isi bersama satuannya (P-5)."), example=4,
           width=8),
    Column("rto_unit", gl("Satuan RTO"), "choice", False, gl("Satuan RTO."), choices=TimeUnit,
           example=TimeUnit.HOURS, width=10),
    Column("requires_approval", gl("Permintaan perlu persetujuan"), "bool", False,
           gl("Ya bila permintaan layanan ini harus disetujui (O-1); kosong berarti Tidak."), example=False, width=14),
    Column("availability_current", gl("Ketersediaan terkini (%)"), "decimal", False,
           gl("Diisi oleh pemantauan (P-4 butir 11); diabaikan saat impor."), read_only=True, width=12),
    Column("lifecycle", gl("Status layanan"), "text", False, gl("Diabaikan saat impor."), read_only=True, width=12),
    Column("status", gl("Status persetujuan"), "text", False,
           gl("Diabaikan saat impor. Layanan yang diajukan atau disetujui tidak dapat diubah lewat impor."),
           read_only=True, width=18),
]  # fmt: skip
EDITABLE = [c for c in COLUMNS if not c.read_only]
BY_FIELD = {c.field: c for c in COLUMNS}


def yes_label() -> str:
    return _("Ya")


def no_label() -> str:
    return _("Tidak")


def allowed_values(column: Column) -> str:
    if column.kind == "choice":
        return ", ".join(str(label) for _value, label in column.choices.choices)
    return {
        "bool": f"{yes_label()}, {no_label()}",
        "decimal": _("angka 0–100"),
        "int": _("bilangan bulat ≥ 0"),
        "hours": _("bilangan bulat 1–8760"),
        "pd": _("singkatan PD (lihat daftar di bawah)"),
        "person": _("e-mail"),
    }.get(column.kind, _("teks"))
