"""The recap of every chapter of an evaluation report, computed from the
records (E-1, E-2, E-3). Every figure is documented in docs/evaluation.md.

One call of :func:`compute` reads a fixed number of aggregate queries,
whatever the number of tickets: tickets are counted by the database
(``GROUP BY`` service, kind, priority; clocks joined by their owner), never
loaded one by one. The result is plain JSON so an approved report stores it
as it was (``EvaluationReport.figures``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils import timezone

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.choices import Classification, Lifecycle
from spbe.catalog.models import OperatingTarget, Service, ServiceNeeds
from spbe.change.choices import ReleaseStage
from spbe.change.models import ChangePlan, Release
from spbe.change.models_projects import AppProject
from spbe.clocks.choices import ClockKind, ClockState
from spbe.clocks.models import Clock
from spbe.cmdb.models import Application, AppManagementTarget, Component
from spbe.continuity.choices import RecoveryKind, RecoveryStatus
from spbe.continuity.models import Recovery, RecoveryPlan
from spbe.desk.choices import TicketKind, TicketStatus
from spbe.desk.models import Problem, SlaDocument, Ticket
from spbe.evaluation.rules import EvaluationRules, rules_for
from spbe.knowledge.models import Feedback
from spbe.monitoring.availability import availability_many, coverage
from spbe.monitoring.models import Outage, UtilisationSample

LIST_LIMIT = 20  # breached tickets, outages, … listed per chapter (the counts are whole)
DONE_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


@dataclass(frozen=True)
class Subject:
    """Whose management is evaluated, over which days: a PD, or the whole
    Pemda when ``pd`` is None. Days are the Pemda's local days, inclusive."""

    pemda: object
    pd: object | None
    start: date
    end: date

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.pemda.time_zone)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[00:00 of the first day, 00:00 after the last day) in the Pemda's zone."""
        zone = self.zone
        return (
            datetime.combine(self.start, time(0), zone),
            datetime.combine(self.end + timedelta(days=1), time(0), zone),
        )

    def scoped(self, qs, pd_field: str = "pd"):
        """Rows of the PD, or of every PD of the Pemda (by the row's own
        ``pemda`` column when it has one: no join on large tables)."""
        if self.pd is not None:
            return qs.filter(**{f"{pd_field}_id": self.pd.pk})
        if pd_field == "pd" and any(f.name == "pemda" for f in qs.model._meta.concrete_fields):
            return qs.filter(pemda_id=self.pemda.pk)
        return qs.filter(**{f"{pd_field}__pemda_id": self.pemda.pk})


def subject_of(report) -> Subject:
    return Subject(report.pemda, None if report.is_pemda_wide else report.pd, report.period_start, report.period_end)


def figures_of(report, now: datetime | None = None) -> dict:
    """The frozen figures of an approved report, or a fresh computation
    (a draft, or a revision reopened by any path, always recomputes)."""
    if report.figures is not None and report.status == ApprovalStatus.APPROVED:
        return report.figures
    return compute(subject_of(report), now=now)


def compute(subject: Subject, now: datetime | None = None) -> dict:
    """Every chapter's recap (E-2 point 6) for the subject and period."""
    now = now or timezone.now()
    rules = rules_for(subject.pemda)
    services = list(
        subject.scoped(Service.objects.exclude(lifecycle=Lifecycle.DRAFT))
        .select_related("pd")
        .order_by("pd__name", "name")
    )
    tickets = _ticket_figures(subject, rules)
    return {
        "period": {"start": subject.start.isoformat(), "end": subject.end.isoformat()},
        # the thresholds the verdicts used, frozen with them (an amended pack never recolours a report)
        "rules": asdict(rules),
        "computed_at": now.isoformat(),
        "services": {
            str(s.pk): {"name": s.name, "pd": s.pd.abbreviation or s.pd.name, "classification": s.classification}
            for s in services
        },
        "requests": tickets["requests"],
        "disruptions": tickets["disruptions"],
        "satisfaction": tickets["satisfaction"],
        "monitoring": _monitoring(subject, services, rules, now),
        "recovery": _recovery(subject, services),
        "release": _release(subject, now),
        "planning": _planning(subject, services),
        "sla": _sla_documents(subject, now),
    }


# --- (a) requests and (b) disruptions ------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _period_tickets(subject: Subject):
    start, end = subject.bounds
    return subject.scoped(Ticket.objects.filter(reported_at__gte=start, reported_at__lt=end))


def _clock_counts(subject: Subject) -> dict[tuple, dict[str, int]]:
    """(service, kind, priority, clock kind) -> met / breached / open clocks,
    in one GROUP BY over the period's tickets joined to their clocks."""
    start, end = subject.bounds
    owner = {"ticket__pd_id": subject.pd.pk} if subject.pd is not None else {"ticket__pemda_id": subject.pemda.pk}
    clocks = Clock.objects.filter(
        owner_type=ContentType.objects.get_for_model(Ticket),
        ticket__reported_at__gte=start,
        ticket__reported_at__lt=end,
        **owner,
    )
    rows = (
        clocks.values("kind", "ticket__service_id", "ticket__kind", "ticket__priority")
        .annotate(
            met=Count("id", filter=Q(state=ClockState.MET)),
            breached=Count("id", filter=Q(state=ClockState.BREACHED)),
        )
        .order_by()
    )
    counts: dict[tuple, dict[str, int]] = {}
    for row in rows:
        key = (row["ticket__service_id"], row["ticket__kind"], row["ticket__priority"], row["kind"])
        total = counts.setdefault(key, {"met": 0, "breached": 0})
        total["met"] += row["met"]
        total["breached"] += row["breached"]
    return counts


def _ticket_rows(subject: Subject):
    """(service, kind, priority) -> counts of tickets, done, confirmed,
    escalations by level and satisfaction, in one GROUP BY."""
    return (
        _period_tickets(subject)
        .values("service_id", "kind", "priority")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status__in=DONE_STATUSES)),
            confirmed=Count("id", filter=Q(reporter_confirmed_at__isnull=False)),
            responded=Count("id", filter=Q(first_response_at__isnull=False)),
            esc1=Count("id", filter=Q(escalation_level=1)),
            esc2=Count("id", filter=Q(escalation_level=2)),
            esc3=Count("id", filter=Q(escalation_level=3)),
            rated=Count("satisfaction"),
            rating_sum=Sum("satisfaction"),
        )
        .order_by()
    )


def _service_verdicts(per_service: dict[int, dict[str, int]], rules: EvaluationRules) -> list[dict]:
    """A service meets its target when at least ``target_met_percent`` of
    its measured clocks were met."""
    verdicts = []
    for service_id, c in sorted(per_service.items()):
        measured = c["met"] + c["breached"]
        share = _percent(c["met"], measured)
        verdicts.append(
            {
                "service": service_id,
                "tickets": c["tickets"],
                "met_clocks": c["met"],
                "breached_clocks": c["breached"],
                "percent": share,
                "met": None if share is None else share >= rules.target_met_percent,
            }
        )
    return verdicts


def _summary(verdicts: list[dict]) -> dict[str, int]:
    measured = [v for v in verdicts if v["met"] is not None]
    return {"services_met": sum(1 for v in measured if v["met"]), "services_measured": len(measured)}


def _ticket_figures(subject: Subject, rules: EvaluationRules) -> dict:
    clocks = _clock_counts(subject)
    requests = {"total": 0, "done": 0, "confirmed": 0, "p1_met": 0, "p1_breached": 0}
    priorities: dict[int | None, dict[str, int]] = {}
    escalations = {"1": 0, "2": 0, "3": 0}
    rating = {"count": 0, "sum": 0}
    request_services: dict[int, dict[str, int]] = defaultdict(lambda: {"tickets": 0, "met": 0, "breached": 0})
    complaint_services: dict[int, dict[str, int]] = defaultdict(lambda: {"tickets": 0, "met": 0, "breached": 0})
    for row in _ticket_rows(subject):
        service, kind, priority = row["service_id"], row["kind"], row["priority"]
        rating["count"] += row["rated"]
        rating["sum"] += row["rating_sum"] or 0
        p1 = clocks.get((service, kind, priority, ClockKind.USER_SERVICE), {"met": 0, "breached": 0})
        if kind == TicketKind.REQUEST:
            requests["total"] += row["total"]
            requests["done"] += row["done"]
            requests["confirmed"] += row["confirmed"]
            requests["p1_met"] += p1["met"]
            requests["p1_breached"] += p1["breached"]
            _add(request_services[service], row["total"], p1)
            continue
        line = priorities.setdefault(
            priority,
            dict.fromkeys(
                (
                    "total",
                    "done",
                    "confirmed",
                    "responded",
                    "response_met",
                    "response_breached",
                    "p1_met",
                    "p1_breached",
                    "sla_met",
                    "sla_breached",
                ),
                0,
            ),
        )
        for name in ("total", "done", "confirmed", "responded"):
            line[name] += row[name]
        response = clocks.get((service, kind, priority, ClockKind.RESPONSE), {"met": 0, "breached": 0})
        sla = clocks.get((service, kind, priority, ClockKind.SLA_RESOLUTION), {"met": 0, "breached": 0})
        line["response_met"] += response["met"]
        line["response_breached"] += response["breached"]
        line["p1_met"] += p1["met"]
        line["p1_breached"] += p1["breached"]
        line["sla_met"] += sla["met"]
        line["sla_breached"] += sla["breached"]
        for level in ("1", "2", "3"):
            escalations[level] += row[f"esc{level}"]
        _add(complaint_services[service], row["total"], response, p1)
    request_verdicts = _service_verdicts(request_services, rules)
    complaint_verdicts = _service_verdicts(complaint_services, rules)
    by_priority = [{"priority": p, **line} for p, line in sorted(priorities.items(), key=lambda i: i[0] or 99)]
    total = {
        name: sum(line[name] for line in priorities.values())
        for name in (
            "total",
            "done",
            "response_met",
            "response_breached",
            "p1_met",
            "p1_breached",
            "sla_met",
            "sla_breached",
        )
    }
    return {
        "requests": {
            **requests,
            "p1_percent": _percent(requests["p1_met"], requests["p1_met"] + requests["p1_breached"]),
            "per_service": request_verdicts,
            **_summary(request_verdicts),
            "breached": _breached(subject, TicketKind.REQUEST),
        },
        "disruptions": {
            **total,
            "response_percent": _percent(total["response_met"], total["response_met"] + total["response_breached"]),
            "p1_percent": _percent(total["p1_met"], total["p1_met"] + total["p1_breached"]),
            "by_priority": by_priority,
            "escalations": escalations,
            "per_service": complaint_verdicts,
            **_summary(complaint_verdicts),
            "breached": _breached(subject, TicketKind.COMPLAINT),
            "problems": _problems(subject),
            "knowledge": _knowledge(subject),
        },
        "satisfaction": {
            "count": rating["count"],
            "average": round(rating["sum"] / rating["count"], 2) if rating["count"] else None,
            "by_month": _satisfaction_by_month(subject),
        },
    }


def _add(target: dict[str, int], tickets: int, *clock_counts: dict[str, int]) -> None:
    target["tickets"] += tickets
    for counts in clock_counts:
        target["met"] += counts["met"]
        target["breached"] += counts["breached"]


def _breached(subject: Subject, kind: str) -> list[dict]:
    """The period's tickets with a breached clock, newest first, with their cause."""
    ticket_ids = Clock.objects.filter(
        owner_type=ContentType.objects.get_for_model(Ticket), state=ClockState.BREACHED
    ).values("owner_id")
    rows = (
        _period_tickets(subject)
        .filter(kind=kind, pk__in=ticket_ids)
        .order_by("-reported_at")
        .values("pk", "number", "subject", "priority", "cause", "service__name", "reported_at")[:LIST_LIMIT]
    )
    return [
        {
            "id": r["pk"],
            "number": r["number"],
            "subject": r["subject"],
            "priority": r["priority"],
            "cause": r["cause"],
            "service": r["service__name"],
            "reported_at": r["reported_at"].isoformat(),
        }
        for r in rows
    ]


def _problems(subject: Subject) -> list[dict]:
    """Recurring disruptions (O-3) with complaints in the period."""
    start, end = subject.bounds
    rows = (
        subject.scoped(Problem.objects.all())
        .annotate(
            count=Count("complaints", filter=Q(complaints__reported_at__gte=start, complaints__reported_at__lt=end))
        )
        .filter(count__gt=0)
        .order_by("-count", "title")
        .values("pk", "title", "status", "root_cause", "count")[:LIST_LIMIT]
    )
    return [
        {
            "id": r["pk"],
            "title": r["title"],
            "status": r["status"],
            "root_cause": r["root_cause"],
            "complaints": r["count"],
        }
        for r in rows
    ]


def _knowledge(subject: Subject) -> dict:
    """The knowledge base's answers in the period (issue 15): reports its
    articles made unnecessary on the portal (deflections) and the share of
    "helpful" votes, counted by the PD of the service concerned."""
    start, end = subject.bounds
    votes = subject.scoped(Feedback.objects.filter(created__gte=start, created__lt=end)).aggregate(
        deflections=Count("id", filter=Q(deflected=True)),
        helpful=Count("id", filter=Q(helpful=True)),
        votes=Count("id"),
    )
    return {**votes, "helpful_percent": _percent(votes["helpful"], votes["votes"])}


def _satisfaction_by_month(subject: Subject) -> list[dict]:
    rows = (
        _period_tickets(subject)
        .filter(satisfaction__isnull=False)
        .annotate(month=TruncMonth("reported_at", tzinfo=subject.zone))
        .values("month")
        .annotate(average=Avg("satisfaction"), count=Count("id"))
        .order_by("month")
    )
    return [
        {"month": r["month"].date().isoformat()[:7], "average": round(float(r["average"]), 2), "count": r["count"]}
        for r in rows
    ]


# --- (c) monitoring and maintenance ------------------------------------------------------


def _monitoring(subject: Subject, services: list[Service], rules: EvaluationRules, now: datetime) -> dict:
    """Availability achieved against target per service, maintenance excluded
    (spbe.monitoring.availability), the longest outages, components over
    their thresholds, and kritis/esensial services no check watches."""
    start, end = subject.bounds
    figures = availability_many(services, start, end, now=now)
    watched = coverage([s.pk for s in services])
    rows = []
    for service in services:
        figure = figures[service.pk]
        rows.append(
            {
                "service": service.pk,
                "target": _decimal(service.availability_target),
                "percent": _decimal(figure.percent),
                "met": figure.met,
                "downtime_minutes": figure.downtime_minutes,
                "maintenance_minutes": figure.maintenance_minutes,
                "monitored": watched[service.pk].monitored,
            }
        )
    measured = [r for r in rows if r["met"] is not None]
    important = [s for s in services if s.classification in (Classification.KRITIS, Classification.ESENSIAL)]
    unwatched = [s.pk for s in important if not watched[s.pk].monitored]
    return {
        "per_service": rows,
        "services_met": sum(1 for r in measured if r["met"]),
        "services_measured": len(measured),
        "services_without_data": len(rows) - len(measured),
        "important_services": len(important),
        "unwatched": unwatched,
        "coverage_percent": _percent(len(important) - len(unwatched), len(important)),
        "outages": _outages(subject),
        "over_threshold": _over_threshold(subject),
    }


def _decimal(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _outages(subject: Subject) -> dict:
    start, end = subject.bounds
    qs = subject.scoped(
        Outage.objects.filter(started_at__lt=end).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start)),
        pd_field="service__pd",
    )
    # the longest first, as far as each falls in the period, sorted by the database
    span = Least(Coalesce("ended_at", Value(end)), Value(end)) - Greatest("started_at", Value(start))
    longest = qs.select_related("service").annotate(span=span).order_by("-span", "pk")[:LIST_LIMIT]
    listed = [
        {
            "service": outage.service.name,
            "state": outage.state,
            "started_at": outage.started_at.isoformat(),
            "ended_at": outage.ended_at.isoformat() if outage.ended_at else None,
            "minutes": int(outage.span.total_seconds() // 60),
            "cause": outage.cause,
        }
        for outage in longest
    ]
    return {"count": qs.count(), "longest": listed}


def _over_threshold(subject: Subject) -> list[dict]:
    """Components with hours whose utilisation passed a threshold (O-4)."""
    start, end = subject.bounds
    components = subject.scoped(Component.objects.all())
    rows = (
        UtilisationSample.objects.filter(hour__gte=start, hour__lt=end, component__in=components)
        .exclude(anomalies=[])
        .values("component_id", "component__name")
        .annotate(hours=Count("id"))
        .order_by("-hours")[:LIST_LIMIT]
    )
    return [{"component": r["component__name"], "hours": r["hours"]} for r in rows]


# --- (d) recovery -------------------------------------------------------------------------


def _recovery(subject: Subject, services: list[Service]) -> dict:
    """DRP activations and drills opened in the period with RTO/RPO achieved
    against target (O-5), kritis services without a DRP in force, and DRPs
    past their review date."""
    start, end = subject.bounds
    recoveries = list(
        subject.scoped(Recovery.objects.filter(opened_at__gte=start, opened_at__lt=end))
        .exclude(status=RecoveryStatus.CANCELLED)
        .select_related("plan")
        .prefetch_related("plan__services")
        .order_by("opened_at")
    )
    items, verdicts = [], {}
    for r in recoveries:
        met = None if r.rto_met is None else bool(r.rto_met and r.rpo_met is not False)
        items.append(
            {
                "id": r.pk,
                "kind": r.kind,
                "title": r.title,
                "status": r.status,
                "opened_at": r.opened_at.isoformat(),
                "rto_target_minutes": _minutes(r.rto_target),
                "rto_minutes": _minutes(r.rto_achieved),
                "rpo_target_minutes": _minutes(r.rpo_target),
                "rpo_minutes": _minutes(r.rpo_achieved),
                "rto_met": r.rto_met,
                "rpo_met": r.rpo_met,
                "drp": str(r.plan),
                "drp_id": r.plan_id,
            }
        )
        if met is not None:
            for service in r.plan.services.all():
                verdicts[service.pk] = verdicts.get(service.pk, True) and met
    covered = set(
        RecoveryPlan.objects.in_force().filter(services__in=[s.pk for s in services]).values_list("services", flat=True)
    )
    kritis = [s for s in services if s.classification == Classification.KRITIS and s.lifecycle == Lifecycle.ACTIVE]
    today = subject.end
    overdue = subject.scoped(RecoveryPlan.objects.in_force().filter(review_due__lt=today))
    return {
        "activations": sum(1 for r in recoveries if r.kind == RecoveryKind.ACTIVATION),
        "drills": sum(1 for r in recoveries if r.kind == RecoveryKind.DRILL),
        "rto_met": sum(1 for r in recoveries if r.rto_met),
        "rto_missed": sum(1 for r in recoveries if r.rto_met is False),
        "rpo_met": sum(1 for r in recoveries if r.rpo_met),
        "rpo_missed": sum(1 for r in recoveries if r.rpo_met is False),
        "items": items,
        "services_met": sum(1 for v in verdicts.values() if v),
        "services_measured": len(verdicts),
        "kritis_services": len(kritis),
        "kritis_without_drp": [s.pk for s in kritis if s.pk not in covered],
        "review_overdue": [{"id": p.pk, "title": str(p)} for p in overdue[:LIST_LIMIT]],
    }


def _minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)


# --- (e) release ---------------------------------------------------------------------------


def _release(subject: Subject, now: datetime) -> dict:
    """Approved releases whose window began in the period, by outcome (O-6),
    and transition plans due in the period done as planned (P-9): a plan is
    done as planned when a release carrying it succeeded by its planned end."""
    start, end = subject.bounds
    releases = list(
        subject.scoped(
            Release.objects.filter(status=ApprovalStatus.APPROVED, window_start__gte=start, window_start__lt=end)
        )
        .prefetch_related("services")
        .order_by("window_start")
    )
    outcome = defaultdict(int)
    verdicts: dict[int, bool] = {}
    items = []
    for release in releases:
        outcome[release.stage] += 1
        ok = {ReleaseStage.SUCCEEDED: True, ReleaseStage.FAILED: False, ReleaseStage.ROLLED_BACK: False}.get(
            release.stage
        )
        items.append(
            {
                "id": release.pk,
                "title": release.title,
                "stage": release.stage,
                "version": release.version,
                "window_start": release.window_start.isoformat(),
            }
        )
        if ok is not None:
            for service in release.services.all():
                verdicts[service.pk] = verdicts.get(service.pk, True) and ok
    plans = list(
        subject.scoped(
            ChangePlan.objects.filter(status=ApprovalStatus.APPROVED, planned_end__gte=start, planned_end__lt=end)
        )
        .prefetch_related("releases")
        .order_by("planned_end")
    )
    plan_items = []
    for plan in plans:
        done = [r.verified_at for r in plan.releases.all() if r.stage == ReleaseStage.SUCCEEDED and r.verified_at]
        on_time = bool(done) and min(done) <= plan.planned_end
        state = "as_planned" if on_time else ("late" if done or plan.planned_end < now else "pending")
        plan_items.append(
            {
                "id": plan.pk,
                "title": plan.title,
                "kind": plan.kind,
                "state": state,
                "planned_end": plan.planned_end.isoformat(),
            }
        )
    return {
        "total": len(releases),
        "succeeded": outcome[ReleaseStage.SUCCEEDED],
        "rolled_back": outcome[ReleaseStage.ROLLED_BACK],
        "failed": outcome[ReleaseStage.FAILED],
        "in_progress": outcome[ReleaseStage.PLANNED] + outcome[ReleaseStage.VERIFYING] + outcome[ReleaseStage.MANUAL],
        "items": items[:LIST_LIMIT],
        "services_met": sum(1 for v in verdicts.values() if v),
        "services_measured": len(verdicts),
        "changes": {
            "total": len(plans),
            "as_planned": sum(1 for p in plan_items if p["state"] == "as_planned"),
            "late": sum(1 for p in plan_items if p["state"] == "late"),
            "items": plan_items[:LIST_LIMIT],
        },
    }


# --- planning and application management (E-1) ----------------------------------------------


def _planning(subject: Subject, services: list[Service]) -> dict:
    """What planning (P-1 … P-11) the records hold: services in the approved
    catalog with their targets, needs inventories, operating and application
    targets, and application projects (O-7)."""
    active = [s for s in services if s.lifecycle == Lifecycle.ACTIVE]
    # the same rule as the maturity level's catalog criterion (maturity._planning)
    approved = [s for s in active if s.status == ApprovalStatus.APPROVED and s.user_service_target is not None]
    approved_ids = {s.pk for s in approved}
    service_ids = [s.pk for s in active]
    apps = subject.scoped(Application.objects.all())
    app_ids = list(apps.values_list("pk", flat=True))
    with_p10 = set(
        AppManagementTarget.objects.filter(application_id__in=app_ids, status=ApprovalStatus.APPROVED).values_list(
            "application_id", flat=True
        )
    )
    _start, end = subject.bounds
    projects = subject.scoped(AppProject.objects.filter(created__lt=end))
    return {
        "services_active": len(active),
        "services_with_targets": len(approved),
        "without_targets": [s.pk for s in active if s.pk not in approved_ids],
        "coverage_percent": _percent(len(approved), len(active)),
        "needs_inventories": ServiceNeeds.objects.filter(
            service_id__in=service_ids, status=ApprovalStatus.APPROVED
        ).count(),
        "operating_targets": OperatingTarget.objects.filter(
            application_id__in=app_ids, status=ApprovalStatus.APPROVED
        ).count(),
        "applications": len(app_ids),
        "applications_with_p10": len(with_p10),
        "applications_without_p10": len(app_ids) - len(with_p10),
        "projects": projects.count(),
        "projects_approved": projects.filter(status=ApprovalStatus.APPROVED).count(),
        "services_met": len(approved),
        "services_measured": len(active),
    }


# --- SLA documents (E-3, E-2 point 7) ------------------------------------------------------------


def sla_documents_in(subject: Subject):
    """SLA documents of the subject in force during the period."""
    return subject.scoped(
        SlaDocument.objects.filter(valid_from__lte=subject.end, valid_to__gte=subject.start)
    ).order_by("valid_from", "pk")


def _sla_documents(subject: Subject, now: datetime) -> dict:
    from spbe.evaluation.sla_documents import clock_states, evaluate

    documents = list(sla_documents_in(subject).select_related("pd"))
    states = clock_states(documents, *subject.bounds)
    return {"documents": [evaluate(document, subject, now, states.get(document.pk, {})) for document in documents]}
