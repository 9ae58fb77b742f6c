"""The evaluation report as a government document (E-2): an editable DOCX
and a PDF with the cover, BAB I–IV, every chapter's recap tables and
charts, the analysis and follow-up actions, and the signature blocks;
frozen figures once approved, a marked draft before. And the evidence pack
(*bukti dukung*, E-4): one ZIP with the maturity assessment, the documents
that prove each criterion and an index naming the criterion of each file."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import date, timedelta

import docx
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.http import Http404
from PIL import Image

from spbe.approvals import actions as approvals
from spbe.approvals.models import Attachment
from spbe.catalog.models import Service
from spbe.change import actions as change
from spbe.change.models import Release
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import approved_plan, kritis_service, pj_penyedia
from spbe.continuity.tests.recovering import PDF_BYTES, evidence, heartbeat_check
from spbe.continuity.tests.test_plans import DOCX_TYPE, docx_text
from spbe.desk.models import SlaDocument
from spbe.evaluation import actions
from spbe.evaluation.actions import Period
from spbe.evaluation.choices import ActionStatus, ActionTarget, Chapter, PeriodKind, ReportScope
from spbe.evaluation.evidence import evidence_pack
from spbe.evaluation.export import build, report_document
from spbe.evaluation.export_chapters import rupiah
from spbe.evaluation.models import FollowUpAction
from spbe.evaluation.tests.factories import SEMESTER, at, report_of, ticket, write_all
from spbe.front import documents as doc
from spbe.monitoring.models import Outage

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def records(world, packs, time_machine, media):
    """Disdukcapil Yogya's first semester of 2026: Pencetakan KTP-el (kritis,
    target 99.5 %) watched since December with its DRP in force and one
    24-hour outage in April; three complaints and a request; Akta Kelahiran
    released on 14 March and verified by hand; an SLA document of 150 million
    rupiah. The tests run on 10 July 2026."""
    time_machine.move_to(at(2025, 12, 15, 9, 0), tick=False)
    service = kritis_service(world)
    kabid = pj_penyedia(world)
    plan = approved_plan(world, service, kabid, backup_check=heartbeat_check(service))
    akta = kritis_service(world, code="DUK-02", name="Akta Kelahiran", classification="esensial")
    draft = Release(
        pd=world.dukcapil, title="Pembaruan SIAK Akta", basis="built", version="2.0",
        application=Application.objects.get(name="SIAK DUK-02"), description="Modul akta baru",
        steps="Pasang 2.0", rollback_plan="Pulihkan snapshot", test_plan="Terbitkan 3 akta uji",
        window_start=at(2026, 3, 14, 20, 0), window_end=at(2026, 3, 14, 22, 0), verification_minutes=30,
        announcement="Layanan akta berhenti Sabtu 20.00–22.00 WIB.",
    )  # fmt: skip
    release = change.save_release(world.vendor, draft, [akta])
    approvals.submit(world.vendor, release)
    approvals.approve(kabid, release)
    sla = SlaDocument.objects.create(
        pemda=world.yogya, pd=world.dukcapil, title="SLA SIAK 2026", vendor="PT Data Solusi",
        contract_number="027/SIAK/2026", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
        response_target=timedelta(hours=3), resolution_1=timedelta(hours=48), resolution_2=timedelta(hours=72),
        resolution_3=timedelta(hours=120), contract_value=150_000_000,
    )  # fmt: skip
    sla.services.add(service)
    time_machine.move_to(at(2026, 3, 14, 22, 45), tick=False)
    change.verify_due_releases(at(2026, 3, 14, 22, 45))
    release.refresh_from_db()
    change.verify_by_hand(kabid, release, True, "Tiga akta uji terbit")
    time_machine.move_to(at(2026, 7, 10, 9, 0), tick=False)
    for day in (2, 3, 4):
        ticket(service, world.owner_admin, reported=at(2026, 2, day, 9, 0), responded=at(2026, 2, day, 9, 10),
               resolved=at(2026, 2, day, 11, 0), rating=4, cause="Server penuh")  # fmt: skip
    ticket(service, world.owner_admin, reported=at(2026, 4, 6, 9, 0), kind="request", resolved=at(2026, 4, 6, 10, 0))
    Outage.objects.create(service=service, state="down", started_at=at(2026, 4, 1, 8, 0),
                          ended_at=at(2026, 4, 2, 8, 0), cause="Listrik padam")  # fmt: skip
    return {"service": service, "akta": akta, "kabid": kabid, "plan": plan, "release": release}


def drafted_report(world, records):
    """The semester report with every analysis written and two follow-up actions."""
    report = report_of(world)
    write_all(report, world.owner_admin)
    actions.write_analysis(world.owner_admin, report, Chapter.MONITORING, obstacles="Listrik gedung padam 24 jam.",
                           improvements="Pasang UPS dan genset.")  # fmt: skip
    actions.add_action(world.owner_admin, report, FollowUpAction(
        chapter=Chapter.MONITORING, title="Pasang UPS ruang server", owner=world.owner_admin,
        due_date=date(2026, 8, 31), target_kind=ActionTarget.SERVICE, service=records["service"],
    ))  # fmt: skip
    actions.add_action(world.owner_admin, report, FollowUpAction(
        chapter=Chapter.DISRUPTIONS, title="Perbarui SOP penanganan disk penuh", owner=world.owner_admin,
        due_date=date(2026, 9, 30), target_kind=ActionTarget.PROCEDURE, procedure="SOP penanganan aduan",
    ))  # fmt: skip
    return report


@pytest.fixture
def approved(world, records):
    """Approved by the Pimpinan PD; the UPS action then done with its evidence file."""
    report = drafted_report(world, records)
    actions.submit(world.owner_admin, report)
    actions.approve(world.owner_head, report)
    report.refresh_from_db()
    ups = report.actions.get(title="Pasang UPS ruang server")
    actions.complete_action(world.owner_admin, ups, evidence_note="UPS 10 kVA terpasang",
                            evidence_file=evidence("berita acara UPS.pdf"))  # fmt: skip
    return report


def opened(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def headings(content: bytes) -> list[str]:
    return [p.text for p in opened(content).paragraphs if p.style.name.startswith("Heading")]


def pdf_text(content: bytes) -> str:
    """The PDF's text through poppler's pdftotext where the machine has it."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


# --- the DOCX ---------------------------------------------------------------------------------------


def test_the_approved_report_has_the_government_layout_bab_i_to_iv_and_every_chapter(world, approved):
    content = report_document(approved, "docx").content
    titles = headings(content)
    assert titles[:2] == ["BAB I PENDAHULUAN", "BAB II HASIL EVALUASI"]
    assert [t for t in titles if t[:2] in {"A.", "B.", "C.", "D.", "E.", "F.", "G."}][:7] == [
        "A. Permintaan layanan", "B. Penanganan gangguan", "C. Pemantauan dan pemeliharaan",
        "D. Pemulihan layanan", "E. Rilis layanan", "F. Perencanaan dan pengelolaan aplikasi",
        "G. Evaluasi dokumen SLA",
    ]  # fmt: skip
    assert "BAB III TINDAK LANJUT" in titles and titles.index("BAB IV PENUTUP") > titles.index("BAB III TINDAK LANJUT")
    text = docx_text(content)
    assert "PEMERINTAH KOTA YOGYAKARTA" in text and "DISDUKCAPIL YOGYA" in text
    assert approved.title.upper() in text and "Periode 1 Januari 2026 – 30 Juni 2026" in text
    assert "Pedoman Manajemen Layanan SPBE" in text and "(E-1, E-2)" in text  # the generated BAB I
    assert "Disetujui oleh,\nPimpinan PD Penyedia Layanan" in text
    assert "Sri Kadis" in text and "NIP. 197803122005011003" in text


def test_the_recap_tables_carry_the_figures_of_the_records(world, approved):
    text = docx_text(report_document(approved, "docx").content)
    assert "Aduan masuk\n3" in text and "Permintaan layanan masuk\n1" in text
    # 24 h down of 4,344 h, rounded down to three decimals; the target is 99.5 %
    assert "Pencetakan KTP-el\n99,5%\n99,447%\n24 jam\n0 menit\nTidak memenuhi" in text
    assert "P1\n3\n3" in text  # three P1 complaints, all solved
    assert "Tingkat 1\nAdministrator Layanan dibantu Administrator Infrastruktur dan Aplikasi\n0" in text
    assert "Berhasil\n1" in text and "Pembaruan SIAK Akta" in text
    assert "Layanan kritis tanpa DRP berlaku\ntidak ada" in text
    assert "Nilai kontrak / anggaran\nRp 150.000.000" in text and "027/SIAK/2026" in text
    assert "Listrik gedung padam 24 jam." in text and "Pasang UPS dan genset." in text


def test_the_follow_up_actions_are_in_their_chapter_and_in_bab_iii_with_their_evidence(world, approved):
    text = docx_text(report_document(approved, "docx").content)
    assert text.count("Pasang UPS ruang server\nLayanan: Pencetakan KTP-el") == 2  # chapter C and BAB III
    assert "UPS 10 kVA terpasang\nBerkas: berita_acara_UPS.pdf" in text
    assert "Perbarui SOP penanganan disk penuh\nProsedur: SOP penanganan aduan" in text
    assert "31 Agu 2026\nSelesai" in text and "30 Sep 2026\nBelum dimulai" in text


def test_the_charts_are_embedded_as_images(world, approved):
    document = opened(report_document(approved, "docx").content)
    assert len(document.inline_shapes) >= 4  # per-service, priorities, satisfaction, availability, releases
    first = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    picture = Image.open(io.BytesIO(document.part.related_parts[first].blob))
    assert picture.format == "PNG" and picture.width == 1280


def test_approved_figures_are_frozen_and_say_when(world, approved, records):
    ticket(records["service"], world.owner_admin, reported=at(2026, 5, 5, 9, 0))  # recorded after approval
    text = docx_text(report_document(approved, "docx").content)
    assert "Aduan masuk\n3" in text
    assert "Angka dibekukan pada 10 Juli 2026 09.00 WIB" in text and "DRAF" not in text


def test_a_draft_is_marked_and_recomputes(world, records):
    report = drafted_report(world, records)
    ticket(records["service"], world.owner_admin, reported=at(2026, 5, 5, 9, 0))
    text = docx_text(report_document(report, "docx").content)
    assert "DRAF — angka dihitung ulang (10 Juli 2026 09.00 WIB)" in text
    assert "Aduan masuk\n4" in text
    assert "Belum disetujui — Pimpinan PD Penyedia Layanan" in text


def test_open_actions_of_an_earlier_report_are_carried_into_bab_iii(world, records, approved):
    earlier = report_of(world, period=Period(PeriodKind.SEMESTER, date(2025, 7, 1), date(2025, 12, 31)))
    actions.add_action(world.owner_admin, earlier, FollowUpAction(
        chapter=Chapter.RECOVERY, title="Uji coba DRP KTP-el", owner=world.owner_admin,
        due_date=date(2026, 1, 31), target_kind=ActionTarget.DRP, drp=records["plan"],
    ))  # fmt: skip
    text = docx_text(report_document(approved, "docx").content)
    assert "B. Tindak lanjut terbuka dari laporan sebelumnya" in text
    assert f"{earlier.title}\nUji coba DRP KTP-el\nDRP: {records['plan']}" in text
    assert "Belum dimulai (lewat tenggat)" in text


# --- the PDF and the answer ----------------------------------------------------------------------------


def test_the_pdf_has_the_same_report(world, approved):
    content = report_document(approved, "pdf").content
    assert content.startswith(b"%PDF")
    assert approved.title.encode() in content  # the document's title in its metadata
    assert content.count(b"/Subtype /Image") >= 4  # the charts
    text = " ".join(pdf_text(content).split())  # poppler's pdftotext: .ci/run installs it
    assert approved.title.upper() in text and "BAB I PENDAHULUAN" in text and "BAB IV PENUTUP" in text
    assert "Angka dibekukan pada 10 Juli 2026" in text and "99,447%" in text


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("docx", DOCX_TYPE, b"PK\x03\x04"),
                                                              ("pdf", "application/pdf", b"%PDF")])  # fmt: skip
def test_the_report_downloads_as_docx_and_pdf_with_an_ascii_name(world, approved, fmt, content_type, magic):
    response = report_document(approved, fmt)
    assert response["Content-Type"] == content_type and response.content.startswith(magic)
    stem = f"laporan-evaluasi-{approved.pk}-r1-disdukcapil-yogya"
    assert f'filename="{stem}.{fmt}"' in response["Content-Disposition"]


def test_another_format_is_not_found(world, approved):
    with pytest.raises(Http404):
        report_document(approved, "xlsx")


def test_the_pemdas_report_is_headed_by_diskominfo_and_approved_by_the_koordinator(world, records):
    report = actions.open_report(world.coordinator, pd=world.dukcapil, scope=ReportScope.PEMDA, period=SEMESTER)
    text = docx_text(doc.to_docx(build(report)))
    assert "DISKOMINFOSAN" in text and "Disetujui oleh,\nKoordinator SPBE (Diskominfo)" in text
    assert "Rina Koordinator" in text and "Aduan masuk\n3" in text


def test_rupiah_uses_the_indonesian_thousands_separator():
    assert (rupiah(150_000_000), rupiah(0), rupiah(None)) == ("Rp 150.000.000", "Rp 0", "–")


# --- the evidence pack ------------------------------------------------------------------------------------


def attach(record, name: str, title: str) -> Attachment:
    return Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        file=ContentFile(PDF_BYTES, name=name), title=title, size=len(PDF_BYTES),
    )  # fmt: skip


def index_of(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("INDEKS.csv").decode("utf-8-sig"))))


def test_the_evidence_pack_holds_every_document_by_criterion_with_its_index(world, records, approved):
    attach(records["service"], "SK Katalog Layanan 2026.pdf", "SK penetapan katalog")
    content, name = evidence_pack(world.yogya, world.dukcapil, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert name == "bukti-dukung-disdukcapil-yogya-20260101-20260630.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = set(archive.namelist())
    plan, release = records["plan"], records["release"]
    stem = f"laporan-evaluasi-{approved.pk}-r1-disdukcapil-yogya"
    expected = {
        "INDEKS.txt", "INDEKS.csv", "00-tingkat-kematangan.pdf",
        "01-perencanaan/katalog-layanan.pdf",
        f"01-perencanaan/lampiran/p-4-{records['service'].pk}-sk-katalog-layanan-2026.pdf",
        f"02-proses/drp/drp-{plan.pk}-v1-drp-pencetakan-ktp-el.pdf",
        f"02-proses/drp/drp-{plan.pk}-v1-drp-pencetakan-ktp-el.docx",
        f"02-proses/rilis/rencana-rilis-{release.pk}-pembaruan-siak-akta.pdf",
        f"02-proses/rilis/rencana-rilis-{release.pk}-pembaruan-siak-akta.docx",
        f"03-evaluasi/{stem}.pdf", f"03-evaluasi/{stem}.docx",
        f"04-tindak-lanjut/tl-{approved.actions.get(status=ActionStatus.DONE).pk}-berita-acara-ups.pdf",
        "04-tindak-lanjut/daftar-tindak-lanjut-selesai.csv",
    }  # fmt: skip
    assert files == expected
    assert all(name.isascii() for name in files)
    assert archive.read("00-tingkat-kematangan.pdf").startswith(b"%PDF")
    assert archive.read(f"03-evaluasi/{stem}.docx").startswith(b"PK")


def test_the_index_names_the_criterion_each_file_proves(world, records, approved):
    content, _name = evidence_pack(world.yogya, world.dukcapil, start=date(2026, 1, 1), end=date(2026, 6, 30))
    archive = zipfile.ZipFile(io.BytesIO(content))
    rows = {row["Berkas"]: row for row in index_of(archive)}
    assert set(rows) == set(archive.namelist()) - {"INDEKS.txt", "INDEKS.csv"}
    catalog = rows["01-perencanaan/katalog-layanan.pdf"]
    assert catalog["Tingkat"] == "2" and "Katalog layanan" in catalog["Kriteria"]
    drp = next(row for path, row in rows.items() if path.startswith("02-proses/drp/"))
    assert drp["Tingkat"] == "3" and "DRP berlaku" in drp["Kriteria"]
    report = next(row for path, row in rows.items() if path.startswith("03-evaluasi/"))
    assert report["Tingkat"] == "4" and approved.title in report["Keterangan"]
    done = rows["04-tindak-lanjut/daftar-tindak-lanjut-selesai.csv"]
    assert done["Tingkat"] == "5"
    listing = archive.read("INDEKS.txt").decode()
    assert (
        "Disdukcapil Yogya · Kota Yogyakarta · 01-01-2026 s.d. 30-06-2026" in listing
        and "Tingkat kematangan:" in listing
    )
    completed = archive.read("04-tindak-lanjut/daftar-tindak-lanjut-selesai.csv").decode("utf-8-sig")
    assert "Pasang UPS ruang server" in completed and "UPS 10 kVA terpasang" in completed


def test_another_pds_pack_holds_none_of_disdukcapils_documents(world, records, approved):
    content, name = evidence_pack(world.yogya, world.dinkes, start=date(2026, 1, 1), end=date(2026, 6, 30))
    files = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert name.startswith("bukti-dukung-dinas-kesehatan-yogya-")
    assert not [f for f in files if f.startswith(("02-proses/", "03-evaluasi/"))]
    assert "04-tindak-lanjut/daftar-tindak-lanjut-selesai.csv" in files  # empty, with its header


def test_a_draft_report_is_not_evidence(world, records):
    drafted_report(world, records)
    content, _name = evidence_pack(world.yogya, world.dukcapil, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert not [f for f in zipfile.ZipFile(io.BytesIO(content)).namelist() if f.startswith("03-evaluasi/")]


def test_the_pemdas_pack_gathers_every_pds_drp(world, records):
    content, name = evidence_pack(world.yogya, None, start=date(2026, 1, 1), end=date(2026, 6, 30))
    files = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert name == "bukti-dukung-kota-yogyakarta-20260101-20260630.zip"
    assert f"02-proses/drp/drp-{records['plan'].pk}-v1-drp-pencetakan-ktp-el.pdf" in files


def test_an_approved_service_of_the_catalog_is_in_the_catalog_pdf(world, records):
    """The catalog PDF comes from the catalog's own export (P-4)."""
    assert Service.objects.filter(pd=world.dukcapil, status="approved").count() == 2
    content, _name = evidence_pack(world.yogya, world.dukcapil, start=date(2026, 1, 1), end=date(2026, 6, 30))
    catalog = zipfile.ZipFile(io.BytesIO(content)).read("01-perencanaan/katalog-layanan.pdf")
    assert catalog.startswith(b"%PDF") and b"Katalog Layanan SPBE Disdukcapil Yogya" in catalog
