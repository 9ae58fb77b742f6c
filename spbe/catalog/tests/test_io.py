"""Catalog files (P-4, P-5): the Excel template, export → edit → import,
an import that is all or nothing, and the PDF print."""

import base64
import contextlib
import re
import zlib
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from spbe.approvals.models import ApprovalStatus
from spbe.audit.models import AuditAction, AuditEvent
from spbe.catalog import io
from spbe.catalog.io import pdf
from spbe.catalog.models import Service
from spbe.policy.versions import confirm_default

HEADERS = [str(c.header) for c in io.EDITABLE]
IMPORT = reverse("catalog_io:import")


def row(**overrides) -> dict:
    """One valid Yogyakarta row (Yogya's pack sets targets per service, so
    the row carries its own target in hours)."""
    data = {
        "code": "DUK-10", "name": "Legalisir Dokumen Daring", "description": "Legalisir akta secara daring",
        "pd": "Dukcapil", "service_admin": "admin@yogya.test", "infra_admin": "vendor@vendor.test",
        "access": "Aplikasi web", "url": "https://dukcapil.jogjakota.go.id", "availability_target": 99.5,
        "help_contact": "0274 555123", "support_hours": "Jam kerja Pemda", "group": "Layanan Publik",
        "classification": "Normal", "user_service_target_override": 24,
        "user_service_target_reason": "Ditetapkan Pimpinan PD", "rpo_value": None, "rpo_unit": None,
        "rto_value": None, "rto_unit": None, "requires_approval": "Tidak",
    }  # fmt: skip
    data.update(overrides)
    return data


def upload_of(workbook: Workbook, name: str = "katalog.xlsx") -> SimpleUploadedFile:
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=io.XLSX_TYPE)


def xlsx(*rows: dict, headers=HEADERS) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for data in rows:
        sheet.append([data[c.field] for c in io.EDITABLE])
    return upload_of(workbook)


def as_upload(response, name: str = "ekspor.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, response.content, content_type=io.XLSX_TYPE)


def make_service(world, **overrides) -> Service:
    data = dict(
        pd=world.dukcapil, code="DUK-01", name="Pencetakan KTP-el", description="Cetak KTP elektronik",
        group="layanan_publik", classification="esensial", access="Loket Disdukcapil",
        availability_target=Decimal("99.50"), help_contact="0274-123456",
        user_service_target_override=timedelta(hours=24), user_service_target_reason="Ditetapkan Pimpinan PD",
        drafted_by=world.owner_admin,
    )  # fmt: skip
    data.update(overrides)
    return Service.objects.create(**data)


def errors_of(response) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in response.context["result"].errors]


class TestTemplate:
    def test_template_has_the_headers_an_example_and_the_guide(self, world, packs, login):
        response = login(world.owner_admin).get(reverse("catalog_io:template"))
        assert response.status_code == 200
        assert response["Content-Type"] == io.XLSX_TYPE
        workbook = load_workbook(BytesIO(response.content))
        sheet, guide = workbook.worksheets
        assert [c.value for c in sheet[1]] == HEADERS
        assert HEADERS[:4] == ["Kode", "Nama layanan", "Deskripsi", "Penyedia layanan (singkatan PD)"]
        assert sheet["A2"].value == "CONTOH-01" and sheet["D2"].value == "Dukcapil"
        assert guide.title == "Petunjuk"
        guide_text = " ".join(str(c.value) for line in guide.iter_rows() for c in line if c.value)
        assert all(header in guide_text for header in HEADERS)
        assert "Layanan Publik, Layanan Administrasi Pemerintahan" in guide_text
        assert "Disdukcapil Yogya" in guide_text  # the PDs the person may fill in

    def test_choice_columns_have_dropdowns(self, world, packs, login):
        response = login(world.owner_admin).get(reverse("catalog_io:template"))
        sheet = load_workbook(BytesIO(response.content)).worksheets[0]
        lists = {str(rule.sqref).split(":")[0]: rule.formula1 for rule in sheet.data_validations.dataValidation}
        column = {h: c.column_letter for h, c in zip(HEADERS, sheet[1], strict=True)}
        assert lists[f"{column['Kelompok']}2"] == '"Layanan Publik,Layanan Administrasi Pemerintahan"'
        assert lists[f"{column['Klasifikasi']}2"] == '"Kritis,Esensial,Normal"'
        assert lists[f"{column['Satuan RPO']}2"] == '"menit,jam,hari"'
        assert lists[f"{column['Waktu pelayanan bantuan']}2"] == '"Jam kerja Pemda,24 jam × 7 hari"'
        assert lists[f"{column['Permintaan perlu persetujuan']}2"] == '"Ya,Tidak"'
        assert lists[f"{column['Penyedia layanan (singkatan PD)']}2"].startswith("'Petunjuk'!$A$")

    def test_the_example_row_imports_as_a_draft_of_the_importer(self, world, packs, login):
        client = login(world.owner_admin)
        template = client.get(reverse("catalog_io:template"))
        response = client.post(IMPORT, {"file": as_upload(template)})
        assert response.status_code == 200
        created = Service.objects.get(code="CONTOH-01")
        assert created.pd == world.dukcapil
        assert created.status == ApprovalStatus.DRAFT and created.lifecycle == "draft"
        assert created.drafted_by == world.owner_admin
        assert created.user_service_target_override == timedelta(hours=36)
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(created.pk)).exists()

    def test_import_page_explains_the_steps_and_the_columns(self, world, packs, login):
        html = login(world.owner_admin).get(IMPORT).content.decode()
        assert reverse("catalog_io:template") in html and 'enctype="multipart/form-data"' in html
        assert "seluruh berkas ditolak" in html and "ubah melalui revisi" in html
        assert all(header in html for header in ("Satuan RPO", "Target pelayanan pengguna sendiri (jam)"))
        assert 'name="pemda"' not in html  # one Pemda: nothing to choose

    @pytest.mark.parametrize("url", [reverse("catalog_io:template"), IMPORT])
    def test_a_citizen_gets_403(self, world, login, url):
        assert login(world.citizen).get(url).status_code == 403


class TestRoundTrip:
    def test_export_modify_one_cell_import_updates_exactly_that_service(self, world, packs, login):
        ktp = make_service(world)
        kk = make_service(
            world, code="DUK-02", name="Kartu Keluarga", status=ApprovalStatus.APPROVED, lifecycle="active"
        )
        other = make_service(world, pd=world.dinkes, code="KES-01", name="Rujukan Daring")
        client = login(world.owner_admin)
        export = client.get(reverse("catalog:service_list"), {"export": "xlsx"})
        workbook = load_workbook(BytesIO(export.content))
        sheet = workbook.worksheets[0]
        assert [c.value for c in sheet[1]][: len(HEADERS)] == HEADERS
        codes = [c.value for c in sheet["A"][1:]]
        assert sorted(codes) == ["DUK-01", "DUK-02"]  # only what the person sees
        sheet.cell(row=codes.index("DUK-01") + 2, column=HEADERS.index("Nama layanan") + 1, value="KTP-el Daring")

        response = client.post(IMPORT, {"file": upload_of(workbook)})

        assert response.status_code == 200
        result = response.context["result"]
        assert [s.pk for s in result.updated] == [ktp.pk] and result.created == [] and result.unchanged == 1
        assert "1 diubah" in response.content.decode()
        ktp.refresh_from_db()
        assert ktp.name == "KTP-el Daring"
        assert Service.objects.get(pk=kk.pk).name == "Kartu Keluarga"
        assert Service.objects.get(pk=other.pk).name == "Rujukan Daring"
        event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(ktp.pk))
        assert event.actor == world.owner_admin
        assert event.changes == {"name": ["Pencetakan KTP-el", "KTP-el Daring"]}

    def test_importing_the_same_file_twice_changes_nothing(self, world, packs, login):
        make_service(world)
        client = login(world.owner_admin)
        first = client.post(IMPORT, {"file": xlsx(row(), row(code="DUK-11", name="Akta Kematian"))})
        assert len(first.context["result"].created) == 2
        events = AuditEvent.objects.count()
        services = list(Service.objects.order_by("pk").values())

        second = client.post(IMPORT, {"file": xlsx(row(), row(code="DUK-11", name="Akta Kematian"))})

        assert second.status_code == 200
        assert "Tidak ada perubahan" in second.content.decode()
        assert second.context["result"].unchanged == 2
        assert AuditEvent.objects.count() == events
        assert list(Service.objects.order_by("pk").values()) == services

    def test_export_of_every_kind_of_value_imports_back_unchanged(self, world, packs, login):
        make_service(world, classification="kritis", rpo_value=15, rpo_unit="menit", rto_value=2, rto_unit="jam",
                     service_admin=world.owner_admin, infra_admin=world.vendor, requires_approval=True,
                     support_hours="24x7", url="https://ktp.example.go.id", description="Baris satu\r\nBaris dua",
                     availability_current=Decimal("99.125"))  # fmt: skip
        client = login(world.owner_admin)
        export = client.get(reverse("catalog:service_list"), {"export": "xlsx"})
        response = client.post(IMPORT, {"file": as_upload(export)})
        assert response.status_code == 200
        assert response.context["result"].unchanged == 1 and not response.context["result"].changed

    def test_a_changed_approved_service_is_refused(self, world, packs, login):
        make_service(world, status=ApprovalStatus.APPROVED, lifecycle="active")
        client = login(world.owner_admin)
        workbook = load_workbook(BytesIO(client.get(reverse("catalog:service_list"), {"export": "xlsx"}).content))
        workbook.worksheets[0].cell(row=2, column=HEADERS.index("Nama layanan") + 1, value="Nama Baru")
        response = client.post(IMPORT, {"file": upload_of(workbook)})
        assert response.status_code == 400
        assert errors_of(response) == [(2, "Nama layanan", "Layanan ini sudah disetujui; ubah melalui revisi.")]
        assert Service.objects.get(code="DUK-01").name == "Pencetakan KTP-el"


class TestRejection:
    def test_errors_in_two_rows_reject_the_whole_file(self, world, packs, login):
        upload = xlsx(
            row(code="DUK-10"),
            row(code="DUK-11", availability_target="sembilan puluh"),
            row(code="DUK-12", rpo_value=4),
        )
        response = login(world.owner_admin).post(IMPORT, {"file": upload})
        assert response.status_code == 400
        assert errors_of(response) == [
            (3, "Target ketersediaan (%)", "Isi angka, mis. 99,5."),
            (4, "Satuan RPO", "Pilih satuan RPO (menit, jam, atau hari)."),
        ]
        html = response.content.decode()
        assert "Berkas ditolak: 2 kesalahan" in html and "Tidak ada layanan yang disimpan" in html
        assert "Target ketersediaan (%)" in html and "Pilih satuan RPO" in html
        assert not Service.objects.exists()

    def test_percentage_out_of_range_is_the_models_error(self, world, packs, login):
        response = login(world.owner_admin).post(IMPORT, {"file": xlsx(row(availability_target=120))})
        assert [(r, c) for r, c, _m in errors_of(response)] == [(2, "Target ketersediaan (%)")]

    def test_unknown_pd(self, world, packs, login):
        response = login(world.owner_admin).post(IMPORT, {"file": xlsx(row(pd="Disbudpar"))})
        assert errors_of(response) == [(2, "Penyedia layanan (singkatan PD)", "PD dengan singkatan ini tidak dikenal.")]

    def test_another_units_pd_is_unknown_to_an_administrator(self, world, packs, login):
        # Dinkes is outside Dukcapil's scope: the import does not reveal it exists (docs/access.md)
        response = login(world.owner_admin).post(IMPORT, {"file": xlsx(row(pd="Dinkes"))})
        assert errors_of(response) == [(2, "Penyedia layanan (singkatan PD)", "PD dengan singkatan ini tidak dikenal.")]
        assert not Service.objects.exists()

    def test_a_pd_the_coordinator_sees_but_may_not_edit(self, world, packs, login):
        world.dinkes.is_active = False
        world.dinkes.save()
        response = login(world.coordinator).post(IMPORT, {"file": xlsx(row(pd="Dinkes"))})
        assert errors_of(response) == [
            (2, "Penyedia layanan (singkatan PD)", "PD ini tidak aktif; layanannya tidak dapat ditambah atau diubah.")
        ]
        assert not Service.objects.exists()

    def test_unknown_email(self, world, packs, login):
        response = login(world.owner_admin).post(IMPORT, {"file": xlsx(row(service_admin="siapa@mail.test"))})
        assert errors_of(response) == [
            (2, "Administrator layanan (e-mail)", "Tidak ada Administrator Layanan dengan e-mail ini di Pemda Anda.")
        ]

    def test_duplicate_code_within_the_file(self, world, packs, login):
        response = login(world.owner_admin).post(IMPORT, {"file": xlsx(row(), row(name="Lain"))})
        assert errors_of(response) == [(3, "Kode", "Kode ini sudah dipakai di baris 2 berkas ini.")]

    def test_yogya_services_need_their_own_target(self, world, packs, login):
        upload = xlsx(row(user_service_target_override=None, user_service_target_reason=None))
        response = login(world.owner_admin).post(IMPORT, {"file": upload})
        assert errors_of(response) == [
            (
                2,
                "Target pelayanan pengguna sendiri (jam)",
                "Pedoman Pemda ini menetapkan target pelayanan pengguna per layanan: isi targetnya.",
            )
        ]

    def test_tegal_public_normal_cell_needs_confirmation_first(self, world, packs, login):
        client = login(world.tegal_admin)
        tegal = row(pd="Dukcapil", service_admin="admin@tegal.test", infra_admin=None,
                    user_service_target_override=None, user_service_target_reason=None)  # fmt: skip
        refused = client.post(IMPORT, {"file": xlsx(tegal)})
        assert [(r, c) for r, c, _m in errors_of(refused)] == [(2, "Target pelayanan pengguna sendiri (jam)")]
        assert "belum dikonfirmasi" in errors_of(refused)[0][2]

        world.tegal.policy_version = confirm_default(
            world.tegal.policy_version, "user_service_targets.cells.layanan_publik.normal",
            reason="Rapat koordinasi", legal_basis="Notulen 1/2026", actor=world.tegal_coordinator,
        )  # fmt: skip
        world.tegal.save()
        accepted = client.post(IMPORT, {"file": xlsx(tegal)})
        assert accepted.status_code == 200
        service = Service.objects.get(pd=world.tegal_dukcapil, code="DUK-10")
        assert service.user_service_target == timedelta(hours=72)

    def test_a_missing_column_is_named(self, world, packs, login):
        headers = [h for h in HEADERS if h != "Klasifikasi"]
        workbook = Workbook()
        workbook.active.append(headers)
        response = login(world.owner_admin).post(IMPORT, {"file": upload_of(workbook)})
        assert response.status_code == 400
        assert [(r, c) for r, c, _m in errors_of(response)] == [(1, "Klasifikasi")]

    def test_a_text_file_named_xlsx_is_refused(self, world, packs, login):
        fake = SimpleUploadedFile("katalog.xlsx", b"Kode;Nama layanan\nDUK-10;Legalisir\n", content_type=io.XLSX_TYPE)
        response = login(world.owner_admin).post(IMPORT, {"file": fake})
        assert response.status_code == 400
        assert "Berkas ini bukan berkas Excel (.xlsx) yang sah." in response.content.decode()
        assert response.context["result"] is None
        assert not Service.objects.exists()

    def test_a_file_over_5_mb_is_refused(self, world, packs, login):
        big = SimpleUploadedFile("katalog.xlsx", b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024))
        response = login(world.owner_admin).post(IMPORT, {"file": big})
        assert response.status_code == 400
        assert "Ukuran berkas maksimal 5 MB." in response.content.decode()

    def test_a_system_administrator_chooses_the_pemda(self, world, packs, login):
        client = login(world.sysadmin)
        assert client.post(IMPORT, {"file": xlsx(row())}).status_code == 400  # "Dukcapil" exists in both Pemda
        response = client.post(IMPORT, {"file": xlsx(row()), "pemda": world.yogya.pk})
        assert response.status_code == 200
        assert Service.objects.get(code="DUK-10").pd == world.dukcapil


def pdf_text(content: bytes) -> str:
    """The text of every content stream of a PDF (reportlab writes them
    ASCII85-encoded and Flate-compressed)."""
    parts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        with contextlib.suppress(zlib.error):  # an uncompressed stream
            data = zlib.decompress(data)
        parts.append(data.decode("latin-1"))
    return "".join(parts)


class TestPdf:
    def test_pdf_export_lists_the_services(self, world, packs, login, monkeypatch):
        monkeypatch.setattr(pdf, "DEJAVU", Path("/nonexistent/DejaVuSans.ttf"))  # Helvetica: plain text
        make_service(world)
        make_service(world, code="DUK-02", name="Kartu Keluarga")
        response = login(world.owner_admin).get(reverse("catalog:service_list"), {"export": "pdf"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="katalog-layanan-spbe-')
        assert response.content.startswith(b"%PDF")
        text = pdf_text(response.content)
        assert "Pencetakan KTP-el" in text and "Kartu Keluarga" in text
        assert "Kota Yogyakarta" in text and "Halaman 1 dari 1" in text

    def test_pdf_with_dejavu_when_the_system_has_it(self, world, packs, login):
        if not pdf.DEJAVU.exists():
            pytest.skip("DejaVu Sans is not installed")
        make_service(world, description="Pelayanan " * 400)  # wraps over more than one page
        response = login(world.owner_admin).get(reverse("catalog:service_list"), {"export": "pdf"})
        assert response.content.startswith(b"%PDF")
        assert b"DejaVuSans" in response.content
        assert "Halaman 2 dari" in pdf_text(response.content)
