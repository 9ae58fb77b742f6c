"""Submitting, approving, rejecting and revising planning records (P-4…P-11).

Only the role the Pedoman names approves, in the right PD; the person who
drafted or submitted a record never approves it; an approved record changes
only through a new revision. Each step is a Decision with a snapshot.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from spbe.approvals.models import Approvable, ApprovalStatus, Decision, DecisionKind
from spbe.audit.record import snapshot
from spbe.org import access
from spbe.org.choices import INFRA_ROLES, STRUCTURAL_ROLES


def record_snapshot(record: Model) -> dict:
    names = [f.name for f in record._meta.concrete_fields if f.name not in ("created", "last_updated")]
    return snapshot(record, names)


def history(record: Model):
    ct = ContentType.objects.get_for_model(record)
    return Decision.objects.filter(content_type=ct, object_id=record.pk).select_related("actor")


def _decide(record: Approvable, actor, kind: DecisionKind, comment: str = "", role: str = "") -> Decision:
    return Decision.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, revision=record.revision,
        kind=kind, actor=actor, role=role, comment=comment, snapshot=record_snapshot(record),
    )  # fmt: skip


def can_edit(user, record: Approvable) -> bool:
    """Drafting belongs to the owner PD's staff and the Pemda's coordinator."""
    if not record.is_editable:
        return False
    pd = record.owner_pd()
    scope = access.scope_for(user)
    if scope.is_system_admin or access.can_manage_org(user, pd.pemda):
        return True
    return any(scope.roles_in(drafting.pk) & record.drafter_roles for drafting in record.drafting_pds())


def can_view(user, record: Approvable) -> bool:
    """The owner PD's staff, the Pemda's coordinator, whoever may approve,
    and Diskominfo's infrastructure staff, who confirm technology for every
    PD (P-6) and coordinate infrastructure needs (P-7)."""
    pd = record.owner_pd()
    scope = access.scope_for(user)
    if scope.is_system_admin or scope.roles_in(pd.pk) & STRUCTURAL_ROLES or pd.pemda_id in scope.coordinator_pemda_ids:
        return True
    diskominfo = pd.pemda.spbe_coordinator
    if diskominfo is not None and scope.roles_in(diskominfo.pk) & INFRA_ROLES:
        return True
    return any(record.approver_role in scope.roles_in(approver_pd.pk) for approver_pd in record.approval_pds())


def _submitter(record: Approvable):
    last = history(record).filter(kind=DecisionKind.SUBMITTED, revision=record.revision).last()
    return last.actor if last else None


def approver_role_for(user, record: Approvable) -> str | None:
    """The role under which ``user`` may decide on ``record``, or None."""
    if record.status != ApprovalStatus.SUBMITTED:
        return None
    if user.pk in {record.drafted_by_id, getattr(_submitter(record), "pk", None)}:
        return None
    scope = access.scope_for(user)
    held = any(record.approver_role in scope.roles_in(pd.pk) for pd in record.approval_pds())
    return record.approver_role if held else None


@transaction.atomic
def submit(actor, record: Approvable) -> Decision:
    if not can_edit(actor, record):
        raise PermissionDenied
    errors = record.submission_errors()
    if errors:
        raise ValidationError(errors)
    record.status = ApprovalStatus.SUBMITTED
    record.save(update_fields=["status", "last_updated"])
    return _decide(record, actor, DecisionKind.SUBMITTED)


@transaction.atomic
def approve(actor, record: Approvable, comment: str = "") -> Decision:
    role = approver_role_for(actor, record)
    if role is None:
        raise PermissionDenied
    errors = record.approval_errors()
    if errors:
        raise ValidationError(errors)
    record.status = ApprovalStatus.APPROVED
    record.save(update_fields=["status", "last_updated"])
    record.on_approved()
    return _decide(record, actor, DecisionKind.APPROVED, comment, role)


@transaction.atomic
def reject(actor, record: Approvable, comment: str) -> Decision:
    role = approver_role_for(actor, record)
    if role is None:
        raise PermissionDenied
    if not comment.strip():
        raise ValidationError(_("Tuliskan alasan penolakan agar penyusun dapat memperbaikinya."))
    record.status = ApprovalStatus.REJECTED
    record.save(update_fields=["status", "last_updated"])
    return _decide(record, actor, DecisionKind.REJECTED, comment, role)


@transaction.atomic
def revise(actor, record: Approvable) -> Decision:
    """Open an approved record for change as its next revision; the approved
    content stays in the history."""
    if record.status != ApprovalStatus.APPROVED:
        raise ValidationError(_("Hanya dokumen yang sudah disetujui yang direvisi."))
    if not record.revised_in_place:
        raise ValidationError(_("Dokumen ini direvisi sebagai versi baru dari halamannya sendiri."))
    errors = record.revision_errors()
    if errors:
        raise ValidationError(errors)
    record.status = ApprovalStatus.DRAFT  # can_edit needs this first
    if not can_edit(actor, record):
        raise PermissionDenied
    record.revision += 1
    record.save(update_fields=["status", "revision", "last_updated"])
    return _decide(record, actor, DecisionKind.REVISED)


def approvable_models() -> list[type[Approvable]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, Approvable)]


def awaiting(user) -> list[Approvable]:
    """Records submitted for a decision that ``user`` may take (the inbox)."""
    scope = access.scope_for(user)
    found: list[Approvable] = []
    for model in approvable_models():
        # a model whose approver depends on the record (an evaluation report) names every role it may be
        approver_roles = getattr(model, "approver_roles", None) or {model.approver_role}
        pd_ids = [pd for pd, roles in scope.roles_by_pd.items() if roles & approver_roles]
        if not pd_ids:
            continue
        qs = model.objects.filter(status=ApprovalStatus.SUBMITTED)
        if model.approver_scope == "owner":
            qs = qs.filter(**{f"{model.pd_path}__in": pd_ids})
        elif model.approver_scope == "coordinator":
            qs = qs.filter(
                **{
                    f"{model.pd_path}__pemda__pds__in": pd_ids,
                    f"{model.pd_path}__pemda__pds__is_spbe_coordinator": True,
                }
            )
        else:
            qs = qs.filter(**{f"{model.pd_path}__in": pd_ids}) | qs.filter(
                **{
                    f"{model.pd_path}__pemda__pds__in": pd_ids,
                    f"{model.pd_path}__pemda__pds__is_spbe_coordinator": True,
                }
            )
        found.extend(r for r in qs.distinct() if approver_role_for(user, r))
    return found
