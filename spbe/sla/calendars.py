"""National defaults for a Pemda's SLA calendar (Pedoman C, P-3, E-3).

The Pedoman fixes neither working hours nor holidays (pedoman.md "D"); these
are the documented defaults a Pemda's policy pack starts from and an
administrator confirms or changes:

* weekly hours per Perpres 21/2023 (37.5 h a week excluding breaks);
* Ramadan hours per the MenPANRB circulars (e.g. SE 6/2023: 32.5 h a week);
* Ramadan dates: an approximate table an administrator must confirm each year
  (Islamic dates follow moon sighting, sidang isbat);
* holidays from the ``holidays`` package: libur nasional (``public``) and
  cuti bersama (``government``), plus per-Pemda additions and removals.

Pure Python, no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from types import MappingProxyType

import holidays

from .schedule import Calendar, SpecialPeriod, Week, weekly_hours

__all__ = [
    "PERPRES_21_2023_HOURS",
    "RAMADAN_DATES",
    "RAMADAN_HOURS",
    "TIME_ZONES",
    "indonesian_holidays",
    "pemda_calendar",
    "ramadan_periods",
    "twenty_four_seven",
    "weekly_total",
]

#: The three Indonesian zones (no daylight saving; Pedoman C).
TIME_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

_MON_THU = range(4)
_FRIDAY = 4

#: Perpres 21/2023, common reading (Pedoman C): Mon-Thu 07:30-16:00 with a
#: 60 min break 12:00-13:00 (7.5 h a day), Fri 07:30-16:30 with a 90 min
#: break 11:30-13:00 for Friday prayers (7.5 h).  4 x 7.5 + 7.5 = 37.5 h.
PERPRES_21_2023_HOURS: Week = weekly_hours(
    {
        **{day: [(time(7, 30), time(12)), (time(13), time(16))] for day in _MON_THU},
        _FRIDAY: [(time(7, 30), time(11, 30)), (time(13), time(16, 30))],
    },
    "Perpres 21/2023 hours",
)

#: Ramadan hours (MenPANRB SE 6/2023 pattern): Mon-Thu 08:00-15:00 with a
#: 30 min break 12:00-12:30 (6.5 h), Fri 08:00-15:30 with a 60 min break
#: 11:30-12:30 (6.5 h).  The breaks are our choice: they are what makes the
#: circular's 32.5 h a week add up (4 x 6.5 + 6.5 = 32.5 h).
RAMADAN_HOURS: Week = weekly_hours(
    {
        **{day: [(time(8), time(12)), (time(12, 30), time(15))] for day in _MON_THU},
        _FRIDAY: [(time(8), time(11, 30)), (time(12, 30), time(15, 30))],
    },
    "Ramadan hours",
)

#: 1 Ramadan .. last day of Ramadan (the day before Idul Fitri), inclusive.
#: APPROXIMATE DEFAULTS that an administrator confirms every year after the
#: government's sidang isbat; 2027 follows the ``holidays`` package's estimate
#: of Idul Fitri (10 March 2027).
RAMADAN_DATES: Mapping[int, tuple[date, date]] = MappingProxyType(
    {
        2025: (date(2025, 3, 1), date(2025, 3, 30)),  # 1446 H; Idul Fitri 31 Mar
        2026: (date(2026, 2, 19), date(2026, 3, 20)),  # 1447 H; Idul Fitri 21 Mar
        2027: (date(2027, 2, 8), date(2027, 3, 9)),  # 1448 H; Idul Fitri ~10 Mar
    }
)


def weekly_total(week: Week) -> float:
    """Open hours in a week (Pedoman C: 37.5 h normally, 32.5 h in Ramadan)."""
    seconds = 0
    for intervals in week:
        for start, end in intervals:
            a = start.hour * 3600 + start.minute * 60 + start.second
            b = (end.hour * 3600 + end.minute * 60 + end.second) or 86_400
            seconds += b - a
    return seconds / 3600


def indonesian_holidays(years: Iterable[int]) -> dict[date, str]:
    """Libur nasional and cuti bersama for ``years`` (Pedoman C), in Indonesian.

    Cuti bersama are only in the ``government`` category of the ``holidays``
    package.  Two holidays on one date come back joined by "; ".
    """
    found = holidays.country_holidays("ID", years=list(years), categories=("public", "government"), language="id")
    return dict(sorted(found.items()))


def ramadan_periods(
    dates: Mapping[int, tuple[date, date]] = RAMADAN_DATES,
    hours: Week = RAMADAN_HOURS,
) -> tuple[SpecialPeriod, ...]:
    """One special period per Ramadan, named e.g. "Ramadan 2026"."""
    return tuple(
        SpecialPeriod(first, last, hours, name=f"Ramadan {year}") for year, (first, last) in sorted(dates.items())
    )


def pemda_calendar(
    years: Iterable[int],
    tz: str = TIME_ZONES["WIB"],
    *,
    weekly: Week = PERPRES_21_2023_HOURS,
    ramadan: Mapping[int, tuple[date, date]] | None = None,
    ramadan_hours: Week = RAMADAN_HOURS,
    add_holidays: Mapping[date, str] | None = None,
    remove_holidays: Iterable[date] = (),
) -> Calendar:
    """A Pemda's default working-hours calendar (Pedoman C, P-3, E-3).

    ``years`` selects which years' national holidays are loaded: cover every
    year a ticket's clock may run in (outside them only weekly hours apply).
    ``ramadan`` defaults to :data:`RAMADAN_DATES` limited to ``years``.
    ``add_holidays`` are regional closed days (e.g. a city's anniversary) and
    win over the national name; ``remove_holidays`` re-opens national ones the
    Pemda works on (a date that is not a holiday is ignored, so a stale
    removal does not break the calendar after an SKB revision).
    """
    years = sorted(set(years))
    if ramadan is None:
        ramadan = {y: span for y, span in RAMADAN_DATES.items() if y in years}
    closed = indonesian_holidays(years)
    closed.update(add_holidays or {})
    for day in remove_holidays:
        closed.pop(day, None)
    return Calendar(
        tz=tz,
        weekly=weekly,
        special_periods=ramadan_periods(ramadan, ramadan_hours),
        closed_dates=closed,
    )


def twenty_four_seven(tz: str = TIME_ZONES["WIB"]) -> Calendar:
    """Calendar time: the clock always runs (P-3 targets may run on either)."""
    return Calendar.twenty_four_seven(tz)
