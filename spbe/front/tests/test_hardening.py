"""The browser-facing defences of issue 14: rate limits on the public forms
that send e-mail or guess secrets, and the security headers every page
carries (a Content-Security-Policy without inline script, Permissions-Policy,
nosniff, no framing); in production settings also HSTS and Secure cookies
(checked by `manage.py check --deploy` in `make test`)."""

from __future__ import annotations

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spbe.desk.models import PendingReport, Ticket
from spbe.desk.tests.test_actions import complaint, kritis_public  # noqa: F401  (fixture)
from spbe.desk.tests.test_portal import report_data, url
from spbe.front import ratelimit
from spbe.notify.models import OutboxMessage


def test_a_stranger_cannot_flood_someones_inbox_through_the_portal(world, kritis_public, client):  # noqa: F811
    limit = ratelimit.PORTAL_REPORT_PER_EMAIL.count
    for _ in range(limit):
        assert client.post(url(kritis_public), report_data(email="korban@mail.test")).status_code == 200
    refused = client.post(url(kritis_public), report_data(email="korban@mail.test", subject="Yang keenam"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    body = refused.content.decode()
    assert "Terlalu banyak permintaan" in body
    assert "Yang keenam" in body  # what was typed stays in the form
    assert PendingReport.objects.count() == limit
    assert OutboxMessage.objects.filter(key__startswith="portal-verify").count() == limit
    # another address from the same office still gets through
    assert client.post(url(kritis_public), report_data(email="lain@mail.test")).status_code == 200


def test_one_address_is_limited_across_e_mails(world, kritis_public, client, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ratelimit, "PORTAL_REPORT_PER_IP", ratelimit.Limit(3, 3600))
    for number in range(3):
        assert client.post(url(kritis_public), report_data(email=f"w{number}@mail.test")).status_code == 200
    assert client.post(url(kritis_public), report_data(email="w9@mail.test")).status_code == 429
    other_office = client.post(url(kritis_public), report_data(email="w9@mail.test"), REMOTE_ADDR="10.9.8.7")
    assert other_office.status_code == 200


def test_guessing_verification_links_is_slowed(world, client):
    limit = ratelimit.PORTAL_VERIFY_PER_IP.count
    for number in range(limit):
        assert client.get(reverse("portal:verify", args=[f"tebak{number}"])).status_code == 404
    refused = client.get(reverse("portal:verify", args=["tebak-lagi"]))
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.content.decode()


def test_password_reset_mails_an_address_a_few_times_an_hour(world, client):
    limit = ratelimit.PASSWORD_RESET_PER_EMAIL.count
    for _ in range(limit):
        assert client.post(reverse("password_reset"), {"email": world.owner_admin.email}).status_code == 302
    refused = client.post(reverse("password_reset"), {"email": world.owner_admin.email})
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan" in refused.content.decode()
    assert len(mail.outbox) == limit


def test_every_page_carries_the_security_headers(world, client, login):
    for response in (client.get("/akun/masuk/"), login(world.owner_admin).get("/layanan-pengguna/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        body = response.content.decode()
        assert "<script>" not in body and " onclick=" not in body and " onchange=" not in body


def test_no_template_has_inline_script(settings):
    """A new inline handler or script block would be blocked by the CSP in
    the browser: caught here, at once, for every template."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "spbe"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"|javascript:", re.IGNORECASE)
    offenders = [str(path) for path in root.rglob("*.html") if inline.search(path.read_text())]
    assert offenders == []


def test_uploads_are_not_public_and_download_as_attachments(world, kritis_public, client, login, settings, tmp_path):  # noqa: F811
    """An uploaded screenshot is reached only through the ticket's page, by
    staff of its PD, and comes as a download the browser never renders."""
    settings.MEDIA_ROOT = tmp_path
    login(world.citizen)
    screenshot = SimpleUploadedFile("layar.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    client.post(url(kritis_public), report_data(screenshot=screenshot))
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get()
    assert client.get(f"/media/{attachment.file.name}").status_code == 404  # no public path to it
    client.logout()
    login(world.tegal_admin)
    response = client.get(reverse("desk:attachment", args=[ticket.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_settings_send_hsts_and_secure_cookies(tmp_path):
    """The production mode (SPBE_ENV=production) in a process of its own, as
    a server starts it: HSTS for a year, cookies only over HTTPS, never to
    scripts, and not sent along by other sites' forms."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SPBE_ENV": "production",
        "DJANGO_SECRET_KEY": "uji-" + "p" * 50,
        "DJANGO_ALLOWED_HOSTS": "layanan.example.go.id",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tidak-dipakai",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        "EMAIL_HOST": "smtp.example.go.id",
        "SPBE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "spbe.settings",
    }
    names = [
        "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS",
    ]  # fmt: skip
    script = "from django.conf import settings as s; import json, sys; "
    script += f"print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    values = json.loads(output.stdout)
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
