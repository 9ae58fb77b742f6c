"""The release pages (O-6): who sees and drafts them, the release plan form
with its errors next to the field, the steps a release's stage offers, and
the status page's announcement of a successful release."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.models import Release
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.monitoring.models import Check, CheckResult

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=WIB)


@pytest.fixture
def service(world, packs, time_machine):
    time_machine.move_to(NOW, tick=False)
    return kritis_service(world)


@pytest.fixture
def release(world, service) -> Release:
    draft = Release(
        pd=service.pd, title="SIAK", basis="initiative", application=Application.objects.get(name="SIAK DUK-01"),
        version="2.5", description="Perbaikan cetak", steps="Deploy", rollback_plan="Pasang 2.4 lagi",
        test_plan="Cetak 10 KTP uji", window_start=NOW + timedelta(hours=12), window_end=NOW + timedelta(hours=14),
        verification_minutes=30, announcement="Layanan KTP-el diperbarui: cetak lebih cepat.",
    )  # fmt: skip
    return actions.save_release(world.vendor, draft, [service])


def form_data(world, service, **overrides) -> dict:
    data = {
        "pd": service.pd_id, "title": "SIAK", "basis": "initiative", "change_plan": "", "application": "",
        "version": "", "services": [service.pk], "description": "x", "steps": "x", "rollback_plan": "x",
        "test_plan": "x", "window_start": "2027-01-11T21:00", "window_end": "2027-01-11T23:00",
        "verification_minutes": "30", "announcement": "x",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_pages_show_a_release_to_its_pd_diskominfo_and_the_coordinator_only(world, release, login):
    url = reverse("change:release_detail", args=[release.pk])
    for person, status in ((world.owner_admin, 200), (world.vendor, 200), (world.coordinator, 200),
                           (world.other_pd_admin, 404), (world.tegal_coordinator, 404)):  # fmt: skip
        assert login(person).get(url).status_code == status, person
    assert "SIAK 2.5" not in login(world.other_pd_admin).get(reverse("change:release_list")).content.decode()
    export = login(world.vendor).get(reverse("change:release_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_release_form_says_what_is_wrong_next_to_the_field(world, service, release, login):
    assert login(world.owner_admin).get(reverse("change:release_create")).status_code == 403  # drafted by infra staff
    client = login(world.vendor)
    overlapping = form_data(world, service, window_start="2027-01-10T22:00", window_end="2027-01-10T23:30")
    response = client.post(reverse("change:release_create"), overlapping)
    assert response.status_code == 400
    assert "bertumpang tindih dengan rilis SIAK 2.5" in str(response.context["form"].errors["window_start"])
    response = client.post(
        reverse("change:release_create"), form_data(world, service, application=release.application_id)
    )
    assert "Isi versi baru aplikasi." in str(response.context["form"].errors["version"])
    assert Release.objects.count() == 1
    assert client.post(reverse("change:release_create"), form_data(world, service)).status_code == 302


def test_a_failed_release_offers_its_rollback_and_the_provider_gives_feedback(world, service, release, login,
                                                                              time_machine):  # fmt: skip
    pj = pj_penyedia(world)
    approvals.submit(world.vendor, release)
    approvals.approve(pj, release)
    check = Check.objects.create(pemda=world.yogya, pd=service.pd, service=service, name="Beranda KTP-el",
                                 kind="http", target="http://127.0.0.1:9/", interval_seconds=60)  # fmt: skip
    after = release.window_end + timedelta(minutes=2)
    CheckResult.objects.create(check_ref=check, at=after, ok=False, error="Kode status 500")
    time_machine.move_to(after + timedelta(minutes=1), tick=False)
    actions.verify_due_releases(after + timedelta(minutes=1))
    actions.verify_due_releases(after + timedelta(minutes=1))
    client = login(world.vendor)
    page = client.get(reverse("change:release_detail", args=[release.pk])).content.decode()
    assert "Gagal, perlu dikembalikan" in page and "Catat pengembalian (rollback)" in page
    assert (
        client.post(reverse("change:release_step", args=[release.pk, "rollback"]), {"rollback-text": ""}).status_code
        == 400
    )
    response = client.post(reverse("change:release_step", args=[release.pk, "rollback"]),
                           {"rollback-text": "Versi 2.4 dipasang kembali"})  # fmt: skip
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.stage == "rolled_back" and release.application.version == ""
    refused = client.post(reverse("change:release_step", args=[release.pk, "umpan-balik"]), {"umpan-balik-text": "x"})
    assert refused.status_code == 403  # the provider's feedback is the PJ Penyedia's
    login(pj).post(reverse("change:release_step", args=[release.pk, "umpan-balik"]),
                   {"umpan-balik-text": "Jadwalkan ulang minggu depan"})  # fmt: skip
    release.refresh_from_db()
    assert release.feedback == "Jadwalkan ulang minggu depan"


def test_a_successful_release_is_announced_on_the_status_page(world, service, release, client, time_machine):
    world.yogya.slug = "kota-yogyakarta"
    world.yogya.save(update_fields=["slug"])
    approvals.submit(world.vendor, release)
    approvals.approve(pj_penyedia(world), release)
    check = Check.objects.create(pemda=world.yogya, pd=service.pd, service=service, name="Beranda KTP-el",
                                 kind="http", target="http://127.0.0.1:9/", interval_seconds=60)  # fmt: skip
    end = release.window_end
    for minute in range(0, 31, 5):
        CheckResult.objects.create(check_ref=check, at=end + timedelta(minutes=minute), ok=True)
    time_machine.move_to(end + timedelta(minutes=31), tick=False)
    actions.verify_due_releases(end)
    actions.verify_due_releases(end + timedelta(minutes=31))
    release.refresh_from_db()
    assert release.stage == "succeeded" and release.application.version == "2.5"
    page = client.get(reverse("status:page", args=["kota-yogyakarta"])).content.decode()
    assert "Pembaruan layanan" in page and "Layanan KTP-el diperbarui: cetak lebih cepat." in page


def test_a_release_whose_window_has_passed_is_not_submitted(world, release, time_machine):
    """Nothing is released before approval: a plan whose window is over must be rescheduled first."""
    time_machine.move_to(release.window_end + timedelta(minutes=1), tick=False)
    with pytest.raises(ValidationError, match="Jendela rilis sudah lewat"):
        approvals.submit(world.vendor, release)
