"""Reading LAPOR! tickets with their deadlines (Pedoman C)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from spbe.clocks.choices import ClockKind, ClockState
from spbe.clocks.models import Clock
from spbe.desk.choices import OPEN_STATUSES
from spbe.lapor.choices import DeadlineState


def _clock(kind: str, condition: Q) -> Exists:
    return Exists(Clock.objects.filter(condition, owner_id=OuterRef("pk"), kind=kind,
                                       owner_type__model="ticket", owner_type__app_label="desk"))  # fmt: skip


def deadline_condition(kind: str, state: str, now) -> Exists:
    """Tickets whose clock of ``kind`` is in ``state`` as the pages show it
    (a running clock past its due instant is breached already)."""
    if state == DeadlineState.BREACHED:
        return _clock(kind, Q(state=ClockState.BREACHED) | Q(stopped_at__isnull=True, due_at__lt=now))
    if state == DeadlineState.MET:
        return _clock(kind, Q(state=ClockState.MET))
    return _clock(kind, Q(state__in=[ClockState.RUNNING, ClockState.PAUSED], due_at__gte=now))


def filtered(qs, data: dict):
    now = timezone.now()
    if data.get("pd"):
        qs = qs.filter(pd=data["pd"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    status = data.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if data.get("date_from"):
        qs = qs.filter(reported_at__date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(reported_at__date__lte=data["date_to"])
    deadline = data.get("deadline")
    if deadline == "all_met":
        qs = qs.filter(deadline_condition(ClockKind.LAPOR_VERIFICATION, DeadlineState.MET, now),
                       deadline_condition(ClockKind.LAPOR_FOLLOW_UP, DeadlineState.MET, now))  # fmt: skip
    elif deadline:
        which, state = deadline.rsplit("_", 1)
        kind = ClockKind.LAPOR_VERIFICATION if which == "verification" else ClockKind.LAPOR_FOLLOW_UP
        qs = qs.filter(deadline_condition(kind, state, now))
    return qs


def search(qs, text: str):
    """A tracking ID or a ticket number (or part of one), or words of the subject."""
    for word in text.split():
        qs = qs.filter(Q(lapor_tracking_id__icontains=word) | Q(number__icontains=word) | Q(subject__icontains=word))
    return qs
