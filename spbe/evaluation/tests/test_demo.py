"""Issue 13, item 6: the demo Pemda show the evaluation stage (E-2, E-4).
Kota Yogyakarta's Disdukcapil stands at level 4 with an approved report of
the last semester whose figures are frozen; Dinkes at a lower level with
its gap named; the Pemda's report drafted at Diskominfo and approved by the
Koordinator SPBE; Kabupaten Tegal a draft that recomputes.

The demo is loaded once for the class (it takes seconds) with the real
clock, as ``seed_demo`` runs it."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.test import TestCase
from django.utils import timezone

from spbe.approvals.actions import history
from spbe.approvals.models import ApprovalStatus, DecisionKind
from spbe.catalog.models import Service
from spbe.continuity.models import RecoveryPlan
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.evaluation import maturity
from spbe.evaluation.choices import ActionStatus, ActionTarget, Chapter, ReportScope
from spbe.evaluation.demo import last_semester
from spbe.evaluation.figures import compute, figures_of, subject_of
from spbe.evaluation.models import EvaluationReport
from spbe.evaluation.rules import missing_analysis
from spbe.org.choices import Role
from spbe.org.demo import load_demo
from spbe.org.models import Pemda, User


def today_in(pemda) -> date:
    return timezone.now().astimezone(ZoneInfo(pemda.time_zone)).date()


def level_of(pd) -> maturity.Maturity:
    today = today_in(pd.pemda)
    start, end = maturity.default_period(today)
    return maturity.assess(pd.pemda, pd, start=start, end=end, today=today)


def add_request(report: EvaluationReport, day: date) -> None:
    """A request for the report's PD's first service, reported on ``day``."""
    service = Service.objects.filter(pd=report.pd, lifecycle="active").order_by("code").first()
    admin = User.objects.get(role_assignments__pd=report.pd, role_assignments__role=Role.ADMIN_LAYANAN)
    desk.open_ticket(
        actor=admin, service=service, kind=TicketKind.REQUEST, reporter=Reporter("Warga Demo"),
        subject="Cetak ulang dokumen", description="Dokumen rusak terkena air.", reporting_method="portal",
        reported_at=datetime.combine(day, time(9), ZoneInfo(report.pemda.time_zone)),
    )  # fmt: skip


class TestEvaluationDemo(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()
        cls.yogya = Pemda.objects.get(slug="kota-yogyakarta")
        cls.tegal = Pemda.objects.get(slug="kabupaten-tegal")
        cls.dukcapil = cls.yogya.pds.get(abbreviation="Disdukcapil")
        cls.dinkes = cls.yogya.pds.get(abbreviation="Dinkes")
        cls.report = EvaluationReport.objects.get(pd=cls.dukcapil, scope=ReportScope.PD)

    def test_disdukcapil_stands_at_level_4_held_back_only_by_its_overdue_action(self):
        level = level_of(self.dukcapil)
        assert level.level == 4
        assert [c.key for c in level.criteria if not c.met] == ["followed_up"]
        assert level.next_missing[0].missing == "1 tindak lanjut lewat tenggat: selesaikan atau perbarui tenggatnya."

    def test_dinkes_stands_at_level_2_with_its_missing_application_target_named(self):
        level = level_of(self.dinkes)
        assert level.level == 2
        assert [c.missing for c in level.next_missing] == [
            "Tetapkan target pengelolaan aplikasi (P-10) untuk 1 aplikasi."
        ]

    def test_disdukcapil_report_covers_the_last_semester_drafted_by_the_admin_approved_by_the_pimpinan(self):
        semester = last_semester(today_in(self.yogya))
        assert (self.report.period_start, self.report.period_end) == (semester.start, semester.end)
        assert self.report.status == ApprovalStatus.APPROVED
        assert self.report.drafted_by.email == "admin.dukcapil@jogjakota.demo"
        approval = history(self.report).get(kind=DecisionKind.APPROVED)
        assert (approval.actor.email, approval.role) == ("kadis.dukcapil@jogjakota.demo", Role.PIMPINAN_PD)

    def test_every_mandatory_chapter_is_analysed_from_the_reports_own_figures(self):
        assert missing_analysis(self.report) == []
        figures = self.report.figures
        analyses = {a.chapter: a for a in self.report.analyses.all()}
        disruptions = figures["disruptions"]
        assert analyses[Chapter.DISRUPTIONS].obstacles.startswith(
            f"Tercatat {disruptions['total']} aduan gangguan; {disruptions['done']} telah diselesaikan."
        )
        requests = figures["requests"]
        assert analyses[Chapter.REQUESTS].obstacles.startswith(f"Tercatat {requests['total']} permintaan layanan")

    def test_approved_report_keeps_its_frozen_figures_when_a_ticket_of_its_period_is_added(self):
        frozen = self.report.figures
        assert frozen is not None and self.report.frozen_at is not None
        add_request(self.report, self.report.period_start)
        self.report.refresh_from_db()
        assert figures_of(self.report) == frozen
        assert compute(subject_of(self.report))["requests"]["total"] == frozen["requests"]["total"] + 1

    def test_follow_up_actions_one_done_with_drp_versions_one_open_one_overdue(self):
        today = today_in(self.yogya)
        actions = list(self.report.actions.all())
        done = [a for a in actions if a.status == ActionStatus.DONE]
        assert len(done) == 1
        drp = done[0]
        assert drp.target_kind == ActionTarget.DRP and drp.evidence_note
        in_force = RecoveryPlan.objects.in_force().get(series=drp.drp.series)
        assert in_force != drp.drp
        assert (drp.before_version, drp.after_version) == (str(drp.drp), str(in_force))
        open_actions = [a for a in actions if a.is_open]
        assert sorted(a.is_overdue(today) for a in open_actions) == [False, True]
        assert all(a.owner_id and a.due_date for a in actions)

    def test_pemda_report_is_drafted_at_diskominfo_and_approved_by_the_koordinator(self):
        report = EvaluationReport.objects.get(pemda=self.yogya, scope=ReportScope.PEMDA)
        assert report.status == ApprovalStatus.APPROVED and report.figures is not None
        approval = history(report).get(kind=DecisionKind.APPROVED)
        assert (approval.actor.email, approval.role) == ("kominfo@jogjakota.demo", Role.KOORDINATOR_SPBE)
        assert report.drafted_by != approval.actor
        assert report.drafted_by.role_assignments.filter(pd=self.yogya.spbe_coordinator).exists()
        assert missing_analysis(report) == []

    def test_tegal_shows_a_draft_of_the_current_semester_that_recomputes(self):
        draft = EvaluationReport.objects.get(pemda=self.tegal)
        assert draft.status == ApprovalStatus.DRAFT and draft.figures is None
        assert draft.period_start <= today_in(self.tegal) <= draft.period_end
        before = figures_of(draft)["requests"]["total"]
        add_request(draft, draft.period_start)
        assert figures_of(draft)["requests"]["total"] == before + 1
