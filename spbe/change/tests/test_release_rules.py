"""What a release may not do (O-6, P-9): be approved after its window or
onto other work, release another PD's application, be verified twice by
hand, reopen the transition plan it is based on; and query strings that are
not ids are not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.models import Release
from spbe.change.tests.test_plans import RISKS, plan_of
from spbe.change.tests.test_release_pages import NOW, release, service  # noqa: F401  (fixtures)
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.monitoring.models import MaintenanceWindow


def test_a_release_is_not_approved_once_its_window_has_passed(world, release, time_machine):  # noqa: F811
    approvals.submit(world.vendor, release)
    time_machine.move_to(release.window_end + timedelta(hours=1), tick=False)
    with pytest.raises(ValidationError, match="Jendela rilis sudah lewat"):
        approvals.approve(pj_penyedia(world), release)
    release.refresh_from_db()
    assert release.status == "submitted" and release.maintenance_window is None


def test_a_release_is_not_approved_onto_maintenance_scheduled_meanwhile(world, release, service):  # noqa: F811
    approvals.submit(world.vendor, release)
    ups = MaintenanceWindow.objects.create(pemda=world.yogya, title="Penggantian UPS", starts_at=release.window_start,
                                           ends_at=release.window_end)  # fmt: skip
    ups.services.add(service)
    with pytest.raises(ValidationError, match="bertumpang tindih dengan pemeliharaan Penggantian UPS"):
        approvals.approve(pj_penyedia(world), release)


def test_another_pds_application_is_not_released(world, service):  # noqa: F811
    other = kritis_service(world, pd=world.dinkes, code="DINKES-01", name="Puskesmas daring")
    simpus = Application.objects.get(name=f"SIAK {other.code}")
    Application.objects.filter(pk=simpus.pk).update(pd=world.dinkes)  # Dinkes's own application
    simpus.refresh_from_db()
    draft = Release(pd=service.pd, title="x", basis="initiative", application=simpus, version="9", description="x",
                    steps="x", rollback_plan="x", test_plan="x", announcement="x",
                    window_start=NOW + timedelta(hours=1), window_end=NOW + timedelta(hours=2))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        actions.save_release(world.vendor, draft, [service])
    assert "application" in error.value.message_dict


def test_a_second_manual_verification_is_refused(world, release):  # noqa: F811
    approvals.submit(world.vendor, release)
    approvals.approve(pj_penyedia(world), release)
    actions.verify_due_releases(release.window_end + timedelta(minutes=1))  # no check: manual
    stale = Release.objects.get(pk=release.pk)
    actions.verify_by_hand(world.vendor, Release.objects.get(pk=release.pk), True, "Uji fungsi berhasil")
    with pytest.raises(ValidationError, match="sudah diverifikasi"):
        actions.verify_by_hand(world.coordinator, stale, False, "Gagal")
    assert Release.objects.get(pk=release.pk).stage == "succeeded"


def test_the_plan_a_release_is_based_on_is_not_reopened(world, service):  # noqa: F811
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    approvals.submit(world.owner_admin, plan)
    approvals.approve(world.owner_head, plan)
    actions.save_release(world.vendor, Release(
        pd=service.pd, title="x", basis="change", change_plan=plan, description="x", steps="x", rollback_plan="x",
        test_plan="x", announcement="x", window_start=NOW + timedelta(hours=1), window_end=NOW + timedelta(hours=2),
    ), [service])  # fmt: skip
    with pytest.raises(ValidationError, match="sudah menjadi dasar rilis"):
        approvals.revise(world.owner_admin, plan)


def test_the_public_maintenance_of_a_release_does_not_name_it(world, release):  # noqa: F811
    approvals.submit(world.vendor, release)
    approvals.approve(pj_penyedia(world), release)
    window = MaintenanceWindow.objects.get(release=release)
    assert window.title == "Pembaruan layanan" and "SIAK" not in window.title


@pytest.mark.parametrize(
    ("name", "param"), [("change:release_create", "perubahan"), ("change:plan_create", "permintaan")]
)
def test_a_query_string_that_is_no_id_is_not_found(world, service, login, name, param):  # noqa: F811
    response = login(world.vendor if "release" in name else world.owner_admin).get(reverse(name), {param: "²"})
    assert response.status_code in (200, 404)  # ignored or not found: never a crash
