"""The SP4N-LAPOR! API (issue 15, Pedoman C): the tickets with their
deadlines, the import (multipart, ``dry_run``) with per-row JSON results,
the follow-up export; same rules as the pages, errors as JSON."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from spbe.desk.models import Ticket
from spbe.lapor.models import LaporImport
from spbe.lapor.tests.conftest import HEADER, csv_upload, rows, xlsx_upload

TICKETS = "/api/v1/lapor/tiket/"
IMPORT = "/api/v1/lapor/impor/"
EXPORT = "/api/v1/lapor/ekspor/"


def test_a_dry_run_judges_the_rows_and_saves_nothing(world, service, now, login):
    bad = ["LPR9", "kemarin", "Judul", "Isi", "", "Pengaduan", "", "", "", "", "", ""]
    client = login(world.owner_admin)
    answer = client.post(IMPORT, {"file": csv_upload([HEADER, *rows(bad)]), "service": service.pk, "dry_run": "true"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["dry_run"], body["id"], body["total_rows"], body["error_count"]) == (True, None, 4, 1)
    assert [r["outcome"] for r in body["rows"]] == ["new", "new", "new", "error"]
    assert body["rows"][3]["errors"][0]["column"] == "Tanggal Laporan"
    assert not LaporImport.objects.exists() and not Ticket.objects.exists()


def test_an_import_answers_per_row_and_a_second_one_skips(world, service, now, login):
    client = login(world.owner_admin)
    first = client.post(IMPORT, {"file": xlsx_upload([HEADER, *rows()]), "service": service.pk})
    assert first.status_code == 201
    body = first.json()
    assert (body["status"], body["created_count"], body["file_format"]) == ("done", 3, "xlsx")
    assert all(r["ticket_number"].startswith("YK-2026-") for r in body["rows"])
    second = client.post(IMPORT, {"file": csv_upload([HEADER, *rows()]), "service": service.pk}).json()
    assert (second["created_count"], second["skipped_count"]) == (0, 3)
    assert [r["ticket"] for r in second["rows"]] == [r["ticket"] for r in body["rows"]]


def test_a_bad_file_is_a_400_with_a_message(world, service, now, login):
    client = login(world.owner_admin)
    junk = SimpleUploadedFile("lapor.csv", b"\x00" * (5 * 1024 * 1024 + 1))
    answer = client.post(IMPORT, {"file": junk, "service": service.pk})
    assert answer.status_code == 400 and answer.json()["errors"]["file"] == ["Ukuran berkas maksimal 5 MB."]
    missing = client.post(IMPORT, {"service": service.pk})
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    assert not LaporImport.objects.exists()


def test_who_may_import_through_the_api(world, service, now, login):
    refused = login(world.owner_head).post(IMPORT, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    assert refused.status_code == 403 and refused.json()["message"]
    other = login(world.tegal_admin).post(IMPORT, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    assert other.status_code == 400 and other.json()["errors"]["service"]
    assert login(world.citizen).post(IMPORT, {"service": service.pk}).status_code == 403


def test_the_list_carries_both_deadlines(world, service, now, login):
    login(world.owner_admin).post(IMPORT, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    body = login(world.owner_head).get(TICKETS, {"deadline": "verification_breached"}).json()
    assert body["count"] == 3
    first = next(t for t in body["results"] if t["lapor_tracking_id"] == "LPR2611001")
    assert first["verification"]["state"] == "breached" and first["follow_up"]["stopped_at"] is None
    assert first["verification"]["due_at"] == "2026-11-19T09:00:00Z"  # 16:00 WIB
    assert first["lapor_status"] == "Belum Diverifikasi" and first["kind"] == "complaint"
    assert login(world.other_pd_admin).get(TICKETS).json()["count"] == 0
    assert login(world.owner_admin).get(TICKETS, {"deadline": "soon"}).status_code == 400
    assert login(world.citizen).get(TICKETS).status_code == 403


def test_the_export_file(world, service, now, login):
    client = login(world.owner_admin)
    client.post(IMPORT, {"file": csv_upload([HEADER, *rows()]), "service": service.pk})
    xlsx = client.get(EXPORT, HTTP_ACCEPT="application/json")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4 and sheet["A1"].value == "Nomor Tracking"
    as_csv = client.get(EXPORT, {"file_format": "csv", "q": "LPR2611002"})
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode("utf-8-sig").splitlines()[1].startswith("LPR2611002;")
    bad = client.get(EXPORT, {"file_format": "pdf"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
