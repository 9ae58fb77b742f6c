"""National defaults for SLA calendars (Pedoman C; settings per pedoman.md "D")."""

import ast
from datetime import date, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from ..calendars import (
    PERPRES_21_2023_HOURS,
    RAMADAN_DATES,
    RAMADAN_HOURS,
    TIME_ZONES,
    indonesian_holidays,
    pemda_calendar,
    twenty_four_seven,
    weekly_total,
)
from ..engine import deadline, elapsed
from .support import WIB, at


def test_perpres_21_2023_week_is_37_5_hours_excluding_breaks():
    """Pedoman C: Mon-Fri, 37.5 h a week, start 07:30, break 60 min (Friday 90 min)."""
    assert weekly_total(PERPRES_21_2023_HOURS) == 37.5
    monday, friday = PERPRES_21_2023_HOURS[0], PERPRES_21_2023_HOURS[4]
    assert monday[0][0] == friday[0][0] == time(7, 30)
    assert monday[-1][1] == time(16) and friday[-1][1] == time(16, 30)
    assert _break_minutes(monday) == 60 and _break_minutes(friday) == 90
    assert PERPRES_21_2023_HOURS[5] == PERPRES_21_2023_HOURS[6] == ()


def test_ramadan_week_is_32_5_hours():
    """Pedoman C (MenPANRB SE 6/2023): 32.5 h, Mon-Thu 08:00-15:00, Fri 08:00-15:30."""
    assert weekly_total(RAMADAN_HOURS) == 32.5
    assert RAMADAN_HOURS[0][0][0] == time(8) and RAMADAN_HOURS[0][-1][1] == time(15)
    assert RAMADAN_HOURS[4][-1][1] == time(15, 30)


def _break_minutes(intervals):
    return sum((b[0].hour * 60 + b[0].minute) - (a[1].hour * 60 + a[1].minute) for a, b in pairwise(intervals))


def test_holidays_2026_include_idul_fitri_and_its_cuti_bersama():
    """Pedoman C: cuti bersama come only from the ``government`` category."""
    days = indonesian_holidays([2026])
    assert days[date(2026, 3, 21)] == "Hari Raya Idul Fitri"
    assert days[date(2026, 3, 22)] == "Hari kedua dari Hari Raya Idul Fitri"
    for cuti in (date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)):
        assert days[cuti] == "Cuti Bersama Hari Raya Idul Fitri"
    assert days[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert date(2026, 3, 25) not in days


def test_ramadan_default_dates_end_the_day_before_idul_fitri():
    """The approximate table must at least be consistent with the holiday data."""
    for year, (first, last) in RAMADAN_DATES.items():
        idul_fitri = [d for d, name in indonesian_holidays([year]).items() if name.startswith("Hari Raya Idul Fitri")]
        assert idul_fitri == [last + timedelta(days=1)], year
        assert 29 <= (last - first).days + 1 <= 30


def test_pemda_calendar_applies_additions_and_removals():
    """Pedoman C: an administrator adds regional days and removes national ones."""
    cal = pemda_calendar(
        [2026],
        add_holidays={date(2026, 10, 7): "HUT Kota Yogyakarta"},
        remove_holidays=[date(2026, 12, 24), date(2026, 12, 23)],  # the 23rd is no holiday: ignored
    )
    assert cal.closed_date_names[date(2026, 10, 7)] == "HUT Kota Yogyakarta"
    assert date(2026, 12, 24) not in cal.closed_dates
    # Thu 24 Dec 2026 is now worked: 8 h (07:30-16:00 less the break) = 7.5 h.
    assert elapsed(at(WIB, 2026, 12, 24), at(WIB, 2026, 12, 25), cal) == timedelta(hours=7.5)
    assert elapsed(at(WIB, 2026, 10, 7), at(WIB, 2026, 10, 8), cal) == timedelta(0)


def test_pemda_calendar_uses_ramadan_hours_only_inside_ramadan():
    cal = pemda_calendar([2026])
    assert [p.name for p in cal.special_periods] == ["Ramadan 2026"]
    assert cal.hours_on(date(2026, 3, 5)) == RAMADAN_HOURS[3]
    assert cal.hours_on(date(2026, 4, 9)) == PERPRES_21_2023_HOURS[3]


@pytest.mark.parametrize(("name", "tz"), sorted(TIME_ZONES.items()))
def test_time_zones_have_no_offset_surprises(name, tz):
    """Pedoman C: WIB +7, WITA +8, WIT +9, whatever the date."""
    cal = twenty_four_seven(tz)
    start = at(WIB, 2026, 6, 1, 7, 0)
    assert deadline(start, timedelta(hours=1), cal) - start == timedelta(hours=1)
    assert cal.tz == tz


def test_sla_modules_do_not_import_django():
    """The engine stays pure Python so it can be benchmarked and reused alone."""
    for path in Path(__file__).parents[1].glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path
