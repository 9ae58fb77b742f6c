"""O-3 periodic review of disruptions: find complaints that recur on the
same service or configuration item, open a problem that links them, record
root cause, workaround and permanent fix, and inform the provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.desk.choices import TicketKind
from spbe.desk.models import Problem, Ticket
from spbe.notify.outbox import enqueue
from spbe.org.choices import Role
from spbe.org.models import User

PROBLEM_FIELDS = ["title", "root_cause", "workaround", "permanent_fix", "status"]


@dataclass(frozen=True)
class Recurrence:
    """Complaints on one service or component within the period."""

    kind: str  # "service" or "component"
    object_id: int
    label: str
    count: int
    open_problem: bool


def recurring(tickets, days: int, minimum: int) -> list[Recurrence]:
    """Services and components with at least ``minimum`` complaints in the
    last ``days`` days, most first (two grouped queries)."""
    since = timezone.now() - timedelta(days=days)
    complaints = tickets.filter(kind=TicketKind.COMPLAINT, reported_at__gte=since)
    found = []
    by_service = (complaints.values("service", "service__name").annotate(n=Count("id", distinct=True))
                  .filter(n__gte=minimum).order_by("-n"))  # fmt: skip
    open_services = set(Problem.objects.exclude(status="closed").values_list("service", flat=True))
    for row in by_service:
        found.append(Recurrence("service", row["service"], row["service__name"], row["n"],
                                row["service"] in open_services))  # fmt: skip
    by_component = (complaints.filter(components__isnull=False)
                    .values("components", "components__name").annotate(n=Count("id", distinct=True))
                    .filter(n__gte=minimum).order_by("-n"))  # fmt: skip
    open_components = set(Problem.objects.exclude(status="closed").values_list("component", flat=True))
    for row in by_component:
        found.append(Recurrence("component", row["components"], row["components__name"], row["n"],
                                row["components"] in open_components))  # fmt: skip
    return sorted(found, key=lambda r: -r.count)


@transaction.atomic
def open_problem(actor, *, title: str, complaints: list[Ticket], service=None, component=None) -> Problem:
    if not complaints:
        raise ValidationError(_("Pilih setidaknya satu aduan."))
    if not title.strip():
        raise ValidationError({"title": _("Beri judul masalah.")})
    first = complaints[0]
    problem = Problem.objects.create(
        pemda=first.pemda, pd=first.pd, service=service, component=component, title=title.strip(), created_by=actor
    )
    problem.complaints.set(complaints)
    record(actor=actor, action=AuditAction.CREATE, target=problem, pemda=problem.pemda,
           changes={"aduan": [None, ", ".join(t.number for t in complaints)]})  # fmt: skip
    _inform_provider(problem, _("Masalah baru dibuka dari %(n)d aduan berulang.") % {"n": len(complaints)})
    return problem


@transaction.atomic
def update_problem(actor, problem: Problem, before: dict) -> Problem:
    problem.full_clean()
    problem.save()
    changes = diff(before, snapshot(problem, PROBLEM_FIELDS))
    record(actor=actor, action=AuditAction.UPDATE, target=problem, pemda=problem.pemda, changes=changes)
    if "status" in changes:
        _inform_provider(problem, _("Status masalah: %(status)s.") % {"status": problem.get_status_display()})
    return problem


def _inform_provider(problem: Problem, message: str) -> None:
    """O-3: the provider (PJ Penyedia Layanan and Pimpinan PD) is informed."""
    emails = User.objects.filter(
        is_active=True, role_assignments__pd=problem.pd, role_assignments__role__in=[Role.PJ_PENYEDIA, Role.PIMPINAN_PD]
    ).values_list("email", flat=True)
    enqueue(
        key=f"problem-{problem.pk}-{problem.status}-{timezone.now():%Y%m%d%H%M%S%f}", to=list(emails),
        pemda=problem.pemda, subject=_("[Masalah] %(title)s") % {"title": problem.title},
        body=message + "\n\n" + _("Akar masalah: %(cause)s") % {"cause": problem.root_cause or "-"},
    )  # fmt: skip
