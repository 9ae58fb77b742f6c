"""E-3 SLA documents: a ticket on a covered service gets the document's
response clock at once and its resolution clock when the urgency is set;
working hours, "outside working hours: by the next working day"."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions
from spbe.desk.models import SlaDocument
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)

WIB = ZoneInfo("Asia/Jakarta")


def at(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def sla(world, kritis_public):  # noqa: F811
    document = SlaDocument.objects.create(
        pemda=world.tegal, pd=world.tegal_dukcapil, title="SLA pemeliharaan SIAK", vendor="CV Tegal Data",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), response_target=timedelta(hours=3),
        resolution_1=timedelta(hours=48), resolution_2=timedelta(hours=72), resolution_3=timedelta(hours=120),
    )  # fmt: skip
    document.services.add(kritis_public)
    return document


def test_a_report_outside_working_hours_is_answered_by_the_next_working_day(world, kritis_public, sla):  # noqa: F811
    """Sat 21 Nov 2026 10:00: the 3 h response clock starts Mon 07:30 → 10:30."""
    ticket = complaint(kritis_public, world.tegal_admin, reported_at=at(2026, 11, 21, 10, 0))
    clock = actions.ticket_clocks(ticket).get(kind=ClockKind.SLA_RESPONSE)
    assert clock.due_at == at(2026, 11, 23, 10, 30)
    actions.respond(world.tegal_admin, ticket, "Diterima", at=at(2026, 11, 23, 8, 0))
    clock.refresh_from_db()
    assert clock.state == ClockState.MET


def test_urgency_starts_the_resolution_clock_once(world, kritis_public, sla):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin, reported_at=at(2026, 11, 16, 8, 0))
    actions.classify_urgency(world.tegal_admin, ticket, 1)
    clock = actions.ticket_clocks(ticket).get(kind=ClockKind.SLA_RESOLUTION)
    assert clock.target == timedelta(hours=48)
    with pytest.raises(ValidationError):
        actions.classify_urgency(world.tegal_admin, ticket, 2)


def test_no_sla_document_no_e3_clocks(world, kritis_public):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    assert not actions.ticket_clocks(ticket).filter(kind__in=[ClockKind.SLA_RESPONSE, ClockKind.SLA_RESOLUTION])
    with pytest.raises(ValidationError):
        actions.classify_urgency(world.tegal_admin, ticket, 1)


def test_document_form_starts_from_the_pack_and_checks_the_pemda(world, kritis_public, packs, login):  # noqa: F811
    client = login(world.tegal_admin)
    page = client.get(reverse("desk:sla_create"))
    assert page.context["form"].fields["resolution_3_hours"].initial == 120  # Tegal Tabel 13
    data = {"pd": world.tegal_dukcapil.pk, "title": "SLA", "vendor": "", "contract_number": "",
            "valid_from": "2026-12-31", "valid_to": "2026-01-01", "services": [kritis_public.pk], "response_hours": 3,
            "resolution_1_hours": 48, "resolution_2_hours": 72, "resolution_3_hours": 120}  # fmt: skip
    response = client.post(reverse("desk:sla_create"), data)
    assert response.status_code == 400
    assert "sebelum tanggal mulai" in response.content.decode()
    data.update(valid_from="2026-01-01", valid_to="2026-12-31")
    assert client.post(reverse("desk:sla_create"), data).status_code == 302
    assert SlaDocument.objects.get().resolution_2 == timedelta(hours=72)
