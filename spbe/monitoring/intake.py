"""Alerts from the monitoring tools a Pemda already runs (O-4 → O-2).

Prometheus Alertmanager (webhook payload version 4) and Zabbix or any tool
able to POST JSON send their alerts here; each source authenticates with a
token of which only the SHA-256 hash is kept. An alert is the same alert
when its source, fingerprint and start are the same, so a resent
notification changes nothing but ``received_count``.

A firing alert on a service of the catalog (label ``service`` = the
service's code within the source's Pemda, else the source's default
service) opens one complaint with reporting method *Pemantauan*, or adds a
note to the open one, exactly as a confirmed outage does
(``spbe.monitoring.outages``): never two monitoring complaints on one
service. A resolved alert writes the recovery to the complaint's timeline.
An alert on no known service is kept and reported back as unmatched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from spbe.audit.models import AuditAction
from spbe.audit.record import record
from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.desk import actions
from spbe.desk.choices import Impact, ReportingMethod, TicketKind, TimelineKind
from spbe.monitoring.models import Alert, AlertSource
from spbe.monitoring.outages import MONITOR_NAME, in_maintenance, open_monitoring_complaint

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "spbe_alert_"
# Severities that mean the service fails for its users: impact Mayor (P-2).
# Prometheus rules use critical; Zabbix High and Disaster.
MAJOR_SEVERITIES = frozenset({"critical", "disaster", "high"})
MAX_ALERTS = 1000  # per request; Alertmanager groups rarely hold more
FIRING_WORDS = frozenset({"firing", "problem", "1", "true", "trigger", "triggered", "alert"})
RESOLVED_WORDS = frozenset({"resolved", "ok", "0", "false", "recovery", "recovered"})


# --- Tokens and sources ------------------------------------------------------------------


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def source_for_token(token: str) -> AlertSource | None:
    """The source holding this token. The lookup is by hash, so timing
    reveals nothing about the token itself."""
    if not token or len(token) > 200:
        return None
    return AlertSource.objects.select_related("pemda", "default_service").filter(token_hash=hash_token(token)).first()


def create_source(actor, *, pemda, name: str, kind: str, default_service: Service | None) -> tuple[AlertSource, str]:
    """A new source and its token, which is shown once and never stored."""
    token = new_token()
    with transaction.atomic():
        source = AlertSource.objects.create(
            pemda=pemda, name=name, kind=kind, default_service=default_service, token_hash=hash_token(token)
        )
        changes = {"name": [None, name], "kind": [None, kind], "default_service": [None, str(default_service or "")]}
        record(actor=actor, action=AuditAction.CREATE, target=source, pemda=pemda, changes=changes)
    return source, token


def delete_source(actor, source: AlertSource) -> None:
    """Its token stops working at once; the alerts it sent go with it."""
    with transaction.atomic():
        record(actor=actor, action=AuditAction.DELETE, target=source, pemda=source.pemda,
               changes={"name": [source.name, None]})  # fmt: skip
        source.delete()


# --- Payloads ----------------------------------------------------------------------------------


class PayloadError(Exception):
    """The payload cannot be taken; ``field`` names the culprit."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class Incoming:
    """One alert as read from a payload, before it touches the database."""

    fingerprint: str
    firing: bool
    starts_at: datetime | None  # None: not sent (generic JSON); matched by fingerprint
    ends_at: datetime | None
    name: str
    summary: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    severity: str = ""
    service_code: str = ""
    pd_code: str = ""
    url: str = ""

    @property
    def impact(self) -> str:
        return Impact.MAYOR if self.severity.strip().lower() in MAJOR_SEVERITIES else Impact.MINOR


def load_json(body: bytes):
    """The body as JSON, or a PayloadError the sender can act on."""
    if not body.strip():
        raise PayloadError("body", _("Isi permintaan kosong; kirim JSON."))
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise PayloadError("body", _("Isi permintaan bukan JSON yang sah.")) from None


def _clean(text: str) -> str:
    """Without what a database refuses: NUL characters and lone surrogates
    (JSON's "\\ud800" decodes to one)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _text(value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    return _clean(value).strip()[:limit]


def _labels(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(where, _("Harus berupa objek JSON."))
    return {_clean(str(key))[:100]: _text(item, 500) for key, item in list(value.items())[:100]}


def _fingerprint(value, labels: dict[str, str]) -> str:
    text = _text(value, 1000)
    if not text:  # Alertmanager's own fingerprint is a hash of the labels too
        text = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]
    # the column holds 100 characters; a longer id is kept as its hash
    return text if len(text) <= 100 else hashlib.sha256(text.encode()).hexdigest()


def _instant(value, where: str, tz: ZoneInfo, *, required: bool) -> datetime | None:
    """RFC 3339 / ISO 8601, Unix seconds, or Zabbix's ``YYYY.MM.DD HH:MM:SS``;
    without a zone, the Pemda's local time. Go's zero time means "none"."""
    if value is None or value == "":
        if required:
            raise PayloadError(where, _("Wajib diisi."))
        return None
    moment = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            moment = None
    elif isinstance(value, str):
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return _instant(float(text), where, tz, required=required)
        if len(text) >= 10 and text[4] == "." and text[7] == ".":  # Zabbix {EVENT.DATE}
            text = text[:10].replace(".", "-") + text[10:]
        try:
            moment = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            moment = None
    if moment is None:
        raise PayloadError(where, _("Bukan tanggal-waktu yang sah; pakai ISO 8601, mis. 2026-11-20T08:50:00+07:00."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment.year <= 1:
        return None
    return moment


def _one_alert_list(payload, *, key: str = "alerts") -> list:
    if not isinstance(payload, Mapping):
        raise PayloadError("body", _("Isi permintaan harus objek JSON."))
    alerts = payload.get(key)
    if alerts is None:
        raise PayloadError(key, _("Wajib diisi: daftar peringatan."))
    if not isinstance(alerts, list):
        raise PayloadError(key, _("Harus berupa daftar (array) peringatan."))
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(key, _("Paling banyak %(max)d peringatan per kiriman.") % {"max": MAX_ALERTS})
    return alerts


def parse_alertmanager(payload, tz: ZoneInfo) -> list[Incoming]:
    """Alertmanager's webhook payload (version 4): ``alerts[]`` with
    ``status``, ``labels``, ``annotations``, ``startsAt``, ``endsAt``,
    ``fingerprint`` and ``generatorURL``. ``labels.service`` names the
    service by its catalog code, ``labels.severity`` sets the impact."""
    incoming = []
    for index, alert in enumerate(_one_alert_list(payload)):
        where = f"alerts[{index}]"
        if not isinstance(alert, Mapping):
            raise PayloadError(where, _("Harus berupa objek JSON."))
        status = alert.get("status")
        if status in (None, ""):
            raise PayloadError(f"{where}.status", _("Wajib diisi: firing atau resolved."))
        if status not in ("firing", "resolved"):
            raise PayloadError(f"{where}.status", _("Harus firing atau resolved."))
        if "labels" not in alert:
            raise PayloadError(f"{where}.labels", _("Wajib diisi."))
        labels = _labels(alert["labels"], f"{where}.labels")
        annotations = _labels(alert.get("annotations"), f"{where}.annotations")
        starts_at = _instant(alert.get("startsAt"), f"{where}.startsAt", tz, required=True)
        if starts_at is None:
            raise PayloadError(f"{where}.startsAt", _("Wajib diisi."))
        firing = status == "firing"
        ends_at = None if firing else _instant(alert.get("endsAt"), f"{where}.endsAt", tz, required=False)
        summary = annotations.get("summary") or annotations.get("description") or annotations.get("message", "")
        url = _text(alert.get("generatorURL"), 500)
        incoming.append(Incoming(
            fingerprint=_fingerprint(alert.get("fingerprint"), labels), firing=firing, starts_at=starts_at,
            ends_at=ends_at, name=(labels.get("alertname") or _("Peringatan tanpa nama"))[:200], summary=summary,
            labels=labels, severity=labels.get("severity", ""), service_code=labels.get("service", ""),
            pd_code=labels.get("pd", ""), url=url if url.startswith(("http://", "https://")) else "",
        ))  # fmt: skip
    return incoming


def _first(alert: Mapping, *names: str):
    for name in names:
        value = alert.get(name)
        if value not in (None, ""):
            return value
    return None


def _tags(value) -> dict[str, str]:
    """Zabbix tags: ``{"service": "DUK-01"}`` or ``{EVENT.TAGSJSON}``'s
    ``[{"tag": "service", "value": "DUK-01"}]``."""
    if isinstance(value, Mapping):
        return _labels(value, "tags")
    if isinstance(value, list):
        pairs = {}
        for item in value[:100]:
            if isinstance(item, Mapping) and item.get("tag"):
                pairs[_text(item["tag"], 100)] = _text(item.get("value"), 500)
        return pairs
    return {}


def parse_generic(payload, tz: ZoneInfo) -> list[Incoming]:
    """Zabbix or any JSON: one alert object, a list of them, or
    ``{"alerts": [...]}``. Fields (the first present name wins):

    * ``id`` / ``fingerprint`` / ``event_id`` / ``eventid`` — required;
    * ``status`` — required: ``firing``/``PROBLEM``/``1`` or ``resolved``/``OK``/``0``;
    * ``name`` / ``title`` / ``subject`` / ``alertname`` — required;
    * ``summary`` / ``message`` / ``description`` — optional;
    * ``service`` — the service's code in the catalog (else ``tags.service``,
      ``labels.service``, or the source's default service); ``pd`` — the
      PD's abbreviation, when two PDs use the same code;
    * ``severity`` — ``critical``, ``disaster`` or ``high`` ⇒ impact Mayor;
    * ``started_at`` / ``ended_at`` — ISO 8601, Unix seconds or Zabbix's
      ``YYYY.MM.DD HH:MM:SS`` (no zone = the Pemda's local time); without
      ``started_at`` the alert is matched to the last one with its id;
    * ``labels`` / ``tags`` — objects kept with the alert; ``url`` — a link.
    """
    if isinstance(payload, list):
        items, prefix = payload, ""
        if len(items) > MAX_ALERTS:
            raise PayloadError("body", _("Paling banyak %(max)d peringatan per kiriman.") % {"max": MAX_ALERTS})
    elif isinstance(payload, Mapping) and "alerts" in payload:
        items, prefix = _one_alert_list(payload), "alerts"
    elif isinstance(payload, Mapping):
        items, prefix = [payload], None
    else:
        raise PayloadError("body", _("Isi permintaan harus objek JSON atau daftar objek."))
    if not items:
        raise PayloadError(prefix or "body", _("Tidak ada peringatan dalam kiriman ini."))
    incoming = []
    for index, alert in enumerate(items):
        where = "" if prefix is None else f"{prefix}[{index}]."
        if not isinstance(alert, Mapping):
            raise PayloadError(where.rstrip(".") or "body", _("Harus berupa objek JSON."))
        labels = {**_tags(alert.get("tags")), **_labels(alert.get("labels"), f"{where}labels")}
        fingerprint = _first(alert, "id", "fingerprint", "event_id", "eventid")
        if fingerprint is None:
            raise PayloadError(f"{where}id", _("Wajib diisi: id atau fingerprint peringatan."))
        status = _text(alert.get("status"), 40).lower()
        if not status:
            raise PayloadError(f"{where}status", _("Wajib diisi: firing/PROBLEM atau resolved/OK."))
        if status not in FIRING_WORDS | RESOLVED_WORDS:
            raise PayloadError(f"{where}status", _("Harus firing/PROBLEM atau resolved/OK."))
        name = _text(_first(alert, "name", "title", "subject", "alertname"), 200)
        if not name:
            raise PayloadError(f"{where}name", _("Wajib diisi: nama peringatan."))
        firing = status in FIRING_WORDS
        starts_at = _instant(_first(alert, "started_at", "startsAt"), f"{where}started_at", tz, required=False)
        ends_at = None
        if not firing:
            ends_at = _instant(_first(alert, "ended_at", "endsAt"), f"{where}ended_at", tz, required=False)
        url = _text(alert.get("url"), 500)
        incoming.append(Incoming(
            fingerprint=_fingerprint(fingerprint, labels), firing=firing, starts_at=starts_at, ends_at=ends_at,
            name=name, summary=_text(_first(alert, "summary", "message", "description"), 5000), labels=labels,
            severity=_text(_first(alert, "severity", "priority") or labels.get("severity"), 40),
            service_code=_text(alert.get("service") or labels.get("service"), 30),
            pd_code=_text(alert.get("pd") or labels.get("pd"), 30),
            url=url if url.startswith(("http://", "https://")) else "",
        ))  # fmt: skip
    return incoming


# --- Receiving -------------------------------------------------------------------------------------


class Outcome:
    OPENED = "opened"  # a new complaint
    NOTED = "noted"  # added to the open monitoring complaint of the service
    RESOLVED = "resolved"  # recovery written to the complaint's timeline
    DUPLICATE = "duplicate"  # seen before: only counted
    UNMATCHED = "unmatched"  # no service of the catalog: kept, no complaint
    MAINTENANCE = "maintenance"  # the service is in a maintenance window: silenced
    STORED = "stored"  # kept without a complaint (service not active, resolved unseen alert)


@dataclass
class Received:
    alert: Alert
    outcome: str
    reason: str = ""

    def as_json(self) -> dict:
        ticket = self.alert.ticket
        data = {
            "fingerprint": self.alert.fingerprint,
            "status": "firing" if self.alert.firing else "resolved",
            "outcome": self.outcome,
            "service": self.alert.service.code if self.alert.service_id else None,
            "ticket": ticket.number if ticket is not None else None,
        }
        if self.reason:
            data["reason"] = self.reason
        return data


def resolve_service(source: AlertSource, item: Incoming) -> tuple[Service | None, str]:
    """The service named by the alert in the source's Pemda, else the
    source's default service; with the reason when there is none."""
    if item.service_code:
        services = Service.objects.filter(pd__pemda_id=source.pemda_id).select_related("pd__pemda")
        found = list(services.filter(code=item.service_code)[:5]) or list(
            services.filter(code__iexact=item.service_code)[:5]
        )
        if len(found) > 1 and item.pd_code:
            found = [s for s in found if s.pd.abbreviation.lower() == item.pd_code.lower()]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, _("Kode layanan %(code)s dipakai lebih dari satu PD; tambahkan label pd.") % {
                "code": item.service_code}  # fmt: skip
        if source.default_service_id is None:
            return None, _("Kode layanan %(code)s tidak ada di katalog Pemda ini.") % {"code": item.service_code}
    if source.default_service_id is not None:
        return source.default_service, ""
    return None, _("Peringatan tidak menyebut layanan dan sumber ini tidak punya layanan bawaan.")


def _known_start(source: AlertSource, item: Incoming, now: datetime) -> datetime:
    """No start sent: the alert with this id still firing (or, for a
    recovery, the last one), else a new alert starting now."""
    last = Alert.objects.filter(source=source, fingerprint=item.fingerprint).order_by("-starts_at").first()
    if last is not None and (last.firing or not item.firing):
        return last.starts_at
    return now


def receive(source: AlertSource, items: list[Incoming], now: datetime | None = None) -> list[Received]:
    """Store the alerts and open, update or note their complaints. Each
    alert in its own transaction: a resend after a failure is idempotent."""
    now = now or timezone.now()
    results = [_receive_one(source, item, now) for item in items]
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    logger.info("alert intake", extra={"source": source.pk, "pemda": source.pemda_id, "outcomes": counts})
    return results


def _receive_one(source: AlertSource, item: Incoming, now: datetime) -> Received:
    service, reason = resolve_service(source, item)
    with transaction.atomic():
        starts_at = item.starts_at
        if starts_at is None:
            # Copies of one event without a start (a Zabbix retry) arrive
            # together: each waits for the one before it, so it finds that
            # one's alert instead of starting another (issue 14).
            AlertSource.objects.select_for_update().only("pk").get(pk=source.pk)
            starts_at = _known_start(source, item, now)
        if service is not None:
            # the same lock as outages.judge_service: one complaint per service
            service = Service.objects.select_for_update().select_related("pd__pemda").get(pk=service.pk)
        alert = (
            Alert.objects.select_for_update(of=("self",))  # PostgreSQL locks no nullable outer-joined row
            .select_related("service", "ticket")
            .filter(source=source, fingerprint=item.fingerprint, starts_at=starts_at)
            .first()
        )
        if alert is None:
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(
                        source=source, fingerprint=item.fingerprint, starts_at=starts_at, ends_at=item.ends_at,
                        firing=item.firing, name=item.name, summary=item.summary, labels=item.labels, service=service,
                    )  # fmt: skip
            except IntegrityError:  # the same alert, delivered twice at once
                alert = Alert.objects.select_related("service", "ticket").get(
                    source=source, fingerprint=item.fingerprint, starts_at=starts_at
                )
                return _count(alert, now)
            if not item.firing:
                return Received(alert, Outcome.STORED if service else Outcome.UNMATCHED, reason)
            if service is None:
                return Received(alert, Outcome.UNMATCHED, reason)
            return _raise(source, alert, item, service, now)
        if alert.firing == item.firing:
            counted = _count(alert, now)
            if alert.firing and alert.ticket_id is None and alert.service_id is not None:
                # still firing after a maintenance window ended (or the service
                # became active): the complaint it could not open then
                late_service = Service.objects.select_for_update().select_related("pd__pemda")
                late = _raise(source, alert, item, late_service.get(pk=alert.service_id), now)
                if late.outcome in (Outcome.OPENED, Outcome.NOTED):
                    return late
            return counted
        # the state changed: firing → resolved, or firing again
        alert.firing, alert.ends_at = item.firing, item.ends_at or (None if item.firing else now)
        alert.received_count += 1
        alert.summary = item.summary or alert.summary
        if alert.service_id is None and service is not None:
            alert.service = service
        alert.save(update_fields=["firing", "ends_at", "received_count", "summary", "service", "last_received_at"])
        if not item.firing:
            return _recover(source, alert, now)
        if alert.service is None:
            return Received(alert, Outcome.UNMATCHED, reason)
        return _raise(source, alert, item, alert.service, now)


def _count(alert: Alert, now: datetime) -> Received:
    Alert.objects.filter(pk=alert.pk).update(received_count=F("received_count") + 1, last_received_at=now)
    alert.received_count += 1
    return Received(alert, Outcome.DUPLICATE)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


def _description(source: AlertSource, alert: Alert, item: Incoming) -> str:
    lines = [_("Peringatan %(name)s dari %(source)s sejak %(time)s.") % {
        "name": alert.name, "source": source.name, "time": _local(alert.starts_at)}]  # fmt: skip
    if item.severity:
        lines.append(_("Tingkat keparahan: %(severity)s.") % {"severity": item.severity})
    if alert.summary:
        lines.append(alert.summary)
    if item.url:
        lines.append(item.url)
    return "\n".join(lines)


def _raise(source: AlertSource, alert: Alert, item: Incoming, service: Service, now: datetime) -> Received:
    """A firing alert on a service: note it on the service's open monitoring
    complaint, or open one (the rule of ``outages._begin``)."""
    if in_maintenance(service, now):
        return Received(alert, Outcome.MAINTENANCE, _("Layanan sedang dalam jadwal pemeliharaan."))
    ticket = open_monitoring_complaint(service)
    if ticket is not None:  # never a second complaint for the same service
        actions.note(ticket, TimelineKind.MONITORING, None, _("Peringatan baru: %(text)s") % {
            "text": _description(source, alert, item)}, at=now, alert=alert.pk)  # fmt: skip
        if item.impact == Impact.MAYOR and ticket.impact != Impact.MAYOR:
            reason = _("Peringatan %(name)s dengan tingkat keparahan %(severity)s.") % {
                "name": alert.name, "severity": item.severity}  # fmt: skip
            actions.set_impact(None, ticket, Impact.MAYOR, reason)
        outcome = Outcome.NOTED
    elif service.lifecycle != Lifecycle.ACTIVE:
        return Received(alert, Outcome.STORED, _("Layanan belum aktif; aduan tidak dibuat."))
    else:
        try:
            ticket = actions.open_ticket(
                actor=None, service=service, kind=TicketKind.COMPLAINT, reporter=actions.Reporter(MONITOR_NAME),
                subject=(_("%(service)s: %(alert)s") % {"service": service.name, "alert": alert.name})[:200],
                description=_description(source, alert, item), reporting_method=ReportingMethod.MONITORING,
                reported_at=min(alert.starts_at, now, timezone.now()), impact=item.impact, category=_("Pemantauan"),
            )  # fmt: skip
        except DjangoValidationError as error:
            logger.warning("alert intake could not open a complaint", extra={"alert": alert.pk, "error": str(error)})
            return Received(alert, Outcome.STORED, "; ".join(error.messages))
        outcome = Outcome.OPENED
    alert.ticket = ticket
    alert.save(update_fields=["ticket", "last_received_at"])
    return Received(alert, outcome)


def _recover(source: AlertSource, alert: Alert, now: datetime) -> Received:
    ticket = alert.ticket
    if ticket is None:
        return Received(alert, Outcome.STORED if alert.service_id else Outcome.UNMATCHED)
    ended = alert.ends_at or now
    minutes = max(0, int((ended - alert.starts_at).total_seconds() // 60))
    actions.note(ticket, TimelineKind.MONITORING, None,
                 _("Peringatan %(name)s dari %(source)s selesai pada %(time)s setelah %(minutes)d menit.") % {
                     "name": alert.name, "source": source.name, "time": _local(ended), "minutes": minutes},
                 at=now, alert=alert.pk)  # fmt: skip
    return Received(alert, Outcome.RESOLVED)
