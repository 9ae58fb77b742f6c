"""Utilisation of components (O-4, form item 3): node_exporter scraped
over real HTTP on 127.0.0.1, CPU and network from counter differences,
RAM and the fullest real filesystem, hourly averages and peaks, anomalies
beyond the thresholds, and endpoints that fail in every way a real one can
(refused, slow, 5xx, HTML, 6 MB) without stopping the others."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from spbe.cmdb.models import Component
from spbe.monitoring import utilisation
from spbe.monitoring.models import UtilisationSample, UtilisationTarget

FIXTURE = (Path(__file__).parent / "data" / "node_exporter.prom").read_text()
T0 = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)  # 10:10 WIB

# What happened on the machine in the minute between the two scrapes:
# every CPU spent 60 s; cpu0 45 s idle, cpu1 39 s → 84 of 120 idle → 30 % busy.
MINUTE = {
    'node_cpu_seconds_total{cpu="0",mode="idle"}': 45, 'node_cpu_seconds_total{cpu="0",mode="user"}': 10,
    'node_cpu_seconds_total{cpu="0",mode="system"}': 5, 'node_cpu_seconds_total{cpu="1",mode="idle"}': 39,
    'node_cpu_seconds_total{cpu="1",mode="user"}': 15, 'node_cpu_seconds_total{cpu="1",mode="system"}': 4,
    'node_cpu_seconds_total{cpu="1",mode="iowait"}': 2,
    # eth0 + eth1 received 6.6 MB, sent 1.2 MB; lo, docker0 and veth are not the network
    'node_network_receive_bytes_total{device="eth0"}': 6_000_000,
    'node_network_receive_bytes_total{device="eth1"}': 600_000,
    'node_network_transmit_bytes_total{device="eth0"}': 1_200_000,
    'node_network_receive_bytes_total{device="lo"}': 999_999_999,
    'node_network_transmit_bytes_total{device="lo"}': 999_999_999,
    'node_network_receive_bytes_total{device="docker0"}': 50_000_000,
    'node_network_transmit_bytes_total{device="veth3f9a2c1"}': 50_000_000,
}  # fmt: skip
# RAM 60 % → 80 %; /var/lib/pgsql 80 % → 90 %; the full tmpfs and overlay do not count
LATER_GAUGES = {
    "node_memory_MemAvailable_bytes": 1.640247296e09,
    'node_filesystem_avail_bytes{device="/dev/sdb1",device_error="",fstype="xfs",mountpoint="/var/lib/pgsql"}': (
        2.146435072e10
    ),
}


def changed(text: str, add: dict | None = None, put: dict | None = None) -> str:
    """The exposition text with counters advanced by ``add`` and gauges set
    by ``put`` (series written exactly as in the text)."""
    lines = []
    for line in text.splitlines():
        series, _, value = line.rpartition(" ")
        if add and series in add:
            line = f"{series} {float(value) + add[series]!r}"
        elif put and series in put:
            line = f"{series} {put[series]!r}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Exporter:
    """A node_exporter stand-in on 127.0.0.1 whose answer the test sets:
    ``body``, ``status``, ``delay``, and ``length`` (False: no
    Content-Length, the body ends when the connection closes)."""

    def __init__(self):
        self.port = free_port()
        self.body, self.status, self.delay, self.length = FIXTURE.encode(), 200, 0.0, True
        self.requests = 0
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                exporter.requests += 1
                time.sleep(exporter.delay)
                self.send_response(exporter.status)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                if exporter.length:
                    self.send_header("Content-Length", str(len(exporter.body)))
                self.end_headers()
                try:
                    for start in range(0, len(exporter.body), 1 << 20):
                        self.wfile.write(exporter.body[start : start + (1 << 20)])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the scraper hung up on a body too large: as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/metrics"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def exporter():
    server = Exporter()
    yield server
    server.stop()


@pytest.fixture
def server_component(world):
    return Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="srv-app-01", kind="vm")


def target_for(component, url: str, **thresholds) -> UtilisationTarget:
    return UtilisationTarget.objects.create(component=component, url=url, **thresholds)


def sample_of(component) -> UtilisationSample:
    return UtilisationSample.objects.get(component=component, hour=T0.replace(minute=0))


# --- The numbers ---------------------------------------------------------------------------------


def test_node_exporter_text_gives_ram_and_the_fullest_real_filesystem():
    reading = utilisation.read_metrics(FIXTURE)
    assert reading.memory == 60.0  # 1 − 3.28 GB / 8.20 GB
    assert reading.disk == 80.0  # /var/lib/pgsql; the 99.9 % tmpfs /dev/shm and overlay are not storage
    assert reading.net_rx == pytest.approx(1.2873456789e11 + 3.456789012e09)  # eth0 + eth1 only


def test_two_scrapes_give_cpu_ram_disk_and_network(server_component, exporter):
    target = target_for(server_component, exporter.url)
    assert utilisation.scrape_all(now=T0) == {"targets": 1, "failed": 0, "anomalies": 0}
    first = sample_of(server_component)
    # a first scrape has no rate yet: a baseline, peaks only
    assert first.samples == 0 and first.cpu_avg is None and first.net_rx_bps is None
    assert (first.memory_max, first.disk_max) == (60.0, 80.0)

    exporter.body = changed(FIXTURE, add=MINUTE, put=LATER_GAUGES).encode()
    result = utilisation.scrape_all(now=T0 + timedelta(seconds=60))
    sample = sample_of(server_component)
    assert sample.samples == 1
    assert sample.cpu_avg == pytest.approx(30.0, abs=0.01) and sample.cpu_max == pytest.approx(30.0, abs=0.01)
    assert (sample.memory_avg, sample.memory_max) == (80.0, 80.0)
    assert sample.disk_max == 90.0
    # 6.6 MB and 1.2 MB in a minute (the clock of the answer, a few ms later)
    assert sample.net_rx_bps == pytest.approx(110_000, rel=1e-3)
    assert sample.net_tx_bps == pytest.approx(20_000, rel=1e-3)
    target.refresh_from_db()
    assert target.last_error == "" and target.last_scraped_at >= T0 + timedelta(seconds=60)
    # disk 90 % is beyond the default 85 %
    assert result["anomalies"] == 1 and [a["metric"] for a in sample.anomalies] == ["disk"]


def test_averages_run_over_the_hour_and_peaks_stay(server_component, exporter):
    target_for(server_component, exporter.url)
    utilisation.scrape_all(now=T0)
    busy = changed(FIXTURE, add=MINUTE)
    exporter.body = busy.encode()
    utilisation.scrape_all(now=T0 + timedelta(seconds=60))  # 30 % busy
    idle_minute = {'node_cpu_seconds_total{cpu="0",mode="idle"}': 60, 'node_cpu_seconds_total{cpu="1",mode="idle"}': 60}
    exporter.body = changed(busy, add=idle_minute).encode()
    utilisation.scrape_all(now=T0 + timedelta(seconds=120))  # 0 % busy
    sample = sample_of(server_component)
    assert sample.samples == 2
    assert sample.cpu_avg == pytest.approx(15.0, abs=0.01)
    assert sample.cpu_max == pytest.approx(30.0, abs=0.01)
    assert sample.net_rx_bps == pytest.approx(55_000, rel=1e-3)  # 110 kB/s, then nothing


def test_a_value_beyond_its_threshold_is_an_anomaly_with_a_message(server_component, exporter):
    target_for(server_component, exporter.url, cpu_threshold=25, memory_threshold=95, disk_threshold=95)
    utilisation.scrape_all(now=T0)
    exporter.body = changed(FIXTURE, add=MINUTE, put=LATER_GAUGES).encode()
    utilisation.scrape_all(now=T0 + timedelta(seconds=60))
    (anomaly,) = sample_of(server_component).anomalies
    assert anomaly["metric"] == "cpu" and anomaly["threshold"] == 25 and anomaly["count"] == 1
    with timezone.override("Asia/Jakarta"):
        message = utilisation.describe_anomaly(anomaly)
    assert message == "CPU 30,0% melebihi batas 25% (1 kali dalam jam ini, terakhir 10:11)."


def test_an_anomaly_reads_in_the_readers_language_and_time_zone(server_component, exporter):
    """The worker stores facts only: an English reader in a WITA Pemda sees
    English, a decimal point and WITA time."""
    target_for(server_component, exporter.url, cpu_threshold=25, memory_threshold=95, disk_threshold=95)
    utilisation.scrape_all(now=T0)
    exporter.body = changed(FIXTURE, add=MINUTE, put=LATER_GAUGES).encode()
    with translation.override("en"), timezone.override("UTC"):  # the worker's own settings do not matter
        utilisation.scrape_all(now=T0 + timedelta(seconds=60))
    (anomaly,) = sample_of(server_component).anomalies
    assert "message" not in anomaly
    with translation.override("en"), timezone.override("Asia/Makassar"):
        message = utilisation.describe_anomaly(anomaly)
    assert message.startswith("CPU 30.0% exceeded the 25% threshold") and "11:11" in message


def test_a_restarted_machine_sets_a_new_baseline(server_component, exporter):
    target_for(server_component, exporter.url)
    exporter.body = changed(FIXTURE, add=MINUTE).encode()
    utilisation.scrape_all(now=T0)
    exporter.body = FIXTURE.encode()  # counters back to lower values: a reboot
    utilisation.scrape_all(now=T0 + timedelta(seconds=60))
    sample = sample_of(server_component)
    assert sample.samples == 0 and sample.cpu_avg is None


def test_a_long_gap_gives_no_rate(server_component, exporter):
    target_for(server_component, exporter.url)
    utilisation.scrape_all(now=T0)
    exporter.body = changed(FIXTURE, add=MINUTE).encode()
    utilisation.scrape_all(now=T0 + timedelta(hours=2))
    later = UtilisationSample.objects.get(component=server_component, hour=T0.replace(minute=0) + timedelta(hours=2))
    assert later.samples == 0 and later.cpu_avg is None


# --- Endpoints that fail -------------------------------------------------------------------------


def test_an_unreachable_endpoint_sets_last_error_and_the_others_still_count(world, server_component, exporter):
    other = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="srv-db-01", kind="database")
    dead = target_for(other, f"http://127.0.0.1:{free_port()}/metrics")
    good = target_for(server_component, exporter.url)
    assert utilisation.scrape_all(now=T0) == {"targets": 2, "failed": 1, "anomalies": 0}
    dead.refresh_from_db()
    good.refresh_from_db()
    assert dead.last_error.startswith("Tidak dapat terhubung") and dead.last_scraped_at is not None
    assert not UtilisationSample.objects.filter(component=other).exists()
    assert good.last_error == "" and good.last_counters["cpu_total"] > 0


def test_a_failure_keeps_the_counters_for_the_next_rate(server_component, exporter):
    target = target_for(server_component, exporter.url)
    utilisation.scrape_all(now=T0)
    exporter.status = 503
    utilisation.scrape_all(now=T0 + timedelta(seconds=30))
    target.refresh_from_db()
    assert target.last_error == "Kode status 503"
    exporter.status, exporter.body = 200, changed(FIXTURE, add=MINUTE).encode()
    utilisation.scrape_all(now=T0 + timedelta(seconds=60))
    target.refresh_from_db()
    assert target.last_error == ""
    assert sample_of(server_component).cpu_avg == pytest.approx(30.0, abs=0.01)


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        b'{"status": "ok"}',
        b"# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total 12\n",
        b"",
    ],
    ids=["html", "binary", "json", "not-node-exporter", "empty"],
)
def test_garbage_is_an_error_not_a_crash(server_component, exporter, body):
    target = target_for(server_component, exporter.url)
    exporter.body = body
    assert utilisation.scrape_all(now=T0)["failed"] == 1
    target.refresh_from_db()
    assert target.last_error.startswith("Bukan keluaran node_exporter")
    assert len(target.last_error) <= 200
    assert not UtilisationSample.objects.exists()


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_body_over_5_mb_is_refused(server_component, exporter, declared):
    target = target_for(server_component, exporter.url)
    exporter.body = FIXTURE.encode() * (6 * 1024 * 1024 // len(FIXTURE) + 1)
    exporter.length = declared
    assert utilisation.scrape_all(now=T0)["failed"] == 1
    target.refresh_from_db()
    assert target.last_error == "Isi tanggapan lebih dari 5 MB"


def test_a_slow_endpoint_costs_one_timeout(server_component, exporter):
    target = target_for(server_component, exporter.url)
    exporter.delay = 3
    started = time.perf_counter()
    utilisation.scrape_all(now=T0, timeout=0.5)
    assert time.perf_counter() - started < 2.5
    target.refresh_from_db()
    assert target.last_error == "Batas waktu 0.5 detik habis"


def test_disabled_targets_are_not_scraped(server_component, exporter):
    target_for(server_component, exporter.url, enabled=False)
    assert utilisation.scrape_all(now=T0) == {"targets": 0, "failed": 0, "anomalies": 0}
    assert exporter.requests == 0


# --- Staff pages ------------------------------------------------------------------------------------


@pytest.fixture
def dukcapil_server(world):
    return Component.objects.create(pemda=world.yogya, pd=world.dukcapil, name="srv-siak-01", kind="server")


def target_form(component, **overrides) -> dict:
    data = {"component": component.pk, "url": "http://10.1.2.3:9100/metrics", "cpu_threshold": 80,
            "memory_threshold": 90, "disk_threshold": 85, "enabled": "on"}  # fmt: skip
    data.update(overrides)
    return data


def test_the_pd_infra_staff_add_and_change_a_target(world, login, dukcapil_server):
    from spbe.conftest import give, make_person
    from spbe.org.choices import Role

    infra = make_person("infra@yogya.test", world.yogya)
    give(infra, Role.ADMIN_INFRA, world.dukcapil)
    client = login(infra)
    form = client.get(f"/pemantauan/sumber/utilisasi/baru/?component={dukcapil_server.pk}")
    assert form.status_code == 200 and form.context["form"]["component"].value() == dukcapil_server.pk
    created = client.post("/pemantauan/sumber/utilisasi/baru/", target_form(dukcapil_server))
    assert created.status_code == 302 and created["Location"].endswith(f"/komponen/{dukcapil_server.pk}/")
    target = UtilisationTarget.objects.get(component=dukcapil_server)
    assert target.cpu_threshold == 80
    target.last_counters = {"at": 1.0, "cpu_total": 5.0}
    target.save()
    edit_url = f"/pemantauan/sumber/utilisasi/komponen/{dukcapil_server.pk}/ubah/"
    changed_response = client.post(edit_url, target_form(dukcapil_server, url="http://10.1.2.4:9100/metrics"))
    assert changed_response.status_code == 302
    target.refresh_from_db()
    assert target.url == "http://10.1.2.4:9100/metrics" and target.last_counters == {}  # another machine
    assert client.post(edit_url, target_form(dukcapil_server, url="ftp://x/", cpu_threshold=0)).status_code == 400


def test_the_coordinator_sets_up_any_component_of_the_pemda(world, login, dukcapil_server):
    response = login(world.coordinator).post("/pemantauan/sumber/utilisasi/baru/", target_form(dukcapil_server))
    assert response.status_code == 302


def test_a_pd_admin_without_an_infra_role_sees_but_cannot_change(world, login, dukcapil_server):
    target_for(dukcapil_server, "http://10.1.2.3:9100/metrics")
    client = login(world.owner_admin)  # Administrator Layanan of Dukcapil
    page = client.get(f"/pemantauan/sumber/utilisasi/komponen/{dukcapil_server.pk}/")
    assert page.status_code == 200 and "Ubah sasaran" not in page.content.decode()
    assert client.get(f"/pemantauan/sumber/utilisasi/komponen/{dukcapil_server.pk}/ubah/").status_code == 403
    assert client.get("/pemantauan/sumber/utilisasi/baru/").status_code == 403
    assert client.get(f"/pemantauan/sumber/utilisasi/baru/?component={dukcapil_server.pk}").status_code == 403


def test_another_pemda_or_pd_gets_404(world, login, dukcapil_server):
    target_for(dukcapil_server, "http://10.1.2.3:9100/metrics")
    for persona in (world.tegal_coordinator, world.other_pd_admin, world.vendor):
        client = login(persona)
        assert client.get(f"/pemantauan/sumber/utilisasi/komponen/{dukcapil_server.pk}/").status_code == 404
        assert "srv-siak-01" not in client.get("/pemantauan/sumber/utilisasi/").content.decode()
    Component.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, name="srv-tegal-01", kind="vm")
    crafted = login(world.tegal_coordinator).post("/pemantauan/sumber/utilisasi/baru/", target_form(dukcapil_server))
    assert crafted.status_code == 400  # not a component it may choose
    assert login(world.citizen).get("/pemantauan/sumber/utilisasi/").status_code == 403


def test_the_component_page_shows_48_hours_with_anomalies_highlighted(world, login, server_component, exporter):
    target_for(server_component, exporter.url, cpu_threshold=25)
    now = timezone.now().replace(second=0, microsecond=0)
    utilisation.scrape_all(now=now - timedelta(seconds=60))
    exporter.body = changed(FIXTURE, add=MINUTE).encode()
    utilisation.scrape_all(now=now)
    UtilisationSample.objects.create(component=server_component, hour=now - timedelta(hours=60), samples=3)
    page = login(world.coordinator).get(f"/pemantauan/sumber/utilisasi/komponen/{server_component.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="table-danger"' in html and "CPU 30,0% melebihi batas 25%" in html
    assert f"terakhir {timezone.localtime(now, ZoneInfo(world.yogya.time_zone)):%H:%M})" in html  # the Pemda's zone
    assert len(page.context["samples"]) >= 1
    assert all(s.hour >= now - timedelta(hours=48, minutes=60) for s in page.context["samples"])  # not 60 h ago
    listing = login(world.coordinator).get("/pemantauan/sumber/utilisasi/")
    assert "srv-app-01" in listing.content.decode()
    assert login(world.coordinator).get("/pemantauan/sumber/utilisasi/?export=xlsx").status_code == 200
