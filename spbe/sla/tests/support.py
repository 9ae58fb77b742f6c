"""Shared calendars, helpers and Hypothesis strategies for the SLA tests.

Calendars are built once per test session: compiling them is the expensive
part, and the engine caches compiled years on the calendar object.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ..calendars import pemda_calendar, twenty_four_seven
from ..schedule import Calendar, SpecialPeriod

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

#: Default Pemda calendars: Perpres 21/2023 hours, Ramadan ranges, national
#: holidays and cuti bersama 2025-2027 (the ``holidays`` package's real data).
JAKARTA = pemda_calendar([2025, 2026, 2027], "Asia/Jakarta")
JAYAPURA = pemda_calendar([2025, 2026, 2027], "Asia/Jayapura")
ALWAYS = twenty_four_seven("Asia/Jakarta")
#: A zone with daylight saving: Indonesia has none, the engine must not care.
BERLIN = Calendar(
    "Europe/Berlin",
    {
        **{day: [(time(8), time(12)), (time(13), time(17))] for day in range(5)},
        6: [(time(0), time(0))],  # whole Sundays: 23 h and 25 h on DST days
    },
    closed_dates={date(2026, 12, 25): "Weihnachten"},
)

# No example database: tests must not write outside the repository's sla/ dir.
PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def at(zone: ZoneInfo, *args: int) -> datetime:
    """An aware local datetime, e.g. ``at(WIB, 2026, 3, 20, 9, 0)``."""
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


_LO = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
_HI = int(datetime(2027, 7, 1, tzinfo=UTC).timestamp())


def instants(step: int = 1) -> st.SearchStrategy[datetime]:
    """Instants in 2025 .. mid-2027, on multiples of ``step`` seconds."""
    return st.integers(_LO // step, _HI // step).map(lambda n: utc(n * step))


def durations(max_seconds: int = 30 * 86_400, step: int = 1) -> st.SearchStrategy[timedelta]:
    return st.integers(0, max_seconds // step).map(lambda n: timedelta(seconds=n * step))


def pause_lists(step: int = 1) -> st.SearchStrategy[list[tuple[datetime, datetime]]]:
    """Up to four pauses of up to ten days, possibly overlapping each other."""
    pause = st.tuples(instants(step), st.integers(0, 10 * 86_400 // step)).map(
        lambda p: (p[0], p[0] + timedelta(seconds=p[1] * step))
    )
    return st.lists(pause, max_size=4)


@st.composite
def day_hours(draw: st.DrawFn, step: int) -> list[tuple[time, time]]:
    """0-3 disjoint intervals in a day, boundaries on multiples of ``step`` s."""
    count = draw(st.integers(0, 3))
    bounds = sorted(draw(st.lists(st.integers(0, 86_400 // step), min_size=2 * count, max_size=2 * count, unique=True)))
    return [(_clock(bounds[k] * step), _clock(bounds[k + 1] * step)) for k in range(0, len(bounds), 2)]


def _weekly_seconds(week: dict[int, list[tuple[time, time]]]) -> int:
    total = 0
    for intervals in week.values():
        for start, end in intervals:
            a = start.hour * 3600 + start.minute * 60 + start.second
            total += (end.hour * 3600 + end.minute * 60 + end.second or 86_400) - a
    return total


def _clock(seconds: int) -> time:
    seconds %= 86_400  # 24:00 is written 00:00 as an end
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


@st.composite
def calendars(draw: st.DrawFn, step: int = 1) -> Calendar:
    """Random calendars in Indonesian zones: hours, a special period, holidays."""
    week = {day: draw(day_hours(step)) for day in range(7)}
    if _weekly_seconds(week) < 8 * 3600:
        # Too sparse for 30-day targets within the engine's 10-year horizon.
        week[2] = [(time(8), time(16))]
    days = st.dates(date(2025, 1, 1), date(2027, 6, 30))
    specials = []
    if draw(st.booleans()):
        first = draw(days)
        length = draw(st.integers(0, 60))
        special_week = {day: draw(day_hours(step)) for day in range(7)}
        specials.append(SpecialPeriod(first, first + timedelta(days=length), special_week, "special"))
    closed = draw(st.frozensets(days, max_size=40))
    zone = draw(st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]))
    return Calendar(zone, week, specials, closed)
