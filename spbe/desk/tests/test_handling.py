"""Handling a complaint (O-2, E-3): analysis and estimate, escalation (by
hand and when the resolution target is at risk), waiting for the reporter,
solution, confirmation with a rating, reopening, and closing by silence."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from spbe.clocks.actions import check_due_clocks
from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions
from spbe.desk.choices import TicketStatus
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage

WIB = ZoneInfo("Asia/Jakarta")


def at(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def ticket(world, kritis_public):  # noqa: F811
    """Reported Mon 16 Nov 2026 08:00; Tegal's P-1 target for a critical
    public service is 24 working hours."""
    return complaint(kritis_public, world.tegal_admin, reported_at=at(2026, 11, 16, 8, 0))


def clock(ticket, kind):
    return actions.ticket_clocks(ticket).get(kind=kind)


def test_analysis_and_estimate_are_recorded(world, ticket):
    actions.record_analysis(world.tegal_admin, ticket, "Basis data penuh", at(2026, 11, 16, 12, 0))
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.timeline.filter(kind="analysis", public=False).exists()
    with pytest.raises(ValidationError):
        actions.record_analysis(world.tegal_admin, ticket, "x", at(2026, 11, 15, 12, 0))


def test_beyond_the_estimate_the_infra_admin_takes_over_and_may_flag_drp(world, ticket):
    actions.hand_over(world.tegal_admin, ticket, world.vendor, "Di luar perkiraan")
    actions.flag_drp_assessment(world.vendor, ticket, "Server utama rusak")
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.infra_admin, ticket.drp_assessment) == (0, world.vendor, True)
    assert OutboxMessage.objects.filter(key=f"ticket-{ticket.pk}-handover-{world.vendor.pk}").exists()


def test_escalation_never_goes_down(world, ticket):
    actions.escalate(world.tegal_admin, ticket, 2, "Belum selesai")
    actions.escalate(world.tegal_admin, ticket, 1, "Salah klik")
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2


def test_resolution_target_at_risk_escalates_by_itself(world, ticket):
    """24 working hours from Mon 08:00 (Mon–Thu 7.5 h/day, Fri 7.5 h): 75 %
    (18 h) falls on Wed, 90 % on Thu, the breach later on Thu."""
    user_service = clock(ticket, ClockKind.USER_SERVICE)
    check_due_clocks(user_service.next_check_at)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    check_due_clocks(user_service.due_at + timedelta(minutes=1))
    ticket.refresh_from_db()
    assert ticket.escalation_level == 3
    automatic = ticket.timeline.filter(kind="escalated", data__automatic=True).order_by("id")
    assert [event.data["level"] for event in automatic] == [1, 2, 3]


def test_waiting_for_the_reporter_pauses_the_user_service_clock(world, ticket):
    due = clock(ticket, ClockKind.USER_SERVICE).due_at
    actions.wait_for_reporter(world.tegal_admin, ticket, "Mohon kirim tangkapan layar", at=at(2026, 11, 16, 9, 0))
    assert clock(ticket, ClockKind.USER_SERVICE).state == ClockState.PAUSED
    actions.reporter_replied(world.citizen, ticket, "Terlampir", at=at(2026, 11, 16, 11, 0))
    assert clock(ticket, ClockKind.USER_SERVICE).due_at == due + timedelta(hours=2)


def test_solution_confirmation_and_rating(world, ticket):
    actions.respond(world.tegal_admin, ticket, "Diterima", at=at(2026, 11, 16, 8, 5))
    actions.resolve(world.tegal_admin, ticket, "Ruang disk ditambah", cause="Disk penuh", at=at(2026, 11, 16, 10, 0))
    assert clock(ticket, ClockKind.USER_SERVICE).state == ClockState.PAUSED
    actions.confirm(world.citizen, ticket, 5, "Cepat", at=at(2026, 11, 17, 9, 0))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == (TicketStatus.CLOSED, 5)
    assert ticket.reporter_confirmed_at == at(2026, 11, 17, 9, 0)
    assert clock(ticket, ClockKind.USER_SERVICE).state == ClockState.MET
    with pytest.raises(ValidationError):
        actions.confirm(world.citizen, ticket, 4)  # a confirmation counts once


def test_a_bad_rating_is_refused(world, ticket):
    actions.resolve(world.tegal_admin, ticket, "Selesai")
    with pytest.raises(ValidationError):
        actions.confirm(world.citizen, ticket, 9)


def test_reopening_resumes_the_clocks(world, ticket):
    actions.resolve(world.tegal_admin, ticket, "Sudah", at=at(2026, 11, 16, 10, 0))
    actions.reopen(world.citizen, ticket, "Masih error", at=at(2026, 11, 16, 13, 0))
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert clock(ticket, ClockKind.USER_SERVICE).state == ClockState.RUNNING


def test_a_transition_not_allowed_from_the_current_state_is_refused(world, ticket):
    with pytest.raises(ValidationError, match="Tidak dapat dilakukan"):
        actions.reopen(world.citizen, ticket, "?")


def test_silence_closes_after_the_packs_working_days(world, ticket):
    """Resolved Fri 20 Nov 2026 10:00; Tegal's pack: 5 working days →
    closes at the end of Fri 27 Nov (16:30)."""
    actions.resolve(world.tegal_admin, ticket, "Selesai", at=at(2026, 11, 20, 10, 0))
    assert actions.auto_close_instant(ticket) == at(2026, 11, 27, 16, 30)
    assert actions.close_unconfirmed(at(2026, 11, 27, 16, 0)) == []
    [closed] = actions.close_unconfirmed(at(2026, 11, 27, 16, 31))
    assert closed.status == TicketStatus.CLOSED
    assert closed.reporter_confirmed_at is None
    assert closed.timeline.filter(kind="closed", data__automatic=True).exists()
