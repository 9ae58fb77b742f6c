"""The agent queue and the ticket page (O-1, O-2): recording a complaint
received by phone, handling it through the page, and who sees what."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from spbe.clocks.choices import ClockKind
from spbe.desk import actions
from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.front import listing


def form(service, **overrides):
    reported = timezone.localtime() - timedelta(hours=2)
    data = {"kind": "complaint", "service": service.pk, "impact": "mayor", "reporting_method": "phone",
            "lapor_tracking_id": "", "reported_at": reported.strftime("%Y-%m-%dT%H:%M"), "reporter_name": "Pak Darto",
            "reporter_email": "", "reporter_phone": "08123456789", "subject": "Tidak bisa login",
            "description": "Sejak pagi"}  # fmt: skip
    data.update(overrides)
    return data


def test_record_a_phone_complaint_with_its_real_time(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_admin)
    response = client.post(reverse("desk:create"), form(kritis_public))
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("desk:detail", args=[ticket.pk])
    assert ticket.priority == 1
    assert timezone.now() - ticket.reported_at > timedelta(hours=1, minutes=55)
    page = client.get(response["Location"]).content.decode()
    assert "Prioritas 1" in page and "Waktu tanggap (P-3)" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"impact": ""}, "impact", "Pilih dampak"),
        ({"reporting_method": "lapor"}, "lapor_tracking_id", "SP4N-LAPOR"),
        ({"reporter_name": ""}, "reporter_name", "harus diisi"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(world, kritis_public, login, overrides, field, message):  # noqa: F811
    response = login(world.tegal_admin).post(reverse("desk:create"), form(kritis_public, **overrides))
    assert response.status_code == 400
    assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
    assert not Ticket.objects.exists()


def test_handle_through_the_page(world, kritis_public, login):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    client = login(world.tegal_admin)
    client.post(reverse("desk:act", args=[ticket.pk, "tanggapi"]), {"tanggapi-message": "Kami periksa"})
    client.post(
        reverse("desk:act", args=[ticket.pk, "selesai"]), {"selesai-solution": "Sudah normal", "selesai-cause": ""}
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.solution) == ("resolved", "Sudah normal")
    response = client.post(reverse("desk:act", args=[ticket.pk, "tanya"]), {"tanya-message": "?"}, follow=True)
    assert "Tidak dapat dilakukan" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_queue_is_scoped_filtered_and_free_of_n_plus_1(world, kritis_public, login, django_assert_max_num_queries):  # noqa: F811
    for number in range(15):
        complaint(kritis_public, world.tegal_admin, subject=f"Gangguan {number}")
    client = login(world.tegal_admin)
    with django_assert_max_num_queries(9):  # fixed: filter lists and the page, whatever the number of rows
        page = client.get(reverse("desk:queue"), {"status": "open"}).content.decode()
    assert "Gangguan 14" in page
    assert "terlampaui" in page  # reported on 20 Nov: its response target has passed
    assert "Gangguan 1" not in login(world.owner_admin).get(reverse("desk:queue")).content.decode()


def test_another_pemda_cannot_open_the_ticket(world, kritis_public, login):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    assert login(world.owner_admin).get(reverse("desk:detail", args=[ticket.pk])).status_code == 404
    assert login(world.citizen).get(reverse("desk:detail", args=[ticket.pk])).status_code == 403


def test_save_and_use_a_view(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_admin)
    client.post(reverse("desk:save_view"), {"name": "P1 terbuka", "querystring": "status=open&priority=1"})
    page = client.get(reverse("desk:queue")).content.decode()
    assert "P1 terbuka" in page and "status=open&amp;priority=1" in page
    again = client.post(reverse("desk:save_view"), {"name": "P1 terbuka", "querystring": ""}, follow=True)
    assert "sudah punya tampilan" in again.content.decode()


def test_bulk_assign_only_within_the_assignees_pd(world, kritis_public, login):  # noqa: F811
    from spbe.conftest import give, make_person
    from spbe.org.choices import Role

    other = make_person("admin2@tegal.test", world.tegal, full_name="Admin Kedua")
    give(other, Role.ADMIN_LAYANAN, world.tegal_dukcapil)
    tickets = [complaint(kritis_public, world.tegal_admin, subject=f"T{i}") for i in range(3)]
    client = login(world.tegal_coordinator)
    client.post(reverse("desk:bulk_assign"), {"assignee": other.pk, "ticket": [t.pk for t in tickets]})
    assert set(Ticket.objects.values_list("service_admin", flat=True)) == {other.pk}
    assert all(t.timeline.filter(kind="assigned").exists() for t in Ticket.objects.all())
    option = f'<option value="{other.pk}">Admin Kedua</option>'
    assert client.get(reverse("desk:queue")).content.decode().count(option) == 2  # the filter and the bulk select
    outsider = login(world.coordinator)  # another Pemda: sees none of them, assigns nothing
    outsider.post(reverse("desk:bulk_assign"), {"assignee": world.owner_admin.pk, "ticket": [t.pk for t in tickets]})
    assert set(Ticket.objects.values_list("service_admin", flat=True)) == {other.pk}


def test_queue_filters_by_service_assignee_date_and_overdue(world, kritis_public, login):  # noqa: F811
    from datetime import datetime
    from zoneinfo import ZoneInfo

    old = complaint(
        kritis_public,
        world.tegal_admin,
        subject="Gangguan-lama-xyz",
        reported_at=datetime(2026, 10, 1, 9, tzinfo=ZoneInfo("Asia/Jakarta")),
    )
    complaint(
        kritis_public, world.tegal_admin, subject="Gangguan-baru-xyz", reported_at=timezone.now() - timedelta(minutes=1)
    )
    client = login(world.tegal_admin)
    page = client.get(reverse("desk:queue"), {"date_to": "2026-10-31"}).content.decode()
    assert "Gangguan-lama-xyz" in page and "Gangguan-baru-xyz" not in page
    overdue = client.get(reverse("desk:queue"), {"overdue": "on"}).content.decode()
    assert "Gangguan-lama-xyz" in overdue and "Gangguan-baru-xyz" not in overdue
    assignee = client.get(reverse("desk:queue"), {"assignee": world.tegal_admin.pk, "service": kritis_public.pk})
    assert assignee.status_code == 200
    assert old.number not in client.get(reverse("desk:queue"), {"date_from": "2026-11-01"}).content.decode()


def test_request_needing_approval_is_approved_or_rejected_on_its_page(world, kritis_public, login):  # noqa: F811
    kritis_public.requires_approval = True
    kritis_public.save()
    request = complaint(kritis_public, world.tegal_admin, kind="request", impact="")
    client = login(world.tegal_admin)
    response = client.post(reverse("desk:act", args=[request.pk, "keputusan"]),
                           {"keputusan-decision": "reject", "keputusan-reason": ""})  # fmt: skip
    assert response.status_code == 400
    client.post(reverse("desk:act", args=[request.pk, "keputusan"]),
                {"keputusan-decision": "reject", "keputusan-reason": "Bukan kewenangan PD ini"})  # fmt: skip
    request.refresh_from_db()
    assert request.status == "rejected" and request.closed_at is not None


def test_affected_configuration_items(world, kritis_public, login):  # noqa: F811
    from spbe.cmdb.models import Component

    server = Component.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, name="srv-siak", kind="server")
    ticket = complaint(kritis_public, world.tegal_admin)
    login(world.tegal_admin).post(reverse("desk:act", args=[ticket.pk, "ci"]), {"ci-components": [server.pk]})
    assert list(ticket.components.all()) == [server]


def test_full_text_search_matches_number_words_reporter_and_service(world, kritis_public, login):  # noqa: F811
    """Issue 5 item 9: every word of the search must match one of the number,
    subject, description, reporter or service name."""
    printer = complaint(kritis_public, world.tegal_admin, subject="Cetak KTP gagal", description="Printer macet")
    other = complaint(kritis_public, world.tegal_admin, subject="Lambat", reporter=actions.Reporter("Siti Aminah"))
    client = login(world.tegal_admin)

    def found(text):
        page = client.get(reverse("desk:queue"), {"q": text}).content.decode()
        return {t.number for t in (printer, other) if t.number in page}

    assert found("macet") == {printer.number}  # description
    assert found("aminah") == {other.number}  # reporter
    assert found(other.number) == {other.number}
    assert found("adminduk") == {printer.number, other.number}  # the service's name
    assert found("ktp macet") == {printer.number}  # every word
    assert found("ktp aminah") == set()


def test_a_huge_queue_counts_only_up_to_the_cap(world, kritis_public, login, monkeypatch):  # noqa: F811
    """An exact count of half a million rows costs more than the page: past
    the cap the page says so and asks for a filter."""
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for word in ("listrik", "jaringan", "server", "printer", "aplikasi"):
        complaint(kritis_public, world.tegal_admin, subject=f"Gangguan {word}")
    client = login(world.tegal_admin)
    assert "dari lebih dari 3 — persempit dengan filter" in client.get(reverse("desk:queue")).content.decode()
    narrow = client.get(reverse("desk:queue"), {"q": "gangguan printer"}).content.decode()
    assert "Menampilkan 1–1 dari 1<" in narrow


def test_the_countdown_follows_the_clocks(world, kritis_public):  # noqa: F811
    """Ticket.next_due is the earliest deadline of the running clocks: the
    response clock first, then (answered) the user-service clock; paused
    while waiting for the reporter; nothing once closed."""
    ticket = complaint(kritis_public, world.tegal_admin)

    def next_due():
        return Ticket.objects.get(pk=ticket.pk).next_due

    deadlines = {c.kind: c.due_at for c in actions.ticket_clocks(ticket)}
    assert next_due() == ticket.next_due == min(deadlines.values()) == deadlines[ClockKind.RESPONSE]
    actions.respond(world.tegal_admin, ticket, "Sedang kami periksa.")
    assert next_due() == deadlines[ClockKind.USER_SERVICE]
    actions.wait_for_reporter(world.tegal_admin, ticket, "Mohon kirim tangkapan layar.")
    assert next_due() is None
    actions.reporter_replied(None, ticket, "Terlampir.")
    assert next_due() is not None and next_due() >= deadlines[ClockKind.USER_SERVICE]
    actions.resolve(world.tegal_admin, ticket, "Cache dibersihkan.")
    actions.confirm(None, ticket, satisfaction=5)
    assert next_due() is None


def test_recording_a_complaint_takes_a_bounded_number_of_queries(world, kritis_public, django_assert_max_num_queries):  # noqa: F811
    """Issue 5, Speed: priority, three clocks, timeline and two outbox
    messages in seventeen statements on SQLite (it was ninety)."""
    complaint(kritis_public, world.tegal_admin)
    with django_assert_max_num_queries(17):
        complaint(kritis_public, world.tegal_admin)


def test_queue_rows_show_link_priority_countdown_and_escape_text(world, kritis_public, login, time_machine):  # noqa: F811
    """The rows rendered in Python (issue 5, Speed) carry what the template
    did: the ticket's link, its priority badge, the countdown, and any text
    typed by a reporter escaped."""
    time_machine.move_to(timezone.now(), tick=False)
    ticket = complaint(kritis_public, world.tegal_admin, subject="<b>Tebal</b> & rusak", reported_at=timezone.now())
    page = login(world.tegal_admin).get(reverse("desk:queue")).content.decode()
    assert f'<a href="{reverse("desk:detail", args=[ticket.pk])}">{ticket.number}</a>' in page
    assert f'aria-label="Pilih {ticket.number}"' in page
    status = ticket.get_status_display()
    assert f'<span class="badge text-bg-danger">P1</span></td><td class="small">{status}</td>' in page
    assert f'<div class="small text-secondary">{ticket.get_kind_display()}</div>' in page
    assert "&lt;b&gt;Tebal&lt;/b&gt; &amp; rusak" in page and "<b>Tebal</b>" not in page
    assert re.search(r'<span class="badge text-bg-light border" title="[^"]+">sisa 1[45]\xa0menit</span>', page)


def test_queue_rows_read_dates_and_labels_in_the_chosen_language(world, kritis_public, login):  # noqa: F811
    """Dates as "d M Y H:i" in the Pemda's zone, month names and labels in
    the language picked with the switch (translated once per language)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    complaint(
        kritis_public, world.tegal_admin, reported_at=datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    )
    client = login(world.tegal_admin)
    page = client.get(reverse("desk:queue")).content.decode()
    assert "05 Okt 2026 09:30" in page and '<div class="small text-secondary">Aduan</div>' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("desk:queue")).content.decode()
    assert "05 Oct 2026 09:30" in page and '<div class="small text-secondary">Complaint</div>' in page
    Ticket.objects.update(status="diarsipkan")  # a state a later release might drop from the choices
    assert '<td class="small">diarsipkan</td>' in client.get(reverse("desk:queue")).content.decode()  # not a 500
