"""Writing to the audit trail. Every action function in the project calls
``record`` so that the trail is complete without view code remembering it."""

from __future__ import annotations

from typing import Any

from django.db import models

from spbe.audit.models import AuditAction, AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose values differ, as ``{field: [old, new]}``; an empty text
    and "nothing" count as the same."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new and not (old in (None, "") and new in (None, "")):
            changes[key] = [old, new]
    return changes


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def trail(obj: models.Model, limit: int = 20) -> list[AuditEvent]:
    """The latest changes of one record, newest first, for its page."""
    events = AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))
    return list(events.select_related("actor").order_by("-at")[:limit])


def record(
    *,
    actor,
    action: AuditAction,
    target: models.Model,
    pemda=None,
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        pemda=pemda,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:250],
        changes=changes or {},
        ip_address=ip_address,
    )
