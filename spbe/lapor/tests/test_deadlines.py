"""The two SP4N-LAPOR! deadlines (Pedoman C): verification within 3 working
days, follow-up within 5, each the end of that working day after the day of
the report, on the Pemda's calendar (weekends, national holidays, cuti
bersama, regional holidays, Ramadan hours). The desk's first response
stops the verification clock, the solution the follow-up clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spbe.clocks import actions as clocks
from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.lapor import actions
from spbe.lapor.tests.conftest import at
from spbe.policy.calendars import working_day_end
from spbe.policy.models import HolidayAction, HolidayChange, SpecialPeriod


def lapor_ticket(service, actor, reported_at, tracking="LPR1"):
    ticket = desk.open_ticket(
        actor=actor, service=service, kind=TicketKind.COMPLAINT, reporter=Reporter("Budi"), subject="Galat",
        description="Galat 500", reporting_method=ReportingMethod.LAPOR, impact="minor", reported_at=reported_at,
        lapor_tracking_id=tracking,
    )  # fmt: skip
    actions.start_lapor_clocks(actor, ticket)
    return ticket


def lapor_clocks(ticket):
    return {c.kind: c for c in desk.ticket_clocks(ticket).filter(kind__in=actions.LAPOR_CLOCKS)}


def due(ticket):
    found = lapor_clocks(ticket)
    return found[ClockKind.LAPOR_VERIFICATION].due_at, found[ClockKind.LAPOR_FOLLOW_UP].due_at


@pytest.fixture(autouse=True)
def _late_enough(time_machine):
    time_machine.move_to(at(2026, 12, 1, 12, 0), tick=False)


def test_across_a_weekend(world, service):
    """Friday 20 Nov 15:50: Mon, Tue, Wed → verification due Wed 25 Nov at
    the end of the day (16:00); Thu, Fri → follow-up Fri 27 Nov 16:30
    (Friday's longer hours, Perpres 21/2023)."""
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 20, 15, 50))
    assert due(ticket) == (at(2026, 11, 25, 16, 0), at(2026, 11, 27, 16, 30))
    clock = lapor_clocks(ticket)[ClockKind.LAPOR_VERIFICATION]
    assert (clock.calendar, clock.started_at) == ("working_hours", at(2026, 11, 20, 15, 50))


def test_a_report_on_saturday_counts_from_monday(world, service):
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 21, 10, 0))
    assert due(ticket) == (at(2026, 11, 25, 16, 0), at(2026, 11, 27, 16, 30))


def test_the_day_of_the_report_never_counts_even_at_opening_time(world, service):
    """Monday 23 Nov 07:30 is still day 0: verification due Thu 26 Nov."""
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 23, 7, 30))
    assert due(ticket) == (at(2026, 11, 26, 16, 0), at(2026, 11, 30, 16, 0))


def test_across_a_national_holiday_and_its_cuti_bersama(world, service):
    """Wed 13 May 2026: Thu 14 (Kenaikan Yesus Kristus) and Fri 15 (cuti
    bersama) are closed, then the weekend: Mon 18, Tue 19, Wed 20 →
    verification Wed 20 May 16:00; Thu 21, Fri 22 → follow-up Fri 22 May 16:30."""
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 5, 13, 10, 0))
    assert due(ticket) == (at(2026, 5, 20, 16, 0), at(2026, 5, 22, 16, 30))


def test_a_regional_holiday_of_the_pemda_moves_the_deadline(world, service):
    HolidayChange.objects.create(
        pemda=world.yogya, date=date(2026, 11, 24), action=HolidayAction.ADD, name="Libur daerah uji",
        reason="Uji", created_by=world.coordinator,
    )  # fmt: skip
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 20, 15, 50))
    assert due(ticket) == (at(2026, 11, 26, 16, 0), at(2026, 11, 30, 16, 0))


def test_in_ramadan_a_working_day_ends_earlier(world, service):
    """Mon 2 Mar 2026 in Ramadan (08:00–15:00): verification Thu 5 Mar 15:00."""
    SpecialPeriod.objects.create(
        pemda=world.yogya, name="Ramadan 2026", date_from=date(2026, 2, 19), date_to=date(2026, 3, 17)
    )
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 3, 2, 9, 0))
    verification, _follow_up = due(ticket)
    assert verification == at(2026, 3, 5, 15, 0)
    # Wed 18 is cuti bersama (Nyepi), Thu 19 Nyepi … the follow-up waits for Wed 25 Mar
    assert working_day_end(world.yogya, at(2026, 3, 16, 9, 0), 5) == at(2026, 3, 30, 16, 0)


def test_the_clocks_start_once(world, service):
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 20, 15, 50))
    assert actions.start_lapor_clocks(world.owner_admin, ticket) == []
    assert len(lapor_clocks(ticket)) == 2
    ticket.refresh_from_db()
    assert ticket.next_due <= at(2026, 11, 25, 16, 0)  # the queue's countdown sees them


def test_the_first_response_stops_verification_and_the_solution_stops_follow_up(world, service):
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 20, 15, 50))
    desk.respond(world.owner_admin, ticket, "Laporan diverifikasi.", at=at(2026, 11, 24, 9, 0))
    found = lapor_clocks(ticket)
    assert found[ClockKind.LAPOR_VERIFICATION].state == ClockState.MET
    assert found[ClockKind.LAPOR_FOLLOW_UP].state == ClockState.RUNNING
    desk.resolve(world.owner_admin, ticket, "Antrean dipulihkan.", at=at(2026, 11, 30, 8, 0))
    follow_up = lapor_clocks(ticket)[ClockKind.LAPOR_FOLLOW_UP]
    assert (follow_up.state, follow_up.stopped_at) == (ClockState.BREACHED, at(2026, 11, 30, 8, 0))


def test_a_late_verification_is_breached_by_the_periodic_check(world, service):
    ticket = lapor_ticket(service, world.owner_admin, at(2026, 11, 20, 15, 50))
    verification = lapor_clocks(ticket)[ClockKind.LAPOR_VERIFICATION]
    clocks.check_clock(verification, at(2026, 11, 25, 16, 0) + timedelta(seconds=1))
    verification.refresh_from_db()
    assert verification.state == ClockState.BREACHED
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0  # only the resolution clocks escalate (E-3); LAPOR! notes on the timeline
    assert ticket.timeline.filter(kind="clock", message__contains="Verifikasi SP4N-LAPOR!").exists()
