"""Inbound e-mail becomes a request or complaint (O-1, O-2; issue 15),
read from a real dovecot over IMAP: service by address or by triage,
replies on the ticket's timeline, machines ignored, every message once."""

from __future__ import annotations

import pytest

from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketKind, TicketStatus, TimelineKind
from spbe.desk.models import Ticket
from spbe.mail import actions
from spbe.mail.choices import IgnoreReason, InboundStatus
from spbe.mail.models import InboundMail, MailboxRoute
from spbe.mail.tests.conftest import mail

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def multipart(sender="budi@warga.test", to="layanan@yogya.test", subject="Foto KTP", attachments=()) -> str:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"Budi <{sender}>", to, subject
    message["Message-ID"] = f"<{subject.replace(' ', '')}.{len(attachments)}@warga.test>"
    message.set_content("Terlampir foto KTP saya.")
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes().decode()


def test_a_new_mail_opens_a_complaint_of_the_mailbox_service(world, dovecot, mailbox, service):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject="Re: KTP belum jadi"))
    result = actions.poll_mailbox(mailbox)
    assert (result.read, result.error) == (1, "")
    inbound = InboundMail.objects.get(mailbox=mailbox)
    ticket = inbound.ticket
    assert inbound.status == InboundStatus.OPENED
    assert (ticket.service, ticket.kind, ticket.impact) == (service, TicketKind.COMPLAINT, "minor")
    assert ticket.reporting_method == ReportingMethod.EMAIL
    assert (ticket.reporter_name, ticket.reporter_email) == ("Budi Warga", "budi@warga.test")
    assert ticket.subject == "KTP belum jadi"  # without "Re:"
    assert "Sudah 3 minggu." in ticket.description
    # flagged read only after the commit; the next poll reads nothing new
    assert "\\Seen" in dovecot.flags(mailbox.address)[inbound.uid]
    assert actions.poll_mailbox(mailbox).read == 0
    assert mailbox.__class__.objects.get(pk=mailbox.pk).last_uid == inbound.uid


def test_an_alias_routes_the_mail_to_its_service(world, dovecot, make_mailbox, service):
    mailbox = make_mailbox()  # no default service
    MailboxRoute.objects.create(mailbox=mailbox, address="ktp@yogya.test", service=service)
    dovecot.deliver(mailbox.address, mail(to="KTP@yogya.test"))
    actions.poll_mailbox(mailbox)
    assert InboundMail.objects.get(mailbox=mailbox).ticket.service == service


def test_without_a_service_the_mail_waits_for_triage_with_its_checked_attachments(world, dovecot, make_mailbox,
                                                                                     service):  # fmt: skip
    mailbox = make_mailbox()
    files = [("ktp.png", PNG, "image", "png"), ("virus.exe", b"MZ\0\0", "application", "octet-stream")]
    raw = multipart(to=mailbox.address, attachments=files)
    dovecot.deliver(mailbox.address, raw)
    actions.poll_mailbox(mailbox)
    inbound = InboundMail.objects.get(mailbox=mailbox)
    assert inbound.status == InboundStatus.TRIAGE and inbound.ticket is None
    assert [a.name for a in inbound.attachments.all()] == ["ktp.png"]
    assert "virus.exe" in inbound.note
    ticket = actions.open_from_triage(world.owner_admin, inbound, service, TicketKind.REQUEST)
    assert (ticket.kind, ticket.service, ticket.reporting_method) == (TicketKind.REQUEST, service, "email")
    assert [a.file.name.rsplit("/", 1)[-1].startswith("ktp") for a in ticket.attachments.all()] == [True]
    assert "virus.exe" in ticket.description
    inbound.refresh_from_db()
    assert (inbound.status, inbound.ticket, inbound.handled_by) == (InboundStatus.OPENED, ticket, world.owner_admin)
    assert ticket.reported_at == inbound.received_at  # the clocks start when the mail arrived


def test_triage_is_for_the_mailbox_managers_only_and_once(world, dovecot, make_mailbox, service):
    from django.core.exceptions import PermissionDenied, ValidationError

    mailbox = make_mailbox()
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    actions.poll_mailbox(mailbox)
    inbound = InboundMail.objects.get(mailbox=mailbox)
    with pytest.raises(PermissionDenied):
        actions.open_from_triage(world.other_pd_admin, inbound, service, TicketKind.REQUEST)
    with pytest.raises(ValidationError):
        actions.dismiss(world.owner_admin, inbound, "  ")
    actions.dismiss(world.owner_admin, inbound, "Surel promosi")
    with pytest.raises(ValidationError):
        actions.open_from_triage(world.owner_admin, inbound, service, TicketKind.REQUEST)
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.DISMISSED and "Surel promosi" in inbound.note
    assert not Ticket.objects.exists()


def test_a_bad_attachment_is_dropped_and_the_mail_still_becomes_a_ticket(world, dovecot, mailbox):
    raw = multipart(to=mailbox.address, attachments=[("foto.png", PNG, "image", "png"),
                                                     ("surat.pdf", b"not a pdf", "application", "pdf")])  # fmt: skip
    dovecot.deliver(mailbox.address, raw)
    actions.poll_mailbox(mailbox)
    inbound = InboundMail.objects.get(mailbox=mailbox)
    ticket = inbound.ticket
    assert ticket.attachments.count() == 1
    assert "surat.pdf" in ticket.description and "tidak sesuai" in ticket.description
    assert "surat.pdf" in inbound.note


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "budi@warga.test", IgnoreReason.AUTO_REPLY),
        ({"Precedence": "bulk"}, "budi@warga.test", IgnoreReason.AUTO_REPLY),
        ({"X-Autoreply": "yes"}, "budi@warga.test", IgnoreReason.AUTO_REPLY),
        ({"X-Auto-Response-Suppress": "All"}, "budi@warga.test", IgnoreReason.AUTO_REPLY),
        ({}, "MAILER-DAEMON@mx.warga.test", IgnoreReason.BOUNCE),
        ({"Return-Path": "<>"}, "budi@warga.test", IgnoreReason.BOUNCE),
        ({}, "noreply@layanan-spbe.local", IgnoreReason.OWN_ADDRESS),
    ],
)
def test_machines_are_recognised_and_ignored(world, dovecot, mailbox, settings, headers, sender, reason):
    settings.DEFAULT_FROM_EMAIL = "Layanan SPBE <noreply@layanan-spbe.local>"
    dovecot.deliver(mailbox.address, mail(sender=sender, to=mailbox.address, headers=headers))
    actions.poll_mailbox(mailbox)
    inbound = InboundMail.objects.get(mailbox=mailbox)
    assert (inbound.status, inbound.reason, inbound.ticket) == (InboundStatus.IGNORED, reason, None)
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, headers={"Auto-Submitted": "no"}))
    actions.poll_mailbox(mailbox)
    assert InboundMail.objects.get(mailbox=mailbox).status == InboundStatus.OPENED


def test_a_delivery_report_is_a_bounce(world, dovecot, mailbox):
    raw = (f"From: Mail Delivery System <bounces@mx.warga.test>\r\nTo: {mailbox.address}\r\nSubject: Undelivered\r\n"
           "Message-ID: <dsn1@mx.warga.test>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
           "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b--\r\n")  # fmt: skip
    dovecot.deliver(mailbox.address, raw)
    actions.poll_mailbox(mailbox)
    assert InboundMail.objects.get(mailbox=mailbox).reason == IgnoreReason.BOUNCE


def test_a_flood_from_one_sender_is_a_loop(world, dovecot, mailbox, monkeypatch):
    monkeypatch.setattr(actions, "LOOP_LIMIT", 3)
    for number in range(5):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Pesan {number}"))
    actions.poll_mailbox(mailbox)
    statuses = list(InboundMail.objects.filter(mailbox=mailbox).order_by("uid").values_list("status", "reason"))
    assert statuses == [("opened", "")] * 3 + [("ignored", IgnoreReason.LOOP)] * 2
    assert Ticket.objects.count() == 3


def test_the_same_message_id_twice_is_processed_once(world, dovecot, mailbox):
    raw = mail(to=mailbox.address, message_id="<sekali@warga.test>")
    dovecot.deliver(mailbox.address, raw)
    dovecot.deliver(mailbox.address, raw)  # the MTA delivered it twice
    result = actions.poll_mailbox(mailbox)
    assert (result.read, result.skipped) == (2, 1)
    assert InboundMail.objects.filter(mailbox=mailbox).count() == 1 and Ticket.objects.count() == 1
    assert all("\\Seen" in flags for flags in dovecot.flags(mailbox.address).values())


def test_a_mail_without_message_id_is_known_by_its_hash(world, dovecot, mailbox):
    raw = mail(to=mailbox.address).replace("Message-ID:", "X-Old-Id:")
    dovecot.deliver(mailbox.address, raw)
    dovecot.deliver(mailbox.address, raw)
    actions.poll_mailbox(mailbox)
    inbound = InboundMail.objects.get(mailbox=mailbox)
    assert inbound.message_id.startswith("<sha256.")


def test_a_worker_killed_before_flagging_leaves_no_duplicate(world, dovecot, mailbox):
    """The crash point: the batch's transactions committed, the worker died
    before STORE \\Seen, and the folder came back with other UIDs (or the
    last UID was lost): every message is unread and "new" again. The next
    poll reads them all and the unique Message-ID turns none into a second
    ticket."""
    for number in range(3):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Aduan {number}"))
    assert actions.poll_mailbox(mailbox).read == 3
    dovecot.mark_unseen(mailbox.address)
    mailbox.__class__.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=0)
    again = actions.poll_mailbox(mailbox)
    assert (again.read, again.skipped) == (3, 3)
    assert Ticket.objects.count() == 3 and InboundMail.objects.filter(mailbox=mailbox).count() == 3
    assert all("\\Seen" in flags for flags in dovecot.flags(mailbox.address).values())


def test_mail_already_read_when_the_mailbox_is_connected_never_becomes_a_ticket(world, dovecot, mailbox):
    """Connecting a mailbox that holds old mail: what somebody already read
    stays out, at the first poll and every later one (it came back one poll
    later before the bench of issue 15 found it); an unread one comes in."""
    for number in range(2):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Lama {number}"), flags="(\\Seen)")
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject="Belum dibaca"))
    assert actions.poll_mailbox(mailbox).read == 1
    assert actions.poll_mailbox(mailbox).read == 0
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject="Baru"))
    assert actions.poll_mailbox(mailbox).read == 1
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Baru", "Belum dibaca"]


def test_a_committed_message_left_unread_by_a_killed_worker_is_flagged_at_the_next_poll(world, dovecot, mailbox):
    """The worker died after its commits, before STORE \\Seen, with the last
    UID saved: the next poll reads those messages again, records nothing
    twice, and flags them, so the mailbox does not keep them unread."""
    for number in range(2):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Aduan {number}"))
    assert actions.poll_mailbox(mailbox).read == 2
    dovecot.mark_unseen(mailbox.address)  # the flags the dead worker never set
    again = actions.poll_mailbox(mailbox)
    assert (again.read, again.skipped) == (2, 2) and Ticket.objects.count() == 2
    assert all("\\Seen" in flags for flags in dovecot.flags(mailbox.address).values())


def test_a_connection_cut_mid_batch_is_the_mailbox_error_and_the_next_poll_finishes(world, dovecot, mailbox):
    """imaplib reports a dropped connection as IMAP4.abort, which used to
    escape the poll (and the beat's other mailboxes) with the last error
    wiped. Cut for real after the first message: what it committed stays."""
    for number in range(3):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Aduan {number}"))
    receive = actions.receive

    def receive_then_cut(*args, **kwargs):
        received = receive(*args, **kwargs)
        assert dovecot.drop_connections() >= 1
        return received

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(actions, "receive", receive_then_cut)
        cut = actions.poll_mailbox(mailbox)
    mailbox.refresh_from_db()
    assert cut.read == 1 and "terputus" in cut.error and mailbox.last_error == cut.error
    assert mailbox.claimed_until is None  # the next poll may run at once
    again = actions.poll_mailbox(mailbox)  # the first one again (never flagged), skipped, and the other two
    assert (again.read, again.skipped) == (3, 1)
    mailbox.refresh_from_db()
    assert Ticket.objects.count() == 3 and mailbox.last_error == ""


def test_a_batch_cut_short_resumes_where_it_stopped(world, dovecot, mailbox):
    """A worker killed mid-batch: what it committed stays, the rest is read
    by the next poll (by UID, after the last one committed)."""
    for number in range(4):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Aduan {number}"))
    assert actions.poll_mailbox(mailbox, limit=3).read == 3
    assert actions.poll_mailbox(mailbox).read == 1
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [f"Aduan {n}" for n in range(4)]


def test_a_mailbox_being_read_is_not_read_twice(world, dovecot, mailbox):
    from datetime import timedelta

    from django.utils import timezone

    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    mailbox.__class__.objects.filter(pk=mailbox.pk).update(claimed_until=timezone.now() + timedelta(minutes=1))
    assert actions.poll_mailbox(mailbox).busy
    assert not InboundMail.objects.exists()
    # a claim whose worker died expires
    mailbox.__class__.objects.filter(pk=mailbox.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert actions.poll_mailbox(mailbox).read == 1


def test_a_reply_with_the_number_resumes_the_paused_clock(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    actions.poll_mailbox(mailbox)
    ticket = InboundMail.objects.get(mailbox=mailbox).ticket
    desk.wait_for_reporter(world.owner_admin, ticket, "Mohon kirim NIK Anda.")
    user_service = desk.ticket_clocks(ticket).get(kind=ClockKind.USER_SERVICE)
    assert user_service.state == ClockState.PAUSED  # the pack pauses P-1 while waiting for the reporter
    body = "NIK saya 3471xxxx.\r\n\r\nPada Sen, 23 Nov 2026 pukul 10.00, Layanan menulis:\r\n> Mohon kirim NIK Anda."
    dovecot.deliver(mailbox.address, mail(sender="BUDI@warga.test", to=mailbox.address,
                                          subject=f"Re: [{ticket.number}] Pertanyaan", body=body))  # fmt: skip
    actions.poll_mailbox(mailbox)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    user_service.refresh_from_db()
    assert user_service.state == ClockState.RUNNING and len(user_service.pauses) == 1
    reply = ticket.timeline.filter(kind=TimelineKind.REPLIED).get()
    assert reply.message == "NIK saya 3471xxxx."  # the quoted question is left out
    assert InboundMail.objects.filter(status=InboundStatus.ADDED, ticket=ticket).count() == 1


def test_a_stranger_quoting_the_number_opens_a_ticket_of_their_own(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    actions.poll_mailbox(mailbox)
    ticket = InboundMail.objects.get(mailbox=mailbox).ticket
    dovecot.deliver(mailbox.address, mail(sender="orang.lain@warga.test", to=mailbox.address,
                                          subject=f"Re: [{ticket.number}] Laporan Anda"))  # fmt: skip
    actions.poll_mailbox(mailbox)
    stranger = InboundMail.objects.get(sender="orang.lain@warga.test")
    assert stranger.status == InboundStatus.OPENED and stranger.ticket != ticket
    assert not ticket.timeline.filter(kind=TimelineKind.REPLIED).exists()


def test_a_reply_to_a_closed_ticket_opens_a_new_one_naming_the_old(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    actions.poll_mailbox(mailbox)
    ticket = InboundMail.objects.get(mailbox=mailbox).ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)  # closed long ago, by silence
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Re: [{ticket.number}] Selesai",
                                          body="Masih belum bisa."))  # fmt: skip
    actions.poll_mailbox(mailbox)
    newer = InboundMail.objects.filter(mailbox=mailbox).order_by("-uid").first()
    assert newer.status == InboundStatus.OPENED and newer.ticket != ticket
    assert ticket.number in newer.ticket.description
    assert newer.ticket.service == ticket.service


def test_a_reply_by_in_reply_to_lands_in_the_ticket(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, message_id="<pertama@warga.test>"))
    actions.poll_mailbox(mailbox)
    ticket = InboundMail.objects.get(mailbox=mailbox).ticket
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject="Tambahan", body="Satu lagi.",
                                          headers={"In-Reply-To": "<pertama@warga.test>"}))  # fmt: skip
    actions.poll_mailbox(mailbox)
    assert ticket.timeline.filter(kind=TimelineKind.REPLIED, message="Satu lagi.").exists()


def test_a_connection_failure_is_kept_as_the_mailbox_error(world, dovecot, make_mailbox, monkeypatch):
    mailbox = make_mailbox()
    monkeypatch.setenv(mailbox.password_variable, "salah")
    result = actions.poll_mailbox(mailbox)
    mailbox.refresh_from_db()
    assert "sandi salah" in result.error and mailbox.last_error == result.error
    assert mailbox.claimed_until is None and mailbox.last_polled_at is not None
    ok, message = actions.check_connection(mailbox)
    assert not ok and "sandi salah" in message
    monkeypatch.delenv(mailbox.password_variable)
    assert mailbox.password_variable in actions.check_connection(mailbox)[1]
    mailbox.port = 1  # nobody listens there
    ok, message = actions.check_connection(mailbox)
    assert not ok


def test_check_connection_counts_the_messages(world, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    assert actions.check_connection(mailbox) == (True, "Tersambung. Folder INBOX berisi 1 pesan.")
