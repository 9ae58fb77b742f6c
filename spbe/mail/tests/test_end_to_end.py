"""The issue's "done when" (issue 15, O-1/O-2 reporting method e-mail):
a citizen's mail reaches the real local IMAP server, a complaint appears
with the right service and method, the agent's response reaches the
citizen's mailbox over real SMTP with the ticket number and the threading
headers, and the citizen's reply lands in the same ticket."""

from __future__ import annotations

import uuid

import pytest

from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketKind, TimelineKind
from spbe.desk.models import Ticket
from spbe.mail import actions
from spbe.mail.choices import InboundStatus
from spbe.mail.models import InboundMail
from spbe.mail.tests.conftest import mail
from spbe.notify.outbox import deliver_pending


@pytest.fixture
def citizen(dovecot) -> str:
    """The citizen's own mailbox on the same server (fresh per test: the server lives for the session)."""
    address = f"budi-{uuid.uuid4().hex[:8]}@warga.test"
    dovecot.add_user(address)
    return address


def test_mail_to_ticket_and_back(world, dovecot, smtp, citizen, mailbox, service):
    # 1. the citizen writes to the Dukcapil mailbox
    dovecot.deliver(mailbox.address, mail(sender=citizen, to=mailbox.address, subject="KTP-el belum dicetak",
                                          message_id="<awal@warga.test>"))  # fmt: skip
    assert actions.poll_mailbox(mailbox).read == 1
    ticket = Ticket.objects.get()
    assert (ticket.service, ticket.kind, ticket.reporting_method) == (service, TicketKind.COMPLAINT,
                                                                      ReportingMethod.EMAIL)  # fmt: skip
    assert ticket.reporter_email == citizen

    # 2. the agent responds; the outbox sends over SMTP into the citizen's mailbox
    desk.respond(world.owner_admin, ticket, "Berkas Anda sedang kami periksa.")
    assert deliver_pending() == 3  # "recorded" to the citizen and to the admin, and the response
    inbox = dovecot.messages(citizen)
    assert len(inbox) == 2
    response = next(m for m in inbox if "Berkas Anda sedang kami periksa." in m.get_content())
    assert f"[{ticket.number}]" in response["Subject"]
    assert mailbox.address in response["From"] and response["Reply-To"] == mailbox.address
    assert response["In-Reply-To"] == "<awal@warga.test>"
    assert "<awal@warga.test>" in response["References"]

    # 3. the citizen answers from their mail client: Re: subject, In-Reply-To our message
    reply = mail(sender=citizen, to=mailbox.address, subject=f"Re: {response['Subject']}",
                 body="Terima kasih, saya tunggu.\r\n\r\n> Berkas Anda sedang kami periksa.",
                 headers={"In-Reply-To": response["Message-ID"],
                          "References": f"<awal@warga.test> {response['Message-ID']}"})  # fmt: skip
    dovecot.deliver(mailbox.address, reply)
    actions.poll_mailbox(mailbox)
    assert Ticket.objects.count() == 1
    added = InboundMail.objects.get(mailbox=mailbox, status=InboundStatus.ADDED)
    assert added.ticket == ticket
    assert ticket.timeline.filter(kind=TimelineKind.REPLIED, message="Terima kasih, saya tunggu.").exists()


def test_a_reply_to_our_message_without_the_number_finds_its_ticket(world, dovecot, smtp, citizen, mailbox):
    """Some clients rewrite the subject: In-Reply-To names our outgoing
    Message-ID, whose outbox row names the ticket."""
    dovecot.deliver(mailbox.address, mail(sender=citizen, to=mailbox.address))
    actions.poll_mailbox(mailbox)
    ticket = Ticket.objects.get()
    deliver_pending()
    ours = next(m for m in dovecot.messages(citizen) if ticket.number in m["Subject"])
    answer = mail(sender=citizen, to=mailbox.address, subject="jawaban saya", body="Nomor antrean 12.",
                  headers={"In-Reply-To": ours["Message-ID"]})  # fmt: skip
    dovecot.deliver(mailbox.address, answer)
    actions.poll_mailbox(mailbox)
    assert Ticket.objects.count() == 1
    assert ticket.timeline.filter(kind=TimelineKind.REPLIED, message="Nomor antrean 12.").exists()


def test_mail_to_a_reporter_from_another_channel_keeps_the_default_sender(
    world, dovecot, smtp, citizen, service, settings
):
    """A ticket that did not come by e-mail: the desk's own sender, no threading headers."""
    ticket = desk.open_ticket(actor=world.owner_admin, service=service, kind=TicketKind.REQUEST,
                              reporter=desk.Reporter("Budi", citizen), subject="Legalisir", description="-",
                              reporting_method=ReportingMethod.PHONE)  # fmt: skip
    deliver_pending()
    (message,) = [m for m in dovecot.messages(citizen) if ticket.number in m["Subject"]]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL and message["In-Reply-To"] is None
