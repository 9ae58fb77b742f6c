"""Moving a misfiled ticket to the right service (O-1, O-2; issue 15): a
chat channel opens every complaint on its default service, and the
Administrator Layanan hands it to the service — and the PD — it belongs to.
The priority is computed again (P-2), the service's clocks (P-1, E-3) start
again for the new service from the report, the response clock (P-3) and the
SP4N-LAPOR! deadlines stay."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.catalog.models import Service
from spbe.clocks.choices import ClockKind, ClockState
from spbe.desk import actions
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind, TicketStatus, TimelineKind
from spbe.desk.models import SlaDocument, Ticket
from spbe.notify.models import OutboxMessage

WIB = ZoneInfo("Asia/Jakarta")


def at(*args):
    return datetime(*args, tzinfo=WIB)


def service(pd, code, name, **fields):
    data = dict(
        pd=pd, code=code, name=name, description="-", group="layanan_publik", classification="kritis", access="web",
        availability_target=Decimal("99.5"), help_contact="-", support_hours="24x7", lifecycle="active",
        status="approved",
    )  # fmt: skip
    data.update(fields)
    return Service.objects.create(**data)


@pytest.fixture
def services(world, packs):
    """Yogyakarta sets the P-1 target per service (its pack's "per_service"):
    the chat channel's default service of Disdukcapil (24 working hours,
    critical public service) and Dinkes' referral service (8 working hours,
    essential government-administration service), each under an SLA
    document (E-3)."""
    default = service(world.dukcapil, "DUK-09", "Layanan Administrasi Kependudukan Daring",
                      user_service_target_override=timedelta(hours=24), service_admin=world.owner_admin)  # fmt: skip
    referral = service(world.dinkes, "KES-01", "Sistem Rujukan Puskesmas", group="administrasi_pemerintahan",
                       classification="esensial", support_hours="working_hours",
                       user_service_target_override=timedelta(hours=8))  # fmt: skip
    for pd, covered, response, first in ((world.dukcapil, default, 3, 48), (world.dinkes, referral, 2, 16)):
        document = SlaDocument.objects.create(
            pemda=world.yogya, pd=pd, title=f"SLA {covered.code}", vendor="CV Data", valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31), response_target=timedelta(hours=response),
            resolution_1=timedelta(hours=first), resolution_2=timedelta(hours=72), resolution_3=timedelta(hours=120),
        )  # fmt: skip
        document.services.add(covered)
    return default, referral


def chat_complaint(world, on, **overrides):
    data = dict(
        actor=None, service=on, kind=TicketKind.COMPLAINT, reporter=Reporter("Budi Warga", "budi@mail.test"),
        subject="Rujukan puskesmas tidak terkirim", description="Lewat chat", reporting_method="chat",
        impact="mayor", reported_at=at(2026, 11, 16, 9, 0),
    )  # fmt: skip
    data.update(overrides)
    return actions.open_ticket(**data)


def clocks_of(ticket):
    return {(c.kind, c.stopped_at is None): c for c in actions.ticket_clocks(ticket)}


def test_a_chat_complaint_moves_to_another_pd_with_its_priority_clocks_and_timeline(world, services, time_machine):
    """Monday 09:00 on the chat's default service (P1); moved at 10:00 to
    Dinkes' essential administrative service → P3 (P-2, Mayor × AP ×
    Esensial); P-1 8 working hours from 09:00 → Tuesday 09:30; E-3 response
    2 h → 11:00; E-3 resolution (urgency 1) 16 h → Wednesday 10:00."""
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    actions.classify_urgency(world.owner_admin, ticket, 1)
    response_clock = clocks_of(ticket)[ClockKind.RESPONSE, True]
    assert ticket.priority == 1 and ticket.service_admin == world.owner_admin
    time_machine.move_to(at(2026, 11, 16, 10, 0), tick=False)

    actions.move_to_service(world.owner_admin, ticket, referral, "Aduan tentang rujukan puskesmas, bukan adminduk")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.service, ticket.pd, ticket.service_admin) == (referral, world.dinkes, None)
    assert ticket.sla_document.title == "SLA KES-01"
    assert ticket.priority == 3 and "Layanan Administrasi Pemerintahan" in ticket.priority_reason
    clocks = clocks_of(ticket)
    for kind in (ClockKind.USER_SERVICE, ClockKind.SLA_RESPONSE, ClockKind.SLA_RESOLUTION):
        new = clocks[kind, True]
        assert (kind, False) not in clocks  # the old service's clock is gone: the evaluation counts the wait once
        assert new.started_at == at(2026, 11, 16, 9, 0) and new.state == ClockState.RUNNING
    replaced = ticket.timeline.filter(kind=TimelineKind.CLOCK, data__has_key="replaced_clock")
    assert replaced.count() == 3
    assert "Pelayanan pengguna (P-1) layanan sebelumnya (tenggat 19-11-2026 10:30, berjalan) diganti." in [
        event.message for event in replaced
    ]
    assert clocks[ClockKind.USER_SERVICE, True].target == timedelta(hours=8)
    assert clocks[ClockKind.USER_SERVICE, True].due_at == at(2026, 11, 17, 9, 30)
    assert clocks[ClockKind.SLA_RESPONSE, True].due_at == at(2026, 11, 16, 11, 0)
    assert clocks[ClockKind.SLA_RESOLUTION, True].due_at == at(2026, 11, 18, 10, 0)
    kept = clocks[ClockKind.RESPONSE, True]  # P-3 keeps its target, as with set_priority
    assert (kept.pk, kept.due_at) == (response_clock.pk, at(2026, 11, 16, 9, 15))
    assert ticket.next_due == at(2026, 11, 16, 9, 15)
    moved = ticket.timeline.get(kind=TimelineKind.ASSIGNED)
    assert moved.message == (
        "Dipindahkan dari Layanan Administrasi Kependudukan Daring (Disdukcapil Yogya) ke Sistem Rujukan Puskesmas "
        "(Dinas Kesehatan Yogya): Aduan tentang rujukan puskesmas, bukan adminduk"
    )
    assert not moved.public and moved.data == {"from_service": default.pk, "to_service": referral.pk}
    assert ticket.timeline.filter(kind=TimelineKind.PRIORITY, data__new=3, data__old=1).exists()
    mail = OutboxMessage.objects.get(subject=f"[{ticket.number}] Tiket dipindahkan ke layanan Anda")
    assert mail.to == ["dinkes@yogya.test"]  # no administrator on the service: the PD's Administrator Layanan
    assert "Sistem Rujukan Puskesmas" in mail.body
    # the reporter is not told: only the "received" mail reached them
    assert list(OutboxMessage.objects.filter(to=["budi@mail.test"]).values_list("subject", flat=True)) == [
        f"[{ticket.number}] Laporan Anda sudah kami terima"
    ]


def test_the_service_administrator_is_told_and_the_move_back_replaces_again(world, services, time_machine):
    default, referral = services
    referral.service_admin = world.other_pd_admin
    referral.save()
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    actions.move_to_service(world.owner_admin, ticket, referral, "Salah layanan")
    assert Ticket.objects.get(pk=ticket.pk).service_admin == world.other_pd_admin
    actions.move_to_service(world.other_pd_admin, ticket, default, "Ternyata memang adminduk")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.pd, ticket.service_admin, ticket.priority) == (world.dukcapil, world.owner_admin, 1)
    running = [c for c in actions.ticket_clocks(ticket) if c.stopped_at is None]
    assert sorted(c.kind for c in running) == [ClockKind.RESPONSE, ClockKind.SLA_RESPONSE, ClockKind.USER_SERVICE]
    assert {c.target for c in running if c.kind == ClockKind.USER_SERVICE} == {timedelta(hours=24)}
    assert OutboxMessage.objects.filter(subject__contains="dipindahkan ke layanan Anda").count() == 2
    assert OutboxMessage.objects.filter(subject__contains="dipindahkan", to=["dinkes@yogya.test"]).exists()
    assert OutboxMessage.objects.filter(subject__contains="dipindahkan", to=["admin@yogya.test"]).exists()


def test_a_ticket_moved_while_waiting_for_the_reporter_stays_paused(world, services, time_machine):
    """The wait for the reporter (09:30–11:00) does not count on the new
    P-1 clock either: due Tuesday 09:30 + 1 h 30 = 11:00."""
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    time_machine.move_to(at(2026, 11, 16, 9, 30), tick=False)
    actions.wait_for_reporter(world.owner_admin, ticket, "NIK Anda?")
    time_machine.move_to(at(2026, 11, 16, 10, 0), tick=False)
    actions.move_to_service(world.owner_admin, ticket, referral, "Salah layanan")
    new = clocks_of(ticket)[ClockKind.USER_SERVICE, True]
    assert new.state == ClockState.PAUSED
    time_machine.move_to(at(2026, 11, 16, 11, 0), tick=False)
    actions.reporter_replied(None, Ticket.objects.get(pk=ticket.pk), "3471…")
    new.refresh_from_db()
    assert (new.state, new.due_at) == (ClockState.RUNNING, at(2026, 11, 17, 11, 0))


def test_the_lapor_deadlines_and_a_request_priority_stay(world, services, time_machine):
    """Pedoman C: SP4N-LAPOR!'s deadlines are the Pemda's, not the service's."""
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default, reporting_method="lapor", lapor_tracking_id="LPR7654321")
    before = {c.kind: (c.pk, c.due_at) for c in actions.ticket_clocks(ticket) if c.kind.startswith("lapor")}
    actions.move_to_service(world.owner_admin, ticket, referral, "Salah layanan")
    after = {c.kind: (c.pk, c.due_at) for c in actions.ticket_clocks(ticket).filter(stopped_at=None)}
    assert len(before) == 2 and all(after[kind] == value for kind, value in before.items())
    request = chat_complaint(world, default, kind=TicketKind.REQUEST, impact="")
    actions.move_to_service(world.owner_admin, request, referral, "Salah layanan")
    request.refresh_from_db()
    assert (request.priority, request.pd) == (None, world.dinkes)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("same", "service", "sudah berada di layanan ini"),
        ("retired", "service", "belum aktif atau sudah dihentikan"),
        ("other_pemda", "service", "Pemda yang sama"),
        ("blank", "reason", "Tuliskan alasan pemindahan"),
        ("closed", "service", "tidak dapat dipindahkan"),
    ],
)
def test_the_action_refuses_with_the_reason_on_the_field(world, services, time_machine, change, field, message):
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    target, reason = referral, "Salah layanan"
    if change == "same":
        target = default
    elif change == "retired":
        Service.objects.filter(pk=referral.pk).update(lifecycle="retired")
        target = Service.objects.get(pk=referral.pk)
    elif change == "other_pemda":
        target = service(world.tegal_dukcapil, "DUK-01", "Adminduk Tegal")
    elif change == "blank":
        reason = "   "
    else:
        actions.resolve(world.owner_admin, ticket, "Sudah")
        actions.confirm(None, ticket, 5)
    with pytest.raises(ValidationError) as refused:
        actions.move_to_service(world.owner_admin, ticket, target, reason)
    assert message in " ".join(refused.value.message_dict[field])


def _form_errors(response, verb="pindah-layanan"):
    return next(form for name, _label, form in response.context["forms"] if name == verb).errors


def test_through_the_page_the_new_pd_takes_over_and_the_old_one_loses_sight(world, services, login, time_machine):
    """Desk visibility is by PD: after the move the Dinkes administrator sees
    and handles the ticket, Disdukcapil's gets a 404."""
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    client = login(world.owner_admin)
    page = client.get(reverse("desk:detail", args=[ticket.pk])).content.decode()
    assert "Pindahkan ke layanan lain" in page and "Dinkes — Sistem Rujukan Puskesmas" in page
    assert "Dukcapil — Layanan Administrasi Kependudukan Daring" not in page  # not to the same service
    url = reverse("desk:act", args=[ticket.pk, "pindah-layanan"])
    response = client.post(url, {"pindah-layanan-service": referral.pk, "pindah-layanan-reason": "Soal rujukan"})
    assert response["Location"] == reverse("desk:queue")  # the ticket left this PD: back to its queue
    assert client.get(reverse("desk:detail", args=[ticket.pk])).status_code == 404
    assert client.get(reverse("desk:queue")).content.decode().count(ticket.number) == 0
    dinkes = login(world.other_pd_admin)
    assert "Dipindahkan dari" in dinkes.get(reverse("desk:detail", args=[ticket.pk])).content.decode()
    response = dinkes.post(reverse("desk:act", args=[ticket.pk, "tanggapi"]), {"tanggapi-message": "Kami periksa"})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("same", "service", "Pilih layanan aktif lain milik Pemda tiket ini"),
        ("retired", "service", "Pilih layanan aktif lain milik Pemda tiket ini"),
        ("other_pemda", "service", "Pilih layanan aktif lain milik Pemda tiket ini"),
        ("blank", "reason", "Tuliskan alasan pemindahan"),
        ("closed", "service", "tidak dapat dipindahkan"),
    ],
)
def test_a_refused_move_is_explained_next_to_the_field(world, services, login, time_machine, change, field, message):
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    target, reason = referral.pk, "Salah layanan"
    if change == "same":
        target = default.pk
    elif change == "retired":
        Service.objects.filter(pk=referral.pk).update(lifecycle="retired")
    elif change == "other_pemda":
        target = service(world.tegal_dukcapil, "DUK-01", "Adminduk Tegal").pk
    elif change == "blank":
        reason = "  "
    else:
        actions.resolve(world.owner_admin, ticket, "Sudah")
        actions.confirm(None, ticket, 5)
    events = ticket.timeline.count()
    client = login(world.owner_admin)
    response = client.post(
        reverse("desk:act", args=[ticket.pk, "pindah-layanan"]),
        {"pindah-layanan-service": target, "pindah-layanan-reason": reason},
    )
    assert response.status_code == 400
    assert message in " ".join(_form_errors(response)[field])
    assert message in response.content.decode()  # shown on the page, next to the field
    unchanged = Ticket.objects.get(pk=ticket.pk)
    assert (unchanged.service, unchanged.pd) == (default, world.dukcapil)
    assert unchanged.timeline.count() == events
    assert not OutboxMessage.objects.filter(subject__contains="dipindahkan").exists()


def test_the_api_moves_through_the_same_action(world, services, login, time_machine):
    default, referral = services
    time_machine.move_to(at(2026, 11, 16, 9, 5))
    ticket = chat_complaint(world, default)
    client = login(world.owner_admin)
    url = f"/api/v1/tickets/{ticket.pk}/transitions/"
    other = service(world.tegal_dukcapil, "DUK-01", "Adminduk Tegal")
    for body, text in (
        ({"action": "move_to_service", "message": "Salah"}, "Wajib diisi"),
        ({"action": "move_to_service", "service": other.pk, "message": "Salah"}, "tidak ditemukan"),
        ({"action": "move_to_service", "service": default.pk, "message": "Salah"}, "sudah berada"),
        ({"action": "move_to_service", "service": referral.pk, "message": ""}, "Tuliskan alasan"),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400 and text in str(response.json())
    body = {"action": "move_to_service", "service": referral.pk, "message": "Soal rujukan"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    moved = response.json()
    assert (moved["pd"], moved["service"], moved["priority"]) == ("Dinkes", referral.pk, 3)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404  # now the Dinkes' ticket
