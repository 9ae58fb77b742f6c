"""The application project as a government document (O-7): an editable
DOCX and a PDF with its identity, P-11 and P-10 links, goal, scope and the
phases with their gates in the Pemda's zone, signed by its drafter and the
Koordinator SPBE (Diskominfo) who approves it, for whoever may see the
project only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions_projects as actions
from spbe.change.models_projects import AppProject, Phase
from spbe.change.tests.test_projects import NOW, TODAY, plan, project_of
from spbe.cmdb.models import Application, AppManagementTarget, AppNeedsAnalysis
from spbe.continuity.tests.factories import kritis_service
from spbe.continuity.tests.test_plans import DOCX_TYPE, docx_text
from spbe.org.choices import TimeZone


@pytest.fixture
def application(world, packs, time_machine) -> Application:
    time_machine.move_to(NOW, tick=False)
    kritis_service(world)
    return Application.objects.get(name="SIAK DUK-01")


@pytest.fixture
def project(world, application) -> AppProject:
    """Outsourced to PT Data Solusi, linked to its P-11 analysis and P-10 target."""
    analysis = AppNeedsAnalysis.objects.create(
        pd=world.dukcapil, application=application, title="Kebutuhan SIAK daring", urgency="tinggi",
        cost_benefit="x", implications="x", functional_requirements="x", non_functional_requirements="x",
        status="approved",
    )  # fmt: skip
    target = AppManagementTarget.objects.create(
        application=application, design_plan="x", implementation_plan="x", testing_plan="x", maintenance_plan="x",
        evaluation_basis="Ketersediaan 99,5 %", status="approved",
    )  # fmt: skip
    rows = [{**row, "deliverables": "Dokumen SRS dan rancangan basis data"} if row["phase"] == Phase.DESIGN else row
            for row in plan()]  # fmt: skip
    draft = project_of(application, sourcing="outsourced", vendor="PT Data Solusi", contract_number="027/SPK/2027",
                       needs_analysis=analysis, management_target=target)  # fmt: skip
    return actions.save_project(world.owner_admin, draft, rows)


def document(client, project, fmt: str = "docx"):
    return client.get(reverse("change:project_document", args=[project.pk, fmt]))


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("docx", DOCX_TYPE, b"PK\x03\x04"),
                                                              ("pdf", "application/pdf", b"%PDF")])  # fmt: skip
def test_the_project_downloads_as_docx_and_pdf(world, project, login, fmt, content_type, magic):
    response = document(login(world.owner_admin), project, fmt)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert f'filename="proyek-aplikasi-{project.pk}-r1.{fmt}"' in response["Content-Disposition"]
    assert response.content.startswith(magic)


def test_the_draft_has_the_project_and_names_the_coordinator_who_is_to_approve(world, project, login):
    text = docx_text(document(login(world.owner_admin), project).content)
    assert "PROYEK PENGEMBANGAN APLIKASI" in text and "SIAK daring" in text
    assert "PEMERINTAH KOTA YOGYAKARTA" in text and "DISDUKCAPIL YOGYA" in text
    assert "SIAK DUK-01" in text and "Disdukcapil Yogya" in text and "Waterfall" in text
    assert "Pihak ketiga (vendor)" in text and "PT Data Solusi" in text and "027/SPK/2027" in text
    assert "Kebutuhan SIAK daring — Disetujui" in text and "Target pengelolaan SIAK DUK-01 — Disetujui" in text
    assert "Pendaftaran penduduk daring" in text and "Modul akta dan KK" in text
    assert "Perancangan\n(Direncanakan)" in text and "Dokumen SRS dan rancangan basis data" in text
    assert "1 Maret 2027 – 30 Maret 2027" in text and "Keluaran 4" in text
    assert "Tidak diperlukan" in text and "Menunggu persetujuan Koordinator SPBE" in text
    assert "Disusun oleh,\nAdministrator Layanan" in text and "Nur Admin" in text
    assert "Disetujui oleh,\nKoordinator SPBE (Diskominfo)" in text and "Rina Koordinator" in text
    assert "Yogyakarta, 1 Maret 2027" in text


def test_after_approval_it_names_the_approver_and_the_gate_in_the_pemdas_zone(world, project, login, time_machine):
    """Approved 1 Mar 2027 17:00 UTC = 2 Mar 01:00 WITA; the gate 2 Mar 02:30 UTC = 10.30 WITA."""
    world.yogya.time_zone = TimeZone.WITA
    world.yogya.save()
    approvals.submit(world.owner_admin, project)
    time_machine.move_to(datetime(2027, 3, 1, 17, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    approvals.approve(world.coordinator, project, "Sesuai P-11")
    project.refresh_from_db()
    actions.start_phase(world.owner_admin, project.phases.get(phase=Phase.DESIGN), TODAY)
    time_machine.move_to(datetime(2027, 3, 2, 2, 30, tzinfo=ZoneInfo("UTC")), tick=False)
    actions.approve_gate(world.coordinator, project.phases.get(phase=Phase.TESTING))
    text = docx_text(document(login(world.owner_admin), project).content)
    assert "Disetujui 2 Maret 2027" in text and "Yogyakarta, 2 Maret 2027" in text
    assert "Perancangan\n(Berjalan)" in text and "1 Maret 2027 – …" in text
    assert "Disetujui Rina Koordinator, 2 Maret 2027 pukul 10.30 WITA" in text


@pytest.mark.parametrize(("name", "status"), [("coordinator", 200), ("owner_head", 200), ("other_pd_admin", 404),
                                              ("tegal_coordinator", 404), ("citizen", 403)])  # fmt: skip
def test_only_who_sees_the_project_gets_its_document(world, project, login, name, status):
    for fmt in ("docx", "pdf"):
        assert document(login(getattr(world, name)), project, fmt).status_code == status


def test_an_unknown_format_is_404(world, project, login):
    assert document(login(world.owner_admin), project, "odt").status_code == 404


def test_the_project_page_offers_both_documents(world, project, login):
    page = login(world.owner_admin).get(project.get_absolute_url()).content.decode()
    for fmt in ("docx", "pdf"):
        assert reverse("change:project_document", args=[project.pk, fmt]) in page
