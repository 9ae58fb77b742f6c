"""The SP4N-LAPOR! pages (Pedoman C): the list with both deadlines, the
two-step import, the history, the templates and the follow-up export read
back; who may do what (docs/channels.md, docs/access.md)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from spbe.desk import actions as desk
from spbe.desk.models import Ticket
from spbe.lapor import actions
from spbe.lapor.models import LaporImport
from spbe.lapor.tests.conftest import HEADER, at, csv_upload, rows

OVERVIEW = reverse("lapor:overview")
START = reverse("lapor:import_start")
HISTORY = reverse("lapor:import_history")


@pytest.fixture
def imported(world, service, now):
    """Three LAPOR! reports of 16–18 Nov; the complaint verified on time and
    followed up late, the aspiration never verified (overdue by 27 Nov)."""
    done = actions.confirm_import(
        world.owner_admin, actions.preview_import(world.owner_admin, csv_upload([HEADER, *rows()]), service)
    )
    complaint = Ticket.objects.get(lapor_tracking_id="LPR2611001")
    desk.respond(world.owner_admin, complaint, "Laporan diverifikasi, sedang diperiksa.", at=at(2026, 11, 17, 9, 0))
    desk.resolve(world.owner_admin, complaint, "Server antrean dipulihkan.", at=at(2026, 11, 26, 10, 0))
    return done


def test_the_list_shows_both_deadlines_coloured(world, imported, login):
    page = login(world.owner_admin).get(OVERVIEW)
    html = page.content.decode()
    assert page.status_code == 200
    assert "LPR2611001" in html and "LPR2611002" in html
    assert "text-bg-success" in html  # verification of LPR2611001 met
    assert "text-bg-danger" in html  # its follow-up (due Mon 23 Nov 16:00) and the overdue verifications
    assert "Ekspor tindak lanjut (Excel)" in html


def test_filters_by_deadline_state_and_search(world, imported, login):
    client = login(world.owner_admin)
    late = client.get(OVERVIEW, {"deadline": "verification_breached"}).content.decode()
    assert "LPR2611002" in late and "LPR2611001" not in late
    met = client.get(OVERVIEW, {"deadline": "follow_up_breached", "status": "resolved"}).content.decode()
    assert "LPR2611001" in met and "LPR2611003" not in met
    found = client.get(OVERVIEW, {"q": "2611003"}).content.decode()
    assert "LPR2611003" in found and "LPR2611002" not in found
    assert client.get(OVERVIEW, {"date_from": "kemarin"}).status_code == 200  # a bad filter is ignored, never a 500


@pytest.mark.parametrize(("persona", "sees"), [("owner_admin", True), ("owner_head", True), ("coordinator", True),
                                               ("sysadmin", True), ("other_pd_admin", False),
                                               ("tegal_coordinator", False)])  # fmt: skip
def test_who_sees_the_lapor_tickets(world, imported, login, persona, sees):
    page = login(getattr(world, persona)).get(OVERVIEW)
    assert page.status_code == 200
    assert ("LPR2611001" in page.content.decode()) is sees


def test_a_citizen_and_an_anonymous_visitor_are_kept_out(world, imported, client, login):
    assert client.get(OVERVIEW).status_code == 302
    assert login(world.citizen).get(OVERVIEW).status_code == 403


def test_the_import_in_two_steps(world, service, now, login):
    client = login(world.owner_admin)
    form = client.get(START)
    assert form.status_code == 200 and "Antrean Daring Adminduk" in form.content.decode()
    uploaded = client.post(START, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    lapor_import = LaporImport.objects.get()
    assert uploaded.status_code == 302 and uploaded["Location"] == lapor_import.get_absolute_url()
    preview = client.get(lapor_import.get_absolute_url()).content.decode()
    assert "Pratinjau impor" in preview and "Konfirmasi impor" in preview and "Anonim" in preview
    assert not Ticket.objects.filter(lapor_tracking_id__startswith="LPR").exists()
    client.post(reverse("lapor:import_confirm", args=[lapor_import.pk]))
    assert Ticket.objects.filter(lapor_tracking_id__startswith="LPR").count() == 3
    result = client.get(lapor_import.get_absolute_url()).content.decode()
    assert "Hasil impor" in result and "Tiket dibuat" in result
    again = client.post(reverse("lapor:import_confirm", args=[lapor_import.pk]), follow=True)
    assert "sudah dikonfirmasi" in again.content.decode()
    history = client.get(HISTORY).content.decode()
    assert "lapor.csv" in history
    original = client.get(reverse("lapor:import_file", args=[lapor_import.pk]))
    assert original.status_code == 200 and b"LPR2611001" in b"".join(original.streaming_content)


def test_a_preview_can_be_cancelled(world, service, now, login):
    client = login(world.owner_admin)
    client.post(START, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    lapor_import = LaporImport.objects.get()
    client.post(reverse("lapor:import_cancel", args=[lapor_import.pk]))
    lapor_import.refresh_from_db()
    assert lapor_import.status == "cancelled"
    assert client.post(reverse("lapor:import_confirm", args=[lapor_import.pk])).status_code == 302
    assert not Ticket.objects.filter(lapor_tracking_id__startswith="LPR").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("besar.csv", b"A" * (5 * 1024 * 1024 + 10)), "Ukuran berkas maksimal 5 MB."),
        (SimpleUploadedFile("setup.xlsx", b"MZ\x90\x00" + b"\x00" * 500), "bukan berkas Excel (.xlsx) yang sah"),
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00"), "berakhiran .csv atau .xlsx"),
        (csv_upload([["Judul", "Isi Laporan"], ["a", "b"]]), "Kolom wajib tidak ada: Nomor Tracking"),
    ],
)
def test_a_bad_file_is_refused_on_the_page_and_nothing_is_saved(world, service, now, login, upload, message):
    page = login(world.owner_admin).post(START, {"file": upload, "service": service.pk})
    assert page.status_code == 400 and message in page.content.decode()
    assert not LaporImport.objects.exists()


def test_only_importers_open_the_import_page(world, service, now, login):
    assert login(world.owner_head).get(START).status_code == 403
    assert login(world.vendor).get(START).status_code == 403
    other = login(world.other_pd_admin)  # an Administrator Layanan of Dinkes: imports, but into Dinkes only
    assert "Antrean Daring Adminduk" not in other.get(START).content.decode()
    crafted = other.post(START, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    assert crafted.status_code == 400 and "Pilih layanan aktif yang boleh Anda impor." in crafted.content.decode()
    assert not LaporImport.objects.exists()


def test_another_pd_does_not_find_an_import_nor_its_file(world, imported, login):
    url = imported.get_absolute_url()
    assert login(world.other_pd_admin).get(url).status_code == 404
    assert login(world.tegal_coordinator).get(reverse("lapor:import_file", args=[imported.pk])).status_code == 404
    head = login(world.owner_head)
    assert head.get(url).status_code == 200  # the Pimpinan reads the outcome …
    assert head.get(reverse("lapor:import_file", args=[imported.pk])).status_code == 403  # … not the reporters' file
    assert head.post(reverse("lapor:import_cancel", args=[imported.pk]), follow=True).status_code == 200


def test_the_follow_up_export_read_back(world, imported, login):
    """What the operator uploads to LAPOR!: one row per ticket, status in
    LAPOR!'s words, the public follow-up text and whether each deadline was met."""
    response = login(world.owner_head).get(OVERVIEW, {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    header, body = table[0], {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert header[:3] == ["Nomor Tracking", "Nomor Tiket", "Status"]
    complaint = body["LPR2611001"]
    assert complaint["Status"] == "Ditindaklanjuti"
    assert complaint["Tanggal Verifikasi"] == at(2026, 11, 17, 9, 0).replace(tzinfo=None)
    assert (
        "Laporan diverifikasi" in complaint["Tindak Lanjut"]
        and "Server antrean dipulihkan." in complaint["Tindak Lanjut"]
    )
    assert complaint["Tanggal Tindak Lanjut"] == at(2026, 11, 26, 10, 0).replace(tzinfo=None)
    assert (complaint["Verifikasi Tepat Waktu"], complaint["Tindak Lanjut Tepat Waktu"]) == ("Ya", "Tidak")
    assert complaint["Tenggat Verifikasi"] == at(2026, 11, 19, 16, 0).replace(tzinfo=None)
    assert complaint["Instansi/PD Disposisi"] == "Disdukcapil Yogya"
    aspiration = body["LPR2611002"]
    assert (aspiration["Status"], aspiration["Verifikasi Tepat Waktu"]) == ("Belum Diverifikasi", "Tidak")
    csv_file = login(world.owner_admin).get(OVERVIEW, {"export": "csv", "status": "resolved"})
    lines = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Nomor Tracking" and [line[0] for line in lines[1:]] == ["LPR2611001"]
    assert lines[1][3] == "17/11/2026 09:00"


def test_the_templates_can_be_imported_as_they_are(world, service, now, login):
    client = login(world.owner_admin)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("lapor:template", args=[fmt]))
        assert response.status_code == 200
        upload = SimpleUploadedFile(f"templat.{fmt}", response.content)
        preview = actions.preview_import(world.owner_admin, upload, service)
        assert [r.outcome for r in preview.rows.all()] == ["new"], preview.rows.get().errors
    assert client.get("/kanal/lapor/templat.pdf").status_code == 404
