"""What the continuity pages and the service page read (O-5, P-5): the DRP
in force per service, reviews and drills that are due, and the overview of
the Koordinator SPBE. Reads only; the rules of who sees what are in
``rules``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.choices import Classification, Lifecycle
from spbe.catalog.models import Service
from spbe.continuity.actions import add_months, current_plan_for, drill_months, recovery_clock
from spbe.continuity.choices import RecoveryKind, RecoveryStatus
from spbe.continuity.models import Recovery, RecoveryPlan
from spbe.desk.choices import OPEN_STATUSES


def with_last_drill(plans: QuerySet[RecoveryPlan]) -> QuerySet[RecoveryPlan]:
    """Each plan with ``last_drill_at``: the normalisation of the latest drill
    of any version of the same DRP."""
    drills = Recovery.objects.filter(
        kind=RecoveryKind.DRILL, plan__series=OuterRef("series"), normalised_at__isnull=False
    ).values("plan__series")
    return plans.annotate(last_drill_at=Subquery(drills.annotate(last=Max("normalised_at")).values("last")[:1]))


def drill_due(plan: RecoveryPlan, today: date) -> bool:
    """Never drilled, or not within the pack's interval (O-5, item 4)."""
    last = getattr(plan, "last_drill_at", None)
    if last is None:
        return True
    return add_months(timezone.localtime(last).date(), drill_months(plan.pd.pemda)) < today


def review_overdue(plan: RecoveryPlan, today: date) -> bool:
    return plan.is_current and plan.review_due is not None and plan.review_due < today


@dataclass
class ServiceContinuity:
    """The recovery box of a service's page."""

    plan: RecoveryPlan | None
    pending: RecoveryPlan | None
    last_activation: Recovery | None
    last_drill: Recovery | None
    drill_due: bool
    review_overdue: bool


def service_continuity(service: Service, today: date | None = None) -> ServiceContinuity:
    today = today or timezone.localdate()
    plan = current_plan_for(service)
    if plan is not None:
        plan = with_last_drill(RecoveryPlan.objects.filter(pk=plan.pk)).select_related("pd__pemda").get()
    pending = service.recovery_plans.exclude(status=ApprovalStatus.APPROVED).order_by("-revision").first()
    measured = Recovery.objects.filter(plan__services=service, normalised_at__isnull=False).order_by("-normalised_at")
    return ServiceContinuity(
        plan=plan,
        pending=pending,
        last_activation=measured.filter(kind=RecoveryKind.ACTIVATION).first(),
        last_drill=measured.filter(kind=RecoveryKind.DRILL).first(),
        drill_due=plan is not None and drill_due(plan, today),
        review_overdue=plan is not None and review_overdue(plan, today),
    )


def kritis_without_plan(services: QuerySet[Service]) -> QuerySet[Service]:
    """Active (or submitted) kritis services with no approved DRP in force (P-5)."""
    in_force = RecoveryPlan.objects.filter(services=OuterRef("pk")).in_force()
    return (
        services.filter(classification=Classification.KRITIS)
        .exclude(lifecycle=Lifecycle.RETIRED)
        .annotate(has_plan=Exists(in_force))
        .filter(has_plan=False)
    )


def _running_kritis(service: Service) -> bool:
    return service.classification == Classification.KRITIS and service.lifecycle != Lifecycle.RETIRED


@dataclass
class Overview:
    """The Koordinator SPBE's view of recovery across the PDs it may see."""

    without_plan: list[Service]
    overdue_reviews: list[RecoveryPlan]
    drills_due: list[RecoveryPlan]
    activations: list[Recovery]
    open_recoveries: list[Recovery]
    flagged: list  # open complaints flagged "DRP activation to be assessed" without an activation yet
    to_complete: list[RecoveryPlan]  # in force, but only the file of the old catalog: no structure yet


def overview(plans: QuerySet[RecoveryPlan], services: QuerySet[Service], recoveries: QuerySet[Recovery],
             complaints: QuerySet, today: date | None = None) -> Overview:  # fmt: skip
    today = today or timezone.localdate()
    current = with_last_drill(plans.in_force().select_related("pd__pemda__policy_version"))
    current = list(current.prefetch_related("services"))
    kritis = [plan for plan in current if any(_running_kritis(s) for s in plan.services.all())]
    year_ago = timezone.now() - timedelta(days=365)
    return Overview(
        without_plan=list(kritis_without_plan(services).select_related("pd").order_by("pd__name", "name")),
        overdue_reviews=[p for p in current if review_overdue(p, today)],
        to_complete=[p for p in current if p.migrated_from_file],
        drills_due=[p for p in kritis if drill_due(p, today)],
        activations=list(
            recoveries.filter(kind=RecoveryKind.ACTIVATION, opened_at__gte=year_ago)
            .select_related("pd", "plan")
            .order_by("-opened_at")
        ),
        flagged=list(
            complaints.filter(drp_assessment=True, status__in=OPEN_STATUSES, recoveries__isnull=True)
            .select_related("service", "pd")
            .order_by("-reported_at")[:50]
        ),
        open_recoveries=list(
            recoveries.filter(status__in=[RecoveryStatus.ASSESSING, RecoveryStatus.RECOVERING])
            .select_related("pd", "plan")
            .order_by("-opened_at")
        ),
    )


def live_rto(recovery: Recovery, now=None) -> dict | None:
    """The running RTO clock against its target, for the activation page."""
    clock = recovery_clock(recovery)
    if clock is None:
        return None
    now = now or timezone.now()
    end = recovery.normalised_at or now
    spent = end - clock.started_at
    return {
        "clock": clock,
        "spent": spent,
        "percent": min(100, round(100 * spent / clock.target)) if clock.target else 100,
        "remaining": clock.due_at - now,
        "running": recovery.normalised_at is None,
    }


def ticket_panel(user, ticket) -> dict:
    """What the ticket page shows of recovery: the activations it belongs to
    and, for a flagged complaint, whether the person may open the assessment."""
    from spbe.continuity import rules

    return {
        "recoveries": list(ticket.recoveries.all()),
        "can_assess": ticket.drp_assessment
        and rules.can_operate(user, ticket.pd)
        and current_plan_for(ticket.service) is not None,
    }
