"""Two-factor sign-in (issue 14): who must enrol, the enrolment with a QR
code drawn locally, recovery codes, the lock-out on guessed codes, and the
administrator's reset in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from spbe.audit.models import AuditEvent
from spbe.conftest import PASSWORD
from spbe.org import twofactor

LOGIN = "/akun/masuk/"


def sign_in(client, user, next_url: str = ""):
    data = {"username": user.email, "password": PASSWORD}
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""), data)


def code_of(device: TOTPDevice) -> str:
    """The six digits the person's app shows now (RFC 6238)."""
    counter = int((timezone.now().timestamp() - device.t0) // device.step)
    return f"{hotp(device.bin_key, counter, digits=device.digits):06d}"


def enrol(client, user) -> list[str]:
    """Open the enrolment page and confirm the app's first code."""
    page = client.get(reverse("second_factor_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("second_factor_enrol"), {"code": code_of(device)})
    assert response.status_code == 200
    return response.context["codes"]


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_a_coordinator_must_enrol_before_anything_else(world, client, clock):
    response = sign_in(client, world.coordinator, next_url="/evaluasi/")
    assert response.status_code == 302
    step = client.get(response["Location"])
    assert step["Location"] == reverse("second_factor_enrol") + "?next=%2Fevaluasi%2F"
    # every page, and the API, wait for the second step
    held = client.get("/layanan-pengguna/")
    assert held.status_code == 302 and held["Location"].startswith(reverse("second_factor_enrol"))
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert "verifikasi dua langkah" in api.json()["detail"]

    page = client.get(reverse("second_factor_enrol"))
    body = page.content.decode()
    assert "<svg" in body and "Kode QR autentikator" in body  # drawn here, no image service
    device = TOTPDevice.objects.get(user=world.coordinator, confirmed=False)
    assert twofactor.secret_text(device) in body

    wrong = client.post(reverse("second_factor_enrol"), {"code": "000000"})
    assert "Kode belum cocok" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=world.coordinator, confirmed=True).exists()

    clock.shift(timedelta(seconds=2))  # django-otp slows a guesser down: a second after a miss
    done = client.post(reverse("second_factor_enrol"), {"code": code_of(device), "next": "/evaluasi/"})
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get("/layanan-pengguna/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    event = AuditEvent.objects.get(target_id=str(world.coordinator.pk), changes__has_key="verifikasi dua langkah")
    assert event.changes["verifikasi dua langkah"] == [None, "aktif"]


def test_next_sign_in_asks_for_the_code_and_a_recovery_code_works_once(world, client, clock):
    sign_in(client, world.coordinator)
    codes = enrol(client, world.coordinator)
    client.logout()
    clock.shift(timedelta(seconds=90))

    response = client.get(sign_in(client, world.coordinator, next_url="/katalog/")["Location"])
    assert response["Location"].startswith(reverse("second_factor_verify"))
    page = client.get(response["Location"])
    assert "Verifikasi dua langkah" in page.content.decode()
    used = client.post(reverse("second_factor_verify"), {"code": codes[0].upper(), "next": "/katalog/"})
    assert used.status_code == 302 and used["Location"] == "/katalog/"
    assert twofactor.recovery_codes_left(world.coordinator) == 9

    client.logout()
    sign_in(client, world.coordinator)
    again = client.post(reverse("second_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert "Kode salah" in again.content.decode()
    device = twofactor.app_device(world.coordinator)
    clock.shift(timedelta(seconds=60))
    assert client.post(reverse("second_factor_verify"), {"code": code_of(device)}).status_code == 302
    assert client.get("/layanan-pengguna/").status_code == 200


def test_a_password_alone_cannot_put_another_phone_on_the_account(world, client, clock):
    sign_in(client, world.coordinator)
    enrol(client, world.coordinator)
    client.logout()
    clock.shift(timedelta(seconds=90))
    sign_in(client, world.coordinator)  # someone who knows only the password
    response = client.get(reverse("second_factor_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor_verify"))
    assert client.post(reverse("second_factor_enrol"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=world.coordinator).count() == 1


def test_guessing_the_code_locks_the_account_like_guessing_the_password(world, client, settings, clock):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, world.coordinator)
    enrol(client, world.coordinator)
    client.logout()
    clock.shift(timedelta(seconds=90))
    sign_in(client, world.coordinator)
    for _ in range(2):
        assert client.post(reverse("second_factor_verify"), {"code": "123456"}).status_code == 200
    locked = client.post(reverse("second_factor_verify"), {"code": "123456"})
    assert locked.status_code in (403, 429)
    assert "dikunci sementara" in locked.content.decode()
    # the half-open session is gone: the right code no longer helps
    device = twofactor.app_device(world.coordinator)
    after = client.post(reverse("second_factor_verify"), {"code": code_of(device)})
    assert after.status_code == 302 and after["Location"].startswith(LOGIN)
    # and the password alone is refused while the lock lasts
    assert "dikunci sementara" in sign_in(client, world.coordinator).content.decode()


def test_staff_enrol_only_when_their_pemda_requires_it(world, client, clock):
    response = sign_in(client, world.owner_admin)
    assert response["Location"] == reverse("front:dashboard")
    client.logout()
    world.yogya.require_second_factor = True
    world.yogya.save()
    response = client.get(sign_in(client, world.owner_admin)["Location"])
    assert response["Location"].startswith(reverse("second_factor_enrol"))
    client.logout()
    # a citizen holds no role: never obliged
    assert sign_in(client, world.citizen)["Location"] == reverse("front:dashboard")


def test_someone_not_obliged_turns_it_on_and_off(world, client, clock):
    sign_in(client, world.owner_admin)
    page = client.get(reverse("account_security")).content.decode()
    assert "Belum aktif" in page
    client.get(reverse("second_factor_enrol") + "?next=/akun/keamanan/")
    enrol(client, world.owner_admin)
    assert "Tersisa 10 kode pemulihan" in client.get(reverse("account_security")).content.decode()
    renewed = client.post(reverse("recovery_codes_renew"))
    assert len(renewed.context["codes"]) == 10
    client.post(reverse("second_factor_off"))
    assert twofactor.app_device(world.owner_admin) is None


def test_moving_to_another_phone_replaces_the_old_one(world, client, clock):
    sign_in(client, world.coordinator)
    enrol(client, world.coordinator)
    old = twofactor.app_device(world.coordinator)
    clock.shift(timedelta(seconds=60))
    enrol(client, world.coordinator)  # "Pindah ke ponsel lain", from a verified session
    new = twofactor.app_device(world.coordinator)
    assert new.pk != old.pk
    assert list(TOTPDevice.objects.filter(user=world.coordinator)) == [new]


def test_a_coordinator_cannot_turn_it_off(world, client, clock):
    sign_in(client, world.coordinator)
    enrol(client, world.coordinator)
    response = client.post(reverse("second_factor_off"), follow=True)
    assert "mewajibkan" in response.content.decode()
    assert twofactor.app_device(world.coordinator) is not None


def test_an_administrator_resets_a_lost_phone_and_the_trail_says_so(world, client, login, clock):
    TOTPDevice.objects.create(user=world.owner_admin, name="ponsel lama", confirmed=True)
    twofactor.issue_recovery_codes(world.owner_admin)
    login(world.coordinator)
    page = client.get(reverse("org:person_detail", args=[world.owner_admin.pk])).content.decode()
    assert "Atur ulang" in page
    response = client.post(reverse("org:person_second_factor_reset", args=[world.owner_admin.pk]))
    assert response.status_code == 302
    assert twofactor.app_device(world.owner_admin) is None
    assert twofactor.recovery_codes_left(world.owner_admin) == 0
    event = AuditEvent.objects.filter(target_id=str(world.owner_admin.pk)).first()
    assert event.actor == world.coordinator
    assert event.changes["verifikasi dua langkah"] == ["aktif", "diatur ulang oleh administrator"]


@pytest.mark.parametrize("persona", ["tegal_coordinator", "other_pd_admin", "owner_admin"])
def test_no_one_else_resets_it(world, client, login, persona):
    TOTPDevice.objects.create(user=world.owner_head, name="ponsel", confirmed=True)
    login(getattr(world, persona))
    response = client.post(reverse("org:person_second_factor_reset", args=[world.owner_head.pk]))
    assert response.status_code in (403, 404)
    assert twofactor.app_device(world.owner_head) is not None


def test_django_admin_signs_in_through_our_page(world, client):
    response = client.get("/admin-django/login/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_pemda_form_wants_issuer_and_client_together(world, client, login):
    login(world.sysadmin)
    data = {"name": world.yogya.name, "kind": world.yogya.kind, "time_zone": world.yogya.time_zone}
    response = client.post(reverse("org:pemda_edit", args=[world.yogya.pk]), {**data, "sso_issuer": "https://sso.test"})
    assert response.status_code == 400
    assert "Isi penerbit dan client ID SSO bersama-sama" in response.content.decode()
