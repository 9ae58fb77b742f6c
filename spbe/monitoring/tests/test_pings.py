"""Heartbeat pings are kept one by one (O-5: the age of the last good
backup when a disaster began, RPO achieved), within retention, each check's
last ping always."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.urls import reverse

from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring.actions import last_ping_before
from spbe.monitoring.models import Check, HeartbeatPing
from spbe.monitoring.rollups import prune_pings


def heartbeat(world, service, name="Cadangan malam") -> Check:
    return Check.objects.create(pemda=world.tegal, pd=world.tegal_dukcapil, service=service, name=name,
                                kind="heartbeat", interval_seconds=86400, retries=1)  # fmt: skip


def test_each_ping_is_kept_and_the_last_one_before_an_instant_is_found(world, kritis_public, client, time_machine):  # noqa: F811
    check = heartbeat(world, kritis_public)
    for day in (1, 2, 3):
        time_machine.move_to(datetime(2026, 12, day, 18, 5, tzinfo=UTC), tick=False)
        assert client.post(reverse("monitoring:ping", args=[check.heartbeat_token])).json() == {"ok": True}
    check.refresh_from_db()
    assert check.last_ping_at == datetime(2026, 12, 3, 18, 5, tzinfo=UTC)
    assert last_ping_before(check, datetime(2026, 12, 3, 7, 0, tzinfo=UTC)) == datetime(2026, 12, 2, 18, 5, tzinfo=UTC)
    assert last_ping_before(check, datetime(2026, 12, 1, 7, 0, tzinfo=UTC)) is None
    assert client.get(reverse("monitoring:ping", args=["bukan-token"])).status_code == 404
    assert HeartbeatPing.objects.count() == 3


def test_old_pings_are_pruned_but_each_checks_last_one_stays(world, kritis_public):  # noqa: F811
    busy, stopped = heartbeat(world, kritis_public), heartbeat(world, kritis_public, "Cadangan berhenti")
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    for days in (60, 45, 1):
        HeartbeatPing.objects.create(check_ref=busy, at=now - timedelta(days=days))
    for days in (90, 80):  # the job stopped eighty days ago
        HeartbeatPing.objects.create(check_ref=stopped, at=now - timedelta(days=days))
    assert prune_pings(now - timedelta(days=30)) == 3
    assert [p.at for p in busy.pings.all()] == [now - timedelta(days=1)]
    assert [p.at for p in stopped.pings.all()] == [now - timedelta(days=80)]
