"""Builders shared by the continuity tests (O-5): WIB instants, the frozen
morning of a disaster, a backup heartbeat check, a flagged complaint, and
recording the seven steps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from spbe.cmdb.models import ServiceApplication
from spbe.continuity import actions
from spbe.continuity.actions import StepInput
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.monitoring.models import Check

WIB = ZoneInfo("Asia/Jakarta")

# Sat 5 Dec 2026, WIB: the service fails at 07:00; the tests run at 12:00.
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=WIB)
DISRUPTION = datetime(2026, 12, 5, 7, 0, tzinfo=WIB)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def wib(hour: int, minute: int = 0) -> datetime:
    """An instant of 5 Dec 2026 (the disaster's day)."""
    return at(2026, 12, 5, hour, minute)


def evidence(name: str = "log-pemulihan.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def heartbeat_check(service) -> Check:
    """The backup job's heartbeat check, on the service's server."""
    link = ServiceApplication.objects.filter(service=service).select_related("application").first()
    component = link.application.components.first() if link else None
    subject = {"component": component} if component is not None else {"service": service}
    return Check.objects.create(pemda_id=service.pd.pemda_id, pd=service.pd, name="Detak cadangan harian",
                                kind="heartbeat", interval_seconds=86400, **subject)  # fmt: skip


def flagged_complaint(world, service, *, reported_at, subject="KTP-el tidak bisa dicetak"):
    """A complaint on the service, handed to Diskominfo's vendor and flagged
    "DRP activation to be assessed" (O-2 → O-5)."""
    ticket = desk.open_ticket(
        actor=world.owner_admin, service=service, kind=TicketKind.COMPLAINT,
        reporter=Reporter("Budi Warga", "budi@mail.test"), subject=subject, description="Server mati sejak pagi",
        reporting_method="phone", impact="mayor", reported_at=reported_at,
    )  # fmt: skip
    desk.hand_over(world.owner_admin, ticket, world.vendor, "Di luar perkiraan")
    desk.flag_drp_assessment(world.vendor, ticket, "Ruang server terendam")
    ticket.refresh_from_db()
    return ticket


def complaint(world, service, *, reported_at, subject="Tidak bisa cetak"):
    return desk.open_ticket(
        actor=world.owner_admin, service=service, kind=TicketKind.COMPLAINT,
        reporter=Reporter("Ani Warga", "ani@mail.test"), subject=subject, description="-",
        reporting_method="phone", impact="mayor", reported_at=reported_at,
    )  # fmt: skip


def step(actor, recovery, number: int, when: datetime, notes: str = "", **fields):
    return actions.record_step(
        actor, recovery, StepInput(number=number, at=when, notes=notes or f"Catatan langkah {number}", **fields)
    )


OPENED = datetime(2026, 12, 5, 7, 55, tzinfo=WIB)


def opened(time_machine, make, *args, when: datetime = OPENED, **kwargs):
    """Call ``make`` (open an activation, plan a drill) at ``when``, then
    come back to ``NOW``: the record is opened before its first step."""
    time_machine.move_to(when, tick=False)
    try:
        return make(*args, **kwargs)
    finally:
        time_machine.move_to(NOW, tick=False)


# The default walk of a disaster of 5 Dec 2026 (times of steps 1 to 7).
TIMES = {1: wib(8, 0), 2: wib(8, 15), 3: wib(8, 30), 4: wib(8, 45), 5: wib(10, 0), 6: wib(10, 30), 7: wib(11, 0)}


def walk(actor, recovery, upto: int, *, times: dict | None = None, step5: dict | None = None,
         step6: dict | None = None):  # fmt: skip
    """Record steps ``recovery.next_step`` to ``upto``; step 3 declares the
    disaster that began at 07:00."""
    times = {**TIMES, **(times or {})}
    recovery.refresh_from_db()
    for number in range(recovery.next_step, upto + 1):
        extra = {}
        if number == 3:
            extra = {"disaster": True, "disruption_started_at": DISRUPTION}
        elif number == 5:
            extra = step5 or {}
        elif number == 6:
            extra = step6 or {}
        step(actor, recovery, number, times[number], **extra)
    recovery.refresh_from_db()
    return recovery
