"""Uploads are accepted by what they are, not by what they are called."""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_ALLOWED = {".pdf", ".docx", ".xlsx", ".png", ".jpg", ".jpeg"}


def _kind_of(head: bytes, upload) -> str | None:
    """The real type of an upload from its first bytes (and, for Office
    files, the parts inside the zip)."""
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return ".docx"
        if "xl/workbook.xml" in names:
            return ".xlsx"
    return None


def validate_attachment(upload) -> None:
    suffix = Path(upload.name).suffix.lower()
    if suffix not in _ALLOWED:
        raise ValidationError(
            _("Jenis berkas tidak diterima. Gunakan PDF, DOCX, XLSX, PNG, atau JPG."), code="file_ext"
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("Ukuran berkas maksimal 10 MB."), code="file_size")
    head = upload.read(8)
    upload.seek(0)
    kind = _kind_of(head, upload)
    if kind is None or (kind != suffix and {kind, suffix} != {".jpg", ".jpeg"}):
        raise ValidationError(
            _("Isi berkas tidak sesuai dengan ekstensinya (%(ext)s).") % {"ext": suffix}, code="file_content"
        )
