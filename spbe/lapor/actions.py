"""Every state change of the SP4N-LAPOR! channel (Pedoman C, O-1, O-2):
previewing an exported file, confirming it (tickets opened through the
desk, the two LAPOR! clocks started), cancelling a preview. Each step is in
the audit trail; the tickets' own history is in their timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import record
from spbe.clocks import actions as clocks
from spbe.clocks.choices import ClockKind
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind, TimelineKind
from spbe.desk.models import Ticket
from spbe.lapor import fileformat, rules
from spbe.lapor.choices import ImportStatus, ReportType, RowOutcome
from spbe.lapor.fileformat import ParsedRow
from spbe.lapor.models import LaporImport, LaporImportRow

LAPOR_CLOCKS = desk.LAPOR_CLOCKS


# --- clocks ------------------------------------------------------------------------------------


def start_lapor_clocks(actor, ticket: Ticket) -> list:
    """The LAPOR! clocks (Pedoman C) a ticket does not have yet; the desk
    starts them itself for every ticket recorded with method SP4N-LAPOR!."""
    existing = set(desk.ticket_clocks(ticket).filter(kind__in=LAPOR_CLOCKS).values_list("kind", flat=True))
    started = desk.start_lapor_clocks(ticket, kinds=[kind for kind in LAPOR_CLOCKS if kind not in existing])
    if started:
        desk.sync_next_due(ticket)  # the queue's countdown includes the LAPOR! deadlines
    return started


def backfill_lapor_clocks(actor, ticket: Ticket) -> list:
    """The LAPOR! clocks of a ticket recorded before they existed (by hand
    on the desk with method SP4N-LAPOR!, or the desk's demo): started at the
    report and stopped where the first response and the solution already are."""
    started = start_lapor_clocks(actor, ticket)
    ends = {ClockKind.LAPOR_VERIFICATION: ticket.first_response_at, ClockKind.LAPOR_FOLLOW_UP: ticket.resolved_at}
    for clock in started:
        if ends[clock.kind] is not None:
            clocks.stop_clock(clock, ends[clock.kind])
    if started:
        desk.sync_next_due(ticket)
    return started


# --- reading a file ----------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row as the preview and the API show it."""

    row: ParsedRow
    outcome: str
    service: object | None = None
    ticket: Ticket | None = None

    @property
    def errors(self) -> list[dict]:
        return [error.as_dict() for error in self.row.errors]

    def data(self) -> dict:
        values = dict(self.row.values)
        if values.get("report_type"):
            values["report_type_label"] = str(ReportType(values["report_type"]).label)
        if values.get("reported_at"):
            values["reported_label"] = datetime.fromisoformat(values["reported_at"]).strftime("%d-%m-%Y %H:%M")
        if self.service is not None:
            values["service_id"], values["service_name"] = self.service.pk, self.service.name
        return values


def _service_for(row: ParsedRow, default, services: list) -> object | None:
    """The row's ``Layanan`` (code or name, among the services the importer
    may import into, in the default service's Pemda), else the default."""
    wanted = fileformat.norm(row.values.get("service"))
    if not wanted:
        return default
    for service in services:
        if wanted in (fileformat.norm(service.code), fileformat.norm(service.name)):
            return service
    row.fail("service", _("Layanan \"%(value)s\" tidak ditemukan di antara layanan aktif yang boleh Anda impor.")
             % {"value": row.values["service"][:60]})  # fmt: skip
    return None


def evaluate(actor, upload, default_service) -> tuple[fileformat.ParsedFile, list[RowResult]]:
    """Read the file and judge each row without saving anything: new,
    already imported for the Pemda (skipped), or an error per cell."""
    if not rules.can_import(actor, default_service.pd):
        raise PermissionDenied
    if default_service.lifecycle != "active":
        raise ValidationError({"service": _("Layanan ini belum aktif atau sudah dihentikan.")})
    pemda = default_service.pd.pemda
    parsed = fileformat.parse(upload, ZoneInfo(pemda.time_zone), timezone.now())
    services = list(rules.importable_services(actor).filter(pd__pemda=pemda))
    tracking_ids = [row.values["tracking_id"] for row in parsed.rows if row.values.get("tracking_id")]
    known = dict(
        Ticket.objects.filter(pemda=pemda, lapor_tracking_id__in=tracking_ids).values_list("lapor_tracking_id", "pk")
    )
    results = []
    for row in parsed.rows:
        service = _service_for(row, default_service, services)
        if row.errors:
            outcome = RowOutcome.ERROR
        elif row.values["tracking_id"] in known:
            outcome = RowOutcome.DUPLICATE
        else:
            outcome = RowOutcome.NEW
        result = RowResult(row, outcome, service)
        if outcome == RowOutcome.DUPLICATE:
            result.ticket = Ticket(pk=known[row.values["tracking_id"]])
        results.append(result)
    return parsed, results


@transaction.atomic
def preview_import(actor, upload, default_service) -> LaporImport:
    """Step 1: keep the file and each row's judgement; no ticket yet. A bad
    file raises ValidationError and nothing is saved."""
    parsed, results = evaluate(actor, upload, default_service)
    upload.seek(0)
    lapor_import = LaporImport(
        pemda=default_service.pd.pemda, pd=default_service.pd, default_service=default_service,
        original_name=(upload.name or "lapor")[:200], file_format=parsed.file_format, uploaded_by=actor,
        total_rows=len(results),
    )  # fmt: skip
    lapor_import.file.save(f"lapor-{timezone.now():%Y%m%d-%H%M%S}.{parsed.file_format}",
                           ContentFile(upload.read()), save=False)  # fmt: skip
    _count(lapor_import, results)
    lapor_import.save()
    LaporImportRow.objects.bulk_create(
        LaporImportRow(lapor_import=lapor_import, row_number=r.row.number, tracking_id=r.row.values["tracking_id"],
                       outcome=r.outcome, errors=r.errors, data=r.data(),
                       ticket_id=r.ticket.pk if r.ticket else None)
        for r in results
    )  # fmt: skip
    record(actor=actor, action=AuditAction.CREATE, target=lapor_import, pemda=lapor_import.pemda,
           changes={"berkas": lapor_import.original_name, "baris": len(results)})  # fmt: skip
    return lapor_import


def _count(lapor_import: LaporImport, results) -> None:
    outcomes = [r.outcome for r in results]
    lapor_import.created_count = outcomes.count(RowOutcome.CREATED)
    lapor_import.skipped_count = outcomes.count(RowOutcome.DUPLICATE)
    lapor_import.error_count = outcomes.count(RowOutcome.ERROR)


def _description(values: dict) -> str:
    details = [
        (_("Nomor tracking"), values["tracking_id"]),
        (_("Jenis laporan"), ReportType(values["report_type"]).label),
        (_("Kategori"), values.get("category")),
        (_("Instansi tujuan"), values.get("agency")),
        (_("Lokasi"), values.get("location")),
        (_("Status di LAPOR!"), values.get("lapor_status")),
    ]
    footer = "\n".join(f"{label}: {value}" for label, value in details if value)
    return f"{values['body']}\n\n— SP4N-LAPOR!\n{footer}"


def open_from_row(actor, values: dict, service, lapor_import: LaporImport | None = None) -> Ticket:
    """One LAPOR! report → one desk ticket with its two LAPOR! clocks.
    Pengaduan → complaint (O-2, impact from the file, else minor);
    Aspirasi and Permintaan Informasi → service request (O-1)."""
    complaint = values["report_type"] == ReportType.PENGADUAN
    reporter = Reporter(values["reporter_name"], values.get("email", ""), values.get("phone", ""))
    ticket = desk.open_ticket(
        actor=actor, service=service, kind=TicketKind.COMPLAINT if complaint else TicketKind.REQUEST,
        reporter=reporter, subject=values["title"], description=_description(values),
        reporting_method=ReportingMethod.LAPOR, reported_at=datetime.fromisoformat(values["reported_at"]),
        impact=values.get("impact") or "minor" if complaint else "", category=values.get("category", "")[:100],
        lapor_tracking_id=values["tracking_id"],
    )  # fmt: skip
    source = (
        _("Diimpor dari berkas SP4N-LAPOR! %(file)s (impor #%(id)d).")
        % {"file": lapor_import.original_name, "id": lapor_import.pk}
        if lapor_import
        else _("Diimpor dari SP4N-LAPOR!.")
    )
    desk.note(ticket, TimelineKind.COMMENT, actor, source, public=False, lapor_tracking_id=values["tracking_id"])
    return ticket


def _open_once(actor, values: dict, service, lapor_import) -> tuple[str, Ticket | None, str]:
    """Open the row's ticket in a savepoint; a concurrent import of the same
    report (the database's unique constraint) makes it a skipped row."""
    pemda = service.pd.pemda
    existing = Ticket.objects.filter(pemda=pemda, lapor_tracking_id=values["tracking_id"]).first()
    if existing:
        return RowOutcome.DUPLICATE, existing, ""
    try:
        with transaction.atomic():
            return RowOutcome.CREATED, open_from_row(actor, values, service, lapor_import), ""
    except IntegrityError:
        existing = Ticket.objects.filter(pemda=pemda, lapor_tracking_id=values["tracking_id"]).first()
        if existing is None:
            raise
        return RowOutcome.DUPLICATE, existing, ""
    except ValidationError as error:
        return RowOutcome.ERROR, None, " ".join(error.messages)


@transaction.atomic
def confirm_import(actor, lapor_import: LaporImport) -> LaporImport:
    """Step 2: open a ticket for every new row. A row imported meanwhile
    (another file, another person) is skipped, never doubled."""
    lapor_import = LaporImport.objects.select_for_update().get(pk=lapor_import.pk)
    if lapor_import.status != ImportStatus.PREVIEW:
        raise ValidationError(_("Impor ini sudah dikonfirmasi atau dibatalkan."))
    if not rules.can_import(actor, lapor_import.pd):
        raise PermissionDenied
    services = {s.pk: s for s in rules.importable_services(actor).filter(pd__pemda=lapor_import.pemda)}
    rows = list(lapor_import.rows.filter(outcome=RowOutcome.NEW))
    for row in rows:
        service = services.get(row.data.get("service_id"))
        if service is None:
            row.outcome, row.errors = RowOutcome.ERROR, [{"column": "Layanan", "message": _(
                "Layanan ini tidak lagi aktif atau tidak lagi boleh Anda impor.")}]  # fmt: skip
        else:
            outcome, ticket, message = _open_once(actor, row.data, service, lapor_import)
            row.outcome, row.ticket = outcome, ticket
            if message:
                row.errors = [{"column": "", "message": message}]
        row.save(update_fields=["outcome", "ticket", "errors"])
    outcomes = list(lapor_import.rows.values_list("outcome", flat=True))
    lapor_import.created_count = outcomes.count(RowOutcome.CREATED)
    lapor_import.skipped_count = outcomes.count(RowOutcome.DUPLICATE)
    lapor_import.error_count = outcomes.count(RowOutcome.ERROR)
    lapor_import.status, lapor_import.confirmed_by, lapor_import.confirmed_at = ImportStatus.DONE, actor, timezone.now()
    lapor_import.save()
    record(actor=actor, action=AuditAction.UPDATE, target=lapor_import, pemda=lapor_import.pemda,
           changes={"status": [ImportStatus.PREVIEW.value, ImportStatus.DONE.value],
                    "tiket dibuat": lapor_import.created_count, "dilewati": lapor_import.skipped_count,
                    "galat": lapor_import.error_count})  # fmt: skip
    return lapor_import


@transaction.atomic
def cancel_import(actor, lapor_import: LaporImport) -> LaporImport:
    lapor_import = LaporImport.objects.select_for_update().get(pk=lapor_import.pk)
    if lapor_import.status != ImportStatus.PREVIEW:
        raise ValidationError(_("Impor ini sudah dikonfirmasi atau dibatalkan."))
    if not rules.can_import(actor, lapor_import.pd):
        raise PermissionDenied
    lapor_import.status = ImportStatus.CANCELLED
    lapor_import.save(update_fields=["status", "last_updated"])
    record(actor=actor, action=AuditAction.UPDATE, target=lapor_import, pemda=lapor_import.pemda,
           changes={"status": [ImportStatus.PREVIEW.value, ImportStatus.CANCELLED.value]})  # fmt: skip
    return lapor_import


def import_file(actor, upload, default_service) -> LaporImport:
    """Both steps at once (the API without ``dry_run``)."""
    with transaction.atomic():
        return confirm_import(actor, preview_import(actor, upload, default_service))
