"""Reading one e-mail message: who sent it, to whom, what it says, its
attachments, whether a machine sent it (RFC 3834) and which ticket it
continues. Pure functions of the message's bytes, no database.

Everything here tolerates broken mail: a missing header, an unknown
charset or a malformed date gives a fallback, never an exception."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import PurePath

from django.utils.html import strip_tags

from spbe.mail.choices import IgnoreReason

# "[YK-2026-000123]" anywhere in the subject; the prefix is the pack's ticket_prefix
TICKET_NUMBER = re.compile(r"\[([A-Z][A-Z0-9]{0,9}-\d{4}-\d{6})\]")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|balas|bls|tr|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
PRECEDENCE_IGNORED = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
# "On Mon, 1 Dec 2026 at 10:00, Budi <budi@…> wrote:" / "Pada Sen, 1 Des 2026 … menulis:"
ATTRIBUTION = re.compile(r"^(on|pada)\b.*(wrote|menulis)\s*:\s*$", re.IGNORECASE)
ATTRIBUTION_START = re.compile(r"^(on|pada)\s", re.IGNORECASE)
QUOTE_SEPARATORS = ("-----original message-----", "-----pesan asli-----", "-----pesan awal-----")
OUTLOOK_SEPARATOR = re.compile(r"^_{20,}$")
MAX_BODY_CHARS = 50_000


@dataclass
class Attachment:
    name: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the address, lower case; "" when the From header has none
    sender_name: str
    recipients: list[str]
    subject: str
    body: str
    in_reply_to: str
    references: list[str]
    sent_at: datetime | None
    attachments: list[Attachment] = field(default_factory=list)
    automatic: IgnoreReason | None = None
    automatic_detail: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references) if ref not in ids]


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot decode
        value = ""
    return str(value or "").strip()


def _ids(text: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", text or "")


def fallback_message_id(message: EmailMessage, raw: bytes) -> str:
    """A stable stand-in for a message without a Message-ID: a hash of what
    identifies it (sender, recipients, date, subject, the body's bytes)."""
    digest = hashlib.sha256()
    for name in ("From", "To", "Cc", "Date", "Subject"):
        digest.update(_header(message, name).encode("utf-8", "replace") + b"\0")
    body_start = raw.find(b"\r\n\r\n")
    body_start = raw.find(b"\n\n") if body_start < 0 else body_start
    digest.update(raw[body_start:] if body_start >= 0 else raw)
    return f"<sha256.{digest.hexdigest()[:48]}@tanpa-message-id>"


def automatic_reason(message: EmailMessage, sender: str) -> tuple[IgnoreReason, str] | None:
    """Was this sent by a machine? RFC 3834 (``Auto-Submitted``), the
    de-facto ``Precedence``, ``X-Autoreply``/``X-Autorespond`` and
    Microsoft's ``X-Auto-Response-Suppress``; bounces (RFC 3464 delivery
    reports, MAILER-DAEMON/postmaster, an empty Return-Path)."""
    content_type = message.get_content_type()
    if content_type == "multipart/report":
        return IgnoreReason.BOUNCE, f"Content-Type: {content_type}"
    local = sender.partition("@")[0]
    if local in BOUNCE_SENDERS:
        return IgnoreReason.BOUNCE, f"From: {sender}"
    return_path = _header(message, "Return-Path")
    if return_path.replace(" ", "") == "<>":
        return IgnoreReason.BOUNCE, "Return-Path: <>"
    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip().lower() != "no":
        return IgnoreReason.AUTO_REPLY, f"Auto-Submitted: {auto_submitted[:60]}"
    precedence = _header(message, "Precedence").lower()
    if precedence in PRECEDENCE_IGNORED:
        return IgnoreReason.AUTO_REPLY, f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if message.get(name) is not None:
            return IgnoreReason.AUTO_REPLY, f"{name}: {_header(message, name)[:60]}"
    return None


def _text_of(part) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if not isinstance(content, str):
        content = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
    if part.get_content_type() == "text/html":
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", content)
        content = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", "", content)
        content = strip_tags(content)
        content = re.sub(r"&nbsp;", " ", content)
        content = re.sub(r"\n\s*\n\s*\n+", "\n\n", content)
    return content.replace("\r\n", "\n").strip()


def _body_and_attachments(message: EmailMessage) -> tuple[str, list[Attachment]]:
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body_part = None
    body = _text_of(body_part) if body_part is not None else ""
    attachments = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        name = part.get_filename()
        if not name:
            continue
        name = PurePath(str(name).replace("\\", "/")).name.strip()[:150] or "lampiran"
        attachments.append(Attachment(name=name, content=part.get_payload(decode=True) or b""))
    return body[:MAX_BODY_CHARS], attachments


def parse(raw: bytes) -> ParsedMail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    name, address = parseaddr(_header(message, "From"))
    sender = address.strip().lower() if "@" in address else ""
    recipients = []
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        values = [str(v) for v in (message.get_all(header) or [])]
        recipients += [addr.strip().lower() for _name, addr in getaddresses(values) if "@" in addr]
    try:
        sent_at = parsedate_to_datetime(_header(message, "Date")) if _header(message, "Date") else None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError, IndexError):
        sent_at = None
    message_ids = _ids(_header(message, "Message-ID"))
    body, attachments = _body_and_attachments(message)
    in_reply_to = _ids(_header(message, "In-Reply-To"))
    auto = automatic_reason(message, sender)
    return ParsedMail(
        message_id=message_ids[0][:255] if message_ids else fallback_message_id(message, raw),
        sender=sender[:254], sender_name=name.strip()[:150], recipients=list(dict.fromkeys(recipients)),
        subject=" ".join(_header(message, "Subject").split())[:250], body=body,
        in_reply_to=in_reply_to[0][:255] if in_reply_to else "", references=_ids(_header(message, "References"))[-20:],
        sent_at=sent_at, attachments=attachments, automatic=auto[0] if auto else None,
        automatic_detail=auto[1] if auto else "",
    )  # fmt: skip


def ticket_numbers(subject: str) -> list[str]:
    return TICKET_NUMBER.findall(subject or "")


def clean_subject(subject: str) -> str:
    """The subject of a new ticket: without "Re:"/"Fwd:" and ticket numbers."""
    text = TICKET_NUMBER.sub("", subject or "")
    return " ".join(REPLY_PREFIX.sub("", text).split())


def strip_quoted(text: str) -> str:
    """The new words of a reply: stops at the "On … wrote:" / "Pada …
    menulis:" line (also when a mail client wrapped it over two lines) or an
    Outlook "Original Message" separator, and drops lines quoted with '>'.
    Returns the whole text when that would leave nothing."""
    lines = text.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        lowered = stripped.lower()
        if ATTRIBUTION.match(stripped):
            break
        if ATTRIBUTION_START.match(stripped) and index + 1 < len(lines):
            joined = f"{stripped} {lines[index + 1].strip()}"
            if ATTRIBUTION.match(joined):
                break
        if lowered in QUOTE_SEPARATORS or OUTLOOK_SEPARATOR.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return result or text.strip()
