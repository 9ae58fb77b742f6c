"""The SP4N-LAPOR! demo (Pedoman C): one past import per Pemda, tickets in
different deadline states, loaded once however often it runs."""

from __future__ import annotations

from spbe.clocks.choices import ClockKind
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.desk.models import Ticket
from spbe.lapor.choices import DeadlineState
from spbe.lapor.demo import load_lapor_demo
from spbe.lapor.export import clock_state
from spbe.lapor.models import LaporImport
from spbe.lapor.tests.conftest import at


def test_the_demo_import_is_loaded_once_with_mixed_deadlines(world, service, now):
    handled = desk.open_ticket(
        actor=world.owner_admin, service=service, kind=TicketKind.REQUEST, reporter=Reporter("Lama"), subject="s",
        description="d", reporting_method=ReportingMethod.LAPOR, lapor_tracking_id="LPR-LAMA",
        reported_at=at(2026, 11, 2, 9, 0),
    )  # fmt: skip
    desk.respond(world.owner_admin, handled, "Diterima.", at=at(2026, 11, 3, 9, 0))
    load_lapor_demo(world.yogya)
    load_lapor_demo(world.yogya)
    done = LaporImport.objects.get()
    assert (done.created_count, done.error_count) == (7, 0)
    tickets = Ticket.objects.filter(reporting_method=ReportingMethod.LAPOR).exclude(pk=handled.pk)
    states = {(c.kind, clock_state(c, now)) for t in tickets for c in desk.ticket_clocks(t)
              if c.kind in (ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP)}  # fmt: skip
    assert (ClockKind.LAPOR_VERIFICATION, DeadlineState.BREACHED) in states
    assert (ClockKind.LAPOR_FOLLOW_UP, DeadlineState.MET) in states
    assert (ClockKind.LAPOR_VERIFICATION, DeadlineState.RUNNING) in states
    backfilled = {c.kind: c.state for c in desk.ticket_clocks(handled)}
    assert backfilled[ClockKind.LAPOR_VERIFICATION] == "met"  # from the desk demo's history
