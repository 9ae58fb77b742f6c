"""Availability of services (O-4 item 4 and 5, P-4 item 11).

    availability = 100 × (1 − unavailable / (measured − maintenance))

*unavailable* is the union of the service's outages in state *Tidak
tersedia*, clipped to the period, minus its maintenance windows; time in a
maintenance window is left out of the denominator as well. Outages in state
*Terganggu sebagian* count as available and are reported separately.

Decisions (documented here because the Pedoman is silent on them):

* **Only monitored time counts.** The measured span of a period starts when
  monitoring of the service began (the earliest check on the service, on an
  application it uses or on a component under those, or its first outage,
  whichever came first) and ends now at the latest: a month in progress is
  measured up to now, and a service first watched on the 10th is measured
  from the 10th.
* ``percent`` is **None** ("belum ada data") when nothing of the period was
  measured: the service is not monitored, the period lies wholly before
  monitoring began or in the future, or the whole measured span was
  maintenance. None is never "met" nor "not met".
* An outage counts with the state it has: ``outages`` keeps one state per
  outage, so an outage that worsened from degraded to down counts as down
  for its whole length (the pessimistic reading).
* The figure is rounded **down** to three decimals, so a service with any
  downtime never shows 100.000 %, and the displayed figure is met exactly
  when the exact one is (targets have at most two decimals).
* Periods are in the Pemda's own time zone: a month of Kota Yogyakarta runs
  from 00:00 WIB on the 1st (never computed in UTC).

Every function here loads what it needs with a fixed number of queries,
whatever the number of services, outages or days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q
from django.utils import timezone

from spbe.catalog.models import Service
from spbe.cmdb.impact import dependency_edges, walk
from spbe.cmdb.models import Application, ServiceApplication
from spbe.monitoring.choices import ServiceState
from spbe.monitoring.models import Check, MaintenanceWindow, Outage

Interval = tuple[datetime, datetime]
ZERO = timedelta(0)
THOUSANDTH = Decimal("0.001")
ROLLING_DAYS = 30  # P-4 item 11: "ketersediaan terkini" is the last 30 days
CHUNK = 500  # services per batch in refresh_current_availability (keeps IN lists short)


# --- Interval arithmetic (pure) -------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same time; empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def subtract(base: list[Interval], holes: list[Interval]) -> list[Interval]:
    """``base`` minus ``holes``; both merged (sorted and disjoint)."""
    result: list[Interval] = []
    index = 0
    for start, end in base:
        cursor = start
        while index < len(holes) and holes[index][1] <= cursor:
            index += 1
        probe = index
        while probe < len(holes) and holes[probe][0] < end:
            hole_start, hole_end = holes[probe]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
            probe += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), ZERO)


def _micro(value: timedelta) -> int:
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


# --- Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutageSpan:
    """One outage as far as it falls in the period."""

    outage: Outage
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def ongoing(self) -> bool:
        return self.outage.ended_at is None

    @property
    def is_down(self) -> bool:
        return self.outage.state == ServiceState.DOWN


@dataclass
class Availability:
    """The availability of one service over one period (O-4 item 4)."""

    start: datetime
    end: datetime
    measured_from: datetime | None = None
    measured_until: datetime | None = None
    downtime: timedelta = ZERO
    degraded: timedelta = ZERO
    maintenance: timedelta = ZERO
    measured: timedelta = ZERO  # the denominator: measured span minus maintenance
    exact: Fraction | None = None
    target: Decimal | None = None
    outages: list[OutageSpan] = field(default_factory=list)

    @property
    def percent(self) -> Decimal | None:
        """Rounded down to three decimals (see the module's docstring)."""
        if self.exact is None:
            return None
        return (Decimal(math.floor(self.exact * 1000)) / 1000).quantize(THOUSANDTH)

    @property
    def met(self) -> bool | None:
        if self.exact is None or self.target is None:
            return None
        return self.exact >= Fraction(self.target)

    @property
    def downtime_minutes(self) -> int:
        return math.ceil(self.downtime / timedelta(minutes=1))

    @property
    def degraded_minutes(self) -> int:
        return math.ceil(self.degraded / timedelta(minutes=1))

    @property
    def maintenance_minutes(self) -> int:
        return math.ceil(self.maintenance / timedelta(minutes=1))

    @property
    def partial(self) -> bool:
        """Monitoring began after the period started."""
        return self.measured_from is not None and self.measured_from > self.start


def measure(
    start: datetime,
    end: datetime,
    *,
    since: datetime | None,
    now: datetime,
    down: Sequence[Interval] = (),
    degraded: Sequence[Interval] = (),
    maintenance: Sequence[Interval] = (),
    target: Decimal | None = None,
    outages: Sequence[OutageSpan] = (),
) -> Availability:
    """The figure from intervals alone (no database): the formula of the
    module's docstring."""
    result = Availability(start=start, end=end, target=target, outages=list(outages))
    if since is None:
        return result
    span_start, span_end = max(start, since), min(end, now)
    if span_start >= span_end:
        return result
    result.measured_from, result.measured_until = span_start, span_end
    windows = merge(clip(maintenance, span_start, span_end))
    down_time = subtract(merge(clip(down, span_start, span_end)), windows)
    degraded_time = subtract(subtract(merge(clip(degraded, span_start, span_end)), windows), down_time)
    result.maintenance = total(windows)
    result.downtime = total(down_time)
    result.degraded = total(degraded_time)
    result.measured = (span_end - span_start) - result.maintenance
    if result.measured > ZERO:
        measured = _micro(result.measured)
        result.exact = Fraction(100) * (measured - _micro(result.downtime)) / measured
    return result


# --- Loading, with a fixed number of queries ---------------------------------------------


@dataclass
class Coverage:
    """How a service is watched: since when, and by how many checks now."""

    since: datetime | None = None
    checks: int = 0  # every check on the service, its applications or components under them
    enabled_checks: int = 0

    @property
    def monitored(self) -> bool:
        return self.checks > 0


def coverage(service_ids: Iterable[int]) -> dict[int, Coverage]:
    """Per service: its checks (directly, through the applications it uses,
    through the components those run on and what they depend on — as in
    ``outages``) and when monitoring began. At most five queries."""
    ids = sorted(set(service_ids))
    result = {pk: Coverage() for pk in ids}
    if not ids:
        return result
    apps_of: dict[int, set[int]] = defaultdict(set)
    for service_id, app_id in ServiceApplication.objects.filter(service_id__in=ids).values_list(
        "service_id", "application_id"
    ):
        apps_of[service_id].add(app_id)
    all_apps = set().union(*apps_of.values()) if apps_of else set()
    components_of_app: dict[int, set[int]] = defaultdict(set)
    depends: dict[int, set[int]] = {}
    if all_apps:
        links = Application.components.through.objects.filter(application_id__in=all_apps)
        for app_id, component_id in links.values_list("application_id", "component_id"):
            components_of_app[app_id].add(component_id)
        depends = dependency_edges(Service.objects.filter(pk__in=ids).values("pd__pemda_id"), upwards=True)
    components_of = {
        service_id: walk(depends, set().union(*(components_of_app[a] for a in apps)))
        for service_id, apps in apps_of.items()
    }
    all_components = set().union(*components_of.values()) if components_of else set()

    subject = Q(service_id__in=ids)
    if all_apps:
        subject |= Q(application_id__in=all_apps)
    if all_components:
        subject |= Q(component_id__in=all_components)
    per_subject = (
        Check.objects.filter(subject)
        .values("service_id", "application_id", "component_id")
        .annotate(first=Min("created"), count=Count("id"), enabled=Count("id", filter=Q(enabled=True)))
        .order_by()
    )
    by_service, by_app, by_component = {}, {}, {}
    for row in per_subject:
        summary = (row["first"], row["count"], row["enabled"])
        if row["service_id"]:
            by_service[row["service_id"]] = summary
        elif row["application_id"]:
            by_app[row["application_id"]] = summary
        else:
            by_component[row["component_id"]] = summary
    first_outage = dict(
        Outage.objects.filter(service_id__in=ids)
        .values("service_id")
        .annotate(first=Min("started_at"))
        .order_by()
        .values_list("service_id", "first")
    )
    for pk, cover in result.items():
        summaries = [by_service.get(pk)]
        summaries += [by_app.get(a) for a in apps_of.get(pk, ())]
        summaries += [by_component.get(c) for c in components_of.get(pk, ())]
        summaries = [s for s in summaries if s]
        starts = [s[0] for s in summaries] + ([first_outage[pk]] if pk in first_outage else [])
        cover.since = min(starts) if starts else None
        cover.checks = sum(s[1] for s in summaries)
        cover.enabled_checks = sum(s[2] for s in summaries)
    return result


@dataclass
class _Record:
    cover: Coverage
    outages: list[Outage] = field(default_factory=list)
    windows: list[Interval] = field(default_factory=list)


def _load(service_ids: list[int], start: datetime, end: datetime, related: Sequence[str] = ()) -> dict[int, _Record]:
    """Coverage, outages and maintenance windows touching [start, end) of
    each service: the coverage queries plus two."""
    covers = coverage(service_ids)
    records = {pk: _Record(cover) for pk, cover in covers.items()}
    if not service_ids:
        return records
    outages = (
        Outage.objects.filter(service_id__in=service_ids, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .select_related(*related)
        .order_by("started_at", "pk")
    )
    for outage in outages:
        records[outage.service_id].outages.append(outage)
    through = MaintenanceWindow.services.through.objects.filter(
        service_id__in=service_ids, maintenancewindow__starts_at__lt=end, maintenancewindow__ends_at__gt=start
    ).values_list("service_id", "maintenancewindow__starts_at", "maintenancewindow__ends_at")
    for service_id, window_start, window_end in through:
        records[service_id].windows.append((window_start, window_end))
    return records


def _figure(record: _Record, start: datetime, end: datetime, now: datetime, target: Decimal | None) -> Availability:
    down, degraded, spans = [], [], []
    for outage in record.outages:
        until = outage.ended_at or now
        if outage.started_at >= end or until <= start:
            continue
        interval = (outage.started_at, until)
        (down if outage.state == ServiceState.DOWN else degraded).append(interval)
        spans.append(OutageSpan(outage, max(outage.started_at, start), min(until, end)))
    return measure(
        start, end, since=record.cover.since, now=now, down=down, degraded=degraded, maintenance=record.windows,
        target=target, outages=spans,
    )  # fmt: skip


def _measure_many(
    services: Sequence[Service], periods: Sequence[Interval], now: datetime, related: Sequence[str] = ()
) -> dict[int, list[Availability]]:
    """Each service's figure for each period, from one load of the range
    the periods cover."""
    ids = [s.pk for s in services]
    if not periods:
        return {pk: [] for pk in ids}
    records = _load(ids, min(p[0] for p in periods), max(p[1] for p in periods), related)
    return {
        s.pk: [_figure(records[s.pk], start, end, now, s.availability_target) for start, end in periods]
        for s in services
    }


# --- Public functions --------------------------------------------------------------------


def availability(service: Service, start: datetime, end: datetime, now: datetime | None = None) -> Availability:
    """The service's availability over [start, end) (O-4 item 4); outages
    carry their complaint (``outage.ticket``)."""
    now = now or timezone.now()
    return _measure_many([service], [(start, end)], now, related=("ticket",))[service.pk][0]


def availability_many(
    services: Sequence[Service], start: datetime, end: datetime, now: datetime | None = None
) -> dict[int, Availability]:
    """Availability of many services over one period, in a fixed number of
    queries (the staff list, the Excel export)."""
    now = now or timezone.now()
    return {pk: figures[0] for pk, figures in _measure_many(services, [(start, end)], now).items()}


def zone_of(service: Service) -> ZoneInfo:
    return ZoneInfo(service.pd.pemda.time_zone)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date, zone: tzinfo) -> Interval:
    """[00:00 on the 1st, 00:00 on the 1st of the next month) in ``zone``."""
    first = month_start(month)
    following = add_months(first, 1)
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def month_availability(service: Service, month: date, now: datetime | None = None) -> Availability:
    """The service's availability over a calendar month of its Pemda."""
    start, end = month_bounds(month, zone_of(service))
    return availability(service, start, end, now)


def monthly_series(service: Service, months: Sequence[date], now: datetime | None = None) -> list[Availability]:
    """The service's figure for each month (the trend of O-4 item 5), from
    one load."""
    now = now or timezone.now()
    zone = zone_of(service)
    periods = [month_bounds(m, zone) for m in months]
    return _measure_many([service], periods, now, related=("ticket",))[service.pk]


@dataclass(frozen=True)
class DayBar:
    """One day of the status page's bar chart."""

    day: date
    figure: Availability

    @property
    def percent(self) -> Decimal | None:
        return self.figure.percent

    @property
    def level(self) -> str:
        """CSS level: none (no data), ok, minor (some disruption), major
        (below the service's target that day)."""
        figure = self.figure
        if figure.exact is None:
            return "none"
        if figure.downtime == ZERO and figure.degraded == ZERO:
            return "ok"
        return "minor" if figure.met is not False else "major"


def day_periods(days: int, now: datetime, zone: tzinfo) -> list[tuple[date, Interval]]:
    """The last ``days`` calendar days in ``zone``, today last; today ends now."""
    today = timezone.localtime(now, zone).date()
    result = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        following = day + timedelta(days=1)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        end = datetime(following.year, following.month, following.day, tzinfo=zone)
        result.append((day, (start, end)))
    return result


def daily_bars(
    services: Sequence[Service], days: int = 90, now: datetime | None = None, zone: tzinfo | None = None
) -> dict[int, list[DayBar]]:
    """Per service, one bar a day for the last ``days`` days of ``zone``
    (default: the current time zone), oldest first, with a fixed number of
    queries however many services and days."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    periods = day_periods(days, now, zone)
    figures = _measure_many(services, [p for _d, p in periods], now)
    days_only = [day for day, _period in periods]
    return {pk: [DayBar(d, f) for d, f in zip(days_only, values, strict=True)] for pk, values in figures.items()}


def rolling(services: Sequence[Service], now: datetime | None = None, days: int = ROLLING_DAYS):
    """Each service's figure over the last ``days`` days up to now."""
    now = now or timezone.now()
    return availability_many(services, now - timedelta(days=days), now, now)


def refresh_current_availability(now: datetime | None = None) -> int:
    """Write the rolling 30-day figure into ``Service.availability_current``
    (P-4 item 11) of every monitored service, in batches with a fixed number
    of queries each. A service that is no longer monitored loses its figure
    (a stale number would mislead the public catalog). Returns how many
    services changed."""
    now = now or timezone.now()
    changed: list[Service] = []
    last_pk = 0
    while True:
        batch = list(
            Service.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "availability_target", "availability_current")[:CHUNK]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        figures = rolling(batch, now)
        for service in batch:
            value = figures[service.pk].percent  # None when not monitored or nothing measured
            if value != service.availability_current:
                service.availability_current = value
                changed.append(service)
    Service.objects.bulk_update(changed, ["availability_current"], batch_size=CHUNK)
    return len(changed)


# --- The status page -----------------------------------------------------------------------


@dataclass
class BoardRow:
    """One service on the public status page: its state now, a bar a day
    and its figure over all the days shown."""

    service: Service
    cover: Coverage
    bars: list[DayBar]
    overall: Availability
    open_outage: Outage | None
    in_maintenance: bool
    recent: list[Outage]  # outages that ended within the recent days

    @property
    def state(self) -> str:
        if self.open_outage is not None:
            return self.open_outage.state
        if self.in_maintenance:
            return ServiceState.MAINTENANCE
        if not self.cover.enabled_checks:
            return ServiceState.UNKNOWN
        return ServiceState.UP


def board(
    services: Sequence[Service],
    days: int = 90,
    now: datetime | None = None,
    zone: tzinfo | None = None,
    recent_days: int = 7,
) -> list[BoardRow]:
    """What the status page shows of each service, with the same fixed
    number of queries as ``daily_bars``."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    periods = day_periods(days, now, zone)
    first, last = periods[0][1][0], periods[-1][1][1]
    records = _load([s.pk for s in services], first, last)
    recent_since = now - timedelta(days=recent_days)
    rows = []
    for service in services:
        record = records[service.pk]
        target = service.availability_target
        bars = [DayBar(day, _figure(record, start, end, now, target)) for day, (start, end) in periods]
        open_outage = next((o for o in record.outages if o.ended_at is None), None)
        rows.append(
            BoardRow(
                service=service, cover=record.cover, bars=bars, overall=_figure(record, first, last, now, target),
                open_outage=open_outage, in_maintenance=any(s <= now < e for s, e in record.windows),
                recent=[o for o in record.outages if o.ended_at is not None and o.ended_at > recent_since],
            )
        )  # fmt: skip
    return rows
