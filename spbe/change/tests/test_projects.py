"""Application projects (O-7): drafted by the application's PD, approved by
Diskominfo (Koordinator SPBE) before implementation, phase gates approved by
the coordinator only; bad input refused next to its field with nothing
saved; the application's performance against its P-10 target; who sees
what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from spbe.approvals import actions as approvals
from spbe.audit.models import AuditEvent
from spbe.change import actions_projects as actions
from spbe.change.models import Release
from spbe.change.models_projects import AppProject, Phase, ProjectPhase
from spbe.cmdb.models import Application, AppManagementTarget
from spbe.continuity.tests.factories import kritis_service
from spbe.desk.models import Problem
from spbe.monitoring.models import Check

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=WIB)
TODAY = NOW.date()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def application(world, packs, frozen) -> Application:
    """SIAK DUK-01 of Dukcapil, used by the KTP-el service, on a VM."""
    kritis_service(world)
    return Application.objects.get(name="SIAK DUK-01")


def plan(start: date = TODAY, gate: Phase | None = Phase.TESTING) -> list[dict]:
    """Four phases one after another, 30 days each."""
    rows = []
    for index, number in enumerate(Phase.values):
        begin = start + timedelta(days=30 * index)
        rows.append({"phase": number, "planned_start": begin, "planned_end": begin + timedelta(days=29),
                     "deliverables": f"Keluaran {number}", "needs_gate_approval": number == gate})  # fmt: skip
    return rows


def project_of(application, **overrides) -> AppProject:
    fields = dict(application=application, title="SIAK daring", method="waterfall", sourcing="in_house",
                  goal="Pendaftaran penduduk daring", scope="Modul akta dan KK")  # fmt: skip
    fields.update(overrides)
    return AppProject(**fields)


def approved_project(world, application, **overrides) -> AppProject:
    project = actions.save_project(world.owner_admin, project_of(application, **overrides), plan())
    approvals.submit(world.owner_admin, project)
    approvals.approve(world.coordinator, project, "Sesuai analisis kebutuhan")
    project.refresh_from_db()
    return project


def test_diskominfo_approves_the_project_and_the_pds_own_people_cannot(world, application):
    project = actions.save_project(world.owner_admin, project_of(application), plan())
    assert project.pd == world.dukcapil and project.phases.count() == 4
    approvals.submit(world.owner_admin, project)
    assert project in approvals.awaiting(world.coordinator) and not approvals.awaiting(world.tegal_coordinator)
    for person in (world.owner_admin, world.owner_head, world.tegal_coordinator, world.other_pd_admin):
        with pytest.raises(PermissionDenied):
            approvals.approve(person, project)
    approvals.approve(world.coordinator, project)
    project.refresh_from_db()
    assert project.status == "approved" and project.drafted_by == world.owner_admin


def test_a_project_is_submitted_only_with_all_four_phases(world, application):
    project = actions.save_project(world.owner_admin, project_of(application), plan()[:2])
    with pytest.raises(ValidationError, match="Pengujian, Pemeliharaan"):
        approvals.submit(world.owner_admin, project)


def test_a_gate_is_approved_by_the_coordinator_only_once_the_project_is_approved(world, application):
    project = actions.save_project(world.owner_admin, project_of(application), plan())
    testing = project.phases.get(phase=Phase.TESTING)
    with pytest.raises(ValidationError, match="setelah proyek disetujui"):
        actions.approve_gate(world.coordinator, testing)
    approvals.submit(world.owner_admin, project)
    approvals.approve(world.coordinator, project)
    for person in (world.owner_admin, world.owner_head, world.tegal_coordinator, world.vendor):
        with pytest.raises(PermissionDenied):
            actions.approve_gate(person, testing)
    with pytest.raises(ValidationError, match="tidak memerlukan"):
        actions.approve_gate(world.coordinator, project.phases.get(phase=Phase.DESIGN))
    actions.approve_gate(world.coordinator, testing)
    testing.refresh_from_db()
    assert testing.gate_approved_by == world.coordinator and testing.gate_approved_at == NOW
    assert AuditEvent.objects.filter(target_id=str(project.pk), changes__has_key="testing.gate_approved_by").exists()
    with pytest.raises(ValidationError, match="sudah disetujui"):
        actions.approve_gate(world.coordinator, testing)


def test_implementation_starts_only_after_approval_and_a_gated_phase_completes_after_its_gate(world, application):
    project = actions.save_project(world.owner_admin, project_of(application), plan())
    design, implementation, testing = (project.phases.get(phase=n) for n in Phase.values[:3])
    actions.start_phase(world.owner_admin, design, TODAY)  # design shapes the proposal
    actions.complete_phase(world.owner_admin, design, TODAY)
    with pytest.raises(ValidationError, match="setelah proyek disetujui"):
        actions.start_phase(world.owner_admin, implementation, TODAY)
    approvals.submit(world.owner_admin, project)
    approvals.approve(world.coordinator, project)
    actions.start_phase(world.owner_admin, implementation, TODAY)
    assert Application.objects.get(pk=application.pk).sdlc_phase == "implementation"  # the CMDB follows
    with pytest.raises(ValidationError, match="selesaikan fase Implementasi"):
        actions.start_phase(world.owner_admin, testing, TODAY)  # waterfall: one after another
    actions.complete_phase(world.owner_admin, implementation, TODAY)
    actions.start_phase(world.owner_admin, testing, TODAY)
    with pytest.raises(ValidationError, match="setelah gerbangnya disetujui"):
        actions.complete_phase(world.owner_admin, testing, TODAY)
    actions.approve_gate(world.coordinator, testing)
    with pytest.raises(ValidationError) as error:
        actions.complete_phase(world.owner_admin, testing, TODAY + timedelta(days=1))
    assert "masa depan" in " ".join(error.value.message_dict["at"])
    testing = actions.complete_phase(world.owner_admin, testing, TODAY)
    assert testing.status == "done"
    with pytest.raises(PermissionDenied):
        actions.start_phase(world.other_pd_admin, project.phases.get(phase=Phase.MAINTENANCE), TODAY)


def test_an_outsourced_project_without_a_vendor_is_refused_on_vendor(world, application):
    with pytest.raises(ValidationError) as error:
        actions.save_project(world.owner_admin, project_of(application, sourcing="outsourced"), plan())
    assert "Isi nama vendor" in " ".join(error.value.message_dict["vendor"])
    assert not AppProject.objects.exists()
    project = actions.save_project(world.owner_admin, project_of(application, sourcing="outsourced",
                                   vendor="PT Data Solusi", contract_number="027/SPK/2027"), plan())  # fmt: skip
    assert project.vendor == "PT Data Solusi"


def shifted(rows: list[dict], number: int, **changes) -> list[dict]:
    return [{**row, **changes} if row["phase"] == number else row for row in rows]


@pytest.mark.parametrize(
    ("method", "change", "key", "message"),
    [
        ("agile", (Phase.DESIGN, {"planned_end": TODAY - timedelta(days=1)}), "design.planned_end",
         "tidak boleh sebelum rencana mulai"),
        ("agile", (Phase.IMPLEMENTATION, {"planned_start": TODAY - timedelta(days=5)}), "implementation.planned_start",
         "tidak boleh dimulai sebelum fase Perancangan"),
        ("waterfall", (Phase.TESTING, {"planned_start": TODAY + timedelta(days=50)}), "testing.planned_start",
         "dimulai setelah fase Implementasi selesai"),
        ("rad", (Phase.TESTING, {"planned_start": TODAY + timedelta(days=20)}), "testing.planned_start",
         "tidak boleh dimulai sebelum fase Implementasi"),
        ("agile", (Phase.TESTING, {"planned_start": TODAY + timedelta(days=35), "planned_end": TODAY + timedelta(
            days=50)}), "testing.planned_end", "tidak boleh selesai sebelum fase Implementasi"),
    ],
)  # fmt: skip
def test_phases_out_of_order_are_refused_on_their_field_and_nothing_is_saved(world, application, method, change, key,
                                                                              message):  # fmt: skip
    number, fields = change
    rows = shifted(plan(), number, **fields)
    with pytest.raises(ValidationError) as error:
        actions.save_project(world.owner_admin, project_of(application, method=method), rows)
    assert message in " ".join(error.value.message_dict[key])
    assert not AppProject.objects.exists() and not ProjectPhase.objects.exists()


def test_agile_phases_may_overlap(world, application):
    rows = shifted(plan(), Phase.IMPLEMENTATION, planned_start=TODAY + timedelta(days=10))
    project = actions.save_project(world.owner_admin, project_of(application, method="agile"), rows)
    assert project.phases.count() == 4


def test_a_phase_that_began_cannot_be_removed_and_its_progress_survives_a_change(world, application):
    project = actions.save_project(world.owner_admin, project_of(application), plan())
    actions.start_phase(world.owner_admin, project.phases.get(phase=Phase.DESIGN), TODAY)
    with pytest.raises(ValidationError) as error:
        actions.save_project(world.owner_admin, project, plan()[1:])
    assert "sudah berjalan" in " ".join(error.value.message_dict["design.planned_start"])
    project = actions.save_project(world.owner_admin, project, shifted(plan(), Phase.DESIGN, deliverables="SRS v2"))
    design = project.phases.get(phase=Phase.DESIGN)
    assert design.deliverables == "SRS v2" and design.actual_start == TODAY


def form_data(world, application, **overrides) -> dict:
    data = {"application": application.pk, "title": "SIAK daring", "method": "waterfall", "sourcing": "in_house",
            "vendor": "", "contract_number": "", "goal": "Daring", "scope": "Akta",
            "fase-TOTAL_FORMS": "4", "fase-INITIAL_FORMS": "0"}  # fmt: skip
    for index, row in enumerate(plan()):
        data |= {f"fase-{index}-planned_start": row["planned_start"].isoformat(),
                 f"fase-{index}-planned_end": row["planned_end"].isoformat(),
                 f"fase-{index}-deliverables": row["deliverables"]}  # fmt: skip
    data["fase-2-needs_gate_approval"] = "on"
    data.update(overrides)
    return data


def test_the_form_shows_a_phase_error_next_to_it_and_keeps_what_was_typed(world, application, login):
    client = login(world.owner_admin)
    assert client.get(reverse("change:project_create"), {"aplikasi": application.pk}).status_code == 200
    bad = form_data(world, application, **{"fase-1-planned_start": (TODAY + timedelta(days=10)).isoformat()})
    response = client.post(reverse("change:project_create"), bad)
    assert response.status_code == 400
    implementation = response.context["phases"].forms[1]
    assert "dimulai setelah fase Perancangan selesai" in " ".join(implementation.errors["planned_start"])
    assert "Keluaran 2" in response.content.decode()
    assert not AppProject.objects.exists()
    response = client.post(reverse("change:project_create"), form_data(world, application, sourcing="outsourced"))
    assert response.status_code == 400 and response.context["form"].errors["vendor"]
    response = client.post(reverse("change:project_create"), form_data(world, application))
    project = AppProject.objects.get()
    assert response.status_code == 302 and project.phases.get(phase=Phase.TESTING).needs_gate_approval


def test_the_coordinator_approves_a_gate_from_the_page(world, application, login):
    project = approved_project(world, application)
    testing = project.phases.get(phase=Phase.TESTING)
    url = reverse("change:project_phase", args=[project.pk, testing.pk, "setujui-gerbang"])
    login(world.owner_admin).post(url)
    assert ProjectPhase.objects.get(pk=testing.pk).gate_approved_at is None
    page = login(world.coordinator).get(project.get_absolute_url()).content.decode()
    assert "Setujui gerbang" in page
    assert login(world.coordinator).post(url).status_code == 302
    assert ProjectPhase.objects.get(pk=testing.pk).gate_approved_by == world.coordinator
    design = project.phases.get(phase=Phase.DESIGN)
    start = reverse("change:project_phase", args=[project.pk, design.pk, "mulai"])
    response = login(world.owner_admin).post(start, {f"mulai-{design.pk}-on": "2027-03-02"})
    assert response.status_code == 400 and "masa depan" in response.content.decode()
    login(world.owner_admin).post(start, {f"mulai-{design.pk}-on": "2027-03-01"})
    assert ProjectPhase.objects.get(pk=design.pk).actual_start == TODAY


def test_the_page_shows_the_applications_performance_against_its_p10_target(world, application, login):
    target = AppManagementTarget.objects.create(
        application=application, design_plan="x", implementation_plan="x", testing_plan="x", maintenance_plan="x",
        evaluation_basis="Ketersediaan minimal 99,5 %", status="approved",
    )  # fmt: skip
    project = approved_project(world, application, management_target=target)
    Check.objects.create(pemda=world.yogya, pd=world.dukcapil, name="SIAK web", kind="http",
                         application=application, target="https://siak.test", status="down")  # fmt: skip
    Problem.objects.create(pemda=world.yogya, pd=world.dukcapil, component=application.components.get(),
                           title="VM SIAK kehabisan memori")  # fmt: skip
    Release.objects.create(pd=world.dukcapil, title="SIAK 2.0", basis="built", application=application,
                           version="2.0", description="x", steps="x", rollback_plan="x", test_plan="x",
                           window_start=NOW, window_end=NOW + timedelta(hours=1), announcement="x")  # fmt: skip
    page = login(world.coordinator).get(project.get_absolute_url()).content.decode()
    for text in ("Ketersediaan minimal 99,5 %", "Pencetakan KTP-el", "belum ada data", "SIAK web", "Mati: 1",
                 "VM SIAK kehabisan memori", "SIAK 2.0"):  # fmt: skip
        assert text in page, text


def test_projects_are_seen_by_the_pd_and_the_coordinator_only(world, application, login):
    project = actions.save_project(world.owner_admin, project_of(application, sourcing="outsourced",
                                   vendor="PT Data Solusi"), plan())  # fmt: skip
    for person, status in ((world.owner_admin, 200), (world.owner_head, 200), (world.coordinator, 200),
                           (world.other_pd_admin, 404), (world.tegal_coordinator, 404)):  # fmt: skip
        assert login(person).get(project.get_absolute_url()).status_code == status, person
        assert login(person).get(reverse("change:project_edit", args=[project.pk])).status_code == status, person
    assert "SIAK daring" not in login(world.other_pd_admin).get(reverse("change:project_list")).content.decode()
    listed = login(world.coordinator).get(reverse("change:project_list"), {"sourcing": "outsourced", "q": "SIAK"})
    assert "SIAK daring" in listed.content.decode()
    empty = login(world.coordinator).get(reverse("change:project_list"), {"method": "agile"}).content.decode()
    assert "Tidak ada proyek yang cocok" in empty
    export = login(world.owner_admin).get(reverse("change:project_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][:6] == ("Disdukcapil Yogya", "SIAK DUK-01", "SIAK daring", "Waterfall", "Pihak ketiga (vendor)",
                           "PT Data Solusi")  # fmt: skip


def test_the_audit_trail_reads_a_projects_phases(world, login, packs):
    """The project's phase plan is recorded under "phases", a reverse
    relation without a verbose name: the audit page still reads it."""
    from spbe.audit.models import AuditAction, AuditEvent

    changes = {"phases": [None, "Perancangan 2027-01-01–2027-02-01"], "title": "bare value"}
    AuditEvent.objects.create(actor=world.coordinator, pemda=world.yogya, action=AuditAction.CREATE,
                              target_type="change.appproject", target_id="1", target_repr="Proyek uji",
                              changes=changes)  # fmt: skip
    page = login(world.coordinator).get(reverse("audit:list"))
    assert page.status_code == 200 and "Perancangan 2027-01-01" in page.content.decode()
