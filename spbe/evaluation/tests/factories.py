"""Records the evaluation tests build on: Disdukcapil Yogya's kritis
service (spbe.continuity.tests.factories) with requests and complaints
handled at known times in the first semester of 2026, so every clock is
met or breached for a reason the test can name."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.evaluation import actions
from spbe.evaluation.actions import Period
from spbe.evaluation.choices import PeriodKind, ReportScope

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
