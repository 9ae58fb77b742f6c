"""Service transition plans (P-9): drafted by the PD from a user's request
or its own need, what the change touches from the CMDB, risks, and the
Pimpinan PD who sets it; bad input explained next to its field with nothing
saved; who sees what."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.impact import impact_of_change
from spbe.change.models import ChangePlan
from spbe.cmdb.models import Component, ComponentDependency
from spbe.continuity.tests.factories import kritis_service
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2027, 1, 9, 20, 0, tzinfo=WIB)
RISKS = [{"description": "Data lama gagal dipindahkan", "likelihood": 2, "impact": 4, "mitigation": "Uji migrasi"}]


@pytest.fixture
def service(world, packs):
    return kritis_service(world)


@pytest.fixture
def request_ticket(world, service):
    """A citizen asks for the certificate to be issued online (O-1)."""
    return desk.open_ticket(
        actor=world.owner_admin, service=service, kind=TicketKind.REQUEST, reporter=Reporter("Siti Warga"),
        subject="Mohon akta kelahiran bisa diurus daring", description="Agar tidak perlu datang ke loket.",
        reporting_method="portal",
    )  # fmt: skip


def plan_of(world, **overrides) -> ChangePlan:
    fields = dict(
        pd=world.dukcapil, title="Akta kelahiran daring", kind="addition", origin="provider_need",
        reason="Mengurangi antrean loket", technology_review="Modul baru SIAK", process_review="Verifikasi daring",
        policy_review="SOP baru", business_impact="Loket berkurang", satisfaction_impact="Naik",
        quality_control="UAT dengan 20 warga", success_measure="80 % akta terbit dalam 1 hari kerja",
        planned_start=START, planned_end=START + timedelta(hours=4), user_notice="Diumumkan di portal",
    )  # fmt: skip
    fields.update(overrides)
    return ChangePlan(**fields)


def test_a_plan_from_a_users_request_is_set_by_the_pimpinan_pd(world, service, request_ticket):
    plan = actions.save_plan(world.owner_admin, plan_of(world, origin="user_request", request=request_ticket),
                             ChangeScope([service]), RISKS)  # fmt: skip
    approvals.submit(world.owner_admin, plan)
    with pytest.raises(PermissionDenied):
        approvals.approve(world.owner_admin, plan)  # the drafter never sets their own plan
    approvals.approve(world.owner_head, plan, "Sesuai rencana strategis")
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.drafted_by == world.owner_admin


def test_a_plan_without_risks_is_not_submitted(world, service):
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), [])
    with pytest.raises(ValidationError, match="minimal satu risiko"):
        approvals.submit(world.owner_admin, plan)


@pytest.mark.parametrize(
    ("overrides", "scope", "field", "message"),
    [
        ({"origin": "user_request"}, "own", "request", "Pilih permintaan layanan"),
        ({"kind": "removal"}, "none", "services", "Pilih layanan yang dihapus"),
        ({"kind": "transfer"}, "own", "transfer_to", "Pilih PD yang menerima"),
        ({}, "other_pd", "services", "layanan PD lain diubah oleh PD-nya"),
        ({"planned_end": START - timedelta(hours=1)}, "own", "__all__", "Rencana selesai harus setelah"),
    ],
)
def test_bad_plans_are_refused_on_their_field_and_nothing_is_saved(world, service, overrides, scope, field, message):
    other = kritis_service(world, pd=world.dinkes, code="DINKES-01", name="Puskesmas daring")
    services = {"own": [service], "none": [], "other_pd": [other]}[scope]
    with pytest.raises(ValidationError) as error:
        actions.save_plan(world.owner_admin, plan_of(world, **overrides), ChangeScope(services), RISKS)
    assert message in " ".join(error.value.message_dict[field])
    assert not ChangePlan.objects.exists()


def test_the_impact_comes_from_the_cmdb(world, service):
    """The service's server, the switch under it, and everything that fails
    with them: another application and its service."""
    server = Component.objects.get(name=f"vm-{service.code}")
    switch = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="core-switch", kind="network")
    ComponentDependency.objects.create(component=server, depends_on=switch)
    neighbour = kritis_service(world, code="DUK-02", name="Legalisir daring")
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([], [], [switch]), RISKS)
    impact = impact_of_change(plan)
    assert {c.name for c in impact.components} == {"core-switch", "vm-DUK-01"}
    assert {s.name for s in impact.services} == {"Pencetakan KTP-el"}
    assert neighbour.name not in {s.name for s in impact.services}  # vm-DUK-02 does not depend on the switch


def test_the_pages_show_a_plan_to_its_pd_and_the_coordinator_only(world, service, login):
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    for person, status in ((world.owner_admin, 200), (world.owner_head, 200), (world.coordinator, 200),
                           (world.other_pd_admin, 404), (world.tegal_coordinator, 404)):  # fmt: skip
        assert login(person).get(reverse("change:plan_detail", args=[plan.pk])).status_code == status, person
    listed = login(world.other_pd_admin).get(reverse("change:plan_list")).content.decode()
    assert "Akta kelahiran daring" not in listed
    export = login(world.owner_admin).get(reverse("change:plan_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_form_from_a_request_keeps_what_was_typed_when_a_risk_lacks_its_handling(world, service, request_ticket,
                                                                                     login):  # fmt: skip
    client = login(world.owner_admin)
    page = client.get(reverse("change:plan_create"), {"permintaan": request_ticket.pk})
    assert page.context["form"].initial["title"] == "Mohon akta kelahiran bisa diurus daring"
    data = {
        "pd": world.dukcapil.pk, "title": "Akta daring", "kind": "addition", "origin": "user_request",
        "request": request_ticket.pk, "reason": "Permintaan warga", "technology_review": "x", "process_review": "x",
        "policy_review": "x", "business_impact": "x", "satisfaction_impact": "x", "quality_control": "x",
        "success_measure": "x", "planned_start": "2027-01-09T20:00", "planned_end": "2027-01-10T00:00",
        "user_notice": "x", "risiko-TOTAL_FORMS": "2", "risiko-INITIAL_FORMS": "0",
        "risiko-0-description": "Server penuh", "risiko-0-likelihood": "2", "risiko-0-impact": "3",
        "risiko-0-mitigation": "",
    }  # fmt: skip
    response = client.post(reverse("change:plan_create"), data)
    assert response.status_code == 400
    assert "Tuliskan penanganannya." in response.content.decode()
    assert "Server penuh" in response.content.decode()
    assert not ChangePlan.objects.exists()
    data["risiko-0-mitigation"] = "Tambah disk"
    response = client.post(reverse("change:plan_create"), data)
    plan = ChangePlan.objects.get()
    assert response.status_code == 302 and plan.request == request_ticket and plan.risks.get().score == 6
    assert client.get(reverse("change:plan_create"), {"permintaan": "x1"}).status_code == 404


def test_the_plan_page_shows_its_history(world, service, login):
    """Each record's page shows what happened to it (issue 12, item 4): the
    approval history and the audit trail of its drafts."""
    plan = actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)
    plan.title = "Akta kelahiran dan KIA daring"
    actions.save_plan(world.owner_admin, plan, ChangeScope([service]), RISKS)
    page = login(world.owner_admin).get(reverse("change:plan_detail", args=[plan.pk])).content.decode()
    assert "Riwayat perubahan" in page and "Akta kelahiran daring → Akta kelahiran dan KIA daring" in page
