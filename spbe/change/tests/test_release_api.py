"""REST API of releases (O-6) under /api/v1/perubahan/rilis/: the same
permissions as the pages (another PD or Pemda: 404; may see but not do:
403), the same actions and their Indonesian messages on the field, JSON
errors, never a 500; and no clash with the transition plans' URLs."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus, Decision
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.choices import ReleaseStage
from spbe.change.models import Release
from spbe.change.tests.test_plans import RISKS, plan_of
from spbe.change.tests.test_releases import DRAFTED, END, START, minutes, release_of
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.desk.models import Ticket
from spbe.monitoring.models import Check, CheckResult

URL = "/api/v1/perubahan/rilis/"
VISIBLE = ["owner_admin", "vendor", "coordinator"]
HIDDEN = ["other_pd_admin", "tegal_coordinator"]
VERBS = ["submit", "approve", "reject", "tests", "problems", "verify", "rollback", "feedback"]


def post(client, url: str, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def detail(release: Release, verb: str = "") -> str:
    return f"{URL}{release.pk}/{verb + '/' if verb else ''}"


@pytest.fixture
def service(world, packs, time_machine):
    """Pencetakan KTP-el of Disdukcapil, on SIAK DUK-01 at version 5.1; the
    clock two days before the release window."""
    time_machine.move_to(DRAFTED, tick=False)
    service = kritis_service(world)
    Application.objects.filter(name="SIAK DUK-01").update(version="5.1")
    return service


@pytest.fixture
def application(service) -> Application:
    return Application.objects.get(name="SIAK DUK-01")


@pytest.fixture
def release(world, service, application) -> Release:
    """Pembaruan SIAK 5.2, drafted by Diskominfo's infrastructure admin."""
    return actions.save_release(world.vendor, release_of(world, application), [service])


@pytest.fixture
def kabid(world):
    """The PJ Penyedia Layanan of Disdukcapil, who approves its releases."""
    return pj_penyedia(world)


@pytest.fixture
def approved(world, release, kabid) -> Release:
    approvals.submit(world.vendor, release)
    approvals.approve(kabid, release)
    release.refresh_from_db()
    return release


def check_on(world, service) -> Check:
    return Check.objects.create(pemda=world.yogya, pd=world.dukcapil, name="Portal KTP-el", kind="http",
                                service=service, target="https://ktp.jogjakota.test/")  # fmt: skip


def payload(world, service, **overrides) -> dict:
    """A release plan after the fixture's window, on the same service."""
    data = {
        "pd": world.dukcapil.pk, "title": "Sertifikat TLS", "basis": "initiative", "services": [service.pk],
        "description": "Ganti sertifikat TLS portal", "steps": "Pasang sertifikat baru",
        "rollback_plan": "Pasang sertifikat lama", "test_plan": "Buka portal dengan tiga peramban",
        "window_start": (END + minutes(60)).isoformat(), "window_end": (END + minutes(90)).isoformat(),
        "announcement": "Portal KTP-el berhenti 30 menit.",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- Who sees -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VISIBLE)
def test_the_pd_diskominfo_and_the_coordinator_get_the_release_in_full(world, release, service, application, login,
                                                                        name):  # fmt: skip
    check = check_on(world, service)
    client = login(getattr(world, name))
    listing = client.get(URL).json()
    assert listing["count"] == 1 and [row["id"] for row in listing["results"]] == [release.pk]
    body = client.get(detail(release)).json()
    assert (body["title"], body["version"], body["previous_version"]) == ("Pembaruan SIAK", "5.2", "")
    assert (body["status"], body["stage"], body["basis"]) == ("draft", "planned", "built")
    assert body["pd_name"] == "Disdukcapil Yogya" and body["drafted_by"] == "Yoga Vendor"
    assert body["services"] == [{"id": service.pk, "code": "DUK-01", "name": "Pencetakan KTP-el"}]
    assert body["application"] == {"id": application.pk, "name": "SIAK DUK-01"}
    assert body["watched_checks"] == [{"id": check.pk, "name": "Portal KTP-el", "status": "pending"}]
    assert (body["verified_at"], body["verification_note"], body["problems"]) == (None, "", [])
    assert [(e["kind"], e["actor"], e["message"]) for e in body["timeline"]] == [
        ("created", "Yoga Vendor", "Rencana rilis disusun.")
    ]
    assert datetime.fromisoformat(body["window_start"]) == START


@pytest.mark.parametrize("name", HIDDEN)
def test_another_pd_or_pemda_finds_nothing(world, release, login, name):
    client = login(getattr(world, name))
    assert client.get(URL).json()["results"] == []
    response = client.get(detail(release))
    assert response.status_code == 404 and response.json()["message"]
    for verb in VERBS:
        assert post(client, detail(release, verb), {"comment": "x", "results": "x"}).status_code == 404, verb
    assert client.patch(detail(release), {"title": "Diubah"}, content_type="application/json").status_code == 404
    release.refresh_from_db()
    assert release.title == "Pembaruan SIAK" and release.status == ApprovalStatus.DRAFT


def test_anonymous_and_citizens_are_refused(world, release, client, login):
    for url in (URL, detail(release)):
        assert client.get(url).status_code == 403
    citizen = login(world.citizen)
    response = citizen.get(URL)
    assert response.status_code == 403 and "petugas" in response.json()["message"]
    assert post(citizen, URL, {"title": "x"}).status_code == 403
    assert post(citizen, detail(release, "submit")).status_code == 403


def test_releases_and_transition_plans_keep_their_own_urls(world, release, service, login):
    """``perubahan/rilis/`` is not taken for the plan with pk "rilis", nor the other way round."""
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    assert reverse("api:change-release-list") == URL
    assert reverse("api:change-release-verify", args=[release.pk]) == f"{URL}{release.pk}/verify/"
    client = login(world.coordinator)
    releases = client.get(URL).json()["results"]
    assert [(row["id"], row["stage"]) for row in releases] == [(release.pk, "planned")]
    plans = client.get("/api/v1/perubahan/").json()["results"]
    assert [(row["id"], row["title"]) for row in plans] == [(plan.pk, "Akta kelahiran daring")]
    assert client.get(f"/api/v1/perubahan/{plan.pk}/").json()["kind"] == "addition"
    assert client.get(f"{URL}abc/").status_code == 404


def test_the_list_filters_by_pd_stage_status_and_text(world, release, approved, service, login):
    later = release_of(world, None, title="Sertifikat TLS", version="", window_start=END, window_end=END + minutes(30))
    tls = actions.save_release(world.vendor, later, [service])
    client = login(world.coordinator)

    def ids(**query) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [tls.pk, release.pk]  # the latest window first
    assert ids(status="approved") == [release.pk] and ids(status="draft") == [tls.pk]
    assert ids(stage="planned") == [tls.pk, release.pk] and ids(stage="manual") == []
    assert ids(q="tls") == [tls.pk] and ids(q="SIAK DUK") == [release.pk] and len(ids(q="dukcapil")) == 2
    assert ids(pd=world.dinkes.pk) == [] and len(ids(pd=world.dukcapil.pk)) == 2 and ids(pd=2**63 - 1) == []
    bad = client.get(URL, {"stage": "selesai", "status": "x", "pd": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"stage", "status", "pd"}
    huge = client.get(URL, {"pd": 2**63})
    assert huge.status_code == 400 and list(huge.json()["errors"]) == ["pd"]


def test_the_list_does_not_grow_queries_with_its_rows(world, release, service, login):
    client = login(world.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for hours in range(3):
        start = END + minutes(60 * (hours + 1))
        actions.save_release(world.vendor, release_of(world, None, version="", window_start=start,
                                                      window_end=start + minutes(30)), [service])  # fmt: skip
    assert client.get(URL).json()["count"] == 4
    assert queries() == few


# --- Drafting -----------------------------------------------------------------------------------


def test_diskominfos_infrastructure_admin_drafts_a_release(world, service, login):
    response = post(login(world.vendor), URL, payload(world, service))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["stage"], body["drafted_by"]) == ("draft", "planned", "Yoga Vendor")
    assert body["application"] is None and body["verification_minutes"] == 30
    assert [s["id"] for s in body["services"]] == [service.pk]
    release = Release.objects.get(pk=body["id"])
    assert release.drafted_by == world.vendor and release.window_start == END + minutes(60)


def test_whoever_drafts_no_release_may_not_create(world, service, login):
    """The page: release plans are drafted by infrastructure staff, not the PD's service admin."""
    response = post(login(world.owner_admin), URL, payload(world, service))
    assert response.status_code == 403 and response.json()["message"]
    other_pemda = post(login(world.tegal_coordinator), URL, payload(world, service))
    assert other_pemda.status_code == 400 and "pd" in other_pemda.json()["errors"]
    assert not Release.objects.exists()


def test_a_window_overlapping_another_release_is_refused_on_window_start(world, release, service, login):
    response = post(login(world.vendor), URL, payload(world, service, window_start=(END - minutes(30)).isoformat(),
                                                      window_end=(END + minutes(30)).isoformat()))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "window_start": ["Jendela rilis bertumpang tindih dengan rilis Pembaruan SIAK 5.2 (09-01-2027 20:00 WIB)."]
    }
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("other_pd_service", "services", "Rilis hanya untuk layanan PD ini."),
        ("no_services", "services", "Pilih layanan yang dirilis"),
        ("no_version", "version", "Isi versi baru aplikasi."),
        ("no_change_plan", "change_plan", "rencana perubahan PD ini yang sudah ditetapkan"),
        ("window_backwards", "non_field_errors", "Jendela rilis harus selesai setelah mulai."),
    ],
)
def test_the_actions_refusals_name_their_field(world, service, application, login, case, field, message):
    other = kritis_service(world, pd=world.dinkes, code="DKS-01", name="Puskesmas daring")
    overrides = {
        "other_pd_service": {"services": [other.pk]},
        "no_services": {"services": []},
        "no_version": {"application": application.pk},
        "no_change_plan": {"basis": "change"},
        "window_backwards": {"window_end": (END + minutes(30)).isoformat()},
    }[case]
    response = post(login(world.vendor), URL, payload(world, service, **overrides))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert not Release.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"basis": "pindah", "pd": "x", "window_start": "besok"},
        {"verification_minutes": 2**63, "title": "x" * 300, "services": [2**63]},
        {"verification_minutes": 1, "application": "SIAK"},
        {"services": "1", "change_plan": [1]},
    ],
    ids=["bad-types", "huge", "out-of-range", "not-lists"],
)
def test_malformed_input_is_a_400_naming_the_fields(world, service, login, body):
    client = login(world.vendor)
    response = post(client, URL, payload(world, service, **body))
    assert response.status_code == 400
    assert set(body) <= set(response.json()["errors"]) and response.json()["message"]
    assert post(client, URL, ["bukan", "objek"]).status_code == 400
    assert not Release.objects.exists()


def test_patch_changes_a_draft_and_put_replaces_it_whole(world, release, service, login):
    client = login(world.vendor)
    patched = client.patch(detail(release), {"title": "Pembaruan SIAK (cetak)"}, content_type="application/json")
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert (body["title"], body["version"]) == ("Pembaruan SIAK (cetak)", "5.2")
    assert [s["id"] for s in body["services"]] == [service.pk] and body["application"]["name"] == "SIAK DUK-01"
    put = client.put(detail(release), payload(world, service), content_type="application/json")
    assert put.status_code == 200, put.json()
    assert (put.json()["title"], put.json()["application"], put.json()["version"]) == ("Sertifikat TLS", None, "")
    partial = client.put(detail(release), {"title": "Hanya judul"}, content_type="application/json")
    assert partial.status_code == 400 and {"description", "window_start"} <= set(partial.json()["errors"])
    refused = login(world.owner_admin).patch(detail(release), {"title": "x"}, content_type="application/json")
    assert refused.status_code == 403  # sees the release, does not draft it
    release.refresh_from_db()
    assert release.title == "Sertifikat TLS"


# --- Submission and decision --------------------------------------------------------------------


def test_submit_then_the_pj_penyedia_approves_and_the_window_becomes_maintenance(world, release, kabid, login):
    drafter = login(world.vendor)
    submitted = post(drafter, detail(release, "submit"))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert post(drafter, detail(release, "submit")).status_code == 400  # not twice
    own = post(drafter, detail(release, "approve"))
    assert own.status_code == 403 and "tidak berhak" in own.json()["message"]
    for person in (world.owner_head, world.coordinator):  # the Pimpinan PD sets plans, not releases
        assert post(login(person), detail(release, "approve")).status_code == 403
    assert Release.objects.get(pk=release.pk).status == ApprovalStatus.SUBMITTED
    approved = post(login(kabid), detail(release, "approve"), {"comment": "Jadwal di luar jam layanan"})
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved" and body["stage"] == "planned" and body["maintenance_window"]
    assert [e["kind"] for e in body["timeline"]] == ["created", "scheduled"]
    assert Decision.objects.filter(actor=kabid, kind="approved", comment="Jadwal di luar jam layanan").exists()
    changed = login(world.vendor).patch(detail(release), {"title": "x"}, content_type="application/json")
    assert changed.status_code == 400
    assert changed.json()["errors"] == {
        "non_field_errors": ["Rencana rilis yang diajukan atau disetujui tidak dapat diubah."]
    }


def test_a_rejection_needs_its_reason_and_the_plan_can_then_be_fixed(world, release, kabid, login):
    approvals.submit(world.vendor, release)
    client = login(kabid)
    missing = post(client, detail(release, "reject"), {"comment": " "})
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"comment": ["Tuliskan alasan penolakan agar penyusun dapat memperbaikinya."]}
    rejected = post(client, detail(release, "reject"), {"comment": "Jendela bentrok dengan pelayanan Sabtu"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = post(client, detail(release, "approve"))
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]
    fixed = login(world.vendor).patch(detail(release), {"window_start": (START - minutes(60)).isoformat()},
                                      content_type="application/json")  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["status"] == "rejected"


def test_a_release_whose_window_has_passed_is_not_submitted(world, release, login, time_machine):
    time_machine.move_to(END + minutes(1), tick=False)
    response = post(login(world.vendor), detail(release, "submit"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Jendela rilis sudah lewat: ubah jadwalnya sebelum diajukan."]
    }


def test_a_release_submitted_in_time_is_not_approved_after_its_window(world, release, kabid, login, time_machine):
    """The rule is the record's, not the reason field's: it comes back as ``non_field_errors``."""
    assert post(login(world.vendor), detail(release, "submit")).status_code == 200
    time_machine.move_to(END + minutes(1), tick=False)
    response = post(login(kabid), detail(release, "approve"), {"comment": "Silakan"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": ["Jendela rilis sudah lewat: ubah jadwalnya sebelum diajukan."]
    }
    release.refresh_from_db()
    assert release.status == "submitted"


# --- After the window ---------------------------------------------------------------------------


def test_without_checks_the_release_is_verified_by_hand(world, approved, application, login, time_machine):
    """O-6: nothing watches the service, so after the window the release
    waits in ``manual`` and an operator verifies it with a note."""
    client = login(world.vendor)
    early = post(client, detail(approved, "verify"), {"passed": True, "note": "Terlalu dini"})
    assert early.status_code == 400
    assert early.json()["errors"] == {
        "non_field_errors": ["Verifikasi manual hanya untuk rilis tanpa pemeriksaan pemantauan."]
    }
    now = END + minutes(1)
    time_machine.move_to(now, tick=False)
    actions.verify_due_releases(now)
    client = login(world.vendor)  # signed in again: a session lasts a working day
    body = client.get(detail(approved)).json()
    assert body["stage"] == ReleaseStage.MANUAL and body["watched_checks"] == []
    assert "verifikasi manual" in body["timeline"][-1]["message"]
    blank = post(client, detail(approved, "verify"), {"passed": True, "note": " "})
    assert blank.status_code == 400 and blank.json()["errors"] == {"note": ["Tuliskan hasil verifikasi."]}
    undecided = post(client, detail(approved, "verify"), {"passed": "mungkin", "note": "x"})
    assert undecided.status_code == 400 and list(undecided.json()["errors"]) == ["passed"]
    assert post(login(world.owner_admin), detail(approved, "verify"), {"passed": True, "note": "x"}).status_code == 403
    time_machine.move_to(now + minutes(20), tick=False)
    verified = post(login(world.vendor), detail(approved, "verify"),
                    {"passed": True, "note": "Uji cetak 5 KTP-el berhasil"})  # fmt: skip
    assert verified.status_code == 200, verified.json()
    body = verified.json()
    assert (body["stage"], body["verification_note"]) == ("succeeded", "Uji cetak 5 KTP-el berhasil")
    assert datetime.fromisoformat(body["verified_at"]) == now + minutes(20)
    assert (body["version"], body["previous_version"]) == ("5.2", "5.1")
    application.refresh_from_db()
    assert application.version == "5.2"


def test_a_failed_release_is_rolled_back_and_the_pj_penyedia_gives_feedback(world, approved, service, kabid, login,
                                                                            time_machine):  # fmt: skip
    check = check_on(world, service)
    actions.verify_due_releases(END + minutes(1))
    CheckResult.objects.create(check_ref=check, at=END + minutes(5), ok=False, error="HTTP 502")
    time_machine.move_to(END + minutes(6), tick=False)
    actions.verify_due_releases(END + minutes(6))
    client = login(world.vendor)  # the clock moved past the session's working day
    assert client.get(detail(approved)).json()["stage"] == "failed"
    blank = post(client, detail(approved, "rollback"), {"notes": ""})
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"notes": ["Tuliskan apa yang dikembalikan dan hasilnya."]}
    assert post(client, detail(approved, "rollback"), {}).json()["errors"] == blank.json()["errors"]
    assert post(login(world.owner_admin), detail(approved, "rollback"), {"notes": "x"}).status_code == 403
    time_machine.move_to(END + minutes(20), tick=False)
    rolled = post(login(world.vendor), detail(approved, "rollback"), {"notes": "SIAK 5.1 dipulihkan dari snapshot"})
    assert rolled.status_code == 200, rolled.json()
    body = rolled.json()
    assert body["stage"] == "rolled_back" and body["rollback_notes"] == "SIAK 5.1 dipulihkan dari snapshot"
    assert datetime.fromisoformat(body["rolled_back_at"]) == END + minutes(20)
    again = post(client, detail(approved, "rollback"), {"notes": "Sekali lagi"})
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"]

    for person in (world.vendor, world.owner_head, world.owner_admin):  # the provider's feedback is the PJ Penyedia's
        refused = post(login(person), detail(approved, "feedback"), {"feedback": "Bagus"})
        assert refused.status_code == 403 and "PJ Penyedia" in refused.json()["message"]
    pj = login(kabid)
    assert post(pj, detail(approved, "feedback"), {"feedback": " "}).json()["errors"] == {
        "feedback": ["Tuliskan umpan balik."]
    }
    given = post(pj, detail(approved, "feedback"), {"feedback": "Jadwalkan ulang minggu depan"})
    assert given.status_code == 200 and given.json()["feedback"] == "Jadwalkan ulang minggu depan"
    assert given.json()["timeline"][-1] | {"at": None} == {
        "at": None, "kind": "feedback", "actor": "Hendra Kabid", "message": "Jadwalkan ulang minggu depan"
    }  # fmt: skip


def test_feedback_waits_for_the_result(world, approved, kabid, login):
    early = post(login(kabid), detail(approved, "feedback"), {"feedback": "Terlalu dini"})
    assert early.status_code == 400
    assert early.json()["errors"] == {"non_field_errors": ["Umpan balik diberikan setelah hasil rilis diketahui."]}


def test_operators_record_tests_and_problems_that_may_open_a_complaint(world, approved, service, login, time_machine):
    time_machine.move_to(START + minutes(30), tick=False)
    client = login(world.vendor)
    missing = post(client, detail(approved, "tests"), {})
    assert missing.status_code == 400 and missing.json()["errors"] == {"results": ["Tuliskan hasil pengujian."]}
    assert post(client, detail(approved, "tests"), {"results": " "}).json()["errors"] == missing.json()["errors"]
    tested = post(client, detail(approved, "tests"), {"results": "5 KTP-el tercetak"})
    assert tested.status_code == 200 and tested.json()["test_results"] == "5 KTP-el tercetak"
    assert post(login(world.owner_admin), detail(approved, "tests"), {"results": "x"}).status_code == 403

    client = login(world.vendor)
    blank = post(client, detail(approved, "problems"), {"description": "", "open_complaint": True})
    assert blank.status_code == 400 and blank.json()["errors"] == {"description": ["Tuliskan masalahnya."]}
    assert not Ticket.objects.exists()
    quiet = post(client, detail(approved, "problems"), {"description": "Migrasi lebih lambat"})
    assert quiet.status_code == 201 and quiet.json()["problems"][-1]["ticket"] is None
    loud = post(client, detail(approved, "problems"), {"description": "Printer loket tidak terbaca",
                                                       "open_complaint": True})  # fmt: skip
    assert loud.status_code == 201, loud.json()
    ticket = Ticket.objects.get()
    assert ticket.service == service and ticket.kind == "complaint"
    problem = loud.json()["problems"][-1]
    assert (problem["description"], problem["ticket"], problem["ticket_number"], problem["recorded_by"]) == (
        "Printer loket tidak terbaca", ticket.pk, ticket.number, "Yoga Vendor")  # fmt: skip
    assert [e["kind"] for e in loud.json()["timeline"]][-3:] == ["tested", "problem", "problem"]
    assert post(login(world.owner_admin), detail(approved, "problems"), {"description": "x"}).status_code == 403


def test_malformed_step_input_is_a_400_not_a_500(world, approved, kabid, login):
    client = login(world.vendor)
    for verb in VERBS:
        response = post(client, detail(approved, verb), ["bukan", "objek"])
        assert response.status_code == 400, (verb, response.status_code)
        assert response.json()["message"]
    response = post(client, detail(approved, "problems"), {"description": "x", "open_complaint": "kadang"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["open_complaint"]


def test_the_openapi_schema_lists_the_release_endpoints(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[f"{URL}{{id}}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths[f"{URL}{{id}}/"]
    for verb in VERBS:
        assert "post" in paths[f"{URL}{{id}}/{verb}/"], verb
    assert set(paths["/api/v1/perubahan/{id}/"]) >= {"get", "put", "patch"}  # the plans keep theirs
    schemas = response.json()["components"]["schemas"]
    fields = set(schemas["ReleaseDetail"]["properties"])
    assert {"watched_checks", "problems", "timeline", "verification_note", "verified_at"} <= fields
