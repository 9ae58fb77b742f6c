"""Every state change of a service transition plan (P-9): saving a draft
with its scope and risks, in one transaction, with the audit trail.
Submission and approval by the Pimpinan PD go through ``spbe.approvals``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spbe.approvals import actions as approvals
from spbe.audit.models import AuditAction
from spbe.audit.record import record, snapshot
from spbe.change.choices import ChangeKind, ChangeOrigin
from spbe.change.models import ChangePlan, ChangeRisk
from spbe.desk.choices import TicketKind

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
    changes = after if creating else {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=plan,
           pemda=plan.pd.pemda, changes=changes)  # fmt: skip
    return plan
