"""Importing the catalog from Excel: every row checked with the model's
own rules and the access layer; one bad row rejects the whole file."""

import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from spbe.approvals.models import ApprovalStatus
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.forms import people_with_role
from spbe.catalog.io.columns import BY_FIELD, COLUMNS, EDITABLE, MAX_HOURS, Column, allowed_values, no_label, yes_label
from spbe.catalog.models import Service
from spbe.org import access
from spbe.org.choices import Role
from spbe.org.models import Pemda, PerangkatDaerah, User

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # a 5 MB upload must not unpack into gigabytes
MAX_IMPORT_ROWS = 5000
AUDIT_FIELDS = [f.name for f in Service._meta.concrete_fields if f.name not in ("created", "last_updated")]


# --- Import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows; 1 is the header row
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[Service] = field(default_factory=list)
    updated: list[Service] = field(default_factory=list)
    unchanged: int = 0
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class CellError(Exception):
    pass


def check_xlsx(upload) -> None:
    """Refuse anything but a real Excel workbook of at most 5 MB, judged by
    its content, not by its name."""
    bad = ValidationError(_("Berkas ini bukan berkas Excel (.xlsx) yang sah."), code="file_content")
    if Path(upload.name or "").suffix.lower() != ".xlsx":
        raise ValidationError(_("Unggah berkas Excel berakhiran .xlsx."), code="file_ext")
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("Ukuran berkas maksimal 5 MB."), code="file_size")
    try:
        if upload.read(4) != b"PK\x03\x04":
            raise bad
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise bad
            if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                raise ValidationError(_("Isi berkas terlalu besar."), code="file_size")
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, KeyError):
        raise bad from None
    finally:
        upload.seek(0)
    # .xlsm/.xltx renamed to .xlsx declare another main part
    if b"spreadsheetml.sheet.main+xml" not in types:
        raise bad


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _labels(column: Column) -> dict[str, str]:
    """Every spelling a choice cell may use: the value, the label in the
    active language and in Indonesian (the msgid)."""
    accepted: dict[str, str] = {}
    for value, label in column.choices.choices:
        accepted[_norm(value)] = value
        accepted[_norm(label)] = value
        with translation.override("id"):
            accepted[_norm(label)] = value
    return accepted


def _header_map() -> dict[str, Column]:
    headers = {_norm(c.header): c for c in COLUMNS}
    with translation.override("id"):
        headers.update({_norm(c.header): c for c in COLUMNS})
    return headers


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        raise CellError(_("Isi angka, mis. 99,5."))
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    else:
        text = _text(value).rstrip("%").strip().replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(_("Isi angka, mis. 99,5.")) from None
    if not number.is_finite():
        raise CellError(_("Isi angka, mis. 99,5."))
    return number


def _whole(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("Isi bilangan bulat."))
    return int(number)


class _Importer:
    """Checks every row first, then writes all of them or nothing."""

    def __init__(self, actor: User, pemda: Pemda | None):
        self.actor = actor
        self.result = ImportResult()
        visible = access.visible_pds(actor).select_related("pemda__policy_version")
        if pemda is not None:
            visible = visible.filter(pemda=pemda)
        self.pds: dict[str, list[PerangkatDaerah]] = {}
        for pd in visible:
            self.pds.setdefault(_norm(pd.abbreviation), []).append(pd)
        self.workable = set(access.workable_pds(actor).values_list("pk", flat=True))
        self.people = {
            role: {_norm(u.email): u for u in people_with_role(actor, role)}
            for role in (Role.ADMIN_LAYANAN, Role.ADMIN_INFRA)
        }
        self.choices = {c.field: _labels(c) for c in EDITABLE if c.kind == "choice"}
        self.yes = {_norm(v) for v in ("ya", "y", "yes", "true", "1", yes_label())}
        self.no = {_norm(v) for v in ("tidak", "t", "no", "false", "0", no_label())}

    def error(self, row: int, column: Column | str, message: str) -> None:
        header = column if isinstance(column, str) else str(column.header)
        self.result.errors.append(RowError(row, header, str(message)))

    # -- reading -----------------------------------------------------------------

    def read(self, upload) -> list[tuple[int, dict[str, Any]]]:
        try:
            workbook = load_workbook(upload, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged file
            self.error(1, "—", _("Berkas Excel tidak dapat dibaca; simpan ulang sebagai .xlsx lalu coba lagi."))
            return []
        try:
            return self._rows(workbook.worksheets[0])
        finally:
            workbook.close()

    def _rows(self, sheet) -> list[tuple[int, dict[str, Any]]]:
        lines = sheet.iter_rows(values_only=True)
        header_row = next(lines, None) or ()
        known = _header_map()
        positions: dict[str, int] = {}
        for index, title in enumerate(header_row):
            if title is None or not str(title).strip():
                continue
            column = known.get(_norm(title))
            if column is None:
                self.result.ignored_headers.append(str(title).strip())
            elif column.field in positions:
                self.error(1, column, _("Kolom ini muncul dua kali di baris judul."))
            elif not column.read_only:
                positions[column.field] = index
        for column in EDITABLE:
            if column.field not in positions:
                self.error(1, column, _("Kolom ini tidak ada di baris judul. Gunakan templat terbaru."))
        if self.result.errors:
            return []
        rows = []
        for number, line in enumerate(lines, start=2):
            cells = {f: line[i] if i < len(line) else None for f, i in positions.items()}
            if all(_text(v) == "" for v in cells.values()):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                self.error(number, "—", _("Paling banyak %(count)d baris per berkas.") % {"count": MAX_IMPORT_ROWS})
                return []
            rows.append((number, cells))
        if not rows:
            self.error(2, "—", _("Berkas tidak berisi baris layanan."))
        return rows

    # -- checking --------------------------------------------------------------

    def parse(self, column: Column, raw: Any) -> Any:
        if column.kind == "text":
            return _text(raw)
        if column.kind == "decimal":
            number = _number(raw)
            if number is not None and number.as_tuple().exponent >= -2:
                number = number.quantize(Decimal("0.01"))
            return number
        if column.kind == "int":
            return _whole(raw)
        if column.kind == "hours":
            hours = _whole(raw)
            if hours is not None and not 1 <= hours <= MAX_HOURS:
                raise CellError(_("Isi jumlah jam bulat 1–8760, atau kosongkan."))
            return timedelta(hours=hours) if hours else None
        if column.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = _norm(_text(raw))
            if text in self.yes or text in self.no or not text:
                return text in self.yes
            raise CellError(_("Isi %(yes)s atau %(no)s.") % {"yes": yes_label(), "no": no_label()})
        if column.kind == "choice":
            text = _text(raw)
            if not text:
                return ""
            try:
                return self.choices[column.field][_norm(text)]
            except KeyError:
                raise CellError(_("Pilih salah satu: %(allowed)s.") % {"allowed": allowed_values(column)}) from None
        if column.kind == "person":
            text = _text(raw)
            if not text:
                return None
            person = self.people[column.role].get(_norm(text))
            if person is None:
                raise CellError(
                    _("Tidak ada %(role)s dengan e-mail ini di Pemda Anda.") % {"role": Role(column.role).label}
                )
            return person
        raise AssertionError(column.kind)

    def pd_of(self, raw: Any) -> PerangkatDaerah:
        text = _text(raw)
        if not text:
            raise CellError(_("Isi singkatan PD penyedia layanan."))
        found = self.pds.get(_norm(text), [])
        if not found:
            raise CellError(_("PD dengan singkatan ini tidak dikenal."))
        if len(found) > 1:
            raise CellError(_("Singkatan ini dipakai di lebih dari satu Pemda; pilih Pemda pada formulir impor."))
        if found[0].pk not in self.workable:  # visible, not workable (PDs one cannot see are "unknown")
            if not found[0].is_active:
                raise CellError(_("PD ini tidak aktif; layanannya tidak dapat ditambah atau diubah."))
            raise CellError(_("Anda tidak dapat menambah atau mengubah layanan PD ini."))
        return found[0]

    def run(self, rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[Service, dict[str, Any] | None]]:
        """Check every row; return what to save: (service, audit snapshot
        before, or None for a new service)."""
        parsed = []
        for number, cells in rows:
            values, failed = {}, set()
            for column in EDITABLE:
                try:
                    if column.kind == "pd":
                        values["pd"] = self.pd_of(cells["pd"])
                    else:
                        values[column.field] = self.parse(column, cells[column.field])
                except CellError as problem:
                    self.error(number, column, str(problem))
                    failed.add(column.field)
            parsed.append((number, values, failed))
        keys = {(v["pd"].pk, v["code"]) for _n, v, _f in parsed if "pd" in v and v.get("code")}
        existing = {}
        if keys:
            query = Service.objects.select_for_update(of=("self",)).filter(
                pd_id__in={pd for pd, _code in keys}, code__in={code for _pd, code in keys}
            )
            existing = {(s.pd_id, s.code): s for s in query}
        plan, seen = [], {}
        for number, values, failed in parsed:
            key = (values["pd"].pk, values["code"]) if "pd" in values and values.get("code") else None
            if key in seen:
                self.error(number, BY_FIELD["code"], _("Kode ini sudah dipakai di baris %(row)d berkas ini.")
                           % {"row": seen[key]})  # fmt: skip
                continue
            if key:
                seen[key] = number
            service = existing.get(key)
            before = snapshot(service, AUDIT_FIELDS) if service else None
            if service is None:
                service = Service(drafted_by=self.actor)
            elif "pd" in values:
                service.pd = values["pd"]  # the cached PD carries the Pemda's pack
            changed = self._assign(service, values, failed)
            if before is not None and not changed and not failed:
                self.result.unchanged += 1
                continue
            if before is not None and not service.is_editable:  # read-only until a new revision
                if changed:
                    headers = ", ".join(str(BY_FIELD[f].header) for f in changed)
                    if service.status == ApprovalStatus.APPROVED:
                        self.error(number, headers, _("Layanan ini sudah disetujui; ubah melalui revisi."))
                    else:
                        self.error(
                            number, headers, _("Layanan ini sudah diajukan untuk persetujuan; ubah melalui revisi.")
                        )
                continue
            self._validate(number, service, failed)
            plan.append((service, before))
        return plan

    def _assign(self, service: Service, values: dict[str, Any], failed: set[str]) -> list[str]:
        changed = []
        for column in EDITABLE:
            if column.field in failed or column.field not in values:
                continue
            new = values[column.field]
            old = getattr(service, column.field, None) if column.kind not in ("pd", "person") else None
            if column.kind in ("pd", "person"):
                same = getattr(service, column.field + "_id") == (new.pk if new else None)
            elif column.kind == "text":
                same = (old or "").replace("\r\n", "\n").strip() == new
            else:
                same = old == new
            if not same:
                setattr(service, column.field, new)
                changed.append(column.field)
        return changed

    def _validate(self, number: int, service: Service, failed: set[str]) -> None:
        try:
            service.full_clean(exclude=sorted(failed))
        except ValidationError as problems:
            for name, messages in problems.message_dict.items():
                if name in failed:
                    continue  # already explained by the cell's own error
                column = BY_FIELD.get("code" if name == NON_FIELD_ERRORS else name)
                if column is None:
                    column = str(Service._meta.get_field(name).verbose_name).capitalize()
                for message in messages:
                    self.error(number, column, message)

    def save(self, plan: list[tuple[Service, dict[str, Any] | None]]) -> None:
        for service, before in plan:
            service.save()
            after = snapshot(service, AUDIT_FIELDS)
            if before is None:
                record(actor=self.actor, action=AuditAction.CREATE, target=service, pemda=service.pd.pemda,
                       changes=diff({}, after))  # fmt: skip
                self.result.created.append(service)
            else:
                record(actor=self.actor, action=AuditAction.UPDATE, target=service, pemda=service.pd.pemda,
                       changes=diff(before, after))  # fmt: skip
                self.result.updated.append(service)


def import_catalog(upload, actor: User, pemda: Pemda | None = None) -> ImportResult:
    """Create or update the services of an Excel sheet, keyed by (PD
    abbreviation, code), in one transaction and only if every row is valid
    (P-4, P-5). Importing the same file twice changes nothing."""
    importer = _Importer(actor, pemda)
    rows = importer.read(upload)
    if importer.result.errors:
        return importer.result
    try:
        with transaction.atomic():
            plan = importer.run(rows)
            if not importer.result.errors:
                importer.save(plan)
    except IntegrityError:  # someone added the same code meanwhile; nothing of this file was saved
        importer.result = ImportResult()
        importer.error(1, "—", _("Katalog berubah selama impor berjalan; unggah berkasnya sekali lagi."))
    order = {str(c.header): index for index, c in enumerate(COLUMNS)}
    importer.result.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))  # as the sheet reads
    return importer.result
