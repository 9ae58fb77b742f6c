"""Validators for Indonesian identifiers used by ``org``."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE = re.compile(r"^(\+62|62|0)[0-9]{7,13}$")


def validate_nip(value: str) -> None:
    """Check an 18-digit NIP (Nomor Induk Pegawai) of a civil servant.

    Layout (BKN): birth date YYYYMMDD, appointment TMT YYYYMM, gender 1/2,
    sequence number 001–999.
    """
    if not re.fullmatch(r"[0-9]{18}", value or ""):
        raise ValidationError(_("NIP harus terdiri dari tepat 18 digit angka."), code="nip_format")
    try:
        date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(
            _("Delapan digit pertama NIP harus tanggal lahir yang valid (TTTTBBHH)."), code="nip_birth"
        ) from None
    if not 1 <= int(value[12:14]) <= 12:
        raise ValidationError(_("Digit 9–14 NIP harus bulan TMT yang valid (TTTTBB)."), code="nip_tmt")
    if value[14] not in "12":
        raise ValidationError(_("Digit ke-15 NIP (jenis kelamin) harus 1 atau 2."), code="nip_gender")
    if value[15:18] == "000":
        raise ValidationError(_("Tiga digit terakhir NIP (nomor urut) tidak boleh 000."), code="nip_seq")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\-().]", "", value or "")


def validate_phone(value: str) -> None:
    if value and not _PHONE.fullmatch(normalise_phone(value)):
        raise ValidationError(_("Nomor telepon tidak valid. Contoh: 0274 123456 atau +62 812 3456 7890."), code="phone")


def validate_image_upload(upload) -> None:
    """Accept only real PNG/JPEG/WebP images up to 1 MB (logo uploads)."""
    if upload.size > 1024 * 1024:
        raise ValidationError(_("Ukuran berkas maksimal 1 MB."), code="file_size")
    head = upload.read(12)
    upload.seek(0)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head[8:12] == b"WEBP"):
        raise ValidationError(_("Berkas harus gambar PNG, JPEG, atau WebP."), code="file_type")
