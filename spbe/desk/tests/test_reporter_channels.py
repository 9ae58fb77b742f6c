"""What the channels of issue 15 build on (O-1, O-2): every word to the
reporter goes out with the ticket number in the subject, on the channel
they used; the reporter writing again lands on the timeline and resumes a
clock paused for their answer; their files are checked like portal uploads."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import translation

from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions
from spbe.desk.choices import TicketStatus, TimelineKind
from spbe.desk.hooks import reporter_mail, reporter_told
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def to_reporter(ticket):
    return OutboxMessage.objects.filter(to=["budi@mail.test"], thread=ticket.number).order_by("pk")


def test_the_reporter_hears_every_public_word_with_the_number_in_the_subject(world, kritis_public):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    actions.respond(world.tegal_admin, ticket, "Sedang kami periksa.")
    actions.wait_for_reporter(world.tegal_admin, ticket, "Akun apa yang Anda pakai?")
    subjects = [message.subject for message in to_reporter(ticket)]
    assert len(subjects) == 3
    assert all(subject.startswith(f"[{ticket.number}] ") for subject in subjects)
    assert "Tanggapan" in subjects[1] and "Pertanyaan" in subjects[2]
    assert "Akun apa yang Anda pakai?" in to_reporter(ticket).last().body
    # internal analysis stays internal
    actions.reporter_wrote(None, ticket, "Akun NIK saya.")
    actions.record_analysis(world.tegal_admin, ticket, "Sesi kedaluwarsa", ticket.reported_at.replace(year=2027))
    assert to_reporter(ticket).count() == 3


def test_the_reporter_reads_indonesian_whatever_the_agents_language(world, kritis_public):  # noqa: F811
    """An agent working in the English interface still writes to the
    citizen in Bahasa Indonesia (subjects and the text around the answer)."""
    with translation.override("en"):
        ticket = complaint(kritis_public, world.tegal_admin)
        actions.respond(world.tegal_admin, ticket, "Sedang kami periksa.")
        actions.resolve(world.tegal_admin, ticket, "Sudah diperbaiki.")
        assert translation.get_language() == "en"  # the agent's own language is left as it was
    subjects = [message.subject.split("] ", 1)[1] for message in to_reporter(ticket)]
    assert subjects == ["Laporan Anda sudah kami terima", "Tanggapan laporan Anda", "Mohon konfirmasi penyelesaian"]
    assert "Pantau di:" in to_reporter(ticket)[1].body


def test_a_channel_shapes_the_mail_and_hears_the_words(world, kritis_public):  # noqa: F811
    heard = []

    @receiver(reporter_mail, weak=False)
    def from_mailbox(sender, ticket, **kwargs):
        return {"from_email": "layanan@tegalkab.test", "headers": {"In-Reply-To": "<abc@warga.test>"}}

    @receiver(reporter_told, weak=False)
    def chat(sender, ticket, key, subject, text, **kwargs):
        heard.append((ticket.number, key, subject))

    try:
        ticket = complaint(kritis_public, world.tegal_admin)
    finally:
        reporter_mail.disconnect(from_mailbox)
        reporter_told.disconnect(chat)
    message = to_reporter(ticket).get()
    assert message.from_email == "layanan@tegalkab.test"
    assert message.headers == {"In-Reply-To": "<abc@warga.test>"}
    assert heard == [(ticket.number, message.key, message.subject)]


def test_an_answer_to_the_question_resumes_the_paused_clock(world, kritis_public):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin, reported_at=None)
    actions.respond(world.tegal_admin, ticket, "Kami periksa.")
    actions.wait_for_reporter(world.tegal_admin, ticket, "Browser apa?")
    user_clock = actions.ticket_clocks(ticket).get(kind=ClockKind.USER_SERVICE)
    assert user_clock.state == ClockState.PAUSED
    actions.reporter_wrote(None, ticket, "Chrome di Android.", via="email")
    ticket.refresh_from_db()
    user_clock.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert user_clock.state == ClockState.RUNNING
    assert ticket.timeline.last().kind == TimelineKind.REPLIED
    assert ticket.timeline.last().message == "Chrome di Android."


def test_writing_again_to_an_open_or_resolved_ticket_is_noted_and_a_closed_one_refuses(world, kritis_public):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin, reported_at=None)
    actions.reporter_wrote(None, ticket, "Tambahan: juga di laptop.", via="chat")
    assert ticket.timeline.last().data == {"via": "chat"}
    assert ticket.status == TicketStatus.NEW
    actions.resolve(world.tegal_admin, ticket, "Cache dibersihkan.")
    actions.reporter_wrote(None, ticket, "Terima kasih, sudah bisa.")
    assert ticket.timeline.filter(kind=TimelineKind.REPLIED).count() == 2
    actions.confirm(None, ticket, satisfaction=5)
    with pytest.raises(ValidationError):
        actions.reporter_wrote(None, ticket, "Masih ada lagi.")
    with pytest.raises(ValidationError):
        actions.reporter_wrote(None, complaint(kritis_public, world.tegal_admin), "   ")


def test_the_reporters_files_are_checked_like_portal_uploads(world, kritis_public):  # noqa: F811
    screenshot = ContentFile(PNG, name="layar.png")
    ticket = complaint(kritis_public, world.tegal_admin, attachments=[screenshot])
    assert str(ticket.attachments.get()).startswith("layar")
    with pytest.raises(ValidationError):
        complaint(kritis_public, world.tegal_admin, attachments=[ContentFile(b"MZ\x90\x00virus", name="foto.png")])
    actions.reporter_wrote(None, ticket, "", attachments=[ContentFile(PNG, name="lagi.png")])
    assert ticket.attachments.count() == 2
    assert "Lampiran: lagi" in ticket.timeline.last().message


def test_one_ticket_per_lapor_tracking_id_in_a_pemda_and_its_two_deadlines(world, kritis_public):  # noqa: F811
    """Pedoman C: a report typed in by hand with method SP4N-LAPOR! gets the
    verification and follow-up clocks as an imported one does."""
    ticket = complaint(kritis_public, world.tegal_admin, reporting_method="lapor", lapor_tracking_id="LPR1234567")
    kinds = set(actions.ticket_clocks(ticket).values_list("kind", flat=True))
    assert {ClockKind.LAPOR_VERIFICATION, ClockKind.LAPOR_FOLLOW_UP} <= kinds
    assert not {ClockKind.LAPOR_VERIFICATION} & set(
        actions.ticket_clocks(complaint(kritis_public, world.tegal_admin)).values_list("kind", flat=True)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        complaint(kritis_public, world.tegal_admin, reporting_method="lapor", lapor_tracking_id="LPR1234567")
    complaint(kritis_public, world.tegal_admin)  # blank IDs do not collide
    complaint(kritis_public, world.tegal_admin)
