"""The change calendar (P-9, O-6, O-4): approved changes, releases and
maintenance windows of a month together, each release once, the overlaps on
one service called out, and only what the person may see."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.models import Release
from spbe.change.tests.test_plans import RISKS, plan_of
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.monitoring.models import MaintenanceWindow

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=WIB)


@pytest.fixture
def month(world, packs, time_machine):
    """January 2027: a change set for the 9th, a release on the 12th and,
    carelessly, a maintenance window on the same service at the same time."""
    time_machine.move_to(NOW, tick=False)
    service = kritis_service(world)
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    approvals.submit(world.owner_admin, plan)
    approvals.approve(world.owner_head, plan)
    release = actions.save_release(world.vendor, Release(
        pd=service.pd, title="SIAK", basis="initiative", application=Application.objects.get(name="SIAK DUK-01"),
        version="2.5", description="x", steps="x", rollback_plan="x", test_plan="x", announcement="x",
        window_start=datetime(2027, 1, 12, 21, 0, tzinfo=WIB), window_end=datetime(2027, 1, 12, 23, 0, tzinfo=WIB),
    ), [service])  # fmt: skip
    approvals.submit(world.vendor, release)
    approvals.approve(pj_penyedia(world), release)
    ups = MaintenanceWindow.objects.create(pemda=world.yogya, title="Penggantian UPS",
                                           starts_at=datetime(2027, 1, 12, 22, 0, tzinfo=WIB),
                                           ends_at=datetime(2027, 1, 13, 1, 0, tzinfo=WIB))  # fmt: skip
    ups.services.add(service)
    return plan, release, ups


@pytest.mark.usefixtures("month")
def test_a_month_shows_changes_releases_and_maintenance_with_their_overlaps(world, login):
    page = login(world.coordinator).get(reverse("change:calendar"), {"bulan": "2027-01"})
    shown = page.context["month"]
    assert [(e.kind, e.title) for e in shown.entries] == [
        ("change", "Akta kelahiran daring"),
        ("release", "SIAK 2.5"),
        ("maintenance", "Penggantian UPS"),
    ]  # the release's own maintenance window is the release, shown once
    assert [(a.title, b.title, names) for a, b, names in shown.overlaps] == [
        ("SIAK 2.5", "Penggantian UPS", ["Pencetakan KTP-el"])
    ]
    days = {day: entries for week in shown.weeks for day, entries in week}
    assert [e.title for e in days[datetime(2027, 1, 13).date()]] == ["Penggantian UPS"]  # runs past midnight
    assert "Bertumpang tindih pada layanan yang sama" in page.content.decode()


@pytest.mark.usefixtures("month")
def test_another_pd_sees_nothing_of_it_and_a_bad_month_shows_this_one(world, login):
    page = login(world.other_pd_admin).get(reverse("change:calendar"), {"bulan": "2027-01"})
    assert page.context["month"].entries == []
    page = login(world.coordinator).get(reverse("change:calendar"), {"bulan": "2027-13"})
    assert page.context["month"].first == NOW.date().replace(day=1)


def test_a_draft_change_is_not_on_the_calendar(world, month, login):
    plan, _release, _ups = month
    draft = actions.save_plan(world.owner_admin, plan_of(world, title="Belum ditetapkan",
                                                           planned_start=plan.planned_start + timedelta(days=1),
                                                           planned_end=plan.planned_end + timedelta(days=1)),
                              ChangeScope([]), RISKS)  # fmt: skip
    page = login(world.coordinator).get(reverse("change:calendar"), {"bulan": "2027-01"})
    assert draft.title not in [e.title for e in page.context["month"].entries]
