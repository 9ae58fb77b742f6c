"""Recording requests and complaints (O-1, O-2): numbers, priority from the
pack (P-2), clocks started at the real reported time (P-1, P-3), conversion
of a request into a complaint, and the first response."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from spbe.catalog.models import Service
from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind, TicketStatus

WIB = ZoneInfo("Asia/Jakarta")


def at(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def kritis_public(world, packs):
    """An active critical public service of Disdukcapil Tegal, help desk 24×7."""
    return Service.objects.create(
        pd=world.tegal_dukcapil, code="DUK-01", name="Adminduk Daring", description="-", group="layanan_publik",
        classification="kritis", access="web", availability_target=Decimal("99.5"), help_contact="-",
        support_hours="24x7", lifecycle="active", status="approved",
    )  # fmt: skip


def complaint(service, actor, **overrides):
    data = dict(
        actor=actor, service=service, kind=TicketKind.COMPLAINT, reporter=Reporter("Budi Warga", "budi@mail.test"),
        subject="Aplikasi tidak bisa dibuka", description="Halaman kosong sejak pagi", reporting_method="portal",
        impact="mayor", reported_at=at(2026, 11, 20, 15, 50),
    )  # fmt: skip
    data.update(overrides)
    return actions.open_ticket(**data)


def test_priority_comes_from_the_pack_with_its_reason(world, kritis_public):
    ticket = complaint(kritis_public, world.tegal_admin)
    assert ticket.priority == 1  # Mayor × Layanan Publik × Kritis (Tegal Tabel 3)
    assert "Tabel 3" in ticket.priority_reason
    minor = complaint(kritis_public, world.tegal_admin, impact="minor")
    assert minor.priority == 3


def test_clocks_start_at_the_reported_time(world, kritis_public):
    """Friday 15:50: P1 response 15 min on the service's 24×7 help desk → 16:05;
    the P-1 user-service target of Tegal (LP × Kritis < 24 h) on working hours."""
    ticket = complaint(kritis_public, world.tegal_admin)
    clocks = {c.kind: c for c in actions.ticket_clocks(ticket)}
    assert clocks[ClockKind.RESPONSE].due_at == at(2026, 11, 20, 16, 5)
    assert clocks[ClockKind.RESPONSE].calendar == "24x7"
    assert clocks[ClockKind.USER_SERVICE].target == timedelta(hours=24)
    assert clocks[ClockKind.USER_SERVICE].calendar == "working_hours"
    assert clocks[ClockKind.USER_SERVICE].policy_version == ticket.policy_version


def test_numbers_follow_the_pack_prefix_per_pemda_and_year(world, kritis_public, time_machine):
    time_machine.move_to(at(2027, 1, 2, 8, 0))
    first = complaint(kritis_public, world.tegal_admin)
    second = complaint(kritis_public, world.tegal_admin, reported_at=at(2026, 12, 31, 23, 59))
    third = complaint(kritis_public, world.tegal_admin, reported_at=at(2027, 1, 1, 0, 1))
    assert [t.number for t in (first, second, third)] == ["TGL-2026-000001", "TGL-2026-000002", "TGL-2027-000001"]


def test_a_report_in_the_future_is_refused(world, kritis_public, time_machine):
    time_machine.move_to(at(2026, 11, 20, 12, 0))
    with pytest.raises(ValidationError):
        complaint(kritis_public, world.tegal_admin, reported_at=at(2026, 11, 20, 13, 0))


def test_a_complaint_needs_an_impact(world, kritis_public):
    with pytest.raises(ValidationError):
        complaint(kritis_public, world.tegal_admin, impact="")


def test_an_inactive_service_takes_no_tickets(world, kritis_public):
    kritis_public.lifecycle = "retired"
    kritis_public.save()
    with pytest.raises(ValidationError):
        complaint(kritis_public, world.tegal_admin)


def test_request_needing_approval_waits_and_can_become_a_complaint(world, kritis_public):
    kritis_public.requires_approval = True
    kritis_public.save()
    request = complaint(kritis_public, world.tegal_admin, kind=TicketKind.REQUEST, impact="")
    assert request.status == TicketStatus.AWAITING_APPROVAL
    assert [c.kind for c in actions.ticket_clocks(request)] == [ClockKind.USER_SERVICE]
    converted = actions.convert_to_complaint(world.tegal_admin, request, "minor", "Ternyata gangguan")
    assert (converted.kind, converted.number, converted.priority) == ("complaint", request.number, 3)
    assert converted.status == TicketStatus.NEW
    assert {c.kind for c in actions.ticket_clocks(converted)} == {ClockKind.USER_SERVICE, ClockKind.RESPONSE}
    kinds = list(converted.timeline.values_list("kind", flat=True))
    assert kinds[:1] == ["created"] and "converted" in kinds


def test_first_response_stops_the_response_clock(world, kritis_public):
    ticket = complaint(kritis_public, world.tegal_admin)
    actions.respond(world.tegal_admin, ticket, "Sedang kami periksa.", at=at(2026, 11, 20, 16, 0))
    response = actions.ticket_clocks(ticket).get(kind=ClockKind.RESPONSE)
    assert response.state == ClockState.MET
    assert ticket.status == TicketStatus.IN_PROGRESS
    actions.respond(world.tegal_admin, ticket, "Masih diperiksa.", at=at(2026, 11, 20, 17, 0))
    ticket.refresh_from_db()
    assert ticket.first_response_at == at(2026, 11, 20, 16, 0)


def test_manual_priority_needs_a_reason_and_is_logged(world, kritis_public):
    ticket = complaint(kritis_public, world.tegal_admin, impact="minor")
    with pytest.raises(ValidationError):
        actions.set_priority(world.tegal_admin, ticket, 1, " ")
    actions.set_priority(world.tegal_admin, ticket, 1, "Berdampak ke seluruh kecamatan")
    event = ticket.timeline.filter(kind="priority").last()
    assert event.data == {"old": 3, "new": 1}
    assert "Berdampak ke seluruh kecamatan" in ticket.priority_reason
