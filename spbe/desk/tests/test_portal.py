"""The portal (issue 5, items 6 and 8): report with e-mail verification or
signed in, screenshot, follow through the signed link, reply, confirm and
rate, reopen; a used or expired link, someone else's ticket: clear answers,
nothing leaked."""

import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spbe.desk.models import PendingReport, Ticket
from spbe.desk.notifications import ticket_link
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def report_data(**overrides):
    data = {"kind": "complaint", "total_failure": "yes", "subject": "Tidak bisa masuk", "description": "Galat terus",
            "name": "Siti Warga", "email": "siti@mail.test", "phone": ""}  # fmt: skip
    data.update(overrides)
    return data


def url(service):
    return reverse("portal:report", args=["tegal", service.pk])


def path_of(body: str, pattern: str) -> str:
    return re.search(r"https?://[^/\s]+(" + pattern + r"\S*)", body).group(1)


def test_public_report_is_opened_only_after_email_verification(world, kritis_public, client, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    data = report_data(screenshot=SimpleUploadedFile("layar.png", PNG))
    page = client.post(url(kritis_public), data)
    assert "periksa e-mail Anda" in page.content.decode()
    assert not Ticket.objects.exists()
    body = OutboxMessage.objects.get(key__startswith="portal-verify").body
    response = client.get(path_of(body, "/portal/verifikasi/"), follow=True)
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.reporting_method, ticket.reporter_email) == (1, "portal", "siti@mail.test")
    assert ticket.attachments.count() == 1
    attachment_url = reverse("desk:attachment", args=[ticket.pk, ticket.attachments.get().pk])
    assert ticket.number in response.content.decode()
    again = client.get(path_of(body, "/portal/verifikasi/"))
    assert again.status_code == 400 and "sudah dipakai" in again.content.decode()
    assert Ticket.objects.count() == 1
    from django.test import Client

    staff = Client()
    staff.force_login(world.tegal_admin, backend="spbe.org.backends.AccountBackend")
    assert staff.get(attachment_url).status_code == 200
    staff.force_login(world.owner_admin, backend="spbe.org.backends.AccountBackend")
    assert staff.get(attachment_url).status_code == 404


def test_an_expired_or_unknown_link_is_explained(world, kritis_public, client):  # noqa: F811
    client.post(url(kritis_public), report_data())
    pending = PendingReport.objects.get()
    PendingReport.objects.filter(pk=pending.pk).update(created=pending.created - timedelta(hours=25))
    assert client.get(reverse("portal:verify", args=[pending.token])).status_code == 410
    assert client.get(reverse("portal:verify", args=["salah"])).status_code == 404
    assert not Ticket.objects.exists()


def test_signed_in_reporter_gets_a_ticket_at_once(world, kritis_public, login):  # noqa: F811
    response = login(world.citizen).post(url(kritis_public), report_data(kind="request", total_failure=""))
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("portal:ticket", args=[ticket.number])
    assert ticket.reporter == world.citizen and ticket.kind == "request"
    assert ticket.number in login(world.citizen).get(reverse("portal:mine")).content.decode()


def test_bad_input_is_explained_next_to_the_field(world, kritis_public, client):  # noqa: F811
    response = client.post(
        url(kritis_public), report_data(total_failure="", screenshot=SimpleUploadedFile("x.png", b"MZ"))
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "prioritasnya" in " ".join(errors["total_failure"])
    assert "tidak sesuai" in " ".join(errors["screenshot"])
    assert not PendingReport.objects.exists()


def test_follow_reply_confirm_and_rate_through_the_link(world, kritis_public, client):  # noqa: F811
    from spbe.desk import actions

    ticket = complaint(kritis_public, world.tegal_admin)
    link = ticket_link(ticket).removeprefix("http://127.0.0.1:8000")
    actions.wait_for_reporter(world.tegal_admin, ticket, "Kirim nomor NIK")
    token = link.split("?t=")[1]
    client.post(reverse("portal:act", args=[ticket.number, "balas"]), {"t": token, "message": "NIK 3328..."})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    actions.resolve(world.tegal_admin, ticket, "Akun dibuka kembali")
    page = client.get(link).content.decode()
    assert "Apakah masalah Anda sudah selesai?" in page
    assert "internal" not in page
    client.post(reverse("portal:act", args=[ticket.number, "konfirmasi"]), {"t": token, "satisfaction": "5"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction) == ("closed", 5)
    used = client.post(reverse("portal:act", args=[ticket.number, "konfirmasi"]), {"t": token, "satisfaction": "4"},
                       follow=True)  # fmt: skip
    assert "Tidak dapat dilakukan" in used.content.decode()


def test_someone_elses_ticket_is_not_found(world, kritis_public, client, login):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404
    assert client.get(reverse("portal:ticket", args=[ticket.number]) + "?t=palsu").status_code == 404
    assert login(world.citizen).get(reverse("portal:ticket", args=[ticket.number])).status_code == 404
    other = complaint(kritis_public, world.tegal_admin, subject="Lain")
    stolen = ticket_link(other).split("?t=")[1]
    assert client.get(reverse("portal:ticket", args=[ticket.number]) + f"?t={stolen}").status_code == 404


def test_emails_carry_the_follow_link(world, kritis_public):  # noqa: F811
    ticket = complaint(kritis_public, world.tegal_admin)
    body = OutboxMessage.objects.get(key=f"ticket-{ticket.pk}-opened-reporter").body
    assert f"/portal/tiket/{ticket.number}/?t=" in body
