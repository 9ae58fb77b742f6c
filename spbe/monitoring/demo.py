"""Demo monitoring per Pemda (issue 6 item 9): live checks against the local
demo target (spbe/monitoring/demo_target.py) for the public services, a
port and a heartbeat check on the database server, an announced
maintenance window, and four months of generated history (outages, daily
rollups, hourly utilisation) so availability, the status page's bars and
the monthly form have something true to show. The first Pemda set up also gets the
heartbeat the application's own nightly backup pings (issue 14, item 5), with
a month of pings at 01:00."""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from spbe.catalog.choices import ServiceGroup
from spbe.catalog.models import Service
from spbe.cmdb.models import Component
from spbe.front.backup import HEARTBEAT_CHECK_NAME
from spbe.monitoring.choices import Granularity, ServiceState
from spbe.monitoring.models import (
    Check,
    CheckRollup,
    HeartbeatPing,
    MaintenanceWindow,
    Outage,
    UtilisationSample,
    UtilisationTarget,
)

HISTORY_DAYS = 120
CAUSES = [
    "Beranda: Tidak dapat terhubung: Connection refused",
    "Beranda: Batas waktu 10 detik habis",
    "Beranda: Kode status 502",
    "API: Lambat: 4210 ms (batas 3000 ms)",
]


def load_monitoring_demo(pemda) -> None:
    rng = random.Random(f"monitoring-{pemda.slug}")
    base = f"http://127.0.0.1:{settings.MONITORING_DEMO_TARGET_PORT}/{pemda.slug}"
    services = list(
        Service.objects.filter(pd__pemda=pemda, lifecycle="active", group=ServiceGroup.LAYANAN_PUBLIK)
        .select_related("pd")
        .order_by("code")[:4]
    )
    now = timezone.now()
    checks = []
    for service in services:
        checks.append(Check.objects.create(
            pemda=pemda, pd=service.pd, service=service, name=f"Beranda {service.name}", kind="http",
            target=f"{base}/{service.code.lower()}/", keyword="berjalan", interval_seconds=30, timeout_seconds=5,
            retries=2, latency_threshold_ms=3000,
        ))  # fmt: skip
        _history(rng, service, now)
    database = Component.objects.filter(pemda=pemda, name="db-pg-01").first()
    if database is not None:
        checks.append(Check.objects.create(
            pemda=pemda, pd=database.pd, component=database, name="Port layanan db-pg-01", kind="tcp",
            target=f"127.0.0.1:{settings.MONITORING_DEMO_TARGET_PORT}", interval_seconds=60, retries=3,
        ))  # fmt: skip
        Check.objects.create(
            pemda=pemda, pd=database.pd, component=database, name="Cadangan malam db-pg-01", kind="heartbeat",
            interval_seconds=86400, retries=1, last_ping_at=now - timedelta(hours=rng.randint(2, 20)),
        )  # fmt: skip
        # the installation's own backup: watched by the Pemda that runs the server, the first one set up
        if pemda == type(pemda).objects.order_by("pk").first():
            _backup_heartbeat(pemda, database, now)
    _rollups(rng, checks, now)
    _utilisation(rng, pemda, now)
    if services:
        saturday = (now + timedelta(days=(5 - now.weekday()) % 7 or 7)).replace(hour=15, minute=0, second=0,
                                                                                  microsecond=0)  # fmt: skip
        window = MaintenanceWindow.objects.create(
            pemda=pemda, title="Pembaruan sistem operasi server aplikasi",
            description="Layanan mungkin tidak dapat diakses selama pemeliharaan terjadwal.",
            starts_at=saturday, ends_at=saturday + timedelta(hours=4),
        )  # fmt: skip
        window.services.set(services[:2])


def _backup_heartbeat(pemda, database: Component, now, days: int = 30) -> None:
    """The heartbeat check the nightly backup job pings (spbe.front.backup.ping_heartbeat finds it
    by name); the job ran at 01:00 every night of the last month."""
    check = Check.objects.create(
        pemda=pemda, pd=database.pd, component=database, name=HEARTBEAT_CHECK_NAME, kind="heartbeat",
        interval_seconds=86400, retries=1,
    )  # fmt: skip
    zone = ZoneInfo(pemda.time_zone)
    today = now.astimezone(zone).date()
    nights = [datetime.combine(today - timedelta(days=age), time(1, 0), tzinfo=zone) for age in range(days, -1, -1)]
    pings = HeartbeatPing.objects.bulk_create(HeartbeatPing(check_ref=check, at=at) for at in nights if at <= now)
    Check.objects.filter(pk=check.pk).update(last_ping_at=pings[-1].at)


def _history(rng: random.Random, service: Service, now, days: int = HISTORY_DAYS) -> None:
    """A few outages a month, most minutes long, now and then hours."""
    outages, day = [], days
    while day > 1:
        day -= rng.uniform(4, 20)
        start = now - timedelta(days=day, minutes=rng.randint(0, 1439))
        minutes = rng.choice([3, 5, 8, 12, 20, 35, 60, 95, 180])
        state = ServiceState.DOWN if rng.random() < 0.7 else ServiceState.DEGRADED
        outages.append(Outage(service=service, state=state, started_at=start, cause=rng.choice(CAUSES),
                              ended_at=min(start + timedelta(minutes=minutes), now - timedelta(hours=1))))  # fmt: skip
    Outage.objects.bulk_create(outages)


def _rollups(rng: random.Random, checks: list[Check], now) -> None:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for check in checks:
        per_day = 86400 // check.interval_seconds
        for age in range(1, HISTORY_DAYS + 1):
            failed = rng.choice([0, 0, 0, 0, 1, 2, 5, 12])
            rows.append(CheckRollup(check_ref=check, granularity=Granularity.DAY, start=today - timedelta(days=age),
                                    total=per_day, ok=per_day - failed, latency_sum_ms=per_day * rng.randint(40, 90),
                                    latency_max_ms=rng.randint(300, 2500)))  # fmt: skip
    CheckRollup.objects.bulk_create(rows, batch_size=1000)


CPU_THRESHOLD = UtilisationTarget._meta.get_field("cpu_threshold").default


def _cpu_anomaly(rng: random.Random, peak: float, hour) -> dict:
    """An anomaly entry of the shape utilisation.accumulate() writes."""
    first = hour + timedelta(minutes=rng.randint(0, 40))
    return {"metric": "cpu", "threshold": CPU_THRESHOLD, "count": rng.randint(1, 12), "max": peak,
            "first_at": first.isoformat(), "last_at": (first + timedelta(minutes=15)).isoformat()}  # fmt: skip


def _utilisation(rng: random.Random, pemda, now, days: int = 30) -> None:
    """Thirty days (by default) of hourly figures: office-hours load, a slowly filling disk."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for component in Component.objects.filter(pemda=pemda, kind__in=["server", "vm", "database"]):
        disk = rng.uniform(40, 60)
        busy = rng.uniform(0, 12)  # some servers run hotter: their noon peaks pass the 85 % CPU threshold
        for age in range(days * 24, 0, -1):
            at = hour - timedelta(hours=age)
            office = max(0.0, math.sin((at.hour + 7 - 6) / 24 * 2 * math.pi))  # WIB office hours peak
            cpu = min(99.0, 12 + busy + 55 * office + rng.uniform(-5, 5))
            memory = min(99.0, 48 + 25 * office + rng.uniform(-3, 3))
            disk += 0.01
            cpu_max = round(min(100.0, cpu + rng.uniform(3, 15)), 1)
            anomalies = [_cpu_anomaly(rng, cpu_max, at)] if cpu_max > CPU_THRESHOLD else []
            rows.append(UtilisationSample(component=component, hour=at, samples=60, cpu_avg=round(cpu, 1),
                                          cpu_max=cpu_max,
                                          memory_avg=round(memory, 1), memory_max=round(memory + 4, 1),
                                          disk_max=round(disk, 1), net_rx_bps=round(2e6 * office + 1e5),
                                          net_tx_bps=round(5e6 * office + 2e5), anomalies=anomalies))  # fmt: skip
    UtilisationSample.objects.bulk_create(rows, batch_size=2000)
