"""Properties every SLA clock must have (Pedoman P-1, P-3, E-3).

Hypothesis searches for counter-examples over random instants, business
durations up to 30 days, overlapping pauses, and random calendars (including
ones with second-level boundaries), beside the default Pemda calendars.
"""

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ..engine import deadline, elapsed, is_open
from ..schedule import Calendar
from .support import ALWAYS, BERLIN, JAKARTA, JAYAPURA, PROPERTIES, calendars, durations, instants, pause_lists

ONE = timedelta(seconds=1)
fixed_calendars = st.sampled_from([JAKARTA, JAYAPURA, ALWAYS, BERLIN])
any_calendar = st.one_of(fixed_calendars, calendars())


def _due(start: datetime, duration: timedelta, cal: Calendar, pauses=()) -> datetime:
    return deadline(start, duration, cal, pauses)


@PROPERTIES
@given(cal=any_calendar, start=instants(), duration=durations())
def test_elapsed_until_deadline_is_the_duration(cal, start, duration):
    """P-1/P-3: the clock measured up to the deadline shows exactly the target."""
    assert elapsed(start, _due(start, duration, cal), cal) == duration


@PROPERTIES
@given(cal=any_calendar, start=instants(), duration=durations(), pauses=pause_lists())
def test_elapsed_until_paused_deadline_is_the_duration(cal, start, duration, pauses):
    """P-1: paused time (waiting for the reporter) counts neither way."""
    due = _due(start, duration, cal, pauses)
    assert elapsed(start, due, cal, pauses) == duration


@PROPERTIES
@given(cal=any_calendar, start=instants(), duration=durations(), pauses=pause_lists())
def test_deadline_is_the_first_instant_the_target_is_reached(cal, start, duration, pauses):
    """Boundary rule: one second earlier, the target was not yet reached."""
    due = _due(start, duration, cal, pauses)
    if duration:
        assert elapsed(start, due - ONE, cal, pauses) < duration


@PROPERTIES
@given(cal=any_calendar, start=instants(), duration=durations(), pauses=pause_lists())
def test_deadline_never_lands_inside_closed_time(cal, start, duration, pauses):
    """E-3 boundary rule: due at an open instant or exactly at a closing time.

    For a non-zero target the last second before the deadline was open (the
    clock ran out in it); a zero target is due at the effective start, which
    is open.
    """
    due = _due(start, duration, cal, pauses)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    assert due >= start.replace(microsecond=0)
    if duration:
        assert is_open(due - ONE, cal)
    else:
        assert is_open(due, cal)


@PROPERTIES
@given(cal=any_calendar, a=instants(), b=instants(), duration=durations())
def test_deadline_is_monotone_in_start(cal, a, b, duration):
    """A later complaint is never due earlier (P-3)."""
    a, b = sorted([a, b])
    assert _due(a, duration, cal) <= _due(b, duration, cal)


@PROPERTIES
@given(cal=any_calendar, start=instants(), d1=durations(), d2=durations())
def test_deadline_is_monotone_in_duration(cal, start, d1, d2):
    """A longer target (lower priority, P-3) is never due earlier."""
    d1, d2 = sorted([d1, d2])
    assert _due(start, d1, cal) <= _due(start, d2, cal)


@PROPERTIES
@given(cal=any_calendar, start=instants(), duration=durations(), pauses=pause_lists())
def test_pauses_only_push_a_deadline_later(cal, start, duration, pauses):
    """P-1: a pause can never make a ticket due sooner."""
    assert _due(start, duration, cal, pauses) >= _due(start, duration, cal)


@PROPERTIES
@given(cal=any_calendar, a=instants(), b=instants(), c=instants(), pauses=pause_lists())
def test_elapsed_is_additive(cal, a, b, c, pauses):
    """E-2 recaps add up: splitting a period never gains or loses time."""
    assert elapsed(a, b, cal, pauses) + elapsed(b, c, cal, pauses) == elapsed(a, c, cal, pauses)


@PROPERTIES
@given(cal=any_calendar, a=instants(), b=instants(), pauses=pause_lists())
def test_elapsed_is_bounded_by_wall_clock_time(cal, a, b, pauses):
    """Business time never exceeds calendar time, and paused time only removes."""
    a, b = sorted([a, b])
    measured = elapsed(a, b, cal, pauses)
    assert timedelta(0) <= measured <= elapsed(a, b, cal) <= b - a


@PROPERTIES
@given(cal=any_calendar, start=instants(), pauses=pause_lists())
def test_duplicated_pauses_are_subtracted_once(cal, start, pauses):
    """Overlapping pauses must not be subtracted twice."""
    end = start + timedelta(days=20)
    assert elapsed(start, end, cal, pauses + pauses) == elapsed(start, end, cal, pauses)


@PROPERTIES
@given(start=instants(), duration=durations())
def test_twenty_four_seven_is_wall_clock_time(start, duration):
    """P-3 on calendar time: the deadline is simply start + duration."""
    assert _due(start, duration, ALWAYS) == start.replace(microsecond=0) + duration
