"""Reading the files SP4N-LAPOR! exports (Pedoman C: no open API, files
only). LAPOR! publishes no specification of its export, so the columns
below are what its exports to an instansi carry, under the names seen in
practice; headers match case-insensitively, ignoring punctuation, with a
few aliases each (docs/channels.md lists them).

Accepted: CSV (comma, semicolon or tab; UTF-8 with or without BOM, else
Windows-1252, else Latin-1) and XLSX, at most 5 MB and ``MAX_ROWS`` rows,
judged by content, not by name. Pure parsing: no database."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.lapor.choices import FileFormat, ReportType

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in exports


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name in the template
    aliases: tuple[str, ...]
    required: bool
    help: Any  # lazy text for the column guide


COLUMNS = (
    Column("tracking_id", "Nomor Tracking", ("id laporan", "no tracking", "nomor pelacakan", "tracking id",
                                             "kode tracking", "no laporan", "nomor laporan"), True,
           gettext_lazy("Nomor pelacakan LAPOR!; kunci impor: nomor yang sudah tercatat dilewati.")),
    Column("reported_at", "Tanggal Laporan", ("tanggal", "tgl laporan", "waktu laporan", "tanggal dibuat",
                                              "tanggal masuk"), True,
           gettext_lazy("Tanggal (dan jam) laporan masuk di LAPOR!, waktu setempat: 20/11/2026 14:30, "
                        "2026-11-20 14:30 atau 20 November 2026. Jam SLA LAPOR! dihitung dari tanggal ini.")),
    Column("title", "Judul", ("judul laporan", "perihal"), True, gettext_lazy("Judul laporan (maks. 200 karakter).")),
    Column("body", "Isi Laporan", ("isi", "uraian", "deskripsi", "isi pengaduan"), True,
           gettext_lazy("Isi laporan pelapor.")),
    Column("category", "Kategori", ("kategori laporan", "topik"), False, gettext_lazy("Kategori LAPOR!.")),
    Column("report_type", "Jenis Laporan", ("jenis", "tipe laporan", "klasifikasi", "klasifikasi laporan"), True,
           gettext_lazy("Pengaduan → aduan; Aspirasi atau Permintaan Informasi → permintaan layanan.")),
    Column("reporter_name", "Nama Pelapor", ("pelapor", "nama"), False,
           gettext_lazy("Kosong, \"Anonim\" atau \"Rahasia\": pelapor tanpa identitas; kontaknya tidak disimpan.")),
    Column("email", "Email", ("e-mail", "email pelapor", "surel"), False, gettext_lazy("E-mail pelapor.")),
    Column("phone", "Telepon", ("no hp", "nomor telepon", "no telepon", "hp", "telepon pelapor", "nomor hp"), False,
           gettext_lazy("Telepon pelapor.")),
    Column("agency", "Instansi Tujuan", ("instansi", "instansi terlapor", "disposisi", "instansi terdisposisi"),
           False, gettext_lazy("Instansi yang dituju di LAPOR!; dicatat pada uraian tiket.")),
    Column("location", "Lokasi", ("alamat", "lokasi kejadian"), False, gettext_lazy("Lokasi kejadian.")),
    Column("lapor_status", "Status", ("status laporan", "status lapor"), False,
           gettext_lazy("Status di LAPOR! saat diekspor; dicatat pada uraian tiket.")),
    Column("impact", "Dampak", ("dampak gangguan",), False,
           gettext_lazy("Untuk pengaduan: Mayor (layanan gagal total) atau Minor; kosong berarti Minor.")),
    Column("service", "Layanan", ("kode layanan", "nama layanan"), False,
           gettext_lazy("Kode atau nama layanan di katalog; kosong berarti layanan bawaan yang dipilih saat "
                        "mengunggah.")),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = [column for column in COLUMNS if column.required]
ANONYMOUS_NAMES = {"", "anonim", "anonymous", "rahasia", "-", "tanpa nama"}
TYPES = {
    "pengaduan": ReportType.PENGADUAN, "aduan": ReportType.PENGADUAN, "keluhan": ReportType.PENGADUAN,
    "aspirasi": ReportType.ASPIRASI, "saran": ReportType.ASPIRASI,
    "permintaan informasi": ReportType.PERMINTAAN_INFORMASI, "informasi": ReportType.PERMINTAAN_INFORMASI,
    "permintaan info": ReportType.PERMINTAAN_INFORMASI,
}  # fmt: skip
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "peb": 2, "pebruari": 2, "maret": 3, "mar": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8, "ags": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11,
    "nopember": 11, "desember": 12, "des": 12, "dec": 12, "may": 5,
}  # fmt: skip
DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
                "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y")  # fmt: skip
_WORDY_DATE = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?:[ ,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")


def norm(text: Any) -> str:
    """A header or choice as compared: case-folded, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", str(text or "")).split()).casefold()


HEADER_NAMES = {norm(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)}


@dataclass
class CellError:
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    """One data row: the cleaned values under the column keys and the
    reasons any cell was refused."""

    number: int  # the row number the spreadsheet shows (the header is row 1 when at the top)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        self.errors.append(CellError(BY_KEY[key].header if key in BY_KEY else key, message))


@dataclass
class ParsedFile:
    file_format: str
    rows: list[ParsedRow]
    ignored_headers: list[str]


# --- the upload ---------------------------------------------------------------------------------


def file_format_of(upload) -> str:
    """Refuse what is not a CSV or XLSX file of at most 5 MB, judged by its
    content; returns ``csv`` or ``xlsx``."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(_("Unggah berkas ekspor LAPOR! berakhiran .csv atau .xlsx."), code="file_ext")
    if upload.size > MAX_BYTES:
        raise ValidationError(_("Ukuran berkas maksimal 5 MB."), code="file_size")
    if upload.size == 0:
        raise ValidationError(_("Berkas kosong."), code="file_content")
    if suffix == ".xlsx":
        from spbe.catalog.io import check_xlsx  # the catalog's check of a real workbook (zip parts, no macros)

        check_xlsx(upload)
        return FileFormat.XLSX
    head = upload.read(4096)
    upload.seek(0)
    if b"\x00" in head or head.startswith((b"MZ", b"PK\x03\x04", b"%PDF", b"\x7fELF", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(_("Berkas ini bukan berkas CSV (teks) yang sah."), code="file_content")
    return FileFormat.CSV


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV" on an
    Indonesian Windows), else Latin-1, which never fails."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _csv_table(upload) -> list[list[Any]]:
    text = decode(upload.read())
    upload.seek(0)
    if "\x00" in text:
        raise ValidationError(_("Berkas ini bukan berkas CSV (teks) yang sah."), code="file_content")
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    sample = "\n".join(lines)
    # the delimiter the header line uses most: Excel with an Indonesian locale writes ";"
    delimiter = max(";,\t", key=lambda d: sample.count(d)) if sample else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ValidationError(
            _("Berkas CSV tidak dapat dibaca: periksa tanda kutipnya."), code="file_content"
        ) from None


def _xlsx_table(upload) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            table = []
            for count, row in enumerate(sheet.iter_rows(values_only=True)):
                if count > MAX_ROWS + HEADER_SEARCH_ROWS:
                    break
                table.append(list(row))
        finally:
            workbook.close()
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean the same to the user
        raise ValidationError(
            _("Berkas Excel tidak dapat dibaca; simpan ulang sebagai .xlsx."), code="file_content"
        ) from None
    finally:
        upload.seek(0)
    return table


def read_table(upload) -> tuple[str, list[list[Any]]]:
    file_format = file_format_of(upload)
    table = _xlsx_table(upload) if file_format == FileFormat.XLSX else _csv_table(upload)
    return file_format, table


# --- header and cells ----------------------------------------------------------------------------


def _find_header(table: list[list[Any]]) -> tuple[int, dict[int, str], list[str]]:
    """The first of the top rows naming at least two known columns."""
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        mapping = {i: HEADER_NAMES[norm(cell)] for i, cell in enumerate(row) if norm(cell) in HEADER_NAMES}
        if len(set(mapping.values())) >= 2:
            seen: dict[int, str] = {}
            for i, key in mapping.items():
                if key not in seen.values():  # the first column of a name wins
                    seen[i] = key
            ignored = [str(cell).strip() for i, cell in enumerate(row) if i not in seen and str(cell or "").strip()]
            return index, seen, ignored
    raise ValidationError(
        _("Baris judul kolom tidak ditemukan. Kolom wajib: %(columns)s.")
        % {"columns": ", ".join(c.header for c in REQUIRED)},
        code="no_header",
    )


def parse(upload, zone: ZoneInfo, now: datetime) -> ParsedFile:
    """Read the upload into rows of cleaned values with per-cell errors.
    A file-level problem (type, size, no header, a required column missing,
    too many rows) raises ``ValidationError``; nothing is read then."""
    file_format, table = read_table(upload)
    header_index, columns, ignored = _find_header(table)
    missing = [c.header for c in REQUIRED if c.key not in columns.values()]
    if missing:
        raise ValidationError(
            _("Kolom wajib tidak ada: %(columns)s. Gunakan templat atau periksa baris judul kolom.")
            % {"columns": ", ".join(missing)},
            code="missing_columns",
        )
    rows = []
    for offset, cells in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(str(cell if cell is not None else "").strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("Berkas memuat lebih dari %(max)d laporan; bagi menjadi beberapa berkas.") % {"max": MAX_ROWS},
                code="too_many_rows",
            )
        raw = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        rows.append(clean_row(offset, raw, zone, now))
    if not rows:
        raise ValidationError(_("Berkas tidak memuat satu laporan pun di bawah baris judul kolom."), code="empty")
    _mark_repeats(rows)
    return ParsedFile(file_format, rows, ignored)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a numeric tracking ID read from Excel
    return str(value).strip()


def parse_datetime(value: Any, zone: ZoneInfo) -> datetime | None:
    """A date or date-time cell in the Pemda's local time; None if unreadable.
    A date without a time is the start of that day."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    text = " ".join(_text(value).split())
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    match = _WORDY_DATE.match(text.casefold())
    if match and match.group(2) in MONTHS:
        day, _month, year, hour, minute, second = match.groups()
        try:
            return datetime(int(year), MONTHS[match.group(2)], int(day), int(hour or 0), int(minute or 0),
                            int(second or 0), tzinfo=zone)  # fmt: skip
        except ValueError:
            return None
    return None


def clean_row(number: int, raw: dict[str, Any], zone: ZoneInfo, now: datetime) -> ParsedRow:
    row = ParsedRow(number)
    values = row.values
    tracking = _text(raw.get("tracking_id"))
    if not tracking:
        row.fail("tracking_id", _("Nomor tracking wajib diisi."))
    elif len(tracking) > 40:
        row.fail("tracking_id", _("Nomor tracking paling panjang 40 karakter."))
    values["tracking_id"] = tracking[:40]
    reported_cell = raw.get("reported_at")
    reported = parse_datetime(reported_cell, zone)
    if reported is None:
        if _text(reported_cell):
            row.fail("reported_at", _("Tanggal \"%(value)s\" tidak dikenali; tulis seperti 20/11/2026 14:30.")
                     % {"value": _text(reported_cell)[:40]})  # fmt: skip
        else:
            row.fail("reported_at", _("Tanggal laporan wajib diisi."))
    elif reported > now:
        row.fail("reported_at", _("Tanggal laporan tidak boleh di masa depan."))
    values["reported_at"] = reported.isoformat() if reported else ""
    title = _text(raw.get("title"))
    if not title:
        row.fail("title", _("Judul wajib diisi."))
    values["title"] = title[:200]
    body = _text(raw.get("body"))
    if not body:
        row.fail("body", _("Isi laporan wajib diisi."))
    values["body"] = body
    kind = _text(raw.get("report_type"))
    report_type = TYPES.get(norm(kind))
    if report_type is None:
        row.fail("report_type", _("Jenis \"%(value)s\" tidak dikenal: Pengaduan, Aspirasi atau Permintaan Informasi.")
                 % {"value": kind[:40]} if kind else _("Jenis laporan wajib diisi."))  # fmt: skip
    values["report_type"] = report_type or ""
    impact = norm(raw.get("impact"))
    if impact and impact not in ("mayor", "minor"):
        row.fail("impact", _("Dampak harus Mayor atau Minor."))
    values["impact"] = impact if impact in ("mayor", "minor") else "minor"
    name = _text(raw.get("reporter_name"))
    values["anonymous"] = norm(name) in ANONYMOUS_NAMES
    values["reporter_name"] = (name or _("Anonim"))[:150]
    email = _text(raw.get("email"))
    if email and not values["anonymous"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        row.fail("email", _("Alamat e-mail tidak sah."))
    # an anonymous or confidential ("Rahasia") reporter's contact is not kept
    values["email"] = "" if values["anonymous"] else email[:254]
    values["phone"] = "" if values["anonymous"] else _text(raw.get("phone"))[:30]
    for key, limit in (("category", 100), ("agency", 200), ("location", 200), ("lapor_status", 60), ("service", 200)):
        values[key] = _text(raw.get(key))[:limit]
    return row


def _mark_repeats(rows: list[ParsedRow]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        tracking = row.values.get("tracking_id")
        if not tracking:
            continue
        if tracking in first:
            message = _("Nomor tracking ini sudah ada di baris %(row)d berkas ini.") % {"row": first[tracking]}
            row.fail("tracking_id", message)
        else:
            first[tracking] = row.number


# --- the template --------------------------------------------------------------------------------

EXAMPLE = {
    "tracking_id": "6789012", "reported_at": "20/11/2026 09:15",
    "title": "Antrean KTP-el tidak bisa diambil daring",
    "body": "Sejak pagi aplikasi antrean menampilkan galat saat memilih jadwal.",
    "category": "Administrasi Kependudukan",
    "report_type": "Pengaduan", "reporter_name": "Anonim", "email": "", "phone": "",
    "agency": "Pemerintah Kota Yogyakarta", "location": "Kemantren Umbulharjo", "lapor_status": "Diverifikasi",
    "impact": "Minor", "service": "",
}  # fmt: skip


def template_rows() -> tuple[list[str], list[str]]:
    return [c.header for c in COLUMNS], [EXAMPLE[c.key] for c in COLUMNS]
