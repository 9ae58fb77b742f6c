"""Every state change of an application project (O-7): saving the project
with its phase plan, starting and completing phases, and the Koordinator
SPBE's approval of a phase gate. Each in one transaction with the audit
trail; the project's own approval goes through ``spbe.approvals``. Also
the application's continuous performance against its P-10 target, shown
on the project's page."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.models import Service
from spbe.change.models import Release
from spbe.change.models_projects import AppProject, Phase, ProjectPhase, SdlcMethod, Sourcing
from spbe.cmdb.choices import SdlcPhase
from spbe.cmdb.models import Application, AppManagementTarget, ServiceApplication
from spbe.desk.choices import ProblemStatus
from spbe.desk.models import Problem
from spbe.monitoring import availability
from spbe.monitoring.models import Check
from spbe.org import access
from spbe.org.choices import STRUCTURAL_ROLES, Role

PROJECT_FIELDS = ["title", "application", "pd", "method", "sourcing", "vendor", "contract_number", "needs_analysis",
                  "management_target", "goal", "scope"]  # fmt: skip
PHASE_PLAN_FIELDS = ["planned_start", "planned_end", "deliverables", "needs_gate_approval"]

#: the CMDB's SDLC phase of the application while a project phase runs
CMDB_PHASE = {Phase.DESIGN: SdlcPhase.DESIGN, Phase.IMPLEMENTATION: SdlcPhase.IMPLEMENTATION,
              Phase.TESTING: SdlcPhase.TESTING, Phase.MAINTENANCE: SdlcPhase.MAINTENANCE}  # fmt: skip


def phase_key(phase: int, name: str) -> str:
    """The error key of a phase's field, e.g. ``implementation.planned_start``;
    the form puts the message next to that field of that phase's row."""
    return f"{Phase(phase).name.lower()}.{name}"


def _day(value: date) -> str:
    return date_format(value, "d-m-Y")


def schedule_errors(method: str, phases: list[dict]) -> dict[str, str]:
    """The rules of ``ProjectPhase``'s docstring on a phase plan (pure).
    ``phases`` are dicts with ``phase``, ``planned_start`` and ``planned_end``."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for row in phases:
        if row["phase"] not in Phase.values or row["phase"] in seen:
            errors["__all__"] = _("Setiap fase SDLC direncanakan satu kali.")
        seen.add(row["phase"])
    if errors:
        return errors
    ordered = sorted(phases, key=lambda row: row["phase"])
    for row in ordered:
        if row["planned_end"] < row["planned_start"]:
            errors[phase_key(row["phase"], "planned_end")] = _("Rencana selesai tidak boleh sebelum rencana mulai.")
    for previous, row in itertools.pairwise(ordered):
        names = {"phase": Phase(row["phase"]).label, "previous": Phase(previous["phase"]).label}
        start_key, end_key = phase_key(row["phase"], "planned_start"), phase_key(row["phase"], "planned_end")
        if row["planned_start"] < previous["planned_start"]:
            errors.setdefault(start_key, _("Fase %(phase)s tidak boleh dimulai sebelum fase %(previous)s.") % names)
        elif method == SdlcMethod.WATERFALL and row["planned_start"] < previous["planned_end"]:
            errors.setdefault(start_key, _(
                "Pada metode waterfall fase %(phase)s dimulai setelah fase %(previous)s selesai (%(end)s)."
            ) % {**names, "end": _day(previous["planned_end"])})  # fmt: skip
        if row["planned_end"] < previous["planned_end"]:
            errors.setdefault(end_key, _("Fase %(phase)s tidak boleh selesai sebelum fase %(previous)s.") % names)
    return errors


@transaction.atomic
def save_project(actor, project: AppProject, phases: list[dict]) -> AppProject:
    """Create or change a draft project with its phase plan. ``phases`` are
    the planned phases (``phase``, dates, ``deliverables``,
    ``needs_gate_approval``); a phase left out is removed unless it has
    begun. Progress already recorded stays. Nothing is saved when anything
    is wrong."""
    creating = project.pk is None
    if not creating:
        stored = AppProject.objects.select_related("pd__pemda").get(pk=project.pk)
        if not stored.is_editable:
            raise ValidationError(_("Proyek yang diajukan atau disetujui tidak dapat diubah; buat revisi."))
        if not approvals.can_edit(actor, stored):
            raise PermissionDenied
    if project.application_id:
        project.pd_id = project.application.pd_id
    if project.sourcing == Sourcing.IN_HOUSE:
        project.vendor = project.contract_number = ""
    try:
        project.full_clean(exclude=["drafted_by", "pd"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    existing = {} if creating else {p.phase: p for p in project.phases.all()}
    errors = schedule_errors(project.method, phases)
    kept = {row["phase"] for row in phases}
    for number, phase in existing.items():
        if number not in kept and phase.has_progress:
            errors[phase_key(number, "planned_start")] = _("Fase ini sudah berjalan dan tidak dapat dihapus.")
    if errors:
        raise ValidationError(errors)
    if creating:
        project.drafted_by = actor
    if not approvals.can_edit(actor, project):  # in the (possibly new) application's PD
        raise PermissionDenied
    before = {} if creating else snapshot(stored, PROJECT_FIELDS)
    project.save()
    for number, phase in existing.items():
        if number not in kept:
            phase.delete()
    for row in phases:
        phase = existing.get(row["phase"]) or ProjectPhase(project=project, phase=row["phase"])
        for name in PHASE_PLAN_FIELDS:
            setattr(phase, name, row[name])
        phase.save()
    after = snapshot(project, PROJECT_FIELDS)
    after["phases"] = "; ".join(f"{Phase(r['phase']).label} {r['planned_start']}–{r['planned_end']}"
                                for r in sorted(phases, key=lambda r: r["phase"]))  # fmt: skip
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=project,
           pemda=project.pd.pemda, changes=diff({} if creating else before, after))  # fmt: skip
    return project


# --- Progress --------------------------------------------------------------------------


def can_manage(user, project: AppProject) -> bool:
    """Who records progress: the application PD's staff, the Pemda's
    coordinator and the system administrator."""
    scope = access.scope_for(user)
    return (scope.is_system_admin or project.pd.pemda_id in scope.coordinator_pemda_ids
            or bool(scope.roles_in(project.pd_id) & STRUCTURAL_ROLES))  # fmt: skip


def can_approve_gate(user, phase: ProjectPhase) -> bool:
    """Only the Koordinator SPBE (Diskominfo) of the project's Pemda, once
    the project is approved, on a marked gate not yet approved."""
    project = phase.project
    if project.status != ApprovalStatus.APPROVED or not phase.gate_pending:
        return False
    scope = access.scope_for(user)
    return any(Role.KOORDINATOR_SPBE in scope.roles_in(pd.pk) for pd in project.approval_pds())


def _today(project: AppProject) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(project.pd.pemda.time_zone)).date()


def _previous(phase: ProjectPhase) -> ProjectPhase | None:
    return phase.project.phases.filter(phase__lt=phase.phase).order_by("-phase").first()


def _as_day(value: date | datetime, project: AppProject) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value, ZoneInfo(project.pd.pemda.time_zone)).date()
    return value


def _locked(phase: ProjectPhase) -> ProjectPhase:
    """The phase row locked for this transaction: two people pressing the
    same button record it once."""
    return ProjectPhase.objects.select_for_update().select_related("project__pd__pemda").get(pk=phase.pk)


def _record_phase(actor, phase: ProjectPhase, changes: dict) -> None:
    record(actor=actor, action=AuditAction.UPDATE, target=phase.project, pemda=phase.project.pd.pemda,
           changes={f"{Phase(phase.phase).name.lower()}.{k}": v for k, v in changes.items()})  # fmt: skip


def _follow_in_cmdb(actor, phase: ProjectPhase) -> None:
    """The application's SDLC phase in the CMDB follows the running phase
    (O-7 configuration management)."""
    application = phase.project.application
    new = CMDB_PHASE[Phase(phase.phase)]
    if application.sdlc_phase != new:
        old = application.sdlc_phase
        Application.objects.filter(pk=application.pk).update(sdlc_phase=new, last_updated=timezone.now())
        record(actor=actor, action=AuditAction.UPDATE, target=application, pemda=phase.project.pd.pemda,
               changes={"sdlc_phase": [old, new]})  # fmt: skip


@transaction.atomic
def start_phase(actor, phase: ProjectPhase, on: date | datetime) -> ProjectPhase:
    """Record that a phase began; implementation and later phases only
    after Diskominfo approved the project."""
    phase = _locked(phase)
    project = phase.project
    if not can_manage(actor, project):
        raise PermissionDenied
    on = _as_day(on, project)
    if phase.actual_start:
        raise ValidationError(_("Fase ini sudah dimulai."))
    if phase.phase != Phase.DESIGN and project.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("Fase %(phase)s dimulai setelah proyek disetujui Koordinator SPBE.")
                              % {"phase": phase.get_phase_display()})  # fmt: skip
    if on > _today(project):
        raise ValidationError({"on": _("Tanggal tidak boleh di masa depan.")})
    previous = _previous(phase)
    if previous is not None:
        names = {"previous": previous.get_phase_display()}
        if previous.actual_start is None or on < previous.actual_start:
            raise ValidationError(_("Mulai fase %(previous)s lebih dulu.") % names)
        if project.method == SdlcMethod.WATERFALL and (previous.actual_end is None or on < previous.actual_end):
            raise ValidationError(_("Pada metode waterfall, selesaikan fase %(previous)s lebih dulu.") % names)
    phase.actual_start = on
    phase.save(update_fields=["actual_start"])
    _record_phase(actor, phase, {"actual_start": [None, str(on)]})
    _follow_in_cmdb(actor, phase)
    return phase


@transaction.atomic
def approve_gate(actor, phase: ProjectPhase) -> ProjectPhase:
    """The Koordinator SPBE approves a phase gate of an approved project."""
    phase = _locked(phase)
    project = phase.project
    if project.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("Gerbang fase disetujui setelah proyek disetujui Koordinator SPBE."))
    if not phase.needs_gate_approval:
        raise ValidationError(_("Fase ini tidak memerlukan persetujuan gerbang."))
    if phase.gate_approved_at is not None:
        raise ValidationError(_("Gerbang fase ini sudah disetujui."))
    if not can_approve_gate(actor, phase):
        raise PermissionDenied
    phase.gate_approved_by, phase.gate_approved_at = actor, timezone.now()
    phase.save(update_fields=["gate_approved_by", "gate_approved_at"])
    _record_phase(actor, phase, {"gate_approved_by": [None, str(actor)],
                                 "gate_approved_at": [None, phase.gate_approved_at.isoformat()]})  # fmt: skip
    return phase


@transaction.atomic
def complete_phase(actor, phase: ProjectPhase, at: date | datetime) -> ProjectPhase:
    """Record that a phase is done: after it began and the previous one is
    done; a gated phase only after its gate is approved."""
    phase = _locked(phase)
    project = phase.project
    if not can_manage(actor, project):
        raise PermissionDenied
    at = _as_day(at, project)
    if phase.actual_end:
        raise ValidationError(_("Fase ini sudah selesai."))
    if phase.actual_start is None:
        raise ValidationError(_("Fase ini belum dimulai."))
    if phase.gate_pending:
        raise ValidationError(_("Fase ini selesai setelah gerbangnya disetujui Koordinator SPBE."))
    if at < phase.actual_start:
        raise ValidationError({"at": _("Tanggal selesai tidak boleh sebelum fase dimulai (%(start)s).")
                               % {"start": _day(phase.actual_start)}})  # fmt: skip
    if at > _today(project):
        raise ValidationError({"at": _("Tanggal tidak boleh di masa depan.")})
    previous = _previous(phase)
    if previous is not None and previous.actual_end is None:
        names = {"previous": previous.get_phase_display()}
        raise ValidationError(_("Selesaikan fase %(previous)s lebih dulu.") % names)
    phase.actual_end = at
    phase.save(update_fields=["actual_end"])
    _record_phase(actor, phase, {"actual_end": [None, str(at)]})
    return phase


# --- Continuous performance (O-7 against P-10) -----------------------------------------


@dataclass
class Performance:
    """The application's monitoring against its P-10 target."""

    target: AppManagementTarget | None
    services: list = field(default_factory=list)  # (service, Availability) over the last 30 days
    checks: list = field(default_factory=list)
    check_status: dict = field(default_factory=dict)  # label -> count
    problems: list = field(default_factory=list)
    releases: list = field(default_factory=list)


def performance(project: AppProject, now: datetime | None = None) -> Performance:
    """Availability of the services that use the application (from their
    checks, on the application and what it runs on), the current state of
    the application's own checks, open problems on those services or the
    application's components, and its releases."""
    now = now or timezone.now()
    application = project.application
    target = project.management_target or application.management_targets.filter(
        status=ApprovalStatus.APPROVED).order_by("-last_updated").first()  # fmt: skip
    # the project's PD's own services, problems and releases: another PD using
    # the same application is not shown here (S-1)
    service_ids = ServiceApplication.objects.filter(application=application, service__pd=project.pd_id).values(
        "service_id"
    )
    services = list(Service.objects.filter(pk__in=service_ids).select_related("pd__pemda").order_by("name"))
    figures = availability.rolling(services, now) if services else {}
    components = application.components.values("pk")
    checks = list(Check.objects.filter(Q(application=application) | Q(component__in=components)).order_by("name"))
    counts = Counter(check.get_status_display() for check in checks)
    problems = Problem.objects.filter(Q(service__in=service_ids) | Q(component__in=components), pd=project.pd_id)
    open_problems = problems.exclude(status__in=[ProblemStatus.RESOLVED, ProblemStatus.CLOSED])
    return Performance(
        target=target, services=[(s, figures[s.pk]) for s in services], checks=checks, check_status=dict(counts),
        problems=list(open_problems.select_related("service", "component").distinct()),
        releases=list(Release.objects.filter(application=application, pd=project.pd_id).order_by("-window_start")[:10]),
    )  # fmt: skip
