"""Talking to an IMAP server (RFC 3501) with the standard library's
``imaplib``: connect and sign in, select the folder, list new messages by
UID, fetch one without marking it read (``BODY.PEEK``), mark a batch read.

Every failure becomes a ``MailboxError`` with an Indonesian message an
operator can act on ("Uji koneksi", the mailbox's last error)."""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from spbe.mail.choices import MailSecurity

TIMEOUT = 20  # seconds per network operation


class MailboxError(Exception):
    """The mailbox could not be read; the message says why, in Indonesian."""


@dataclass
class Envelope:
    uid: int
    size: int
    arrived: datetime | None


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.MAIL_IMAP_VERIFY_TLS:  # a Pemda's self-signed Zimbra, on the intranet
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(mailbox) -> imaplib.IMAP4:
    """Signed in, with the mailbox's folder selected (read-write)."""
    password = mailbox.password()
    if not password:
        raise MailboxError(
            _("Sandi belum diatur: isi variabel lingkungan %(var)s di server aplikasi dan pekerja Celery.")
            % {"var": mailbox.password_variable}
        )
    where = {"host": mailbox.host, "port": mailbox.port}
    try:
        if mailbox.security == MailSecurity.SSL:
            client = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=_tls_context(), timeout=TIMEOUT)
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
            if mailbox.security == MailSecurity.STARTTLS:
                client.starttls(ssl_context=_tls_context())
    except socket.gaierror:
        raise MailboxError(_("Server IMAP %(host)s tidak ditemukan: periksa nama server.") % where) from None
    except ConnectionRefusedError:
        raise MailboxError(_("Server %(host)s menolak sambungan ke port %(port)s: periksa port.") % where) from None
    except TimeoutError:
        raise MailboxError(
            _("Server %(host)s:%(port)s tidak menjawab dalam %(seconds)s detik (firewall?).")
            % {**where, "seconds": TIMEOUT}
        ) from None
    except ssl.SSLError as error:
        raise MailboxError(
            _("Sambungan aman (TLS) ke %(host)s gagal: %(error)s. Periksa pilihan keamanan dan port.")
            % {**where, "error": getattr(error, "reason", None) or error}
        ) from None
    except imaplib.IMAP4.error as error:  # e.g. STARTTLS not offered
        raise MailboxError(_("Server %(host)s menolak: %(error)s") % {**where, "error": error}) from None
    except OSError as error:
        raise MailboxError(_("Tidak dapat menyambung ke %(host)s:%(port)s: %(error)s") % {**where, "error": error}) \
            from None  # fmt: skip
    try:
        client.login(mailbox.username, password)
    except imaplib.IMAP4.error:
        _close(client)
        raise MailboxError(
            _("Server menolak masuk sebagai %(user)s: nama pengguna atau sandi salah (Gmail/Microsoft 365 "
              "memerlukan sandi aplikasi).") % {"user": mailbox.username}
        ) from None  # fmt: skip
    except OSError as error:
        _close(client)
        raise MailboxError(_("Sambungan terputus saat masuk: %(error)s") % {"error": error}) from None
    try:
        status, _data = client.select(_quote(mailbox.folder))
    except (imaplib.IMAP4.error, OSError):
        status = "NO"
    if status != "OK":
        _close(client)
        raise MailboxError(_("Folder %(folder)s tidak ada di kotak surel ini.") % {"folder": mailbox.folder})
    return client


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()


def close(client: imaplib.IMAP4) -> None:
    _close(client)


def uidvalidity(client: imaplib.IMAP4) -> int:
    """The folder's UIDVALIDITY, sent by the server on SELECT (RFC 3501 requires it)."""
    _name, data = client.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise MailboxError(_("Server tidak menyebut UIDVALIDITY folder ini."))
    return int(re.search(rb"\d+", data[0]).group())


def message_count(client: imaplib.IMAP4) -> int:
    _name, data = client.response("EXISTS")
    return int(data[-1]) if data and data[-1] else 0


def uid_floor(client: imaplib.IMAP4) -> int:
    """The highest UID the folder holds now (UIDNEXT − 1, sent on SELECT):
    what a mailbox already held when it was connected."""
    _name, data = client.response("UIDNEXT")
    if data and data[0]:
        return int(re.search(rb"\d+", data[0]).group()) - 1
    return max(_search(client, "ALL"), default=0)


def _search(client: imaplib.IMAP4, criteria: str) -> list[int]:
    status, data = client.uid("SEARCH", None, criteria)
    if status != "OK":
        raise MailboxError(_("Server menolak pencarian pesan: %(error)s") % {"error": data})
    return [int(uid) for uid in (data[0] or b"").split()]


def new_uids(client: imaplib.IMAP4, after: int) -> list[int]:
    """The UIDs above ``after``, and the unread ones at or below it: mail
    the folder held when it was connected is read only if unread (years of
    old mail do not become tickets), and a message a killed worker committed
    but never flagged is read again (its Message-ID skips it) and flagged."""
    # "n:*" always includes the highest UID, even when it is below n
    found = {uid for uid in _search(client, f"UID {after + 1}:*") if uid > after}
    if after > 0:
        found.update(_search(client, f"UNSEEN UID 1:{after}"))
    return sorted(found)


def envelopes(client: imaplib.IMAP4, uids: list[int]) -> list[Envelope]:
    """Size and arrival time of each message, without downloading it."""
    if not uids:
        return []
    status, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE INTERNALDATE)")
    if status != "OK":
        raise MailboxError(_("Server menolak membaca daftar pesan: %(error)s") % {"error": data})
    found = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not isinstance(line, bytes):
            continue
        uid = re.search(rb"UID (\d+)", line)
        size = re.search(rb"RFC822\.SIZE (\d+)", line)
        if uid is None:
            continue
        arrived = imaplib.Internaldate2tuple(line)  # a local struct_time of the server's arrival instant
        stamp = datetime.fromtimestamp(time.mktime(arrived), tz=UTC) if arrived else None
        found[int(uid.group(1))] = Envelope(int(uid.group(1)), int(size.group(1)) if size else 0, stamp)
    return [found[uid] for uid in uids if uid in found]


def fetch(client: imaplib.IMAP4, uid: int, *, headers_only: bool = False) -> bytes:
    """The message's bytes; ``BODY.PEEK`` leaves it unread until we have
    committed what it became."""
    part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
    status, data = client.uid("FETCH", str(uid), f"({part})")
    if status != "OK":
        raise MailboxError(_("Server menolak mengambil pesan %(uid)s: %(error)s") % {"uid": uid, "error": data})
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return b""


def mark_seen(client: imaplib.IMAP4, uids: list[int]) -> None:
    if uids:
        client.uid("STORE", ",".join(map(str, uids)), "+FLAGS.SILENT", "(\\Seen)")
