"""Every change of the e-mail channel (O-1, O-2; issue 15): setting up a
mailbox, reading it, and what each message becomes; triage of the mails
that name no service. Each step is audited; ticket changes go through
``spbe.desk.actions``.

**Exactly once.** A message is fetched with ``BODY.PEEK`` (it stays
unread), then its ``InboundMail`` row, unique per mailbox by Message-ID,
is written in the same transaction as the ticket it opens or the reply it
adds, together with the mailbox's last UID. Only after the commit is the
message flagged ``\\Seen``. A worker killed in between leaves a message
that is unread on the server: the next poll reads it again (after a
change of UIDVALIDITY, by the unread flag) and the unique Message-ID
skips it. A message is never half-processed: the transaction is all or
nothing."""

from __future__ import annotations

import contextvars
import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.approvals.validators import validate_attachment
from spbe.audit.models import AuditAction
from spbe.audit.record import diff, record, snapshot
from spbe.desk import actions as desk
from spbe.desk.choices import Impact, ReportingMethod, TicketKind, TicketStatus
from spbe.desk.models import Ticket
from spbe.mail import imap, parsing, rules
from spbe.mail.choices import IgnoreReason, InboundStatus
from spbe.mail.models import InboundAttachment, InboundMail, Mailbox, MailboxRoute
from spbe.notify.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH = 50  # messages per poll of one mailbox; the rest wait for the next minute
CLAIM = timedelta(minutes=5)  # a poll's hold on its mailbox; far longer than a batch takes
MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # Gmail's limit; larger messages are recorded, not downloaded
MAX_ATTACHMENTS = 10
# Loop guard: more mails than this from one sender to one mailbox within the
# window are an auto-responder talking to us (or a flood), not a citizen.
LOOP_LIMIT = 20
LOOP_WINDOW = timedelta(hours=1)

MAILBOX_FIELDS = ["pemda", "pd", "name", "code", "address", "host", "port", "security", "username", "folder",
                  "default_service", "default_kind", "default_impact", "send_as", "is_active"]  # fmt: skip

# The mail being turned into a ticket right now: the reporter_mail receiver
# (spbe.mail.signals) answers for the ticket's first e-mail before the
# InboundMail row points at the ticket.
receiving: contextvars.ContextVar[InboundMail | None] = contextvars.ContextVar("spbe_mail_receiving", default=None)


# --- Mailboxes ----------------------------------------------------------------------------------


@transaction.atomic
def save_mailbox(actor, mailbox: Mailbox, routes: list[tuple[str, object]] | None = None) -> Mailbox:
    """Create or change a mailbox (and replace its address routes)."""
    if not rules.can_manage(actor, mailbox):
        raise PermissionDenied
    if mailbox.pd_id and mailbox.pd.pemda_id != mailbox.pemda_id:
        raise ValidationError({"pd": _("PD harus termasuk Pemda kotak surel ini.")})
    services = rules.services_for(mailbox)
    if mailbox.default_service_id and not services.filter(pk=mailbox.default_service_id).exists():
        raise ValidationError({"default_service": _("Pilih layanan aktif milik PD (atau Pemda) kotak surel ini.")})
    creating = mailbox.pk is None
    before = {} if creating else snapshot(Mailbox.objects.get(pk=mailbox.pk), MAILBOX_FIELDS)
    mailbox.address = mailbox.address.strip().lower()
    mailbox.full_clean()
    mailbox.save()
    if routes is not None:
        for _address, service in routes:
            if not services.filter(pk=service.pk).exists():
                raise ValidationError(_("Layanan %(service)s bukan milik kotak surel ini.") % {"service": service})
        mailbox.routes.all().delete()
        rows = [MailboxRoute(mailbox=mailbox, address=address.strip().lower(), service=service)
                for address, service in routes]  # fmt: skip
        MailboxRoute.objects.bulk_create(rows)
    changes = diff(before, snapshot(mailbox, MAILBOX_FIELDS))
    if routes is not None:
        changes["routes"] = [None, ", ".join(f"{a} → {s}" for a, s in routes)]
    record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, target=mailbox,
           pemda=mailbox.pemda, changes=changes)  # fmt: skip
    return mailbox


def check_connection(mailbox: Mailbox) -> tuple[bool, str]:
    """ "Uji koneksi": sign in and open the folder; a message either way."""
    try:
        client = imap.connect(mailbox)
    except imap.MailboxError as error:
        return False, str(error)
    try:
        count = imap.message_count(client)
    finally:
        imap.close(client)
    return True, _("Tersambung. Folder %(folder)s berisi %(count)d pesan.") % {
        "folder": mailbox.folder, "count": count}  # fmt: skip


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class PollResult:
    read: int = 0
    skipped: int = 0  # already processed (the same Message-ID)
    by_status: dict[str, int] = field(default_factory=dict)
    error: str = ""
    busy: bool = False


def _claim(mailbox: Mailbox, now: datetime) -> bool:
    """Healthchecks' pattern: a conditional UPDATE; exactly one poll wins.
    Unlike a row lock it holds across the batch's many transactions, and a
    worker that died frees the mailbox when its claim expires."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Mailbox.objects.filter(free, pk=mailbox.pk).update(claimed_until=now + CLAIM) == 1


def poll_mailbox(mailbox: Mailbox, *, limit: int = BATCH) -> PollResult:
    """Read the mailbox's new messages (by UID), each in its own
    transaction, then flag them read. An IMAP failure is kept as the
    mailbox's last error (shown on its page), not raised."""
    result = PollResult()
    now = timezone.now()
    if not _claim(mailbox, now):
        result.busy = True
        return result
    done: list[int] = []
    client = None
    try:
        client = imap.connect(mailbox)
        validity = imap.uidvalidity(client)
        mailbox.refresh_from_db(fields=["uidvalidity", "last_uid"])
        if mailbox.uidvalidity != validity:
            # a new mailbox, or the folder was recreated: the old UIDs mean nothing; what it holds now
            # is read only if unread (imap.new_uids)
            after = imap.uid_floor(client)
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=after)
        else:
            after = mailbox.last_uid
        uids = imap.new_uids(client, after)[:limit]
        for envelope in imap.envelopes(client, uids):
            too_large = envelope.size > MAX_MESSAGE_BYTES
            raw = imap.fetch(client, envelope.uid, headers_only=too_large)
            try:
                mail = receive(mailbox, raw, uid=envelope.uid, arrived=envelope.arrived, size=envelope.size)
            except Exception as error:  # a message we cannot handle must not block the mailbox for ever
                log.exception("mail processing failed", extra={"mailbox": mailbox.code, "uid": envelope.uid})
                mail = _unreadable(mailbox, raw, envelope.uid, error)
            done.append(envelope.uid)
            result.read += 1
            if mail is None:
                result.skipped += 1
            else:
                result.by_status[mail.status] = result.by_status.get(mail.status, 0) + 1
        imap.mark_seen(client, done)
    except imap.MailboxError as error:
        result.error = str(error)
    # the connection dropped mid-batch (imaplib says so with IMAP4.abort): what was committed stays
    except (OSError, EOFError, imaplib.IMAP4.error) as error:
        result.error = _("Sambungan ke server IMAP terputus: %(error)s") % {"error": error}
    finally:
        if client is not None:
            imap.close(client)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            claimed_until=None, last_polled_at=timezone.now(), last_error=result.error
        )
    if result.error:
        log.warning("mailbox poll failed", extra={"mailbox": mailbox.code, "error": result.error})
    return result


def poll_all() -> dict[str, PollResult]:
    """Every active mailbox (the beat task, every minute)."""
    return {mailbox.code: poll_mailbox(mailbox) for mailbox in Mailbox.objects.filter(is_active=True)}


def _own_addresses() -> set[str]:
    addresses = {parseaddr(getattr(settings, name, ""))[1].lower() for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL")}
    addresses |= set(Mailbox.objects.values_list("address", flat=True))
    addresses |= set(MailboxRoute.objects.values_list("address", flat=True))
    return {address for address in addresses if address}


def _ignore_reason(mailbox: Mailbox, parsed: parsing.ParsedMail, size: int) -> tuple[str, str, str] | None:
    """(status, reason, detail) for a mail that must not become a ticket."""
    if size > MAX_MESSAGE_BYTES:
        return InboundStatus.REJECTED, IgnoreReason.TOO_LARGE, _("%(mb).1f MB, batas %(limit)d MB.") % {
            "mb": size / 1024 / 1024, "limit": MAX_MESSAGE_BYTES // 1024 // 1024}  # fmt: skip
    if parsed.automatic:
        return InboundStatus.IGNORED, parsed.automatic, parsed.automatic_detail
    if not parsed.sender:
        return InboundStatus.REJECTED, IgnoreReason.NO_SENDER, ""
    if parsed.sender in _own_addresses():
        return InboundStatus.IGNORED, IgnoreReason.OWN_ADDRESS, parsed.sender
    recent = InboundMail.objects.filter(
        mailbox=mailbox, sender=parsed.sender, processed_at__gte=timezone.now() - LOOP_WINDOW
    )
    if recent.count() >= LOOP_LIMIT:
        return InboundStatus.IGNORED, IgnoreReason.LOOP, _("Lebih dari %(n)d surel dalam %(minutes)d menit.") % {
            "n": LOOP_LIMIT, "minutes": LOOP_WINDOW.total_seconds() // 60}  # fmt: skip
    return None


OUTBOX_ID = re.compile(r"^<outbox\.(\d+)\.(\d{14})@")


def thread_of(mailbox: Mailbox, parsed: parsing.ParsedMail) -> Ticket | None:
    """The ticket a message continues: ``[NUMBER]`` in the subject, else a
    Message-ID it answers (one of our outgoing e-mails, or an earlier mail
    of the ticket). Only the ticket's reporter may continue it: anyone else
    quoting a number opens a ticket of their own."""
    tickets = Ticket.objects.filter(pemda_id=mailbox.pemda_id).select_related("pemda", "service", "pd")
    found = None
    numbers = parsing.ticket_numbers(parsed.subject)
    if numbers:
        found = tickets.filter(number__in=numbers).first()
    if found is None and parsed.thread_ids:
        ids = parsed.thread_ids
        earlier = InboundMail.objects.filter(mailbox__pemda_id=mailbox.pemda_id, message_id__in=ids,
                                             ticket__isnull=False).values_list("ticket_id", flat=True)  # fmt: skip
        ticket_id = earlier.first()
        if ticket_id is None:
            outbox = [int(m.group(1)) for m in map(OUTBOX_ID.match, ids) if m]
            thread = OutboxMessage.objects.filter(pk__in=outbox, pemda_id=mailbox.pemda_id).exclude(thread="")
            number = thread.values_list("thread", flat=True).first()
            found = tickets.filter(number=number).first() if number else None
        else:
            found = tickets.filter(pk=ticket_id).first()
    if found is None or (found.reporter_email or "").lower() != parsed.sender:
        return None
    return found


def route_of(mailbox: Mailbox, parsed: parsing.ParsedMail):
    """The service named by the address the mail was sent to, else the
    mailbox's default (None: triage)."""
    routes = {route.address: route.service for route in mailbox.routes.select_related("service__pd__pemda")}
    for address in parsed.recipients:
        if address in routes:
            return routes[address]
    return mailbox.default_service


def _checked_files(parsed: parsing.ParsedMail) -> tuple[list[ContentFile], list[str]]:
    """Attachments that pass the portal's check, and a note per refused one."""
    accepted, refused = [], []
    for index, attachment in enumerate(parsed.attachments):
        if index >= MAX_ATTACHMENTS:
            refused.append(_("%(name)s: lebih dari %(n)d lampiran.") % {"name": attachment.name, "n": MAX_ATTACHMENTS})
            continue
        upload = ContentFile(attachment.content, name=attachment.name)
        try:
            validate_attachment(upload)
        except ValidationError as error:
            refused.append(f"{attachment.name}: {' '.join(error.messages)}")
            continue
        accepted.append(upload)
    return accepted, refused


def _description(parsed: parsing.ParsedMail, refused: list[str], previous: Ticket | None = None) -> str:
    text = parsed.body.strip() or _("(isi surel kosong)")
    if previous is not None:
        text = _("Lanjutan dari tiket %(number)s yang sudah ditutup.") % {"number": previous.number} + "\n\n" + text
    if refused:
        text += "\n\n" + _("Lampiran tidak diterima:") + "\n" + "\n".join(f"- {line}" for line in refused)
    return text


def _open(mail: InboundMail, service, kind: str, impact: str, parsed, files, refused, previous=None, actor=None):
    token = receiving.set(mail)
    try:
        return desk.open_ticket(
            actor=actor, service=service, kind=kind,
            reporter=desk.Reporter(name=mail.sender_name or mail.sender.partition("@")[0], email=mail.sender),
            subject=(parsing.clean_subject(mail.subject) or _("Surel dari %(sender)s") % {"sender": mail.sender})[:200],
            description=_description(parsed, refused, previous), reporting_method=ReportingMethod.EMAIL,
            reported_at=mail.received_at, impact=impact if kind == TicketKind.COMPLAINT else "", attachments=files,
        )  # fmt: skip
    finally:
        receiving.reset(token)


def receive(
    mailbox: Mailbox, raw: bytes, *, uid: int | None = None, arrived: datetime | None = None, size: int | None = None
) -> InboundMail | None:
    """What one message becomes, in one transaction with its ticket change
    and the mailbox's last UID. None: this Message-ID was processed before."""
    parsed = parsing.parse(raw)
    now = timezone.now()
    received_at = min(arrived or parsed.sent_at or now, now)
    try:
        with transaction.atomic():
            mail = _receive(mailbox, parsed, uid, received_at, size if size is not None else len(raw))
    except IntegrityError:  # a concurrent poll wrote the same Message-ID first
        mail = None
    if uid is not None and mail is None:
        Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
    return mail


@transaction.atomic
def _unreadable(mailbox: Mailbox, raw: bytes, uid: int, error: Exception) -> InboundMail | None:
    """Keep a message that failed to process as rejected, with the error,
    for an operator to read; the mailbox moves on."""
    try:
        parsed = parsing.parse(raw)
        message_id, sender, subject = parsed.message_id, parsed.sender, parsed.subject
    except Exception:
        message_id, sender, subject = f"<uid.{mailbox.uidvalidity}.{uid}@tidak-terbaca>", "", ""
    if InboundMail.objects.filter(mailbox=mailbox, message_id=message_id).exists():
        return None
    mail = InboundMail.objects.create(
        mailbox=mailbox, message_id=message_id, uid=uid, sender=sender, subject=subject,
        body=raw[:20_000].decode("utf-8", "replace"), received_at=timezone.now(), status=InboundStatus.REJECTED,
        reason=IgnoreReason.UNREADABLE, note=f"{type(error).__name__}: {error}"[:2000],
    )  # fmt: skip
    Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
    return mail


def _receive(mailbox, parsed, uid, received_at, size) -> InboundMail | None:
    if InboundMail.objects.filter(mailbox=mailbox, message_id=parsed.message_id).exists():
        return None
    mail = InboundMail(
        mailbox=mailbox, message_id=parsed.message_id, uid=uid, sender=parsed.sender, sender_name=parsed.sender_name,
        recipient=next((a for a in parsed.recipients if a == mailbox.address), parsed.recipients[0] if
                       parsed.recipients else "")[:254],
        subject=parsed.subject, body=parsed.body, in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references), received_at=received_at,
    )  # fmt: skip
    ignored = _ignore_reason(mailbox, parsed, size)
    if ignored:
        mail.status, mail.reason, mail.note = ignored
        mail.save()
    else:
        _become_ticket(mailbox, mail, parsed)
    if uid is not None:
        Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
    return mail


def _become_ticket(mailbox: Mailbox, mail: InboundMail, parsed: parsing.ParsedMail) -> None:
    files, refused = _checked_files(parsed)
    if refused:
        mail.note = _("Lampiran tidak diterima:") + "\n" + "\n".join(refused)
    ticket = thread_of(mailbox, parsed)
    previous = None
    if ticket is not None and ticket.status in (TicketStatus.CLOSED, TicketStatus.REJECTED):
        previous, ticket = ticket, None
    if ticket is not None:
        message = parsing.strip_quoted(parsed.body)
        if refused:
            message += "\n\n" + _("Lampiran tidak diterima:") + "\n" + "\n".join(f"- {line}" for line in refused)
        mail.status, mail.ticket, mail.service = InboundStatus.ADDED, ticket, ticket.service
        mail.save()
        # The server's arrival time has whole seconds: a reply that came within the
        # second the question was asked must not resume the clock before it paused.
        at = max(mail.received_at, ticket.last_updated)
        desk.reporter_wrote(None, ticket, message or _("(balasan kosong)"), at=at, attachments=files,
                            via=ReportingMethod.EMAIL)  # fmt: skip
        return
    service = route_of(mailbox, parsed) if previous is None else previous.service
    if service is not None and service.lifecycle != "active":
        service = None
    mail.service = service
    if service is None:
        mail.status = InboundStatus.TRIAGE
        mail.save()
        for upload in files:
            InboundAttachment.objects.create(mail=mail, file=upload, name=upload.name, size=upload.size)
        return
    mail.status = InboundStatus.OPENED
    mail.save()
    kind = previous.kind if previous is not None else mailbox.default_kind
    impact = (previous.impact if previous is not None else "") or mailbox.default_impact or Impact.MINOR
    mail.ticket = _open(mail, service, kind, impact, parsed, files, refused, previous)
    mail.save(update_fields=["ticket"])


# --- Triage -------------------------------------------------------------------------------------


def _waiting(actor, mail: InboundMail) -> InboundMail:
    if not rules.can_triage(actor, mail.mailbox):
        raise PermissionDenied
    locked = InboundMail.objects.select_for_update().select_related("mailbox").get(pk=mail.pk)
    if locked.status != InboundStatus.TRIAGE:
        raise ValidationError(_("Surel ini sudah dipilah (%(status)s).") % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def open_from_triage(actor, mail: InboundMail, service, kind: str, impact: str = "") -> Ticket:
    """The Administrator Layanan (or the Koordinator for a Pemda-wide
    mailbox) names the service: the mail becomes a request or complaint
    reported at the time it arrived, with its checked attachments."""
    mail = _waiting(actor, mail)
    if not rules.services_for(mail.mailbox).filter(pk=service.pk).exists():
        raise ValidationError({"service": _("Pilih layanan aktif milik PD (atau Pemda) kotak surel ini.")})
    if kind == TicketKind.COMPLAINT and impact not in Impact.values:
        raise ValidationError({"impact": _("Pilih dampak: Mayor atau Minor.")})
    files = [ContentFile(item.file.read(), name=item.name) for item in mail.attachments.all()]
    parsed = parsing.ParsedMail(
        message_id=mail.message_id, sender=mail.sender, sender_name=mail.sender_name, recipients=[],
        subject=mail.subject, body=mail.body, in_reply_to="", references=[], sent_at=None,
    )  # fmt: skip
    refused = mail.note.splitlines()[1:] if mail.note else []
    ticket = _open(mail, service, kind, impact, parsed, files, refused, actor=actor)
    mail.status, mail.ticket, mail.service = InboundStatus.OPENED, ticket, service
    mail.handled_by, mail.handled_at = actor, timezone.now()
    mail.save(update_fields=["status", "ticket", "service", "handled_by", "handled_at"])
    changes = {"status": [InboundStatus.TRIAGE, InboundStatus.OPENED], "ticket": [None, ticket.number]}
    record(actor=actor, action=AuditAction.UPDATE, target=mail, pemda=mail.mailbox.pemda, changes=changes)
    return ticket


@transaction.atomic
def dismiss(actor, mail: InboundMail, reason: str) -> InboundMail:
    """Not a request or complaint (spam, a thank-you, a misdirected mail):
    closed with the reason, no ticket."""
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan surel ini tidak dijadikan tiket.")})
    mail = _waiting(actor, mail)
    mail.status, mail.note = InboundStatus.DISMISSED, "\n".join(filter(None, [mail.note, reason.strip()]))
    mail.handled_by, mail.handled_at = actor, timezone.now()
    mail.save(update_fields=["status", "note", "handled_by", "handled_at"])
    changes = {"status": [InboundStatus.TRIAGE, InboundStatus.DISMISSED], "reason": [None, reason.strip()]}
    record(actor=actor, action=AuditAction.UPDATE, target=mail, pemda=mail.mailbox.pemda, changes=changes)
    return mail
