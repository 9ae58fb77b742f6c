"""Every state change of a ticket (O-1, O-2, P-1, P-2, P-3). Each action
validates, saves, starts or stops the ticket's clocks and writes the
timeline, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.catalog.choices import Lifecycle
from spbe.clocks import actions as clocks
from spbe.clocks.choices import ClockKind
from spbe.clocks.models import Clock
from spbe.desk.choices import Impact, TicketKind, TicketStatus, TimelineKind
from spbe.desk.models import Ticket, TicketCounter, TimelineEvent


@dataclass(frozen=True)
class Reporter:
    """Who reported: an account, or what a clerk took down by phone or letter."""

    name: str
    email: str = ""
    phone: str = ""
    user: object | None = None


def next_number(pemda, at: datetime) -> str:
    """PREFIX-YEAR-000123, per Pemda and year (the prefix is a pack value)."""
    year = at.astimezone(ZoneInfo(pemda.time_zone)).year
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(pemda=pemda, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    prefix = pemda.policy_version.pack.open_values.get("ticket_prefix", "SPBE")
    return f"{prefix}-{year}-{counter.last:06d}"


def priority_of(ticket: Ticket) -> tuple[int, str]:
    """P-2: impact × the service's group × classification, with its reason."""
    service = ticket.service
    pack = ticket.policy_version.pack
    priority = pack.priority(ticket.impact, service.group, service.classification)
    reason = _("Dampak %(impact)s × %(group)s × %(cls)s → Prioritas %(p)d (%(ref)s)") % {
        "impact": ticket.impact.capitalize(),
        "group": service.get_group_display(),
        "cls": service.get_classification_display(),
        "p": priority,
        "ref": pack.data["priority_matrix"].get("ref", "P-2"),
    }
    return priority, reason


def note(ticket: Ticket, kind: TimelineKind, actor=None, message: str = "", *, at=None, public=True, **data):
    return TimelineEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, message=message, at=at or timezone.now(), public=public, data=data
    )


def _calendar_for(ticket: Ticket, kind: str) -> str:
    calendar = ticket.policy_version.pack.clock_calendars[kind]
    return ticket.service.support_hours if calendar == "support_hours" else calendar


def _start_clock(ticket: Ticket, kind: str, target) -> Clock | None:
    if target is None:
        return None
    clock = clocks.start_clock(
        pemda=ticket.pemda, kind=kind, target=target, started_at=ticket.reported_at,
        calendar=_calendar_for(ticket, kind), owner=ticket,
    )  # fmt: skip
    note(ticket, TimelineKind.CLOCK, message=_("%(clock)s berjalan; tenggat %(due)s.") % {
        "clock": clock.get_kind_display(), "due": timezone.localtime(clock.due_at).strftime("%d-%m-%Y %H:%M"),
    }, public=False, clock=clock.pk)  # fmt: skip
    return clock


def ticket_clocks(ticket: Ticket):
    from django.contrib.contenttypes.models import ContentType

    return Clock.objects.filter(owner_type=ContentType.objects.get_for_model(Ticket), owner_id=ticket.pk)


@transaction.atomic
def open_ticket(
    *,
    actor,
    service,
    kind: TicketKind,
    reporter: Reporter,
    subject: str,
    description: str,
    reporting_method: str,
    reported_at: datetime | None = None,
    impact: str = "",
    category: str = "",
    lapor_tracking_id: str = "",
) -> Ticket:
    """Record a request or a complaint. A complaint gets its priority from
    the pack and its response and user-service clocks; a request its
    user-service clock. ``reported_at`` may be earlier than now (a phone
    call written down later): the clocks start then."""
    now = timezone.now()
    reported_at = reported_at or now
    if reported_at > now:
        raise ValidationError({"reported_at": _("Waktu dilaporkan tidak boleh di masa depan.")})
    if service.lifecycle != Lifecycle.ACTIVE:
        raise ValidationError({"service": _("Layanan ini belum aktif atau sudah dihentikan.")})
    if kind == TicketKind.COMPLAINT and impact not in Impact.values:
        raise ValidationError({"impact": _("Pilih dampak: Mayor atau Minor.")})
    pemda = service.pd.pemda
    ticket = Ticket(
        kind=kind, pemda=pemda, pd=service.pd, service=service, policy_version=pemda.policy_version,
        reporter=reporter.user, reporter_name=reporter.name, reporter_email=reporter.email,
        reporter_phone=reporter.phone, reporting_method=reporting_method, lapor_tracking_id=lapor_tracking_id,
        reported_at=reported_at, category=category, subject=subject, description=description, impact=impact,
        service_admin=service.service_admin,
    )  # fmt: skip
    if kind == TicketKind.COMPLAINT:
        ticket.priority, ticket.priority_reason = priority_of(ticket)
    elif service.requires_approval:
        ticket.status = TicketStatus.AWAITING_APPROVAL
    ticket.number = next_number(pemda, reported_at)
    ticket.full_clean()
    ticket.save()
    note(ticket, TimelineKind.CREATED, actor, _("%(kind)s dicatat melalui %(method)s.") % {
        "kind": ticket.get_kind_display(), "method": ticket.get_reporting_method_display(),
    }, at=reported_at)  # fmt: skip
    if ticket.priority:
        note(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, priority=ticket.priority)
        _start_clock(ticket, ClockKind.RESPONSE, ticket.policy_version.pack.response_target(ticket.priority))
    _start_clock(ticket, ClockKind.USER_SERVICE, service.user_service_target)
    return ticket


@transaction.atomic
def convert_to_complaint(actor, ticket: Ticket, impact: str, reason: str) -> Ticket:
    """O-1: the request turns out to be a disruption: it becomes a complaint,
    same number, history kept; its response clock counts from the report."""
    if ticket.kind != TicketKind.REQUEST:
        raise ValidationError(_("Hanya permintaan layanan yang dapat dijadikan aduan."))
    if impact not in Impact.values:
        raise ValidationError({"impact": _("Pilih dampak: Mayor atau Minor.")})
    ticket.kind, ticket.impact = TicketKind.COMPLAINT, impact
    ticket.priority, ticket.priority_reason = priority_of(ticket)
    if ticket.status == TicketStatus.AWAITING_APPROVAL:
        ticket.status = TicketStatus.NEW
    ticket.save()
    note(ticket, TimelineKind.CONVERTED, actor, reason)
    note(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, priority=ticket.priority)
    _start_clock(ticket, ClockKind.RESPONSE, ticket.policy_version.pack.response_target(ticket.priority))
    return ticket


@transaction.atomic
def set_priority(actor, ticket: Ticket, priority: int, reason: str) -> Ticket:
    """A manual change of the computed priority needs a reason; it is logged.
    The response clock already running keeps its target."""
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan mengubah prioritas.")})
    if priority not in range(1, 7):
        raise ValidationError({"priority": _("Prioritas harus 1 sampai 6.")})
    old = ticket.priority
    ticket.priority = priority
    ticket.priority_reason = _("Diubah manual: %(reason)s") % {"reason": reason.strip()}
    ticket.save(update_fields=["priority", "priority_reason", "last_updated"])
    note(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, old=old, new=priority)
    return ticket


@transaction.atomic
def respond(actor, ticket: Ticket, message: str, at: datetime | None = None) -> Ticket:
    """The provider's first (or a further) response: the first one stops the
    P-3 response clock."""
    if not message.strip():
        raise ValidationError({"message": _("Tuliskan tanggapan.")})
    at = at or timezone.now()
    if ticket.first_response_at is None:
        ticket.first_response_at = at
        if ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.IN_PROGRESS
        ticket.save(update_fields=["first_response_at", "status", "last_updated"])
        for clock in ticket_clocks(ticket).filter(kind=ClockKind.RESPONSE):
            clocks.stop_clock(clock, at)
    note(ticket, TimelineKind.RESPONDED, actor, message.strip(), at=at)
    return ticket
