"""The kill test (issue 14, item 6): crashes lose nothing and duplicate nothing. Not a speed benchmark.

On a throw-away PostgreSQL database (``spbe_kill``, migrated and seeded with the demo data) and a Redis broker
(database 12, emptied first), it starts gunicorn (3 workers × 2 threads) and a Celery worker (prefork, 3 processes,
as in production) as subprocesses. Client threads create complaints through the API (``POST /api/v1/tickets/``,
session + CSRF), each with a unique marker in its description, for ``--seconds`` seconds. Meanwhile, in each of
``--rounds`` rounds, one gunicorn worker (a child of the master) is killed with SIGKILL (the master starts another)
and the Celery worker with its pool processes is killed with SIGKILL and started again.

E-mail goes to bench/kill_settings.py's backend: a mail server that answers after 50 ms and keeps each accepted
message as one file, so deliveries are counted per outbox message (by its Message-ID, else subject + recipients).
After the load, the outbox job that beat runs every minute (``deliver_outbox``) is sent every few seconds until no
message of the run is pending or claimed, or until a timeout.

Then one Alertmanager payload is posted 10 times at once, and one Zabbix event without a start time (matched by its
id) 10 times at once: one alert and one complaint each expected.

It prints the counts and exits 1 when an invariant fails:

* every complaint acknowledged with 201 exists exactly once (matched by its marker); none answered with an error
  was stored anyway; ticket numbers have no duplicates; every acknowledged complaint has its two outbox messages;
* every outbox message of the run is delivered exactly once (none lost, none twice, none unknown);
* the Alertmanager payload, and the Zabbix event, sent 10 times concurrently give one alert and one complaint each.

    .venv/bin/python bench/kill.py                     # 45 s of load, 2 kill rounds
    .venv/bin/python bench/kill.py --seconds 60 --rounds 3 --clients 8
    .venv/bin/python bench/kill.py --reuse             # keep the seeded database of an earlier run (faster)

The database is left in place; drop it with ``DROP DATABASE spbe_kill``.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import redis
from celery import Celery
from common import Client

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "spbe_kill"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
BROKER = "redis://127.0.0.1:6379/12"
PORT = 8767
VAR = ROOT / "var" / "bench-kill"
MAIL_DIR = VAR / "mail"
LOGS = VAR / "logs"
CLAIM_SECONDS = 15  # the outbox claim's lease in this bench (kill_settings.OUTBOX_CLAIM_SECONDS)
# Demo accounts of the throw-away database: an Administrator Layanan creates the complaints (the Koordinator SPBE
# must give a second factor), the coordinator of the same Pemda is recorded as the alert source's creator.
USER, COORDINATOR, PASSWORD = "admin.dukcapil@jogjakota.demo", "kominfo@jogjakota.demo", "SPBE-demo-2026"
MARKER = "kill-test"
OUTBOX_ID = re.compile(r"<outbox\.(\d+)\.")

SETUP = """
import json
from django.utils import timezone
from spbe.catalog.models import Service
from spbe.desk.forms import active_services
from spbe.monitoring import intake
from spbe.monitoring.outages import in_maintenance, open_monitoring_complaint
from spbe.org.models import User

service = active_services(User.objects.get(email="%(user)s")).order_by("pk").first()
pemda, now = service.pd.pemda, timezone.now()
quiet = [
    s.code for s in Service.objects.filter(pd__pemda=pemda, lifecycle="active").order_by("pk")
    if Service.objects.filter(pd__pemda=pemda, code=s.code).count() == 1
    and open_monitoring_complaint(s) is None and not in_maintenance(s, now)
][:2]
source, token = intake.create_source(User.objects.get(email="%(coordinator)s"), pemda=pemda,
                                     name="Alertmanager uji bunuh", kind="alertmanager", default_service=None)
print(json.dumps({"service": service.pk, "alert_services": quiet, "token": token}))
"""


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": BROKER,
        "SPBE_VAR_DIR": str(VAR),
        "DJANGO_SETTINGS_MODULE": "kill_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "KILL_MAIL_DIR": str(MAIL_DIR),
        "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "PROMETHEUS_MULTIPROC_DIR": str(VAR / "prometheus"),
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str, capture: bool = False) -> str:
    done = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=environment(), check=True,
                          capture_output=capture, text=True)  # fmt: skip
    return done.stdout if capture else ""


def prepare(reuse: bool) -> None:
    """The database (fresh unless ``reuse``), an empty broker, mailbox and metrics folder."""
    if not reuse:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            admin.execute(f"CREATE DATABASE {DB_NAME}")
        started = time.perf_counter()
        manage("migrate", "-v0")
        manage("seed_demo")
        print(f"database {DB_NAME}: migrated and seeded in {time.perf_counter() - started:.0f} s")
    else:
        manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    redis.Redis.from_url(BROKER).flushdb()
    for folder in (MAIL_DIR, VAR / "prometheus", LOGS):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


class Processes:
    """gunicorn and the Celery worker, each in its own process group, their output in var/bench-kill/logs."""

    def __init__(self) -> None:
        self.web = self._start("gunicorn", [str(BIN / "gunicorn"), "spbe.wsgi", "--bind", f"127.0.0.1:{PORT}",
                                            "--workers", "3", "--threads", "2", "--timeout", "30",
                                            "--graceful-timeout", "5"])  # fmt: skip
        self.worker = self.start_worker()
        self.worker_starts = 1

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115  (kept open by the child)
        return subprocess.Popen(cmd, cwd=ROOT, env=environment(), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip

    def start_worker(self) -> subprocess.Popen:
        return self._start("celery", [str(BIN / "celery"), "-A", "spbe", "worker", "--concurrency", "3",
                                      "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle",
                                      "--without-gossip"])  # fmt: skip

    def web_workers(self) -> list[int]:
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def kill_web_worker(self) -> int:
        pid = random.choice(self.web_workers())
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its pool processes at once, as the OOM killer or a lost machine does."""
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def restart_worker(self) -> None:
        self.worker = self.start_worker()
        self.worker_starts += 1

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/akun/masuk/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on {base} (see {LOGS / 'gunicorn.log'})")


def post(opener, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, bytes]:
    """The status and body; ``None`` when the connection broke (the outcome is unknown to the client)."""
    request = urllib.request.Request(url, body, headers={"Content-Type": "application/json", **headers})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, http.client.HTTPException):  # reset, refused, closed mid-answer, timeout
        return None, b""


@dataclass
class Load:
    acknowledged: dict[str, dict] = field(default_factory=dict)  # marker → the 201 answer
    refused: dict[str, int] = field(default_factory=dict)  # marker → HTTP status other than 201
    unknown: set[str] = field(default_factory=set)  # marker → connection broke
    first_refusal: str = ""  # the body of the first refusal, to see why
    lock: threading.Lock = field(default_factory=threading.Lock)


def create_complaints(client: Client, service: int, stop: threading.Event, load: Load) -> None:
    while not stop.is_set():
        marker = uuid.uuid4().hex
        payload = {
            "kind": "complaint", "service": service, "impact": random.choice(["mayor", "minor"]),
            "reporting_method": "email", "reporter_name": "Warga Uji", "reporter_email": f"{marker}@warga.test",
            "subject": "Aplikasi tidak bisa dibuka", "description": f"{MARKER} {marker}\nHalaman kosong sejak pagi.",
        }  # fmt: skip
        status, body = post(client.opener, f"{client.base}/api/v1/tickets/", json.dumps(payload).encode(),
                            {"X-CSRFToken": client.csrf, "Referer": client.base})  # fmt: skip
        with load.lock:
            if status == 201:
                load.acknowledged[marker] = json.loads(body)
            elif status is None:
                load.unknown.add(marker)
            else:
                load.refused[marker] = status
                load.first_refusal = load.first_refusal or body.decode(errors="replace")[:300]
        if status not in (201, None):
            time.sleep(0.2)


def run_load(procs: Processes, base: str, service: int, seconds: float, rounds: int, clients: int) -> Load:
    sessions = [Client(base, USER, PASSWORD) for _ in range(clients)]
    load, stop = Load(), threading.Event()
    threads = [threading.Thread(target=create_complaints, args=(c, service, stop, load)) for c in sessions]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    events = []
    for index in range(rounds):
        span = seconds / rounds
        events += [(span * (index + 0.3), "web"), (span * (index + 0.5), "kill worker"), (span * (index + 0.65),
                   "start worker")]  # fmt: skip
    for at, what in events:
        time.sleep(max(0.0, started + at - time.monotonic()))
        if what == "web":
            print(f"  {at:5.1f} s  SIGKILL gunicorn worker {procs.kill_web_worker()}", flush=True)
        elif what == "kill worker":
            procs.kill_worker()
            print(f"  {at:5.1f} s  SIGKILL Celery worker {procs.worker.pid} and its pool", flush=True)
        else:
            procs.restart_worker()
            print(f"  {at:5.1f} s  Celery worker started again ({procs.worker.pid})", flush=True)
    time.sleep(max(0.0, started + seconds - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join()
    return load


def drain(db: psycopg.Connection, since: datetime, timeout: float) -> float:
    """Send ``deliver_outbox`` (beat's one-minute job) every 3 s until no message of the run is pending or
    claimed; the seconds it took."""
    app = Celery(broker=BROKER)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        waiting = db.execute(
            "SELECT count(*) FROM notify_outboxmessage WHERE created >= %s AND status IN ('pending', 'sending')",
            (since,),
        ).fetchone()[0]
        if waiting == 0:
            break
        app.send_task("spbe.notify.tasks.deliver_outbox")
        time.sleep(3)
    return time.monotonic() - started


@dataclass
class Storm:
    name: str  # the alert's name, unique to this run
    statuses: Counter  # HTTP status → answers
    outcomes: Counter  # outcome of the alert → answers
    alerts: int = 0  # stored
    linked: int = 0  # complaints the alerts point to
    opened: int = 0  # monitoring complaints with the alert's name


def alert_storm(base: str, token: str, service_code: str, zabbix: bool, copies: int = 10) -> Storm:
    """One alert ``copies`` times at once: an Alertmanager payload, or a Zabbix event without a start (matched by
    its id to the alert still firing)."""
    storm = Storm(f"UjiBunuh{uuid.uuid4().hex[:8]}", Counter(), Counter())
    if zabbix:
        url = f"{base}/api/v1/pemantauan/webhook/"
        payload = {"id": uuid.uuid4().hex[:8], "status": "PROBLEM", "name": storm.name, "severity": "High",
                   "service": service_code, "message": "Sisa 4%"}  # fmt: skip
    else:
        url = f"{base}/api/v1/pemantauan/alertmanager/"
        starts = (datetime.now(UTC) - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        alert = {
            "status": "firing", "labels": {"alertname": storm.name, "service": service_code, "severity": "critical"},
            "annotations": {"summary": "Situs layanan tidak menjawab"}, "startsAt": starts,
            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": uuid.uuid4().hex[:16], "generatorURL": "",
        }  # fmt: skip
        payload = {"version": "4", "status": "firing", "receiver": "layanan-spbe", "alerts": [alert]}
    body = json.dumps(payload).encode()
    barrier, lock = threading.Barrier(copies), threading.Lock()
    opener = urllib.request.build_opener()

    def send() -> None:
        barrier.wait()
        status, answer = post(opener, url, body, {"Authorization": f"Bearer {token}"})
        with lock:
            storm.statuses[status] += 1
            if status == 200:
                storm.outcomes.update(a["outcome"] for a in json.loads(answer)["alerts"])

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return storm


def deliveries(rows: list[tuple]) -> tuple[Counter, int]:
    """Accepted messages per outbox row id, and how many match no row of the run."""
    by_pk = {row[0] for row in rows}
    by_address = {(row[3], ", ".join(row[4])): row[0] for row in rows}
    counted, stray = Counter(), 0
    for path in MAIL_DIR.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found = OUTBOX_ID.match(str(message["Message-ID"] or ""))
        pk = int(found.group(1)) if found else by_address.get((str(message["Subject"]), str(message["To"])))
        if pk in by_pk:
            counted[pk] += 1
        else:
            stray += 1
    return counted, stray


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=45, help="how long clients create complaints")
    parser.add_argument("--rounds", type=int, default=2, help="kill rounds (a gunicorn worker, then Celery)")
    parser.add_argument("--clients", type=int, default=6, help="concurrent API clients")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    args = parser.parse_args()

    prepare(args.reuse)
    printed = manage("shell", "-c", SETUP % {"user": USER, "coordinator": COORDINATOR}, capture=True)
    setup = json.loads(printed.strip().splitlines()[-1])
    base = f"http://127.0.0.1:{PORT}"
    db = psycopg.connect(DB_URL, autocommit=True)
    since = db.execute("SELECT now()").fetchone()[0]
    procs = Processes()
    try:
        wait_until_up(base)
        print(f"kill test: {args.clients} clients for {args.seconds:.0f} s, {args.rounds} kill rounds "
              f"(gunicorn 3×2, Celery prefork 3, PostgreSQL {DB_NAME}, Redis {BROKER})", flush=True)  # fmt: skip
        load = run_load(procs, base, setup["service"], args.seconds, args.rounds, args.clients)
        drained = drain(db, since, timeout=CLAIM_SECONDS + 120)
        storms = [alert_storm(base, setup["token"], code, zabbix) for code, zabbix in
                  zip(setup["alert_services"], (False, True), strict=True)]  # fmt: skip
        drain(db, since, timeout=CLAIM_SECONDS + 60)
    finally:
        procs.stop()

    stored = Counter()
    numbers = {}
    for number, description in db.execute(
        "SELECT number, description FROM desk_ticket WHERE description LIKE %s", (f"{MARKER} %",)
    ):
        marker = description.split()[1]
        stored[marker] += 1
        numbers[marker] = number
    acked = load.acknowledged
    acked_once = sum(1 for m in acked if stored[m] == 1)
    acked_missing = sum(1 for m in acked if stored[m] == 0)
    acked_more = sum(1 for m in acked if stored[m] > 1)
    wrong_number = sum(1 for m, answer in acked.items() if stored[m] and numbers[m] != answer["number"])
    refused_stored = sum(1 for m in load.refused if stored[m])
    unknown_stored = sum(1 for m in load.unknown if stored[m])
    duplicate_numbers = db.execute(
        "SELECT count(*) FROM (SELECT number FROM desk_ticket GROUP BY number HAVING count(*) > 1) d"
    ).fetchone()[0]
    unnumbered = db.execute("SELECT count(*) FROM desk_ticket WHERE number LIKE '~%%'").fetchone()[0]
    keys = {row[0] for row in db.execute("SELECT key FROM notify_outboxmessage WHERE created >= %s", (since,))}
    without_messages = sum(
        1 for answer in acked.values()
        if {f"ticket-{answer['id']}-opened-reporter", f"ticket-{answer['id']}-opened-admin"} - keys
    )  # fmt: skip

    rows = db.execute(
        'SELECT id, key, status, subject, "to", attempts FROM notify_outboxmessage WHERE created >= %s', (since,)
    ).fetchall()
    statuses = Counter(row[2] for row in rows)
    counted, stray = deliveries(rows)
    delivered_once = sum(1 for row in rows if counted[row[0]] == 1)
    never = sum(1 for row in rows if counted[row[0]] == 0)
    twice = sum(1 for row in rows if counted[row[0]] > 1)
    retried = sum(1 for row in rows if row[5] > 1)

    for storm in storms:
        storm.alerts, storm.linked = db.execute(
            "SELECT count(*), count(DISTINCT ticket_id) FROM monitoring_alert WHERE name = %s", (storm.name,)
        ).fetchone()
        storm.opened = db.execute(
            "SELECT count(*) FROM desk_ticket WHERE reporting_method = 'monitoring' AND subject LIKE %s",
            (f"%{storm.name}",),
        ).fetchone()[0]
    db.close()

    attempted = len(acked) + len(load.refused) + len(load.unknown)
    print(f"\ncomplaints: {attempted} attempted, {len(acked)} acknowledged with 201, {len(load.refused)} refused "
          f"({dict(Counter(load.refused.values()))}), {len(load.unknown)} cut off by a kill")  # fmt: skip
    if load.first_refusal:
        print(f"  first refusal: {load.first_refusal}")
    print(f"  acknowledged and stored exactly once:     {acked_once}")
    print(f"  acknowledged but missing:                 {acked_missing}")
    print(f"  acknowledged but stored more than once:   {acked_more}")
    print(f"  stored under another number than answered: {wrong_number}")
    print(f"  refused but stored anyway:                {refused_stored}")
    print(f"  cut off, stored (the client cannot know): {unknown_stored} of {len(load.unknown)}")
    print(f"  duplicate ticket numbers (whole table):   {duplicate_numbers}")
    print(f"  tickets left with a temporary number:     {unnumbered}")
    print(f"  acknowledged without their 2 messages:    {without_messages}")
    print(f"outbox messages of the run: {len(rows)} created, statuses {dict(statuses)}, drained in {drained:.0f} s")
    print(f"  delivered exactly once:                   {delivered_once}")
    print(f"  never delivered:                          {never}")
    print(f"  delivered more than once:                 {twice}")
    print(f"  deliveries matching no message:           {stray}")
    print(f"  claimed more than once (a worker died):   {retried}")
    print(f"  Celery worker starts:                     {procs.worker_starts}")
    for storm, label in zip(storms, ("alertmanager payload", "zabbix event without a start"), strict=True):
        print(f"{label} sent 10 times at once: HTTP {dict(storm.statuses)}, outcomes {dict(storm.outcomes)}")
        print(f"  alerts stored: {storm.alerts}, complaints linked: {storm.linked}, "
              f"monitoring complaints opened: {storm.opened}")  # fmt: skip

    failures = [
        text for text, bad in [
            ("no complaint was acknowledged", not acked),
            ("an acknowledged complaint is missing", acked_missing),
            ("an acknowledged complaint is stored twice", acked_more),
            ("a complaint is stored under another number than answered", wrong_number),
            ("a refused complaint was stored", refused_stored),
            ("duplicate ticket numbers", duplicate_numbers),
            ("a ticket kept its temporary number", unnumbered),
            ("an acknowledged complaint lacks its outbox messages", without_messages),
            ("an outbox message was never delivered", never),
            ("an outbox message was delivered more than once", twice),
            ("a delivery matches no outbox message", stray),
        ] if bad
    ]  # fmt: skip
    for storm in storms:
        failures += [
            f"{storm.name}: {text}" for text, bad in [
                ("the alert is not stored exactly once", storm.alerts != 1),
                ("the alert did not give exactly one complaint", storm.linked != 1 or storm.opened != 1),
                ("an alert delivery failed", storm.statuses.get(200, 0) != 10),
            ] if bad
        ]  # fmt: skip
    for text in failures:
        print(f"FAILED: {text}")
    print("kill test passed" if not failures else f"kill test FAILED ({len(failures)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
