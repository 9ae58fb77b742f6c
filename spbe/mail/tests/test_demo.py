"""The demo's mailboxes (issue 15): the help desk's Pemda-wide one and
Disdukcapil's, the mails behind tickets reported by e-mail in the PD's
mailbox, one waiting for triage, one ignored auto-reply; loading twice
changes nothing."""

from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.mail.choices import InboundStatus
from spbe.mail.demo import load_mail_demo
from spbe.mail.models import InboundMail, Mailbox


def test_the_demo_mailbox_loads_once(world, service):
    ticket = desk.open_ticket(actor=world.owner_admin, service=service, kind=TicketKind.REQUEST,
                              reporter=desk.Reporter("Budi", "Budi@warga.test"), subject="Legalisir KK",
                              description="-", reporting_method=ReportingMethod.EMAIL)  # fmt: skip
    mailbox = load_mail_demo(world.yogya)
    load_mail_demo(world.yogya)
    assert Mailbox.objects.count() == 2 and not mailbox.is_active and mailbox.pd is None
    dukcapil = Mailbox.objects.get(pd=world.dukcapil)
    assert dukcapil.default_service == service and not dukcapil.is_active
    statuses = dict(InboundMail.objects.values_list("status", "ticket"))
    assert statuses[InboundStatus.OPENED] == ticket.pk
    assert set(statuses) == {InboundStatus.OPENED, InboundStatus.TRIAGE, InboundStatus.IGNORED}
    assert InboundMail.objects.get(ticket=ticket).mailbox == dukcapil
    assert InboundMail.objects.get(status=InboundStatus.TRIAGE).mailbox == mailbox
