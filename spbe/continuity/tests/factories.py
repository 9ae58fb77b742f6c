"""Records the continuity tests build on: a kritis service of Disdukcapil
Yogya with its application and server, its PJ Penyedia Layanan, and a DRP
drafted by Diskominfo's vendor staff (``world.vendor``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from spbe.approvals import actions as approvals
from spbe.catalog.models import Service
from spbe.cmdb.models import Application, Component, ServiceApplication
from spbe.conftest import give, make_person
from spbe.continuity import actions
from spbe.continuity.actions import PlanScope
from spbe.continuity.models import RecoveryPlan
from spbe.org.choices import Role

CONTACTS = [{"name": "Yoga Vendor", "role": "Koordinator teknis", "phone": "0811-2222-333", "email": ""}]
STEPS = [
    {"action": "Nyalakan server cadangan di PDN", "owner": "Administrator Infrastruktur", "expected_minutes": 45},
    {"action": "Pulihkan basis data", "owner": "Administrator Infrastruktur", "expected_minutes": 90},
]


def pj_penyedia(world):
    person = make_person("kabid@yogya.test", world.yogya, nip="198001012006041002", full_name="Hendra Kabid")
    give(person, Role.PJ_PENYEDIA, world.dukcapil)
    return person


def kritis_service(world, **overrides) -> Service:
    data = dict(
        pd=world.dukcapil, code="DUK-01", name="Pencetakan KTP-el", description="Cetak KTP elektronik",
        group="layanan_publik", classification="kritis", access="Loket Disdukcapil", lifecycle="active",
        status="approved", availability_target=Decimal("99.5"), help_contact="0274-123456",
        user_service_target_override=timedelta(hours=24), user_service_target_reason="Ditetapkan Pimpinan PD",
        rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam", drafted_by=world.owner_admin,
        service_admin=world.owner_admin,
    )  # fmt: skip
    data.update(overrides)
    service = Service.objects.create(**data)
    server = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name=f"vm-{service.code}", kind="vm")
    app = Application.objects.create(pd=world.dukcapil, name=f"SIAK {service.code}", hosting="pdd")
    app.components.add(server)
    ServiceApplication.objects.create(service=service, application=app)
    return service


def draft_plan(world, service: Service, **overrides) -> RecoveryPlan:
    fields = dict(
        pd=service.pd, title=f"DRP {service.name}", rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
        backup_method="pg_dump ke server cadangan", backup_frequency="harian 01.00", recovery_site="pdn",
        disaster_conditions="Pusat data padam lebih dari 1 jam",
    )  # fmt: skip
    fields.update(overrides)
    return actions.save_plan(world.vendor, RecoveryPlan(**fields), PlanScope([service]), CONTACTS, STEPS)


def approved_plan(world, service: Service, approver, **overrides) -> RecoveryPlan:
    plan = draft_plan(world, service, **overrides)
    approvals.submit(world.vendor, plan)
    approvals.approve(approver, plan)
    plan.refresh_from_db()
    return plan
