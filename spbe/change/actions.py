"""Every state change of change and release (P-9, O-6): saving a
transition plan with its scope and risks; a release plan, its window, its
verification by monitoring, tests, problems, rollback and feedback. Each in
one transaction with the audit trail or the release's timeline. Submission
and approval go through ``spbe.approvals``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.change import notifications
from spbe.change.choices import ChangeKind, ChangeOrigin, ReleaseBasis, ReleaseEventKind, ReleaseStage
from spbe.change.models import ChangePlan, ChangeRisk, Release, ReleaseEvent, ReleaseProblem
from spbe.cmdb.models import Application, ServiceApplication
from spbe.desk import actions as desk
from spbe.desk.choices import Impact, ReportingMethod, TicketKind
from spbe.monitoring import outages
from spbe.monitoring.choices import CheckStatus
from spbe.monitoring.models import Check, CheckResult, MaintenanceWindow
from spbe.monitoring.views_public import forget
from spbe.org import access
from spbe.org.choices import INFRA_ROLES, Role

PLAN_FIELDS = ["title", "kind", "origin", "request", "reason", "transfer_to", "technology_review", "process_review",
               "policy_review", "business_impact", "satisfaction_impact", "quality_control", "success_measure",
               "planned_start", "planned_end", "user_notice"]  # fmt: skip


@dataclass
class ChangeScope:
    """What the change touches, picked from the catalog and the CMDB."""

    services: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    components: list = field(default_factory=list)


def _scope_errors(plan: ChangePlan, scope: ChangeScope) -> dict[str, str]:
    errors: dict[str, str] = {}
    if any(service.pd_id != plan.pd_id for service in scope.services):
        errors["services"] = _("Rencana perubahan hanya untuk layanan PD ini; layanan PD lain diubah oleh PD-nya.")
    elif plan.kind != ChangeKind.ADDITION and not scope.services:
        errors["services"] = _("Pilih layanan yang dihapus, dialihkan, atau diubah.")
    pemda_id = plan.pd.pemda_id
    if any(app.pd.pemda_id != pemda_id for app in scope.applications):
        errors["applications"] = _("Pilih aplikasi dari Pemda ini.")
    if any(component.pemda_id != pemda_id for component in scope.components):
        errors["components"] = _("Pilih komponen dari Pemda ini.")
    return errors


def _origin_errors(plan: ChangePlan) -> dict[str, str]:
    errors: dict[str, str] = {}
    if plan.origin == ChangeOrigin.USER_REQUEST:
        if plan.request is None:
            errors["request"] = _("Pilih permintaan layanan (O-1) yang meminta perubahan ini.")
        elif plan.request.kind != TicketKind.REQUEST or plan.request.pemda_id != plan.pd.pemda_id:
            errors["request"] = _("Pilih permintaan layanan dari Pemda ini.")
    if plan.kind == ChangeKind.TRANSFER:
        target = plan.transfer_to
        if target is None:
            errors["transfer_to"] = _("Pilih PD yang menerima layanan.")
        elif target.pk == plan.pd_id or target.pemda_id != plan.pd.pemda_id:
            errors["transfer_to"] = _("Pilih PD lain di Pemda ini.")
    return errors


@transaction.atomic
def save_plan(actor, plan: ChangePlan, scope: ChangeScope, risks: list[dict]) -> ChangePlan:
    """Create or change a draft transition plan with what it touches and its
    risks (replaced whole, in their order); nothing is saved when anything
    is wrong."""
    creating = plan.pk is None
    if not creating and not plan.is_editable:
        raise ValidationError(_("Rencana yang diajukan atau disetujui tidak dapat diubah; buat revisi."))
    if not creating and not approvals.can_edit(actor, plan):
        raise PermissionDenied
    try:
        plan.full_clean(exclude=["services", "applications", "components", "drafted_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    errors = {**_scope_errors(plan, scope), **_origin_errors(plan)}
    if errors:
        raise ValidationError(errors)
    if creating:
        plan.drafted_by = actor
    if creating and not approvals.can_edit(actor, plan):
        raise PermissionDenied
    before = {} if creating else snapshot(ChangePlan.objects.get(pk=plan.pk), PLAN_FIELDS)
    plan.save()
    plan.services.set(scope.services)
    plan.applications.set(scope.applications)
    plan.components.set(scope.components)
    plan.risks.all().delete()
    ChangeRisk.objects.bulk_create([ChangeRisk(plan=plan, order=i, **row) for i, row in enumerate(risks, 1)])
    after = snapshot(plan, PLAN_FIELDS)
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=plan,
           pemda=plan.pd.pemda, changes=diff(before, after))  # fmt: skip
    return plan


# --- Releases (O-6) ----------------------------------------------------------------------------

RELEASE_FIELDS = ["title", "basis", "change_plan", "application", "version", "description", "steps",
                  "rollback_plan", "test_plan", "window_start", "window_end", "verification_minutes",
                  "announcement"]  # fmt: skip


def _when(value: datetime, pemda) -> str:
    local = value.astimezone(ZoneInfo(pemda.time_zone))
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def release_event(release: Release, kind: ReleaseEventKind, actor, message: str, at=None) -> ReleaseEvent:
    return ReleaseEvent.objects.create(release=release, kind=kind, actor=actor, message=message,
                                       at=at or timezone.now())  # fmt: skip


def overlap_with_other_work(release: Release, services: list) -> str | None:
    """Another release or a maintenance window on one of the services at the
    same time: two pieces of work must not silence each other's checks."""
    ids = [service.pk for service in services]
    span = Q(window_start__lt=release.window_end, window_end__gt=release.window_start)
    others = Release.objects.filter(span, services__in=ids).exclude(pk=release.pk).exclude(
        status=ApprovalStatus.REJECTED
    )  # fmt: skip
    other = others.exclude(stage__in=[ReleaseStage.ROLLED_BACK]).first()
    if other is not None:
        return _("Jendela rilis bertumpang tindih dengan rilis %(other)s (%(when)s).") % {
            "other": other, "when": _when(other.window_start, release.pd.pemda)}  # fmt: skip
    windows = MaintenanceWindow.objects.filter(
        services__in=ids, starts_at__lt=release.window_end, ends_at__gt=release.window_start
    )  # fmt: skip
    if release.pk:  # its own window, once approved, is no clash
        windows = windows.exclude(release__pk=release.pk)
    window = windows.first()
    if window is not None:
        return _("Jendela rilis bertumpang tindih dengan pemeliharaan %(title)s (%(when)s).") % {
            "title": window.title, "when": _when(window.starts_at, release.pd.pemda)}  # fmt: skip
    return None


def _application_of(release: Release, services: list) -> bool:
    """The release's application is the PD's own, or one its released
    services use (a Diskominfo platform): never another PD's."""
    application = release.application
    if application.pd_id == release.pd_id:
        return True
    return ServiceApplication.objects.filter(application=application, service__in=services).exists()


@transaction.atomic
def save_release(actor, release: Release, services: list) -> Release:
    """Create or change a draft release plan (O-6). Its services belong to
    its PD; its window may not overlap another release or maintenance on
    them; a release from a change request names that approved change."""
    creating = release.pk is None
    if not creating and not release.is_editable:
        raise ValidationError(_("Rencana rilis yang diajukan atau disetujui tidak dapat diubah."))
    try:
        release.full_clean(exclude=["services", "drafted_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    errors: dict[str, str] = {}
    if not services:
        errors["services"] = _("Pilih layanan yang dirilis: pemeriksaannya memverifikasi rilis.")
    elif any(service.pd_id != release.pd_id for service in services):
        errors["services"] = _("Rilis hanya untuk layanan PD ini.")
    if release.application_id and not _application_of(release, services):
        errors["application"] = _("Pilih aplikasi milik PD ini atau yang dipakai layanan yang dirilis.")
    if release.basis == ReleaseBasis.CHANGE:
        plan = release.change_plan
        if plan is None or plan.status != ApprovalStatus.APPROVED or plan.pd_id != release.pd_id:
            errors["change_plan"] = _("Pilih rencana perubahan PD ini yang sudah ditetapkan Pimpinan PD.")
    if release.application_id and not release.version.strip():
        errors["version"] = _("Isi versi baru aplikasi.")
    if not errors and (overlap := overlap_with_other_work(release, services)):
        errors["window_start"] = overlap
    if errors:
        raise ValidationError(errors)
    if creating:
        release.drafted_by = actor
    if not approvals.can_edit(actor, release):
        raise PermissionDenied
    release.save()
    release.services.set(services)
    if creating:
        release_event(release, ReleaseEventKind.CREATED, actor, _("Rencana rilis disusun."))
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=release,
           pemda=release.pd.pemda, changes=diff({}, snapshot(release, RELEASE_FIELDS)))  # fmt: skip
    return release


def release_approved(release: Release) -> None:
    """Approval (through ``spbe.approvals``) schedules the window as a
    maintenance window: announced on the status page, checks silenced,
    time excluded from availability (O-4)."""
    window = MaintenanceWindow.objects.create(
        pemda=release.pd.pemda, title=_("Pembaruan layanan"), description=release.announcement,
        starts_at=release.window_start, ends_at=release.window_end,
    )  # fmt: skip
    window.services.set(release.services.all())
    release.maintenance_window = window
    release.save(update_fields=["maintenance_window", "last_updated"])
    release_event(release, ReleaseEventKind.SCHEDULED, None, _("Disetujui; jendela rilis %(start)s – %(end)s "
                  "diumumkan sebagai pemeliharaan.") % {"start": _when(release.window_start, release.pd.pemda),
                                                       "end": _when(release.window_end, release.pd.pemda)})  # fmt: skip
    for service in release.services.all():  # a window already running silences now
        transaction.on_commit(lambda pk=service.pk: outages.judge_service(pk))


def watched_checks(release: Release):
    """The checks that verify a release: on its services, on the
    applications they use and on the release's application."""
    services = release.services.values("pk")
    apps = ServiceApplication.objects.filter(service__in=services).values("application_id")
    condition = Q(service__in=services) | Q(application__in=apps)
    if release.application_id:
        condition |= Q(application=release.application_id)
    return Check.objects.filter(condition, enabled=True)


def _claim(release: Release, old: str, new: str) -> bool:
    """Move the release from one stage to the next once, whoever else runs
    the periodic verification at the same time."""
    return bool(Release.objects.filter(pk=release.pk, stage=old).update(stage=new, last_updated=timezone.now()))


def verify_due_releases(now: datetime) -> list[Release]:
    """The periodic job (O-6: verification by monitoring): an approved
    release whose window has ended is watched; a failure of any watched
    check fails it at once; green for the whole verification period passes
    it; with no check to watch it waits for a manual verification."""
    decided = []
    approved = Release.objects.filter(status=ApprovalStatus.APPROVED).select_related("pd__pemda", "application")
    for release in approved.filter(stage=ReleaseStage.PLANNED, window_end__lte=now):
        checks = watched_checks(release)
        if not checks.exists():
            if _claim(release, ReleaseStage.PLANNED, ReleaseStage.MANUAL):
                release_event(release, ReleaseEventKind.VERIFIED, None, _(
                    "Tidak ada pemeriksaan pemantauan untuk diawasi: lakukan verifikasi manual."), at=now)  # fmt: skip
            continue
        if _claim(release, ReleaseStage.PLANNED, ReleaseStage.VERIFYING):
            release_event(release, ReleaseEventKind.VERIFIED, None, _(
                "Jendela rilis selesai; %(n)d pemeriksaan diawasi selama %(m)d menit.") % {
                "n": checks.count(), "m": release.verification_minutes}, at=now)  # fmt: skip
    for release in approved.filter(stage=ReleaseStage.VERIFYING):
        outcome = _verification(release, now)
        if outcome is not None:
            decided.append(_conclude(release, outcome[0], outcome[1], now))
    return decided


def _verification(release: Release, now: datetime) -> tuple[bool, str] | None:
    checks = list(watched_checks(release))
    results = CheckResult.objects.filter(check_ref__in=checks, at__gte=release.window_end)
    failed = results.filter(ok=False).select_related("check_ref").order_by("at").first()
    if failed is not None:
        when = _when(failed.at, release.pd.pemda)
        return False, _("Pemeriksaan %(check)s gagal pada %(when)s: %(error)s") % {
            "check": failed.check_ref.name, "when": when, "error": failed.error}  # fmt: skip
    down = [check.name for check in checks if check.status == CheckStatus.DOWN]
    if down:
        return False, _("Pemeriksaan tidak tersedia: %(names)s") % {"names": ", ".join(down)}
    if now < release.window_end + timedelta(minutes=release.verification_minutes):
        return None
    silent = [c.name for c in checks if not results.filter(check_ref=c, ok=True).exists()]
    if silent:
        return False, _("Tidak ada hasil pemeriksaan setelah rilis: %(names)s") % {"names": ", ".join(silent)}
    return True, _("Semua %(n)d pemeriksaan hijau selama %(m)d menit setelah jendela rilis.") % {
        "n": len(checks), "m": release.verification_minutes}  # fmt: skip


@transaction.atomic
def _conclude(release: Release, passed: bool, note: str, now: datetime, actor=None) -> Release:
    """Success updates the application's version in the CMDB and is
    announced on the status page; either way the provider is told."""
    old = release.stage
    new = ReleaseStage.SUCCEEDED if passed else ReleaseStage.FAILED
    if not _claim(release, old, new):
        if actor is not None:  # a person deciding what someone else decided a moment ago
            raise ValidationError(_("Rilis ini sudah diverifikasi."))
        release.refresh_from_db()
        return release
    release.stage, release.verified_at, release.verification_note = new, now, note
    if passed and release.application_id:
        application = release.application
        release.previous_version = application.version
        Application.objects.filter(pk=application.pk).update(version=release.version, last_updated=now)
        record(actor=actor, action=AuditAction.UPDATE, target=application, pemda=release.pd.pemda,
               changes={"version": [release.previous_version, release.version]})  # fmt: skip
    release.save(update_fields=["stage", "verified_at", "verification_note", "previous_version", "last_updated"])
    release_event(release, ReleaseEventKind.VERIFIED, actor, (_("Rilis berhasil. ") if passed else _("Rilis gagal. "))
                  + note, at=now)  # fmt: skip
    notifications.release_concluded(release)
    if passed:
        slug = release.pd.pemda.slug
        transaction.on_commit(lambda: forget(slug))
    return release


def verify_by_hand(actor, release: Release, passed: bool, note: str) -> Release:
    """Manual verification when no check watches the release's services."""
    if release.stage != ReleaseStage.MANUAL:
        raise ValidationError(_("Verifikasi manual hanya untuk rilis tanpa pemeriksaan pemantauan."))
    if not note.strip():
        raise ValidationError({"note": _("Tuliskan hasil verifikasi.")})
    _require_operator(actor, release)
    return _conclude(release, passed, note.strip(), timezone.now(), actor)


def _require_approved(release: Release) -> None:
    if release.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("Rilis dilaksanakan setelah disetujui PJ Penyedia Layanan."))


def _require_operator(actor, release: Release) -> None:
    scope = access.scope_for(actor)
    allowed = scope.is_system_admin or release.pd.pemda_id in scope.coordinator_pemda_ids or any(
        scope.roles_in(pd.pk) & (INFRA_ROLES | {Role.PJ_PENYEDIA}) for pd in release.drafting_pds()
    )  # fmt: skip
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def record_tests(actor, release: Release, results: str) -> Release:
    _require_operator(actor, release)
    _require_approved(release)
    if not results.strip():
        raise ValidationError({"results": _("Tuliskan hasil pengujian.")})
    release.test_results = results.strip()
    release.save(update_fields=["test_results", "last_updated"])
    release_event(release, ReleaseEventKind.TESTED, actor, release.test_results)
    return release


@transaction.atomic
def record_problem(actor, release: Release, description: str, open_complaint: bool = False) -> ReleaseProblem:
    """A problem met during the release, optionally opened as a complaint
    on its first service (O-2), so it is handled with its clocks."""
    _require_operator(actor, release)
    _require_approved(release)
    if not description.strip():
        raise ValidationError({"description": _("Tuliskan masalahnya.")})
    ticket = None
    if open_complaint:
        service = release.services.order_by("pk").first()
        ticket = desk.open_ticket(
            actor=actor, service=service, kind=TicketKind.COMPLAINT, impact=Impact.MINOR,
            reporter=desk.Reporter(actor.full_name, actor.email), reporting_method=ReportingMethod.MONITORING,
            subject=_("Masalah rilis %(release)s") % {"release": release}, description=description.strip(),
        )  # fmt: skip
    problem = ReleaseProblem.objects.create(release=release, description=description.strip(), ticket=ticket,
                                            recorded_by=actor)  # fmt: skip
    release_event(release, ReleaseEventKind.PROBLEM, actor,
                  description.strip() + (f" ({_('aduan')} {ticket.number})" if ticket else ""))  # fmt: skip
    return problem


@transaction.atomic
def record_rollback(actor, release: Release, notes: str, at: datetime | None = None) -> Release:
    """A failed release is put back as its rollback plan says."""
    if release.stage != ReleaseStage.FAILED:
        raise ValidationError(_("Pengembalian hanya dicatat untuk rilis yang gagal."))
    if not notes.strip():
        raise ValidationError({"notes": _("Tuliskan apa yang dikembalikan dan hasilnya.")})
    _require_operator(actor, release)
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": _("Waktu tidak boleh di masa depan.")})
    if not _claim(release, ReleaseStage.FAILED, ReleaseStage.ROLLED_BACK):
        raise ValidationError(_("Pengembalian rilis ini sudah dicatat."))
    release.stage, release.rolled_back_at, release.rollback_notes = ReleaseStage.ROLLED_BACK, at, notes.strip()
    release.save(update_fields=["rolled_back_at", "rollback_notes", "last_updated"])
    release_event(release, ReleaseEventKind.ROLLBACK, actor, release.rollback_notes, at=at)
    return release


@transaction.atomic
def record_feedback(actor, release: Release, feedback: str) -> Release:
    """The provider's feedback on the outcome (O-6): the PJ Penyedia Layanan of the PD."""
    if release.stage not in (ReleaseStage.SUCCEEDED, ReleaseStage.ROLLED_BACK, ReleaseStage.FAILED):
        raise ValidationError(_("Umpan balik diberikan setelah hasil rilis diketahui."))
    if not access.has_role(actor, Role.PJ_PENYEDIA, release.pd):
        raise PermissionDenied
    if not feedback.strip():
        raise ValidationError({"feedback": _("Tuliskan umpan balik.")})
    release.feedback = feedback.strip()
    release.save(update_fields=["feedback", "last_updated"])
    release_event(release, ReleaseEventKind.FEEDBACK, actor, release.feedback)
    return release
