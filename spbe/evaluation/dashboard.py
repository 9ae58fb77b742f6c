"""What the dashboards show (E-1, E-4): each PD's services against their
targets (met / at risk / missed), open P1–P2 complaints, availability of
the last 90 days, the satisfaction trend and the maturity level.

A service is

* **missed** when its availability over the last 90 days is below its
  target (O-4, P-4 item 7);
* **at risk** when it has an open P1 or P2 complaint, an SLA clock breached
  in the last 30 days, or availability less than 0.1 point above target;
* **met** otherwise, when it is measured at all; **no data** when neither
  monitoring nor a ticket says anything.

The live figures (availability, open P1–P2) are a fixed number of indexed
queries for any number of PDs. The satisfaction trend (monthly), the SLA
breaches of the last 30 days and the maturity level change slowly and cost
the most (at a million tickets the breaches alone are a join over some
twenty thousand clocks), so they are kept in the cache for
``SLOW_SECONDS``; the key carries when the PD's reports and actions last
changed, so a report approved or an action completed shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Avg, Count, Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.clocks.choices import ClockState
from spbe.clocks.models import Clock
from spbe.desk.choices import OPEN_STATUSES, TicketKind
from spbe.desk.forms import URGENT
from spbe.desk.models import Ticket
from spbe.evaluation import maturity
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.monitoring.availability import availability_many

WINDOW = timedelta(days=90)
BREACH_WINDOW = timedelta(days=30)
AT_RISK_MARGIN = Decimal("0.1")
SLOW_SECONDS = 600
TREND_MONTHS = 12


@dataclass
class ServiceState:
    service: Service
    state: str  # met | at_risk | missed | no_data
    availability: Decimal | None
    open_urgent: int = 0
    breaches: int = 0


@dataclass
class Board:
    """One PD on the dashboard."""

    pd: object
    services: list[ServiceState] = field(default_factory=list)
    open_urgent: int = 0
    satisfaction: list[tuple[str, float | None]] = field(default_factory=list)
    level: int = 1
    level_name: str = ""
    missing: list[str] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for s in self.services if s.state == state)

    @property
    def met(self) -> int:
        return self.count("met")

    @property
    def at_risk(self) -> int:
        return self.count("at_risk")

    @property
    def missed(self) -> int:
        return self.count("missed")

    @property
    def no_data(self) -> int:
        return self.count("no_data")

    @property
    def satisfaction_average(self) -> float | None:
        values = [v for _m, v in self.satisfaction if v is not None]
        return round(sum(values) / len(values), 2) if values else None

    @property
    def queue_url(self) -> str:
        return reverse("desk:queue") + f"?pd={self.pd.pk}&kind=complaint&status=open&priority={URGENT}"

    @property
    def maturity_url(self) -> str:
        return reverse("evaluation:maturity") + f"?pd={self.pd.pk}"


def _state(availability, target, open_urgent: int, breaches: int) -> str:
    if availability is not None and target is not None and availability < target:
        return "missed"
    if (
        open_urgent
        or breaches
        or (availability is not None and target is not None and availability < target + AT_RISK_MARGIN)
    ):
        return "at_risk"
    return "met" if availability is not None else "no_data"


def boards(pds: list, now: datetime | None = None) -> list[Board]:
    """Every PD's board, in the order given."""
    now = now or timezone.now()
    services = list(
        Service.objects.filter(pd__in=pds, lifecycle=Lifecycle.ACTIVE)
        .select_related("pd", "pd__pemda")
        .order_by("name")
    )
    availability = availability_many(services, now - WINDOW, now, now=now)
    urgent = _open_urgent(pds)
    by_pd: dict[int, Board] = {pd.pk: Board(pd=pd) for pd in pds}
    breaches: dict[int, int] = {}
    for pd_id, slow in _slow(pds, now).items():
        board = by_pd[pd_id]
        board.satisfaction = slow["satisfaction"]
        board.level, board.level_name, board.missing = slow["level"], slow["level_name"], slow["missing"]
        breaches.update(slow["breaches"])
    for service in services:
        figure = availability[service.pk].percent
        open_urgent, breached = urgent.get(service.pk, 0), breaches.get(service.pk, 0)
        state = _state(figure, service.availability_target, open_urgent, breached)
        by_pd[service.pd_id].services.append(ServiceState(service, state, figure, open_urgent, breached))
    for board in by_pd.values():
        board.open_urgent = sum(s.open_urgent for s in board.services)
    return [by_pd[pd.pk] for pd in pds]


def _open_urgent(pds: list) -> dict[int, int]:
    """Open P1 and P2 complaints per service (the queue's open-priority index)."""
    rows = (
        Ticket.objects.filter(
            pd__in=pds, status__in=sorted(OPEN_STATUSES), priority__in=[1, 2], kind=TicketKind.COMPLAINT
        )
        .values("service_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["service_id"]: r["n"] for r in rows}


def _stamps(pds: list) -> dict[int, str]:
    """Per PD, when its reports and actions last changed (two indexed
    queries for any number of PDs). It is part of the cache key, so an
    approved report or a completed action shows at once in every web
    process, not only in the one that handled it."""
    stamps: dict[int, list] = {pd.pk: [] for pd in pds}
    for model in (EvaluationReport, FollowUpAction):
        for row in model.objects.filter(pd__in=pds).values("pd").annotate(last=Max("last_updated")).order_by():
            stamps[row["pd"]].append(row["last"].timestamp())
    return {pk: str(max(values, default=0)) for pk, values in stamps.items()}


def _slow(pds: list, now: datetime) -> dict[int, dict]:
    """Each PD's slow figures from the cache; those missing or stale are
    computed together (one query each for breaches and satisfaction)."""
    stamps = _stamps(pds)
    keys = {pd.pk: f"evaluation:board:{pd.pk}:{stamps[pd.pk]}" for pd in pds}
    found = cache.get_many(list(keys.values()))
    slow = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pd for pd in pds if pd.pk not in slow]
    if missing:
        computed = _slow_figures(missing, now)
        cache.set_many({keys[pk]: figures for pk, figures in computed.items()}, SLOW_SECONDS)
        slow.update(computed)
    return slow


def _recent_breaches(pds: list, now: datetime) -> dict[int, dict[int, int]]:
    """Per PD and service, SLA clocks breached in the last 30 days
    (clock_breached_idx)."""
    rows = (
        Clock.objects.filter(
            owner_type=ContentType.objects.get_for_model(Ticket),
            state=ClockState.BREACHED,
            due_at__gte=now - BREACH_WINDOW,
            ticket__pd__in=pds,
        )
        .values("ticket__pd_id", "ticket__service_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, dict[int, int]] = {pd.pk: {} for pd in pds}
    for r in rows:
        found[r["ticket__pd_id"]][r["ticket__service_id"]] = r["n"]
    return found


def _satisfaction(pds: list, now: datetime) -> dict[int, list[tuple[str, float | None]]]:
    """Per PD, the average rating of each of the last twelve months (the Pemda's months)."""
    zone = ZoneInfo(pds[0].pemda.time_zone)  # one Pemda's board, or PDs of Pemdas in the same zone
    today = now.astimezone(zone).date()
    first = (today.replace(day=1) - timedelta(days=366)).replace(day=1)
    rows = (
        Ticket.objects.filter(
            pd__in=pds, satisfaction__isnull=False, reported_at__gte=datetime.combine(first, datetime.min.time(), zone)
        )
        .annotate(month=TruncMonth("reported_at", tzinfo=zone))
        .values("pd_id", "month")
        .annotate(average=Avg("satisfaction"))
        .order_by()
    )
    averages = {(r["pd_id"], r["month"].date().isoformat()[:7]): round(float(r["average"]), 2) for r in rows}
    months, cursor = [], first
    for _index in range(TREND_MONTHS + 1):
        months.append(cursor.isoformat()[:7])
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return {pd.pk: [(month, averages.get((pd.pk, month))) for month in months[-TREND_MONTHS:]] for pd in pds}


def _slow_figures(pds: list, now: datetime) -> dict[int, dict]:
    breaches, satisfaction = _recent_breaches(pds, now), _satisfaction(pds, now)
    figures = {}
    for pd in pds:
        today = now.astimezone(ZoneInfo(pd.pemda.time_zone)).date()
        start, end = maturity.default_period(today)
        result = maturity.assess(pd.pemda, pd, start=start, end=end, today=today)
        figures[pd.pk] = {
            "breaches": breaches[pd.pk],
            "satisfaction": satisfaction[pd.pk],
            "level": result.level,
            "level_name": result.name,
            "missing": [c.missing for c in result.next_missing],
        }
    return figures


def pemda_level(pemda, now: datetime | None = None) -> dict:
    """The Pemda's own level (the Koordinator's view), kept like a PD's."""
    stamp = max(_stamps(list(pemda.pds.all())).values(), default="0", key=float)
    key = f"evaluation:pemda:{pemda.pk}:{stamp}"
    slow = cache.get(key)
    if slow is None:
        now = now or timezone.now()
        today = now.astimezone(ZoneInfo(pemda.time_zone)).date()
        start, end = maturity.default_period(today)
        result = maturity.assess(pemda, None, start=start, end=end, today=today)
        slow = {"level": result.level, "level_name": result.name, "missing": [c.missing for c in result.next_missing]}
        cache.set(key, slow, SLOW_SECONDS)
    return slow
