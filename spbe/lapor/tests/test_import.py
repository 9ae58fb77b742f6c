"""Importing SP4N-LAPOR! exports (Pedoman C: no open API, files only; O-1,
O-2): CSV and XLSX, idempotent by tracking ID per Pemda, per-row results
with the reason per cell, bad files refused with nothing saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from spbe.audit.models import AuditEvent
from spbe.clocks.choices import ClockKind
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind, TicketStatus
from spbe.desk.models import Ticket
from spbe.lapor import actions
from spbe.lapor.choices import ImportStatus, RowOutcome
from spbe.lapor.models import LaporImport
from spbe.lapor.tests.conftest import HEADER, at, csv_upload, rows, xlsx_upload


def run(actor, upload, service):
    return actions.confirm_import(actor, actions.preview_import(actor, upload, service))


def test_a_csv_export_becomes_tickets_with_their_tracking_ids(world, service, now):
    """Pengaduan → complaint (minor without a Dampak column), Aspirasi and
    Permintaan Informasi → requests; the LAPOR! report date is the reported time."""
    done = run(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    assert (done.status, done.total_rows, done.created_count, done.skipped_count, done.error_count) == (
        ImportStatus.DONE, 3, 3, 0, 0)  # fmt: skip
    tickets = {t.lapor_tracking_id: t for t in Ticket.objects.filter(reporting_method=ReportingMethod.LAPOR)}
    complaint = tickets["LPR2611001"]
    assert (complaint.kind, complaint.impact, complaint.priority is not None) == (TicketKind.COMPLAINT, "minor", True)
    assert complaint.reported_at == at(2026, 11, 16, 9, 15)
    assert complaint.service == service and complaint.pd == world.dukcapil
    assert (complaint.reporter_name, complaint.reporter_email) == ("Budi Santoso", "budi@contoh.id")
    assert "Jenis laporan: Pengaduan" in complaint.description and "LPR2611001" in complaint.description
    assert complaint.category == "Administrasi Kependudukan"
    assert tickets["LPR2611002"].kind == TicketKind.REQUEST
    assert tickets["LPR2611003"].kind == TicketKind.REQUEST
    assert all(r.ticket_id for r in done.rows.all())
    assert "Diimpor dari berkas SP4N-LAPOR!" in " ".join(complaint.timeline.values_list("message", flat=True))
    assert AuditEvent.objects.filter(target_type="lapor.laporimport", target_id=str(done.pk)).count() == 2


def test_an_anonymous_or_confidential_reporter_keeps_no_contact(world, service, now):
    run(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    anonymous = Ticket.objects.get(lapor_tracking_id="LPR2611002")
    confidential = Ticket.objects.get(lapor_tracking_id="LPR2611003")
    assert (anonymous.reporter_name, anonymous.reporter_email, anonymous.reporter_phone) == ("Anonim", "", "")
    assert (confidential.reporter_name, confidential.reporter_email, confidential.reporter_phone) == ("Rahasia", "", "")


def test_importing_the_same_file_again_adds_nothing(world, service, now):
    run(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    again = actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    assert [r.outcome for r in again.rows.all()] == [RowOutcome.DUPLICATE] * 3
    assert all(r.ticket_id for r in again.rows.all())  # the row names the ticket it already is
    done = actions.confirm_import(world.owner_admin, again)
    assert (done.created_count, done.skipped_count) == (0, 3)
    assert Ticket.objects.filter(reporting_method=ReportingMethod.LAPOR).count() == 3


def test_a_report_imported_between_preview_and_confirmation_is_skipped(world, service, now):
    """Two people preview the same file; the second confirmation skips
    what the first created (the unique constraint backs the check)."""
    first = actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    second = actions.preview_import(world.coordinator, csv_upload([HEADER, *rows()]), service)
    actions.confirm_import(world.owner_admin, first)
    done = actions.confirm_import(world.coordinator, second)
    assert (done.created_count, done.skipped_count) == (0, 3)
    assert Ticket.objects.filter(reporting_method=ReportingMethod.LAPOR).count() == 3


def test_the_database_refuses_a_second_ticket_with_the_same_tracking_id(world, service, now):
    """What the race between two confirmations hits: desk's partial unique constraint."""
    from django.db import IntegrityError, transaction

    data = dict(actor=world.owner_admin, service=service, kind=TicketKind.REQUEST, reporter=Reporter("A"),
                subject="x", description="y", reporting_method=ReportingMethod.LAPOR,
                lapor_tracking_id="LPR1")  # fmt: skip
    desk.open_ticket(**data)
    with pytest.raises(IntegrityError), transaction.atomic():
        desk.open_ticket(**data)
    outcome, ticket, _message = actions._open_once(world.owner_admin, {"tracking_id": "LPR1"}, service, None)
    assert outcome == RowOutcome.DUPLICATE and ticket.lapor_tracking_id == "LPR1"


def test_a_semicolon_csv_with_a_bom_from_excel(world, service, now):
    upload = csv_upload([[h.upper() for h in HEADER], *rows()], delimiter=";", bom=True)
    done = run(world.owner_admin, upload, service)
    assert done.created_count == 3 and done.file_format == "csv"


def test_a_windows_1252_csv_keeps_its_characters(world, service, now):
    extra = ["LPR2611004", "19/11/2026 10:00", "Loket – antrean panjang", "Antrean di loket “penuh” sejak pagi.",
             "", "Pengaduan", "José", "", "", "", "", ""]  # fmt: skip
    upload = csv_upload([HEADER, extra], delimiter=";", encoding="cp1252")
    run(world.owner_admin, upload, service)
    ticket = Ticket.objects.get(lapor_tracking_id="LPR2611004")
    assert ticket.subject == "Loket – antrean panjang" and ticket.reporter_name == "José"
    assert "“penuh”" in ticket.description


def test_an_xlsx_export_with_a_title_row_and_real_dates(world, service, now):
    table = [["ID Laporan", "Tanggal", "Judul Laporan", "Isi", "Jenis", "Pelapor", "Dampak"],
             [2611005, at(2026, 11, 20, 15, 50).replace(tzinfo=None), "Server mati", "Tidak bisa akses sama sekali",
              "pengaduan", "Sri", "Mayor"]]  # fmt: skip
    upload = xlsx_upload(table, title_rows=[["Daftar Laporan SP4N-LAPOR! — Pemerintah Kota Yogyakarta"], []])
    done = run(world.owner_admin, upload, service)
    ticket = Ticket.objects.get(lapor_tracking_id="2611005")
    assert done.file_format == "xlsx" and done.rows.get().row_number == 4
    assert (ticket.reported_at, ticket.impact, ticket.kind) == (at(2026, 11, 20, 15, 50), "mayor", TicketKind.COMPLAINT)


def test_a_missing_column_refuses_the_file_and_saves_nothing(world, service, now):
    header = [h for h in HEADER if h != "Jenis Laporan"]
    table = [header, *[[c for i, c in enumerate(r) if HEADER[i] != "Jenis Laporan"] for r in rows()]]
    with pytest.raises(ValidationError) as refused:
        actions.preview_import(world.owner_admin, csv_upload(table), service)
    assert "Kolom wajib tidak ada: Jenis Laporan" in refused.value.messages[0]
    assert not LaporImport.objects.exists()


def test_a_bad_cell_is_an_error_of_its_row_only(world, service, now):
    bad = ["LPR2611009", "31/11/2026", "Judul", "Isi", "", "Keluhan berat", "Wati", "bukan-email", "", "", "", ""]
    future = ["LPR2611010", "30/11/2026 08:00", "Judul", "Isi", "", "Aspirasi", "", "", "", "", "", ""]
    repeat = rows()[0]
    preview = actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows(bad, future, repeat)]), service)
    by_row = {r.row_number: r for r in preview.rows.all()}
    assert [by_row[n].outcome for n in (2, 3, 4)] == [RowOutcome.NEW] * 3
    errors = {e["column"]: e["message"] for e in by_row[5].errors}
    assert errors["Tanggal Laporan"] == 'Tanggal "31/11/2026" tidak dikenali; tulis seperti 20/11/2026 14:30.'
    assert errors["Jenis Laporan"].startswith('Jenis "Keluhan berat" tidak dikenal')
    assert errors["Email"] == "Alamat e-mail tidak sah."
    assert by_row[6].errors == [{"column": "Tanggal Laporan", "message": "Tanggal laporan tidak boleh di masa depan."}]
    repeated = "Nomor tracking ini sudah ada di baris 2 berkas ini."
    assert by_row[7].errors == [{"column": "Nomor Tracking", "message": repeated}]
    done = actions.confirm_import(world.owner_admin, preview)
    assert (done.created_count, done.error_count) == (3, 3)


def test_a_layanan_column_sends_a_row_to_another_service_the_importer_may_use(world, service, dinkes_service, now):
    """The coordinator may import into any PD; an Administrator Layanan of
    Dukcapil cannot name Dinkes's service."""
    header = [*HEADER, "Layanan"]
    table = [header, [*rows()[0], "DKS-01"], [*rows()[1], "Antrean Daring Adminduk"]]
    done = run(world.coordinator, csv_upload(table), service)
    assert Ticket.objects.get(lapor_tracking_id="LPR2611001").service == dinkes_service
    assert Ticket.objects.get(lapor_tracking_id="LPR2611002").service == service
    assert done.created_count == 2
    table = [header, ["LPR9", *rows()[0][1:], "DKS-01"]]
    refused = actions.preview_import(world.owner_admin, csv_upload(table), service)
    assert refused.rows.get().errors[0]["column"] == "Layanan"


def test_only_the_pd_s_administrator_or_the_coordinator_imports(world, service, now):
    for outsider in (world.other_pd_admin, world.owner_head, world.tegal_coordinator, world.vendor):
        with pytest.raises(PermissionDenied):
            actions.preview_import(outsider, csv_upload([HEADER, *rows()]), service)
    preview = actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    with pytest.raises(PermissionDenied):
        actions.confirm_import(world.other_pd_admin, preview)
    assert actions.confirm_import(world.sysadmin, preview).created_count == 3


def test_a_cancelled_preview_cannot_be_confirmed(world, service, now):
    preview = actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    actions.cancel_import(world.owner_admin, preview)
    with pytest.raises(ValidationError):
        actions.confirm_import(world.owner_admin, preview)
    assert not Ticket.objects.filter(reporting_method=ReportingMethod.LAPOR).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lapor.csv", b"\x00" * (5 * 1024 * 1024 + 1), "Ukuran berkas maksimal 5 MB."),
        ("lapor.csv", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "Berkas ini bukan berkas CSV (teks) yang sah."),
        ("lapor.xlsx", b"MZ\x90\x00\x03\x00" + b"\x00" * 200, "Berkas ini bukan berkas Excel (.xlsx) yang sah."),
        ("lapor.exe", b"MZ\x90\x00", "Unggah berkas ekspor LAPOR! berakhiran .csv atau .xlsx."),
        ("lapor.csv", b"Halo;dunia\n1;2\n", "Baris judul kolom tidak ditemukan."),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(world, service, now, name, content, message):
    with pytest.raises(ValidationError) as refused:
        actions.preview_import(world.owner_admin, SimpleUploadedFile(name, content), service)
    assert refused.value.messages[0].startswith(message)
    assert not LaporImport.objects.exists()


def test_a_closed_service_is_refused(world, service, now):
    service.lifecycle = "retired"
    service.save()
    with pytest.raises((ValidationError, PermissionDenied)):
        actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)


def test_the_lapor_status_words_follow_the_ticket(world, service, now):
    from spbe.lapor.export import lapor_status

    run(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    ticket = Ticket.objects.get(lapor_tracking_id="LPR2611001")
    assert lapor_status(ticket) == "Belum Diverifikasi"
    desk.respond(world.owner_admin, ticket, "Laporan diterima.")
    assert lapor_status(ticket) == "Diverifikasi"
    desk.resolve(world.owner_admin, ticket, "Server antrean dipulihkan.")
    assert lapor_status(ticket) == "Ditindaklanjuti" and ticket.status == TicketStatus.RESOLVED
    desk.confirm(None, ticket, 5)
    assert lapor_status(ticket) == "Selesai"
    assert {c.kind for c in desk.ticket_clocks(ticket)} >= {ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP}
