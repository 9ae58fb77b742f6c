"""Every state change of a ticket (O-1, O-2, P-1, P-2, P-3). Each action
validates, saves, starts or stops the ticket's clocks and writes the
timeline, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.catalog.choices import Lifecycle
from spbe.clocks import actions as clocks
from spbe.clocks.choices import ClockKind, ClockState
from spbe.clocks.models import Clock
from spbe.desk import lapor_deadlines, notifications
from spbe.desk.choices import OPEN_STATUSES, Impact, ReportingMethod, TicketKind, TicketStatus, TimelineKind
from spbe.desk.models import Ticket, TicketAttachment, TicketCounter, TimelineEvent
from spbe.policy.calendars import working_day_end

LAPOR_CLOCKS = (ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP)


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


def event(ticket: Ticket, kind: TimelineKind, actor=None, message: str = "", *, at=None, public=True, **data):
    """A timeline event, not yet saved."""
    return TimelineEvent(
        ticket=ticket, kind=kind, actor=actor, message=message, at=at or timezone.now(), public=public, data=data
    )


def note(ticket: Ticket, kind: TimelineKind, actor=None, message: str = "", *, at=None, public=True, **data):
    timeline_event = event(ticket, kind, actor, message, at=at, public=public, **data)
    timeline_event.save()
    return timeline_event


def _calendar_for(ticket: Ticket, kind: str) -> str:
    calendar = ticket.policy_version.pack.clock_calendars[kind]
    return ticket.service.support_hours if calendar == "support_hours" else calendar


def _start_clock(ticket: Ticket, kind: str, target, timeline: list | None = None, calendar: str = "") -> Clock | None:
    """Start one of the ticket's clocks and note it on the timeline (saved
    now, or appended to ``timeline`` for the caller to save in bulk)."""
    if target is None:
        return None
    clock = clocks.start_clock(
        pemda=ticket.pemda, kind=kind, target=target, started_at=ticket.reported_at,
        calendar=calendar or _calendar_for(ticket, kind), owner=ticket,
    )  # fmt: skip
    started = event(ticket, TimelineKind.CLOCK, message=_("%(clock)s berjalan; tenggat %(due)s.") % {
        "clock": clock.get_kind_display(), "due": timezone.localtime(clock.due_at).strftime("%d-%m-%Y %H:%M"),
    }, public=False, clock=clock.pk)  # fmt: skip
    if timeline is None:
        started.save()
    else:
        timeline.append(started)
    return clock


def start_lapor_clocks(ticket: Ticket, *, kinds=LAPOR_CLOCKS, timeline: list | None = None) -> list[Clock]:
    """Pedoman C: a report that came through SP4N-LAPOR! is verified within
    3 working days and followed up within 5 (spbe.desk.lapor_deadlines)."""
    return [
        _start_clock(ticket, kind, lapor_deadlines.target_for(ticket.pemda, kind, ticket.reported_at), timeline,
                     calendar=lapor_deadlines.CALENDAR)
        for kind in kinds
    ]  # fmt: skip


def ticket_clocks(ticket: Ticket):
    return Clock.objects.filter(owner_type=ContentType.objects.get_for_model(Ticket), owner_id=ticket.pk)


def sync_next_due(ticket: Ticket) -> None:
    """Keep ``Ticket.next_due`` (the queue's countdown) equal to the earliest
    deadline of its running clocks; one UPDATE with a subquery."""
    running = ticket_clocks(ticket).filter(
        state__in=[ClockState.RUNNING, ClockState.BREACHED], stopped_at__isnull=True
    ).order_by("due_at")  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(next_due=Subquery(running.values("due_at")[:1]))


def _stop_clocks(ticket: Ticket, at: datetime, kinds=None) -> None:
    running = ticket_clocks(ticket)
    for clock in running.filter(kind__in=kinds) if kinds else running:
        clocks.stop_clock(clock, at)
    sync_next_due(ticket)


def applicable_sla(service, at: datetime):
    """The SLA document in force for the service on that date (E-3), if any."""
    from spbe.desk.models import SlaDocument

    day = at.astimezone(ZoneInfo(service.pd.pemda.time_zone)).date()
    documents = SlaDocument.objects.filter(services=service, valid_from__lte=day, valid_to__gte=day)
    return documents.order_by("-valid_from").first()


RELATIONS = ["pemda", "pd", "service", "policy_version", "reporter", "service_admin", "sla_document"]


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
    attachments=(),
) -> Ticket:
    """Record a request or a complaint. A complaint gets its priority from
    the pack and its response and user-service clocks; a request its
    user-service clock. ``reported_at`` may be earlier than now (a phone
    call written down later): the clocks start then. ``attachments``
    (files from a mail, say) are checked like portal uploads."""
    now = timezone.now()
    reported_at = reported_at or now
    if reported_at > now:
        raise ValidationError({"reported_at": _("Waktu dilaporkan tidak boleh di masa depan.")})
    if service.lifecycle != Lifecycle.ACTIVE:
        raise ValidationError({"service": _("Layanan ini belum aktif atau sudah dihentikan.")})
    if kind == TicketKind.COMPLAINT and impact not in Impact.values:
        raise ValidationError({"impact": _("Pilih dampak: Mayor atau Minor.")})
    pemda = service.pd.pemda
    pack = pemda.policy_version.pack
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
    ticket.sla_document = applicable_sla(service, reported_at)
    # The number is taken last (below): taking it locks the Pemda's counter
    # until the commit, and every other new ticket of the Pemda waits for it.
    ticket.number = f"~{uuid4().hex[:29]}"
    # The relations come from loaded objects and the database enforces the
    # constraints and the unique number: checking them here again would
    # cost fifteen queries per ticket.
    ticket.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    ticket.save()
    timeline = [event(ticket, TimelineKind.CREATED, actor, _("%(kind)s dicatat melalui %(method)s.") % {
        "kind": ticket.get_kind_display(), "method": ticket.get_reporting_method_display(),
    }, at=reported_at)]  # fmt: skip
    started = []
    if ticket.priority:
        timeline.append(event(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, priority=ticket.priority))
        started.append(_start_clock(ticket, ClockKind.RESPONSE, pack.response_target(ticket.priority), timeline))
    started.append(_start_clock(ticket, ClockKind.USER_SERVICE, service.user_service_target, timeline))
    if ticket.sla_document is not None:
        started.append(_start_clock(ticket, ClockKind.SLA_RESPONSE, ticket.sla_document.response_target, timeline))
    if reporting_method == ReportingMethod.LAPOR:
        started += start_lapor_clocks(ticket, timeline=timeline)
    TimelineEvent.objects.bulk_create(timeline)  # one INSERT, in the order they happened
    deadlines = [clock.due_at for clock in started if clock is not None]
    ticket.next_due = min(deadlines, default=None)
    ticket.number = next_number(pemda, reported_at)
    Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number, next_due=ticket.next_due)
    attach(ticket, attachments)
    notifications.ticket_opened(ticket)
    return ticket


def attach(ticket: Ticket, files) -> list[TicketAttachment]:
    """Keep the reporter's files with the ticket, each checked by content
    like a portal upload (a refused one raises ValidationError)."""
    saved = []
    for upload in files:
        attachment = TicketAttachment(ticket=ticket, file=upload)
        attachment.full_clean(exclude=["ticket"])
        attachment.save()
        saved.append(attachment)
    return saved


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
    sync_next_due(ticket)
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
def set_impact(actor, ticket: Ticket, impact: str, reason: str) -> Ticket:
    """The impact turned out different (e.g. monitoring saw a partial outage
    become total): the priority is computed again from the pack (P-2)."""
    if impact not in Impact.values:
        raise ValidationError({"impact": _("Pilih dampak: Mayor atau Minor.")})
    old = ticket.priority
    ticket.impact = impact
    ticket.priority, computed = priority_of(ticket)
    ticket.priority_reason = f"{computed}. {reason}"
    ticket.save(update_fields=["impact", "priority", "priority_reason", "last_updated"])
    note(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, old=old, new=ticket.priority)
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
        _stop_clocks(ticket, at, kinds=[ClockKind.RESPONSE, ClockKind.SLA_RESPONSE, ClockKind.LAPOR_VERIFICATION])
    notifications.reporter_addressed(ticket, note(ticket, TimelineKind.RESPONDED, actor, message.strip(), at=at))
    return ticket


def _move(ticket: Ticket, status: TicketStatus, **fields) -> None:
    ticket.status = status
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=["status", *fields, "last_updated"])


def _require(ticket: Ticket, *allowed: TicketStatus) -> None:
    if ticket.status not in allowed:
        raise ValidationError(
            _("Tidak dapat dilakukan saat tiket berstatus %(status)s.") % {"status": ticket.get_status_display()}
        )


@transaction.atomic
def record_analysis(actor, ticket: Ticket, analysis: str, estimate_due: datetime) -> Ticket:
    """O-2: the Administrator Layanan analyses and estimates the handling."""
    _require(ticket, TicketStatus.NEW, TicketStatus.IN_PROGRESS)
    if not analysis.strip():
        raise ValidationError({"analysis": _("Tuliskan hasil analisis.")})
    if estimate_due <= ticket.reported_at:
        raise ValidationError({"estimate_due": _("Perkiraan selesai harus setelah waktu dilaporkan.")})
    _move(ticket, TicketStatus.IN_PROGRESS, analysis=analysis.strip(), estimate_due=estimate_due)
    note(ticket, TimelineKind.ANALYSIS, actor, analysis.strip(), public=False, estimate_due=estimate_due.isoformat())
    return ticket


@transaction.atomic
def hand_over(actor, ticket: Ticket, infra_admin, reason: str) -> Ticket:
    """O-2: beyond the estimate, the Administrator Layanan hands the
    complaint to an Administrator Infrastruktur dan Aplikasi."""
    _require(ticket, TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_REPORTER)
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan penyerahan.")})
    ticket.infra_admin = infra_admin
    ticket.save(update_fields=["infra_admin", "last_updated"])
    note(ticket, TimelineKind.ESCALATED, actor,
         _("Diserahkan kepada %(name)s: %(reason)s") % {"name": infra_admin.full_name, "reason": reason.strip()},
         public=False, infra_admin=infra_admin.pk)  # fmt: skip
    notifications.ticket_handed_over(ticket, reason.strip())
    return ticket


@transaction.atomic
def escalate(actor, ticket: Ticket, level: int, reason: str, *, automatic: bool = False) -> Ticket:
    """E-3 escalation levels 1–3 (1: Administrator Layanan with the
    Administrator Infrastruktur dan Aplikasi; 2: the two PJ; 3: the Pimpinan
    PD). Raised by hand or when the resolution target is at risk; it only
    goes up."""
    _require(ticket, TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_REPORTER)
    if level not in (1, 2, 3):
        raise ValidationError({"level": _("Tingkat eskalasi 1 sampai 3.")})
    if level <= ticket.escalation_level:
        return ticket
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan eskalasi.")})
    ticket.escalation_level = level
    ticket.save(update_fields=["escalation_level", "last_updated"])
    note(ticket, TimelineKind.ESCALATED, actor, reason.strip(), public=False, level=level, automatic=automatic)
    notifications.ticket_escalated(ticket, level, reason.strip())
    return ticket


@transaction.atomic
def flag_drp_assessment(actor, ticket: Ticket, reason: str) -> Ticket:
    """O-2: a complaint on a critical service is flagged so that the
    infra/app administrator assesses DRP activation (O-5, spbe.continuity)."""
    if ticket.service.classification != "kritis":
        raise ValidationError(_("Penilaian aktivasi DRP hanya untuk layanan kritis."))
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan mengapa aktivasi DRP perlu dinilai.")})
    ticket.drp_assessment = True
    ticket.save(update_fields=["drp_assessment", "last_updated"])
    note(ticket, TimelineKind.ESCALATED, actor, _("Aktivasi DRP perlu dinilai: %(reason)s") % {"reason": reason},
         public=False, drp=True)  # fmt: skip
    return ticket


def _pause_clocks(ticket: Ticket, at: datetime) -> None:
    for clock in ticket_clocks(ticket):
        clocks.pause_clock(clock, at)
    sync_next_due(ticket)


def _resume_clocks(ticket: Ticket, at: datetime) -> None:
    for clock in ticket_clocks(ticket):
        clocks.resume_clock(clock, at)
    sync_next_due(ticket)


@transaction.atomic
def wait_for_reporter(actor, ticket: Ticket, question: str, at: datetime | None = None) -> Ticket:
    """Ask the reporter something; the clocks the pack names pause."""
    _require(ticket, TicketStatus.NEW, TicketStatus.IN_PROGRESS)
    at = at or timezone.now()
    _move(ticket, TicketStatus.WAITING_REPORTER)
    _pause_clocks(ticket, at)
    notifications.reporter_addressed(ticket, note(ticket, TimelineKind.WAITING, actor, question, at=at))
    return ticket


@transaction.atomic
def reporter_replied(actor, ticket: Ticket, message: str, at: datetime | None = None) -> Ticket:
    _require(ticket, TicketStatus.WAITING_REPORTER)
    at = at or timezone.now()
    _move(ticket, TicketStatus.IN_PROGRESS)
    _resume_clocks(ticket, at)
    note(ticket, TimelineKind.REPLIED, actor, message, at=at)
    return ticket


@transaction.atomic
def reporter_wrote(actor, ticket: Ticket, message: str, *, at: datetime | None = None, attachments=(),
                   via: str = "") -> Ticket:  # fmt: skip
    """The reporter wrote again through a channel (a mail reply, a chat
    message; issue 15). An answer to the provider's question resumes the
    paused clocks; anything else while the ticket is open or awaiting
    confirmation is noted on the timeline. A closed ticket takes no more:
    the channel opens a new one."""
    _require(ticket, *OPEN_STATUSES, TicketStatus.RESOLVED)
    if not message.strip() and not attachments:
        raise ValidationError({"message": _("Pesan pelapor kosong.")})
    at = at or timezone.now()
    saved = attach(ticket, attachments)
    text = message.strip()
    if saved:
        text += "\n\n" + _("Lampiran: %(names)s") % {"names": ", ".join(str(item) for item in saved)}
    if ticket.status == TicketStatus.WAITING_REPORTER:
        return reporter_replied(actor, ticket, text.strip(), at=at)
    note(ticket, TimelineKind.REPLIED, actor, text.strip(), at=at, via=via)
    return ticket


@transaction.atomic
def resolve(actor, ticket: Ticket, solution: str, cause: str = "", at: datetime | None = None) -> Ticket:
    """The provider reports the solution; the reporter is asked to confirm.
    Waiting for that confirmation pauses the clocks the pack names."""
    _require(ticket, TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_REPORTER)
    if not solution.strip():
        raise ValidationError({"solution": _("Tuliskan penyelesaiannya.")})
    at = at or timezone.now()
    if ticket.status == TicketStatus.WAITING_REPORTER:
        _resume_clocks(ticket, at)
    _move(ticket, TicketStatus.RESOLVED, solution=solution.strip(), cause=cause.strip() or ticket.cause, resolved_at=at)
    # SP4N-LAPOR!'s deadlines end with the follow-up given (issue 15); the others wait for the reporter
    _stop_clocks(ticket, at, kinds=[ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP])
    _pause_clocks(ticket, at)
    note(ticket, TimelineKind.RESOLVED, actor, solution.strip(), at=at)
    notifications.ticket_resolved(ticket)
    return ticket


@transaction.atomic
def confirm(actor, ticket: Ticket, satisfaction: int | None = None, suggestion: str = "", *, at=None,
            automatic: bool = False) -> Ticket:  # fmt: skip
    """O-1 items 7–8, O-2 items 14–15: the reporter confirms (or the pack's
    waiting time ran out): the ticket closes and its clocks stop."""
    _require(ticket, TicketStatus.RESOLVED)
    if satisfaction is not None and satisfaction not in range(1, 6):
        raise ValidationError({"satisfaction": _("Nilai kepuasan 1 sampai 5.")})
    at = at or timezone.now()
    _move(ticket, TicketStatus.CLOSED, reporter_confirmed_at=None if automatic else at, closed_at=at,
          satisfaction=satisfaction, suggestion=suggestion.strip())  # fmt: skip
    _stop_clocks(ticket, at)
    message = _("Ditutup otomatis: pelapor tidak menjawab.") if automatic else _("Penyelesaian dikonfirmasi pelapor.")
    note(ticket, TimelineKind.CONFIRMED if not automatic else TimelineKind.CLOSED, actor, message, at=at,
         satisfaction=satisfaction, automatic=automatic)  # fmt: skip
    return ticket


@transaction.atomic
def reopen(actor, ticket: Ticket, reason: str, at: datetime | None = None) -> Ticket:
    """The reporter says it is not solved: handling resumes, clocks run again."""
    _require(ticket, TicketStatus.RESOLVED)
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan mengapa belum selesai.")})
    at = at or timezone.now()
    _move(ticket, TicketStatus.IN_PROGRESS, resolved_at=None)
    _resume_clocks(ticket, at)
    note(ticket, TimelineKind.REOPENED, actor, reason.strip(), at=at)
    return ticket


def auto_close_instant(ticket: Ticket) -> datetime:
    """The end of the N-th working day after the solution was reported, N
    being the pack's ``auto_close_after_working_days`` (O-1/O-2: the reporter
    confirms; silence closes the ticket, recorded as such)."""
    days = int(ticket.policy_version.pack.open_values.get("auto_close_after_working_days", 5))
    return working_day_end(ticket.pemda, ticket.resolved_at, days)


def close_unconfirmed(now: datetime) -> list[Ticket]:
    """The periodic job: resolved tickets whose reporter stayed silent."""
    closed = []
    for ticket in Ticket.objects.filter(status=TicketStatus.RESOLVED).select_related("policy_version", "pemda"):
        if auto_close_instant(ticket) <= now:
            closed.append(confirm(None, ticket, at=now, automatic=True))
    return closed


@transaction.atomic
def assign(actor, tickets: list[Ticket], admin) -> int:
    """Bulk assignment to an Administrator Layanan: only tickets of PDs in
    which that person holds a structural role are assigned; returns how many."""
    from spbe.org import access

    roles_by_pd = access.scope_for(admin).roles_by_pd
    done = 0
    for ticket in tickets:
        if not roles_by_pd.get(ticket.pd_id) or ticket.service_admin_id == admin.pk:
            continue
        ticket.service_admin = admin
        ticket.save(update_fields=["service_admin", "last_updated"])
        note(ticket, TimelineKind.ASSIGNED, actor, _("Ditugaskan kepada %(name)s.") % {"name": admin.full_name},
             public=False)  # fmt: skip
        done += 1
    return done


@transaction.atomic
def classify_urgency(actor, ticket: Ticket, urgency: int) -> Ticket:
    """E-3 problem classification (1 high, 2 medium, 3 low) of a ticket on a
    service under an SLA document: starts the SLA resolution clock, counted
    from the report. Set once: the clock must not be restarted."""
    if ticket.sla_document is None:
        raise ValidationError(_("Layanan ini tidak berada di bawah dokumen SLA."))
    if urgency not in (1, 2, 3):
        raise ValidationError({"urgency": _("Tingkat urgensi 1 sampai 3.")})
    if ticket.urgency is not None:
        raise ValidationError(_("Tingkat urgensi sudah ditetapkan."))
    ticket.urgency = urgency
    ticket.save(update_fields=["urgency", "last_updated"])
    note(ticket, TimelineKind.PRIORITY, actor, _("Urgensi E-3: %(level)d") % {"level": urgency}, public=False,
         urgency=urgency)  # fmt: skip
    _start_clock(ticket, ClockKind.SLA_RESOLUTION, ticket.sla_document.resolution_for(urgency))
    sync_next_due(ticket)
    return ticket


@transaction.atomic
def decide_request(actor, ticket: Ticket, approve: bool, reason: str = "") -> Ticket:
    """O-1 item 5: a request whose service needs approval is approved (it
    goes on to fulfilment) or rejected (closed, with the reason)."""
    _require(ticket, TicketStatus.AWAITING_APPROVAL)
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan penolakan.")})
    now = timezone.now()
    if approve:
        _move(ticket, TicketStatus.IN_PROGRESS)
        note(ticket, TimelineKind.STATUS, actor, _("Permintaan disetujui.") + (f" {reason.strip()}" if reason else ""))
    else:
        _move(ticket, TicketStatus.REJECTED, closed_at=now)
        _stop_clocks(ticket, now)
        note(ticket, TimelineKind.STATUS, actor, _("Permintaan ditolak: %(reason)s") % {"reason": reason.strip()})
    return ticket


@transaction.atomic
def set_affected_items(actor, ticket: Ticket, components, applications) -> Ticket:
    """O-2 item 10: the configuration items the disruption touches."""
    ticket.components.set(components)
    ticket.applications.set(applications)
    names = ", ".join([*(str(c) for c in components), *(str(a) for a in applications)]) or "-"
    note(ticket, TimelineKind.COMMENT, actor, _("Item konfigurasi terdampak: %(names)s") % {"names": names},
         public=False)  # fmt: skip
    return ticket


# The clocks that measure a service's own targets: replaced when the ticket
# moves to another service. RESPONSE (P-3, by priority) and the SP4N-LAPOR!
# deadlines (the Pemda's, Pedoman C) are not the service's: they stay.
SERVICE_CLOCKS = (ClockKind.USER_SERVICE, ClockKind.SLA_RESPONSE, ClockKind.SLA_RESOLUTION)


def _check_move(ticket: Ticket, service, reason: str) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise ValidationError({"service": _("Tiket berstatus %(status)s tidak dapat dipindahkan ke layanan lain.")
                               % {"status": ticket.get_status_display()}})  # fmt: skip
    if service.pk == ticket.service_id:
        raise ValidationError({"service": _("Tiket sudah berada di layanan ini; pilih layanan lain.")})
    if service.pd.pemda_id != ticket.pemda_id:
        raise ValidationError({"service": _("Layanan tujuan harus milik Pemda yang sama dengan tiket.")})
    if service.lifecycle != Lifecycle.ACTIVE:
        raise ValidationError({"service": _("Layanan tujuan belum aktif atau sudah dihentikan.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan pemindahan.")})


def _replace_clock(ticket: Ticket, kind: str, target, old: Clock | None, pauses: list) -> Clock | None:
    """A new clock of ``kind`` for the ticket's (new) service, counted from
    the report like the first one, with the waits for the reporter the old
    clocks saw replayed through the clocks API (so a ticket moved while
    waiting stays paused, and earlier waits do not count)."""
    started: list = []
    clock = _start_clock(ticket, kind, target, started)
    if clock is None:
        return None
    if clock.kind in ticket.policy_version.pack.paused_while_waiting:
        for start, end in pauses:
            clock = clocks.pause_clock(clock, datetime.fromisoformat(start))
            if end is not None:
                clock = clocks.resume_clock(clock, datetime.fromisoformat(end))
        if ticket.status == TicketStatus.WAITING_REPORTER and clock.state == ClockState.RUNNING:
            clock = clocks.pause_clock(clock, timezone.now())  # no old clock saw the wait begin
        started[0].message = _("%(clock)s berjalan; tenggat %(due)s.") % {
            "clock": clock.get_kind_display(), "due": timezone.localtime(clock.due_at).strftime("%d-%m-%Y %H:%M"),
        }  # fmt: skip
    started[0].data["replaces"] = old.pk if old is not None else None
    started[0].save()
    return clock


@transaction.atomic
def move_to_service(actor, ticket: Ticket, service, reason: str) -> Ticket:
    """O-1/O-2: the Administrator Layanan hands a misfiled ticket to the
    right service, of any PD of the same Pemda (a channel of issue 15 opens
    every ticket on its default service). The ticket takes the new
    service's PD, administrator and SLA document (E-3); a complaint's
    priority is computed again (P-2: it depends on the service's group and
    classification) and, as with ``set_priority``, the P-3 response clock
    already running keeps its target.

    Clocks: the service's own clocks (P-1 user service, E-3 SLA response and
    resolution) still running are replaced: new ones start for the new
    service from the ticket's ``reported_at`` (they measure how long the
    reporter has waited, which a transfer between PDs does not reset) and
    the old ones, measured against the wrong service's targets, are deleted
    so the evaluation counts each wait once; the timeline keeps their
    deadline and state. The waits for the reporter the old clocks saw are
    replayed on the new ones. The clocks API has no way to retarget a
    clock, hence replace. An E-3 response clock already
    stopped by the first response is not started again, and the resolution
    clock starts only if the urgency is already set and the new service is
    under an SLA document. The SP4N-LAPOR! deadlines stay (the Pemda's, not
    the service's). The move is an internal timeline event; the reporter is
    not told (internal routing), the new service's administrator is."""
    _check_move(ticket, service, reason)
    now = timezone.now()
    old_service, old_pd = ticket.service, ticket.pd
    running = ticket_clocks(ticket).filter(kind__in=SERVICE_CLOCKS, stopped_at__isnull=True)
    running = {clock.kind: clock for clock in running}
    # The ticket's pausing clocks pause and resume together; one made later (E-3 resolution) saw fewer waits.
    pausing = ticket.policy_version.pack.paused_while_waiting
    pauses = max([clock.pauses for clock in running.values() if clock.kind in pausing], key=len, default=[])
    ticket.service, ticket.pd, ticket.service_admin = service, service.pd, service.service_admin
    ticket.sla_document = applicable_sla(service, ticket.reported_at)
    old_priority = ticket.priority
    if ticket.kind == TicketKind.COMPLAINT:
        ticket.priority, ticket.priority_reason = priority_of(ticket)
    ticket.save(update_fields=["service", "pd", "service_admin", "sla_document", "priority", "priority_reason",
                               "last_updated"])  # fmt: skip
    message = _("Dipindahkan dari %(old)s (%(old_pd)s) ke %(new)s (%(new_pd)s): %(reason)s") % {
        "old": old_service.name, "old_pd": old_pd.name, "new": service.name, "new_pd": service.pd.name,
        "reason": reason.strip(),
    }  # fmt: skip
    moved = note(ticket, TimelineKind.ASSIGNED, actor, message, at=now, public=False, from_service=old_service.pk,
                 to_service=service.pk)  # fmt: skip
    if ticket.priority != old_priority:
        note(ticket, TimelineKind.PRIORITY, actor, ticket.priority_reason, at=now, old=old_priority,
             new=ticket.priority)  # fmt: skip
    for clock in running.values():
        # Measured against the wrong service's target, the old clock would count in the evaluation under
        # the new service beside its replacement: it goes, and the timeline keeps what it showed.
        note(ticket, TimelineKind.CLOCK, actor, _("%(clock)s layanan sebelumnya (tenggat %(due)s, %(state)s) diganti.")
             % {"clock": clock.get_kind_display(), "due": timezone.localtime(clock.due_at).strftime("%d-%m-%Y %H:%M"),
                "state": clock.get_state_display().lower()}, at=now, public=False, replaced_clock=clock.pk)  # fmt: skip
        clock.delete()
    _replace_clock(ticket, ClockKind.USER_SERVICE, service.user_service_target, running.get(ClockKind.USER_SERVICE),
                   pauses)  # fmt: skip
    if ticket.sla_document is not None:
        if ticket.first_response_at is None:
            _replace_clock(ticket, ClockKind.SLA_RESPONSE, ticket.sla_document.response_target,
                           running.get(ClockKind.SLA_RESPONSE), pauses)  # fmt: skip
        if ticket.urgency is not None:
            _replace_clock(ticket, ClockKind.SLA_RESOLUTION, ticket.sla_document.resolution_for(ticket.urgency),
                           running.get(ClockKind.SLA_RESOLUTION), pauses)  # fmt: skip
    sync_next_due(ticket)
    notifications.ticket_moved(ticket, moved)
    return ticket
