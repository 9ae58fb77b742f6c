"""Alert intake (O-4 → O-2): Alertmanager's and Zabbix's webhooks open one
monitoring complaint per service with the priority of the pack (P-2),
resent alerts change nothing, recoveries go to the timeline, and every
refusal is JSON (401, 400, 413), never a 500. The staff pages of alert
sources: the token shown once, for the coordinator and Diskominfo's
infrastructure staff only."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from spbe.audit.models import AuditEvent
from spbe.catalog.models import Service
from spbe.desk.choices import TicketStatus, TimelineKind
from spbe.desk.models import Ticket, TimelineEvent
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring import intake
from spbe.monitoring.models import Alert, AlertSource, MaintenanceWindow

AM_URL = "/api/v1/pemantauan/alertmanager/"
WEBHOOK_URL = "/api/v1/pemantauan/webhook/"
WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=True)


@pytest.fixture
def source(world, kritis_public):  # noqa: F811
    """Tegal's Alertmanager and its token."""
    created, token = intake.create_source(
        world.tegal_coordinator, pemda=world.tegal, name="Alertmanager Pusat Data", kind="alertmanager",
        default_service=None,
    )  # fmt: skip
    created.token = token
    return created


def am_alert(name="SitusLayananMati", *, status="firing", service="DUK-01", severity="critical",
             fingerprint="5f1e2d3c4b5a6978", starts="2026-11-20T08:50:12.345678901Z",
             ends="0001-01-01T00:00:00Z") -> dict:  # fmt: skip
    labels = {"alertname": name, "instance": "https://adminduk.tegalkab.go.id", "job": "blackbox"}
    if service:
        labels["service"] = service
    if severity:
        labels["severity"] = severity
    return {
        "status": status, "labels": labels,
        "annotations": {"summary": "Situs Adminduk tidak menjawab", "description": "probe_success == 0 selama 3m"},
        "startsAt": starts, "endsAt": ends, "fingerprint": fingerprint,
        "generatorURL": "http://prometheus.tegalkab.go.id:9090/graph?g0.expr=probe_success+%3D%3D+0",
    }  # fmt: skip


def am_payload(*alerts: dict) -> dict:
    """Alertmanager's webhook body (version 4), as it sends it."""
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {
        "version": "4", "groupKey": '{}/{severity="critical"}:{alertname="SitusLayananMati"}',
        "truncatedAlerts": 0, "status": status, "receiver": "layanan-spbe",
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {"job": "blackbox"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager.tegalkab.go.id:9093", "alerts": list(alerts),
    }  # fmt: skip


def send(client, source, payload, url=AM_URL, token=None):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json",
                       headers={"Authorization": f"Bearer {token or source.token}"})  # fmt: skip


def monitoring_tickets(service):
    return Ticket.objects.filter(service=service, reporting_method="monitoring")


# --- Alertmanager ----------------------------------------------------------------------------------


def test_a_firing_alert_opens_one_complaint_with_the_pack_priority(client, source, kritis_public):  # noqa: F811
    response = send(client, source, am_payload(am_alert()))
    assert response.status_code == 200
    body = response.json()
    assert body["received"] == 1 and body["unmatched"] == 0
    (result,) = body["alerts"]
    assert result["outcome"] == "opened" and result["service"] == "DUK-01"
    ticket = monitoring_tickets(kritis_public).get()
    assert result["ticket"] == ticket.number
    # critical ⇒ Mayor; Mayor × Layanan Publik × Kritis → Prioritas 1 (Tegal Tabel 3)
    assert (ticket.kind, ticket.impact, ticket.priority) == ("complaint", "mayor", 1)
    assert ticket.reporter_name == "Pemantauan otomatis" and ticket.status == TicketStatus.NEW
    assert ticket.reported_at == datetime(2026, 11, 20, 8, 50, 12, 345678, tzinfo=ZoneInfo("UTC"))
    assert "Situs Adminduk tidak menjawab" in ticket.description
    alert = Alert.objects.get()
    assert (alert.source, alert.service, alert.ticket, alert.firing) == (source, kritis_public, ticket, True)
    assert alert.labels["instance"] == "https://adminduk.tegalkab.go.id"


def test_the_same_payload_again_changes_nothing(client, source, kritis_public):  # noqa: F811
    payload = am_payload(am_alert())
    send(client, source, payload)
    events = TimelineEvent.objects.count()
    again = send(client, source, payload)
    assert again.status_code == 200 and again.json()["alerts"][0]["outcome"] == "duplicate"
    assert monitoring_tickets(kritis_public).count() == 1
    assert TimelineEvent.objects.count() == events
    alert = Alert.objects.get()
    assert alert.received_count == 2


def test_a_resolved_alert_writes_the_recovery_to_the_timeline(client, source, kritis_public):  # noqa: F811
    send(client, source, am_payload(am_alert()))
    resolved = am_alert(status="resolved", ends="2026-11-20T08:58:12Z")
    response = send(client, source, am_payload(resolved))
    assert response.json()["alerts"][0]["outcome"] == "resolved"
    ticket = monitoring_tickets(kritis_public).get()
    note = ticket.timeline.filter(kind=TimelineKind.MONITORING).get()
    assert "selesai" in note.message and "setelah 7 menit" in note.message
    alert = Alert.objects.get()
    assert not alert.firing and alert.ends_at == datetime(2026, 11, 20, 8, 58, 12, tzinfo=ZoneInfo("UTC"))
    # recovery is written down; resolving the complaint stays with the staff (O-2)
    assert ticket.status == TicketStatus.NEW
    # and Alertmanager resending the resolved alert is only counted
    assert send(client, source, am_payload(resolved)).json()["alerts"][0]["outcome"] == "duplicate"
    assert ticket.timeline.filter(kind=TimelineKind.MONITORING).count() == 1


def test_a_second_alert_on_the_service_is_noted_on_the_same_complaint(client, source, kritis_public):  # noqa: F811
    send(client, source, am_payload(am_alert("LatensiTinggi", severity="warning", fingerprint="aa01")))
    ticket = monitoring_tickets(kritis_public).get()
    assert (ticket.impact, ticket.priority) == ("minor", 3)
    response = send(client, source, am_payload(am_alert("SitusLayananMati", fingerprint="bb02")))
    assert response.json()["alerts"][0] == {
        "fingerprint": "bb02", "status": "firing", "outcome": "noted", "service": "DUK-01", "ticket": ticket.number,
    }  # fmt: skip
    assert monitoring_tickets(kritis_public).count() == 1
    ticket.refresh_from_db()
    # the critical alert makes the complaint Mayor: the priority follows (P-2)
    assert (ticket.impact, ticket.priority) == ("mayor", 1)
    note = ticket.timeline.filter(kind=TimelineKind.MONITORING).get()
    assert "SitusLayananMati" in note.message
    assert set(Alert.objects.values_list("ticket", flat=True)) == {ticket.pk}


def test_an_outage_complaint_is_reused_not_doubled(client, source, kritis_public):  # noqa: F811
    """A complaint opened by the checks (outages.py) takes the alert too."""
    from spbe.monitoring.choices import ServiceState
    from spbe.monitoring.outages import _begin

    outage = _begin(kritis_public, ServiceState.DOWN, "HTTP: Kode status 502", NOW)
    response = send(client, source, am_payload(am_alert()))
    assert response.json()["alerts"][0]["outcome"] == "noted"
    assert monitoring_tickets(kritis_public).get() == outage.ticket


def test_an_alert_on_an_unknown_service_is_kept_as_unmatched(client, source, kritis_public):  # noqa: F811
    response = send(client, source, am_payload(am_alert(service="TIDAK-ADA"), am_alert(service="", fingerprint="c3")))
    assert response.status_code == 200
    body = response.json()
    assert body["unmatched"] == 2 and {a["outcome"] for a in body["alerts"]} == {"unmatched"}
    assert "TIDAK-ADA" in body["alerts"][0]["reason"]
    assert Alert.objects.filter(service__isnull=True).count() == 2
    assert not Ticket.objects.exists()


def test_the_service_code_is_looked_up_in_the_source_pemda_only(client, world, source, kritis_public):  # noqa: F811
    Service.objects.create(
        pd=world.dukcapil, code="YOG-01", name="Layanan Yogya", description="-", group="layanan_publik",
        classification="kritis", access="web", availability_target="99.5", help_contact="-",
        support_hours="24x7", lifecycle="active", status="approved",
    )  # fmt: skip
    response = send(client, source, am_payload(am_alert(service="YOG-01")))
    assert response.json()["alerts"][0]["outcome"] == "unmatched"
    assert not Ticket.objects.exists()


def test_the_default_service_takes_alerts_without_a_service_label(client, source, kritis_public):  # noqa: F811
    source.default_service = kritis_public
    source.save()
    response = send(client, source, am_payload(am_alert(service="", severity="")))
    assert response.json()["alerts"][0]["outcome"] == "opened"
    assert monitoring_tickets(kritis_public).get().impact == "minor"  # no severity ⇒ Minor


def test_an_alert_in_a_maintenance_window_is_silenced(client, world, source, kritis_public):  # noqa: F811
    window = MaintenanceWindow.objects.create(
        pemda=world.tegal, title="Migrasi basis data", starts_at=datetime(2026, 11, 20, 15, 0, tzinfo=WIB),
        ends_at=datetime(2026, 11, 20, 17, 0, tzinfo=WIB),
    )  # fmt: skip
    window.services.add(kritis_public)
    assert send(client, source, am_payload(am_alert())).json()["alerts"][0]["outcome"] == "maintenance"
    assert not Ticket.objects.exists()


def test_still_firing_after_maintenance_opens_the_complaint(client, world, source, kritis_public, time_machine):  # noqa: F811
    window = MaintenanceWindow.objects.create(
        pemda=world.tegal, title="Migrasi", starts_at=datetime(2026, 11, 20, 15, 0, tzinfo=WIB),
        ends_at=datetime(2026, 11, 20, 16, 30, tzinfo=WIB),
    )  # fmt: skip
    window.services.add(kritis_public)
    send(client, source, am_payload(am_alert()))
    time_machine.move_to(datetime(2026, 11, 20, 16, 40, tzinfo=WIB))
    assert send(client, source, am_payload(am_alert())).json()["alerts"][0]["outcome"] == "opened"
    assert monitoring_tickets(kritis_public).count() == 1


# --- Zabbix / generic JSON ------------------------------------------------------------------------


def test_zabbix_problem_and_recovery(client, world, kritis_public):  # noqa: F811
    source, token = intake.create_source(None, pemda=world.tegal, name="Zabbix", kind="zabbix",
                                         default_service=None)  # fmt: skip
    problem = {"id": "4711", "status": "PROBLEM", "name": "Disk /var hampir penuh", "severity": "High",
               "tags": [{"tag": "service", "value": "DUK-01"}, {"tag": "scope", "value": "capacity"}],
               "started_at": "2026.11.20 15:50:00", "message": "Sisa 4%"}  # fmt: skip
    opened = send(client, source, problem, url=WEBHOOK_URL, token=token)
    assert opened.status_code == 200 and opened.json()["alerts"][0]["outcome"] == "opened"
    ticket = monitoring_tickets(kritis_public).get()
    assert ticket.priority == 1  # High ⇒ Mayor
    # Zabbix writes the Pemda's local time without a zone
    assert Alert.objects.get().starts_at == datetime(2026, 11, 20, 15, 50, tzinfo=WIB)
    assert Alert.objects.get().labels["scope"] == "capacity"
    recovery = {"id": "4711", "status": "RESOLVED", "name": "Disk /var hampir penuh"}  # no start: matched by id
    assert send(client, source, recovery, url=WEBHOOK_URL, token=token).json()["alerts"][0]["outcome"] == "resolved"
    assert ticket.timeline.filter(kind=TimelineKind.MONITORING).count() == 1
    assert Alert.objects.count() == 1


def test_generic_json_list_with_service_field(client, source, kritis_public):  # noqa: F811
    alerts = [{"fingerprint": "x1", "status": "firing", "title": "Antrean penuh", "service": "DUK-01"},
              {"fingerprint": "x2", "status": "firing", "title": "Lain", "service": "NOPE"}]  # fmt: skip
    body = send(client, source, {"alerts": alerts}, url=WEBHOOK_URL).json()
    assert [a["outcome"] for a in body["alerts"]] == ["opened", "unmatched"]
    assert body["unmatched"] == 1


# --- Refusals ----------------------------------------------------------------------------------------


def test_a_wrong_or_missing_token_is_401_in_indonesian(client, source, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = send(client, source, am_payload(am_alert()), token="spbe_alert_salah")
    assert wrong.status_code == 401
    assert wrong.json()["message"] == "Token sumber peringatan tidak dikenal atau sudah dihapus."
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    missing = client.post(AM_URL, data=json.dumps(am_payload(am_alert())), content_type="application/json")
    assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["message"]
    basic = client.post(AM_URL, data="{}", content_type="application/json", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    assert not Alert.objects.exists()
    # the right token is accepted, and never written to a log
    assert send(client, source, am_payload(am_alert())).status_code == 200
    assert all(source.token not in record.getMessage() and source.token not in str(record.__dict__)
               for record in caplog.records)  # fmt: skip


def test_no_session_and_no_csrf_token_needed(source, kritis_public):  # noqa: F811
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert send(strict, source, am_payload(am_alert())).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"version": "4", "status": "firing"}, "alerts"),
        ({"alerts": {"status": "firing"}}, "alerts"),
        ({"alerts": ["x"]}, "alerts[0]"),
        ({"alerts": [{"labels": {"alertname": "X"}, "startsAt": "2026-11-20T08:50:00Z"}]}, "alerts[0].status"),
        ({"alerts": [{"status": "pending", "labels": {}, "startsAt": "2026-11-20T08:50:00Z"}]}, "alerts[0].status"),
        ({"alerts": [{"status": "firing", "startsAt": "2026-11-20T08:50:00Z"}]}, "alerts[0].labels"),
        ({"alerts": [{"status": "firing", "labels": ["a"], "startsAt": "2026-11-20T08:50:00Z"}]}, "alerts[0].labels"),
        ({"alerts": [{"status": "firing", "labels": {"alertname": "X"}}]}, "alerts[0].startsAt"),
        ({"alerts": [{"status": "firing", "labels": {}, "startsAt": "kemarin sore"}]}, "alerts[0].startsAt"),
        ({"alerts": [{"status": "firing", "labels": {}, "startsAt": "0001-01-01T00:00:00Z"}]}, "alerts[0].startsAt"),
        ({"alerts": [{"status": "firing", "labels": {}, "startsAt": 1e300}]}, "alerts[0].startsAt"),
        ({"alerts": [am_alert(), {**am_alert(), "annotations": "teks"}]}, "alerts[1].annotations"),
    ],
)
def test_missing_or_wrong_fields_are_400_naming_the_field(client, source, payload, field):
    response = send(client, source, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field and field in body["message"]
    assert not Alert.objects.exists()  # nothing of a refused payload is kept


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "PROBLEM", "name": "X"}, "id"),
        ({"id": 1, "name": "X"}, "status"),
        ({"id": 1, "status": "maybe", "name": "X"}, "status"),
        ({"id": 1, "status": "OK"}, "name"),
        ({"id": 1, "status": "OK", "name": "X", "started_at": "20/11/2026"}, "started_at"),
        ([{"id": 1, "status": "OK", "name": "X"}, 5], "[1]"),
        ([{"id": 1, "status": "OK", "name": "X"}, {"id": 2, "status": "OK"}], "[1].name"),
        ({"alerts": [{"id": 1, "status": "OK"}]}, "alerts[0].name"),
        ([], "body"),
    ],
)
def test_generic_missing_fields_are_400_naming_the_field(client, source, payload, field):
    response = send(client, source, payload, url=WEBHOOK_URL)
    assert response.status_code == 400 and response.json()["field"] == field


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"null", b"42", b'"teks"', b"[1, 2", b"{'alerts': []}", b"\x00\xff\xfe garbage", b'{"a": "\\ud800"}',
     b"[" * 100_000, b'{"alerts": [' + b'{"status": "firing"},' * 3 + b"]}", b"<alerts/>"],
    ids=["empty", "blank", "null", "number", "string", "truncated", "python", "binary", "surrogate", "deep",
         "trailing-comma", "xml"],
)  # fmt: skip
@pytest.mark.parametrize("url", [AM_URL, WEBHOOK_URL])
def test_garbage_is_400_json_never_500(client, source, body, url):
    response = send(client, source, body, url=url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and response.json()["message"]


@pytest.mark.parametrize("url", [AM_URL, WEBHOOK_URL])
def test_text_a_database_refuses_is_cleaned_not_a_500(client, source, kritis_public, url):  # noqa: F811
    """JSON may carry NUL characters and lone surrogates; PostgreSQL and
    SQLite refuse both."""
    if url == AM_URL:
        alert = am_alert(name="Mati\u0000\ud800", fingerprint="f\u0000")
        alert["labels"]["x\ud800"] = "\ud800"
        body = json.dumps(am_payload(alert)).encode()
    else:
        body = b'{"id": "z\\u0000", "status": "firing", "name": "Mati\\ud800", "service": "DUK-01"}'
    response = send(client, source, body, url=url)
    assert response.status_code == 200
    assert Alert.objects.get().name == "Mati?"


def test_a_body_over_2_mb_is_413(client, source):
    huge = am_payload(*[am_alert(fingerprint=f"f{i}") for i in range(1)])
    huge["padding"] = "x" * (2 * 1024 * 1024)
    response = send(client, source, huge)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_too_many_alerts_are_refused(client, source):
    alerts = [am_alert(fingerprint=f"f{i}") for i in range(intake.MAX_ALERTS + 1)]
    assert send(client, source, am_payload(*alerts)).status_code == 400


def test_get_is_not_allowed(client, source):
    response = client.get(AM_URL, headers={"Authorization": f"Bearer {source.token}"})
    assert response.status_code == 405 and response.json()["message"]


# --- Staff pages ------------------------------------------------------------------------------------


def test_creating_a_source_shows_the_token_once_with_examples(world, login, kritis_public):  # noqa: F811
    client = login(world.tegal_coordinator)
    response = client.post("/pemantauan/sumber/baru/", {
        "pemda": world.tegal.pk, "name": "Alertmanager DC", "kind": "alertmanager",
        "default_service": kritis_public.pk})  # fmt: skip
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    source = AlertSource.objects.get()
    token = response.context["token"]
    assert token.startswith("spbe_alert_") and source.token_hash == intake.hash_token(token)
    page = response.content.decode()
    assert f"credentials: {token}" in page  # Alertmanager's http_config.authorization
    assert "webhook_configs" in page and "curl -sS -X POST" in page and "service: DUK-01" in page
    # only the hash is kept, in the source and in the audit trail
    assert token not in json.dumps(list(AuditEvent.objects.values("changes", "target_repr")))
    # and the token is never shown again
    detail = client.get(f"/pemantauan/sumber/{source.pk}/")
    assert detail.status_code == 200
    assert token not in detail.content.decode() and "&lt;TOKEN&gt;" in detail.content.decode()
    # it works
    source.token = token
    assert send(client, source, am_payload(am_alert())).status_code == 200


def test_the_source_list_shows_alert_counts_and_exports(world, login, source):
    client = login(world.tegal_coordinator)
    page = client.get("/pemantauan/sumber/")
    assert page.status_code == 200 and "Alertmanager Pusat Data" in page.content.decode()
    export = client.get("/pemantauan/sumber/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Belum ada sumber peringatan" in login(world.coordinator).get("/pemantauan/sumber/").content.decode()


def test_a_default_service_of_another_pemda_is_refused(world, login, kritis_public):  # noqa: F811
    data = {"pemda": world.yogya.pk, "name": "AM", "kind": "alertmanager", "default_service": kritis_public.pk}
    response = login(world.coordinator).post("/pemantauan/sumber/baru/", data)
    assert response.status_code == 400 and not AlertSource.objects.exists()


def test_deleting_a_source_revokes_its_token(world, login, source):
    client = login(world.tegal_coordinator)
    assert client.get(f"/pemantauan/sumber/{source.pk}/hapus/").status_code == 200
    assert client.post(f"/pemantauan/sumber/{source.pk}/hapus/").status_code == 302
    assert not AlertSource.objects.exists()
    assert AuditEvent.objects.filter(action="delete", target_type="monitoring.alertsource").exists()
    assert send(client, source, am_payload(am_alert())).status_code == 401


def test_source_pages_for_other_pemda_are_404(world, login, source):
    client = login(world.coordinator)  # Yogya's coordinator
    for url in (f"/pemantauan/sumber/{source.pk}/", f"/pemantauan/sumber/{source.pk}/hapus/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/pemantauan/sumber/{source.pk}/hapus/").status_code == 404
    assert AlertSource.objects.exists()
    assert "Alertmanager Pusat Data" not in client.get("/pemantauan/sumber/").content.decode()


@pytest.mark.parametrize("persona", ["tegal_admin", "owner_admin", "owner_head", "citizen"])
def test_source_pages_need_the_coordinator_or_diskominfo_infra_role(world, login, source, persona):
    client = login(getattr(world, persona))
    assert client.get("/pemantauan/sumber/").status_code == 403
    assert client.get("/pemantauan/sumber/baru/").status_code == 403
    assert client.get(f"/pemantauan/sumber/{source.pk}/").status_code == 403


def test_diskominfo_infra_staff_and_the_system_admin_manage_sources(world, login, source):
    assert login(world.vendor).get("/pemantauan/sumber/baru/").status_code == 200  # Admin Infra of Diskominfo Yogya
    assert login(world.vendor).get(f"/pemantauan/sumber/{source.pk}/").status_code == 404  # a Tegal source
    assert login(world.sysadmin).get(f"/pemantauan/sumber/{source.pk}/").status_code == 200


def test_anonymous_visitors_go_to_the_login_page(client, source):
    assert client.get("/pemantauan/sumber/").status_code == 302


def test_the_system_admin_chooses_the_pemda_and_its_service(world, login, kritis_public):  # noqa: F811
    client = login(world.sysadmin)
    data = {"pemda": world.yogya.pk, "name": "AM", "kind": "alertmanager", "default_service": kritis_public.pk}
    assert client.post("/pemantauan/sumber/baru/", data).status_code == 400  # a Tegal service for Yogya
    assert client.post("/pemantauan/sumber/baru/", {**data, "pemda": world.tegal.pk}).status_code == 200
    assert AlertSource.objects.get().pemda == world.tegal
