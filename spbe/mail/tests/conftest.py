"""A real dovecot per test worker (issue 15: "tested against a real IMAP
server started by the tests"), and a mailbox of Disdukcapil Yogya pointed
at it, with its password in the environment as in production."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from spbe.catalog.models import Service
from spbe.mail.models import Mailbox
from spbe.mail.testing import DovecotServer, SmtpRelay, free_port


def _worker_offset() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


def pytest_collection_modifyitems(items):
    """Every test that reaches the IMAP server carries the ``imap`` marker,
    so `make test` can say plainly when dovecot is missing (spbe/testrun.py)."""
    for item in items:
        if "dovecot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.imap)


@pytest.fixture(scope="session")
def dovecot():
    # not pytest's tmp_path: its folders are private to root (0700) and
    # dovecot's own users must reach the passwd-file and the maildirs
    root = Path(tempfile.mkdtemp(prefix="spbe-mail-dovecot-"))
    start = 14100 + 50 * _worker_offset()
    server = DovecotServer(root, free_port(start, start + 50)).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def smtp_relay(dovecot):
    """A real SMTP server delivering into the dovecot mailboxes."""
    start = 14100 + 50 * _worker_offset() + 25
    relay = SmtpRelay(dovecot, free_port(start, start + 25)).start()
    yield relay
    relay.stop()


@pytest.fixture
def smtp(smtp_relay, settings):
    """Django sends through the relay, as in production through the Pemda's SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_relay.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_relay


@pytest.fixture
def service(world, packs):
    """An active public service of Disdukcapil Yogya."""
    return Service.objects.create(
        pd=world.dukcapil, code="DUK-KTP", name="KTP Elektronik", description="-", group="layanan_publik",
        classification="esensial", access="web", availability_target=Decimal("99.0"), help_contact="-",
        support_hours="working_hours", lifecycle="active", status="approved",
        user_service_target_override=timedelta(days=3), user_service_target_reason="uji",
    )  # fmt: skip


@pytest.fixture
def make_mailbox(world, dovecot, monkeypatch):
    """A mailbox with its own dovecot account (fresh per test: the server
    lives for the session)."""

    def _make(**fields) -> Mailbox:
        tag = uuid.uuid4().hex[:8]
        address = fields.pop("address", f"layanan-{tag}@yogya.test")
        password = dovecot.add_user(address)
        values = dict(
            pemda=world.yogya, pd=world.dukcapil, name="Layanan Dukcapil", code=f"duk-{tag}", address=address,
            host="127.0.0.1", port=dovecot.port, security="none", username=address,
        )  # fmt: skip
        values.update(fields)
        mailbox = Mailbox.objects.create(**values)
        monkeypatch.setenv(mailbox.password_variable, password)
        return mailbox

    return _make


@pytest.fixture
def mailbox(make_mailbox, service):
    return make_mailbox(default_service=service)


def mail(sender="budi@warga.test", to="layanan@yogya.test", subject="KTP belum jadi", body="Sudah 3 minggu.",
         message_id=None, headers=None, name="Budi Warga") -> str:  # fmt: skip
    """A plain text message as a mail client sends it."""
    lines = [f"From: {name} <{sender}>", f"To: {to}", f"Subject: {subject}",
             f"Message-ID: {message_id or f'<{uuid.uuid4().hex}@warga.test>'}",
             "Date: Mon, 23 Nov 2026 09:00:00 +0700", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8"]  # fmt: skip
    lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
    return "\r\n".join(lines) + "\r\n\r\n" + body + "\r\n"
