"""REST API of application projects (O-7) under /api/v1/perubahan/proyek/:
the same permissions as the pages (another PD or Pemda: 404; may see but
not do: 403), the same actions and their Indonesian messages on the field,
JSON errors, never a 500; and no clash with the transition plans' URLs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.change import actions_projects as actions
from spbe.change.models_projects import AppProject, Phase, ProjectPhase
from spbe.change.tests.test_projects import NOW, TODAY, approved_project, plan, project_of
from spbe.cmdb.models import Application, AppNeedsAnalysis
from spbe.continuity.tests.factories import kritis_service

URL = "/api/v1/perubahan/proyek/"
VISIBLE = ["owner_admin", "owner_head", "coordinator", "sysadmin"]
HIDDEN = ["other_pd_admin", "tegal_coordinator", "vendor"]
VERBS = ["submit", "approve", "reject", "phases/1/start", "phases/3/gate", "phases/1/complete"]


def post(client, url: str, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def detail(project: AppProject, verb: str = "") -> str:
    return f"{URL}{project.pk}/{verb + '/' if verb else ''}"


def step(project: AppProject, phase: int, verb: str) -> str:
    return detail(project, f"phases/{phase}/{verb}")


def messages_of(response, field: str) -> str:
    return " ".join(response.json()["errors"][field])


@pytest.fixture
def application(world, packs, time_machine) -> Application:
    """SIAK DUK-01 of Disdukcapil Yogya, on 1 March 2027 09.00 WIB."""
    time_machine.move_to(NOW, tick=False)
    kritis_service(world)
    return Application.objects.get(name="SIAK DUK-01")


@pytest.fixture
def project(world, application) -> AppProject:
    """SIAK daring, a waterfall draft of Dukcapil's admin, its testing phase gated."""
    return actions.save_project(world.owner_admin, project_of(application), plan())


@pytest.fixture
def approved(world, application) -> AppProject:
    return approved_project(world, application)


def phases_payload(start=TODAY, gate: int | None = Phase.TESTING) -> list[dict]:
    return [{**row, "planned_start": row["planned_start"].isoformat(), "planned_end": row["planned_end"].isoformat()}
            for row in plan(start, gate)]  # fmt: skip


def payload(application, **overrides) -> dict:
    data = {"application": application.pk, "title": "KK daring", "method": "agile", "sourcing": "in_house",
            "goal": "Pengajuan KK daring", "scope": "Modul KK", "phases": phases_payload()}  # fmt: skip
    data.update(overrides)
    return data


# --- Who sees -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VISIBLE)
def test_the_pd_and_the_coordinator_get_the_project_in_full(world, project, application, login, name):
    client = login(getattr(world, name))
    listing = client.get(URL).json()
    assert listing["count"] == 1 and [row["id"] for row in listing["results"]] == [project.pk]
    body = client.get(detail(project)).json()
    assert (body["title"], body["method"], body["sourcing"], body["status"]) == (
        "SIAK daring", "waterfall", "in_house", "draft")  # fmt: skip
    assert body["application"] == {"id": application.pk, "name": "SIAK DUK-01"}
    assert body["pd"] == world.dukcapil.pk and body["pd_name"] == "Disdukcapil Yogya"
    assert body["drafted_by"] == "Nur Admin" and body["goal"] == "Pendaftaran penduduk daring"
    assert (body["needs_analysis"], body["needs_analysis_title"], body["management_target"]) == (None, None, None)
    assert [(p["phase"], p["phase_name"], p["status"]) for p in body["phases"]] == [
        (1, "Perancangan", "planned"), (2, "Implementasi", "planned"), (3, "Pengujian", "planned"),
        (4, "Pemeliharaan", "planned"),
    ]  # fmt: skip
    testing = body["phases"][2]
    assert testing["needs_gate_approval"] and testing["gate_pending"] and testing["gate_approved_by"] is None
    assert testing["planned_start"] == (TODAY + timedelta(days=60)).isoformat()
    assert testing["deliverables"] == "Keluaran 3"


@pytest.mark.parametrize("name", HIDDEN)
def test_another_pd_or_pemda_finds_nothing(world, project, login, name):
    client = login(getattr(world, name))
    assert client.get(URL).json()["results"] == []
    response = client.get(detail(project))
    assert response.status_code == 404 and response.json()["message"]
    for verb in VERBS:
        assert post(client, detail(project, verb), {"comment": "x"}).status_code == 404, verb
    assert client.patch(detail(project), {"title": "Diubah"}, content_type="application/json").status_code == 404
    project.refresh_from_db()
    assert project.title == "SIAK daring" and project.status == ApprovalStatus.DRAFT


def test_anonymous_and_citizens_are_refused(world, project, client, login):
    for url in (URL, detail(project)):
        assert client.get(url).status_code == 403
    citizen = login(world.citizen)
    response = citizen.get(URL)
    assert response.status_code == 403 and "petugas" in response.json()["message"]
    assert post(citizen, URL, {"title": "x"}).status_code == 403
    assert post(citizen, detail(project, "submit")).status_code == 403


def test_projects_and_transition_plans_keep_their_own_urls(world, project, login):
    client = login(world.coordinator)
    assert client.get(URL).json()["count"] == 1
    assert client.get("/api/v1/perubahan/").json()["count"] == 0  # no project among the plans


def test_the_list_filters_by_pd_method_sourcing_status_and_text(world, project, application, login):
    other = actions.save_project(world.owner_admin, project_of(application, title="Portal KK", method="agile",
                                 sourcing="outsourced", vendor="PT Data Solusi", contract_number="027/SPK"),
                                 plan())  # fmt: skip
    approvals.submit(world.owner_admin, other)
    client = login(world.coordinator)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {project.pk, other.pk}
    assert ids(pd=world.dukcapil.pk) == {project.pk, other.pk} and ids(pd=world.dinkes.pk) == set()
    assert ids(method="agile") == {other.pk} and ids(sourcing="in_house") == {project.pk}
    assert ids(status="submitted") == {other.pk} and ids(status="draft") == {project.pk}
    assert ids(q="PT Data") == {other.pk} and ids(q="027/SPK") == {other.pk} and ids(q="Dukcapil") == {
        project.pk, other.pk}  # fmt: skip
    for bad in ({"method": "spiral"}, {"pd": "x"}, {"pd": 2**70}, {"status": "gone"}):
        response = client.get(URL, bad)
        assert response.status_code == 400 and set(response.json()["errors"]) & {"method", "pd", "status"}, bad


def test_the_list_does_not_grow_queries_with_its_rows(world, project, application, login):
    client = login(world.coordinator)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for number in range(3):
        actions.save_project(world.owner_admin, project_of(application, title=f"Proyek {number}"), plan())
    with CaptureQueriesContext(connection) as four:
        assert client.get(URL).json()["count"] == 4
    assert len(four) == len(one)


# --- Drafting -----------------------------------------------------------------------------------


def test_the_pds_admin_drafts_a_project_with_its_phases(world, application, login):
    response = post(login(world.owner_admin), URL, payload(application))
    assert response.status_code == 201, response.json()
    body = response.json()
    project = AppProject.objects.get(pk=body["id"])
    assert project.pd == world.dukcapil and project.drafted_by == world.owner_admin and project.method == "agile"
    assert [p["deliverables"] for p in body["phases"]] == ["Keluaran 1", "Keluaran 2", "Keluaran 3", "Keluaran 4"]
    assert project.phases.get(phase=Phase.TESTING).needs_gate_approval
    assert body["status"] == "draft" and body["drafted_by"] == "Nur Admin"


def test_whoever_drafts_for_no_pd_may_not_create_and_another_pds_application_is_refused(world, application, login):
    assert post(login(world.citizen), URL, payload(application)).status_code == 403
    response = post(login(world.other_pd_admin), URL, payload(application))
    assert response.status_code == 400 and "application" in response.json()["errors"]
    assert not AppProject.objects.exists()


def test_an_outsourced_project_without_a_vendor_is_refused_on_vendor(world, application, login):
    client = login(world.owner_admin)
    response = post(client, URL, payload(application, sourcing="outsourced", vendor=""))
    assert response.status_code == 400 and "Isi nama vendor" in messages_of(response, "vendor")
    assert not AppProject.objects.exists() and not ProjectPhase.objects.exists()
    response = post(client, URL, payload(application, sourcing="outsourced", vendor="PT Data Solusi",
                                         contract_number="027/SPK/2027"))  # fmt: skip
    assert response.status_code == 201 and response.json()["vendor"] == "PT Data Solusi"


def test_the_actions_refusals_name_their_field(world, application, login):
    client = login(world.owner_admin)
    rows = phases_payload()
    rows[1]["planned_start"] = (TODAY + timedelta(days=10)).isoformat()  # before design ends
    response = post(client, URL, payload(application, method="waterfall", phases=rows))
    assert response.status_code == 400
    assert "dimulai setelah fase Perancangan selesai" in messages_of(response, "implementation.planned_start")
    response = post(client, URL, payload(application, phases=[*phases_payload(), phases_payload()[0]]))
    assert response.status_code == 400 and "satu kali" in messages_of(response, "non_field_errors")
    other = Application.objects.create(pd=world.dukcapil, name="SIMPEG", hosting="pdn")
    analysis = AppNeedsAnalysis.objects.create(
        pd=world.dukcapil, application=other, title="Kebutuhan SIMPEG", urgency="tinggi", cost_benefit="x",
        implications="x", functional_requirements="x", non_functional_requirements="x",
    )  # fmt: skip
    response = post(client, URL, payload(application, needs_analysis=analysis.pk))
    assert response.status_code == 400 and "analisis kebutuhan aplikasi ini" in messages_of(response, "needs_analysis")
    assert not AppProject.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"phases": "empat"},
        {"phases": [{"phase": 9}]},
        {"phases": [{"phase": 1, "planned_start": "kemarin", "planned_end": "2027-03-02", "deliverables": "x"}]},
        {"phases": [{"phase": 1, "planned_start": "2027-03-01", "planned_end": "2027-03-02", "deliverables": ""}]},
        {"method": "spiral"},
        {"sourcing": None},
    ],
)
def test_malformed_input_is_a_400_naming_the_fields(world, application, login, body):
    data = payload(application) if "title" not in body else body
    data.update(body)
    response = post(login(world.owner_admin), URL, data)
    assert response.status_code == 400 and response.json()["errors"]
    assert not AppProject.objects.exists()


def test_patch_changes_a_draft_and_put_replaces_it_whole(world, project, application, login):
    client = login(world.owner_admin)
    response = client.patch(detail(project), {"title": "SIAK daring 2"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "SIAK daring 2"
    assert len(response.json()["phases"]) == 4  # kept
    response = client.put(detail(project), payload(application, phases=phases_payload()[:2]),
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "KK daring" and [p["phase"] for p in response.json()["phases"]] == [1, 2]
    project.refresh_from_db()
    assert project.method == "agile" and project.phases.count() == 2


def test_a_phase_that_began_is_not_removed(world, project, login):
    actions.start_phase(world.owner_admin, project.phases.get(phase=Phase.DESIGN), TODAY)
    response = login(world.owner_admin).patch(detail(project), {"phases": phases_payload()[1:]},
                                              content_type="application/json")  # fmt: skip
    assert response.status_code == 400 and "sudah berjalan" in messages_of(response, "design.planned_start")


# --- Approval -----------------------------------------------------------------------------------


def test_submit_needs_all_four_phases_then_the_coordinator_approves(world, project, login):
    owner = login(world.owner_admin)
    owner.patch(detail(project), {"phases": phases_payload()[:2]}, content_type="application/json")
    response = post(owner, detail(project, "submit"))
    assert response.status_code == 400 and "Pengujian, Pemeliharaan" in messages_of(response, "non_field_errors")
    owner.patch(detail(project), {"phases": phases_payload()}, content_type="application/json")
    assert post(owner, detail(project, "submit")).json()["status"] == "submitted"
    response = post(owner, detail(project, "submit"))
    assert response.status_code == 400 and response.json()["errors"]["non_field_errors"]
    response = owner.patch(detail(project), {"title": "x"}, content_type="application/json")
    assert response.status_code == 400 and "tidak dapat diubah" in messages_of(response, "non_field_errors")
    for name in ("owner_admin", "owner_head"):
        assert post(login(getattr(world, name)), detail(project, "approve")).status_code == 403, name
    response = post(login(world.coordinator), detail(project, "approve"), {"comment": "Sesuai P-11"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = post(login(world.coordinator), detail(project, "approve"))
    assert response.status_code == 400 and "tidak sedang menunggu" in messages_of(response, "non_field_errors")


def test_a_rejection_needs_its_reason_and_the_project_can_then_be_fixed(world, project, login):
    approvals.submit(world.owner_admin, project)
    coordinator = login(world.coordinator)
    response = post(coordinator, detail(project, "reject"), {"comment": "  "})
    assert response.status_code == 400 and "alasan penolakan" in messages_of(response, "comment")
    assert post(coordinator, detail(project, "reject"), {"comment": "Tautkan P-11"}).json()["status"] == "rejected"
    response = login(world.owner_admin).patch(detail(project), {"goal": "Lebih jelas"},
                                              content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["goal"] == "Lebih jelas"


# --- Phases -------------------------------------------------------------------------------------


def test_the_coordinator_approves_a_gate_and_only_once_the_project_is_approved(world, project, login):
    coordinator = login(world.coordinator)
    response = post(coordinator, step(project, Phase.TESTING, "gate"))
    assert response.status_code == 400 and "setelah proyek disetujui" in messages_of(response, "non_field_errors")
    approvals.submit(world.owner_admin, project)
    approvals.approve(world.coordinator, project)
    for name in ("owner_admin", "owner_head"):
        assert post(login(getattr(world, name)), step(project, Phase.TESTING, "gate")).status_code == 403, name
    response = post(login(world.coordinator), step(project, Phase.DESIGN, "gate"))
    assert response.status_code == 400 and "tidak memerlukan" in messages_of(response, "non_field_errors")
    response = post(login(world.coordinator), step(project, Phase.TESTING, "gate"))
    assert response.status_code == 200
    testing = response.json()["phases"][2]
    assert testing["gate_approved_by"] == "Rina Koordinator" and not testing["gate_pending"]
    assert ProjectPhase.objects.get(project=project, phase=Phase.TESTING).gate_approved_at == NOW
    response = post(login(world.coordinator), step(project, Phase.TESTING, "gate"))
    assert response.status_code == 400 and "sudah disetujui" in messages_of(response, "non_field_errors")


def test_phases_start_and_complete_in_order_with_the_actions_messages(world, project, login, time_machine):
    owner = login(world.owner_admin)
    response = post(owner, step(project, Phase.IMPLEMENTATION, "start"))
    assert response.status_code == 400 and "setelah proyek disetujui" in messages_of(response, "non_field_errors")
    response = post(owner, step(project, Phase.DESIGN, "start"), {"on": (TODAY + timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "masa depan" in messages_of(response, "on")
    response = post(owner, step(project, Phase.DESIGN, "start"))  # today in the Pemda's zone
    assert response.status_code == 200 and response.json()["phases"][0]["actual_start"] == TODAY.isoformat()
    assert response.json()["phases"][0]["status"] == "in_progress"
    assert Application.objects.get(pk=project.application_id).sdlc_phase == "design"  # the CMDB follows
    response = post(owner, step(project, Phase.DESIGN, "complete"), {"at": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "sebelum fase dimulai" in messages_of(response, "at")
    response = post(owner, step(project, Phase.DESIGN, "complete"), {"at": TODAY.isoformat()})
    assert response.status_code == 200 and response.json()["phases"][0]["status"] == "done"
    approvals.submit(world.owner_admin, project)
    approvals.approve(world.coordinator, project)
    assert post(owner, step(project, Phase.IMPLEMENTATION, "start")).status_code == 200
    response = post(owner, step(project, Phase.TESTING, "start"))
    assert response.status_code == 400 and "selesaikan fase Implementasi" in messages_of(response, "non_field_errors")
    post(owner, step(project, Phase.IMPLEMENTATION, "complete"))
    assert post(owner, step(project, Phase.TESTING, "start")).status_code == 200
    response = post(owner, step(project, Phase.TESTING, "complete"))
    assert response.status_code == 400 and "setelah gerbangnya disetujui" in messages_of(response, "non_field_errors")


def test_the_coordinator_records_progress_for_the_pd(world, project, login):
    response = post(login(world.coordinator), step(project, Phase.DESIGN, "start"), {"on": TODAY.isoformat()})
    assert response.status_code == 200 and response.json()["phases"][0]["status"] == "in_progress"


def test_an_unplanned_or_unknown_phase_is_404_and_malformed_days_are_400(world, project, login):
    owner = login(world.owner_admin)
    owner.patch(detail(project), {"phases": phases_payload()[:2]}, content_type="application/json")
    for phase in ("4", "9", "0", "x", "²", "٣", "99999999999999999999"):
        assert post(owner, detail(project, f"phases/{phase}/start")).status_code == 404, phase
    for body in ({"on": "kemarin"}, {"on": 5}, {"on": None}):
        response = post(owner, step(project, Phase.DESIGN, "start"), body)
        assert response.status_code == 400 and "on" in response.json()["errors"], body
    assert post(owner, step(project, Phase.DESIGN, "complete"), {"at": "2027-13-01"}).status_code == 400


def test_the_openapi_schema_lists_the_project_endpoints(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[f"{URL}{{id}}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths[f"{URL}{{id}}/"]
    for verb in ("submit", "approve", "reject", "phases/{phase}/start", "phases/{phase}/gate",
                 "phases/{phase}/complete"):  # fmt: skip
        assert "post" in paths[f"{URL}{{id}}/{verb}/"], verb
    assert set(paths["/api/v1/perubahan/{id}/"]) >= {"get", "put", "patch"}  # the plans keep theirs
    schemas = response.json()["components"]["schemas"]
    assert {"phases", "application", "needs_analysis", "management_target"} <= set(schemas["AppProjectDetail"]
                                                                                    ["properties"])  # fmt: skip
    assert {"status", "gate_approved_by", "gate_approved_at"} <= set(schemas["ProjectPhase"]["properties"])
