"""State changes of monitoring made by people or jobs (O-4): checks added
and changed, maintenance windows scheduled, heartbeat pings. Each writes the
audit trail (people) in the same transaction; the runner's own writes are in
``runner`` and ``outages``."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.monitoring import outages
from spbe.monitoring.choices import CheckKind
from spbe.monitoring.models import Check, HeartbeatPing, MaintenanceWindow


@transaction.atomic
def save_check(actor, form) -> Check:
    """Add or change a check from its validated form; a disabled check or a
    new interval is rescheduled on the next dispatch."""
    fields = list(form.Meta.fields)
    # from the database: validation has already put the new values on the instance
    before = snapshot(Check.objects.get(pk=form.instance.pk), fields) if form.instance.pk else None
    check = form.save()
    if before is None:
        record(actor=actor, action=AuditAction.CREATE, target=check, pemda=check.pemda,
               changes=snapshot(check, fields))  # fmt: skip
        return check
    if not check.enabled or "interval_seconds" in form.changed_data:
        Check.objects.filter(pk=check.pk).update(next_run_at=None)
    record(actor=actor, action=AuditAction.UPDATE, target=check, pemda=check.pemda,
           changes=diff(before, snapshot(check, fields)))  # fmt: skip
    return check


@transaction.atomic
def schedule_maintenance(actor, form) -> MaintenanceWindow:
    """A maintenance window from its validated form; one already running
    silences its services now."""
    form.instance.created_by = actor
    window = form.save()
    record(actor=actor, action=AuditAction.CREATE, target=window, pemda=window.pemda,
           changes=snapshot(window, ["title", "starts_at", "ends_at"]))  # fmt: skip
    for service in window.services.all():
        outages.judge_service(service.pk)
    return window


@transaction.atomic
def record_ping(token: str, at: datetime) -> bool:
    """A job's heartbeat; each ping is kept for the RPO achieved (O-5).
    False when the token names no heartbeat check."""
    heartbeats = Check.objects.filter(heartbeat_token=token, kind=CheckKind.HEARTBEAT)
    check_id = heartbeats.values_list("pk", flat=True).first()
    if check_id is None:
        return False
    Check.objects.filter(pk=check_id).update(last_ping_at=at)
    HeartbeatPing.objects.create(check_ref_id=check_id, at=at)
    return True


def last_ping_before(check: Check, at: datetime) -> datetime | None:
    """The last ping of ``check`` at or before ``at``."""
    return check.pings.filter(at__lte=at).order_by("-at").values_list("at", flat=True).first()
