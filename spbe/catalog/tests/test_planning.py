"""Planning records P-6, P-7, P-8, P-10, P-11: each approved by the role the
Pedoman names, through the pages."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from spbe.approvals import actions
from spbe.catalog.models import InfraPolicy, OperatingTarget, ServiceNeeds
from spbe.catalog.tests.test_services import service
from spbe.cmdb.models import Application, AppNeedsAnalysis
from spbe.conftest import give, make_person
from spbe.org.choices import Role


@pytest.fixture
def app(world):
    return Application.objects.create(pd=world.dukcapil, name="SIAK", hosting="pdd")


def test_p6_needs_technology_confirmed_before_submission(world, packs, login):
    needs = ServiceNeeds.objects.create(
        service=service(world), business_process="a", needs="b", design="c", technology="d", evaluation="e",
        drafted_by=world.owner_admin,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        actions.submit(world.owner_admin, needs)
    login(world.vendor).post(reverse("catalog:confirm_technology", args=[needs.pk]))  # Administrator Infrastruktur
    needs.refresh_from_db()
    assert needs.technology_confirmed_by == world.vendor
    actions.submit(world.owner_admin, needs)
    assert needs.status == "submitted"


def test_p7_is_approved_by_the_pj_infra_of_diskominfo(world, packs):
    policy = InfraPolicy.objects.create(pd=world.dukcapil, kind="policy", title="Cadangan", content="Harian",
                                        drafted_by=world.owner_admin)  # fmt: skip
    actions.submit(world.owner_admin, policy)
    pj_infra = make_person("aptika@yogya.test", world.yogya, nip="198201012006041004")
    give(pj_infra, Role.PJ_INFRA, world.kominfo)
    with pytest.raises(PermissionDenied):
        actions.approve(world.coordinator, policy)  # the coordinator is not the named role
    actions.approve(pj_infra, policy)
    assert policy.status == "approved"


def test_p8_kritis_operating_target_needs_rpo_and_rto(world, packs, app, login):
    data = {"application": app.pk, "classification": "kritis", "availability_target": "99.5", "rpo_value": "",
            "rpo_unit": "", "rto_value": "", "rto_unit": "", "notes": ""}  # fmt: skip
    response = login(world.owner_admin).post(reverse("catalog:planning_create", args=["target-pengoperasian"]), data)
    assert response.status_code == 400
    assert "Wajib untuk klasifikasi kritis" in response.content.decode()
    assert not OperatingTarget.objects.exists()


def test_p8_is_set_by_the_pj_penyedia(world, packs, app):
    target = OperatingTarget.objects.create(
        application=app, classification="normal", availability_target=Decimal("98"), drafted_by=world.owner_admin
    )
    actions.submit(world.owner_admin, target)
    pj = make_person("kabid@yogya.test", world.yogya, nip="198001012006041002")
    give(pj, Role.PJ_PENYEDIA, world.dukcapil)
    actions.approve(pj, target)
    assert target.status == "approved"


def test_p11_is_approved_by_diskominfo_and_checks_the_seven_principles(world, packs, login):
    client = login(world.owner_admin)
    data = {"pd": world.dukcapil.pk, "application": "", "title": "Antrean daring", "urgency": "tinggi",
            "cost_benefit": "x", "implications": "y", "functional_requirements": "z",
            "non_functional_requirements": "w", "principle_effectiveness": "Lebih cepat"}  # fmt: skip
    response = client.post(reverse("catalog:planning_create", args=["analisis-kebutuhan-aplikasi"]), data)
    analysis = AppNeedsAnalysis.objects.get()
    assert response["Location"] == analysis.get_absolute_url()
    type_id = ContentType.objects.get_for_model(analysis).pk
    page = client.post(reverse("approvals:decide", args=[type_id, analysis.pk, "ajukan"]), follow=True)
    assert "Keterpaduan" in page.content.decode()  # the principles still missing are named
    for key in ("integration", "continuity", "efficiency", "accountability", "interoperability", "security"):
        analysis.principles[key] = "ya"
    analysis.save()
    actions.submit(world.owner_admin, analysis)
    with pytest.raises(PermissionDenied):
        actions.approve(world.owner_head, analysis)
    actions.approve(world.coordinator, analysis)
    assert analysis.status == "approved"


@pytest.mark.parametrize("kind", ["kebutuhan-layanan", "kebijakan-infrastruktur", "target-pengoperasian",
                                  "target-pengelolaan-aplikasi", "analisis-kebutuhan-aplikasi"])  # fmt: skip
def test_every_planning_list_and_form_renders(world, packs, login, kind):
    client = login(world.owner_admin)
    assert client.get(reverse("catalog:planning_list", args=[kind])).status_code == 200
    assert client.get(reverse("catalog:planning_create", args=[kind])).status_code == 200


def test_records_of_another_pd_are_hidden(world, packs, login):
    policy = InfraPolicy.objects.create(pd=world.dukcapil, kind="policy", title="Rahasia", content="-",
                                        drafted_by=world.owner_admin)  # fmt: skip
    response = login(world.other_pd_admin).get(policy.get_absolute_url())
    assert response.status_code == 404
    assert (
        "Rahasia"
        not in login(world.other_pd_admin)
        .get(reverse("catalog:planning_list", args=["kebijakan-infrastruktur"]))
        .content.decode()
    )
