"""REST API of the evaluation stage (issue 13; E-2, E-3, E-4): the same
permissions as the pages (another PD or Pemda: 404; may see but not do:
403), the same actions and their Indonesian messages, figures frozen at
approval, follow-up actions completed with evidence, the maturity level
with its evidence; JSON errors, never a 500."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import OperatingTarget, ServiceNeeds
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service
from spbe.desk.choices import TicketKind
from spbe.desk.models import SlaDocument
from spbe.evaluation import actions
from spbe.evaluation.choices import MANDATORY_CHAPTERS, ActionStatus, ReportEventKind
from spbe.evaluation.models import EvaluationReport, FollowUpAction, ReportEvent
from spbe.evaluation.tests.factories import ticket

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 7, 10, 9, 0, tzinfo=WIB)
SEMESTER = {"period_kind": "semester", "period_start": "2026-01-01", "period_end": "2026-06-30"}
REPORTS = "/api/v1/evaluasi/laporan/"
ACTIONS = "/api/v1/evaluasi/tindak-lanjut/"
MATURITY = "/api/v1/evaluasi/kematangan/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def post(client, url: str, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


@pytest.fixture(autouse=True)
def now(time_machine):
    """Ten days after the first semester of 2026 (WIB)."""
    time_machine.move_to(NOW, tick=False)
    return NOW


def request_ticket(world, service, reported_at: datetime):
    return ticket(service, world.owner_admin, TicketKind.REQUEST, reported=reported_at)


def open_report(actor, pd, start=date(2026, 1, 1), end=date(2026, 6, 30), scope="pd") -> EvaluationReport:
    return actions.open_report(actor, pd=pd, scope=scope, period=actions.Period("custom", start, end))


def write_analyses(actor, report: EvaluationReport, chapters=MANDATORY_CHAPTERS) -> None:
    for chapter in chapters:
        actions.write_analysis(actor, report, chapter, obstacles=f"Hambatan {chapter}", improvements="Perbaikan")


@pytest.fixture
def report(world, service):
    return open_report(world.owner_admin, world.dukcapil)


# --- Reports: creation and bad input -------------------------------------------------------------------


def test_the_pd_admin_opens_a_semester_report_with_every_chapter_computed(world, service, login):
    request_ticket(world, service, datetime(2026, 3, 2, 10, 0, tzinfo=WIB))
    response = post(login(world.owner_admin), REPORTS, {"pd": world.dukcapil.pk, **SEMESTER})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Laporan Evaluasi Manajemen Layanan SPBE Disdukcapil Yogya Semester I Tahun 2026"
    assert body["status"] == "draft" and body["scope"] == "pd" and body["frozen_at"] is None
    assert body["pd"] == world.dukcapil.pk and body["subject_name"] == "Disdukcapil Yogya"
    assert {"requests", "disruptions", "monitoring", "recovery", "release", "planning", "sla"} <= set(body["figures"])
    assert body["figures"]["requests"]["total"] == 1
    assert body["missing_analysis"] == [str(c) for c in MANDATORY_CHAPTERS]
    assert body["analyses"] == [] and body["actions"] == [] and body["carried_actions"] == []
    assert body["url"] == f"/evaluasi/laporan/{body['id']}/"


def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_is_saved(world, service, login):
    data = {"pd": world.dukcapil.pk, "period_kind": "custom", "period_start": "2026-06-30", "period_end": "2026-01-01"}
    response = post(login(world.owner_admin), REPORTS, data)
    assert response.status_code == 400
    assert response.json()["errors"] == {"period_end": ["Tanggal akhir periode tidak boleh sebelum tanggal mulai."]}
    assert not EvaluationReport.objects.exists()


def test_a_second_report_for_the_same_period_is_refused(world, report, login):
    response = post(login(world.owner_admin), REPORTS, {"pd": world.dukcapil.pk, **SEMESTER})
    assert response.status_code == 400 and "sudah ada" in response.json()["errors"]["period_start"][0]
    assert EvaluationReport.objects.count() == 1


@pytest.mark.parametrize("name", ["other_pd_admin", "tegal_coordinator", "tegal_admin"])
def test_a_report_for_a_pd_one_does_not_belong_to_is_not_found(world, service, login, name):
    response = post(login(getattr(world, name)), REPORTS, {"pd": world.dukcapil.pk, **SEMESTER})
    assert response.status_code == 404 and response.json()["message"] == "Perangkat Daerah tidak ditemukan."
    assert not EvaluationReport.objects.exists()


def test_only_the_coordinator_opens_the_pemdas_report_kept_at_diskominfo(world, service, login):
    refused = post(login(world.owner_admin), REPORTS, {"pd": world.dukcapil.pk, "scope": "pemda", **SEMESTER})
    assert refused.status_code == 403 and "tidak dapat menyusun" in refused.json()["message"]
    response = post(login(world.coordinator), REPORTS, {"pd": world.dukcapil.pk, "scope": "pemda", **SEMESTER})
    assert response.status_code == 201
    body = response.json()
    assert body["scope"] == "pemda" and body["pd"] == world.kominfo.pk and body["subject_name"] == "Kota Yogyakarta"


def test_bad_input_names_the_field(world, service, login):
    client = login(world.owner_admin)
    response = post(client, REPORTS, {"pd": "x", "period_kind": "dekade", "period_start": "kemarin"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"pd", "period_kind", "period_start", "period_end"}
    bad = client.get(REPORTS, {"status": "selesai", "year": "abad"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "year"}


# --- Who sees -------------------------------------------------------------------------------------------


@pytest.fixture
def three_reports(world, report):
    """Dukcapil's (``report``), Dinkes' of the same Pemda, and Tegal's Dukcapil's."""
    dinkes = open_report(world.other_pd_admin, world.dinkes)
    tegal = open_report(world.tegal_admin, world.tegal_dukcapil)
    return report, dinkes, tegal


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("owner_admin", ["dukcapil"]),
        ("owner_head", ["dukcapil"]),
        ("other_pd_admin", ["dinkes"]),
        ("coordinator", ["dukcapil", "dinkes"]),
        ("tegal_coordinator", ["tegal"]),
        ("sysadmin", ["dukcapil", "dinkes", "tegal"]),
    ],
)
def test_each_person_lists_only_the_reports_they_may_see(world, three_reports, login, name, sees):
    by_name = dict(zip(["dukcapil", "dinkes", "tegal"], three_reports, strict=True))
    client = login(getattr(world, name))
    listing = client.get(REPORTS).json()
    assert sorted(row["id"] for row in listing["results"]) == sorted(by_name[key].pk for key in sees)
    assert listing["count"] == len(sees)
    for key, report in by_name.items():
        assert client.get(f"{REPORTS}{report.pk}/").status_code == (200 if key in sees else 404)


@pytest.mark.parametrize("name", ["other_pd_admin", "tegal_coordinator"])
def test_another_pd_or_pemda_can_do_nothing_with_the_report(world, report, login, name):
    client = login(getattr(world, name))
    response = client.get(f"{REPORTS}{report.pk}/")
    assert response.status_code == 404 and response.json()["message"]
    analysis = {"chapter": "requests", "obstacles": "Diubah orang lain"}
    assert post(client, f"{REPORTS}{report.pk}/analisis/", analysis).status_code == 404
    for verb in ("ajukan", "setujui", "tolak"):
        assert post(client, f"{REPORTS}{report.pk}/{verb}/", {"comment": "x"}).status_code == 404
    action = {"report": report.pk, "chapter": "requests", "title": "x", "owner": world.owner_admin.pk,
              "due_date": "2026-09-30", "target_kind": "procedure", "procedure": "SOP"}  # fmt: skip
    refused = post(client, ACTIONS, action)
    assert refused.status_code == 400 and refused.json()["errors"]["report"] == ["Laporan evaluasi tidak ditemukan."]
    report.refresh_from_db()
    assert report.status == ApprovalStatus.DRAFT and not report.analyses.exists() and not report.actions.exists()


def test_anonymous_visitors_and_citizens_are_refused(world, report, client, login):
    urls = [REPORTS, f"{REPORTS}{report.pk}/", ACTIONS, MATURITY]
    for url in urls:
        assert client.get(url).status_code in (401, 403)
    assert post(client, REPORTS, {"pd": world.dukcapil.pk, **SEMESTER}).status_code in (401, 403)
    citizen = login(world.citizen)
    for url in urls:
        response = citizen.get(url)
        assert response.status_code == 403 and "petugas" in response.json()["message"]
    assert post(citizen, f"{REPORTS}{report.pk}/ajukan/").status_code == 403
    assert not EvaluationReport.objects.exclude(pk=report.pk).exists()


def test_the_list_filters_by_pd_scope_status_and_year(world, three_reports, login):
    dukcapil, dinkes, _tegal = three_reports
    pemda = open_report(world.coordinator, world.dukcapil, scope="pemda")
    older = open_report(world.owner_admin, world.dukcapil, date(2025, 7, 1), date(2025, 12, 31))
    write_analyses(world.owner_admin, dukcapil)
    actions.submit(world.owner_admin, dukcapil)
    client = login(world.coordinator)

    def ids(**query) -> set[int]:
        return {row["id"] for row in client.get(REPORTS, query).json()["results"]}

    assert ids(pd=world.dinkes.pk) == {dinkes.pk} and ids(pd=world.kominfo.pk) == {pemda.pk}
    assert ids(scope="pemda") == {pemda.pk} and ids(status="submitted") == {dukcapil.pk}
    assert ids(year=2025) == {older.pk} and ids(year=2026) == {dukcapil.pk, dinkes.pk, pemda.pk}


# --- Analysis and approval -----------------------------------------------------------------------------


def test_approval_is_refused_while_a_mandatory_chapter_has_no_analysis(world, report, login):
    client = login(world.owner_admin)
    for chapter in MANDATORY_CHAPTERS[:-1]:
        data = {"chapter": chapter, "obstacles": "Petugas loket kurang", "improvements": "Tambah petugas"}
        written = post(client, f"{REPORTS}{report.pk}/analisis/", data)
        assert written.status_code == 200 and written.json()["written_by"] == "Nur Admin"
    response = post(client, f"{REPORTS}{report.pk}/ajukan/")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Analisis hambatan belum diisi untuk bab: Perencanaan dan pengelolaan aplikasi."]
    }
    body = client.get(f"{REPORTS}{report.pk}/").json()
    assert body["status"] == "draft" and body["missing_analysis"] == ["planning"]
    assert [a["chapter"] for a in body["analyses"]] == [str(c) for c in MANDATORY_CHAPTERS[:-1]]


def test_an_sla_document_registered_after_submission_blocks_approval_until_its_chapter_is_written(
    world, report, service, login
):
    """E-3: once an SLA document of the PD was in force in the period, its
    chapter is mandatory too; the approver is told which one is missing."""
    write_analyses(world.owner_admin, report)
    assert post(login(world.owner_admin), f"{REPORTS}{report.pk}/ajukan/").status_code == 200
    document = SlaDocument.objects.create(
        pemda=world.yogya, pd=world.dukcapil, title="SLA SIAK", valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31), response_target=timedelta(hours=2), resolution_1=timedelta(hours=8),
        resolution_2=timedelta(days=1), resolution_3=timedelta(days=3),
    )  # fmt: skip
    document.services.add(service)
    response = post(login(world.owner_head), f"{REPORTS}{report.pk}/setujui/", {"comment": "Setuju"})
    assert response.status_code == 400
    missing = "Analisis hambatan belum diisi untuk bab: Evaluasi dokumen SLA."
    assert response.json()["errors"]["non_field_errors"] == [missing]
    report.refresh_from_db()
    assert report.status == ApprovalStatus.SUBMITTED and report.figures is None


def test_submitted_by_the_admin_and_approved_by_the_pimpinan_the_figures_are_frozen(world, report, service, login):
    """E-2: an approved report keeps its figures; a later change of the
    records shows only in a draft, which recomputes."""
    request_ticket(world, service, datetime(2026, 3, 2, 10, 0, tzinfo=WIB))
    admin = login(world.owner_admin)
    for chapter in MANDATORY_CHAPTERS:
        post(admin, f"{REPORTS}{report.pk}/analisis/", {"chapter": chapter, "obstacles": "Antrean panjang"})
    submitted = post(admin, f"{REPORTS}{report.pk}/ajukan/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    own = post(admin, f"{REPORTS}{report.pk}/setujui/")
    assert own.status_code == 403  # the drafter never approves
    head = login(world.owner_head)
    approved = post(head, f"{REPORTS}{report.pk}/setujui/", {"comment": "Lanjutkan tindak lanjutnya."})
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved" and body["frozen_at"] is not None
    assert body["figures"]["requests"]["total"] == 1 and body["missing_analysis"] == []
    assert ReportEvent.objects.filter(report=report, kind=ReportEventKind.APPROVED).exists()

    request_ticket(world, service, datetime(2026, 5, 5, 10, 0, tzinfo=WIB))
    later = head.get(f"{REPORTS}{report.pk}/").json()
    assert later["figures"] == body["figures"] and later["figures"]["requests"]["total"] == 1
    one_day_less = {**SEMESTER, "period_kind": "custom", "period_end": "2026-06-29"}
    draft = post(login(world.owner_admin), REPORTS, {"pd": world.dukcapil.pk, **one_day_less})
    assert draft.status_code == 201 and draft.json()["figures"]["requests"]["total"] == 2


def test_a_rejection_needs_its_reason_and_only_the_pimpinan_decides(world, report, login):
    write_analyses(world.owner_admin, report)
    not_waiting = post(login(world.owner_head), f"{REPORTS}{report.pk}/setujui/")
    assert not_waiting.status_code == 400
    assert not_waiting.json()["errors"]["non_field_errors"] == ["Laporan ini tidak sedang menunggu persetujuan."]
    post(login(world.owner_admin), f"{REPORTS}{report.pk}/ajukan/")
    head = login(world.owner_head)
    blank = post(head, f"{REPORTS}{report.pk}/tolak/", {"comment": " "})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"comment": ["Tuliskan alasan penolakan agar penyusun dapat memperbaikinya."]}
    coordinator = post(login(world.coordinator), f"{REPORTS}{report.pk}/setujui/")
    assert coordinator.status_code == 403 and coordinator.json()["message"]  # a PD's report is the Pimpinan's
    rejected = post(login(world.owner_head), f"{REPORTS}{report.pk}/tolak/", {"comment": "Lengkapi bab rilis."})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert ReportEvent.objects.get(report=report, kind=ReportEventKind.REJECTED).message == "Lengkapi bab rilis."


def test_a_submitted_report_takes_no_more_analysis(world, report, login):
    write_analyses(world.owner_admin, report)
    client = login(world.owner_admin)
    post(client, f"{REPORTS}{report.pk}/ajukan/")
    again = post(client, f"{REPORTS}{report.pk}/ajukan/")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"] == [
        "Laporan ini sudah diajukan atau disetujui."
    ]
    response = post(client, f"{REPORTS}{report.pk}/analisis/", {"chapter": "requests", "obstacles": "Diubah"})
    assert response.status_code == 400 and "mulai revisi" in response.json()["errors"]["non_field_errors"][0]
    assert report.analyses.get(chapter="requests").obstacles == "Hambatan requests"
    unknown = post(client, f"{REPORTS}{report.pk}/analisis/", {"chapter": "anggaran", "obstacles": "x"})
    assert unknown.status_code == 400 and "chapter" in unknown.json()["errors"]


# --- Follow-up actions ---------------------------------------------------------------------------------


def action_payload(world, report, **overrides) -> dict:
    data = {
        "report": report.pk, "chapter": "requests", "title": "Tambah petugas loket cetak KTP-el",
        "description": "Dua petugas tambahan pada jam sibuk", "owner": world.owner_admin.pk, "due_date": "2026-09-30",
        "target_kind": "procedure", "procedure": "SOP Pencetakan KTP-el",
    }  # fmt: skip
    data.update(overrides)
    return data


def add(world, report, title="Perbarui SOP loket", owner=None, due=date(2026, 9, 30), chapter="requests"):
    """A follow-up action recorded by the PD's admin, improving a procedure."""
    follow_up = FollowUpAction(chapter=chapter, title=title, owner=owner or world.owner_admin, due_date=due,
                               target_kind="procedure", procedure="SOP loket")  # fmt: skip
    return actions.add_action(world.owner_admin, report, follow_up)


def test_an_action_without_an_owner_is_refused_naming_the_owner(world, report, login):
    client = login(world.owner_admin)
    response = post(client, ACTIONS, action_payload(world, report, owner=None))
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["Pilih penanggung jawab tindak lanjut."]}
    outsider = post(client, ACTIONS, action_payload(world, report, owner=world.tegal_admin.pk))
    assert outsider.status_code == 400
    assert outsider.json()["errors"] == {"owner": ["Pilih penanggung jawab dari staf PD laporan ini."]}
    several = post(client, ACTIONS, action_payload(world, report, owner=None, title="", due_date=None))
    assert set(several.json()["errors"]) == {"owner", "title", "due_date"}
    assert not FollowUpAction.objects.exists()


def test_an_action_on_another_pds_service_is_refused(world, report, login):
    other = kritis_service(world, pd=world.dinkes, code="KES-01", name="Pendaftaran Puskesmas")
    response = post(login(world.owner_admin), ACTIONS, action_payload(world, report, target_kind="service",
                                                                     service=other.pk))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"] == {"service": ["Pilih layanan dari cakupan laporan ini."]}


def test_an_action_is_recorded_and_completed_with_an_evidence_file(world, report, service, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = login(world.owner_admin)
    created = post(admin, ACTIONS, action_payload(world, report, target_kind="service", service=service.pk))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["status"] == "open"
        and body["owner_name"] == "Nur Admin"
        and body["target"] == "Pencetakan KTP-el (Dukcapil)"
    )
    assert body["is_overdue"] is False and body["evidence_file"] is None
    url = f"{ACTIONS}{body['id']}/"
    assert admin.get(f"{REPORTS}{report.pk}/").json()["actions"][0]["id"] == body["id"]

    empty = post(admin, f"{url}selesai/", {"evidence_note": " "})
    assert empty.status_code == 400
    assert empty.json()["errors"] == {"evidence_note": ["Tuliskan bukti penyelesaian atau unggah berkas bukti."]}
    started = post(admin, f"{url}status/", {"status": "in_progress"})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    evidence = SimpleUploadedFile("berita-acara.pdf", PDF, content_type="application/pdf")
    done = admin.post(f"{url}selesai/", {"evidence_note": "Berita acara penambahan petugas", "evidence_file": evidence,
                                         "after_version": "SOP v2"})  # fmt: skip
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "done" and body["completed_by"] == "Nur Admin" and body["after_version"] == "SOP v2"
    assert body["evidence_file"] == f"/evaluasi/tindak-lanjut/{body['id']}/bukti/"
    assert FollowUpAction.objects.get().evidence_file.read() == PDF
    again = post(admin, f"{url}status/", {"status": "cancelled"})
    assert again.status_code == 400 and again.json()["errors"] == {"status": ["Tindak lanjut ini sudah selesai."]}


def test_an_evidence_file_that_is_not_what_it_claims_is_refused(world, report, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    follow_up = add(world, report)
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = login(world.owner_admin).post(f"{ACTIONS}{follow_up.pk}/selesai/", {"evidence_file": fake})
    assert response.status_code == 400 and "evidence_file" in response.json()["errors"]
    follow_up.refresh_from_db()
    assert follow_up.status == ActionStatus.OPEN and not follow_up.evidence_file


def test_finishing_through_the_status_endpoint_is_refused(world, report, login):
    follow_up = add(world, report)
    response = post(login(world.owner_head), f"{ACTIONS}{follow_up.pk}/status/", {"status": "done"})
    assert response.status_code == 400 and "Selesaikan dengan bukti" in response.json()["errors"]["status"][0]


def test_the_action_list_filters_and_hides_other_pds(world, report, login):
    late = add(world, report, "Terlambat", due=date(2026, 7, 1))
    soon = add(world, report, "Segera", owner=world.owner_head, due=date(2026, 8, 1), chapter="release")
    client = login(world.owner_admin)

    def ids(**query) -> list[int]:
        return [row["id"] for row in client.get(ACTIONS, query).json()["results"]]

    assert ids() == [late.pk, soon.pk] and ids(overdue="true") == [late.pk]
    actions.set_action_status(world.owner_admin, soon, ActionStatus.IN_PROGRESS)
    assert ids(status="in_progress") == [soon.pk] and ids(status="open_any") == [late.pk, soon.pk]
    assert ids(report=report.pk, pd=world.dukcapil.pk) == [late.pk, soon.pk] and ids(pd=world.dinkes.pk) == []
    assert client.get(f"{ACTIONS}{late.pk}/").json()["is_overdue"] is True
    for name in ("other_pd_admin", "tegal_coordinator"):
        outsider = login(getattr(world, name))
        assert outsider.get(ACTIONS).json()["results"] == []
        assert outsider.get(f"{ACTIONS}{late.pk}/").status_code == 404
        assert post(outsider, f"{ACTIONS}{late.pk}/selesai/", {"evidence_note": "x"}).status_code == 404
    late.refresh_from_db()
    assert late.status == ActionStatus.OPEN
    assert login(world.owner_admin).get(ACTIONS, {"status": "selesai"}).status_code == 400


def test_open_actions_of_an_earlier_period_carry_into_the_next_report(world, report, login):
    """E-2 point 6: what was not done last semester is reported again."""
    earlier = open_report(world.owner_admin, world.dukcapil, date(2025, 7, 1), date(2025, 12, 31))
    carried = add(world, earlier, "Perbarui SOP dari semester lalu", due=date(2026, 3, 31))
    client = login(world.owner_head)
    body = client.get(f"{REPORTS}{report.pk}/").json()
    assert [a["id"] for a in body["carried_actions"]] == [carried.pk] and body["actions"] == []
    assert body["carried_actions"][0]["is_overdue"] is True and body["carried_actions"][0]["report"] == earlier.pk
    actions.complete_action(world.owner_admin, carried, evidence_note="SOP v3 ditetapkan")
    assert client.get(f"{REPORTS}{report.pk}/").json()["carried_actions"] == []


def test_the_lists_do_not_grow_queries_with_their_rows(world, report, login):
    client = login(world.coordinator)
    for n in range(2):
        add(world, report, f"Tindak lanjut {n}", owner=world.owner_admin)
    open_report(world.other_pd_admin, world.dinkes)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(ACTIONS).json()["results"]) == 2
    with CaptureQueriesContext(connection) as few_reports:
        assert len(client.get(REPORTS).json()["results"]) == 2
    for n in range(2, 6):
        add(world, report, f"Tindak lanjut {n}", owner=world.owner_head)
    open_report(world.owner_admin, world.dukcapil, date(2025, 1, 1), date(2025, 6, 30))
    open_report(world.coordinator, world.dukcapil, scope="pemda")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(ACTIONS).json()["results"]) == 6
    with CaptureQueriesContext(connection) as many_reports:
        assert len(client.get(REPORTS).json()["results"]) == 4
    assert len(many) == len(few) and len(many_reports) == len(few_reports)


# --- The maturity level --------------------------------------------------------------------------------


def approve_planning(world, service) -> None:
    """The P-6 needs inventory and the P-8 operating target, both approved."""
    ServiceNeeds.objects.create(service=service, business_process="a", needs="b", design="c", technology="d",
                                evaluation="e", drafted_by=world.owner_admin, status="approved")  # fmt: skip
    app = Application.objects.get(pd=world.dukcapil)
    OperatingTarget.objects.create(application=app, classification="kritis", availability_target=99,
                                   drafted_by=world.owner_admin, status="approved")  # fmt: skip


def test_the_maturity_of_a_pd_shows_its_criteria_evidence_and_what_is_missing(world, service, login):
    client = login(world.owner_admin)
    body = client.get(MATURITY, {"pd": world.dukcapil.pk}).json()
    assert body["level"] == 1 and body["name"] == "Rintisan"
    assert body["pd"] == world.dukcapil.pk and body["pemda_name"] == "Kota Yogyakarta"
    assert (body["start"], body["end"]) == ("2025-07-11", "2026-07-10")  # twelve months up to today in WIB
    criteria = {c["key"]: c for c in body["criteria"]}
    assert criteria["catalog"]["met"] is True and criteria["catalog"]["missing"] == ""
    assert criteria["catalog"]["evidence"][0]["label"] == "1 dari 1 layanan aktif punya target yang disetujui"
    assert criteria["catalog"]["evidence"][0]["url"] == f"/katalog/?pd={world.dukcapil.pk}"
    planning = criteria["planning_records"]
    assert planning["met"] is False
    assert planning["missing"] == "Susun dan setujui daftar kebutuhan layanan (P-6) dan target pengoperasian (P-8)."
    assert body["next_missing"] == ["planning_records"]
    assert [level["reached"] for level in body["levels"]] == [True, False, False, False, False]

    approve_planning(world, service)
    moved = client.get(MATURITY, {"pd": world.dukcapil.pk}).json()
    assert moved["level"] == 2 and moved["name"] == "Terkelola"
    assert "user_service" in moved["next_missing"]  # no request or complaint recorded yet
    assert moved["next_missing"] == [c["key"] for c in moved["criteria"] if c["level"] == 3 and not c["met"]]


def test_a_period_asked_for_the_maturity_level_is_used_and_checked(world, service, login):
    client = login(world.owner_admin)
    body = client.get(MATURITY, {"pd": world.dukcapil.pk, "start": "2026-01-01", "end": "2026-06-30"}).json()
    assert (body["start"], body["end"]) == ("2026-01-01", "2026-06-30")
    backwards = client.get(MATURITY, {"pd": world.dukcapil.pk, "start": "2026-06-30", "end": "2026-01-01"})
    assert backwards.status_code == 400
    assert backwards.json()["errors"] == {"end": ["Tanggal akhir periode tidak boleh sebelum tanggal mulai."]}
    assert client.get(MATURITY, {"pd": "satu"}).status_code == 400


def test_an_approved_report_with_an_action_done_with_evidence_is_the_evidence_of_levels_4_and_5(
    world, report, service, login
):
    write_analyses(world.owner_admin, report)
    follow_up = add(world, report, "Tambah petugas")
    actions.submit(world.owner_admin, report)
    actions.approve(world.owner_head, report)
    client = login(world.owner_head)
    criteria = {c["key"]: c for c in client.get(MATURITY, {"pd": world.dukcapil.pk}).json()["criteria"]}
    assert criteria["evaluated"]["met"] is True
    assert criteria["evaluated"]["evidence"] == [{"label": report.title, "url": f"/evaluasi/laporan/{report.pk}/"}]
    assert criteria["followed_up"]["met"] is False and "minimal 1 tindak lanjut" in criteria["followed_up"]["missing"]
    done = post(login(world.owner_admin), f"{ACTIONS}{follow_up.pk}/selesai/", {"evidence_note": "Berita acara"})
    assert done.status_code == 200
    criteria = {
        c["key"]: c for c in login(world.owner_head).get(MATURITY, {"pd": world.dukcapil.pk}).json()["criteria"]
    }
    assert criteria["followed_up"]["met"] is True and criteria["followed_up"]["missing"] == ""
    assert criteria["followed_up"]["evidence"][0]["url"] == f"/evaluasi/tindak-lanjut/{follow_up.pk}/"


def test_the_pemdas_level_is_for_its_coordinator_and_the_system_administrator(world, service, login):
    coordinator = login(world.coordinator).get(MATURITY)
    assert coordinator.status_code == 200
    body = coordinator.json()
    assert body["pd"] is None and body["pemda"] == world.yogya.pk and body["level"] == 1
    sysadmin = login(world.sysadmin)
    assert sysadmin.get(MATURITY, {"pemda": world.yogya.pk}).json()["pemda_name"] == "Kota Yogyakarta"
    assert sysadmin.get(MATURITY, {"pd": world.tegal_dukcapil.pk}).json()["pd_name"] == "Disdukcapil Tegal"
    unchosen = sysadmin.get(MATURITY)
    assert unchosen.status_code == 400 and "pemda" in unchosen.json()["errors"]
    mismatch = sysadmin.get(MATURITY, {"pd": world.dukcapil.pk, "pemda": world.tegal.pk})
    assert mismatch.status_code == 400 and "pd" in mismatch.json()["errors"]


@pytest.mark.parametrize(
    ("name", "query", "status"),
    [
        ("owner_admin", {}, 403),
        ("owner_admin", {"pemda": "yogya"}, 403),
        ("owner_head", {"pd": "dinkes"}, 404),
        ("other_pd_admin", {"pd": "dukcapil"}, 404),
        ("tegal_coordinator", {"pd": "dukcapil"}, 404),
        ("tegal_coordinator", {"pemda": "yogya"}, 404),
        ("coordinator", {"pemda": "tegal"}, 404),
    ],
)
def test_nobody_reads_the_maturity_of_a_pd_or_pemda_not_theirs(world, service, login, name, query, status):
    ids = {"yogya": world.yogya.pk, "tegal": world.tegal.pk, "dukcapil": world.dukcapil.pk, "dinkes": world.dinkes.pk}
    params = {key: ids[value] for key, value in query.items()}
    response = login(getattr(world, name)).get(MATURITY, params)
    assert response.status_code == status and response.json()["message"]


def test_the_openapi_schema_lists_the_evaluation_endpoints(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths["/api/v1/evaluasi/laporan/"]) == {"get", "post"}
    assert set(paths["/api/v1/evaluasi/laporan/{id}/"]) == {"get"}
    for verb in ("analisis", "ajukan", "setujui", "tolak"):
        assert set(paths[f"/api/v1/evaluasi/laporan/{{id}}/{verb}/"]) == {"post"}
    assert set(paths["/api/v1/evaluasi/tindak-lanjut/"]) == {"get", "post"}
    complete = paths["/api/v1/evaluasi/tindak-lanjut/{id}/selesai/"]["post"]["requestBody"]["content"]
    assert complete["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/FollowUpComplete"}
    assert "post" in paths["/api/v1/evaluasi/tindak-lanjut/{id}/status/"]
    maturity = paths["/api/v1/evaluasi/kematangan/"]["get"]
    assert {p["name"] for p in maturity["parameters"]} == {"pd", "pemda", "start", "end"}
    assert maturity["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Maturity"
    }
    assert schema["components"]["schemas"]["EvaluationReportDetail"]["properties"]["figures"]["type"] == "object"
