"""The two SP4N-LAPOR! deadlines (Pedoman C): verification within 3 working
days and follow-up within 5 working days, both counted from the report's
date in LAPOR! (docs/channels.md says why from that date).

A deadline is the **end of the N-th working day after the day of the
report** on the Pemda's working calendar (weekly hours, national holidays
and cuti bersama, the Pemda's own holidays, Ramadan hours): the day of the
report itself never counts, as in LAPOR!'s own reckoning by dates.

As a clock it is stored the way every clock here is: started at the report
time on the ``working_hours`` calendar with a target in business time. The
target is the business time from the report to that end of day, so the
engine's due instant is exactly the end of the N-th working day (a
deadline landing on a closing time stays there)."""

from __future__ import annotations

from datetime import datetime, timedelta

from spbe.clocks.choices import ClockKind
from spbe.policy.calendars import WORKING_HOURS, working_calendar, working_day_end
from spbe.sla import engine

VERIFICATION_DAYS = 3
FOLLOW_UP_DAYS = 5
WORKING_DAYS = {ClockKind.LAPOR_VERIFICATION: VERIFICATION_DAYS, ClockKind.LAPOR_FOLLOW_UP: FOLLOW_UP_DAYS}
CALENDAR = WORKING_HOURS


def target_for(pemda, kind: str, started_at: datetime) -> timedelta:
    """The clock's target in business time: from the report to the end of
    the N-th working day."""
    due = working_day_end(pemda, started_at, WORKING_DAYS[kind])
    return engine.elapsed(started_at, due, working_calendar(pemda))
