"""Sign-in, lock-out, password reset and sessions (issue 2, item 6)."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from spbe.audit.models import AuditAction, AuditEvent
from spbe.conftest import PASSWORD


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_sign_in_with_email_and_password_is_audited(world, client):
    response = sign_in(client, "KOORD@yogya.test".lower(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=world.coordinator).exists()


def test_wrong_password_shows_an_indonesian_message(world, client):
    response = sign_in(client, "koord@yogya.test", "salah-sekali")
    assert response.status_code == 200
    assert "E-mail atau kata sandi salah" in response.content.decode()


def test_lock_out_after_repeated_failures_even_with_the_right_password(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "koord@yogya.test", "salah-sekali")
    response = sign_in(client, "koord@yogya.test", PASSWORD)
    assert response.status_code == 429
    assert "Akun dikunci sementara" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(world):
    world.coordinator.set_password("Kata-sandi-baru-99")
    assert identify_hasher(world.coordinator.password).algorithm == "argon2"


def test_password_reset_by_email_end_to_end(world, client):
    client.post(reverse("password_reset"), {"email": "admin@yogya.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/akun/kata-sandi/atur/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()
    new = "Sandi-baru-yang-kuat-7"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    world.owner_admin.refresh_from_db()
    assert world.owner_admin.check_password(new)
    # the link works once only
    assert "Tautan tidak berlaku" in client.get(link, follow=True).content.decode()


def test_reset_for_an_unknown_email_reveals_nothing(world, client):
    response = client.post(reverse("password_reset"), {"email": "tidak.ada@mail.test"}, follow=True)
    assert "Periksa e-mail Anda" in response.content.decode()
    assert mail.outbox == []


def test_sessions_slide_while_used_and_expire_after_a_working_day_idle(world, login, time_machine):
    """Each request of an active session moves its expiry (at most one
    write a minute); eight idle hours end it."""
    time_machine.move_to(timezone.now(), tick=False)
    client = login(world.coordinator)
    client.get("/")
    key = client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    first = expiry()
    time_machine.shift(timedelta(seconds=30))
    client.get("/")
    assert expiry() == first  # within the minute: no write
    time_machine.shift(timedelta(hours=7))
    assert client.get("/").status_code == 200
    assert expiry() - first >= timedelta(hours=7)  # slid with use
    time_machine.shift(timedelta(hours=8, minutes=1))
    assert client.get("/").status_code == 302  # idle a working day: signed out


def test_logout_is_a_post_and_ends_the_session(world, login):
    client = login(world.coordinator)
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302
