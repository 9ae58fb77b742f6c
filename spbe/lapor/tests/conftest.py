"""Fixtures of the SP4N-LAPOR! tests (Pedoman C): Yogya's packs, an active
service of Disdukcapil (the owner PD) and one of Dinkes (another PD), a
frozen "now" after the reports, and files built like LAPOR!'s exports."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from spbe.catalog.models import Service

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=WIB)  # a Friday noon, after every report below
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Nomor Tracking", "Tanggal Laporan", "Judul", "Isi Laporan", "Kategori", "Jenis Laporan", "Nama Pelapor",
          "Email", "Telepon", "Instansi Tujuan", "Lokasi", "Status"]  # fmt: skip


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def make_service(pd, code: str, name: str, admin=None, **extra) -> Service:
    data = dict(
        pd=pd, code=code, name=name, description="-", group="layanan_publik", classification="esensial",
        access="web", availability_target=Decimal("99.0"), help_contact="-", support_hours="working_hours",
        lifecycle="active", status="approved", service_admin=admin,
    )  # fmt: skip
    data.update(extra)
    return Service.objects.create(**data)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def service(world, packs):
    return make_service(world.dukcapil, "DUK-02", "Antrean Daring Adminduk", world.owner_admin)


@pytest.fixture
def dinkes_service(world, packs):
    return make_service(world.dinkes, "DKS-01", "Pendaftaran Puskesmas Daring", world.other_pd_admin)


def rows(*extra) -> list[list]:
    """Three LAPOR! reports of the week of 16 Nov 2026 plus ``extra`` rows."""
    return [
        ["LPR2611001", "16/11/2026 09:15", "Antrean daring galat", "Aplikasi antrean menampilkan galat 500.",
         "Administrasi Kependudukan", "Pengaduan", "Budi Santoso", "budi@contoh.id", "0812000111",
         "Pemerintah Kota Yogyakarta", "Umbulharjo", "Diverifikasi"],
        ["LPR2611002", "17/11/2026 13:40", "Usul jam layanan Sabtu", "Mohon loket dibuka Sabtu pagi.",
         "Pelayanan Publik", "Aspirasi", "Anonim", "", "", "Disdukcapil", "Kotagede", "Diverifikasi"],
        ["LPR2611003", "18/11/2026 08:05", "Syarat pindah domisili", "Apa saja syarat pindah datang?",
         "Administrasi Kependudukan", "Permintaan Informasi", "Rahasia", "rahasia@contoh.id", "0812999",
         "Disdukcapil", "", "Diverifikasi"],
        *extra,
    ]  # fmt: skip


def csv_upload(table: list[list], *, delimiter=",", encoding="utf-8", bom=False, name="lapor.csv"):
    text = "\r\n".join(delimiter.join(_csv_cell(c, delimiter) for c in row) for row in table) + "\r\n"
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _csv_cell(value, delimiter) -> str:
    text = "" if value is None else str(value)
    return f'"{text}"' if delimiter in text or '"' in text else text


def xlsx_upload(table: list[list], name="lapor.xlsx", title_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    for row in (*title_rows, *table):
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def a_day(n=1) -> timedelta:
    return timedelta(days=n)
