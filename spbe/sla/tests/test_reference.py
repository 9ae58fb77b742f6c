"""Cross-check of the engine against a naive minute-stepping reference (P-1, P-3, E-3).

The reference walks wall-clock minutes one by one and asks, for each, whether
the calendar is open then -- obviously right, hopelessly slow.  Inputs and
calendar boundaries are whole minutes so both must agree exactly.
"""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ..engine import deadline, elapsed, is_open
from ..schedule import Calendar
from .support import BERLIN, JAKARTA, JAYAPURA, PROPERTIES, calendars, durations, instants, pause_lists, utc

MINUTE = 60
Pauses = list[tuple[datetime, datetime]]


def ref_is_open(cal: Calendar, ts: int) -> bool:
    """Open iff the local wall time falls inside one of that date's intervals."""
    local = datetime.fromtimestamp(ts, ZoneInfo(cal.tz))
    day = local.date()
    if day in cal.closed_dates:
        return False
    wall = local.hour * 3600 + local.minute * 60 + local.second
    for start, end in cal.schedule_on(day)[day.weekday()]:
        a = start.hour * 3600 + start.minute * 60
        b = end.hour * 3600 + end.minute * 60 or 86_400  # 00:00 as an end is 24:00
        if a <= wall < b:
            return True
    return False


def _paused(pauses: Pauses, ts: int) -> bool:
    return any(p0.timestamp() <= ts < p1.timestamp() for p0, p1 in pauses)


def ref_deadline(cal: Calendar, start: datetime, duration: timedelta, pauses: Pauses) -> datetime:
    """Step minute by minute; the deadline is the end of the last counted minute."""
    t = int(start.timestamp())
    remaining = int(duration.total_seconds()) // MINUTE
    if remaining == 0:
        while not ref_is_open(cal, t):
            t += MINUTE
        return utc(t)
    while True:
        if ref_is_open(cal, t) and not _paused(pauses, t):
            remaining -= 1
            if remaining == 0:
                return utc(t + MINUTE)
        t += MINUTE


def ref_elapsed(cal: Calendar, start: datetime, end: datetime, pauses: Pauses) -> timedelta:
    a, b = int(start.timestamp()), int(end.timestamp())
    counted = sum(1 for t in range(a, b, MINUTE) if ref_is_open(cal, t) and not _paused(pauses, t))
    return timedelta(minutes=counted)


# Minute-aligned inputs; targets up to 2 working days keep the reference fast.
CROSS_CHECK = settings(PROPERTIES, max_examples=120)
minute_calendars = st.one_of(st.sampled_from([JAKARTA, JAYAPURA, BERLIN]), calendars(step=MINUTE))
short_durations = durations(max_seconds=16 * 3600, step=MINUTE)


@CROSS_CHECK
@given(cal=minute_calendars, start=instants(MINUTE), duration=short_durations, pauses=pause_lists(MINUTE))
def test_deadline_matches_minute_stepping_reference(cal, start, duration, pauses):
    """P-3 response targets: the fast engine equals the obvious walk."""
    assert deadline(start, duration, cal, pauses) == ref_deadline(cal, start, duration, pauses)


@CROSS_CHECK
@given(
    cal=minute_calendars,
    start=instants(MINUTE),
    span=st.integers(0, 6 * 24 * 60),
    pauses=pause_lists(MINUTE),
)
def test_elapsed_matches_minute_stepping_reference(cal, start, span, pauses):
    """P-1 user-service time measured over up to six days equals the count of open minutes."""
    end = start + timedelta(minutes=span)
    assert elapsed(start, end, cal, pauses) == ref_elapsed(cal, start, end, pauses)


@CROSS_CHECK
@given(cal=minute_calendars, at=instants(MINUTE))
def test_is_open_matches_reference(cal, at):
    """E-3 distinguishes within and outside working hours: both must agree."""
    assert is_open(at, cal) == ref_is_open(cal, int(at.timestamp()))


def test_reference_agrees_over_a_whole_dst_year():
    """Every Berlin hour of 2026, DST transitions included (nothing assumes no DST)."""
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    steps = [start + timedelta(hours=k) for k in range(0, 366 * 24, 7)]
    for a, b in pairwise(steps):
        assert elapsed(a, b, BERLIN) == ref_elapsed(BERLIN, a, b, []), a
    assert date(2026, 3, 29).weekday() == 6  # spring-forward Sunday is open all day
