"""The admin-facing "why" of a deadline (Pedoman P-1, P-3, E-3)."""

from datetime import date, time, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from ..engine import Calendar, deadline
from ..explain import ClosedKind, explain
from .support import JAKARTA, JAYAPURA, PROPERTIES, WIB, at, durations, instants


def test_idul_fitri_block_lists_each_holiday_by_name():
    """E-3: a complaint in the Lebaran block waits; the view says why, by name."""
    why = explain(at(WIB, 2026, 3, 20, 9, 0), timedelta(hours=1), JAKARTA)
    assert why.moved_to_next_opening
    assert why.effective_start == at(WIB, 2026, 3, 25, 7, 30)
    assert why.deadline == at(WIB, 2026, 3, 25, 8, 30)
    assert [(c.kind, c.name, c.start.date()) for c in why.closed] == [
        (ClosedKind.HOLIDAY, "Cuti Bersama Hari Raya Idul Fitri", date(2026, 3, 20)),
        (ClosedKind.HOLIDAY, "Hari Raya Idul Fitri", date(2026, 3, 21)),
        (ClosedKind.HOLIDAY, "Hari kedua dari Hari Raya Idul Fitri", date(2026, 3, 22)),
        (ClosedKind.HOLIDAY, "Cuti Bersama Hari Raya Idul Fitri", date(2026, 3, 23)),
        (ClosedKind.OUTSIDE_HOURS, "", date(2026, 3, 25)),
    ]
    assert why.closed[3].end == at(WIB, 2026, 3, 25)  # 23 and 24 March joined
    assert why.special_periods == ("Ramadan 2026",)


def test_friday_afternoon_skips_night_weekend_and_morning():
    """P-3 on working hours: Fri 15:50 + 1 h, told step by step."""
    why = explain(at(WIB, 2026, 1, 9, 15, 50), timedelta(hours=1), JAKARTA)
    assert not why.moved_to_next_opening
    assert why.deadline == at(WIB, 2026, 1, 12, 7, 50)
    assert [(c.kind, c.start, c.end) for c in why.closed] == [
        (ClosedKind.OUTSIDE_HOURS, at(WIB, 2026, 1, 9, 16, 30), at(WIB, 2026, 1, 10)),
        (ClosedKind.DAY_OFF, at(WIB, 2026, 1, 10), at(WIB, 2026, 1, 12)),
        (ClosedKind.OUTSIDE_HOURS, at(WIB, 2026, 1, 12), at(WIB, 2026, 1, 12, 7, 30)),
    ]


def test_break_and_pause_are_reported():
    pause = (at(WIB, 2026, 1, 12, 9, 0), at(WIB, 2026, 1, 12, 10, 0))
    why = explain(at(WIB, 2026, 1, 12, 11, 0), timedelta(hours=2), JAKARTA, [pause])
    assert why.deadline == at(WIB, 2026, 1, 12, 14, 0)  # 11-12, break, 13-14
    assert [c.kind for c in why.closed] == [ClosedKind.BREAK]
    assert why.paused == ()  # the pause ended before the start: it changed nothing
    why = explain(at(WIB, 2026, 1, 12, 8, 0), timedelta(hours=2), JAKARTA, [pause])
    assert why.paused == ((at(WIB, 2026, 1, 12, 9, 0), at(WIB, 2026, 1, 12, 10, 0)),)
    assert why.deadline == deadline(at(WIB, 2026, 1, 12, 8, 0), timedelta(hours=2), JAKARTA, [pause])


def test_explanation_agrees_with_deadline_on_a_plain_calendar():
    cal = Calendar("Asia/Jakarta", {d: [(time(8), time(16))] for d in range(5)})
    start = at(WIB, 2026, 1, 9, 20, 0)
    why = explain(start, timedelta(hours=10), cal)
    assert why.deadline == deadline(start, timedelta(hours=10), cal)
    assert why.effective_start == at(WIB, 2026, 1, 12, 8, 0)
    assert why.closed[0].start == start  # the wait before the effective start is listed


def test_new_year_holiday_at_the_start_of_a_compiled_year_is_listed():
    """The wait before the very first interval of a year is explained too."""
    week = {day: [(time(8), time(16))] for day in range(5)}
    cal = Calendar("Asia/Jakarta", week, closed_dates={date(2027, 1, 1): "Tahun Baru"})
    why = explain(at(WIB, 2027, 1, 1, 9, 0), timedelta(hours=1), cal)
    assert [(c.kind, c.name) for c in why.closed][:2] == [
        (ClosedKind.HOLIDAY, "Tahun Baru"),
        (ClosedKind.DAY_OFF, ""),
    ]
    assert why.effective_start == at(WIB, 2027, 1, 4, 8, 0)


@settings(PROPERTIES, max_examples=60)
@given(cal=st.sampled_from([JAKARTA, JAYAPURA]), start=instants(), duration=durations())
def test_closed_periods_account_for_all_waiting(cal, start, duration):
    """Deadline - start = the target + every closed period listed: nothing hidden."""
    why = explain(start, duration, cal)
    closed = sum((c.end - c.start for c in why.closed), timedelta(0))
    assert why.deadline == deadline(start, duration, cal)
    assert why.deadline - start.replace(microsecond=0) == duration + closed
    assert all(a.end <= b.start for a, b in pairwise(why.closed))
