"""Answering "when does it fall due, and why?" for a Pemda (P-1, P-3, E-3).
Shared by ``manage.py sla`` and the REST API, so both say the same."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from spbe.policy.calendars import calendar_for
from spbe.sla import engine
from spbe.sla.explain import explain

KIND_LABELS = {
    "break": "istirahat",
    "outside_hours": "di luar jam kerja",
    "day_off": "hari tidak bekerja",
    "holiday": "hari libur",
}


def localize(value: datetime, pemda) -> datetime:
    """A naive start is read in the Pemda's own zone (WIB/WITA/WIT)."""
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(pemda.time_zone))


def deadline_answer(pemda, start: datetime, duration: timedelta, calendar: str) -> dict:
    cal = calendar_for(pemda, calendar)
    why = explain(localize(start, pemda), duration, cal)
    return {
        "pemda": pemda.slug,
        "policy_version": str(pemda.policy_version) if pemda.policy_version_id else None,
        "calendar": calendar,
        "time_zone": pemda.time_zone,
        "start": why.start.isoformat(),
        "effective_start": why.effective_start.isoformat(),
        "moved_to_next_opening": why.moved_to_next_opening,
        "duration_seconds": int(duration.total_seconds()),
        "deadline": why.deadline.isoformat(),
        "deadline_utc": why.deadline.astimezone(ZoneInfo("UTC")).isoformat(),
        "special_periods": list(why.special_periods),
        "skipped": [
            {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "kind": str(period.kind),
                "label": KIND_LABELS.get(str(period.kind), str(period.kind)),
                "name": period.name,
            }
            for period in why.closed
        ],
    }


def elapsed_answer(pemda, start: datetime, end: datetime, calendar: str) -> dict:
    cal = calendar_for(pemda, calendar)
    spent = engine.elapsed(localize(start, pemda), localize(end, pemda), cal)
    return {"pemda": pemda.slug, "calendar": calendar, "elapsed_seconds": int(spent.total_seconds())}
