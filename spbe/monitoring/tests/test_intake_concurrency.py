"""One alert delivered many times at once (issue 14, item 6): Alertmanager
and Zabbix resend a notification when an answer is slow, so copies arrive
together. Ten copies posted at the same moment over HTTP give one alert and
one complaint.

On PostgreSQL the copies run concurrently against the live server, each on
its own database connection. On SQLite the test database is one in-memory
connection shared by the live server's threads, so the copies are posted one
after another; a real SQLite installation serialises writers anyway
(``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.db import connection

from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring.models import Alert
from spbe.monitoring.tests.test_intake import AM_URL, WEBHOOK_URL, am_alert, am_payload, source  # noqa: F401

COPIES = 10


def deliver_at_once(url: str, token: str, payload: dict, copies: int = COPIES) -> list[tuple[int, dict]]:
    """POST ``payload`` ``copies`` times, released together on PostgreSQL; the (status, body) of each."""
    body = json.dumps(payload).encode()
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(copies if concurrent else 1)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def post() -> None:
        request = urllib.request.Request(url, body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})  # fmt: skip
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            answer = (error.code, {"error": error.read().decode(errors="replace")})
        with lock:
            answers.append(answer)

    if concurrent:
        threads = [threading.Thread(target=post) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(copies):
            post()
    return answers


@pytest.mark.django_db(transaction=True)
def test_one_alertmanager_payload_ten_times_at_once_is_one_alert_and_one_complaint(
    live_server,
    source,  # noqa: F811
    kritis_public,  # noqa: F811
):
    answers = deliver_at_once(live_server.url + AM_URL, source.token, am_payload(am_alert()))
    assert [status for status, _body in answers] == [200] * COPIES, answers
    outcomes = Counter(body["alerts"][0]["outcome"] for _status, body in answers)
    assert outcomes == {"opened": 1, "duplicate": COPIES - 1}
    complaint = Ticket.objects.get(service=kritis_public, reporting_method="monitoring")
    assert {body["alerts"][0]["ticket"] for _status, body in answers} == {complaint.number}
    alert = Alert.objects.get()
    assert (alert.ticket, alert.received_count) == (complaint, COPIES)
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_zabbix_event_without_a_start_ten_times_at_once_is_one_alert(
    live_server,
    source,  # noqa: F811
    kritis_public,  # noqa: F811
):
    """Without ``started_at`` an event is matched by its id to the alert
    still firing: copies arriving together must find the first one."""
    event = {"id": "4711", "status": "PROBLEM", "name": "Disk /var hampir penuh", "severity": "High",
             "service": "DUK-01", "message": "Sisa 4%"}  # fmt: skip
    answers = deliver_at_once(live_server.url + WEBHOOK_URL, source.token, event)
    assert [status for status, _body in answers] == [200] * COPIES, answers
    outcomes = Counter(body["alerts"][0]["outcome"] for _status, body in answers)
    assert outcomes == {"opened": 1, "duplicate": COPIES - 1}
    alert = Alert.objects.get()
    assert alert.received_count == COPIES
    assert Ticket.objects.get(service=kritis_public, reporting_method="monitoring") == alert.ticket
