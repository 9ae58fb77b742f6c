"""Start a local dovecot for the demo mailboxes (issue 15): every demo
mailbox's address becomes an account, one sample mail is delivered to
each, and the mailboxes are switched on. Runs until Ctrl+C.

    .venv/bin/python manage.py mail_demo_server           # IMAP on 127.0.0.1:1143
    SPBE_MAILBOX_KOTA_YOGYAKARTA_LAYANAN_PASSWORD=rahasia-uji  (printed below) for web and worker
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from spbe.mail.demo import DEMO_IMAP_PORT
from spbe.mail.models import Mailbox
from spbe.mail.testing import DovecotServer


class Command(BaseCommand):
    help = "Start a local IMAP server (dovecot) for the demo mailboxes."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=DEMO_IMAP_PORT)

    def handle(self, *args, port: int, **options):
        server = DovecotServer(Path(tempfile.mkdtemp(prefix="spbe-mail-demo-")), port).start()
        try:
            for mailbox in Mailbox.objects.filter(host="127.0.0.1", port=port):
                password = server.add_user(mailbox.username)
                server.deliver(mailbox.username, (
                    f"From: Sari Warga <sari@warga.demo>\r\nTo: {mailbox.address}\r\n"
                    "Subject: Antrean rekam KTP-el penuh terus\r\n\r\n"
                    "Sudah tiga hari saya tidak dapat nomor antrean daring.\r\n"
                ))  # fmt: skip
                Mailbox.objects.filter(pk=mailbox.pk).update(is_active=True)
                self.stdout.write(f"{mailbox.address}: export {mailbox.password_variable}={password}")
            self.stdout.write(f"IMAP di 127.0.0.1:{port}; Ctrl+C untuk berhenti.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
