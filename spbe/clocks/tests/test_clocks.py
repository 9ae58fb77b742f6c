"""SLA clocks (P-1, P-3, E-3): due instants on the Pemda's calendar, pauses
that push the deadline, warnings at 75 % and 90 %, a breach recorded once,
and the policy version that computed each target kept forever."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spbe.clocks import actions
from spbe.clocks.choices import ClockEventKind, ClockKind, ClockState
from spbe.clocks.models import Clock, ClockEvent
from spbe.clocks.tasks import check_clocks
from spbe.policy import versions

WIB = ZoneInfo("Asia/Jakarta")


def at(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def clock(world, packs):
    """A 3 h E-3 resolution-kind clock started Mon 16 Nov 2026 08:00 WIB on
    working hours: 08:00–11:00 → due 11:00 the same morning."""
    return actions.start_clock(
        pemda=world.tegal, kind=ClockKind.SLA_RESOLUTION, target=timedelta(hours=3), started_at=at(2026, 11, 16, 8)
    )


def kinds(clock):
    return list(clock.events.values_list("kind", "threshold"))


def test_due_instant_and_policy_version_are_recorded(clock, packs):
    assert clock.due_at == at(2026, 11, 16, 11)
    assert clock.policy_version == packs["kabupaten-tegal-perbup-10-2024"]
    assert clock.calendar == "working_hours"
    assert clock.warning_thresholds == [75, 90]
    assert kinds(clock) == [("started", None)]


def test_amending_the_pack_does_not_rewrite_a_running_clock(world, packs, clock):
    new = versions.amend(
        packs["kabupaten-tegal-perbup-10-2024"], "working_hours.monday", ["07:30-09:00"], reason="uji",
        legal_basis="uji", actor=None,
    )  # fmt: skip
    world.tegal.policy_version = new
    world.tegal.save()
    clock.refresh_from_db()
    assert clock.policy_version.number == 1
    assert clock.due_at == at(2026, 11, 16, 11)


def test_pauses_push_the_deadline_by_the_business_time_paused(clock):
    """Paused 09:00–10:30 (1.5 h of working time): due 11:00 → 12:30, which
    falls into the 12:00–13:00 break, so 30 min carry to 13:30."""
    actions.pause_clock(clock, at(2026, 11, 16, 9))
    clock = actions.resume_clock(clock, at(2026, 11, 16, 10, 30))
    assert clock.due_at == at(2026, 11, 16, 13, 30)
    assert clock.state == ClockState.RUNNING
    assert [k for k, _ in kinds(clock)] == ["started", "paused", "resumed"]


def test_kinds_the_pack_does_not_pause_keep_running(world, packs):
    response = actions.start_clock(
        pemda=world.tegal, kind=ClockKind.SLA_RESPONSE, target=timedelta(hours=3), started_at=at(2026, 11, 16, 8)
    )
    assert actions.pause_clock(response, at(2026, 11, 16, 9)).state == ClockState.RUNNING
    assert kinds(response) == [("started", None)]


def test_warnings_fire_at_75_and_90_percent_once_each(clock):
    """75 % of 3 h = 2 h 15 min → 10:15; 90 % = 2 h 42 min → 10:42."""
    assert clock.next_check_at == at(2026, 11, 16, 10, 15)
    assert actions.check_clock(clock, at(2026, 11, 16, 10, 0)) == []
    first = actions.check_clock(clock, at(2026, 11, 16, 10, 20))
    assert [(e.kind, e.threshold) for e in first] == [("warning", 75)]
    assert actions.check_clock(clock, at(2026, 11, 16, 10, 21)) == []
    clock.refresh_from_db()
    assert clock.next_check_at == at(2026, 11, 16, 10, 42)
    second = actions.check_clock(clock, at(2026, 11, 16, 10, 45))
    assert [(e.kind, e.threshold) for e in second] == [("warning", 90)]


def test_breach_is_recorded_once_at_the_due_instant(clock):
    events = actions.check_clock(clock, at(2026, 11, 16, 11, 5))
    assert [e.kind for e in events] == ["warning", "warning", "breached"]
    assert actions.check_clock(clock, at(2026, 11, 16, 11, 6)) == []
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == at(2026, 11, 16, 11)
    actions.stop_clock(clock, at(2026, 11, 16, 14))
    assert ClockEvent.objects.filter(clock=clock, kind=ClockEventKind.BREACHED).count() == 1


def test_stopping_in_time_is_met(clock):
    clock = actions.stop_clock(clock, at(2026, 11, 16, 10, 59))
    assert clock.state == ClockState.MET
    assert clock.next_check_at is None


def test_stopping_late_without_a_check_is_still_a_breach(clock):
    clock = actions.stop_clock(clock, at(2026, 11, 17, 8))
    assert clock.state == ClockState.BREACHED
    assert clock.breached_at == at(2026, 11, 16, 11)


def test_stopping_while_paused_closes_the_pause(clock):
    actions.pause_clock(clock, at(2026, 11, 16, 9))
    clock = actions.stop_clock(clock, at(2026, 11, 16, 15))
    assert clock.state == ClockState.MET  # only 1 h of business time ran
    assert actions.business_elapsed(clock, at(2026, 11, 20, 8)) == timedelta(hours=1)


def test_a_clock_started_on_a_holiday_waits_for_the_next_working_day(world, packs):
    """E-3 'outside working hours: by the next working day': Sat 19 Dec
    2026 → the clock starts Mon 21 Dec 07:30; 3 h → 10:30."""
    clock = actions.start_clock(
        pemda=world.tegal, kind=ClockKind.SLA_RESPONSE, target=timedelta(hours=3), started_at=at(2026, 12, 19, 9)
    )
    assert clock.due_at == at(2026, 12, 21, 10, 30)


def test_support_hours_need_the_services_calendar(world, packs):
    with pytest.raises(actions.ClockError):
        actions.start_clock(
            pemda=world.tegal, kind=ClockKind.RESPONSE, target=timedelta(minutes=15), started_at=at(2026, 11, 16, 8)
        )
    clock = actions.start_clock(
        pemda=world.tegal, kind=ClockKind.RESPONSE, target=timedelta(minutes=15), started_at=at(2026, 11, 16, 8),
        calendar="24x7",
    )  # fmt: skip
    assert clock.due_at == at(2026, 11, 16, 8, 15)


def test_periodic_task_checks_only_due_clocks_and_is_idempotent(clock, world, time_machine):
    later = actions.start_clock(
        pemda=world.tegal, kind=ClockKind.SLA_RESOLUTION, target=timedelta(hours=30), started_at=at(2026, 11, 16, 8)
    )
    time_machine.move_to(at(2026, 11, 16, 11, 30), tick=False)
    assert check_clocks() == 3  # two warnings and the breach of the 3 h clock
    assert check_clocks() == 0
    assert Clock.objects.get(pk=later.pk).state == ClockState.RUNNING
    assert date(2026, 11, 16) == Clock.objects.get(pk=clock.pk).breached_at.astimezone(WIB).date()
