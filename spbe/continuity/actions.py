"""Every state change of recovery (O-5, P-5): saving and revising a DRP,
opening an activation or planning a drill, and the seven steps of Tabel 8.
Each action validates everything before it writes, writes in one
transaction (nothing half-saved) and leaves the audit trail and a timeline
event."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.approvals.models import ApprovalStatus
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.models import OperatingTarget, duration_of
from spbe.clocks import actions as clocks
from spbe.clocks.choices import ClockKind
from spbe.clocks.models import Clock
from spbe.cmdb.models import ServiceApplication
from spbe.continuity import notifications, rules
from spbe.continuity.choices import (
    OPEN_RECOVERY_STATUSES,
    EventKind,
    RecoveryKind,
    RecoveryStatus,
    RpoSource,
    Step,
)
from spbe.continuity.models import (
    PlanContact,
    PlanStep,
    Recovery,
    RecoveryEvent,
    RecoveryPlan,
    RecoveryStep,
    StepEvidence,
)
from spbe.desk import actions as desk
from spbe.desk.choices import OPEN_STATUSES, TicketKind, TimelineKind
from spbe.desk.models import Ticket
from spbe.front.templatetags.spbe import duration
from spbe.monitoring.actions import last_ping_before
from spbe.monitoring.models import Outage
from spbe.monitoring.views_public import forget
from spbe.policy.calendars import TWENTY_FOUR_SEVEN

PLAN_FIELDS = ["title", "rpo_value", "rpo_unit", "rto_value", "rto_unit", "backup_method", "backup_frequency",
               "backup_check", "recovery_site", "recovery_site_detail", "disaster_conditions"]  # fmt: skip
DEFAULT_REVIEW_MONTHS = 12
DEFAULT_DRILL_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pack_months(pemda, key: str, default: int) -> int:
    """A continuity interval of the Pemda's pack (``open_values``), in months."""
    version = pemda.policy_version
    value = int(version.pack.open_values.get(key, default)) if version else default
    return max(1, value)  # an amended 0 would make every DRP due the day it is approved


def review_months(pemda) -> int:
    return pack_months(pemda, "drp_review_months", DEFAULT_REVIEW_MONTHS)


def drill_months(pemda) -> int:
    return pack_months(pemda, "drp_drill_interval_months", DEFAULT_DRILL_MONTHS)


def _local_day(pemda, at: datetime) -> date:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(pemda.time_zone)).date()


def _when(value: datetime, pemda) -> str:
    """A time as written into the timeline: in the Pemda's zone, whoever types it."""
    from zoneinfo import ZoneInfo

    local = value.astimezone(ZoneInfo(pemda.time_zone))
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def _this_minute() -> datetime:
    """Now, to the minute: the steps' times are typed to the minute, and the
    record must not seem opened after its first step."""
    return timezone.now().replace(second=0, microsecond=0)


# --- The DRP -----------------------------------------------------------------------------------


def service_targets(service) -> list[tuple[str, timedelta | None, timedelta | None]]:
    """The RPO/RTO a DRP must not exceed: the service's own (P-5) and the
    approved operating targets of its applications (P-8), with their names."""
    targets = [(str(service), service.rpo, service.rto)]
    apps = ServiceApplication.objects.filter(service=service).values("application_id")
    approved = OperatingTarget.objects.filter(application_id__in=apps, status=ApprovalStatus.APPROVED)
    for target in approved.select_related("application"):
        targets.append((
            _("P-8 %(app)s") % {"app": target.application.name},
            duration_of(target.rpo_value, target.rpo_unit), duration_of(target.rto_value, target.rto_unit),
        ))  # fmt: skip
    return targets


def _check_targets(plan: RecoveryPlan, services) -> dict[str, str]:
    errors: dict[str, str] = {}
    for service in services:
        for name, rpo, rto in service_targets(service):
            if rto is not None and plan.rto and plan.rto > rto and "rto_value" not in errors:
                errors["rto_value"] = _("RTO DRP (%(plan)s) lebih lama dari target %(name)s (%(target)s).") % {
                    "plan": duration(plan.rto), "name": name, "target": duration(rto)}  # fmt: skip
            if rpo is not None and plan.rpo and plan.rpo > rpo and "rpo_value" not in errors:
                errors["rpo_value"] = _("RPO DRP (%(plan)s) lebih lama dari target %(name)s (%(target)s).") % {
                    "plan": duration(plan.rpo), "name": name, "target": duration(rpo)}  # fmt: skip
    return errors


def _same_pemda(plan: RecoveryPlan, scope) -> dict[str, str]:
    """Applications, components and the backup check of the DRP's own Pemda
    only: someone who serves two Pemda must not mix them."""
    pemda_id = plan.pd.pemda_id
    errors = {}
    if any(app.pd.pemda_id != pemda_id for app in scope.applications):
        errors["applications"] = _("Pilih aplikasi dari Pemda pemilik DRP.")
    if any(component.pemda_id != pemda_id for component in scope.components):
        errors["components"] = _("Pilih komponen dari Pemda pemilik DRP.")
    if plan.backup_check_id and plan.backup_check.pemda_id != pemda_id:
        errors["backup_check"] = _("Pilih pemeriksaan detak dari Pemda pemilik DRP.")
    return errors


@dataclass
class PlanScope:
    """What a DRP covers, picked from the catalog and the CMDB."""

    services: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    components: list = field(default_factory=list)


@transaction.atomic
def save_plan(actor, plan: RecoveryPlan, scope: PlanScope, contacts: list[dict], steps: list[dict]) -> RecoveryPlan:
    """Create or change a draft DRP with its scope, contacts and procedure
    (replaced whole, in their order). RPO and RTO may not be longer than
    the covered services' own targets."""
    creating = plan.pk is None
    if not creating and not plan.is_editable:
        raise ValidationError(_("DRP yang diajukan atau disetujui tidak dapat diubah; buat revisi."))
    if not rules.can_operate(actor, plan.pd):
        raise PermissionDenied
    try:
        plan.full_clean(exclude=["services", "applications", "components", "drafted_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    errors: dict[str, str] = {}
    if not scope.services:
        errors["services"] = _("Pilih minimal satu layanan yang dicakup DRP.")
    elif any(service.pd_id != plan.pd_id for service in scope.services):
        errors["services"] = _("Layanan yang dicakup harus milik PD pemilik DRP.")
    errors.update(_same_pemda(plan, scope))
    if plan.previous_id and plan.pd_id != plan.previous.pd_id:
        errors["pd"] = _("Revisi DRP tetap milik PD versi sebelumnya.")
    errors.update(_check_targets(plan, scope.services))
    if errors:
        raise ValidationError(errors)
    before = {} if creating else snapshot(RecoveryPlan.objects.get(pk=plan.pk), PLAN_FIELDS)
    if creating:
        plan.drafted_by = actor
    plan.save()
    if plan.series is None:
        plan.series = plan.pk
        plan.save(update_fields=["series"])
    plan.services.set(scope.services)
    plan.applications.set(scope.applications)
    plan.components.set(scope.components)
    plan.contacts.all().delete()
    PlanContact.objects.bulk_create([PlanContact(plan=plan, order=i, **row) for i, row in enumerate(contacts, 1)])
    plan.steps.all().delete()
    PlanStep.objects.bulk_create([PlanStep(plan=plan, order=i, **row) for i, row in enumerate(steps, 1)])
    after = snapshot(plan, PLAN_FIELDS)
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=plan,
           pemda=plan.pd.pemda, changes=diff(before, after))  # fmt: skip
    return plan


def plan_approved(plan: RecoveryPlan) -> None:
    """Approval (through ``spbe.approvals``) puts the version in force: its
    review is due after the pack's interval and the version it revises is
    superseded, still readable."""
    now = timezone.now()
    plan.approved_at = now
    plan.review_due = add_months(_local_day(plan.pd.pemda, now), review_months(plan.pd.pemda))
    plan.save(update_fields=["approved_at", "review_due", "last_updated"])
    if plan.previous_id:
        RecoveryPlan.objects.filter(pk=plan.previous_id, superseded_at__isnull=True).update(superseded_at=now)


@transaction.atomic
def revise_plan(actor, plan: RecoveryPlan) -> RecoveryPlan:
    """Open the next version of an approved DRP as a draft copy; the
    approved version stays in force until the revision is approved. A
    revision already open is returned instead of a second one."""
    if not rules.can_operate(actor, plan.pd):
        raise PermissionDenied
    if not plan.is_current:
        raise ValidationError(_("Hanya DRP yang berlaku yang dapat direvisi."))
    pending = plan.later_versions.exclude(status=ApprovalStatus.APPROVED).first()
    if pending is not None:
        return pending
    copy = RecoveryPlan.objects.create(
        pd=plan.pd, previous=plan, series=plan.series, revision=plan.revision + 1, drafted_by=actor,
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
    )  # fmt: skip
    copy.services.set(plan.services.all())
    copy.applications.set(plan.applications.all())
    copy.components.set(plan.components.all())
    PlanContact.objects.bulk_create(
        [PlanContact(plan=copy, order=c.order, name=c.name, role=c.role, phone=c.phone, email=c.email)
         for c in plan.contacts.all()]
    )  # fmt: skip
    PlanStep.objects.bulk_create(
        [PlanStep(plan=copy, order=s.order, action=s.action, owner=s.owner, expected_minutes=s.expected_minutes)
         for s in plan.steps.all()]
    )  # fmt: skip
    record(actor=actor, action=AuditAction.CREATE, target=copy, pemda=plan.pd.pemda,
           changes={"revisi dari": [None, str(plan)]})  # fmt: skip
    return copy


def current_plan_for(service) -> RecoveryPlan | None:
    """The approved DRP in force that covers the service (P-5)."""
    return (
        RecoveryPlan.objects.filter(services=service)
        .in_force()
        .order_by(F("approved_at").desc(nulls_last=True), "-pk")
        .first()
    )


# --- Activations and drills ----------------------------------------------------------------------


def event(recovery: Recovery, kind: EventKind, actor, message: str, *, at=None, **data) -> RecoveryEvent:
    return RecoveryEvent.objects.create(recovery=recovery, kind=kind, actor=actor, message=message,
                                        at=at or timezone.now(), data=data)  # fmt: skip


def _require_current(plan: RecoveryPlan) -> None:
    if not plan.is_current:
        raise ValidationError({"plan": _("Pilih DRP yang sudah disetujui dan masih berlaku.")})


def _new_recovery(actor, plan: RecoveryPlan, kind: RecoveryKind, **fields) -> Recovery:
    if not rules.can_operate(actor, plan.pd):
        raise PermissionDenied
    _require_current(plan)
    return Recovery.objects.create(
        pemda=plan.pd.pemda, pd=plan.pd, plan=plan, kind=kind, rto_target=plan.rto, rpo_target=plan.rpo,
        created_by=actor, **fields,
    )  # fmt: skip


@transaction.atomic
def open_activation(actor, plan: RecoveryPlan, title: str, ticket: Ticket | None = None, *,
                    at: datetime | None = None) -> Recovery:  # fmt: skip
    """O-5 from O-2: a complaint flagged "DRP activation to be assessed"
    (or a disruption seen by hand) opens the assessment, step 1 next.
    ``at`` may be earlier than now (an assessment written down later)."""
    if not rules.can_operate(actor, plan.pd):
        raise PermissionDenied
    at = at or _this_minute()
    if not title.strip():
        raise ValidationError({"title": _("Tuliskan judul kejadian.")})
    if at > timezone.now():
        raise ValidationError({"at": _("Waktu dibuka tidak boleh di masa depan.")})
    if ticket is not None and not (ticket.kind == TicketKind.COMPLAINT and ticket.drp_assessment):
        raise ValidationError({"ticket": _('Hanya aduan yang ditandai "aktivasi DRP perlu dinilai" yang dinilai.')})
    if ticket is not None and not plan.services.filter(pk=ticket.service_id).exists():
        raise ValidationError({"plan": _("DRP ini tidak mencakup layanan aduan %(number)s.") % {
            "number": ticket.number}})  # fmt: skip
    recovery = _new_recovery(actor, plan, RecoveryKind.ACTIVATION, status=RecoveryStatus.ASSESSING,
                             title=title.strip(), ticket=ticket, opened_at=at)  # fmt: skip
    if ticket is not None:
        recovery.complaints.add(ticket)
        desk.note(ticket, TimelineKind.ESCALATED, actor, _("Penilaian aktivasi DRP dibuka: %(title)s") % {
            "title": recovery.title}, public=False, recovery=recovery.pk)  # fmt: skip
    event(recovery, EventKind.CREATED, actor, _("Penilaian aktivasi %(plan)s dibuka.") % {"plan": plan}
          + (f" {_('Dari aduan')} {ticket.number}." if ticket else ""), at=at)  # fmt: skip
    _audit(actor, recovery, AuditAction.CREATE)
    return recovery


@transaction.atomic
def plan_drill(actor, plan: RecoveryPlan, *, title: str, scheduled_for: datetime, scenario: str,
               participants: str, at: datetime | None = None) -> Recovery:  # fmt: skip
    """Uji coba DRP: a planned test with a scenario and its participants;
    it walks the same seven steps and measures RTO and RPO."""
    if not rules.can_operate(actor, plan.pd):
        raise PermissionDenied
    errors = {}
    if not title.strip():
        errors["title"] = _("Tuliskan judul uji coba.")
    if scheduled_for is None:
        errors["scheduled_for"] = _("Isi jadwal uji coba.")
    if not scenario.strip():
        errors["scenario"] = _("Tuliskan skenario bencana yang diuji.")
    if not participants.strip():
        errors["participants"] = _("Tuliskan peserta uji coba.")
    if errors:
        raise ValidationError(errors)
    recovery = _new_recovery(actor, plan, RecoveryKind.DRILL, status=RecoveryStatus.PLANNED, title=title.strip(),
                             scheduled_for=scheduled_for, scenario=scenario.strip(),
                             participants=participants.strip(), opened_at=at or _this_minute())  # fmt: skip
    event(recovery, EventKind.CREATED, actor, _("Uji coba %(plan)s dijadwalkan %(when)s.") % {
        "plan": plan, "when": _when(scheduled_for, plan.pd.pemda)}, at=recovery.opened_at)  # fmt: skip
    _audit(actor, recovery, AuditAction.CREATE)
    return recovery


@transaction.atomic
def cancel_drill(actor, recovery: Recovery, reason: str) -> Recovery:
    if recovery.kind != RecoveryKind.DRILL or recovery.status != RecoveryStatus.PLANNED:
        raise ValidationError(_("Hanya uji coba yang belum dimulai yang dapat dibatalkan."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan pembatalan.")})
    if not rules.can_operate(actor, recovery.pd):
        raise PermissionDenied
    recovery.status = RecoveryStatus.CANCELLED
    recovery.save(update_fields=["status", "last_updated"])
    event(recovery, EventKind.CANCELLED, actor, reason.strip())
    _audit(actor, recovery, AuditAction.UPDATE, {"status": RecoveryStatus.CANCELLED})
    return recovery


@dataclass
class StepInput:
    """What a person records for one step; the fields a step does not use stay empty."""

    number: int
    at: datetime
    notes: str
    files: list = field(default_factory=list)
    disaster: bool = True  # step 3
    disruption_started_at: datetime | None = None  # step 3
    last_backup_at: datetime | None = None  # step 5, when no heartbeat says it
    findings: str = ""  # step 6 (drills)
    follow_up: str = ""  # step 6 (drills)
    open_revision: bool = False  # step 6


def _validate_step(recovery: Recovery, data: StepInput, now: datetime) -> dict[str, str]:
    """Everything wrong with the step, by field, before anything is written."""
    if recovery.status not in OPEN_RECOVERY_STATUSES:
        raise ValidationError(_("Pemulihan ini sudah selesai; langkah tidak dapat ditambahkan."))
    if data.number != recovery.next_step:
        raise ValidationError(_("Langkah harus berurutan: berikutnya langkah %(n)d, %(name)s.") % {
            "n": recovery.next_step, "name": Step(recovery.next_step).label})  # fmt: skip
    errors: dict[str, str] = {}
    if not data.notes.strip():
        errors["notes"] = _("Tuliskan catatan langkah ini.")
    previous = recovery.steps.order_by("-number").first()
    if data.at > now + timedelta(minutes=1):
        errors["at"] = _("Waktu langkah tidak boleh di masa depan.")
    elif data.number == Step.NORMALISE and recovery.declared_at and data.at < recovery.declared_at:
        errors["at"] = _("Waktu normalisasi tidak boleh sebelum bencana dinyatakan (%(when)s).") % {
            "when": _when(recovery.declared_at, recovery.pemda)}  # fmt: skip
    elif previous is not None and data.at < previous.at:
        errors["at"] = _("Waktu langkah tidak boleh sebelum langkah %(n)d (%(when)s).") % {
            "n": previous.number, "when": _when(previous.at, recovery.pemda)}  # fmt: skip
    if data.number == Step.DEFINE:
        errors.update(_validate_define(recovery, data))
    if data.number == Step.NORMALISE:
        errors.update(_validate_normalise(recovery, data))
    if data.number == Step.EVALUATE and data.open_revision and _series_in_force(recovery) is None:
        errors["open_revision"] = _("DRP ini tidak lagi berlaku dan belum ada versi penggantinya untuk direvisi.")
    revision = recovery.revision_plan
    if data.number == Step.RATIFY and revision and revision.status != ApprovalStatus.APPROVED:
        errors["notes"] = _("Revisi %(plan)s belum disetujui PJ Penyedia Layanan; tetapkan setelah disetujui.") % {
            "plan": recovery.revision_plan}  # fmt: skip
    return errors


def _series_in_force(recovery: Recovery) -> RecoveryPlan | None:
    """The version of the recovery's DRP in force now (a later one may have
    replaced the version the recovery started with)."""
    return RecoveryPlan.objects.filter(series=recovery.plan.series).in_force().first()


def _validate_define(recovery: Recovery, data: StepInput) -> dict[str, str]:
    if recovery.kind == RecoveryKind.ACTIVATION and not data.disaster:
        return {}  # the reason is the step's notes
    if recovery.pemda.policy_version_id is None:  # the RTO clock runs on the Pemda's pack
        return {"disaster": _("Pemda ini belum memiliki paket kebijakan; minta Koordinator SPBE memasangnya.")}
    if data.disruption_started_at is None:
        return {"disruption_started_at": _("Isi waktu awal gangguan: dasar penghitungan RTO dan RPO.")}
    if data.disruption_started_at > data.at:
        return {"disruption_started_at": _("Awal gangguan tidak boleh setelah penetapan kondisi bencana.")}
    return {}


def _validate_normalise(recovery: Recovery, data: StepInput) -> dict[str, str]:
    start = recovery.disruption_started_at
    if data.last_backup_at is not None:
        if start and data.last_backup_at > start:
            return {"last_backup_at": _("Cadangan baik terakhir harus sebelum awal gangguan (%(when)s).") % {
                "when": _when(start, recovery.pemda)}}  # fmt: skip
        if not data.files:
            return {"files": _("Lampirkan bukti cadangan baik terakhir (mis. log pemulihan data).")}
        return {}
    check = recovery.plan.backup_check
    if check is None or start is None or last_ping_before(check, start) is None:
        return {"last_backup_at": _(
            "Tidak ada detak cadangan sebelum awal gangguan: isi waktu cadangan baik terakhir beserta buktinya."
        )}  # fmt: skip
    return {}


@transaction.atomic
def record_step(actor, recovery: Recovery, data: StepInput) -> RecoveryStep:
    """Record the next of the seven steps (Tabel 8). Steps go in order, at
    times that never go backwards; step 3 declares the disaster (or ends
    the assessment), step 5 stops the RTO clock, step 6 may open a DRP
    revision, step 7 ratifies the DRP and closes the record."""
    if not rules.can_operate(actor, recovery.pd):
        raise PermissionDenied
    # of=self: PostgreSQL does not lock the nullable side of an outer join (the backup check)
    recovery = (
        Recovery.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__backup_check")
        .get(pk=recovery.pk)
    )
    errors = _validate_step(recovery, data, timezone.now())
    if errors:
        raise ValidationError(errors)
    step = RecoveryStep.objects.create(recovery=recovery, number=data.number, at=data.at, actor=actor,
                                       notes=data.notes.strip())  # fmt: skip
    event(recovery, EventKind.STEP, actor, f"{data.number}. {Step(data.number).label}: {step.notes}",
          at=data.at, step=data.number, evidence=len(data.files))  # fmt: skip
    recovery.next_step = data.number + 1
    if recovery.status == RecoveryStatus.PLANNED:
        recovery.status = RecoveryStatus.ASSESSING
    {Step.DEFINE: _define, Step.NORMALISE: _normalise, Step.EVALUATE: _evaluate, Step.RATIFY: _ratify}.get(
        data.number, lambda *args: None
    )(actor, recovery, data)
    recovery.save()
    for upload in data.files:  # last: a file is written to storage at once, and kept only with its step
        StepEvidence.objects.create(step=step, file=upload, uploaded_by=actor)
    _audit(actor, recovery, AuditAction.UPDATE, {"langkah": data.number, "status": recovery.status})
    return step


def _define(actor, recovery: Recovery, data: StepInput) -> None:
    """Step 3: a disaster (or, for a drill, the simulated one) is declared,
    or the assessment ends here with its reason."""
    if recovery.kind == RecoveryKind.ACTIVATION and not data.disaster:
        recovery.status = RecoveryStatus.NO_DISASTER
        recovery.no_disaster_reason = data.notes.strip()
        event(recovery, EventKind.NO_DISASTER, actor, _("Penilaian selesai, bukan bencana: %(reason)s") % {
            "reason": recovery.no_disaster_reason}, at=data.at)  # fmt: skip
        return
    recovery.status = RecoveryStatus.RECOVERING
    recovery.declared_at = data.at
    recovery.disruption_started_at = data.disruption_started_at
    clocks.start_clock(pemda=recovery.pemda, kind=ClockKind.RTO, target=recovery.rto_target,
                       started_at=data.disruption_started_at, calendar=TWENTY_FOUR_SEVEN, owner=recovery)  # fmt: skip
    if recovery.kind == RecoveryKind.DRILL:
        event(recovery, EventKind.DECLARED, actor, _("Kondisi bencana simulasi ditetapkan; jam RTO berjalan sejak "
              "%(when)s.") % {"when": _when(data.disruption_started_at, recovery.pemda)}, at=data.at)  # fmt: skip
        return
    linked = _link_disruptions(actor, recovery)
    event(recovery, EventKind.DECLARED, actor, _(
        "Bencana dinyatakan; jam RTO berjalan sejak %(when)s. %(complaints)d aduan dan %(outages)d gangguan "
        "terpantau ditautkan; diumumkan di halaman status."
    ) % {"when": _when(data.disruption_started_at, recovery.pemda), **linked}, at=data.at)  # fmt: skip
    _announce(recovery)
    notifications.disaster_declared(recovery)


def _announce(recovery: Recovery) -> None:
    """The status page shows the change on its next load, once committed (a
    visitor in between must not cache the old page for 30 seconds)."""
    slug = recovery.pemda.slug
    transaction.on_commit(lambda: forget(slug))


def _link_disruptions(actor, recovery: Recovery) -> dict[str, int]:
    """Every complaint and monitoring outage of the covered services open
    when the disaster is declared (a past declaration, recorded late, does
    not take in what began after it)."""
    services = recovery.plan.services.values("pk")
    cutoff = recovery.declared_at + timedelta(minutes=1)  # step times are typed to the minute
    complaints = list(Ticket.objects.filter(
        service__in=services, kind=TicketKind.COMPLAINT, status__in=OPEN_STATUSES, reported_at__lt=cutoff,
    ).exclude(recoveries=recovery))  # fmt: skip
    recovery.complaints.add(*complaints)
    for ticket in complaints:
        desk.note(ticket, TimelineKind.ESCALATED, actor, _("Bencana dinyatakan; ditangani dalam %(title)s.") % {
            "title": recovery.title}, public=False, recovery=recovery.pk)  # fmt: skip
    outages = list(Outage.objects.filter(service__in=services, ended_at__isnull=True, started_at__lt=cutoff))
    recovery.outages.add(*outages)
    return {"complaints": recovery.complaints.count(), "outages": recovery.outages.count()}


def recovery_clock(recovery: Recovery) -> Clock | None:
    return Clock.objects.filter(
        owner_type=ContentType.objects.get_for_model(Recovery), owner_id=recovery.pk, kind=ClockKind.RTO
    ).first()


def _normalise(actor, recovery: Recovery, data: StepInput) -> None:
    """Step 5: services are back: the RTO clock stops at this time; the
    RPO achieved is the age of the last good backup at the disruption's start."""
    recovery.status = RecoveryStatus.NORMALISED
    recovery.normalised_at = data.at
    recovery.rto_achieved = data.at - recovery.disruption_started_at
    clock = recovery_clock(recovery)
    if clock is not None:
        clocks.stop_clock(clock, data.at)
    if data.last_backup_at is not None:
        recovery.last_backup_at, recovery.rpo_source = data.last_backup_at, RpoSource.EVIDENCE
    else:
        recovery.last_backup_at = last_ping_before(recovery.plan.backup_check, recovery.disruption_started_at)
        recovery.rpo_source = RpoSource.HEARTBEAT
    recovery.rpo_achieved = recovery.disruption_started_at - recovery.last_backup_at
    met = _("tercapai") if recovery.rto_met else _("terlampaui")
    event(recovery, EventKind.CLOCK, actor, _(
        "Normal kembali. RTO tercapai %(rto)s (target %(rto_target)s, %(met)s); RPO %(rpo)s (target %(rpo_target)s)."
    ) % {"rto": duration(recovery.rto_achieved), "rto_target": duration(recovery.rto_target), "met": met,
         "rpo": duration(recovery.rpo_achieved), "rpo_target": duration(recovery.rpo_target)}, at=data.at)  # fmt: skip
    if recovery.kind == RecoveryKind.ACTIVATION:
        _announce(recovery)


def _evaluate(actor, recovery: Recovery, data: StepInput) -> None:
    """Step 6: the evaluation of the DRP; it may open the DRP's next version."""
    recovery.evaluation = data.notes.strip()
    recovery.findings, recovery.follow_up = data.findings.strip(), data.follow_up.strip()
    if data.open_revision:
        recovery.revision_plan = revise_plan(actor, _series_in_force(recovery))
        event(recovery, EventKind.REVISION, actor, _("Revisi %(plan)s dibuka dari evaluasi.") % {
            "plan": recovery.revision_plan}, at=data.at, plan=recovery.revision_plan.pk)  # fmt: skip


def _ratify(actor, recovery: Recovery, data: StepInput) -> None:
    recovery.status = RecoveryStatus.CLOSED


def _audit(actor, recovery: Recovery, action: AuditAction, changes: dict | None = None) -> None:
    record(actor=actor, action=action, target=recovery, pemda=recovery.pemda,
           changes=diff({}, changes or snapshot(recovery, ["kind", "title", "status", "plan"])))  # fmt: skip
