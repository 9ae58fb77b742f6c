"""Pages and API of the e-mail channel (issue 15): who sees and manages
which mailbox, the "Uji koneksi" message, triage in one click, and the
same rules in the API (404 outside the caller's scope)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from spbe.conftest import give, make_person
from spbe.desk.models import Ticket
from spbe.mail import actions
from spbe.mail.choices import InboundStatus
from spbe.mail.models import InboundMail, Mailbox
from spbe.mail.tests.conftest import mail
from spbe.org.choices import Role


@pytest.fixture
def waiting(dovecot, make_mailbox):
    """A Dukcapil mailbox without a default service, one mail waiting for triage."""
    mailbox = make_mailbox()
    dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject="Tanya syarat KK"))
    actions.poll_mailbox(mailbox)
    return InboundMail.objects.get(mailbox=mailbox)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner_admin", 200), ("owner_head", 200), ("coordinator", 200), ("sysadmin", 200), ("other_pd_admin", 404),
     ("tegal_coordinator", 404), ("vendor", 404)],
)  # fmt: skip
def test_a_pd_mailbox_is_seen_by_its_managers_only(world, login, waiting, persona, status):
    client = login(getattr(world, persona))
    assert client.get(reverse("mail:mailbox_detail", args=[waiting.mailbox_id])).status_code == status
    assert client.get(reverse("mail:inbound_detail", args=[waiting.pk])).status_code == status
    assert client.get(reverse("mail:mailbox_edit", args=[waiting.mailbox_id])).status_code == status
    listed = client.get(reverse("mail:mailbox_list")).content.decode()
    assert (waiting.mailbox.address in listed) == (status == 200)
    triage = client.get(reverse("mail:triage")).content.decode()
    assert ("Tanya syarat KK" in triage) == (status == 200)


def test_a_citizen_and_anonymous_get_no_page(world, client, login):
    assert client.get(reverse("mail:mailbox_list")).status_code == 302  # to the sign-in page
    assert login(world.citizen).get(reverse("mail:mailbox_list")).status_code == 403


def test_the_list_filters_searches_and_exports(world, login, make_mailbox):
    make_mailbox(name="Pengaduan Dukcapil")
    make_mailbox(name="Layanan Arsip", is_active=False)
    client = login(world.coordinator)
    page = client.get(reverse("mail:mailbox_list"), {"q": "arsip"}).content.decode()
    assert "Layanan Arsip" in page and "Pengaduan Dukcapil" not in page
    page = client.get(reverse("mail:mailbox_list"), {"active": "1"}).content.decode()
    assert "Pengaduan Dukcapil" in page and "Layanan Arsip" not in page
    export = client.get(reverse("mail:mailbox_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("mail:mailbox_list"), {"pd": "x", "active": "?"}).status_code == 200


def test_an_administrator_sets_up_the_pd_mailbox_not_a_pemda_wide_one(world, login, service):
    client = login(world.owner_admin)
    data = {"pemda": world.yogya.pk, "pd": world.dukcapil.pk, "name": "Surel Dukcapil", "code": "dukcapil",
            "address": "Dukcapil@Yogya.test", "host": "imap.yogya.test", "port": 993, "security": "ssl",
            "username": "dukcapil", "folder": "INBOX", "default_service": service.pk, "default_kind": "complaint",
            "default_impact": "minor", "send_as": "on", "is_active": "on", "rute-TOTAL_FORMS": 2,
            "rute-INITIAL_FORMS": 0, "rute-0-address": "ktp@yogya.test", "rute-0-service": service.pk}  # fmt: skip
    response = client.post(reverse("mail:mailbox_create"), data)
    mailbox = Mailbox.objects.get(code="dukcapil")
    assert response.status_code == 302 and mailbox.address == "dukcapil@yogya.test"
    assert [(r.address, r.service) for r in mailbox.routes.all()] == [("ktp@yogya.test", service)]
    pemda_wide = client.post(reverse("mail:mailbox_create"), {**data, "pd": "", "code": "pemda", "address": "a@b.id"})
    assert pemda_wide.status_code == 400 and "Koordinator SPBE" in pemda_wide.content.decode()
    other_pd = client.post(
        reverse("mail:mailbox_create"), {**data, "pd": world.dinkes.pk, "code": "x", "address": "x@y.id"}
    )
    assert other_pd.status_code == 400
    assert login(world.vendor).get(reverse("mail:mailbox_create")).status_code == 403


def test_bad_input_is_said_next_to_the_field(world, login):
    client = login(world.coordinator)
    response = client.post(reverse("mail:mailbox_create"), {"pemda": world.yogya.pk, "port": "99999", "code": "A B",
                                                            "rute-TOTAL_FORMS": 1, "rute-INITIAL_FORMS": 0,
                                                            "rute-0-address": "bukan-alamat"})  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "huruf kecil" in page and "is-invalid" in page


def test_uji_koneksi_says_what_is_wrong_in_indonesian(world, login, make_mailbox, monkeypatch):
    mailbox = make_mailbox()
    client = login(world.owner_admin)
    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert "Tersambung" in response.content.decode()
    monkeypatch.delenv(mailbox.password_variable)
    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert mailbox.password_variable in response.content.decode()
    Mailbox.objects.filter(pk=mailbox.pk).update(host="tidak-ada.invalid")
    monkeypatch.setenv(mailbox.password_variable, "x")
    response = client.post(reverse("mail:mailbox_test", args=[mailbox.pk]), follow=True)
    assert response.status_code == 200 and "tidak ditemukan" in response.content.decode()


def test_poll_now_reads_the_mailbox(world, login, dovecot, mailbox):
    dovecot.deliver(mailbox.address, mail(to=mailbox.address))
    response = login(world.owner_admin).post(reverse("mail:mailbox_poll", args=[mailbox.pk]), follow=True)
    assert "1 surel baru dibaca" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_triage_opens_the_ticket_in_one_click(world, login, waiting, service):
    client = login(world.owner_admin)
    page = client.get(reverse("mail:inbound_detail", args=[waiting.pk])).content.decode()
    assert "Buka tiket" in page and service.name in page
    bad = client.post(reverse("mail:inbound_open", args=[waiting.pk]), {"service": service.pk, "kind": "complaint"})
    assert bad.status_code == 400 and "Pilih dampak" in bad.content.decode()
    response = client.post(reverse("mail:inbound_open", args=[waiting.pk]),
                           {"service": service.pk, "kind": "complaint", "impact": "mayor"})  # fmt: skip
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk:detail", args=[ticket.pk])
    assert (ticket.impact, ticket.reporting_method) == ("mayor", "email")
    again = client.post(reverse("mail:inbound_open", args=[waiting.pk]),
                        {"service": service.pk, "kind": "complaint", "impact": "mayor"})  # fmt: skip
    assert again.status_code == 400 and Ticket.objects.count() == 1


def test_triage_dismisses_with_a_reason(world, login, waiting):
    client = login(world.coordinator)
    assert client.post(reverse("mail:inbound_dismiss", args=[waiting.pk]), {"reason": ""}).status_code == 400
    response = client.post(reverse("mail:inbound_dismiss", args=[waiting.pk]), {"reason": "Salah alamat"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == InboundStatus.DISMISSED and waiting.handled_by == world.coordinator
    assert login(world.other_pd_admin).post(reverse("mail:inbound_dismiss", args=[waiting.pk]),
                                            {"reason": "x"}).status_code == 404  # fmt: skip


def test_a_triage_attachment_downloads_only_for_its_managers(world, login, dovecot, make_mailbox):
    from email.message import EmailMessage

    mailbox = make_mailbox()
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "budi@warga.test", mailbox.address, "Foto"
    message.set_content("Lihat lampiran.")
    message.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, maintype="image", subtype="png", filename="foto.png")
    dovecot.deliver(mailbox.address, message.as_bytes())
    actions.poll_mailbox(mailbox)
    item = InboundMail.objects.get(mailbox=mailbox).attachments.get()
    url = reverse("mail:attachment", args=[item.mail_id, item.pk])
    response = login(world.owner_admin).get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert login(world.other_pd_admin).get(url).status_code == 404


# --- API --------------------------------------------------------------------------------------------


def test_the_api_lists_what_the_pages_show(world, login, waiting):
    owner = login(world.owner_admin)
    boxes = owner.get("/api/v1/kotak-surel/").json()
    assert [b["address"] for b in boxes["results"]] == [waiting.mailbox.address]
    assert boxes["results"][0]["waiting"] == 1 and boxes["results"][0]["password_set"] is True
    mails = owner.get("/api/v1/surel-masuk/", {"status": "triage"}).json()
    assert [m["subject"] for m in mails["results"]] == ["Tanya syarat KK"]
    assert owner.get("/api/v1/surel-masuk/", {"status": "nope"}).status_code == 400
    other = login(world.other_pd_admin)
    assert other.get("/api/v1/kotak-surel/").json()["results"] == []
    assert other.get(f"/api/v1/surel-masuk/{waiting.pk}/").status_code == 404


def test_the_api_triages(world, login, waiting, service):
    client = login(world.owner_admin)
    url = f"/api/v1/surel-masuk/{waiting.pk}/buka-tiket/"
    assert client.post(url, {"service": 999999, "kind": "request"}, content_type="application/json").status_code == 400
    response = client.post(url, {"service": service.pk, "kind": "request"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["ticket_number"] == Ticket.objects.get().number
    again = client.post(f"/api/v1/surel-masuk/{waiting.pk}/tutup/", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 400 and "sudah dipilah" in again.json()["errors"]["non_field_errors"][0]


def test_the_help_desk_triages_the_pemda_wide_mailbox_but_does_not_set_it_up(world, login, dovecot, make_mailbox,
                                                                               service):  # fmt: skip
    """Diskominfo's Administrator Layanan (the SPBE coordinator PD's) answers
    the Pemda's general mailbox every day: reads it and triages it to the
    right PD's service, without touching its settings; the general mailbox
    of another Pemda and PD mailboxes stay closed to them."""
    help_desk = make_person("helpdesk@yogya.test", world.yogya)
    give(help_desk, Role.ADMIN_LAYANAN, world.kominfo)
    general = make_mailbox(pd=None, name="Layanan Kota Yogyakarta")
    tegal = make_mailbox(pemda=world.tegal, pd=None, name="Layanan Kabupaten Tegal")
    pd_mailbox = make_mailbox()
    for mailbox in (general, tegal, pd_mailbox):
        dovecot.deliver(mailbox.address, mail(to=mailbox.address, subject=f"Tanya {mailbox.name}"))
        actions.poll_mailbox(mailbox)
    client = login(help_desk)
    detail = client.get(reverse("mail:mailbox_detail", args=[general.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200 and "Tanya Layanan Kota Yogyakarta" in page
    assert reverse("mail:mailbox_edit", args=[general.pk]) not in page  # no "Ubah" button
    assert client.get(reverse("mail:mailbox_edit", args=[general.pk])).status_code == 403
    for closed in (tegal, pd_mailbox):
        assert client.get(reverse("mail:mailbox_detail", args=[closed.pk])).status_code == 404
    waiting = client.get(reverse("mail:triage")).content.decode()
    assert "Tanya Layanan Kota Yogyakarta" in waiting and "Tanya Layanan Kabupaten Tegal" not in waiting
    question = InboundMail.objects.get(mailbox=general)
    response = client.post(reverse("mail:inbound_open", args=[question.pk]),
                           {"service": service.pk, "kind": "request"})  # fmt: skip
    ticket = Ticket.objects.get(pd=world.dukcapil)
    # the ticket went to Disdukcapil's desk, which the help desk does not see: back to the triage list
    assert response.status_code == 302 and response["Location"] == reverse("mail:triage")
    assert (ticket.service, ticket.reporting_method) == (service, "email")
    # the managers keep the "Ubah" button (the login fixture signs its one client in anew)
    coordinator_page = login(world.coordinator).get(reverse("mail:mailbox_detail", args=[general.pk]))
    assert reverse("mail:mailbox_edit", args=[general.pk]) in coordinator_page.content.decode()
