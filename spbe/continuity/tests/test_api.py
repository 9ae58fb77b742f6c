"""REST API of recovery (issue 11, O-5): the same permissions as the pages
(another PD or Pemda: 404; may see but not run: 403), the same actions and
their Indonesian messages, JSON errors, never a 500."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus, Decision
from spbe.cmdb.models import Application
from spbe.conftest import give, make_person
from spbe.continuity import actions
from spbe.continuity.choices import EventKind, RecoveryStatus
from spbe.continuity.models import Recovery, RecoveryPlan, RecoveryStep
from spbe.continuity.tests.factories import CONTACTS, STEPS, approved_plan, draft_plan, kritis_service, pj_penyedia
from spbe.monitoring.models import Check, HeartbeatPing
from spbe.org.choices import Role

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 3, 14, 12, 0, tzinfo=WIB)  # Saturday noon; the drill ran this morning

VISIBLE = ["owner_admin", "coordinator", "vendor", "pj"]
HIDDEN = ["other_pd_admin", "tegal_coordinator"]


def wib(hour: int, minute: int = 0) -> str:
    return datetime(2026, 3, 14, hour, minute, tzinfo=WIB).isoformat()


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def put(client, url: str, data: dict):
    return client.put(url, data, content_type="application/json")


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def service(world):
    return kritis_service(world)


@pytest.fixture
def pj(world):
    return pj_penyedia(world)


@pytest.fixture
def person(world, pj):
    """A persona by name, the PJ Penyedia Layanan of Disdukcapil included."""
    return lambda name: pj if name == "pj" else getattr(world, name)


@pytest.fixture
def backup(service):
    """The backup job's heartbeat, last pinged at 01:05 on the drill's day."""
    check = Check.objects.create(pemda=service.pd.pemda, pd=service.pd, name="Detak cadangan", kind="heartbeat",
                                 service=service, interval_seconds=86400)  # fmt: skip
    HeartbeatPing.objects.create(check_ref=check, at=datetime(2026, 3, 14, 1, 5, tzinfo=WIB))
    return check


@pytest.fixture
def plan(world, service, pj, packs, backup, now):
    return approved_plan(world, service, pj, backup_check=backup)


def new_plan_payload(world, service, **overrides) -> dict:
    data = {
        "pd": world.dukcapil.pk, "title": "DRP KTP-el 2026", "services": [service.pk], "rpo_value": 1,
        "rpo_unit": "hari", "rto_value": 4, "rto_unit": "jam", "backup_method": "pg_dump ke server cadangan",
        "backup_frequency": "harian 01.00", "recovery_site": "pdn", "disaster_conditions": "Pusat data padam > 1 jam",
        "contacts": CONTACTS, "steps": STEPS,
    }  # fmt: skip
    data.update(overrides)
    return data


DRILL = {"kind": "drill", "title": "Uji coba Maret", "scheduled_for": wib(8), "scenario": "Ruang server terbakar",
         "participants": "Tim infrastruktur Diskominfo, Admin Dukcapil"}  # fmt: skip


# --- Who sees and who runs ------------------------------------------------------------------------


@pytest.mark.parametrize("name", VISIBLE)
def test_those_who_may_see_get_the_drp_in_the_list_and_in_full(world, plan, service, person, login, name):
    client = login(person(name))
    listing = client.get("/api/v1/drp/").json()
    assert [row["id"] for row in listing["results"]] == [plan.pk] and listing["count"] == 1
    body = client.get(f"/api/v1/drp/{plan.pk}/").json()
    assert body["services"] == [{"id": service.pk, "code": "DUK-01", "name": "Pencetakan KTP-el"}]
    assert body["rto"] == "04:00:00" and body["rpo"] == "1 00:00:00"
    assert [c["phone"] for c in body["contacts"]] == ["0811-2222-333"]
    assert [(s["order"], s["owner"]) for s in body["steps"]] == [(1, "Administrator Infrastruktur"),
                                                                (2, "Administrator Infrastruktur")]  # fmt: skip
    assert body["status"] == "approved" and body["is_current"] and body["version"] == 1
    assert when(body["approved_at"]) == NOW and body["review_due"] == "2027-03-14"
    assert body["previous"] is None and body["superseded_at"] is None and body["last_drill_at"] is None


@pytest.mark.parametrize("name", HIDDEN)
def test_another_pd_or_pemda_finds_nothing(world, plan, person, login, name):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    client = login(person(name))
    assert client.get("/api/v1/drp/").json()["results"] == []
    assert client.get("/api/v1/pemulihan/").json()["results"] == []
    for url in (f"/api/v1/drp/{plan.pk}/", f"/api/v1/pemulihan/{drill.pk}/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["message"]
    for url in ("submit", "approve", "reject", "revise"):
        assert post(client, f"/api/v1/drp/{plan.pk}/{url}/").status_code == 404
    assert post(client, f"/api/v1/pemulihan/{drill.pk}/steps/", {"number": 1, "at": wib(8), "notes": "x"}
                ).status_code == 404  # fmt: skip
    assert patch(client, f"/api/v1/drp/{plan.pk}/", {"title": "Diubah"}).status_code == 404
    assert post(client, f"/api/v1/pemulihan/{drill.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert not drill.steps.exists()
    drill.refresh_from_db()
    plan.refresh_from_db()
    assert drill.status == RecoveryStatus.PLANNED and plan.title == "DRP Pencetakan KTP-el"


def test_anonymous_and_citizens_are_refused_as_by_the_tickets_api(world, plan, client, login):
    for url in ("/api/v1/drp/", f"/api/v1/drp/{plan.pk}/", "/api/v1/pemulihan/"):
        assert client.get(url).status_code == 403
    assert post(client, "/api/v1/drp/", {"title": "x"}).status_code == 403
    citizen = login(world.citizen).get("/api/v1/drp/")
    assert citizen.status_code == 403 and "petugas" in citizen.json()["message"]


def test_who_may_see_but_not_run_gets_403_with_a_message(world, plan, service, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    draft = draft_plan(world, service, title="DRP baru")
    client = login(world.owner_admin)  # Administrator Layanan: reads the DRP, does not run recovery
    refusals = [
        post(client, "/api/v1/drp/", new_plan_payload(world, service)),
        post(client, f"/api/v1/drp/{plan.pk}/revise/"),
        patch(client, f"/api/v1/drp/{draft.pk}/", {"title": "Diubah"}),
        put(client, f"/api/v1/drp/{draft.pk}/", new_plan_payload(world, service)),
        post(client, "/api/v1/pemulihan/", {**DRILL, "plan": plan.pk}),
        post(client, f"/api/v1/pemulihan/{drill.pk}/steps/", {"number": 1, "at": wib(8), "notes": "Dicek"}),
        post(client, f"/api/v1/pemulihan/{drill.pk}/cancel/", {"reason": "Ditunda"}),
    ]
    assert [r.status_code for r in refusals] == [403] * 7
    assert all(r.json()["message"] for r in refusals)
    assert RecoveryPlan.objects.count() == 2 and Recovery.objects.count() == 1 and not drill.steps.exists()
    draft.refresh_from_db()
    drill.refresh_from_db()
    assert draft.title == "DRP baru" and drill.status == RecoveryStatus.PLANNED


# --- DRPs ------------------------------------------------------------------------------------------


def test_a_draft_with_an_rto_longer_than_the_services_is_refused_on_rto_value(world, service, login):
    response = post(login(world.vendor), "/api/v1/drp/", new_plan_payload(world, service, rto_value=5))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["rto_value"]
    assert errors["rto_value"] == ["RTO DRP (5 jam) lebih lama dari target Pencetakan KTP-el (Dukcapil) (4 jam)."]
    assert not RecoveryPlan.objects.exists()


def test_a_draft_is_created_with_its_scope_contacts_and_procedure_in_order(world, service, login):
    app = Application.objects.get(name="SIAK DUK-01")
    payload = new_plan_payload(world, service, steps=STEPS[::-1], applications=[app.pk],
                               components=[app.components.get().pk])  # fmt: skip
    response = post(login(world.vendor), "/api/v1/drp/", payload)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["series"] == body["id"]
    assert body["applications"] == [{"id": app.pk, "name": "SIAK DUK-01"}]
    assert [c["name"] for c in body["components"]] == ["vm-DUK-01"]
    assert body["contacts"] == CONTACTS
    assert [s["action"] for s in body["steps"]] == ["Pulihkan basis data", "Nyalakan server cadangan di PDN"]
    plan = RecoveryPlan.objects.get(pk=body["id"])
    assert plan.drafted_by == world.vendor and list(plan.services.all()) == [service]


def test_bad_draft_input_names_each_field(world, service, login):
    tegal_service = kritis_service(world, pd=world.tegal_dukcapil, code="TGL-01")
    client = login(world.vendor)
    response = post(client, "/api/v1/drp/", new_plan_payload(
        world, service, services=[tegal_service.pk], rto_unit="minggu", steps=[{"action": "Pulihkan", "owner": ""}],
    ))  # fmt: skip
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"services", "rto_unit", "steps"} <= set(errors)
    assert set(errors["steps"]["0"]) == {"owner", "expected_minutes"}
    # services of another PD of the same Pemda: the action's own message
    dinkes = kritis_service(world, pd=world.dinkes, code="DKS-01")
    response = post(client, "/api/v1/drp/", new_plan_payload(world, service, services=[dinkes.pk]))
    assert response.json()["errors"] == {"services": ["Layanan yang dicakup harus milik PD pemilik DRP."]}
    huge = post(client, "/api/v1/drp/", new_plan_payload(world, service, rto_value=2_000_000_000, rto_unit="hari"))
    assert huge.status_code == 400 and "rto_value" in huge.json()["errors"]
    assert not RecoveryPlan.objects.exists()


def test_submit_then_the_pj_approves_and_the_drafter_cannot(world, service, pj, login, packs, now):
    # a Kepala Seksi who is PJ Penyedia Layanan and also drafts DRPs (PJ Infrastruktur)
    drafter = make_person("kasi@yogya.test", world.yogya, nip="198505052010012003", full_name="Dewi Kasi")
    give(drafter, Role.PJ_PENYEDIA, world.dukcapil)
    give(drafter, Role.PJ_INFRA, world.dukcapil)
    client = login(drafter)
    plan_id = post(client, "/api/v1/drp/", new_plan_payload(world, service)).json()["id"]
    submitted = post(client, f"/api/v1/drp/{plan_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert post(client, f"/api/v1/drp/{plan_id}/submit/").status_code == 400  # not twice
    own = post(client, f"/api/v1/drp/{plan_id}/approve/")
    assert own.status_code == 403 and "tidak berhak" in own.json()["message"]
    assert RecoveryPlan.objects.get(pk=plan_id).status == ApprovalStatus.SUBMITTED
    approved = post(login(pj), f"/api/v1/drp/{plan_id}/approve/", {"comment": "Sesuai rapat"})
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["is_current"] and when(body["approved_at"]) == NOW
    assert body["review_due"] == "2027-03-14"  # twelve months on in the Pemda's day
    assert Decision.objects.filter(actor=pj, kind="approved", comment="Sesuai rapat").exists()


def test_only_the_pj_penyedia_approves(world, service, login):
    plan = draft_plan(world, service)
    vendor = login(world.vendor)
    post(vendor, f"/api/v1/drp/{plan.pk}/submit/")
    for person in (world.vendor, world.coordinator, world.owner_admin):
        assert post(login(person), f"/api/v1/drp/{plan.pk}/approve/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == ApprovalStatus.SUBMITTED


def test_a_rejection_needs_its_reason(world, service, pj, login):
    plan = draft_plan(world, service)
    assert post(login(world.vendor), f"/api/v1/drp/{plan.pk}/submit/").status_code == 200
    client = login(pj)
    missing = post(client, f"/api/v1/drp/{plan.pk}/reject/", {"comment": " "})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"comment": ["Tuliskan alasan penolakan agar penyusun dapat memperbaikinya."]}
    rejected = post(client, f"/api/v1/drp/{plan.pk}/reject/", {"comment": "Kontak PDN belum ada"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = post(client, f"/api/v1/drp/{plan.pk}/approve/")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]


def test_an_incomplete_draft_is_not_submitted(world, service, login):
    fields = dict(pd=world.dukcapil, title="DRP tanpa prosedur", rpo_value=1, rpo_unit="hari", rto_value=4,
                  rto_unit="jam", backup_method="x", backup_frequency="y", recovery_site="pdn",
                  disaster_conditions="z")  # fmt: skip
    plan = actions.save_plan(world.vendor, RecoveryPlan(**fields), actions.PlanScope([service]), [], [])
    response = post(login(world.vendor), f"/api/v1/drp/{plan.pk}/submit/")
    assert response.status_code == 400
    assert "Isi minimal satu kontak darurat." in response.json()["errors"]["non_field_errors"]


def test_revise_opens_the_next_version_once(world, plan, login):
    client = login(world.vendor)
    response = post(client, f"/api/v1/drp/{plan.pk}/revise/")
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 2 and body["previous"] == plan.pk and body["status"] == "draft"
    assert body["series"] == plan.series and len(body["steps"]) == 2
    again = post(client, f"/api/v1/drp/{plan.pk}/revise/")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    old = post(client, f"/api/v1/drp/{body['id']}/revise/")  # a draft is not in force
    assert old.status_code == 400 and old.json()["errors"]["non_field_errors"] == [
        "Hanya DRP yang berlaku yang dapat direvisi."
    ]


def test_patch_changes_the_title_and_keeps_scope_contacts_and_steps(world, service, login):
    app = Application.objects.get(name="SIAK DUK-01")
    plan = draft_plan(world, service)
    plan.applications.set([app])
    response = patch(login(world.vendor), f"/api/v1/drp/{plan.pk}/", {"title": "DRP KTP-el (perbaikan)"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "DRP KTP-el (perbaikan)" and body["status"] == "draft" and body["id"] == plan.pk
    assert [s["action"] for s in body["steps"]] == [s["action"] for s in STEPS]
    assert body["contacts"] == CONTACTS and body["applications"] == [{"id": app.pk, "name": "SIAK DUK-01"}]
    assert [s["id"] for s in body["services"]] == [service.pk]
    assert body["rto"] == "04:00:00" and body["backup_method"] == "pg_dump ke server cadangan"
    plan.refresh_from_db()
    assert plan.title == "DRP KTP-el (perbaikan)" and plan.steps.count() == 2


def test_put_replaces_the_procedure_and_a_rejected_drp_can_be_changed(world, service, pj, login):
    plan = draft_plan(world, service, recovery_site_detail="Rak 3 PDN")
    plan.applications.set([Application.objects.get(name="SIAK DUK-01")])
    assert post(login(world.vendor), f"/api/v1/drp/{plan.pk}/submit/").status_code == 200
    assert post(login(pj), f"/api/v1/drp/{plan.pk}/reject/", {"comment": "Langkah kurang"}).status_code == 200
    client = login(world.vendor)
    steps = [{"action": "Alihkan DNS ke PDN", "owner": "Administrator Jaringan", "expected_minutes": 15}]
    response = put(client, f"/api/v1/drp/{plan.pk}/", new_plan_payload(world, service, steps=steps, rto_value=3))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["steps"] == [{"order": 1, **steps[0]}] and body["rto"] == "03:00:00"
    assert body["title"] == "DRP KTP-el 2026" and body["status"] == "rejected"
    # PUT sends the DRP whole: what it leaves out is emptied, as on creation
    assert body["applications"] == [] and body["recovery_site_detail"] == "" and body["contacts"] == CONTACTS
    assert list(RecoveryPlan.objects.get(pk=plan.pk).steps.values_list("action", flat=True)) == ["Alihkan DNS ke PDN"]
    incomplete = put(client, f"/api/v1/drp/{plan.pk}/", {"title": "Hanya judul"})  # PUT sends the DRP whole
    assert incomplete.status_code == 400 and {"pd", "rto_value", "rpo_unit"} <= set(incomplete.json()["errors"])


def test_a_submitted_or_approved_drp_is_not_edited(world, plan, login):
    akta = kritis_service(world, code="DUK-02", name="Akta kelahiran")
    draft = draft_plan(world, akta, title="DRP baru")
    client = login(world.vendor)
    assert post(client, f"/api/v1/drp/{draft.pk}/submit/").status_code == 200
    for target in (draft, plan):
        payload = new_plan_payload(world, target.services.get())
        for response in (patch(client, f"/api/v1/drp/{target.pk}/", {"title": "Diubah"}),
                         put(client, f"/api/v1/drp/{target.pk}/", payload)):  # fmt: skip
            assert response.status_code == 400
            assert response.json()["errors"] == {
                "non_field_errors": ["DRP yang diajukan atau disetujui tidak dapat diubah; buat revisi."]
            }
    assert set(RecoveryPlan.objects.values_list("title", flat=True)) == {"DRP baru", "DRP Pencetakan KTP-el"}


def test_patch_with_an_rto_longer_than_the_services_is_refused_on_rto_value(world, service, login):
    plan = draft_plan(world, service)
    response = patch(login(world.vendor), f"/api/v1/drp/{plan.pk}/", {"rto_value": 5, "title": "Lebih longgar"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "rto_value": ["RTO DRP (5 jam) lebih lama dari target Pencetakan KTP-el (Dukcapil) (4 jam)."]
    }
    plan.refresh_from_db()
    assert plan.rto_value == 4 and plan.title == "DRP Pencetakan KTP-el"


def test_a_revision_keeps_the_pd_of_its_previous_version(world, plan, login):
    revision = actions.revise_plan(world.vendor, plan)
    response = patch(login(world.vendor), f"/api/v1/drp/{revision.pk}/", {"pd": world.dinkes.pk})
    assert response.status_code == 400
    assert response.json()["errors"]["pd"] == ["Revisi DRP tetap milik PD versi sebelumnya."]
    revision.refresh_from_db()
    assert revision.pd == world.dukcapil


def test_the_list_filters_by_state_service_pd_and_title(world, plan, pj, service, login):
    revision = actions.revise_plan(world.vendor, plan)
    approvals.submit(world.vendor, revision)
    approvals.approve(pj, revision)  # the first version is superseded, still readable
    other = draft_plan(world, kritis_service(world, code="DUK-02", name="Akta kelahiran"), title="DRP Akta")
    client = login(world.coordinator)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/drp/?{query}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids("status=current") == [revision.pk]
    assert ids("status=superseded") == [plan.pk]
    assert ids("status=draft") == [other.pk]
    assert ids("status=submitted") == []
    assert sorted(ids(f"service={service.pk}")) == sorted([plan.pk, revision.pk])
    assert ids("q=akta") == [other.pk]
    assert ids(f"pd={world.dinkes.pk}") == []
    assert len(ids(f"pd={world.dukcapil.pk}")) == 3
    bad = client.get("/api/v1/drp/?status=approved")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


# --- Activations and drills -------------------------------------------------------------------------


def test_a_drill_walks_the_seven_steps_through_the_api_and_measures_rto_and_rpo(world, plan, login):
    client = login(world.vendor)
    created = post(client, "/api/v1/pemulihan/", {**DRILL, "plan": plan.pk})
    assert created.status_code == 201
    drill = created.json()
    assert drill["kind"] == "drill" and drill["status"] == "planned" and drill["next_step"] == 1
    assert drill["rto_target"] == "04:00:00" and drill["rpo_target"] == "1 00:00:00"
    url = f"/api/v1/pemulihan/{drill['id']}/steps/"
    steps = [
        {"number": 1, "at": wib(8), "notes": "Ruang server dinyatakan tidak layak (skenario)."},
        {"number": 2, "at": wib(8, 15), "notes": "Tidak dapat dipulihkan di tempat dalam target RTO."},
        {"number": 3, "at": wib(8, 45), "notes": "Bencana simulasi ditetapkan.", "disruption_started_at": wib(8, 30)},
        {"number": 4, "at": wib(9), "notes": "Server cadangan di PDN dinyalakan."},
        {"number": 5, "at": wib(11, 30), "notes": "Layanan normal dari PDN."},
        {"number": 6, "at": wib(11, 45), "notes": "DRP memadai.", "findings": "DNS lambat", "follow_up": "TTL 5 menit"},
        {"number": 7, "at": wib(11, 50), "notes": "DRP ditetapkan tanpa perubahan."},
    ]
    for step in steps:
        response = post(client, url, step)
        assert response.status_code == 201, response.json()
        assert response.json()["next_step"] == (step["number"] + 1 if step["number"] < 7 else None)
    body = client.get(f"/api/v1/pemulihan/{drill['id']}/").json()
    assert body["status"] == "closed"
    assert body["rto_achieved"] == "03:00:00" and body["rto_met"] is True  # 08:30 → 11:30
    assert body["rpo_achieved"] == "07:25:00" and body["rpo_met"] is True  # last ping 01:05
    assert body["rpo_source"] == "heartbeat" and body["findings"] == "DNS lambat"
    assert [(s["number"], s["actor"], s["evidence"]) for s in body["steps"]] == [
        (n, "Yoga Vendor", 0) for n in range(1, 8)
    ]
    assert body["steps"][2]["label"] == "Penetapan kondisi bencana"
    assert when(body["steps"][4]["at"]) == when(wib(11, 30))
    assert when(client.get(f"/api/v1/drp/{plan.pk}/").json()["last_drill_at"]) == when(wib(11, 30))
    assert [r["id"] for r in client.get("/api/v1/pemulihan/?kind=drill&status=closed").json()["results"]] == [
        drill["id"]
    ]
    assert client.get("/api/v1/pemulihan/?kind=activation").json()["results"] == []


def test_a_step_out_of_order_is_refused_with_the_actions_message(world, plan, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    response = post(login(world.coordinator), f"/api/v1/pemulihan/{drill.pk}/steps/",
                    {"number": 2, "at": wib(8), "notes": "Analisis"})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        "Langkah harus berurutan: berikutnya langkah 1, Penilaian kondisi fisik dan kelayakan pusat data."
    ]
    assert not RecoveryStep.objects.exists()


def test_bad_step_input_names_the_field(world, plan, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    client = login(world.vendor)
    url = f"/api/v1/pemulihan/{drill.pk}/steps/"
    garbled = post(client, url, {"number": 9, "at": "kemarin"})
    assert garbled.status_code == 400 and {"number", "at"} <= set(garbled.json()["errors"])
    future = post(client, url, {"number": 1, "at": wib(15), "notes": ""})
    assert future.json()["errors"] == {"notes": ["Tuliskan catatan langkah ini."],
                                       "at": ["Waktu langkah tidak boleh di masa depan."]}  # fmt: skip
    post(client, url, {"number": 1, "at": wib(8), "notes": "Dinilai"})
    post(client, url, {"number": 2, "at": wib(8, 10), "notes": "Dianalisis"})
    no_start = post(client, url, {"number": 3, "at": wib(8, 20), "notes": "Ditetapkan"})
    assert no_start.json()["errors"] == {
        "disruption_started_at": ["Isi waktu awal gangguan: dasar penghitungan RTO dan RPO."]
    }
    assert RecoveryStep.objects.count() == 2


def test_an_activation_opens_and_can_end_as_no_disaster(world, plan, login):
    client = login(world.vendor)
    blank = post(client, "/api/v1/pemulihan/", {"plan": plan.pk, "title": " "})
    assert blank.status_code == 400 and blank.json()["errors"] == {"title": ["Tuliskan judul kejadian."]}
    created = post(client, "/api/v1/pemulihan/", {"plan": plan.pk, "title": "Listrik pusat data padam"})
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "activation" and body["status"] == "assessing" and body["pd"] == world.dukcapil.pk
    url = f"/api/v1/pemulihan/{body['id']}/steps/"
    post(client, url, {"number": 1, "at": wib(9), "notes": "Genset menyala"})
    post(client, url, {"number": 2, "at": wib(9, 10), "notes": "Server aman"})
    ended = post(client, url, {"number": 3, "at": wib(9, 20), "notes": "Listrik kembali dalam 20 menit",
                               "disaster": False})  # fmt: skip
    assert ended.status_code == 201
    assert ended.json()["status"] == "no_disaster" and ended.json()["next_step"] is None
    late = post(client, url, {"number": 4, "at": wib(9, 30), "notes": "x"})
    assert late.status_code == 400 and "sudah selesai" in late.json()["errors"]["non_field_errors"][0]


def test_recoveries_need_a_drp_in_force_and_a_drill_its_schedule(world, plan, service, login):
    client = login(world.vendor)
    draft = draft_plan(world, service, title="DRP baru")
    not_current = post(client, "/api/v1/pemulihan/", {**DRILL, "plan": draft.pk})
    assert not_current.json()["errors"] == {"plan": ["Pilih DRP yang sudah disetujui dan masih berlaku."]}
    unscheduled = post(client, "/api/v1/pemulihan/", {**DRILL, "plan": plan.pk, "scheduled_for": None})
    assert unscheduled.status_code == 400 and "scheduled_for" in unscheduled.json()["errors"]
    tegal = login(world.tegal_coordinator)  # runs recoveries, but not Yogya's: its DRP is not found
    hidden = post(tegal, "/api/v1/pemulihan/", {**DRILL, "plan": plan.pk})
    assert hidden.status_code == 400 and hidden.json()["errors"] == {"plan": ["DRP tidak ditemukan."]}
    assert not Recovery.objects.exists()


def test_a_planned_drill_is_cancelled_with_its_reason_on_the_timeline(world, plan, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    client = login(world.vendor)
    url = f"/api/v1/pemulihan/{drill.pk}/cancel/"
    response = post(client, url, {"reason": " Ruang server dipakai audit BPK "})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled" and response.json()["next_step"] is None
    drill.refresh_from_db()
    assert drill.status == RecoveryStatus.CANCELLED
    cancelled = drill.timeline.get(kind=EventKind.CANCELLED)
    assert cancelled.message == "Ruang server dipakai audit BPK" and cancelled.actor == world.vendor
    again = post(client, url, {"reason": "Sekali lagi"})  # no longer a planned drill
    assert again.status_code == 400
    assert again.json()["errors"] == {"non_field_errors": ["Hanya uji coba yang belum dimulai yang dapat dibatalkan."]}
    assert drill.timeline.filter(kind=EventKind.CANCELLED).count() == 1


def test_a_drill_is_not_cancelled_without_a_reason(world, plan, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    client = login(world.vendor)
    for data in ({}, {"reason": "  "}, {"reason": None}):
        response = post(client, f"/api/v1/pemulihan/{drill.pk}/cancel/", data)
        assert response.status_code == 400
        assert response.json()["errors"] == {"reason": ["Tuliskan alasan pembatalan."]}
    drill.refresh_from_db()
    assert drill.status == RecoveryStatus.PLANNED and not drill.timeline.filter(kind=EventKind.CANCELLED).exists()


def test_another_pds_admin_does_not_find_the_drill_to_cancel(world, plan, login):
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    response = post(login(world.other_pd_admin), f"/api/v1/pemulihan/{drill.pk}/cancel/", {"reason": "Batal"})
    assert response.status_code == 404 and response.json()["message"]
    drill.refresh_from_db()
    assert drill.status == RecoveryStatus.PLANNED


def test_the_openapi_schema_lists_the_recovery_endpoints(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/drp/"]) >= {"get", "post"}
    for verb in ("submit", "approve", "reject", "revise"):
        assert "post" in paths[f"/api/v1/drp/{{id}}/{verb}/"]
    assert set(paths["/api/v1/pemulihan/"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/pemulihan/{id}/"] and "post" in paths["/api/v1/pemulihan/{id}/steps/"]
    assert set(paths["/api/v1/drp/{id}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/drp/{id}/"]
    cancel = paths["/api/v1/pemulihan/{id}/cancel/"]["post"]
    assert cancel["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DrillCancel"
    }


def test_the_lists_do_not_grow_queries_with_their_rows(world, plan, pj, login):
    client = login(world.coordinator)
    actions.plan_drill(world.vendor, plan, title="Uji 1", scheduled_for=NOW, scenario="x", participants="y")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = (queries("/api/v1/drp/"), queries("/api/v1/pemulihan/"))
    for number in range(3):
        more = approved_plan(world, kritis_service(world, code=f"DUK-1{number}", name=f"Layanan {number}"), pj)
        drill = actions.plan_drill(world.vendor, more, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
        actions.record_step(world.vendor, drill, actions.StepInput(number=1, at=NOW, notes="Dinilai"))
    assert client.get("/api/v1/drp/").json()["count"] == 4
    assert (queries("/api/v1/drp/"), queries("/api/v1/pemulihan/")) == few


def test_step_five_without_a_heartbeat_takes_its_evidence_as_multipart(world, service, pj, packs, now, login, settings,
                                                                      tmp_path):  # fmt: skip
    """RPO entered with evidence (O-5 item 3) works through the API too; a
    forbidden evidence file is refused on ``files`` and nothing is saved."""
    settings.MEDIA_ROOT = tmp_path
    plan = approved_plan(world, service, pj)  # no backup heartbeat
    drill = actions.plan_drill(world.vendor, plan, title="Uji", scheduled_for=NOW, scenario="x", participants="y")
    client = login(world.vendor)
    url = f"/api/v1/pemulihan/{drill.pk}/steps/"
    for number, at in ((1, wib(8)), (2, wib(8, 10)), (3, wib(8, 45)), (4, wib(9))):
        extra = {"disruption_started_at": wib(8, 30)} if number == 3 else {}
        assert post(client, url, {"number": number, "at": at, "notes": "ok", **extra}).status_code == 201
    step = {"number": 5, "at": wib(11), "notes": "Normal", "last_backup_at": wib(2)}
    assert "files" in post(client, url, step).json()["errors"]  # evidence needed
    fake = SimpleUploadedFile("log.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = client.post(url, {**step, "files": [fake]})
    assert refused.status_code == 400 and "files" in refused.json()["errors"]
    assert drill.steps.count() == 4
    log = SimpleUploadedFile("restore-log.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    done = client.post(url, {**step, "files": [log]})
    assert done.status_code == 201, done.json()
    body = done.json()
    assert body["rpo_achieved"] == "06:30:00" and body["rpo_source"] == "evidence" and body["steps"][4]["evidence"] == 1
