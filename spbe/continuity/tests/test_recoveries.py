"""Recovery activation and drills (O-5, Tabel 8): from a flagged complaint
(O-2), the seven steps strictly in order at times that never go back; step
3 declares the disaster (linking complaints and outages, starting the RTO
clock, telling the Pimpinan PD and the PJ, announcing it on the status page)
or ends the assessment; step 5 measures RTO and RPO; step 6 may open a DRP
revision that step 7 waits for. Drills walk the same steps quietly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.clocks.actions import check_due_clocks
from spbe.clocks.choices import ClockKind, ClockState
from spbe.conftest import pass_second_factor
from spbe.continuity import actions, queries
from spbe.continuity.choices import EventKind, RecoveryKind, RecoveryStatus, RpoSource
from spbe.continuity.models import Recovery, RecoveryPlan, RecoveryStep, StepEvidence
from spbe.continuity.tests.factories import approved_plan
from spbe.continuity.tests.recovering import (
    DISRUPTION,
    NOW,
    at,
    complaint,
    evidence,
    flagged_complaint,
    opened,
    step,
    walk,
    wib,
)
from spbe.desk.models import Ticket
from spbe.monitoring.actions import record_ping
from spbe.monitoring.models import HeartbeatPing, Outage
from spbe.notify.models import OutboxMessage


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pings(check, time_machine):
    """The nightly backup job pinged at 01:00 on 4 and 5 Dec, and (a late
    retry) at 07:30 on 5 Dec, after the disruption began."""
    for moment in (wib(1, 0) - timedelta(days=1), wib(1, 0), wib(7, 30)):
        time_machine.move_to(moment, tick=False)
        assert record_ping(check.heartbeat_token, moment)
    time_machine.move_to(NOW, tick=False)
    return check


def field_errors(error: pytest.ExceptionInfo) -> dict:
    return error.value.message_dict


# --- Opening --------------------------------------------------------------------------------------


class TestOpening:
    def test_a_flagged_complaint_opens_the_assessment(self, world, plan, service, now):
        ticket = flagged_complaint(world, service, reported_at=wib(7, 20))
        recovery = actions.open_activation(world.vendor, plan, " Server mati ", ticket)
        recovery.refresh_from_db()
        assert (recovery.kind, recovery.status, recovery.next_step) == (RecoveryKind.ACTIVATION, "assessing", 1)
        assert (recovery.title, recovery.ticket, recovery.plan, recovery.pd) == (
            "Server mati",
            ticket,
            plan,
            world.dukcapil,
        )
        assert (recovery.rto_target, recovery.rpo_target) == (timedelta(hours=4), timedelta(days=1))
        assert list(recovery.complaints.all()) == [ticket]
        assert ticket.timeline.filter(kind="escalated", data__recovery=recovery.pk, public=False).exists()
        assert recovery.timeline.get().kind == EventKind.CREATED

    def test_a_complaint_of_a_service_the_drp_does_not_cover_is_refused(self, world, plan, now):
        from spbe.continuity.tests.factories import kritis_service

        other = kritis_service(world, code="DUK-02", name="Akta Kelahiran")
        ticket = flagged_complaint(world, other, reported_at=wib(7, 20))
        with pytest.raises(ValidationError) as error:
            actions.open_activation(world.vendor, plan, "Server mati", ticket)
        assert ticket.number in field_errors(error)["plan"][0]
        assert not Recovery.objects.exists()

    def test_only_a_drp_in_force_is_activated(self, world, service, kabid, now):
        from spbe.continuity.tests.factories import draft_plan

        with pytest.raises(ValidationError) as error:
            actions.open_activation(world.vendor, draft_plan(world, service), "Server mati")
        assert "plan" in field_errors(error)


# --- The order of the steps ----------------------------------------------------------------------


class TestStepOrder:
    def test_steps_go_strictly_in_order(self, world, activation):
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 3, wib(8, 30), disruption_started_at=DISRUPTION)
        assert error.value.messages == [
            "Langkah harus berurutan: berikutnya langkah 1, Penilaian kondisi fisik dan kelayakan pusat data."
        ]
        assert not RecoveryStep.objects.exists()
        step(world.vendor, activation, 1, wib(8, 0))
        with pytest.raises(ValidationError, match="berikutnya langkah 2"):
            step(world.vendor, activation, 1, wib(8, 5))  # a step counts once
        activation.refresh_from_db()
        assert activation.next_step == 2

    def test_a_step_in_the_future_is_refused_on_at(self, world, activation):
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 1, NOW + timedelta(minutes=5))
        assert field_errors(error) == {"at": ["Waktu langkah tidak boleh di masa depan."]}

    def test_a_step_before_the_previous_one_is_refused_on_at(self, world, activation):
        step(world.vendor, activation, 1, wib(8, 0))
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 2, wib(7, 59))
        assert list(field_errors(error)) == ["at"]
        assert "sebelum langkah 1 (05-12-2026 08:00 WIB)" in field_errors(error)["at"][0]
        assert RecoveryStep.objects.count() == 1

    def test_a_step_needs_notes(self, world, activation):
        with pytest.raises(ValidationError) as error:
            actions.record_step(world.vendor, activation, actions.StepInput(number=1, at=wib(8, 0), notes="  "))
        assert list(field_errors(error)) == ["notes"]

    def test_someone_who_may_not_operate_cannot_record_a_step(self, world, activation):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            step(world.owner_admin, activation, 1, wib(8, 0))


# --- Step 3 -----------------------------------------------------------------------------------------


class TestNoDisaster:
    def test_the_assessment_ends_with_its_reason(self, world, activation):
        walk(world.vendor, activation, 2)
        step(world.vendor, activation, 3, wib(8, 30), notes="Hanya listrik gedung; genset menyala", disaster=False)
        activation.refresh_from_db()
        assert activation.status == RecoveryStatus.NO_DISASTER
        assert activation.no_disaster_reason == "Hanya listrik gedung; genset menyala"
        assert activation.declared_at is None and actions.recovery_clock(activation) is None
        assert activation.timeline.filter(kind=EventKind.NO_DISASTER).exists()
        assert not OutboxMessage.objects.filter(key__startswith="recovery-").exists()
        with pytest.raises(ValidationError, match="sudah selesai"):
            step(world.vendor, activation, 4, wib(8, 45))


class TestDeclaration:
    def test_the_disaster_needs_the_disruptions_start_not_after_the_declaration(self, world, activation):
        walk(world.vendor, activation, 2)
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 3, wib(8, 30), disaster=True)
        assert list(field_errors(error)) == ["disruption_started_at"]
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 3, wib(8, 30), disaster=True, disruption_started_at=wib(8, 40))
        assert list(field_errors(error)) == ["disruption_started_at"]

    def test_open_complaints_and_outages_of_the_covered_services_are_linked(
        self,
        world,
        service,
        plan,
        now,
        time_machine,
    ):
        from spbe.continuity.tests.factories import kritis_service

        flagged = flagged_complaint(world, service, reported_at=wib(7, 20))
        before = complaint(world, service, reported_at=wib(7, 40), subject="Antrean macet")
        closed = complaint(world, service, reported_at=wib(7, 45), subject="Sudah beres")
        Ticket.objects.filter(pk=closed.pk).update(status="closed")
        late = complaint(world, service, reported_at=wib(9, 0), subject="Setelah penetapan")
        other_service = kritis_service(world, code="DUK-02", name="Akta Kelahiran")
        elsewhere = complaint(world, other_service, reported_at=wib(7, 30), subject="Layanan lain")
        down = Outage.objects.create(service=service, state="down", started_at=DISRUPTION)
        Outage.objects.create(service=service, state="down", started_at=wib(5, 0), ended_at=wib(5, 30))
        Outage.objects.create(service=other_service, state="down", started_at=DISRUPTION)

        recovery = opened(time_machine, actions.open_activation, world.vendor, plan, "Ruang server terendam", flagged)
        walk(world.vendor, recovery, 3)  # declared at 08:30, recorded at 12:00

        assert recovery.status == RecoveryStatus.RECOVERING
        assert (recovery.declared_at, recovery.disruption_started_at) == (wib(8, 30), DISRUPTION)
        assert set(recovery.complaints.all()) == {flagged, before}
        assert not {closed, late, elsewhere} & set(recovery.complaints.all())
        assert list(recovery.outages.all()) == [down]
        assert before.timeline.filter(kind="escalated", data__recovery=recovery.pk).exists()
        declared = recovery.timeline.get(kind=EventKind.DECLARED)
        assert "2 aduan dan 1 gangguan" in declared.message

    def test_the_rto_clock_starts_at_the_disruption_on_a_24x7_calendar(self, world, activation):
        walk(world.vendor, activation, 3)
        clock = actions.recovery_clock(activation)
        assert (clock.kind, clock.calendar, clock.state) == (ClockKind.RTO, "24x7", ClockState.RUNNING)
        assert (clock.started_at, clock.target) == (DISRUPTION, timedelta(hours=4))
        assert clock.due_at == wib(11, 0)  # on a Saturday: the clock does not wait for office hours
        assert clock.owner == activation

    def test_the_pimpinan_pd_and_the_pj_roles_of_the_pd_are_told_once(self, world, activation, kabid):
        from spbe.conftest import give, make_person
        from spbe.org.choices import Role

        pj_infra = make_person("pjinfra@yogya.test", world.yogya)
        give(pj_infra, Role.PJ_INFRA, world.dukcapil)
        elsewhere = make_person("kadis-dinkes@yogya.test", world.yogya)
        give(elsewhere, Role.PIMPINAN_PD, world.dinkes)
        walk(world.vendor, activation, 3)
        message = OutboxMessage.objects.get(key=f"recovery-{activation.pk}-declared")
        assert message.to == sorted(["kadis@yogya.test", "kabid@yogya.test", "pjinfra@yogya.test"])
        assert message.subject == "[Bencana] Ruang server terendam: DRP diaktifkan"
        assert activation.get_absolute_url() in message.body
        assert OutboxMessage.objects.filter(key__startswith="recovery-").count() == 1

    def test_the_status_page_announces_the_disaster_until_normalisation(
        self, world, activation, client, pings, django_capture_on_commit_callbacks
    ):
        walk(world.vendor, activation, 3)
        html = client.get(reverse("status:page", args=["yogya"])).content.decode()
        assert "Pemulihan bencana sedang berlangsung" in html
        banner = html[html.index('id="bencana"') : html.index("</section>", html.index('id="bencana"'))]
        assert "Pencetakan KTP-el" in banner
        assert "Kondisi bencana dinyatakan 5 Desember 2026 08:30 WIB" in banner and "4 jam" in banner
        assert "Ruang server terendam" not in html  # the internal title may name hosts and causes
        assert "Ada layanan yang tidak tersedia" in html
        with django_capture_on_commit_callbacks(execute=True):  # the cached page is forgotten once committed
            walk(world.vendor, activation, 5)
        assert (
            "Pemulihan bencana sedang berlangsung"
            not in client.get(reverse("status:page", args=["yogya"])).content.decode()
        )

    def test_the_status_page_of_another_pemda_says_nothing(self, world, activation, client):
        walk(world.vendor, activation, 3)
        assert "Pemulihan bencana" not in client.get(reverse("status:page", args=["tegal"])).content.decode()


# --- Step 5: RTO and RPO ---------------------------------------------------------------------------


class TestNormalisation:
    def test_normalisation_before_the_declaration_is_refused_on_at(self, world, activation, pings):
        walk(world.vendor, activation, 4, times={4: wib(8, 30)})  # step 4 at the declaration's minute
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 5, wib(8, 20))
        assert list(field_errors(error)) == ["at"]
        assert "sebelum bencana dinyatakan (05-12-2026 08:30 WIB)" in field_errors(error)["at"][0]

    def test_the_rto_met_stops_the_clock(self, world, activation, pings):
        walk(world.vendor, activation, 5)  # normal again at 10:00: 3 h after 07:00
        assert activation.status == RecoveryStatus.NORMALISED
        assert activation.normalised_at == wib(10, 0)
        assert activation.rto_achieved == timedelta(hours=3)
        assert activation.rto_met is True
        clock = actions.recovery_clock(activation)
        assert (clock.state, clock.stopped_at) == (ClockState.MET, wib(10, 0))
        assert "tercapai" in activation.timeline.filter(kind=EventKind.CLOCK).last().message

    def test_the_rto_breached_is_said_so(self, world, activation, pings):
        walk(world.vendor, activation, 5, times={5: wib(11, 30)})  # 4 h 30 min > 4 h
        assert activation.rto_achieved == timedelta(hours=4, minutes=30)
        assert activation.rto_met is False
        assert actions.recovery_clock(activation).state == ClockState.BREACHED
        assert "terlampaui" in activation.timeline.filter(kind=EventKind.CLOCK).last().message

    def test_the_rpo_is_the_age_of_the_last_backup_ping_before_the_disruption(self, world, activation, pings):
        """Pinged 01:00 and 07:30; the disruption began 07:00: RPO 6 h."""
        walk(world.vendor, activation, 5)
        assert (activation.last_backup_at, activation.rpo_source) == (wib(1, 0), RpoSource.HEARTBEAT)
        assert activation.rpo_achieved == timedelta(hours=6)
        assert activation.rpo_met is True

    def test_an_rpo_longer_than_the_target_is_not_met(self, world, activation, check):
        HeartbeatPing.objects.create(check_ref=check, at=DISRUPTION - timedelta(days=1, hours=2))
        walk(world.vendor, activation, 5)
        assert activation.rpo_achieved == timedelta(days=1, hours=2)
        assert activation.rpo_met is False

    def test_without_a_ping_the_last_backup_must_be_given_with_evidence(self, world, activation, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        walk(world.vendor, activation, 4)
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 5, wib(10, 0))
        assert list(field_errors(error)) == ["last_backup_at"]
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 5, wib(10, 0), last_backup_at=wib(2, 0))
        assert list(field_errors(error)) == ["files"]
        assert not RecoveryStep.objects.filter(number=5).exists()
        step(world.vendor, activation, 5, wib(10, 0), last_backup_at=wib(2, 0), files=[evidence()])
        activation.refresh_from_db()
        assert (activation.last_backup_at, activation.rpo_source) == (wib(2, 0), RpoSource.EVIDENCE)
        assert activation.rpo_achieved == timedelta(hours=5)
        assert StepEvidence.objects.get().step.number == 5

    def test_a_backup_after_the_disruption_began_is_refused(self, world, activation, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        walk(world.vendor, activation, 4)
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 5, wib(10, 0), last_backup_at=wib(7, 30), files=[evidence()])
        assert list(field_errors(error)) == ["last_backup_at"]
        assert "sebelum awal gangguan" in field_errors(error)["last_backup_at"][0]
        assert not StepEvidence.objects.exists()


# --- Steps 6 and 7 -----------------------------------------------------------------------------------


class TestEvaluationAndRatification:
    def test_the_evaluation_may_open_the_next_version_of_the_drp(self, world, activation, plan, pings):
        walk(world.vendor, activation, 6, step6={"open_revision": True})
        revision = activation.revision_plan
        assert (revision.previous, revision.revision, revision.status) == (plan, 2, ApprovalStatus.DRAFT)
        assert activation.evaluation == "Catatan langkah 6"
        assert activation.timeline.filter(kind=EventKind.REVISION, data__plan=revision.pk).exists()

    def test_ratification_waits_for_the_revision_to_be_approved(self, world, activation, kabid, pings):
        walk(world.vendor, activation, 6, step6={"open_revision": True})
        with pytest.raises(ValidationError) as error:
            step(world.vendor, activation, 7, wib(11, 0))
        assert "belum disetujui PJ Penyedia Layanan" in field_errors(error)["notes"][0]
        revision = activation.revision_plan
        approvals.submit(world.vendor, revision)
        approvals.approve(kabid, revision)
        step(world.vendor, activation, 7, wib(11, 0))
        activation.refresh_from_db()
        assert activation.status == RecoveryStatus.CLOSED
        assert activation.plan.pk != revision.pk  # the activation keeps the version it used

    def test_without_a_revision_the_drp_is_ratified_and_the_record_closed(self, world, activation, pings):
        walk(world.vendor, activation, 7)
        assert activation.status == RecoveryStatus.CLOSED and activation.revision_plan is None
        assert activation.steps.count() == 7


# --- The RTO clock on the timeline ------------------------------------------------------------------


class TestRtoClockOnTheTimeline:
    def test_warnings_and_the_breach_are_written_once(self, world, activation):
        """4 h from 07:00: 75 % at 10:00, 90 % at 10:36, due 11:00."""
        walk(world.vendor, activation, 4)

        def clock_events():
            return list(
                activation.timeline.filter(kind=EventKind.CLOCK).order_by("at", "id").values_list("message", "at")
            )

        check_due_clocks(wib(10, 1))
        check_due_clocks(wib(10, 2))
        assert clock_events() == [("Jam RTO: Peringatan (75 %)", wib(10, 1))]
        check_due_clocks(wib(10, 40))
        check_due_clocks(wib(11, 5))
        check_due_clocks(wib(11, 6))
        assert clock_events() == [
            ("Jam RTO: Peringatan (75 %)", wib(10, 1)),
            ("Jam RTO: Peringatan (90 %)", wib(10, 40)),
            ("Jam RTO: Terlampaui", wib(11, 0)),
        ]
        assert actions.recovery_clock(activation).state == ClockState.BREACHED


# --- Drills -------------------------------------------------------------------------------------------


class TestDrill:
    @pytest.fixture(autouse=True)
    def _clock(self, time_machine):
        self.time_machine = time_machine

    def drill(self, world, plan, **overrides):
        """Planned at 07:30 for 07:55 (the simulated disruption: 07:00)."""
        data = dict(title="Uji coba semester II", scheduled_for=wib(7, 55), scenario="Server aplikasi terbakar",
                    participants="Tim infrastruktur Diskominfo")  # fmt: skip
        data.update(overrides)
        return opened(self.time_machine, actions.plan_drill, world.vendor, plan, when=wib(7, 30), **data)

    def test_a_drill_needs_its_scenario(self, world, plan, now):
        with pytest.raises(ValidationError) as error:
            self.drill(world, plan, scenario="  ", participants="")
        assert set(field_errors(error)) == {"scenario", "participants"}
        assert not Recovery.objects.exists()

    def test_a_drill_walks_the_seven_steps_and_measures_rto_and_rpo(self, world, plan, pings):
        drill = self.drill(world, plan)
        assert (drill.kind, drill.status) == (RecoveryKind.DRILL, RecoveryStatus.PLANNED)
        walk(world.vendor, drill, 1)
        assert drill.status == RecoveryStatus.ASSESSING
        walk(world.vendor, drill, 5, times={5: wib(9, 30)})
        assert (drill.rto_achieved, drill.rto_met) == (timedelta(hours=2, minutes=30), True)
        assert (drill.rpo_achieved, drill.rpo_source) == (timedelta(hours=6), RpoSource.HEARTBEAT)
        walk(world.vendor, drill, 7, step6={"findings": "Restore lambat", "follow_up": "Tambah bandwidth"})
        assert (drill.status, drill.findings, drill.follow_up) == ("closed", "Restore lambat", "Tambah bandwidth")

    def test_a_drill_is_not_announced_and_links_no_complaint(self, world, plan, service, client, pings):
        open_complaint = complaint(world, service, reported_at=wib(7, 10))
        Outage.objects.create(service=service, state="down", started_at=DISRUPTION)
        drill = self.drill(world, plan)
        walk(world.vendor, drill, 3)
        assert drill.status == RecoveryStatus.RECOVERING
        assert "Pemulihan bencana" not in client.get(reverse("status:page", args=["yogya"])).content.decode()
        assert not drill.complaints.exists() and not drill.outages.exists()
        assert not open_complaint.recoveries.exists()
        assert not OutboxMessage.objects.filter(key__startswith="recovery-").exists()
        assert actions.recovery_clock(drill).kind == ClockKind.RTO  # still timed


class TestDrillDue:
    """A kritis DRP must be drilled within the pack's interval (12 months
    in Yogya's pack)."""

    def finished_drill(self, world, plan, time_machine, day):
        """A drill planned at 07:30 and normalised on ``day`` (its steps 1 to 5
        that morning)."""

        def that_day(hour, minute=0):
            return at(day.year, day.month, day.day, hour, minute)

        time_machine.move_to(that_day(7, 30), tick=False)
        drill = actions.plan_drill(
            world.vendor, plan, title="Uji coba", scheduled_for=that_day(7, 45), scenario="Banjir", participants="Tim"
        )
        HeartbeatPing.objects.create(check_ref=plan.backup_check, at=that_day(1))
        time_machine.move_to(that_day(12), tick=False)
        for number in range(1, 6):
            extra = {"disruption_started_at": that_day(7)} if number == 3 else {}
            step(world.vendor, drill, number, that_day(8, number), **extra)
        return drill

    def overview(self, world, client):
        """The Koordinator SPBE's overview page, as it reads today."""
        client.force_login(world.coordinator, backend="spbe.org.backends.AccountBackend")
        pass_second_factor(client, world.coordinator)
        response = client.get(reverse("continuity:overview"))
        assert response.status_code == 200
        return response.context["overview"]

    def annotated(self, plan):
        return queries.with_last_drill(RecoveryPlan.objects.filter(pk=plan.pk)).select_related("pd__pemda").get()

    def test_a_kritis_drp_never_drilled_is_due(self, world, plan, now, client):
        assert queries.drill_due(self.annotated(plan), NOW.date())
        assert self.overview(world, client).drills_due == [plan]

    def test_a_drill_within_the_interval_clears_it_and_an_old_one_does_not(self, world, plan, time_machine, client):
        from datetime import date

        self.finished_drill(world, plan, time_machine, date(2025, 12, 1))
        assert not queries.drill_due(self.annotated(plan), date(2026, 12, 1))
        assert queries.drill_due(self.annotated(plan), date(2026, 12, 2))
        time_machine.move_to(at(2026, 11, 30, 9), tick=False)
        assert self.overview(world, client).drills_due == []
        time_machine.move_to(at(2026, 12, 5, 9), tick=False)
        assert self.overview(world, client).drills_due == [plan]

    def test_a_drill_of_the_previous_version_counts_for_the_revision(self, world, plan, kabid, time_machine, client):
        from datetime import date

        self.finished_drill(world, plan, time_machine, date(2026, 6, 1))
        v2 = actions.revise_plan(world.vendor, plan)
        approvals.submit(world.vendor, v2)
        approvals.approve(kabid, v2)
        assert not queries.drill_due(self.annotated(v2), date(2026, 12, 5))
        assert self.overview(world, client).drills_due == []

    def test_a_drp_of_a_service_that_is_not_kritis_is_not_flagged(self, world, kabid, now, client):
        from spbe.continuity.tests.factories import kritis_service

        ordinary = kritis_service(world, code="DUK-09", name="Informasi antrean", classification="normal")
        approved_plan(world, ordinary, kabid)
        assert self.overview(world, client).drills_due == []
