"""The one column specification of the catalog's Excel files (P-4),
shared by export, template and import."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


COLUMNS: list[Column] = [
    Column("code", _("Kode"), "text", True, _("Unik di satu PD; bersama singkatan PD menjadi kunci impor."),
           example="CONTOH-01", width=14),
    Column("name", _("Nama layanan"), "text", True, _("Nama layanan (P-4 butir 1)."),
           example="Penerbitan Akta Kelahiran Daring", width=32),
    Column("description", _("Deskripsi"), "text", True, _("Deskripsi layanan (P-4 butir 2)."),
           example="Permohonan dan penerbitan akta kelahiran secara daring.", width=40),
    Column("pd", _("Penyedia layanan (singkatan PD)"), "pd", True,
           _("Singkatan Perangkat Daerah penyedia (P-4 butir 3); hanya PD yang boleh Anda kelola."), width=16),
    Column("service_admin", _("Administrator layanan (e-mail)"), "person", False,
           _("E-mail orang yang memegang peran Administrator Layanan (P-4 butir 4)."),
           role=Role.ADMIN_LAYANAN, width=28),
    Column("infra_admin", _("Administrator infrastruktur dan teknis (e-mail)"), "person", False,
           _("E-mail orang yang memegang peran Administrator Infrastruktur dan Aplikasi (P-4 butir 5)."),
           role=Role.ADMIN_INFRA, width=28),
    Column("access", _("Cara akses"), "text", True, _("Alamat aplikasi, loket, atau langkah akses (P-4 butir 6)."),
           example="Aplikasi web atau loket pelayanan.", width=30),
    Column("url", _("Alamat web"), "text", False, _("Alamat web lengkap, diawali https://."),
           example="https://layanan.example.go.id", width=28),
    Column("availability_target", _("Target ketersediaan (%)"), "decimal", True,
           _("Angka 0–100, paling banyak 2 desimal (P-4 butir 7)."), example=Decimal("99.50"), width=12),
    Column("help_contact", _("Kontak bantuan"), "text", True, _("Telepon, e-mail, atau kanal bantuan (P-4 butir 8)."),
           example="0274 555123", width=22),
    Column("support_hours", _("Waktu pelayanan bantuan"), "choice", True,
           _("Kalender waktu pelayanan bantuan (P-4 butir 9)."), choices=SupportHours,
           example=SupportHours.WORKING_HOURS, width=20),
    Column("group", _("Kelompok"), "choice", True, _("Kelompok layanan (Perpres 95/2018)."), choices=ServiceGroup,
           example=ServiceGroup.LAYANAN_PUBLIK, width=30),
    Column("classification", _("Klasifikasi"), "choice", True,
           _("Klasifikasi layanan (P-5); kritis wajib RPO dan RTO sebelum diajukan."), choices=Classification,
           example=Classification.ESENSIAL, width=12),
    Column("user_service_target_override", _("Target pelayanan pengguna sendiri (jam)"), "hours", False,
           _("Bilangan bulat 1–8760. Kosongkan untuk memakai target paket kebijakan Pemda (P-1); wajib bila "
              "paket tidak menetapkan target untuk kelompok dan klasifikasi ini."), example=36, width=14),
    Column("user_service_target_reason", _("Alasan target sendiri"), "text", False,
           _("Wajib bila target sendiri diisi."), example="Ditetapkan Pimpinan PD bersama PJ Penyedia Layanan.",
           width=30),
    Column("rpo_value", _("RPO"), "int", False, _("Bilangan bulat; isi bersama satuannya (P-5)."), example=1,
           width=8),
    Column("rpo_unit", _("Satuan RPO"), "choice", False, _("Satuan RPO."), choices=TimeUnit,
           example=TimeUnit.DAYS, width=10),
    Column("rto_value", _("RTO"), "int", False, _("Bilangan bulat; isi bersama satuannya (P-5)."), example=4,
           width=8),
    Column("rto_unit", _("Satuan RTO"), "choice", False, _("Satuan RTO."), choices=TimeUnit,
           example=TimeUnit.HOURS, width=10),
    Column("requires_approval", _("Permintaan perlu persetujuan"), "bool", False,
           _("Ya bila permintaan layanan ini harus disetujui (O-1); kosong berarti Tidak."), example=False, width=14),
    Column("availability_current", _("Ketersediaan terkini (%)"), "decimal", False,
           _("Diisi oleh pemantauan (P-4 butir 11); diabaikan saat impor."), read_only=True, width=12),
    Column("lifecycle", _("Status layanan"), "text", False, _("Diabaikan saat impor."), read_only=True, width=12),
    Column("status", _("Status persetujuan"), "text", False,
           _("Diabaikan saat impor. Layanan yang diajukan atau disetujui tidak dapat diubah lewat impor."),
           read_only=True, width=18),
]  # fmt: skip
EDITABLE = [c for c in COLUMNS if not c.read_only]
BY_FIELD = {c.field: c for c in COLUMNS}


def yes_label() -> str:
    return gettext("Ya")


def no_label() -> str:
    return gettext("Tidak")


def allowed_values(column: Column) -> str:
    if column.kind == "choice":
        return ", ".join(str(label) for _value, label in column.choices.choices)
    return {
        "bool": f"{yes_label()}, {no_label()}",
        "decimal": gettext("angka 0–100"),
        "int": gettext("bilangan bulat ≥ 0"),
        "hours": gettext("bilangan bulat 1–8760"),
        "pd": gettext("singkatan PD (lihat daftar di bawah)"),
        "person": gettext("e-mail"),
    }.get(column.kind, gettext("teks"))
