"""Who hears about a ticket, and when (O-2, E-3). Messages go through the
outbox (spbe.notify), in the same transaction as the change."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from spbe.desk.choices import TicketStatus
from spbe.desk.hooks import reporter_mail, reporter_told
from spbe.notify.outbox import enqueue
from spbe.org.choices import Role
from spbe.org.models import User

# E-3 escalation levels: who is told, by role, in the service's PD (and, for
# the infrastructure roles, also in the Pemda's Diskominfo).
ESCALATION_ROLES = {
    1: (Role.ADMIN_LAYANAN, Role.ADMIN_INFRA),
    2: (Role.PJ_PENYEDIA, Role.PJ_INFRA),
    3: (Role.PIMPINAN_PD,),
}
INFRA_ROLES = {Role.ADMIN_INFRA, Role.PJ_INFRA}
TICKET_LINK_SALT = "spbe.portal.ticket"


def in_reporters_language(function):
    """What the reporter reads is in the Pemda's language, whatever the
    language of the agent whose action sent it (the interface may be in
    English). A new override per call: one shared instance keeps its state."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def ticket_link(ticket) -> str:
    """The reporter's signed link to follow, reply, confirm and rate, with no
    account needed (issue 5, items 6 and 8)."""
    token = signing.dumps(ticket.number, salt=TICKET_LINK_SALT)
    return f"{settings.SITE_URL}{reverse('portal:ticket', args=[ticket.number])}?t={token}"


def _emails(ticket, roles) -> list[str]:
    pds = [ticket.pd_id]
    coordinator = ticket.pemda.spbe_coordinator
    emails = []
    for role in roles:
        in_pds = [*pds, coordinator.pk] if role in INFRA_ROLES and coordinator else pds
        emails += User.objects.filter(
            is_active=True, role_assignments__role=role, role_assignments__pd_id__in=in_pds
        ).values_list("email", flat=True)
    return emails


def _summary(ticket) -> str:
    return "\n".join([
        f"{_('Nomor')}: {ticket.number}",
        f"{_('Layanan')}: {ticket.service.name} ({ticket.pd.name})",
        f"{_('Judul')}: {ticket.subject}",
        f"{_('Prioritas')}: P{ticket.priority}" if ticket.priority else "",
        f"{_('Dilaporkan')}: {timezone.localtime(ticket.reported_at):%d-%m-%Y %H:%M}",
    ]).strip()  # fmt: skip


def tell_reporter(ticket, *, key: str, subject: str, body: str, fresh: bool = False, opening: bool = False) -> None:
    """Tell the reporter something, on every channel they can be reached
    by: an e-mail (from the mailbox they wrote to, threaded, when the mail
    app says so) and whatever the channels hooked to ``reporter_told`` do
    (a chat reply). ``subject`` starts with the ticket number in brackets,
    so a reply to it finds its ticket (issue 15). ``opening``: the ticket
    is being opened, so no earlier mail of its thread exists."""
    shape = {}
    for _receiver, answer in reporter_mail.send(sender=type(ticket), ticket=ticket, opening=opening):
        shape.update(answer or {})
    enqueue(
        key=key, to=[ticket.reporter_email], pemda=ticket.pemda, fresh=fresh, subject=subject, body=body,
        from_email=shape.get("from_email", ""), headers=shape.get("headers"), thread=ticket.number,
    )  # fmt: skip
    reporter_told.send(sender=type(ticket), ticket=ticket, key=key, subject=subject, text=body)


@in_reporters_language
def ticket_opened(ticket) -> None:
    tell_reporter(
        ticket, key=f"ticket-{ticket.pk}-opened-reporter", fresh=True, opening=True,
        subject=_("[%(number)s] Laporan Anda sudah kami terima") % {"number": ticket.number},
        body=_("Terima kasih. Laporan Anda tercatat dan akan ditangani. Pantau di:\n%(link)s")
        % {"link": ticket_link(ticket)} + "\n\n" + _summary(ticket),
    )  # fmt: skip
    # the service's own administrator, or every Administrator Layanan of the PD
    admins = [ticket.service_admin.email] if ticket.service_admin else _emails(ticket, (Role.ADMIN_LAYANAN,))
    enqueue(
        key=f"ticket-{ticket.pk}-opened-admin", to=admins, fresh=True,
        pemda=ticket.pemda, subject=_("[%(number)s] Tiket baru: %(subject)s") % {"number": ticket.number,
                                                                                "subject": ticket.subject},
        body=_summary(ticket),
    )  # fmt: skip


def ticket_escalated(ticket, level: int, reason: str) -> None:
    enqueue(
        key=f"ticket-{ticket.pk}-escalation-{level}", to=_emails(ticket, ESCALATION_ROLES[level]), pemda=ticket.pemda,
        subject=_("[%(number)s] Eskalasi level %(level)d") % {"number": ticket.number, "level": level},
        body=reason + "\n\n" + _summary(ticket),
    )  # fmt: skip


def ticket_handed_over(ticket, reason: str) -> None:
    enqueue(
        key=f"ticket-{ticket.pk}-handover-{ticket.infra_admin_id}", to=[ticket.infra_admin.email],
        pemda=ticket.pemda, subject=_("[%(number)s] Diserahkan kepada Anda") % {"number": ticket.number},
        body=reason + "\n\n" + _summary(ticket),
    )  # fmt: skip


@in_reporters_language
def ticket_resolved(ticket) -> None:
    tell_reporter(
        ticket, key=f"ticket-{ticket.pk}-resolved-{ticket.resolved_at:%Y%m%d%H%M%S}",
        subject=_("[%(number)s] Mohon konfirmasi penyelesaian") % {"number": ticket.number},
        body=_("Laporan Anda telah diselesaikan: %(solution)s\nMohon konfirmasi dan beri nilai, atau sampaikan bila "
               "masih ada kendala:\n%(link)s") % {"solution": ticket.solution, "link": ticket_link(ticket)}
        + "\n\n" + _summary(ticket),
    )  # fmt: skip


@in_reporters_language
def reporter_addressed(ticket, timeline_event) -> None:
    """The provider's public response or question reaches the reporter
    (issue 15: before, it waited on the portal page until they looked)."""
    asks = ticket.status == TicketStatus.WAITING_REPORTER
    subject = _("[%(number)s] Pertanyaan tentang laporan Anda") if asks else _("[%(number)s] Tanggapan laporan Anda")
    tell_reporter(
        ticket, key=f"ticket-{ticket.pk}-event-{timeline_event.pk}", fresh=True,
        subject=subject % {"number": ticket.number},
        body=timeline_event.message + "\n\n"
        + (_("Balas e-mail ini atau jawab di:\n%(link)s") if asks else _("Pantau di:\n%(link)s"))
        % {"link": ticket_link(ticket)} + "\n\n" + _summary(ticket),
    )  # fmt: skip


def ticket_moved(ticket, timeline_event) -> None:
    """O-1/O-2: a misfiled ticket reaches the right service; its
    administrator (or, like ``ticket_opened``, every Administrator Layanan
    of the new PD) is told. The reporter is not: the move is internal
    routing."""
    admins = [ticket.service_admin.email] if ticket.service_admin else _emails(ticket, (Role.ADMIN_LAYANAN,))
    enqueue(
        key=f"ticket-{ticket.pk}-moved-{timeline_event.pk}", to=admins, pemda=ticket.pemda, fresh=True,
        subject=_("[%(number)s] Tiket dipindahkan ke layanan Anda") % {"number": ticket.number},
        body=timeline_event.message + "\n\n" + _summary(ticket),
    )  # fmt: skip
