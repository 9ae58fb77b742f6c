"""Records the evaluation tests build on: Disdukcapil Yogya's kritis
service (spbe.continuity.tests.factories) with requests and complaints
handled at known times in the first semester of 2026, so every clock is
met or breached for a reason the test can name."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import OperatingTarget, ServiceNeeds
from spbe.change.models import Release
from spbe.cmdb.models import Application, AppManagementTarget
from spbe.continuity.tests.factories import approved_plan
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.evaluation import actions
from spbe.evaluation.actions import Period
from spbe.evaluation.choices import ActionTarget, Chapter, PeriodKind, ReportScope
from spbe.evaluation.models import FollowUpAction
from spbe.monitoring.models import Check

WIB = ZoneInfo("Asia/Jakarta")
SEMESTER = Period(PeriodKind.SEMESTER, date(2026, 1, 1), date(2026, 6, 30))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def ticket(service, actor, kind=TicketKind.COMPLAINT, *, reported, responded=None, resolved=None, rating=None,
           cause=""):  # fmt: skip
    """A request or complaint answered, solved and confirmed at the given times."""
    opened = desk.open_ticket(
        actor=actor, service=service, kind=kind, reporter=Reporter("Budi Warga", "budi@mail.test"),
        subject="Aplikasi tidak bisa dibuka", description="Halaman kosong", reporting_method="portal",
        impact="mayor" if kind == TicketKind.COMPLAINT else "", reported_at=reported,
    )  # fmt: skip
    if responded:
        desk.respond(actor, opened, "Sedang kami periksa.", at=responded)
    if resolved:
        desk.resolve(actor, opened, "Server dinyalakan ulang.", cause=cause, at=resolved)
        desk.confirm(None, opened, satisfaction=rating, at=resolved)
    opened.refresh_from_db()
    return opened


def report_of(world, scope=ReportScope.PD, period=SEMESTER, actor=None):
    return actions.open_report(actor or world.owner_admin, pd=world.dukcapil, scope=scope, period=period)


def write_all(report, actor) -> None:
    from spbe.evaluation.rules import required_chapters

    for chapter in required_chapters(report):
        actions.write_analysis(actor, report, chapter, obstacles="Server lama sering penuh.", improvements="")


def plan(world, service) -> Application:
    """P-6, P-8 and P-10 approved for the service and its application (level 2)."""
    app = Application.objects.get(pd=world.dukcapil)
    approved = {"status": ApprovalStatus.APPROVED, "drafted_by": world.owner_admin}
    ServiceNeeds.objects.create(service=service, business_process="-", needs="-", design="-", technology="-",
                                evaluation="-", **approved)  # fmt: skip
    OperatingTarget.objects.create(application=app, classification="kritis", availability_target=99, **approved)
    AppManagementTarget.objects.create(application=app, design_plan="-", implementation_plan="-", testing_plan="-",
                                       maintenance_plan="-", evaluation_basis="-", **approved)  # fmt: skip
    return app


def operate(world, service, pj, first_day: date) -> None:
    """Records of every process in the half-year from ``first_day`` (level
    3): a complaint answered late and solved late, a request, a check on the
    service, a DRP in force, an approved release."""
    day = datetime.combine(first_day + timedelta(days=60), time(9), WIB)
    ticket(service, world.owner_admin, reported=day, responded=day + timedelta(hours=2),
           resolved=day + timedelta(days=7), rating=3, cause="Disk server penuh")  # fmt: skip
    ticket(service, world.owner_admin, TicketKind.REQUEST, reported=day + timedelta(days=1),
           resolved=day + timedelta(days=1, hours=1), rating=5)  # fmt: skip
    Check.objects.create(pemda=world.yogya, pd=world.dukcapil, name="SIAK", kind="http", service=service,
                         target="https://siak.jogjakota.go.id/")  # fmt: skip
    approved_plan(world, service, pj)
    window = day + timedelta(days=30, hours=11)
    release = Release.objects.create(
        pd=world.dukcapil, title="SIAK 2.1", basis="initiative", description="-", steps="-", rollback_plan="-",
        test_plan="-", window_start=window, window_end=window + timedelta(hours=2), announcement="-",
        status=ApprovalStatus.APPROVED, drafted_by=world.vendor,
    )  # fmt: skip
    release.services.add(service)


def follow_up(report, **overrides) -> FollowUpAction:
    """An action of the report stored as given, past the rules of
    ``add_action`` (an overdue or done one, on an approved report)."""
    data = dict(
        pemda=report.pemda, pd=report.pd, report=report, chapter=Chapter.REQUESTS, title="Perbarui SOP",
        owner=report.drafted_by, created_by=report.drafted_by, due_date=date(2026, 9, 1),
        target_kind=ActionTarget.PROCEDURE, procedure="SOP",
    )  # fmt: skip
    data.update(overrides)
    return FollowUpAction.objects.create(**data)


def approved_with_action(world, **action):
    """The semester report of Disdukcapil, analysed, with one action added
    through ``add_action`` (a procedure due 30 September), then approved by
    the Pimpinan PD. Returns the report and the action."""
    report = report_of(world)
    write_all(report, world.owner_admin)
    data = dict(chapter=Chapter.REQUESTS, title="SOP v2", owner=world.owner_admin, due_date=date(2026, 9, 30),
                target_kind=ActionTarget.PROCEDURE, procedure="SOP permintaan")  # fmt: skip
    data.update(action)
    added = actions.add_action(world.owner_admin, report, FollowUpAction(**data))
    actions.submit(world.owner_admin, report)
    actions.approve(world.owner_head, report)
    return report, added
