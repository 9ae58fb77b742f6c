"""Hourly and daily rollups of check results, and the retention of raw
results (issue 6 item 2). Recomputed from the raw rows for the recent
hours and days, so running it twice (or late) gives the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from spbe.monitoring.choices import Granularity
from spbe.monitoring.models import CheckResult, CheckRollup, HeartbeatPing

TRUNC = {Granularity.HOUR: TruncHour, Granularity.DAY: TruncDay}


def roll_up(granularity: str, since: datetime) -> int:
    """Summaries of every period from ``since``'s period on (UTC periods)."""
    start = TRUNC[granularity]("at", tzinfo=UTC)
    rows = (
        CheckResult.objects.filter(at__gte=since)
        .annotate(period=start)
        .values("check_ref_id", "period")
        .annotate(
            total=Count("id"),
            good=Count("id", filter=Q(ok=True)),
            latency_sum=Sum("latency_ms"),
            latency_max=Max("latency_ms"),
        )
    )
    rollups = [
        CheckRollup(
            check_ref_id=row["check_ref_id"],
            granularity=granularity,
            start=row["period"],
            total=row["total"],
            ok=row["good"],
            latency_sum_ms=row["latency_sum"] or 0,
            latency_max_ms=row["latency_max"] or 0,
        )
        for row in rows
    ]
    CheckRollup.objects.bulk_create(
        rollups, batch_size=1000, update_conflicts=True, unique_fields=["check_ref", "granularity", "start"],
        update_fields=["total", "ok", "latency_sum_ms", "latency_max_ms"],
    )  # fmt: skip
    return len(rollups)


def roll_up_recent(now: datetime | None = None) -> dict[str, int]:
    """The last two hours and the last two days (a late run still covers
    the period that just ended), then drop raw results past retention."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    done = {"hour": roll_up(Granularity.HOUR, hour), "day": roll_up(Granularity.DAY, day)}
    cutoff = now - timedelta(days=settings.MONITORING_RAW_RETENTION_DAYS)
    done["pruned"] = CheckResult.objects.filter(at__lt=min(cutoff, day)).delete()[0]
    done["pings_pruned"] = prune_pings(cutoff)
    return done


def prune_pings(cutoff: datetime) -> int:
    """Heartbeat pings past retention, except each check's last one: a
    backup job that stopped long ago must still tell its true age (O-5, RPO)."""
    last = HeartbeatPing.objects.values("check_ref").annotate(last=Max("pk")).values("last")
    return HeartbeatPing.objects.filter(at__lt=cutoff).exclude(pk__in=last).delete()[0]
