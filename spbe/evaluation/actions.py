"""Every state change of the evaluation stage (E-2, E-4): opening a report
for a period, writing a chapter's analysis, recording follow-up actions and
completing them with evidence, submitting and approving (through
``spbe.approvals``), and freezing the figures at approval. Each in one
transaction with the audit trail and the report's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.approvals import actions as approvals
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.models import Service
from spbe.continuity.models import RecoveryPlan
from spbe.evaluation.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionTarget,
    Chapter,
    PeriodKind,
    ReportEventKind,
    ReportScope,
)
from spbe.evaluation.figures import compute, subject_of
from spbe.evaluation.models import PEMDA_REPORT_ROLES, ChapterAnalysis, EvaluationReport, FollowUpAction, ReportEvent
from spbe.org import access
from spbe.org.choices import STRUCTURAL_ROLES

ACTION_FIELDS = [
    "chapter",
    "title",
    "description",
    "owner",
    "due_date",
    "target_kind",
    "service",
    "drp",
    "policy_version",
    "procedure",
    "before_version",
]


def _event(report: EvaluationReport, actor, kind: ReportEventKind, message: str) -> None:
    ReportEvent.objects.create(
        report=report, actor=actor if getattr(actor, "pk", None) else None, kind=kind, message=message
    )


# --- who may -----------------------------------------------------------------------------------


def can_draft(user, pd, scope: str) -> bool:
    """A PD's staff draft its report. The Pemda's report shows every PD's
    figures and tickets, so only the Koordinator SPBE and Diskominfo's
    leaders (Pimpinan, PJ) draft it; the Koordinator approves it and
    approvals refuse self-approval, so a leader drafts it (S-1, E-2)."""
    held = access.scope_for(user)
    if held.is_system_admin or pd.pemda_id in held.coordinator_pemda_ids:
        return True
    if scope == ReportScope.PEMDA:
        return pd.is_spbe_coordinator and bool(held.roles_in(pd.pk) & PEMDA_REPORT_ROLES)
    return bool(held.roles_in(pd.pk) & STRUCTURAL_ROLES)


def can_follow_up(user, action: FollowUpAction) -> bool:
    """The action's owner, the Koordinator SPBE, and whoever drafts the
    report it came from."""
    if user.pk == action.owner_id:
        return True
    return can_draft(user, action.pd, action.report.scope)


# --- reports -----------------------------------------------------------------------------------


def default_title(pd, scope: str, kind: str, start: date, end: date) -> str:
    subject = pd.pemda.name if scope == ReportScope.PEMDA else pd.name
    if kind == PeriodKind.SEMESTER:
        period = _("Semester %(n)s Tahun %(year)s") % {"n": "I" if start.month <= 6 else "II", "year": start.year}
    elif kind == PeriodKind.YEAR:
        period = _("Tahun %(year)s") % {"year": start.year}
    else:
        period = f"{start:%d-%m-%Y} s.d. {end:%d-%m-%Y}"
    return _("Laporan Evaluasi Manajemen Layanan SPBE %(subject)s %(period)s") % {"subject": subject, "period": period}


@dataclass
class Period:
    kind: str
    start: date
    end: date


FIRST_YEAR, LAST_YEAR = 2000, 2100  # SPBE began in 2018; beyond 2100 is a typing slip


def period_errors(start: date, end: date, *, end_field: str = "period_end") -> dict[str, str]:
    """What is wrong with a period of evaluation, by field (reports, the maturity page and its API)."""
    if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
        return {end_field: _("Periode harus di antara tahun %(first)s dan %(last)s.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR}}  # fmt: skip
    if end < start:
        return {end_field: _("Tanggal akhir periode tidak boleh sebelum tanggal mulai.")}
    if (end - start).days > 366 * 5:
        return {end_field: _("Periode evaluasi paling lama lima tahun.")}
    return {}


@transaction.atomic
def open_report(actor, *, pd, scope: str, period: Period, title: str = "") -> EvaluationReport:
    """A new draft report of ``pd`` (or, with scope *pemda*, of its Pemda,
    kept at the Pemda's Diskominfo) for the period (E-2)."""
    if scope == ReportScope.PEMDA:
        pd = pd.pemda.spbe_coordinator or pd
    if not can_draft(actor, pd, scope):
        raise PermissionDenied
    errors = period_errors(period.start, period.end)
    if errors:
        raise ValidationError(errors)
    same = EvaluationReport.objects.filter(pd=pd, scope=scope, period_start=period.start, period_end=period.end)
    if same.exists():
        raise ValidationError(
            {"period_start": _("Laporan untuk periode ini sudah ada: %(title)s.") % {"title": same.first().title}}
        )
    report = EvaluationReport.objects.create(
        pemda=pd.pemda,
        pd=pd,
        scope=scope,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        title=title.strip() or default_title(pd, scope, period.kind, period.start, period.end),
        drafted_by=actor,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        target=report,
        pemda=report.pemda,
        changes={"period": [None, f"{period.start} – {period.end}"]},
    )
    _event(
        report,
        actor,
        ReportEventKind.CREATED,
        _("Laporan dibuat untuk %(start)s s.d. %(end)s.")
        % {"start": period.start.strftime("%d-%m-%Y"), "end": period.end.strftime("%d-%m-%Y")},
    )
    return report


def _editable(actor, report: EvaluationReport) -> None:
    if not report.is_editable:
        raise ValidationError(_("Laporan yang sudah diajukan atau disetujui tidak dapat diubah; mulai revisi dahulu."))
    if not approvals.can_edit(actor, report):
        raise PermissionDenied


@transaction.atomic
def update_report(actor, report: EvaluationReport, *, title: str, introduction: str, conclusion: str) -> None:
    _editable(actor, report)
    if not title.strip():
        raise ValidationError({"title": _("Judul laporan wajib diisi.")})
    before = snapshot(report, ["title", "introduction", "conclusion"])
    report.title, report.introduction, report.conclusion = title.strip(), introduction.strip(), conclusion.strip()
    report.save(update_fields=["title", "introduction", "conclusion", "last_updated"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=report,
        pemda=report.pemda,
        changes=diff(before, snapshot(report, ["title", "introduction", "conclusion"])),
    )


@transaction.atomic
def write_analysis(actor, report: EvaluationReport, chapter: str, *, obstacles: str, improvements: str):
    """The analysis of obstacles and chances to improve of one chapter (E-2 point 6)."""
    _editable(actor, report)
    if chapter not in Chapter.values:
        raise ValidationError({"chapter": _("Bab tidak dikenal.")})
    analysis, _created = ChapterAnalysis.objects.get_or_create(report=report, chapter=chapter)
    before = snapshot(analysis, ["obstacles", "improvements"])
    analysis.obstacles, analysis.improvements = obstacles.strip(), improvements.strip()
    analysis.written_by = actor
    analysis.save()
    changes = diff(before, snapshot(analysis, ["obstacles", "improvements"]))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=report,
            pemda=report.pemda,
            changes={f"{chapter}.{name}": value for name, value in changes.items()},
        )
        _event(
            report,
            actor,
            ReportEventKind.ANALYSIS,
            _("Analisis bab %(chapter)s ditulis.") % {"chapter": Chapter(chapter).label},
        )
    return analysis


@transaction.atomic
def submit(actor, report: EvaluationReport) -> None:
    approvals.submit(actor, report)
    _event(
        report,
        actor,
        ReportEventKind.SUBMITTED,
        _("Diajukan kepada %(role)s.") % {"role": report.get_approver_role_label()},
    )


@transaction.atomic
def approve(actor, report: EvaluationReport, comment: str = "") -> None:
    """Approval freezes the figures (``report_approved``, through the approvals hook)."""
    approvals.approve(actor, report, comment)
    _event(report, actor, ReportEventKind.APPROVED, comment or _("Disetujui; angka laporan dibekukan."))


@transaction.atomic
def reject(actor, report: EvaluationReport, comment: str) -> None:
    approvals.reject(actor, report, comment)
    _event(report, actor, ReportEventKind.REJECTED, comment)


@transaction.atomic
def revise(actor, report: EvaluationReport) -> None:
    """An approved report reopened: its figures recompute until approved again."""
    approvals.revise(actor, report)
    report.figures, report.frozen_at = None, None
    report.save(update_fields=["figures", "frozen_at", "last_updated"])
    _event(
        report,
        actor,
        ReportEventKind.REVISED,
        _("Revisi %(n)s dimulai; angka dihitung ulang.") % {"n": report.revision},
    )


def report_approved(report: EvaluationReport) -> None:
    """E-2: the figures as they are now become the report's, so a later
    data change never rewrites an approved report."""
    report.figures = compute(subject_of(report))
    report.frozen_at = timezone.now()
    report.save(update_fields=["figures", "frozen_at", "last_updated"])


def carried_actions(report: EvaluationReport):
    """Open actions of the subject's earlier reports: they carry into this one."""
    return (
        FollowUpAction.objects.filter(
            pd=report.pd,
            report__scope=report.scope,
            status__in=OPEN_ACTION_STATUSES,
            report__period_end__lt=report.period_start,
        )
        .exclude(report=report)
        .select_related("owner", "report")
    )


# --- follow-up actions -------------------------------------------------------------------------------


def _version_of(action: FollowUpAction) -> str:
    """The current version of what the action improves, for before/after."""
    if action.target_kind == ActionTarget.DRP and action.drp_id:
        current = RecoveryPlan.objects.in_force().filter(series=action.drp.series).first()
        return str(current or action.drp)
    if action.target_kind == ActionTarget.PACK:
        version = action.pemda.policy_version
        return str(version) if version else ""
    return ""


def _action_errors(action: FollowUpAction, report: EvaluationReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    if action.owner_id is None:
        errors["owner"] = _("Pilih penanggung jawab tindak lanjut.")
    if not action.title.strip():
        errors["title"] = _("Tuliskan tindak lanjutnya.")
    if action.due_date is None:
        errors["due_date"] = _("Isi tenggat tindak lanjut.")
    elif action.pk is None and action.due_date < report.period_start:
        errors["due_date"] = _("Tenggat tidak boleh sebelum periode laporan dimulai.")
    required = {ActionTarget.SERVICE: "service", ActionTarget.DRP: "drp", ActionTarget.PROCEDURE: "procedure"}
    name = required.get(action.target_kind)
    if name and not getattr(action, name if name == "procedure" else f"{name}_id"):
        errors[name] = _("Pilih yang diperbaiki tindak lanjut ini.")
    if action.service_id and not _in_scope(report, Service.objects.filter(pk=action.service_id), "pd"):
        errors["service"] = _("Pilih layanan dari cakupan laporan ini.")
    if action.drp_id and not _in_scope(report, RecoveryPlan.objects.filter(pk=action.drp_id), "pd"):
        errors["drp"] = _("Pilih DRP dari cakupan laporan ini.")
    return errors


def _in_scope(report: EvaluationReport, qs, pd_field: str) -> bool:
    if report.is_pemda_wide:
        return qs.filter(**{f"{pd_field}__pemda_id": report.pemda_id}).exists()
    return qs.filter(**{f"{pd_field}_id": report.pd_id}).exists()


@transaction.atomic
def add_action(actor, report: EvaluationReport, action: FollowUpAction) -> FollowUpAction:
    """A follow-up action of the report (unsaved ``action`` from the form)."""
    _editable(actor, report)
    action.report, action.pemda, action.pd, action.created_by = report, report.pemda, report.pd, actor
    if action.target_kind != ActionTarget.PACK:
        action.policy_version = None
    elif action.policy_version_id is None:
        action.policy_version = report.pemda.policy_version
    errors = _action_errors(action, report)
    if errors:
        raise ValidationError(errors)
    if not action.before_version:
        action.before_version = _version_of(action)
    action.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        target=action,
        pemda=report.pemda,
        changes=diff({}, snapshot(action, ACTION_FIELDS)),
    )
    _event(
        report,
        actor,
        ReportEventKind.ACTION,
        _("Tindak lanjut dicatat: %(title)s (penanggung jawab %(owner)s, tenggat %(due)s).")
        % {"title": action.title, "owner": action.owner.get_full_name(), "due": action.due_date.strftime("%d-%m-%Y")},
    )
    return action


@transaction.atomic
def set_action_status(actor, action: FollowUpAction, status: str, reason: str = "") -> None:
    """Start, reopen or cancel an action; completing needs evidence
    (``complete_action``). Cancelling needs a reason, kept in the audit
    trail and the timeline: a cancelled action no longer counts for the
    maturity level (E-4), so it must not be a quiet way out of one."""
    if not can_follow_up(actor, action):
        raise PermissionDenied
    if status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED):
        raise ValidationError({"status": _("Gunakan “Selesaikan dengan bukti” untuk menyelesaikan tindak lanjut.")})
    if action.status == ActionStatus.DONE:
        raise ValidationError({"status": _("Tindak lanjut ini sudah selesai.")})
    if status == ActionStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan pembatalan tindak lanjut.")})
    before = snapshot(action, ["status", "cancel_reason"])
    action.status = status
    action.cancel_reason = reason.strip() if status == ActionStatus.CANCELLED else ""
    action.save(update_fields=["status", "cancel_reason", "last_updated"])
    record(actor=actor, action=AuditAction.UPDATE, target=action, pemda=action.pemda,
           changes=diff(before, snapshot(action, ["status", "cancel_reason"])))  # fmt: skip
    message = _("%(title)s: %(status)s.") % {"title": action.title, "status": ActionStatus(status).label}
    _event(action.report, actor, ReportEventKind.ACTION, f"{message} {action.cancel_reason}".strip())


@transaction.atomic
def complete_action(
    actor, action: FollowUpAction, *, evidence_note: str, evidence_file=None, after_version: str = ""
) -> None:
    """Done, with the evidence of completion and the version after (E-4
    level 5 counts only actions done with evidence)."""
    if not can_follow_up(actor, action):
        raise PermissionDenied
    if action.status in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError(
            {
                "evidence_note": _("Tindak lanjut ini sudah %(status)s.")
                % {"status": action.get_status_display().lower()}
            }
        )
    if not evidence_note.strip() and not evidence_file:
        raise ValidationError({"evidence_note": _("Tuliskan bukti penyelesaian atau unggah berkas bukti.")})
    before = snapshot(action, ["status", "after_version", "evidence_note"])
    action.status = ActionStatus.DONE
    action.evidence_note = evidence_note.strip()
    if evidence_file:
        action.evidence_file = evidence_file
    action.after_version = after_version.strip() or _version_of(action)
    action.completed_at, action.completed_by = timezone.now(), actor
    action.full_clean(exclude=["owner", "report", "pemda", "pd", "service", "drp", "policy_version"])
    action.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=action,
        pemda=action.pemda,
        changes=diff(before, snapshot(action, ["status", "after_version", "evidence_note"])),
    )
    _event(
        action.report, actor, ReportEventKind.ACTION, _("Tindak lanjut selesai: %(title)s.") % {"title": action.title}
    )
