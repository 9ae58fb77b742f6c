"""A real IMAP server (Debian's dovecot) and a real SMTP server (aiosmtpd)
for the tests, the demo and the bench: no mock stands in for the mail
system (issue 15).

``DovecotServer`` runs ``dovecot -F`` with its own configuration in a
temporary folder: IMAP on 127.0.0.1 without TLS, plaintext log-in for any
address with one password (``PASSWORD``), one maildir per address. ``SmtpRelay`` accepts mail over SMTP
and delivers each message into the recipients' dovecot mailboxes with IMAP
APPEND, as a mail server's local delivery would.

    server = DovecotServer(Path("/tmp/mail-demo"), port=1143).start()
    server.add_user("layanan@jogjakota.demo")  # password: PASSWORD
"""

from __future__ import annotations

import contextlib
import email
import getpass
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from email import policy
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "rahasia-uji"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
auth_failure_delay = 0
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def free_port(start: int, end: int) -> int:
    """The first port in [start, end) nobody listens on."""
    for port in range(start, end):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}–{end}")


def wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class DovecotServer:
    def __init__(self, root: Path, port: int):
        self.root = Path(root)
        self.port = port
        self.addresses: set[str] = set()
        self.process: subprocess.Popen | None = None

    def start(self) -> DovecotServer:
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # dovecot drops root: its own users run the login and mail processes
            internal, login, mail_user = "dovecot", "dovenull", "dovecot"
            mail_group = pwd.getpwnam("dovecot").pw_gid
            (self.root / "mail").chmod(0o777)
            self.root.chmod(0o755)  # dovecot's own users write the maildirs
        else:
            internal = login = mail_user = getpass.getuser()
            mail_group = os.getgid()
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port, internal=internal, login=login,
                                        mail_user=mail_user, mail_group=mail_group, password=PASSWORD))  # fmt: skip
        with open(self.root / "stderr.log", "w") as errors:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=errors
            )
        try:
            wait_for_port(self.port)
        except RuntimeError:
            self.stop()
            raise RuntimeError("dovecot did not start: " + (self.root / "stderr.log").read_text()) from None
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def add_user(self, address: str) -> str:
        """Every address is an account (with ``PASSWORD``); the relay
        delivers only to the ones added here."""
        self.addresses.add(address.lower())
        return PASSWORD

    def client(self, address: str, folder: str = "INBOX") -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(address, PASSWORD)
        client.select(folder)
        return client

    def deliver(self, address: str, raw: bytes | str, folder: str = "INBOX", flags: str | None = None) -> None:
        """Put a message in the mailbox (IMAP APPEND), as the MTA would;
        ``flags="(\\Seen)"`` for one somebody already read."""
        data = raw.encode() if isinstance(raw, str) else raw
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client = self.client(address, folder)
        try:
            status, response = client.append(folder, flags, None, data)
            assert status == "OK", response
        finally:
            client.logout()

    def messages(self, address: str, folder: str = "INBOX") -> list[email.message.EmailMessage]:
        """Every message in the folder, parsed (without marking it read)."""
        client = self.client(address, folder)
        try:
            _status, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in (data[0] or b"").split():
                _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(email.message_from_bytes(parts[0][1], policy=policy.default))
            return found
        finally:
            client.logout()

    def flags(self, address: str, folder: str = "INBOX") -> dict[int, str]:
        client = self.client(address, folder)
        try:
            _status, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            result = {}
            for line in data:
                if isinstance(line, bytes) and b"UID" in line:
                    text = line.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    result[uid] = text.split("FLAGS (")[1].split(")")[0]
            return result
        finally:
            client.logout()

    def drop_connections(self) -> int:
        """Kill this server's IMAP session processes, as a network outage or
        a server restart would cut a client off mid-command."""
        killed = 0
        for child in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{child}/comm").read_text().strip() == "imap":
                    os.kill(int(child), signal.SIGKILL)
                    killed += 1
        return killed

    def mark_unseen(self, address: str, folder: str = "INBOX") -> None:
        """Clear \\Seen everywhere: the state a worker killed after its
        commits, before flagging the messages read, leaves behind."""
        client = self.client(address, folder)
        try:
            client.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen)")
        finally:
            client.logout()


class SmtpRelay:
    """An SMTP server that drops every message it accepts into the
    recipients' dovecot mailboxes (needs aiosmtpd, a test dependency)."""

    def __init__(self, dovecot: DovecotServer, port: int):
        self.dovecot = dovecot
        self.port = port
        self.controller = None
        self.received: list[bytes] = []

    def start(self) -> SmtpRelay:
        from aiosmtpd.controller import Controller

        relay = self

        class Deliver:
            async def handle_DATA(self, server, session, envelope):
                relay.received.append(envelope.content)
                for address in envelope.rcpt_tos:
                    if address.lower() in relay.dovecot.addresses:
                        relay.dovecot.deliver(address.lower(), envelope.content)
                return "250 OK"

        self.controller = Controller(Deliver(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
