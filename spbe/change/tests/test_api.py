"""REST API of service transition plans (P-9): the same permissions as the
pages (another PD or Pemda: 404; may see but not do: 403), the same
actions and their Indonesian messages, JSON errors, never a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus, Decision
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.models import ChangePlan
from spbe.change.tests.test_plans import RISKS, START, plan_of
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service

VISIBLE = ["owner_admin", "owner_head", "coordinator"]
HIDDEN = ["other_pd_admin", "tegal_coordinator"]
OTHER_PD = "Rencana perubahan hanya untuk layanan PD ini; layanan PD lain diubah oleh PD-nya."


def post(client, url: str, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def patch(client, url: str, data):
    return client.patch(url, data, content_type="application/json")


def put(client, url: str, data):
    return client.put(url, data, content_type="application/json")


@pytest.fixture
def service(world, packs):
    return kritis_service(world)


@pytest.fixture
def plan(world, service):
    return actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)


def payload(world, service, **overrides) -> dict:
    data = {
        "pd": world.dukcapil.pk, "title": "Akta kelahiran daring", "kind": "addition", "origin": "provider_need",
        "reason": "Mengurangi antrean loket", "services": [service.pk], "technology_review": "Modul baru SIAK",
        "process_review": "Verifikasi daring", "policy_review": "SOP baru", "business_impact": "Loket berkurang",
        "satisfaction_impact": "Naik", "quality_control": "UAT dengan 20 warga",
        "success_measure": "80 % akta terbit dalam 1 hari kerja", "planned_start": START.isoformat(),
        "planned_end": START.replace(hour=23).isoformat(), "user_notice": "Diumumkan di portal", "risks": RISKS,
    }  # fmt: skip
    data.update(overrides)
    return data


# --- Who sees ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VISIBLE)
def test_the_pd_and_the_coordinator_get_the_plan_in_the_list_and_in_full(world, plan, service, login, name):
    client = login(getattr(world, name))
    listing = client.get("/api/v1/perubahan/").json()
    assert listing["count"] == 1 and [row["id"] for row in listing["results"]] == [plan.pk]
    body = client.get(f"/api/v1/perubahan/{plan.pk}/").json()
    assert body["title"] == "Akta kelahiran daring" and body["kind"] == "addition" and body["status"] == "draft"
    assert body["pd_name"] == "Disdukcapil Yogya" and body["drafted_by"] == "Nur Admin"
    assert body["services"] == [{"id": service.pk, "code": "DUK-01", "name": "Pencetakan KTP-el"}]
    assert body["risks"] == [{"order": 1, "description": "Data lama gagal dipindahkan", "likelihood": 2, "impact": 4,
                              "score": 8, "mitigation": "Uji migrasi"}]  # fmt: skip
    impact = body["impact_analysis"]
    assert [s["name"] for s in impact["services"]] == ["Pencetakan KTP-el"]
    assert [a["name"] for a in impact["applications"]] == ["SIAK DUK-01"]
    assert [c["name"] for c in impact["components"]] == ["vm-DUK-01"]


@pytest.mark.parametrize("name", HIDDEN)
def test_another_pd_or_pemda_finds_nothing(world, plan, login, name):
    client = login(getattr(world, name))
    assert client.get("/api/v1/perubahan/").json()["results"] == []
    response = client.get(f"/api/v1/perubahan/{plan.pk}/")
    assert response.status_code == 404 and response.json()["message"]
    for verb in ("submit", "approve", "reject"):
        assert post(client, f"/api/v1/perubahan/{plan.pk}/{verb}/", {"comment": "x"}).status_code == 404
    assert patch(client, f"/api/v1/perubahan/{plan.pk}/", {"title": "Diubah"}).status_code == 404
    plan.refresh_from_db()
    assert plan.title == "Akta kelahiran daring" and plan.status == ApprovalStatus.DRAFT


def test_anonymous_and_citizens_are_refused(world, plan, client, login):
    for url in ("/api/v1/perubahan/", f"/api/v1/perubahan/{plan.pk}/"):
        assert client.get(url).status_code == 403
    assert post(client, "/api/v1/perubahan/", {"title": "x"}).status_code == 403
    citizen = login(world.citizen)
    response = citizen.get("/api/v1/perubahan/")
    assert response.status_code == 403 and "petugas" in response.json()["message"]
    assert post(citizen, f"/api/v1/perubahan/{plan.pk}/submit/").status_code == 403


def test_the_list_filters_by_pd_kind_status_and_text(world, plan, service, login):
    removal = actions.save_plan(world.owner_admin, plan_of(world, kind="removal", title="Hapus loket manual"),
                                ChangeScope([service]), RISKS)  # fmt: skip
    approvals.submit(world.owner_admin, removal)
    client = login(world.coordinator)

    def ids(**query) -> list[int]:
        return [row["id"] for row in client.get("/api/v1/perubahan/", query).json()["results"]]

    assert ids(kind="removal") == [removal.pk] and ids(status="draft") == [plan.pk]
    assert ids(q="loket manual") == [removal.pk] and set(ids(q="dukcapil")) == {plan.pk, removal.pk}
    assert ids(pd=world.dinkes.pk) == [] and len(ids(pd=world.dukcapil.pk)) == 2
    bad = client.get("/api/v1/perubahan/", {"status": "selesai", "pd": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "pd"}


def test_the_list_does_not_grow_queries_with_its_rows(world, plan, service, login):
    client = login(world.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/perubahan/").status_code == 200
        return len(captured)

    few = queries()
    for number in range(3):
        actions.save_plan(world.owner_admin, plan_of(world, title=f"Perubahan {number}"), ChangeScope([service]), RISKS)
    assert client.get("/api/v1/perubahan/").json()["count"] == 4
    assert queries() == few


# --- Drafting ---------------------------------------------------------------------------------------


def test_a_draft_is_created_with_its_scope_and_risks_in_order(world, service, login):
    app = Application.objects.get(name="SIAK DUK-01")
    risks = [*RISKS, {"description": "Server penuh", "likelihood": 3, "impact": 5, "mitigation": "Tambah disk"}]
    response = post(login(world.owner_admin), "/api/v1/perubahan/",
                    payload(world, service, applications=[app.pk], risks=risks[::-1]))  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["revision"] == 1 and body["drafted_by"] == "Nur Admin"
    assert body["applications"] == [{"id": app.pk, "name": "SIAK DUK-01"}]
    assert [(r["order"], r["description"], r["score"]) for r in body["risks"]] == [
        (1, "Server penuh", 15), (2, "Data lama gagal dipindahkan", 8)]  # fmt: skip
    plan = ChangePlan.objects.get(pk=body["id"])
    assert plan.drafted_by == world.owner_admin and list(plan.services.all()) == [service]


def test_a_service_of_another_pd_is_refused_on_services_with_the_actions_message(world, service, login):
    dinkes = kritis_service(world, pd=world.dinkes, code="DKS-01", name="Puskesmas daring")
    tegal = kritis_service(world, pd=world.tegal_dukcapil, code="TGL-01", name="KTP Tegal")
    client = login(world.owner_admin)
    response = post(client, "/api/v1/perubahan/", payload(world, service, services=[dinkes.pk]))
    assert response.status_code == 400
    assert response.json()["errors"] == {"services": [OTHER_PD]}
    other_pemda = post(client, "/api/v1/perubahan/", payload(world, service, services=[tegal.pk]))
    assert other_pemda.status_code == 400 and list(other_pemda.json()["errors"]) == ["services"]
    assert not ChangePlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"origin": "user_request"}, "request", "Pilih permintaan layanan"),
        ({"kind": "removal", "services": []}, "services", "Pilih layanan yang dihapus"),
        ({"kind": "transfer"}, "transfer_to", "Pilih PD yang menerima"),
        ({"planned_end": START.replace(hour=19).isoformat()}, "non_field_errors", "Rencana selesai harus setelah"),
    ],
)
def test_the_actions_refusals_name_their_field(world, service, login, overrides, field, message):
    response = post(login(world.owner_admin), "/api/v1/perubahan/", payload(world, service, **overrides))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert not ChangePlan.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "pindah", "pd": "x", "planned_start": "besok"},
        {"risks": [{"description": "Server penuh", "likelihood": 9, "impact": "x"}]},
        {"pd": 2**63, "services": [2**63], "title": "x" * 300},
        {"risks": "semua", "services": "1"},
    ],
    ids=["bad-types", "bad-risk", "huge", "not-lists"],
)
def test_malformed_input_is_a_400_naming_the_fields(world, service, login, body):
    response = post(login(world.owner_admin), "/api/v1/perubahan/", payload(world, service, **body))
    assert response.status_code == 400
    assert set(body) <= set(response.json()["errors"]) and response.json()["message"]
    assert post(login(world.owner_admin), "/api/v1/perubahan/", ["bukan", "objek"]).status_code == 400
    assert not ChangePlan.objects.exists()


def test_whoever_drafts_for_no_pd_may_not_create(world, service, login):
    response = post(login(world.vendor), "/api/v1/perubahan/", payload(world, service))
    assert response.status_code == 400 and "pd" in response.json()["errors"]  # Diskominfo's staff: not Dukcapil
    assert not ChangePlan.objects.exists()


def test_patch_changes_the_title_and_keeps_scope_and_risks(world, plan, service, login):
    response = patch(login(world.owner_head), f"/api/v1/perubahan/{plan.pk}/", {"title": "Akta daring (perbaikan)"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Akta daring (perbaikan)" and body["id"] == plan.pk
    assert [s["id"] for s in body["services"]] == [service.pk] and [r["score"] for r in body["risks"]] == [8]


def test_put_replaces_the_plan_whole(world, plan, service, login):
    response = put(login(world.owner_admin), f"/api/v1/perubahan/{plan.pk}/",
                   payload(world, service, title="Akta daring v2", risks=[]))  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Akta daring v2" and response.json()["risks"] == []
    partial = put(login(world.owner_admin), f"/api/v1/perubahan/{plan.pk}/", {"title": "Hanya judul"})
    assert partial.status_code == 400 and "reason" in partial.json()["errors"]


# --- Submission and decision ------------------------------------------------------------------------


def test_submit_then_the_pimpinan_pd_approves_and_the_drafter_cannot(world, plan, login):
    drafter = login(world.owner_admin)
    submitted = post(drafter, f"/api/v1/perubahan/{plan.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert post(drafter, f"/api/v1/perubahan/{plan.pk}/submit/").status_code == 400  # not twice
    own = post(drafter, f"/api/v1/perubahan/{plan.pk}/approve/")
    assert own.status_code == 403 and "tidak berhak" in own.json()["message"]
    assert post(login(world.coordinator), f"/api/v1/perubahan/{plan.pk}/approve/").status_code == 403
    assert ChangePlan.objects.get(pk=plan.pk).status == ApprovalStatus.SUBMITTED
    approved = post(login(world.owner_head), f"/api/v1/perubahan/{plan.pk}/approve/", {"comment": "Sesuai renstra"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Decision.objects.filter(actor=world.owner_head, kind="approved", comment="Sesuai renstra").exists()


def test_a_submitted_plan_is_not_changed(world, plan, login):
    approvals.submit(world.owner_admin, plan)
    response = patch(login(world.owner_admin), f"/api/v1/perubahan/{plan.pk}/", {"title": "Diubah"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Rencana yang diajukan atau disetujui tidak dapat diubah; buat revisi."]
    }
    plan.refresh_from_db()
    assert plan.title == "Akta kelahiran daring"


def test_a_plan_without_risks_is_not_submitted(world, service, login):
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), [])
    response = post(login(world.owner_admin), f"/api/v1/perubahan/{plan.pk}/submit/")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Identifikasi minimal satu risiko perubahan beserta penanganannya."]
    }


def test_a_rejection_needs_its_reason_and_the_plan_can_then_be_fixed(world, plan, login):
    approvals.submit(world.owner_admin, plan)
    head = login(world.owner_head)
    missing = post(head, f"/api/v1/perubahan/{plan.pk}/reject/", {"comment": " "})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"comment": ["Tuliskan alasan penolakan agar penyusun dapat memperbaikinya."]}
    rejected = post(head, f"/api/v1/perubahan/{plan.pk}/reject/", {"comment": "Risiko migrasi kurang"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = post(head, f"/api/v1/perubahan/{plan.pk}/approve/")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]
    fixed = patch(login(world.owner_admin), f"/api/v1/perubahan/{plan.pk}/", {"quality_control": "UAT 50 warga"})
    assert fixed.status_code == 200 and fixed.json()["status"] == "rejected"


def test_the_openapi_schema_lists_the_change_endpoints(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/perubahan/"]) >= {"get", "post"}
    assert set(paths["/api/v1/perubahan/{id}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/perubahan/{id}/"]
    for verb in ("submit", "approve", "reject"):
        assert "post" in paths[f"/api/v1/perubahan/{{id}}/{verb}/"]
