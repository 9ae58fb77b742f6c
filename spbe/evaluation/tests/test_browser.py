"""Issue 13, "Done when", in a real headless Chromium (E-2, E-4): the
Administrator Layanan opens Disdukcapil's semester report, sees the
computed recap of every chapter, writes the analysis and two follow-up
actions; the Pimpinan PD approves it; the DOCX and PDF open with the
figures; the maturity page shows level 4 with its evidence and what level 5
lacks; one action completed with evidence moves the level to 5; the
Koordinator SPBE's dashboard shows every PD side by side."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from spbe.cmdb.models import Application
from spbe.conftest import PASSWORD
from spbe.continuity.tests.factories import kritis_service
from spbe.evaluation.forms import last_semester
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.evaluation.tests.factories import operate, plan
from spbe.front.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

MANDATORY = ["requests", "disruptions", "monitoring", "recovery", "release", "planning"]


def sign_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()


def add_action(page, chapter: str, title: str, owner: str, due: str, *, procedure: str = "") -> None:
    """A follow-up action of a chapter: a procedure to improve, or the DRP in force."""
    page.locator(f"#bab-{chapter}").get_by_role("link", name="Tambah tindak lanjut").click()
    page.get_by_label("Tindak lanjut", exact=True).fill(title)
    page.get_by_label("Penanggung jawab").select_option(label=owner)
    page.get_by_label("Tenggat").fill(due)
    if procedure:
        page.get_by_label("Yang diperbaiki").select_option("procedure")
        page.get_by_label("Prosedur").fill(procedure)
    else:
        page.get_by_label("Yang diperbaiki").select_option("drp")
        page.get_by_label("DRP", exact=True).select_option(index=1)
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Tindak lanjut dicatat.")).to_be_visible()


def test_semester_report_approved_then_followed_up_to_level_5(world, packs, live_server, browser, settings,  # noqa: F811
                                                              tmp_path, service, pj):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    year, semester = last_semester(timezone.localdate())
    first_day = timezone.datetime(year, 1 if semester == "1" else 7, 1).date()
    plan(world, service)
    operate(world, service, pj, first_day)
    kritis_service(world, pd=world.dinkes, code="DINKES-01", name="Rekam Medis Elektronik")
    Application.objects.filter(name="SIAK DINKES-01").update(pd=world.dinkes)  # the factory's app is Dukcapil's
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page.set_default_timeout(15_000)

    # 1. the Administrator Layanan opens the semester report of Disdukcapil
    sign_in(page, base, world.owner_admin.email, PASSWORD)
    page.goto(f"{base}/evaluasi/")
    page.get_by_role("link", name="Buat laporan").first.click()
    page.get_by_label("Perangkat Daerah").select_option(str(world.dukcapil.pk))
    page.get_by_role("button", name="Buat laporan").click()
    expect(page.get_by_text("Laporan dibuat.")).to_be_visible()
    report = EvaluationReport.objects.get()
    disruptions = page.locator("#bab-disruptions")
    expect(disruptions.get_by_role("cell", name="P1", exact=True)).to_be_visible()
    expect(disruptions.get_by_text("0 dari 1 layanan memenuhi target")).to_be_visible()
    expect(page.locator("#bab-requests").get_by_text("1 dari 1 layanan memenuhi target")).to_be_visible()
    expect(page.locator("#bab-release").get_by_role("row", name="Rilis dijalankan 1")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "evaluation-report-draft.png"), full_page=True)

    # submitting too early names the chapters still without analysis
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Analisis hambatan belum diisi untuk bab")).to_be_visible()

    # 2. the analysis of every chapter (the disruptions one starts from the facts)
    expect(disruptions.get_by_label("Analisis hambatan")).to_contain_text("Disk server penuh")
    for chapter in MANDATORY:
        section = page.locator(f"#bab-{chapter}")
        section.get_by_label("Analisis hambatan").fill(f"Hambatan bab {chapter}: kapasitas server dan SOP lama.")
        section.get_by_role("button", name="Simpan analisis").click()
        expect(page.get_by_text("disimpan.")).to_be_visible()

    # 3. two follow-up actions
    add_action(
        page,
        "disruptions",
        "Rotasi log dan tambah kapasitas disk",
        world.owner_admin.full_name,
        (timezone.localdate() + timedelta(days=60)).isoformat(),
        procedure="SOP pemeliharaan server",
    )
    add_action(page, "recovery", "Uji coba DRP SIAK", world.owner_admin.full_name,
               (timezone.localdate() + timedelta(days=90)).isoformat())  # fmt: skip
    assert FollowUpAction.objects.count() == 2
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Laporan diajukan untuk persetujuan.")).to_be_visible()
    sign_out(page)

    # 4. the Pimpinan PD approves: the figures are frozen
    sign_in(page, base, world.owner_head.email, PASSWORD)
    page.goto(f"{base}{report.get_absolute_url()}")
    page.get_by_label("Catatan keputusan").fill("Setuju, tindak lanjuti sebelum semester berikutnya.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Angka dibekukan pada")).to_be_visible()

    # 5. the DOCX and the PDF open with the figures
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Unduh DOCX").click()
    document = Document(io.BytesIO(docx_download.value.path().read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "BAB I" in text and report.title.upper() in (text + cells).upper()
    assert "Disk server penuh" in text + cells  # the analysis and the breached complaint
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Unduh PDF").click()
    pdf_text = subprocess.run(["pdftotext", pdf_download.value.path(), "-"], capture_output=True, text=True).stdout
    assert "Rotasi log dan tambah kapasitas disk" in " ".join(pdf_text.split())

    # 6. the maturity page: level 4, the report as evidence, what level 5 lacks
    page.get_by_role("link", name="Tingkat kematangan").first.click()
    expect(page.get_by_text("Tingkat 4 — Terintegrasi dan Terukur").first).to_be_visible()
    expect(page.get_by_role("link", name=report.title)).to_be_visible()
    expect(page.get_by_text("Yang belum ada untuk tingkat 5")).to_be_visible()
    expect(page.get_by_text("Selesaikan minimal 1 tindak lanjut dengan bukti").first).to_be_visible()
    sign_out(page)

    # 7. the owner completes one action with evidence: level 5
    sign_in(page, base, world.owner_admin.email, PASSWORD)
    page.goto(f"{base}/evaluasi/tindak-lanjut/")
    page.get_by_role("link", name="Rotasi log dan tambah kapasitas disk").click()
    page.get_by_label("Bukti penyelesaian").fill("Rotasi log aktif sejak pekan lalu; disk ditambah 200 GB.")
    page.get_by_label("Versi sesudah").fill("SOP pemeliharaan server v2")
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_text("Tindak lanjut selesai.")).to_be_visible()
    page.goto(f"{base}/evaluasi/kematangan/")
    expect(page.get_by_text("Tingkat 5 — Optimum").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "evaluation-maturity.png"), full_page=True)
    sign_out(page)

    # 8. the Koordinator SPBE sees every PD side by side
    sign_in(page, base, world.coordinator.email, PASSWORD)
    page.goto(f"{base}/evaluasi/dasbor/")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=world.dukcapil.name)).to_contain_text("5 — Optimum")
    expect(table.get_by_role("row", name=world.dinkes.name)).to_contain_text("1 — Rintisan")
    page.screenshot(path=str(ARTIFACTS / "evaluation-dashboard.png"), full_page=True)
