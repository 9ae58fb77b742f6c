"""Checks against real local servers (O-4, issue 6 items 1–3): what each
probe reports, down only after N failures in a row, one complaint per
outage with the right priority, recovery on the ticket's timeline, the
component → service impact, maintenance silencing, slots never run twice,
rollups."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from django.utils import timezone

from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication
from spbe.desk.choices import ReportingMethod, TimelineKind
from spbe.desk.models import Ticket
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring import runner
from spbe.monitoring.choices import CheckStatus, ServiceState
from spbe.monitoring.models import Check, CheckResult, CheckRollup, MaintenanceWindow, Outage
from spbe.monitoring.probes import http_failure
from spbe.monitoring.rollups import roll_up_recent
from spbe.monitoring.tests.servers import DnsServer, Target, TlsTarget, free_port


@pytest.fixture
def target():
    server = Target().start()
    yield server
    server.stop()


def make_check(subject, **fields) -> Check:
    data = {"name": "Cek", "kind": "http", "interval_seconds": 60, "timeout_seconds": 2, "retries": 1}
    data.update(fields)
    key = {"Service": "service", "Application": "application", "Component": "component"}[type(subject).__name__]
    return Check.objects.create(pemda_id=subject.pd.pemda_id, pd=subject.pd, **{key: subject}, **data)


def run_due(now=None):
    """What a worker does for one dispatch: claim every due check, probe, store."""
    now = now or timezone.now()
    Check.objects.filter(enabled=True).update(next_run_at=now - timedelta(seconds=1))
    return runner.run_claimed(runner.claim(now=now))[0]


def outcome_of(check, now=None):
    (outcome,) = [o for o in run_due(now) if o.check_id == check.pk]
    check.refresh_from_db()
    return outcome


def test_http_probe_reports_status_keyword_and_latency(world, kritis_public, target):  # noqa: F811
    ok = make_check(kritis_public, name="Beranda", target=target.url, keyword="berjalan")
    missing = make_check(kritis_public, name="Kata kunci", target=target.url, keyword="Selamat datang")
    assert outcome_of(ok).ok and ok.status == CheckStatus.UP and ok.last_latency_ms is not None
    missing.refresh_from_db()
    assert missing.status == CheckStatus.DOWN and "Selamat datang" in missing.last_error
    target.status = 503
    assert outcome_of(ok).error == "Kode status 503"
    target.status, target.delay = 200, 0.3
    slow = make_check(kritis_public, name="Lambat", target=target.url, latency_threshold_ms=100)
    assert outcome_of(slow).error.startswith("Lambat:")


def test_bad_targets_are_recorded_as_what_they_are(world, kritis_public, target, tmp_path):  # noqa: F811
    """Issue 6, Bad input: malformed URL, nothing listening, TLS refused, a
    slow-loris and a huge body: recorded, bounded in time, no crash."""
    closed = free_port()
    checks = {
        "url": make_check(kritis_public, name="url", target="htp:/rusak"),
        "refused": make_check(kritis_public, name="refused", target=f"http://127.0.0.1:{closed}/"),
        "tcp": make_check(kritis_public, name="tcp", kind="tcp", target=f"127.0.0.1:{closed}"),
    }
    tls = TlsTarget(tmp_path)
    checks["tls"] = make_check(kritis_public, name="tls", kind="tls", target=f"127.0.0.1:{tls.port}")
    checks["https"] = make_check(kritis_public, name="https", target=f"https://127.0.0.1:{tls.port}/")
    started = timezone.now()
    outcomes = {o.check_id: o for o in run_due()}
    tls.stop()
    error = {name: outcomes[check.pk].error for name, check in checks.items()}
    assert error["url"].startswith("Alamat tidak valid")
    assert error["refused"].startswith("Tidak dapat terhubung")
    assert error["tcp"].startswith("Tidak dapat terhubung ke 127.0.0.1")
    assert error["tls"].startswith("TLS: sertifikat ditolak") and error["https"].startswith("TLS:")
    assert (timezone.now() - started).total_seconds() < 5

    target.slow_body = True
    loris = make_check(kritis_public, name="loris", target=target.url, timeout_seconds=1, keyword="kata")
    clock = timezone.now()
    assert outcome_of(loris).error == "Batas waktu 1 detik habis"
    assert (timezone.now() - clock).total_seconds() < 4
    target.slow_body, target.body = False, b"x" * (8 * 1024 * 1024) + b"kata"
    huge = make_check(kritis_public, name="besar", target=target.url, keyword="kata")
    assert "tidak ditemukan" in outcome_of(huge).error  # only the first megabyte is read


def test_tcp_dns_and_heartbeat(world, kritis_public, target):  # noqa: F811
    dns_server = DnsServer({"layanan.tegalkab.go.id": "10.1.2.3"})
    try:
        tcp = make_check(kritis_public, name="tcp", kind="tcp", target=f"127.0.0.1:{target.port}")
        good = make_check(kritis_public, name="dns", kind="dns", dns_expected="10.1.2.3",
                          target=f"layanan.tegalkab.go.id@127.0.0.1:{dns_server.port}")  # fmt: skip
        wrong = make_check(kritis_public, name="dns salah", kind="dns", dns_expected="10.9.9.9",
                           target=f"layanan.tegalkab.go.id@127.0.0.1:{dns_server.port}")  # fmt: skip
        server = f"127.0.0.1:{dns_server.port}"
        missing = make_check(kritis_public, name="nx", kind="dns", target=f"tidak.ada.go.id@{server}")
        beat = make_check(kritis_public, name="cadangan", kind="heartbeat", target="", interval_seconds=3600)
        outcomes = {o.check_id: o for o in run_due()}
    finally:
        dns_server.stop()
    assert outcomes[tcp.pk].ok and outcomes[good.pk].ok
    assert "diharapkan 10.9.9.9" in outcomes[wrong.pk].error
    assert "NXDOMAIN" in outcomes[missing.pk].error
    assert outcomes[beat.pk].error == "Belum pernah menerima detak"


def test_heartbeat_ping_keeps_the_check_up(world, kritis_public, client, time_machine):  # noqa: F811
    beat = make_check(kritis_public, name="cadangan", kind="heartbeat", target="", interval_seconds=3600)
    response = client.post(f"/pemantauan/detak/{beat.heartbeat_token}/")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert outcome_of(beat).ok
    assert client.get("/pemantauan/detak/salah/").json()["ok"] is False
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=10))  # an hour and more of silence
    assert outcome_of(beat).error == "Tidak ada detak selama 70 menit"


def test_down_after_retries_opens_one_complaint_and_recovery_is_recorded(world, kritis_public, target):  # noqa: F811
    """Issue 6 item 3 and "Done when": the outage is confirmed after the
    retries, opens exactly one complaint (method monitoring, Mayor: every
    check of the service fails → Prioritas 1 on a critical public service),
    and the recovery is written on its timeline."""
    check = make_check(kritis_public, name="Adminduk daring", target=target.url, retries=2)
    assert outcome_of(check).ok
    target.stop()
    outcome_of(check)
    assert check.status == CheckStatus.FAILING and not Outage.objects.exists()  # one failure is not an outage
    outcome_of(check)
    assert check.status == CheckStatus.DOWN
    outage = Outage.objects.get()
    ticket = outage.ticket
    assert (ticket.reporting_method, ticket.impact, ticket.priority) == (ReportingMethod.MONITORING, "mayor", 1)
    assert outage.state == ServiceState.DOWN and "Adminduk daring" in outage.cause
    outcome_of(check)  # still down: nothing new
    assert Ticket.objects.count() == 1 and Outage.objects.count() == 1
    target.start()
    outcome_of(check)
    outage.refresh_from_db()
    assert check.status == CheckStatus.UP and outage.ended_at is not None
    assert ticket.timeline.filter(kind=TimelineKind.MONITORING, message__startswith="Layanan pulih").exists()

    target.stop()  # down again while the complaint is still open: a note, not a second complaint
    outcome_of(check), outcome_of(check)
    assert Ticket.objects.count() == 1 and Outage.objects.count() == 2
    assert ticket.timeline.filter(message__startswith="Gangguan terdeteksi lagi").exists()


def test_partial_failure_is_minor_and_worsening_raises_the_priority(world, kritis_public, target):  # noqa: F811
    page = make_check(kritis_public, name="Beranda", target=target.url)
    api = make_check(kritis_public, name="API", target=f"http://127.0.0.1:{free_port()}/")
    run_due()
    outage = Outage.objects.get()
    assert outage.state == ServiceState.DEGRADED and outage.ticket.impact == "minor"
    assert outage.ticket.priority == 3  # Minor × Layanan Publik × Kritis (Tegal Tabel 3)
    target.stop()
    run_due()
    outage.refresh_from_db()
    outage.ticket.refresh_from_db()
    assert outage.state == ServiceState.DOWN and (outage.ticket.impact, outage.ticket.priority) == ("mayor", 1)
    assert {page.pk, api.pk} == set(Check.objects.filter(status=CheckStatus.DOWN).values_list("pk", flat=True))


def test_a_failing_component_marks_dependent_services_affected(world, kritis_public, target):  # noqa: F811
    make_check(kritis_public, name="Beranda", target=target.url)
    switch = Component.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, name="Core switch", kind="network")
    server = Component.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, name="Server aplikasi", kind="vm")
    ComponentDependency.objects.create(component=server, depends_on=switch)
    app = Application.objects.create(pd=world.tegal_dukcapil, name="SIAK")
    app.components.add(server)
    ServiceApplication.objects.create(service=kritis_public, application=app)
    make_check(switch, name="Ping switch", kind="tcp", target=f"127.0.0.1:{free_port()}")
    run_due()
    outage = Outage.objects.get(service=kritis_public)
    assert outage.state == ServiceState.DEGRADED and "Ping switch" in outage.cause


def test_maintenance_silences_checks_and_opens_nothing(world, kritis_public, target):  # noqa: F811
    check = make_check(kritis_public, name="Beranda", target=target.url)
    now = timezone.now()
    window = MaintenanceWindow.objects.create(pemda=world.tegal, title="Migrasi server", starts_at=now - timedelta(
        minutes=5), ends_at=now + timedelta(hours=1))  # fmt: skip
    window.services.add(kritis_public)
    target.stop()
    outcome_of(check)
    assert check.status == CheckStatus.MAINTENANCE and not Outage.objects.exists() and not Ticket.objects.exists()


def test_a_slot_is_claimed_once_and_checks_are_spread(world, kritis_public, target):  # noqa: F811
    checks = [make_check(kritis_public, name=f"Cek {n}", target=target.url) for n in range(30)]
    now = timezone.now()
    assert runner.schedule_new(now) == 30
    offsets = {(c.next_run_at - now).total_seconds() for c in Check.objects.all()}
    assert len(offsets) > 10 and all(0 <= offset < 60 for offset in offsets)  # spread over the interval
    later = now + timedelta(seconds=61)
    first, second = runner.claim(now=later), runner.claim(now=later)
    assert len(first) == 30 and second == []
    assert all(c.next_run_at > later for c in Check.objects.all())
    much_later = later + timedelta(minutes=10)  # a worker that fell behind skips missed slots
    assert len(runner.claim(now=much_later)) == 30 and runner.claim(now=much_later) == []
    assert len(checks) == Check.objects.filter(next_run_at__gt=much_later,
                                               next_run_at__lte=much_later + timedelta(seconds=60)).count()  # fmt: skip


def test_rollups_summarise_and_are_idempotent(world, kritis_public, settings):  # noqa: F811
    check = make_check(kritis_public, name="Beranda", target="http://127.0.0.1:1/")
    now = timezone.now().replace(minute=30)
    CheckResult.objects.bulk_create(
        [CheckResult(check_ref=check, at=now - timedelta(minutes=m), ok=m % 4 != 0, latency_ms=100 + m)
         for m in range(20)]
    )  # fmt: skip
    roll_up_recent(now)
    roll_up_recent(now)
    hours = CheckRollup.objects.filter(check_ref=check, granularity="hour")
    assert sum(r.total for r in hours) == 20 and sum(r.ok for r in hours) == 15
    assert max(r.latency_max_ms for r in hours) == 119
    day = CheckRollup.objects.get(check_ref=check, granularity="day")
    assert (day.total, day.ok) == (20, 15)
    settings.MONITORING_RAW_RETENTION_DAYS = 0
    CheckResult.objects.create(check_ref=check, at=now - timedelta(days=3), ok=True)
    assert roll_up_recent(now)["pruned"] == 1


def test_an_unconfirmed_failure_is_retried_soon(world, kritis_public):  # noqa: F811
    """A failure not yet confirmed (retries = 3) is tried again after
    RETRY_SECONDS, not a whole interval later, so an outage is confirmed
    within the interval."""
    check = make_check(kritis_public, name="Beranda", target=f"http://127.0.0.1:{free_port()}/", retries=3,
                       interval_seconds=300)  # fmt: skip
    outcome = outcome_of(check)
    assert check.status == CheckStatus.FAILING
    assert check.next_run_at == outcome.started + timedelta(seconds=runner.RETRY_SECONDS)


def test_http_failures_read_the_same_for_checks_and_utilisation_scrapes():
    """One wording of aiohttp's errors (probes.http_failure) serves the
    checks and the node_exporter scrapes; an error it does not know keeps
    its own name."""
    assert http_failure(aiohttp.InvalidURL("htp:/x")) == "Alamat tidak valid: htp:/x"
    assert http_failure(aiohttp.ServerDisconnectedError()) == "Server memutus sambungan"
    assert http_failure(aiohttp.ClientError("aneh")) == "ClientError: aneh"
