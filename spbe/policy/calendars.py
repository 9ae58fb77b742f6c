"""A Pemda's calendars for the engine, built from its pack version, the
national holidays and its own recorded changes (Pedoman C, P-3, E-3).

Building a calendar costs a few milliseconds (holidays for ~15 years), so
each process keeps the result until the Pemda's version or calendar changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from spbe.policy.models import HolidayAction, HolidayChange, SpecialPeriod
from spbe.sla import engine
from spbe.sla.calendars import indonesian_holidays

WORKING_HOURS = "working_hours"
TWENTY_FOUR_SEVEN = "24x7"
CALENDAR_LABELS = {WORKING_HOURS: "Jam kerja Pemda", TWENTY_FOUR_SEVEN: "24 jam × 7 hari"}
# Holidays are generated for these years; later years fall back to the
# weekly hours alone until the range moves forward with the software.
HOLIDAY_YEARS = range(2020, 2036)

_cache: dict[int, tuple[tuple, engine.Calendar]] = {}  # Pemda id -> (stamp, calendar)


class NoPolicy(LookupError):
    """The Pemda has no policy pack version yet."""


def _stamp(pemda) -> tuple:
    """Changes whenever anything that shapes the Pemda's calendar changes
    (``calendar_revision`` is bumped by signals; read fresh from the row)."""
    revision = type(pemda).objects.filter(pk=pemda.pk).values_list("calendar_revision", flat=True).first()
    return (pemda.pk, pemda.policy_version_id, pemda.time_zone, revision)


def holidays_for(pemda) -> dict[date, str]:
    """National holidays (public + government: cuti bersama included) with
    the Pemda's own additions and removals applied."""
    days = dict(indonesian_holidays(HOLIDAY_YEARS))
    for change in HolidayChange.objects.filter(pemda=pemda):
        if change.action == HolidayAction.ADD:
            days[change.date] = change.name or "Libur daerah"
        else:
            days.pop(change.date, None)
    return days


def working_calendar(pemda) -> engine.Calendar:
    """The Pemda's working-hours calendar (jam kerja)."""
    if pemda.policy_version_id is None:
        raise NoPolicy(pemda.name)
    stamp = _stamp(pemda)
    cached = _cache.get(pemda.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    pack = pemda.policy_version.pack
    periods = [
        engine.SpecialPeriod(p.date_from, p.date_to, pack.ramadan_hours, p.name)
        for p in SpecialPeriod.objects.filter(pemda=pemda)
    ]
    calendar = engine.Calendar(
        tz=pemda.time_zone, weekly=pack.working_hours, special_periods=periods, closed_dates=holidays_for(pemda)
    )
    _cache[pemda.pk] = (stamp, calendar)
    return calendar


def calendar_for(pemda, name: str) -> engine.Calendar:
    """A calendar by name: the Pemda's working hours or 24×7 in its zone."""
    if name == TWENTY_FOUR_SEVEN:
        return engine.Calendar.twenty_four_seven(pemda.time_zone)
    if name == WORKING_HOURS:
        return working_calendar(pemda)
    raise ValueError(f"unknown calendar {name!r}")


def working_day_end(pemda, start: datetime, days: int) -> datetime:
    """The close of the ``days``-th working day after the local date of
    ``start`` on the Pemda's working calendar (holidays, cuti bersama,
    Ramadan hours): when a ticket waiting for its reporter closes by itself
    (O-1/O-2) and when SP4N-LAPOR!'s deadlines fall (Pedoman C)."""
    calendar = working_calendar(pemda)
    zone = ZoneInfo(pemda.time_zone)
    day = start.astimezone(zone).date()
    for _step in range(days * 10 + 60):  # bounded: the longest holiday block (Lebaran) is about two weeks
        day += timedelta(days=1)
        hours = calendar.hours_on(day)
        if hours:
            days -= 1
            if days == 0:
                end = hours[-1][1]
                if end == time(0):  # open until midnight
                    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                return datetime.combine(day, end, tzinfo=zone)
    raise ValidationError(_("Kalender kerja Pemda tidak memiliki hari kerja."))
