"""Utilisation of infrastructure components (O-4, form item 3: CPU, RAM,
storage, network) from their Prometheus node_exporter endpoints.

``scrape_all`` fetches every enabled target concurrently on one event loop
(each bounded by a timeout and a 5 MB body), parses the text format with
``prometheus_client``, and folds the reading into the component's hourly
``UtilisationSample``: running averages, peaks and the number of samples.
CPU and network are rates, so they come from the difference with the
counters of the previous scrape (kept on the target). A value beyond the
target's threshold is an anomaly (O-4: "anomali di luar ambang normal"),
kept on the hour with an Indonesian message. An endpoint that cannot be
reached or answers garbage only sets ``last_error``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from prometheus_client.parser import text_string_to_metric_families

from spbe.monitoring.models import UtilisationSample, UtilisationTarget
from spbe.monitoring.probes import http_failure

logger = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
TIMEOUT = 10.0  # seconds per target, connection and body included
CONCURRENCY = 50
# Beyond this gap a counter difference says little about the current hour:
# the scrape only sets a new baseline.
MAX_RATE_GAP = timedelta(hours=1)
ERROR_LENGTH = 200

# Pseudo and in-memory filesystems: a full tmpfs or an overlay of a
# container image is not storage running out.
IGNORED_FSTYPES = frozenset({
    "tmpfs", "devtmpfs", "ramfs", "overlay", "aufs", "squashfs", "iso9660", "proc", "sysfs", "cgroup", "cgroup2",
    "devpts", "mqueue", "debugfs", "tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs",
    "autofs", "binfmt_misc", "nsfs", "rpc_pipefs", "selinuxfs", "fuse.lxcfs", "fuse.gvfsd-fuse", "efivarfs",
})  # fmt: skip
IGNORED_MOUNTS = re.compile(r"^/(dev|proc|sys|run|var/lib/docker/.+|var/lib/containers/storage/.+|snap/.+)($|/)")
# Loopback and the virtual interfaces of containers and VMs: their traffic
# is already counted on the physical interface.
IGNORED_INTERFACES = re.compile(r"^(lo|veth.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|cali.*|vnet.*|kube-.*)$")


class ScrapeError(Exception):
    """A failed scrape, with the message staff will read."""


@dataclass(frozen=True)
class Reading:
    """What one node_exporter answer says; counters as they are."""

    cpu_total: float | None = None  # seconds, all CPUs and modes
    cpu_idle: float | None = None
    memory: float | None = None  # % used: 1 − MemAvailable / MemTotal
    disk: float | None = None  # % used of the fullest real filesystem
    net_rx: float | None = None  # bytes received, all real interfaces
    net_tx: float | None = None


@dataclass(frozen=True)
class Usage:
    cpu: float | None = None  # %
    memory: float | None = None  # %
    disk: float | None = None  # %
    net_rx_bps: float | None = None  # bytes per second
    net_tx_bps: float | None = None


def read_metrics(text: str) -> Reading:
    """Parse node_exporter's text format. ValueError when it is not
    Prometheus text, or has none of the node_exporter metrics."""
    cpu_total = cpu_idle = mem_total = mem_available = net_rx = net_tx = None
    sizes: dict[tuple, float] = {}
    avails: dict[tuple, float] = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                name, labels, value = sample.name, sample.labels, sample.value
                if not math.isfinite(value):
                    continue
                if name == "node_cpu_seconds_total":
                    cpu_total = (cpu_total or 0.0) + value
                    if labels.get("mode") == "idle":
                        cpu_idle = (cpu_idle or 0.0) + value
                elif name == "node_memory_MemTotal_bytes":
                    mem_total = value
                elif name == "node_memory_MemAvailable_bytes":
                    mem_available = value
                elif name in ("node_filesystem_size_bytes", "node_filesystem_avail_bytes"):
                    if labels.get("fstype", "") in IGNORED_FSTYPES or IGNORED_MOUNTS.match(
                        labels.get("mountpoint", "")
                    ):
                        continue
                    key = (labels.get("device", ""), labels.get("mountpoint", ""))
                    (sizes if name == "node_filesystem_size_bytes" else avails)[key] = value
                elif name in ("node_network_receive_bytes_total", "node_network_transmit_bytes_total"):
                    if IGNORED_INTERFACES.match(labels.get("device", "")):
                        continue
                    if name == "node_network_receive_bytes_total":
                        net_rx = (net_rx or 0.0) + value
                    else:
                        net_tx = (net_tx or 0.0) + value
    except ValueError:
        raise
    except Exception as failure:  # the parser raises more than ValueError on garbage
        raise ValueError(f"{type(failure).__name__}: {failure}") from None
    memory = None
    if mem_total and mem_available is not None:
        memory = _percent(1 - mem_available / mem_total)
    used = [_percent(1 - avails[key] / size) for key, size in sizes.items() if size > 0 and key in avails]
    reading = Reading(cpu_total, cpu_idle if cpu_total is not None else None, memory, max(used, default=None),
                      net_rx, net_tx)  # fmt: skip
    if reading == Reading():
        raise ValueError("tidak ada metrik node_exporter (node_cpu_seconds_total, node_memory_*, …)")
    return reading


def _percent(fraction: float) -> float:
    return round(min(max(fraction * 100, 0.0), 100.0), 2)


def compute(reading: Reading, previous: dict, at: datetime) -> tuple[Usage, dict, bool]:
    """The usage from this reading and the counters of the previous scrape;
    returns it with the counters to keep and whether the rates could be
    computed (a first scrape, a long gap or a counter reset — a reboot —
    only sets a new baseline)."""
    counters = {"at": at.timestamp(), "cpu_total": reading.cpu_total, "cpu_idle": reading.cpu_idle,
                "net_rx": reading.net_rx, "net_tx": reading.net_tx}  # fmt: skip
    seconds = at.timestamp() - previous["at"] if isinstance(previous.get("at"), (int, float)) else None
    usable = seconds is not None and 0 < seconds <= MAX_RATE_GAP.total_seconds()
    deltas = {}
    for key in ("cpu_total", "cpu_idle", "net_rx", "net_tx"):
        before, now = previous.get(key), counters[key]
        if isinstance(before, (int, float)) and now is not None:
            deltas[key] = now - before
    if usable and any(delta < 0 for delta in deltas.values()):
        usable = False  # counters went back: the machine restarted
    cpu = rx = tx = None
    if usable:
        total, idle = deltas.get("cpu_total"), deltas.get("cpu_idle")
        if total is not None and idle is not None and total > 0:
            cpu = _percent(1 - min(idle, total) / total)
        if "net_rx" in deltas:
            rx = round(deltas["net_rx"] / seconds, 2)
        if "net_tx" in deltas:
            tx = round(deltas["net_tx"] / seconds, 2)
    return Usage(cpu, reading.memory, reading.disk, rx, tx), counters, usable


METRIC_LABELS = {"cpu": "CPU", "memory": "RAM", "disk": _lazy("Penyimpanan")}


def anomalies_of(usage: Usage, target: UtilisationTarget) -> list[tuple[str, float, int]]:
    """(metric, value, threshold) for every value beyond the target's
    threshold (O-4)."""
    found = []
    for metric, threshold in (("cpu", target.cpu_threshold), ("memory", target.memory_threshold),
                              ("disk", target.disk_threshold)):  # fmt: skip
        value = getattr(usage, metric)
        if value is not None and value > threshold:
            found.append((metric, value, threshold))
    return found


def describe_anomaly(entry: dict) -> str:
    """An hour's anomaly, in the reader's language, number format and time
    zone. The stored entry keeps only the facts: the worker that found it
    knows neither the reader's language nor the Pemda's zone."""
    if not {"metric", "max", "threshold", "count"} <= entry.keys():
        return str(entry.get("message", ""))
    last = entry.get("last_at")
    return _(
        "%(metric)s %(value)s%% melebihi batas %(threshold)d%% (%(count)d kali dalam jam ini, terakhir %(time)s)."
    ) % {
        "metric": METRIC_LABELS.get(entry["metric"], entry["metric"]),
        "value": number_format(entry["max"], 1),
        "threshold": entry["threshold"],
        "count": entry["count"],
        "time": timezone.localtime(datetime.fromisoformat(last)).strftime("%H:%M") if last else "–",
    }


def _running(average: float | None, value: float | None, count: int) -> float | None:
    if value is None:
        return average
    if average is None or count <= 0:
        return round(value, 2)
    return round(average + (value - average) / (count + 1), 2)


def _peak(current: float | None, value: float | None) -> float | None:
    if value is None:
        return current
    return value if current is None else max(current, value)


def accumulate(sample: UtilisationSample, usage: Usage, counted: bool, target: UtilisationTarget, at: datetime):
    """Fold one scrape into the hour: averages over the counted scrapes
    (those with rates), peaks and anomalies over all of them. Returns the
    anomalies found in this scrape."""
    if counted:
        n = sample.samples
        sample.cpu_avg = _running(sample.cpu_avg, usage.cpu, n)
        sample.memory_avg = _running(sample.memory_avg, usage.memory, n)
        sample.net_rx_bps = _running(sample.net_rx_bps, usage.net_rx_bps, n)
        sample.net_tx_bps = _running(sample.net_tx_bps, usage.net_tx_bps, n)
        sample.samples = n + 1
    sample.cpu_max = _peak(sample.cpu_max, usage.cpu)
    sample.memory_max = _peak(sample.memory_max, usage.memory)
    sample.disk_max = _peak(sample.disk_max, usage.disk)
    found = anomalies_of(usage, target)
    entries = {entry.get("metric"): entry for entry in sample.anomalies if isinstance(entry, dict)}
    for metric, value, threshold in found:
        entry = entries.get(metric) or {"metric": metric, "count": 0, "max": value, "first_at": at.isoformat()}
        entry.update(threshold=threshold, count=entry["count"] + 1, max=max(entry["max"], value),
                     last_at=at.isoformat())  # fmt: skip
        entry.pop("message", None)  # written by earlier releases in the worker's language: see describe_anomaly
        entries[metric] = entry
    sample.anomalies = [entries[key] for key in ("cpu", "memory", "disk") if key in entries]
    return found


# --- Fetching ----------------------------------------------------------------------------------


async def _fetch(session: aiohttp.ClientSession, url: str, timeout: float) -> str:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout), max_redirects=3,
                               headers={"Accept": "text/plain;version=0.0.4",
                                        "User-Agent": "LayananSPBE-Utilisasi/1"}) as response:  # fmt: skip
            if response.status != 200:
                raise ScrapeError(f"Kode status {response.status}")
            if response.content_length is not None and response.content_length > MAX_BODY:
                raise ScrapeError("Isi tanggapan lebih dari 5 MB")
            chunks, size = [], 0
            async for chunk in response.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > MAX_BODY:
                    raise ScrapeError("Isi tanggapan lebih dari 5 MB")
                chunks.append(chunk)
            return b"".join(chunks).decode("utf-8", errors="replace")
    except aiohttp.ClientError as failure:
        raise ScrapeError(http_failure(failure)) from None


@dataclass(frozen=True)
class Fetched:
    target_id: int
    at: datetime  # when the answer (or the failure) came
    text: str | None
    error: str = ""


async def fetch_all(jobs: list[tuple[int, str]], start: datetime, timeout: float, concurrency: int) -> list[Fetched]:
    semaphore = asyncio.Semaphore(concurrency)
    clock = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0, force_close=True, ttl_dns_cache=300)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(target_id: int, url: str) -> Fetched:
            async with semaphore:
                try:
                    text = await asyncio.wait_for(_fetch(session, url, timeout), timeout=timeout + 1)
                    error = ""
                except ScrapeError as failure:
                    text, error = None, str(failure)
                except TimeoutError:
                    text, error = None, f"Batas waktu {timeout:g} detik habis"
                except Exception as failure:  # a scrape never takes the others down
                    text, error = None, f"{type(failure).__name__}: {failure}"
                at = start + timedelta(seconds=time.perf_counter() - clock)
                return Fetched(target_id, at, text, error[:ERROR_LENGTH])

        return list(await asyncio.gather(*(one(target_id, url) for target_id, url in jobs)))


# --- Storing ---------------------------------------------------------------------------------------


def store(fetched: Fetched) -> tuple[bool, list[tuple[str, float, int]]]:
    """Fold one scrape into the target and its component's hour; returns
    whether it succeeded and the anomalies found. The target row is locked so that two overlapping
    runs never compute a rate from the same counters twice."""
    with transaction.atomic():
        target = UtilisationTarget.objects.select_for_update().filter(pk=fetched.target_id).first()
        if target is None:  # deleted while it was being scraped
            return False, []
        error = fetched.error
        reading = None
        if fetched.text is not None:
            try:
                reading = read_metrics(fetched.text)
            except ValueError as failure:
                error = f"Bukan keluaran node_exporter: {failure}"[:ERROR_LENGTH]
        target.last_scraped_at = fetched.at
        if reading is None:
            target.last_error = error
            target.save(update_fields=["last_scraped_at", "last_error"])
            return False, []
        usage, target.last_counters, counted = compute(reading, target.last_counters or {}, fetched.at)
        # Indonesia's zones are whole hours from UTC: a UTC hour is a local hour
        hour = fetched.at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        sample, _created = UtilisationSample.objects.select_for_update().get_or_create(
            component_id=target.component_id, hour=hour
        )
        found = accumulate(sample, usage, counted, target, fetched.at)
        sample.save()
        target.last_error = ""
        target.save(update_fields=["last_scraped_at", "last_error", "last_counters"])
    for metric, value, threshold in found:
        logger.warning("utilisation anomaly", extra={"component": target.component_id, "metric": metric,
                                                     "value": value, "threshold": threshold})  # fmt: skip
    return True, found


def scrape_all(now: datetime | None = None, timeout: float = TIMEOUT, concurrency: int = CONCURRENCY) -> dict:
    """Scrape every enabled target once (for a Celery beat task, e.g. every
    minute). Returns counts for the task's log."""
    start = now or timezone.now()
    jobs = list(UtilisationTarget.objects.filter(enabled=True).order_by("pk").values_list("pk", "url"))
    if not jobs:
        return {"targets": 0, "failed": 0, "anomalies": 0}
    fetched = asyncio.run(fetch_all(jobs, start, timeout, concurrency))
    failed = anomalies = 0
    for item in fetched:
        ok, found = store(item)
        failed += 0 if ok else 1
        anomalies += len(found)
    return {"targets": len(jobs), "failed": failed, "anomalies": anomalies}
