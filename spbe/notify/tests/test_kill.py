"""The kill test, short (issue 14, item 6; bench/kill.py is the long one):
while clients create complaints through the API, a gunicorn worker and the
Celery worker are killed with SIGKILL and the worker is started again.
Afterwards every complaint answered with 201 exists once, ticket numbers do
not repeat and every outbox message was delivered exactly once.

Real processes on the suite's PostgreSQL test database and Redis broker
(its own queue), so it runs in the PostgreSQL + Redis pass of `make test`
only; e-mail goes to bench/kill_settings.py's backend, one file per
accepted message."""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import message_id_of

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent  # the virtualenv running the suite
CLAIM_SECONDS = 4
LOAD_SECONDS = 12
CLIENTS = 4


def _broker_up() -> bool:
    url = urllib.parse.urlsplit(os.environ.get("CELERY_BROKER_URL", ""))
    if url.scheme != "redis":
        return False
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


# Selected only by the PostgreSQL + Redis pass of `make test` (spbe/testrun.py).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _real_services():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not _broker_up():
        pytest.fail("run with DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (the second pass of make test)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class App:
    """gunicorn (2 workers) and a Celery worker on the test database, each in its own process group."""

    def __init__(self, tmp: Path) -> None:
        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        database = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
        self.queue = f"kill-test-{uuid.uuid4().hex[:8]}"
        self.mail = tmp / "mail"
        self.port = free_port()
        (tmp / "prometheus").mkdir()
        self.env = {
            **os.environ, "DATABASE_URL": database, "DATABASE_CONN_MAX_AGE": "60",
            "DJANGO_SETTINGS_MODULE": "kill_settings", "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
            "KILL_MAIL_DIR": str(self.mail), "KILL_QUEUE": self.queue, "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"), "SPBE_VAR_DIR": str(tmp), "LOG_LEVEL": "WARNING",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the test's sessions are signed with it
            "KILL_MAIL_LATENCY": "0.1",
        }  # fmt: skip
        self.log = open(tmp / "processes.log", "ab")  # noqa: SIM115  (closed in stop())
        self.web = self._start([str(BIN / "gunicorn"), "spbe.wsgi", "--bind", f"127.0.0.1:{self.port}",
                                "--workers", "2", "--threads", "2", "--graceful-timeout", "3"])  # fmt: skip
        self.worker = self.start_worker()

    def _start(self, cmd: list[str]) -> subprocess.Popen:
        return subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip

    def start_worker(self) -> subprocess.Popen:
        return self._start([str(BIN / "celery"), "-A", "spbe", "worker", "--concurrency", "2", "--loglevel",
                            "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"])  # fmt: skip

    def kill_web_worker(self) -> None:
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        os.kill(int(random.choice(children)), signal.SIGKILL)

    def kill_worker_while_sending(self) -> int:
        """SIGKILL to the worker and its pool while a message is being sent (the mail server answers after
        0.1 s), the moment a crash used to strand a message: the number of messages left claimed by the dead
        worker. On a busy machine the kill can come just too late; the worker is then started and killed again."""
        sending = OutboxMessage.objects.filter(status=OutboxStatus.SENDING)
        for _attempt in range(5):
            deadline = time.monotonic() + 10
            while not sending.exists():
                assert time.monotonic() < deadline, "no message was being sent"
                time.sleep(0.005)
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
            stranded = sending.count()  # no worker runs now: these were claimed by the dead one
            if stranded:
                return stranded
            self.worker = self.start_worker()
        raise AssertionError("the kill never came while a message was being sent")

    def deliver_outbox(self) -> None:
        """What beat does every minute, sent to this test's queue."""
        from celery import Celery

        with Celery(broker=settings.CELERY_BROKER_URL) as app:
            app.send_task("spbe.notify.tasks.deliver_outbox", queue=self.queue)

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()
        import redis

        # Nothing of this queue stays in the suite's broker, not even the tasks the killed worker held.
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        broker.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        for tag, held in broker.hgetall("unacked").items():
            if json.loads(held)[2] == self.queue:  # [message, exchange, routing key]
                broker.hdel("unacked", tag)
                broker.zrem("unacked_index", tag)


def signed_in(user) -> dict[str, str]:
    """Cookie and CSRF headers of a session of ``user`` (saved in the test database)."""
    client = Client()
    client.force_login(user, backend="spbe.org.backends.AccountBackend")
    token = uuid.uuid4().hex
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}"
    return {"Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/json"}


def post(url: str, payload: dict, headers: dict[str, str]) -> tuple[int | None, dict]:
    request = urllib.request.Request(url, json.dumps(payload).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (OSError, http.client.HTTPException):  # cut off by the kill: the outcome is unknown
        return None, {}


def wait_until_up(app: App, headers: dict[str, str], seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{app.port}/api/v1/me/", headers=headers)
            urllib.request.urlopen(request, timeout=5).read()
            return
        except urllib.error.HTTPError as error:
            raise AssertionError(f"the test's session is refused: HTTP {error.code}") from None
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start")


def test_killed_web_and_celery_workers_lose_and_repeat_nothing(world, kritis_public, tmp_path):  # noqa: F811
    headers = signed_in(world.tegal_admin)
    app = App(tmp_path)
    acknowledged, refused, unknown = {}, Counter(), 0
    lock, stop = threading.Lock(), threading.Event()

    def create() -> None:
        nonlocal unknown
        while not stop.is_set():
            marker = uuid.uuid4().hex
            status, body = post(f"http://127.0.0.1:{app.port}/api/v1/tickets/", {
                "kind": "complaint", "service": kritis_public.pk, "impact": "minor", "reporting_method": "email",
                "reporter_name": "Warga Uji", "reporter_email": f"{marker}@warga.test", "subject": "Uji bunuh",
                "description": f"kill-test {marker}"}, headers)  # fmt: skip
            with lock:
                if status == 201:
                    acknowledged[marker] = body["number"]
                elif status is None:
                    unknown += 1
                else:
                    refused[status] += 1

    try:
        wait_until_up(app, headers)
        clients = [threading.Thread(target=create) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        started = time.monotonic()
        time.sleep(LOAD_SECONDS * 0.25)
        app.kill_web_worker()
        time.sleep(LOAD_SECONDS * 0.15)
        stranded = app.kill_worker_while_sending()
        time.sleep(LOAD_SECONDS * 0.2)
        app.worker = app.start_worker()
        time.sleep(max(2.0, started + LOAD_SECONDS - time.monotonic()))
        stop.set()
        for thread in clients:
            thread.join()
        deadline = time.monotonic() + CLAIM_SECONDS + 40
        waiting = OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])
        while waiting.exists() and time.monotonic() < deadline:
            app.deliver_outbox()
            time.sleep(2)
    finally:
        app.stop()

    assert acknowledged and not refused, (len(acknowledged), refused)
    stored = Counter(description.split()[1] for description in Ticket.objects.values_list("description", flat=True))
    numbers = dict(Ticket.objects.values_list("description", "number"))
    assert {marker: stored[marker] for marker in acknowledged} == dict.fromkeys(acknowledged, 1)
    assert {marker: numbers[f"kill-test {marker}"] for marker in acknowledged} == acknowledged
    assert Ticket.objects.count() <= len(acknowledged) + unknown  # a cut-off request may or may not have committed
    assert len(set(Ticket.objects.values_list("number", flat=True))) == Ticket.objects.count()

    messages = list(OutboxMessage.objects.all())
    assert len(messages) == 2 * Ticket.objects.count()  # the reporter's and the administrator's
    delivered = Counter(
        str(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Message-ID"])
        for path in app.mail.glob("*.eml")
    )
    assert {m.pk: (m.status, delivered[message_id_of(m)]) for m in messages} == {
        m.pk: (OutboxStatus.SENT, 1) for m in messages
    }
    assert sum(delivered.values()) == len(messages)
    assert stranded and sum(1 for m in messages if m.attempts > 1) >= stranded  # stranded, then sent once
