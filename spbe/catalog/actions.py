"""State changes of the catalog's services (P-4, P-5), each with its audit
trail in the same transaction. Approvals go through ``spbe.approvals``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.org import access
from spbe.org.choices import Role

SERVICE_FIELDS = [f.name for f in Service._meta.concrete_fields if f.name not in ("created", "last_updated")]


@transaction.atomic
def save_service(actor, form) -> Service:
    """A new draft service, or changes to a draft, from its validated form."""
    creating = form.instance.pk is None
    before = {} if creating else snapshot(Service.objects.get(pk=form.instance.pk), SERVICE_FIELDS)
    service = form.save(commit=False)
    if creating:
        service.drafted_by = actor
    service.save()
    form.save_m2m()
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=service,
           pemda=service.pd.pemda, changes=diff(before, snapshot(service, SERVICE_FIELDS)))  # fmt: skip
    return service


@transaction.atomic
def retire_service(actor, service: Service) -> Service:
    """Retiring a service is the PJ Penyedia Layanan's decision (S-1)."""
    if not access.has_role(actor, Role.PJ_PENYEDIA, service.pd):
        raise PermissionDenied
    service.lifecycle = Lifecycle.RETIRED
    service.save(update_fields=["lifecycle", "last_updated"])
    record(actor=actor, action=AuditAction.UPDATE, target=service, pemda=service.pd.pemda,
           changes={"lifecycle": ["active", "retired"]})  # fmt: skip
    return service
