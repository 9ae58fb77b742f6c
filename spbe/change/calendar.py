"""The change calendar of a Pemda (P-9, O-6, O-4): approved transition
plans, releases and maintenance windows of a month together, and the
overlaps on the same service that someone should look at."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spbe.approvals.models import ApprovalStatus


@dataclass
class Entry:
    kind: str  # a key of KIND_LABELS
    title: str
    start: datetime
    end: datetime
    url: str
    service_ids: set[int]
    service_names: list[str]


@dataclass
class Month:
    first: date
    weeks: list[list[tuple[date, list[Entry]]]]
    entries: list[Entry]
    overlaps: list[tuple[Entry, Entry, list[str]]] = field(default_factory=list)

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=31)).replace(day=1)


def _entries(plans: QuerySet, releases: QuerySet, windows: QuerySet, start: datetime, end: datetime) -> list[Entry]:
    found: list[Entry] = []
    for plan in plans.filter(status=ApprovalStatus.APPROVED, planned_start__lt=end, planned_end__gt=start):
        services = list(plan.services.all())
        found.append(Entry("change", plan.title, plan.planned_start, plan.planned_end, plan.get_absolute_url(),
                           {s.pk for s in services}, [s.name for s in services]))  # fmt: skip
    live = releases.filter(status__in=[ApprovalStatus.SUBMITTED, ApprovalStatus.APPROVED])
    for release in live.filter(window_start__lt=end, window_end__gt=start):
        services = list(release.services.all())
        url = release.get_absolute_url()
        found.append(Entry("release", str(release), release.window_start, release.window_end, url,
                           {s.pk for s in services}, [s.name for s in services]))  # fmt: skip
    # a release's own maintenance window is the release itself, shown once
    for window in windows.filter(starts_at__lt=end, ends_at__gt=start, release__isnull=True):
        services = list(window.services.all())
        found.append(Entry("maintenance", window.title, window.starts_at, window.ends_at, "",
                           {s.pk for s in services}, [s.name for s in services]))  # fmt: skip
    return sorted(found, key=lambda entry: entry.start)


def overlaps(entries: list[Entry]) -> list[tuple[Entry, Entry, list[str]]]:
    """Pairs of entries at the same time on a same service."""
    pairs = []
    for index, first in enumerate(entries):
        for second in entries[index + 1 :]:
            if second.start >= first.end:
                continue
            shared = first.service_ids & second.service_ids
            if shared:
                names = sorted({n for n in first.service_names if n in second.service_names})
                pairs.append((first, second, names))
    return pairs


def month_of(pemda_zone: str, year: int, month: int, *, plans, releases, windows) -> Month:
    """The month in the Pemda's zone, Monday first, with each day's entries."""
    zone = ZoneInfo(pemda_zone)
    first = date(year, month, 1)
    last = date(year, month, month_calendar.monthrange(year, month)[1])
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    entries = _entries(plans, releases, windows, start, end)
    weeks = []
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            day_start = datetime.combine(day, time(0), tzinfo=zone)
            day_end = day_start + timedelta(days=1)
            row.append((day, [e for e in entries if e.start < day_end and e.end > day_start]))
        weeks.append(row)
    return Month(first=first, weeks=weeks, entries=entries, overlaps=overlaps(entries))


KIND_LABELS = {"change": _("Perubahan"), "release": _("Rilis"), "maintenance": _("Pemeliharaan")}
