"""Business-hours calendars and their compiled form (Pedoman P-3, E-3, C).

A :class:`Calendar` is the data a Pemda's policy pack holds about when SLA
clocks run (the Pedoman fixes none of it, see pedoman.md "D"): weekly hours in
local time, special periods such as Ramadan, and closed dates.  ``_Timeline``
compiles it lazily, one local year at a time, into sorted epoch-second
intervals with running totals, which :mod:`spbe.sla.engine` searches.

Pure Python, no Django import.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "HORIZON_YEARS",
    "WEEKDAY_NAMES",
    "Calendar",
    "CalendarError",
    "Interval",
    "NaiveDatetimeError",
    "SpecialPeriod",
    "Week",
    "WeekInput",
    "wall_to_epoch",
    "weekly_hours",
]

#: A deadline further than this many years past its start is treated as "the
#: calendar has (almost) no open time" rather than searched for forever.
HORIZON_YEARS = 10

WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_DAY = 86_400
_HOUR = 3600
_MIDNIGHT = time(0)
_HORIZON = HORIZON_YEARS * 366 * _DAY
# zoneinfo and datetime cannot go past these years; keep one year of margin.
_MIN_YEAR, _MAX_YEAR = 2, 9998

Interval = tuple[time, time]
#: Normalised weekly hours: 7 tuples (0 = Monday) of sorted (start, end) intervals.
Week = tuple[tuple[Interval, ...], ...]
WeekInput = Mapping[int, Iterable[Interval]] | Sequence[Iterable[Interval]]


class CalendarError(ValueError):
    """A calendar is malformed, or has no open time where an answer needs some."""


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given; the engine needs aware instants."""


# --------------------------------------------------------------------------
# Validation and normalisation of working hours


def _fmt(t: time, *, end: bool = False) -> str:
    if end and t == _MIDNIGHT:
        return "24:00"
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")


def _seconds_of_day(interval: Interval) -> tuple[int, int]:
    """Wall-clock seconds since midnight; an end of 00:00 means 24:00."""
    start, end = interval
    a = start.hour * 3600 + start.minute * 60 + start.second
    b = end.hour * 3600 + end.minute * 60 + end.second
    return a, (b or _DAY)


def _check_time(value: object, where: str) -> time:
    if not isinstance(value, time):
        raise CalendarError(f"{where}: {value!r} is not a datetime.time")
    if value.tzinfo is not None:
        raise CalendarError(f"{where}: {value} carries a time zone; the calendar's tz applies")
    if value.microsecond:
        raise CalendarError(f"{where}: {value} has fractions of a second; use whole seconds")
    return value


def _normalize_day(intervals: Iterable[Interval], where: str) -> tuple[Interval, ...]:
    checked: list[Interval] = []
    for item in intervals:
        try:
            start, end = item
        except (TypeError, ValueError):
            raise CalendarError(f"{where}: {item!r} is not a (start, end) pair") from None
        interval = (_check_time(start, where), _check_time(end, where))
        a, b = _seconds_of_day(interval)
        if b <= a:
            raise CalendarError(
                f"{where}: interval {_fmt(start)}-{_fmt(end, end=True)} ends before it starts or is empty "
                "(use 00:00 as the end for midnight; split overnight shifts over two days)"
            )
        checked.append(interval)
    checked.sort(key=_seconds_of_day)
    for before, after in pairwise(checked):
        if _seconds_of_day(before)[1] > _seconds_of_day(after)[0]:
            raise CalendarError(
                f"{where}: intervals {_fmt(before[0])}-{_fmt(before[1], end=True)} and "
                f"{_fmt(after[0])}-{_fmt(after[1], end=True)} overlap"
            )
    return tuple(checked)


def weekly_hours(value: WeekInput, where: str = "weekly hours") -> Week:
    """Validate and normalise weekly hours (Pedoman C: working hours are settings).

    ``value`` maps a weekday (0 = Monday .. 6 = Sunday) to its open intervals;
    a missing weekday is closed all day.  Breaks are the gaps between
    intervals.  An end of ``time(0)`` means midnight at the end of the day.
    Raises :class:`CalendarError` for an unknown weekday, an interval that ends
    before it starts, or overlapping intervals.
    """
    items = value.items() if isinstance(value, Mapping) else enumerate(value)
    days: list[tuple[Interval, ...]] = [()] * 7
    for weekday, intervals in items:
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(f"{where}: unknown weekday {weekday!r}; use 0 (Monday) to 6 (Sunday)")
        days[weekday] = _normalize_day(intervals, f"{where}, {WEEKDAY_NAMES[weekday]}")
    return tuple(days)


def _check_date(value: object, where: str) -> date:
    # datetime is a subclass of date; a datetime here is almost surely a mistake.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise CalendarError(f"{where}: {value!r} is not a datetime.date")
    return value


# --------------------------------------------------------------------------
# The calendar


@dataclass(frozen=True)
class SpecialPeriod:
    """Dates ``date_from``..``date_to`` (inclusive) that follow other weekly hours.

    Used for Ramadan working hours (Pedoman C, MenPANRB circulars); closed
    dates still win over a special period.
    """

    date_from: date
    date_to: date
    weekly: WeekInput
    name: str = ""

    def __post_init__(self) -> None:
        label = f"special period {self.name}" if self.name else "special period"
        where = f"{label} {self.date_from}..{self.date_to}"
        _check_date(self.date_from, where)
        _check_date(self.date_to, where)
        if self.date_to < self.date_from:
            raise CalendarError(f"{where}: ends before it starts")
        object.__setattr__(self, "weekly", weekly_hours(self.weekly, where))


@dataclass(frozen=True)
class Calendar:
    """When an SLA clock runs (Pedoman P-3 "waktu pelayanan bantuan", E-3, C).

    Immutable and hashable.  ``weekly`` is normalised by :func:`weekly_hours`;
    ``closed_dates`` may be a mapping of date to holiday name, in which case the
    names also feed :func:`explain`.  Compiled open intervals are cached on the
    instance, so build a calendar once and reuse it.
    """

    tz: str
    weekly: WeekInput
    special_periods: Sequence[SpecialPeriod] = ()
    closed_dates: Iterable[date] = frozenset()
    # Names only explain; they do not change when the clock runs.
    closed_date_names: Mapping[date, str] = field(default_factory=dict, compare=False)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _timeline: _Timeline = field(init=False, repr=False, compare=False)
    _has_hours: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise CalendarError(f"unknown time zone {self.tz!r}; use an IANA name such as 'Asia/Jakarta'") from None
        names = dict(self.closed_date_names)
        if isinstance(self.closed_dates, Mapping):
            names = {**self.closed_dates, **names}
        closed = frozenset(_check_date(d, "closed dates") for d in self.closed_dates)
        for day in names:
            if day not in closed:
                raise CalendarError(f"closed date names: {day} is named but not a closed date")
        set_ = object.__setattr__  # the dataclass is frozen; normalise once here
        set_(self, "_zone", zone)
        set_(self, "weekly", weekly_hours(self.weekly))
        set_(self, "special_periods", _check_special_periods(self.special_periods))
        set_(self, "closed_dates", closed)
        set_(self, "closed_date_names", MappingProxyType(names))
        set_(self, "_timeline", _Timeline(self))
        weeks = [self.weekly, *(p.weekly for p in self.special_periods)]
        set_(self, "_has_hours", any(any(days) for days in weeks))

    @classmethod
    def twenty_four_seven(cls, tz: str = "Asia/Jakarta") -> Calendar:
        """A calendar that is always open: calendar time (P-3 allows either)."""
        return cls(tz=tz, weekly={day: [(_MIDNIGHT, _MIDNIGHT)] for day in range(7)})

    @property
    def is_24x7(self) -> bool:
        full = ((_MIDNIGHT, _MIDNIGHT),)
        return all(day == full for day in self.weekly) and not self.closed_dates and not self.special_periods

    @property
    def has_hours(self) -> bool:
        """False when no weekday of any schedule has open time at all."""
        return self._has_hours

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """Open intervals on a local date (empty on a closed date)."""
        if day in self.closed_dates:
            return ()
        return self.schedule_on(day)[day.weekday()]

    def schedule_on(self, day: date) -> Week:
        """The weekly hours in force on a date (a special period's, or the default)."""
        for period in self.special_periods:
            if period.date_from <= day <= period.date_to:
                return period.weekly
        return self.weekly

    def __reduce__(self) -> tuple[object, ...]:
        # The compiled cache is rebuilt lazily; the mapping proxy cannot be pickled.
        args = (
            self.tz,
            self.weekly,
            self.special_periods,
            self.closed_dates,
            dict(self.closed_date_names),
        )
        return (type(self), args)


def _check_special_periods(
    periods: Iterable[SpecialPeriod],
) -> tuple[SpecialPeriod, ...]:
    periods = list(periods)
    for period in periods:
        if not isinstance(period, SpecialPeriod):
            raise CalendarError(f"special periods: {period!r} is not a SpecialPeriod")
    ordered = sorted(periods, key=lambda p: p.date_from)
    for before, after in pairwise(ordered):
        if after.date_from <= before.date_to:
            raise CalendarError(
                f"special periods {before.name or before.date_from} and {after.name or after.date_from} overlap"
            )
    return tuple(ordered)


# --------------------------------------------------------------------------
# Compilation: local years -> epoch-second intervals


def wall_to_epoch(wall: datetime, zone: ZoneInfo) -> int:
    """Epoch seconds of a naive local wall time: the first instant showing it.

    A wall time inside a DST gap maps to the end of the gap; an ambiguous one
    to its first occurrence (fold=0).
    """
    ts = int(wall.replace(tzinfo=zone).timestamp())
    if datetime.fromtimestamp(ts, zone).replace(tzinfo=None) == wall:
        return ts
    # Bisect between the instant before the gap (fold=1) and the one after it.
    lo, hi = int(wall.replace(tzinfo=zone, fold=1).timestamp()), ts
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def _year_intervals(cal: Calendar, year: int) -> tuple[list[int], list[int]]:
    """Open intervals of one local year, merged where they touch."""
    starts: list[int] = []
    ends: list[int] = []
    zone = cal._zone
    day = date(year, 1, 1)
    next_midnight = wall_to_epoch(datetime.combine(day, _MIDNIGHT), zone)
    while day.year == year:
        midnight, wall_midnight = next_midnight, datetime.combine(day, _MIDNIGHT)
        day += timedelta(days=1)
        next_midnight = wall_to_epoch(datetime.combine(day, _MIDNIGHT), zone)
        # A day of exactly 24 h has one UTC offset throughout, so wall-clock
        # seconds add directly; only DST-change days need the slow mapping.
        regular = next_midnight - midnight == _DAY
        for interval in cal.hours_on(day - timedelta(days=1)):
            a, b = _seconds_of_day(interval)
            if regular:
                start, end = midnight + a, midnight + b
            else:
                start = wall_to_epoch(wall_midnight + timedelta(seconds=a), zone)
                end = wall_to_epoch(wall_midnight + timedelta(seconds=b), zone)
            if end <= start:  # swallowed by a DST gap
                continue
            if ends and start <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
    return starts, ends


class _Snap(NamedTuple):
    """Contiguous compiled local years ``y0..y1`` (immutable).

    ``cum0[i]``/``cum1[i]`` are open seconds from local 1 January of ``y0`` to
    the start/end of interval ``i``.  A snapshot only ever grows forward from
    the same ``y0``, so positions from one stay valid in its successors.

    ``by_day[k]`` (``by_hour[m]``) is the first interval ending after
    ``lo + k`` days (reaching ``m`` hours of open time): bounds that narrow
    each binary search to a few intervals, a quarter of a deadline's cost.
    """

    y0: int
    y1: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cum0: list[int]
    cum1: list[int]
    by_day: list[int]
    by_hour: list[int]


class _Timeline:
    """Per-calendar cache of compiled years and the latest snapshot.

    No lock: snapshots are immutable and compiling a year twice yields the
    same lists, so a race only costs time.
    """

    __slots__ = ("cal", "current", "years")

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self.years: dict[int, tuple[list[int], list[int]]] = {}
        self.current: _Snap | None = None

    def year(self, year: int) -> tuple[list[int], list[int]]:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(f"year {year} is outside the supported range {_MIN_YEAR}..{_MAX_YEAR}")
        found = self.years.get(year)
        if found is None:
            found = self.years[year] = _year_intervals(self.cal, year)
        return found

    def local_year(self, ts: int) -> int:
        try:
            return datetime.fromtimestamp(ts, self.cal._zone).year
        except (OverflowError, ValueError, OSError):
            raise CalendarError(f"instant {ts} is outside the supported range") from None

    def build(self, y0: int, y1: int) -> _Snap:
        starts: list[int] = []
        ends: list[int] = []
        for year in range(y0, y1 + 1):
            ys, ye = self.year(year)
            for start, end in zip(ys, ye, strict=True):
                if ends and start <= ends[-1]:  # touching across New Year (24x7)
                    ends[-1] = end
                else:
                    starts.append(start)
                    ends.append(end)
        cum0: list[int] = []
        cum1: list[int] = []
        total = 0
        for start, end in zip(starts, ends, strict=True):
            cum0.append(total)
            total += end - start
            cum1.append(total)
        zone = self.cal._zone
        lo = wall_to_epoch(datetime.combine(date(y0, 1, 1), _MIDNIGHT), zone)
        hi = wall_to_epoch(datetime.combine(date(y1 + 1, 1, 1), _MIDNIGHT), zone)
        by_day = [bisect_right(ends, t) for t in range(lo, hi + 2 * _DAY, _DAY)]
        by_hour = [bisect_left(cum1, m * _HOUR) for m in range(total // _HOUR + 2)]
        snap = _Snap(y0, y1, lo, hi, starts, ends, cum0, cum1, by_day, by_hour)
        self.current = snap
        return snap

    def covering(self, ts: int) -> _Snap:
        """A snapshot with ``lo <= ts <= hi`` (a fresh ``y0`` is allowed here)."""
        snap = self.current
        if snap is not None and snap.lo <= ts <= snap.hi:
            return snap
        year = self.local_year(ts)
        if snap is None or year < snap.y0 - HORIZON_YEARS or year > snap.y1 + HORIZON_YEARS:
            return self.build(year, year)  # far away: do not compile the years between
        return self.build(min(year, snap.y0), max(year, snap.y1))

    def forward(self, snap: _Snap, ts: int | None = None) -> _Snap:
        """Grow ``snap`` (same ``y0``) by one year, or until it covers ``ts``."""
        y1 = snap.y1 + 1 if ts is None else max(snap.y1, self.local_year(ts))
        return self.build(snap.y0, y1)
