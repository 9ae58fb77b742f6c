"""Service releases (O-6 Rilis Layanan): drafted by the infrastructure and
application manager, approved by the PJ Penyedia Layanan, the window
announced as maintenance, verified by monitoring after it (or by hand when
nothing watches the service), then tests, problems, rollback and the
provider's feedback. Bad plans are refused on their field with nothing saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.choices import ReleaseEventKind, ReleaseStage
from spbe.change.models import ChangePlan, Release, ReleaseEvent, ReleaseProblem
from spbe.cmdb.models import Application
from spbe.conftest import give, make_person
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.desk.choices import TicketKind
from spbe.desk.models import Ticket
from spbe.monitoring import outages
from spbe.monitoring.choices import ServiceState
from spbe.monitoring.models import Check, CheckResult, MaintenanceWindow
from spbe.notify.models import OutboxMessage
from spbe.org.choices import Role

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2027, 1, 9, 20, 0, tzinfo=WIB)  # Saturday evening, outside office hours
END = START + timedelta(hours=2)
DRAFTED = START - timedelta(days=2)
RISKS = [{"description": "Data lama gagal dipindahkan", "likelihood": 2, "impact": 4, "mitigation": "Uji migrasi"}]


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def now(time_machine):
    """Two days before the window: the release is drafted and approved."""
    time_machine.move_to(DRAFTED, tick=False)
    return DRAFTED


@pytest.fixture
def service(world, packs, now):
    """Pencetakan KTP-el, on the application SIAK DUK-01 at version 5.1."""
    service = kritis_service(world)
    Application.objects.filter(name="SIAK DUK-01").update(version="5.1")
    return service


@pytest.fixture
def application(service):
    return Application.objects.get(name="SIAK DUK-01")


@pytest.fixture
def kabid(world):
    """The PJ Penyedia Layanan of Disdukcapil Yogya, who approves its releases."""
    return pj_penyedia(world)


@pytest.fixture
def check(world, service):
    """The HTTP check on the service's portal."""
    return Check.objects.create(pemda=world.yogya, pd=world.dukcapil, name="Portal KTP-el", kind="http",
                                service=service, target="https://ktp.jogjakota.test/")  # fmt: skip


def release_of(world, application, **overrides) -> Release:
    fields = dict(
        pd=world.dukcapil, title="Pembaruan SIAK", basis="built", application=application, version="5.2",
        description="Modul cetak KTP-el baru", steps="1. Snapshot VM\n2. Pasang 5.2\n3. Migrasi basis data",
        rollback_plan="Pulihkan snapshot VM", test_plan="Cetak 5 KTP-el uji", window_start=START, window_end=END,
        verification_minutes=30, announcement="Layanan KTP-el berhenti Sabtu 20.00–22.00 WIB untuk pembaruan SIAK.",
    )  # fmt: skip
    fields.update(overrides)
    return Release(**fields)


def drafted(world, service, application, **overrides) -> Release:
    return actions.save_release(world.vendor, release_of(world, application, **overrides), [service])


def approved(world, service, application, kabid, **overrides) -> Release:
    release = drafted(world, service, application, **overrides)
    approvals.submit(world.vendor, release)
    approvals.approve(kabid, release)
    release.refresh_from_db()
    return release


def verify(time_machine, when: datetime) -> list[Release]:
    """The periodic job, run at ``when`` with the clock there."""
    time_machine.move_to(when, tick=False)
    return actions.verify_due_releases(when)


def result(check: Check, when: datetime, ok: bool = True, error: str = "") -> CheckResult:
    return CheckResult.objects.create(check_ref=check, at=when, ok=ok, latency_ms=180, error=error)


def stage_of(release: Release) -> str:
    release.refresh_from_db()
    return release.stage


def events(release: Release, kind: ReleaseEventKind | None = None) -> list[str]:
    rows = ReleaseEvent.objects.filter(release=release)
    return list((rows.filter(kind=kind) if kind else rows).values_list("message", flat=True))


# --- The release plan -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("other_pd_service", "services", "Rilis hanya untuk layanan PD ini"),
        ("no_services", "services", "Pilih layanan yang dirilis"),
        ("window_backwards", "__all__", "Jendela rilis harus selesai setelah mulai"),
        ("no_version", "version", "Isi versi baru aplikasi"),
    ],
)
def test_bad_release_plans_are_refused_on_their_field_and_nothing_is_saved(world, service, application, case,
                                                                           field, message):  # fmt: skip
    """O-6: the plan names the services of its PD, a window that makes
    sense and the version an application release brings."""
    other = kritis_service(world, pd=world.dinkes, code="DINKES-01", name="Puskesmas daring")
    overrides = {"window_backwards": {"window_end": START - minutes(1)}, "no_version": {"version": " "}}
    services = {"other_pd_service": [other], "no_services": []}.get(case, [service])
    with pytest.raises(ValidationError) as error:
        actions.save_release(world.vendor, release_of(world, application, **overrides.get(case, {})), services)
    assert message in " ".join(error.value.message_dict[field])
    assert Release.objects.count() == 0 and ReleaseEvent.objects.count() == 0


@pytest.mark.parametrize("plan", ["none", "draft", "other_pd"])
def test_a_release_for_a_change_request_needs_the_pds_approved_transition_plan(world, service, application, plan):
    """O-6: a release because a change request was met names the transition
    plan (P-9) the Pimpinan PD of its own PD set."""
    change = None
    if plan != "none":
        pd = world.dinkes if plan == "other_pd" else world.dukcapil
        change = actions.save_plan(world.owner_admin if plan == "draft" else world.other_pd_admin, ChangePlan(
            pd=pd, title="Cetak KTP-el mandiri", kind="addition", origin="provider_need", reason="Antrean",
            technology_review="x", process_review="x", policy_review="x", business_impact="x",
            satisfaction_impact="x", quality_control="x", success_measure="x", planned_start=START,
            planned_end=END, user_notice="x",
        ), ChangeScope(), RISKS)  # fmt: skip
        if plan == "other_pd":
            head = make_person("kadinkes@yogya.test", world.yogya, nip="197501012000031001")
            give(head, Role.PIMPINAN_PD, world.dinkes)
            approvals.submit(world.other_pd_admin, change)
            approvals.approve(head, change)
    with pytest.raises(ValidationError) as error:
        drafted(world, service, application, basis="change", change_plan=change)
    assert "rencana perubahan PD ini yang sudah ditetapkan" in " ".join(error.value.message_dict["change_plan"])
    assert Release.objects.count() == 0


def test_a_release_for_a_change_request_with_its_approved_plan_is_saved(world, service, application):
    change = actions.save_plan(world.owner_admin, ChangePlan(
        pd=world.dukcapil, title="Cetak KTP-el mandiri", kind="modification", origin="provider_need",
        reason="Antrean", technology_review="x", process_review="x", policy_review="x", business_impact="x",
        satisfaction_impact="x", quality_control="x", success_measure="x", planned_start=START, planned_end=END,
        user_notice="x",
    ), ChangeScope([service]), RISKS)  # fmt: skip
    approvals.submit(world.owner_admin, change)
    approvals.approve(world.owner_head, change)
    release = drafted(world, service, application, basis="change", change_plan=change)
    assert release.drafted_by == world.vendor and release.stage == ReleaseStage.PLANNED
    assert events(release, ReleaseEventKind.CREATED) == ["Rencana rilis disusun."]


def test_a_window_overlapping_another_release_on_the_service_is_refused(world, service, application):
    """O-6: two releases on one service at once would silence each other's checks."""
    drafted(world, service, application)
    with pytest.raises(ValidationError) as error:
        drafted(world, service, None, title="Sertifikat TLS", version="",
                window_start=END - minutes(30), window_end=END + minutes(30))  # fmt: skip
    message = " ".join(error.value.message_dict["window_start"])
    assert "rilis Pembaruan SIAK 5.2 (09-01-2027 20:00 WIB)" in message
    assert Release.objects.count() == 1
    # right after the other window is not an overlap
    drafted(world, service, None, title="Sertifikat TLS", version="", window_start=END,
            window_end=END + minutes(30))  # fmt: skip
    assert Release.objects.count() == 2


def test_a_window_overlapping_a_maintenance_window_on_the_service_is_refused(world, service, application):
    """O-6 with O-4: the release window may not overlap planned maintenance of the service."""
    window = MaintenanceWindow.objects.create(pemda=world.yogya, title="Penggantian UPS", starts_at=START - minutes(60),
                                              ends_at=START + minutes(30))  # fmt: skip
    window.services.add(service)
    with pytest.raises(ValidationError) as error:
        drafted(world, service, application)
    assert "pemeliharaan Penggantian UPS (09-01-2027 19:00 WIB)" in " ".join(error.value.message_dict["window_start"])
    assert Release.objects.count() == 0 and MaintenanceWindow.objects.count() == 1


def test_a_draft_moved_onto_a_maintenance_window_is_refused(world, service, application):
    release = drafted(world, service, application)
    window = MaintenanceWindow.objects.create(pemda=world.yogya, title="Penggantian UPS", starts_at=END + minutes(60),
                                              ends_at=END + minutes(120))  # fmt: skip
    window.services.add(service)
    release.window_start, release.window_end = END + minutes(90), END + minutes(150)
    with pytest.raises(ValidationError) as error:
        actions.save_release(world.vendor, release, [service])
    assert "pemeliharaan Penggantian UPS" in " ".join(error.value.message_dict["window_start"])
    assert Release.objects.get().window_start == START


# --- Approval ---------------------------------------------------------------------------------


def test_the_pj_penyedia_approves_and_the_window_becomes_maintenance(world, service, application, kabid):
    """O-6: the PJ Penyedia Layanan approves the plan, not its drafter; the
    window is announced as maintenance and the service's checks are silenced."""
    release = drafted(world, service, application)
    approvals.submit(world.vendor, release)
    for person in (world.vendor, world.owner_admin, world.other_pd_admin):
        with pytest.raises(PermissionDenied):
            approvals.approve(person, release)
    approvals.approve(kabid, release)
    release.refresh_from_db()
    assert release.status == "approved" and release.stage == ReleaseStage.PLANNED
    window = release.maintenance_window
    assert (window.starts_at, window.ends_at, window.pemda) == (START, END, world.yogya)
    assert list(window.services.all()) == [service]
    assert (window.title, window.description) == ("Pembaruan layanan", release.announcement)
    assert outages.service_state(service, START - minutes(1))[0] != ServiceState.MAINTENANCE
    assert outages.service_state(service, START + minutes(30)) == (ServiceState.MAINTENANCE, "")
    assert outages.service_state(service, END)[0] != ServiceState.MAINTENANCE
    assert [e.kind for e in release.timeline.all()] == [ReleaseEventKind.CREATED, ReleaseEventKind.SCHEDULED]


def test_the_drafter_does_not_approve_even_holding_the_approver_role(world, service, application, kabid):
    give(kabid, Role.PJ_INFRA, world.dukcapil)
    release = actions.save_release(kabid, release_of(world, application), [service])
    approvals.submit(kabid, release)
    with pytest.raises(PermissionDenied):
        approvals.approve(kabid, release)
    assert Release.objects.get().status == "submitted" and not MaintenanceWindow.objects.exists()


# --- Verification by monitoring ---------------------------------------------------------------


def test_green_for_the_whole_period_succeeds_and_sets_the_version_in_the_cmdb(world, service, application, kabid,
                                                                             check, time_machine):  # fmt: skip
    """O-6: after the window the service's checks are watched; green for the
    whole verification period passes the release, the CMDB gets its version
    and the provider is told."""
    release = approved(world, service, application, kabid)
    result(check, START + minutes(10), ok=False, error="HTTP 503")  # during the window: silenced, not counted
    assert verify(time_machine, END - minutes(1)) == [] and stage_of(release) == ReleaseStage.PLANNED
    assert verify(time_machine, END + minutes(1)) == [] and stage_of(release) == ReleaseStage.VERIFYING
    assert events(release, ReleaseEventKind.VERIFIED) == [
        "Jendela rilis selesai; 1 pemeriksaan diawasi selama 30 menit."
    ]
    for minute in (1, 10, 20, 30):
        result(check, END + minutes(minute))
    assert verify(time_machine, END + minutes(29)) == [] and stage_of(release) == ReleaseStage.VERIFYING
    assert verify(time_machine, END + minutes(31)) == [release]
    release.refresh_from_db()
    application.refresh_from_db()
    assert release.stage == ReleaseStage.SUCCEEDED and release.verified_at == END + minutes(31)
    assert (application.version, release.previous_version) == ("5.2", "5.1")
    message = OutboxMessage.objects.get()
    assert message.to == [kabid.email] and "Berhasil" in message.subject
    count = ReleaseEvent.objects.count()
    assert verify(time_machine, END + minutes(40)) == []
    assert stage_of(release) == ReleaseStage.SUCCEEDED
    assert ReleaseEvent.objects.count() == count and OutboxMessage.objects.count() == 1


def test_a_failed_check_after_the_window_fails_at_once_and_the_rollback_is_recorded_once(world, service, application,
                                                                                        kabid, check,
                                                                                        time_machine):  # fmt: skip
    """O-6: a failure after the window fails the release before the period
    ends, the CMDB keeps the old version; the rollback is recorded with notes."""
    release = approved(world, service, application, kabid)
    verify(time_machine, END + minutes(1))
    result(check, END + minutes(2))
    result(check, END + minutes(5), ok=False, error="HTTP 502")
    assert verify(time_machine, END + minutes(6)) == [release]
    release.refresh_from_db()
    application.refresh_from_db()
    assert release.stage == ReleaseStage.FAILED
    assert "Portal KTP-el gagal pada 09-01-2027 22:05 WIB: HTTP 502" in release.verification_note
    assert (application.version, release.previous_version) == ("5.1", "")
    assert "Gagal" in OutboxMessage.objects.get(to=[kabid.email]).subject

    with pytest.raises(ValidationError) as error:
        actions.record_rollback(world.vendor, release, "  ")
    assert "notes" in error.value.message_dict
    stale = Release.objects.get(pk=release.pk)
    time_machine.move_to(END + minutes(20), tick=False)
    actions.record_rollback(world.vendor, release, "SIAK 5.1 dipulihkan dari snapshot VM")
    release.refresh_from_db()
    assert release.stage == ReleaseStage.ROLLED_BACK and release.rolled_back_at == END + minutes(20)
    assert release.rollback_notes == "SIAK 5.1 dipulihkan dari snapshot VM"
    for copy in (release, stale):  # the reloaded release and one loaded before the rollback
        with pytest.raises(ValidationError):
            actions.record_rollback(world.vendor, copy, "Sekali lagi")
    assert events(release, ReleaseEventKind.ROLLBACK) == ["SIAK 5.1 dipulihkan dari snapshot VM"]
    application.refresh_from_db()
    assert application.version == "5.1"


def test_a_check_without_results_after_the_window_fails_the_release(world, service, application, kabid, check,
                                                                     time_machine):  # fmt: skip
    """O-6: a check that says nothing has not verified anything."""
    release = approved(world, service, application, kabid)
    verify(time_machine, END + minutes(1))
    assert verify(time_machine, END + minutes(29)) == [] and stage_of(release) == ReleaseStage.VERIFYING
    assert verify(time_machine, END + minutes(30)) == [release]
    release.refresh_from_db()
    assert release.stage == ReleaseStage.FAILED
    assert "Tidak ada hasil pemeriksaan setelah rilis: Portal KTP-el" in release.verification_note
    application.refresh_from_db()
    assert application.version == "5.1"


def test_without_checks_the_release_waits_for_a_manual_verification(world, service, application, kabid,
                                                                    time_machine):  # fmt: skip
    """O-6: with no check on its services the release is verified by hand, with a note."""
    release = approved(world, service, application, kabid)
    assert verify(time_machine, END + minutes(1)) == [] and stage_of(release) == ReleaseStage.MANUAL
    assert "verifikasi manual" in events(release, ReleaseEventKind.VERIFIED)[0]
    assert verify(time_machine, END + minutes(60)) == [] and stage_of(release) == ReleaseStage.MANUAL
    with pytest.raises(ValidationError) as error:
        actions.verify_by_hand(world.vendor, release, True, " ")
    assert "note" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.verify_by_hand(world.other_pd_admin, release, True, "Uji cetak berhasil")
    actions.verify_by_hand(world.vendor, release, True, "Uji cetak 5 KTP-el berhasil")
    release.refresh_from_db()
    application.refresh_from_db()
    assert release.stage == ReleaseStage.SUCCEEDED and release.verification_note == "Uji cetak 5 KTP-el berhasil"
    assert (application.version, release.previous_version) == ("5.2", "5.1")
    with pytest.raises(ValidationError):
        actions.verify_by_hand(world.vendor, release, False, "Ternyata gagal")
    assert stage_of(release) == ReleaseStage.SUCCEEDED


def test_a_manual_verification_may_fail_the_release(world, service, application, kabid, time_machine):
    release = approved(world, service, application, kabid)
    verify(time_machine, END + minutes(1))
    assert stage_of(release) == ReleaseStage.MANUAL
    actions.verify_by_hand(world.vendor, release, False, "Cetak KTP-el macet")
    assert stage_of(release) == ReleaseStage.FAILED
    application.refresh_from_db()
    assert application.version == "5.1"


# --- Tests, problems and feedback -------------------------------------------------------------


def test_test_results_are_recorded_by_the_operators(world, service, application, kabid):
    release = approved(world, service, application, kabid)
    with pytest.raises(ValidationError):
        actions.record_tests(world.vendor, release, " ")
    with pytest.raises(PermissionDenied):
        actions.record_tests(world.other_pd_admin, release, "5 KTP-el tercetak")
    actions.record_tests(world.vendor, release, "5 KTP-el tercetak")
    assert Release.objects.get().test_results == "5 KTP-el tercetak"
    assert events(release, ReleaseEventKind.TESTED) == ["5 KTP-el tercetak"]


def test_a_problem_may_open_a_complaint_on_the_service(world, service, application, kabid, time_machine):
    """O-6 with O-2: a problem met during the release is handled as a complaint, with its clocks."""
    release = approved(world, service, application, kabid)
    time_machine.move_to(START + minutes(30), tick=False)
    with pytest.raises(ValidationError):
        actions.record_problem(world.vendor, release, "  ", open_complaint=True)
    quiet = actions.record_problem(world.vendor, release, "Migrasi lebih lambat dari rencana")
    assert quiet.ticket is None and not Ticket.objects.exists()
    problem = actions.record_problem(world.vendor, release, "Printer loket tidak terbaca", open_complaint=True)
    ticket = Ticket.objects.get()
    assert problem.ticket == ticket and ticket.kind == TicketKind.COMPLAINT and ticket.service == service
    assert ticket.description == "Printer loket tidak terbaca"
    assert ReleaseProblem.objects.filter(release=release).count() == 2
    assert events(release, ReleaseEventKind.PROBLEM)[-1] == f"Printer loket tidak terbaca (aduan {ticket.number})"
    with pytest.raises(PermissionDenied):
        actions.record_problem(world.other_pd_admin, release, "Bukan urusan saya")


def test_feedback_comes_from_the_pj_penyedia_after_the_result(world, service, application, kabid, time_machine):
    """O-6: the service provider gives feedback on the outcome."""
    release = approved(world, service, application, kabid)
    with pytest.raises(ValidationError, match="setelah hasil rilis"):
        actions.record_feedback(kabid, release, "Terlalu dini")
    verify(time_machine, END + minutes(1))
    release.refresh_from_db()
    with pytest.raises(ValidationError, match="setelah hasil rilis"):
        actions.record_feedback(kabid, release, "Masih menunggu")
    actions.verify_by_hand(world.vendor, release, True, "Uji cetak berhasil")
    for person in (world.vendor, world.owner_head, world.owner_admin):
        with pytest.raises(PermissionDenied):
            actions.record_feedback(person, release, "Bagus")
    with pytest.raises(ValidationError):
        actions.record_feedback(kabid, release, " ")
    actions.record_feedback(kabid, release, "Rilis lancar, pengumuman tepat waktu")
    assert Release.objects.get().feedback == "Rilis lancar, pengumuman tepat waktu"
    feedback = ReleaseEvent.objects.get(release=release, kind=ReleaseEventKind.FEEDBACK)
    assert feedback.actor == kabid
