"""The follow-up of LAPOR! tickets in a file an operator uploads back to
SP4N-LAPOR! (Pedoman C: no open API), and the empty import template.

One row per ticket: its tracking ID, our number, the status in LAPOR!'s
words, the verification (first response) date, the follow-up text (the
public responses and the solution, in order), the follow-up date, the PD
it was disposed to and whether each LAPOR! deadline was met."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from spbe.clocks.choices import ClockKind, ClockState
from spbe.clocks.models import Clock
from spbe.desk.choices import TicketStatus, TimelineKind
from spbe.desk.models import TimelineEvent
from spbe.lapor import fileformat
from spbe.lapor.choices import DeadlineState, FileFormat

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FOLLOW_UP_KINDS = (TimelineKind.RESPONDED, TimelineKind.RESOLVED)


def lapor_status(ticket) -> str:
    """Our status in LAPOR!'s words (docs/channels.md)."""
    if ticket.status == TicketStatus.REJECTED:
        return _("Ditolak")
    if ticket.status == TicketStatus.CLOSED:
        return _("Selesai")
    if ticket.status == TicketStatus.RESOLVED:
        return _("Ditindaklanjuti")
    if ticket.first_response_at is not None:
        return _("Diverifikasi")
    return _("Belum Diverifikasi")


def clock_state(clock: Clock | None, now) -> str:
    """Met, breached (also a running clock already past its due instant:
    the periodic check may not have run yet), running, or no clock."""
    if clock is None:
        return DeadlineState.NONE
    if clock.state == ClockState.MET:
        return DeadlineState.MET
    if clock.state == ClockState.BREACHED or (clock.stopped_at is None and clock.due_at < now):
        return DeadlineState.BREACHED
    return DeadlineState.RUNNING


def with_lapor_clocks(qs):
    """Tickets with ``lapor_clocks`` (the two LAPOR! clocks) prefetched."""
    clocks = Clock.objects.filter(kind__in=[ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP])
    return qs.prefetch_related(Prefetch("clocks", queryset=clocks, to_attr="lapor_clocks"))


def prefetch_lapor_clocks(tickets: list) -> None:
    clocks = Clock.objects.filter(kind__in=[ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP])
    prefetch_related_objects(tickets, Prefetch("clocks", queryset=clocks, to_attr="lapor_clocks"))


def clocks_of(ticket) -> dict[str, Clock]:
    return {clock.kind: clock for clock in getattr(ticket, "lapor_clocks", [])}


HEADERS = ["Nomor Tracking", "Nomor Tiket", "Status", "Tanggal Verifikasi", "Tindak Lanjut", "Tanggal Tindak Lanjut",
           "Instansi/PD Disposisi", "Layanan", "Tenggat Verifikasi", "Verifikasi Tepat Waktu", "Tenggat Tindak Lanjut",
           "Tindak Lanjut Tepat Waktu"]  # fmt: skip
MET_LABELS = {DeadlineState.MET: "Ya", DeadlineState.BREACHED: "Tidak", DeadlineState.RUNNING: "Berjalan",
              DeadlineState.NONE: "-"}  # fmt: skip


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def rows(tickets):
    """The export's rows (values, datetimes naive local for Excel)."""
    now = timezone.now()
    public = TimelineEvent.objects.filter(kind__in=FOLLOW_UP_KINDS, public=True).order_by("at", "id")
    tickets = with_lapor_clocks(tickets.select_related("pd", "service")).prefetch_related(
        Prefetch("timeline", queryset=public, to_attr="follow_ups")
    )
    for ticket in tickets:
        clocks = clocks_of(ticket)
        verification = clocks.get(ClockKind.LAPOR_VERIFICATION)
        follow_up = clocks.get(ClockKind.LAPOR_FOLLOW_UP)
        text = "\n".join(f"[{timezone.localtime(e.at):%d-%m-%Y %H:%M}] {e.message}" for e in ticket.follow_ups)
        yield [
            ticket.lapor_tracking_id, ticket.number, lapor_status(ticket), _local(ticket.first_response_at), text,
            _local(ticket.resolved_at), ticket.pd.name, ticket.service.name,
            _local(verification.due_at) if verification else None, MET_LABELS[clock_state(verification, now)],
            _local(follow_up.due_at) if follow_up else None, MET_LABELS[clock_state(follow_up, now)],
        ]  # fmt: skip


def _filename(stem: str, file_format: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{file_format}"


def _xlsx(headers, data, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column[:200])
        sheet.column_dimensions[column[0].column_letter].width = min(max(12, width + 2), 60)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if hasattr(cell.value, "hour"):
                cell.number_format = "DD/MM/YYYY HH:MM"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(headers, data) -> bytes:
    """UTF-8 with BOM and ";" (what Excel on an Indonesian Windows opens
    correctly); dates as dd/mm/yyyy hh:mm."""
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in data:
        writer.writerow([f"{v:%d/%m/%Y %H:%M}" if hasattr(v, "hour") else ("" if v is None else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_response(content: bytes, file_format: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE if file_format == FileFormat.XLSX else CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, file_format)}"'
    return response


def follow_up_file(tickets, file_format: str) -> HttpResponse:
    data = list(rows(tickets))
    content = _xlsx(HEADERS, data, "Tindak Lanjut LAPOR") if file_format == FileFormat.XLSX else _csv(HEADERS, data)
    return file_response(content, file_format, "tindak-lanjut-lapor")


def template_file(file_format: str) -> HttpResponse:
    headers, example = fileformat.template_rows()
    content = _xlsx(headers, [example], "Laporan") if file_format == FileFormat.XLSX else _csv(headers, [example])
    return file_response(content, file_format, "templat-impor-lapor")
