"""Setting up monitoring through the pages (O-4): a check's target is
validated for its kind with the message next to the field, nothing half
saved; who sees and changes which checks; maintenance windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from spbe.audit.models import AuditEvent
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.monitoring.models import Check, MaintenanceWindow


def check_form(subject, **overrides):
    data = {"name": "Beranda Adminduk", "kind": "http", "service": subject.pk, "application": "", "component": "",
            "target": "https://adminduk.tegalkab.go.id/", "expected_status": "200-399", "keyword": "",
            "latency_threshold_ms": "", "follow_redirects": "on", "dns_record": "A", "dns_expected": "",
            "tls_warn_days": 14, "interval_seconds": 60, "timeout_seconds": 10, "retries": 3,
            "enabled": "on"}  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target": "adminduk.tegalkab.go.id"}, "target", "Tulis alamat lengkap"),
        ({"kind": "tcp", "target": "db.tegalkab.go.id"}, "target", "Tulis host:port"),
        ({"kind": "dns", "target": "bukan nama"}, "target", "Tulis nama domain"),
        ({"kind": "heartbeat"}, "target", "tidak memakai sasaran"),
        ({"expected_status": "200-abc"}, "expected_status", "Tulis kode status"),
        ({"timeout_seconds": 60}, "timeout_seconds", "lebih pendek dari selang"),
        ({"interval_seconds": 2}, "interval_seconds", "10"),
        ({"service": ""}, "service", "Pilih tepat satu"),
    ],
)
def test_bad_checks_are_explained_next_to_the_field(world, kritis_public, login, overrides, field, message):  # noqa: F811
    client = login(world.tegal_coordinator)
    response = client.post(reverse("monitoring:check_create"), check_form(kritis_public, **overrides))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert overrides.get("target", "https://adminduk") in response.content.decode() or "target" not in overrides
    assert not Check.objects.exists()


def test_a_check_is_created_for_the_services_pd_and_audited(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_coordinator)
    response = client.post(reverse("monitoring:check_create"), check_form(kritis_public))
    check = Check.objects.get()
    assert response.status_code == 302 and response.url == reverse("monitoring:check_detail", args=[check.pk])
    assert (check.pd, check.pemda) == (world.tegal_dukcapil, world.tegal)
    assert AuditEvent.objects.filter(target_type="monitoring.check", target_id=str(check.pk)).exists()
    assert "Beranda Adminduk" in client.get(reverse("monitoring:checks")).content.decode()


def test_other_pemda_neither_sees_nor_changes_checks(world, kritis_public, login):  # noqa: F811
    check = Check.objects.create(pemda=world.tegal, pd=world.tegal_dukcapil, service=kritis_public, name="Rahasia",
                                 kind="http", target="https://x.tegalkab.go.id/")  # fmt: skip
    other = login(world.coordinator)  # Koordinator SPBE of Yogyakarta
    assert "Rahasia" not in other.get(reverse("monitoring:checks")).content.decode()
    assert other.get(reverse("monitoring:check_detail", args=[check.pk])).status_code == 404
    assert other.post(reverse("monitoring:check_edit", args=[check.pk]), check_form(kritis_public)).status_code == 404
    assert login(world.tegal_admin).get(reverse("monitoring:check_detail", args=[check.pk])).status_code == 200


def test_heartbeat_page_shows_the_ping_address(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_coordinator)
    client.post(reverse("monitoring:check_create"), check_form(kritis_public, kind="heartbeat", target="",
                                                               interval_seconds=86400, timeout_seconds=10))  # fmt: skip
    check = Check.objects.get()
    page = client.get(reverse("monitoring:check_detail", args=[check.pk])).content.decode()
    assert f"/pemantauan/detak/{check.heartbeat_token}/" in page


def test_maintenance_window_validation_and_announcement(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_coordinator)
    starts = timezone.localtime() + timedelta(days=2)
    data = {"title": "Ganti server", "description": "", "services": [kritis_public.pk],
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    response = client.post(reverse("monitoring:maintenance_create"), data)
    assert response.status_code == 400 and "setelah waktu mulai" in str(response.context["form"].errors["ends_at"])
    data["ends_at"] = (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("monitoring:maintenance_create"), data).status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.pemda == world.tegal and list(window.services.all()) == [kritis_public]
    assert "Ganti server" in client.get(reverse("monitoring:maintenance")).content.decode()
    assert "Ganti server" not in login(world.coordinator).get(reverse("monitoring:maintenance")).content.decode()


def test_a_changed_check_is_audited_old_and_new(world, kritis_public, login):  # noqa: F811
    client = login(world.tegal_coordinator)
    client.post(reverse("monitoring:check_create"), check_form(kritis_public))
    check = Check.objects.get()
    client.post(reverse("monitoring:check_edit", args=[check.pk]), check_form(kritis_public, name="Beranda baru",
                                                                               interval_seconds=120))  # fmt: skip
    change = AuditEvent.objects.filter(target_type="monitoring.check", action="update").get()
    assert change.changes["name"] == ["Beranda Adminduk", "Beranda baru"]
    assert change.changes["interval_seconds"] == [60, 120]
