"""Why a deadline falls where it does, for the admin-facing "why" view.

Pedoman P-1, P-3 and E-3 targets run on a calendar; an administrator checking
a breached or surprising deadline needs to see the effective start (E-3:
outside working hours the clock waits for the next working day) and the closed
periods the clock skipped: breaks, nights, days off and named holidays
(libur nasional, cuti bersama).  Labels for the UI are the caller's job (they
go through gettext); this module returns structured data only.

Pure Python, no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .engine import _epoch, _pauses, deadline, next_opening
from .schedule import Calendar, _seconds_of_day, wall_to_epoch

__all__ = ["ClosedKind", "ClosedPeriod", "Explanation", "explain"]


class ClosedKind(StrEnum):
    """Why the clock did not run during a closed period."""

    BREAK = "break"  # between two intervals of one working day
    OUTSIDE_HOURS = "outside_hours"  # before opening / after closing (nights)
    DAY_OFF = "day_off"  # no working hours that weekday (normally the weekend)
    HOLIDAY = "holiday"  # a closed date: libur nasional, cuti bersama, regional


@dataclass(frozen=True)
class ClosedPeriod:
    """A stretch of closed time the clock skipped, in the calendar's local time."""

    start: datetime
    end: datetime
    kind: ClosedKind
    name: str = ""  # the holiday's name for HOLIDAY, else empty


@dataclass(frozen=True)
class Explanation:
    """The answer of :func:`explain`; datetimes are in the calendar's local zone."""

    start: datetime
    effective_start: datetime
    duration: timedelta
    deadline: datetime
    closed: tuple[ClosedPeriod, ...]
    paused: tuple[tuple[datetime, datetime], ...]
    special_periods: tuple[str, ...]  # names of special schedules in force (Ramadan)

    @property
    def moved_to_next_opening(self) -> bool:
        """True when the clock was started outside working time (E-3)."""
        return self.effective_start > self.start


def explain(
    start: datetime,
    duration: timedelta,
    calendar: Calendar,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> Explanation:
    """Describe the deadline :func:`~spbe.sla.engine.deadline` gives (P-1, P-3, E-3).

    Lists, in order, the closed periods between ``start`` and the deadline
    (those before the effective start say why the clock waited), and the
    pauses that pushed it.  It walks the days it describes, so it is meant
    for one ticket at a time, not for lists.
    """
    pauses = list(pauses)
    zone = calendar._zone
    due = deadline(start, duration, calendar, pauses)
    effective = next_opening(start, calendar)
    a, b = _epoch(start, "start"), _epoch(due, "deadline")
    tl = calendar._timeline
    snap = tl.covering(a)
    if b > snap.hi:
        snap = tl.forward(snap, b)
    # Gaps before each open interval, clipped to [start, deadline]; this
    # includes the closed time before the effective start.
    gaps = [
        (max(end, a), min(begin, b))
        for end, begin in zip([snap.lo, *snap.ends], snap.starts, strict=False)
        if begin > a and end < b
    ]
    closed = _coalesce(p for gap in gaps for p in _split_gap(calendar, *gap))
    paused = tuple(
        (_local(max(p0, a), zone), _local(min(p1, b), zone)) for p0, p1 in _pauses(pauses) if p0 < b and p1 > a
    )
    return Explanation(
        start=start.astimezone(zone),
        effective_start=effective.astimezone(zone),
        duration=duration,
        deadline=due.astimezone(zone),
        closed=closed,
        paused=paused,
        special_periods=_special_names(calendar, start, due),
    )


def _local(ts: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, zone)


def _split_gap(calendar: Calendar, a: int, b: int) -> Iterable[ClosedPeriod]:
    """Cut a closed gap at local midnights and say why each piece is closed."""
    zone = calendar._zone
    while a < b:
        local = _local(a, zone)
        day = local.date()
        midnight = wall_to_epoch(datetime.combine(day + timedelta(days=1), datetime.min.time()), zone)
        end = min(b, midnight)
        yield ClosedPeriod(local, _local(end, zone), *_why_closed(calendar, local, end - a))
        a = end


def _why_closed(calendar: Calendar, local: datetime, length: int) -> tuple[ClosedKind, str]:
    day = local.date()
    if day in calendar.closed_dates:
        return ClosedKind.HOLIDAY, calendar.closed_date_names.get(day, "")
    hours = calendar.hours_on(day)
    if not hours:
        return ClosedKind.DAY_OFF, ""
    wall = local.hour * 3600 + local.minute * 60 + local.second
    first_open = _seconds_of_day(hours[0])[0]
    last_close = _seconds_of_day(hours[-1])[1]
    if first_open < wall and wall + length < last_close:
        return ClosedKind.BREAK, ""
    return ClosedKind.OUTSIDE_HOURS, ""


def _coalesce(pieces: Iterable[ClosedPeriod]) -> tuple[ClosedPeriod, ...]:
    """Join touching pieces of the same kind: a night across midnight is one."""
    out: list[ClosedPeriod] = []
    for piece in pieces:
        last = out[-1] if out else None
        if last and last.end == piece.start and (last.kind, last.name) == (piece.kind, piece.name):
            out[-1] = ClosedPeriod(last.start, piece.end, last.kind, last.name)
        else:
            out.append(piece)
    return tuple(out)


def _special_names(calendar: Calendar, start: datetime, end: datetime) -> tuple[str, ...]:
    zone = calendar._zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    return tuple(
        period.name or f"{period.date_from}..{period.date_to}"
        for period in calendar.special_periods
        if period.date_from <= last and period.date_to >= first
    )
