"""Business-time engine for SLA clocks (Pedoman P-1, P-3, E-3, C).

Pure Python: no Django import, so it can be tested and benchmarked alone.

A :class:`Calendar` says when a service's clock runs: working hours per weekday
in a Pemda's local time zone, special date ranges with other hours (Ramadan),
and closed dates (libur nasional, cuti bersama, regional holidays). Three
functions answer every SLA question:

* :func:`deadline` -- when a target of some business time falls due
  (P-1 user-service target, P-3 response target, E-3 resolution time);
* :func:`elapsed` -- how much business time ran between two instants;
* :func:`spbe.sla.explain.explain` -- why a deadline falls where it does,
  for the admin view.

How it works: a calendar is compiled, one local year at a time and only when a
question reaches that year, into sorted open intervals as integer epoch seconds
plus a running total of open seconds.  A question is then two binary searches,
never a walk minute by minute.

Rules, chosen here because the Pedoman leaves them open (see pedoman.md "D"):

* **Boundary rule.** A deadline that lands exactly at a closing time stays at
  that closing time (16:00 sharp, not 07:30 the next working day): the work
  was due by the end of the working day.  A target of zero is due at the
  effective start.
* **Effective start.** A clock started outside working time (or exactly at a
  closing time) begins at the next opening -- E-3's "outside working hours: by
  the next working day".
* **Whole seconds.** Instants and durations are truncated to whole seconds.
* **Local wall time.** Working hours are wall-clock times in the calendar's
  IANA zone, converted per date with ``zoneinfo``.  WIB/WITA/WIT have no
  daylight saving, but nothing here assumes so: a boundary that falls into a
  DST gap moves to the moment the gap ends; an ambiguous one takes its first
  occurrence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from .schedule import (
    _DAY,
    _HORIZON,
    _HOUR,
    HORIZON_YEARS,
    Calendar,
    CalendarError,
    NaiveDatetimeError,
    SpecialPeriod,
    _Snap,
    _Timeline,
    weekly_hours,
)

__all__ = [
    "HORIZON_YEARS",
    "Calendar",
    "CalendarError",
    "NaiveDatetimeError",
    "SpecialPeriod",
    "deadline",
    "elapsed",
    "is_open",
    "next_opening",
    "weekly_hours",
]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

# --------------------------------------------------------------------------
# Input conversion


def _epoch(value: datetime, what: str) -> int:
    """Whole epoch seconds (floor) of an aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    tz = value.tzinfo
    # utcoffset() is skipped for UTC, the usual case (Django stores UTC): it
    # alone costs about a tenth of a deadline() call.
    if tz is None or (tz is not UTC and value.utcoffset() is None):
        raise NaiveDatetimeError(
            f"{what} {value.isoformat()} has no time zone; pass an aware datetime (e.g. tzinfo=UTC)"
        )
    ts = value.timestamp()
    sec = int(ts)
    return sec - 1 if sec > ts else sec  # floor, also before 1970


def _duration(value: timedelta) -> int:
    if not isinstance(value, timedelta):
        raise TypeError(f"duration must be a timedelta, not {type(value).__name__}")
    if value.days < 0:
        raise ValueError(f"duration {value} is negative")
    return value.days * _DAY + value.seconds  # microseconds dropped: whole seconds


def _utc(ts: int) -> datetime:
    # Faster than datetime.fromtimestamp(ts, UTC), and exact.
    return _EPOCH + _SECOND * ts


def _pauses(pauses: Iterable[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Pause intervals as sorted, merged epoch seconds (overlaps counted once)."""
    spans = []
    for pair in pauses:
        a, b = _epoch(pair[0], "pause start"), _epoch(pair[1], "pause end")
        if b < a:
            raise ValueError(f"pause {pair[0].isoformat()}..{pair[1].isoformat()} ends before it starts")
        spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


# --------------------------------------------------------------------------
# Positions on the business-time axis


def _pos(snap: _Snap, ts: int) -> int:
    """Open seconds from the snapshot origin up to ``ts`` (``lo <= ts <= hi``)."""
    _, _, lo, _, starts, ends, cum0, cum1, by_day, _ = snap
    k = (ts - lo) // _DAY
    i = bisect_right(ends, ts, by_day[k], by_day[k + 1])
    if i == len(ends):
        return cum1[-1] if cum1 else 0
    start = starts[i]
    return cum0[i] + (ts - start if ts > start else 0)


def _position(tl: _Timeline, snap: _Snap, ts: int) -> tuple[_Snap, int]:
    """:func:`_pos`, growing the snapshot first when ``ts`` lies past it."""
    if ts > snap.hi:
        snap = tl.forward(snap, ts)
    return snap, _pos(snap, ts)


def _limit(calendar: Calendar, s: int) -> int:
    """The latest instant a deadline from ``s`` may fall at (HORIZON_YEARS on)."""
    if not calendar._has_hours:
        raise CalendarError("the calendar has no working hours at all")
    return s + _HORIZON


def _too_far(s: int) -> CalendarError:
    return CalendarError(
        f"the calendar has too little open time: nothing falls due within {HORIZON_YEARS} years after {_utc(s)}"
    )


def _open_from(tl: _Timeline, snap: _Snap, s: int) -> tuple[_Snap, int]:
    """Index of the first interval ending after ``s``, growing the snapshot as needed."""
    limit = _limit(tl.cal, s)
    while (i := bisect_right(snap.ends, s)) == len(snap.ends):
        if snap.hi > limit:
            raise _too_far(s)
        snap = tl.forward(snap)
    return snap, i


def _locate(tl: _Timeline, snap: _Snap, target: int, s: int) -> tuple[_Snap, int]:
    """The first instant at which position ``target`` is reached (boundary rule)."""
    limit = _limit(tl.cal, s)
    while not snap.cum1 or snap.cum1[-1] < target:
        if snap.hi > limit:
            raise _too_far(s)
        snap = tl.forward(snap)
    j = bisect_left(snap.cum1, target)
    due = snap.starts[j] + target - snap.cum0[j]
    if due > limit:
        raise _too_far(s)
    return snap, due


# --------------------------------------------------------------------------
# Public API


def deadline(
    start: datetime,
    duration: timedelta,
    calendar: Calendar,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime:
    """When a target of ``duration`` business time falls due (P-1, P-3, E-3).

    The clock starts at ``start`` (or the next opening, E-3 "outside working
    hours: by the next working day"), runs only in open time and not during
    ``pauses`` (waiting for the reporter, P-1), and the result is an aware UTC
    datetime.  A deadline landing exactly at a closing time stays there.
    Raises :class:`NaiveDatetimeError` for a naive datetime and
    :class:`CalendarError` when the calendar has no open time within
    :data:`HORIZON_YEARS`.
    """
    if start.__class__ is datetime and start.tzinfo is UTC and duration.__class__ is timedelta and duration.days >= 0:
        # _epoch() and _duration() inlined for the usual UTC input: hot path.
        ts = start.timestamp()
        s = int(ts)
        s -= s > ts  # floor, also before 1970
        dur = duration.days * _DAY + duration.seconds
    else:
        s = _epoch(start, "start")
        dur = _duration(duration)
    tl = calendar._timeline
    snap = tl.current
    if snap is None or not snap.lo <= s <= snap.hi:
        snap = tl.covering(s)
    if pauses:
        return _deadline_paused(tl, snap, s, dur, _pauses(pauses))
    # Fast path: two narrowed bisections on the cached snapshot.
    _, _, lo, _, starts, ends, cum0, cum1, by_day, by_hour = snap
    k = (s - lo) // _DAY
    i = bisect_right(ends, s, by_day[k], by_day[k + 1])
    if i < len(ends):
        first = starts[i]
        if dur == 0:
            return _EPOCH + _SECOND * (first if first > s else s)
        target = cum0[i] + (s - first if s > first else 0) + dur
        if target <= cum1[-1]:
            m = target // _HOUR
            j = bisect_left(cum1, target, by_hour[m], by_hour[m + 1])
            due = starts[j] + target - cum0[j]
            if due - s <= _HORIZON:
                return _EPOCH + _SECOND * due
    # Slow path: the snapshot must grow, or the horizon error must be raised.
    return _deadline_paused(tl, snap, s, dur, [])


def _deadline_paused(tl: _Timeline, snap: _Snap, s: int, dur: int, pauses: list[tuple[int, int]]) -> datetime:
    snap, i = _open_from(tl, snap, s)
    first = snap.starts[i]
    if dur == 0:
        return _utc(max(first, s))
    target = snap.cum0[i] + max(0, s - first) + dur
    for pause_start, pause_end in pauses:
        if pause_end <= s:
            continue
        snap, due = _locate(tl, snap, target, s)
        if due <= pause_start:
            break
        # The pause began before the clock ran out: the business time inside
        # it does not count, so the target moves on by exactly that much.
        snap, a = _position(tl, snap, max(pause_start, s))
        snap, b = _position(tl, snap, pause_end)
        target += b - a
    snap, due = _locate(tl, snap, target, s)
    return _utc(due)


def elapsed(
    start: datetime,
    end: datetime,
    calendar: Calendar,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Business time between two instants, less paused time (P-1, P-3, E-2).

    Overlapping pauses count once.  Signed: ``elapsed(b, a) == -elapsed(a, b)``,
    so ``elapsed(a, b) + elapsed(b, c) == elapsed(a, c)`` for any order.
    """
    a = _epoch(start, "start")
    b = _epoch(end, "end")
    if b < a:
        return -elapsed(end, start, calendar, pauses)
    if not calendar._has_hours:
        raise CalendarError("the calendar has no working hours at all")
    tl = calendar._timeline
    snap = tl.current
    if snap is None or not snap.lo <= a <= snap.hi:
        snap = tl.covering(a)
    if b > snap.hi:
        snap = tl.forward(snap, b)
    total = _pos(snap, b) - _pos(snap, a)
    # The snapshot now covers [a, b]: pauses clipped to it need no growing.
    for pause_start, pause_end in _pauses(pauses) if pauses else ():
        if pause_end > a and pause_start < b:
            total -= _pos(snap, min(pause_end, b)) - _pos(snap, max(pause_start, a))
    return _SECOND * total


def next_opening(at: datetime, calendar: Calendar) -> datetime:
    """``at`` itself if the calendar is open then, else the next opening (E-3), in UTC."""
    return deadline(at, timedelta(0), calendar)


def is_open(at: datetime, calendar: Calendar) -> bool:
    """Whether the clock runs at instant ``at`` (E-3: within working hours or not)."""
    ts = _epoch(at, "at")
    tl = calendar._timeline
    snap = tl.covering(ts)
    if ts >= snap.hi:  # an interval may start exactly at the next New Year
        snap = tl.forward(snap, ts)
    i = bisect_right(snap.ends, ts)
    return i < len(snap.ends) and snap.starts[i] <= ts
