"""The DRP (O-5, P-5): drafted within the service's own RPO/RTO by the
infrastructure managers, submitted complete (contacts, every step with its
owner), approved by the PJ Penyedia Layanan of the owning PD with a review
date from the pack, revised as a new version that replaces the old one only
once approved, and exported as an editable DOCX and a PDF."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus
from spbe.catalog.models import OperatingTarget
from spbe.cmdb.models import ServiceApplication
from spbe.conftest import give
from spbe.continuity import actions
from spbe.continuity.models import PlanContact, PlanStep, RecoveryPlan
from spbe.continuity.tests.factories import STEPS, approved_plan, draft_plan, kritis_service
from spbe.org.choices import Role
from spbe.policy import versions

UTC = ZoneInfo("UTC")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_text(content: bytes) -> str:
    """Every paragraph of the document, those in tables included."""
    opened = docx.Document(BytesIO(content))
    lines = [p.text for p in opened.paragraphs]
    for table in opened.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


# --- Drafting -------------------------------------------------------------------------------------


class TestSavePlan:
    def test_an_rto_longer_than_the_services_own_is_refused_on_rto_value(self, world, service):
        """P-5: the service's RTO is 4 hours; a DRP promising 5 is refused."""
        with pytest.raises(ValidationError) as error:
            draft_plan(world, service, rto_value=5)
        assert set(error.value.message_dict) == {"rto_value"}
        assert "RTO DRP (5 jam) lebih lama dari target Pencetakan KTP-el" in error.value.message_dict["rto_value"][0]
        assert not RecoveryPlan.objects.exists()

    def test_an_rpo_longer_than_the_services_own_is_refused_on_rpo_value(self, world, service):
        """RPO of the service: 1 day; 25 hours is too long."""
        with pytest.raises(ValidationError) as error:
            draft_plan(world, service, rpo_value=25, rpo_unit="jam")
        assert set(error.value.message_dict) == {"rpo_value"}
        assert "RPO DRP (25 jam)" in error.value.message_dict["rpo_value"][0]
        assert not RecoveryPlan.objects.exists()

    def test_targets_equal_to_the_services_are_accepted(self, world, service):
        plan = draft_plan(world, service, rto_value=240, rto_unit="menit")
        assert plan.rto == timedelta(hours=4)
        assert list(plan.services.all()) == [service]

    def test_an_approved_p8_operating_target_of_its_application_also_bounds_the_drp(self, world, service):
        app = ServiceApplication.objects.get(service=service).application
        OperatingTarget.objects.create(application=app, classification="kritis", availability_target=99,
                                       rpo_value=1, rpo_unit="hari", rto_value=2, rto_unit="jam",
                                       status=ApprovalStatus.APPROVED)  # fmt: skip
        with pytest.raises(ValidationError) as error:
            draft_plan(world, service, rto_value=3)
        assert "P-8 SIAK DUK-01" in error.value.message_dict["rto_value"][0]

    def test_services_of_another_pd_are_refused(self, world, service):
        clinic = kritis_service(world, pd=world.dinkes, code="DNK-01", name="Rekam Medis")
        with pytest.raises(ValidationError) as error:
            draft_plan(world, clinic, pd=world.dukcapil)
        assert error.value.message_dict["services"] == ["Layanan yang dicakup harus milik PD pemilik DRP."]
        assert not RecoveryPlan.objects.exists()

    def test_someone_without_an_infrastructure_role_cannot_draft(self, world, service):
        plan = RecoveryPlan(pd=world.dukcapil, title="DRP", rpo_value=1, rpo_unit="hari", rto_value=4,
                            rto_unit="jam", backup_method="-", backup_frequency="-", recovery_site="pdn",
                            disaster_conditions="-")  # fmt: skip
        with pytest.raises(PermissionDenied):
            actions.save_plan(world.other_pd_admin, plan, actions.PlanScope([service]), [], [])


class TestSubmission:
    @pytest.mark.parametrize(
        ("contacts", "steps", "message"),
        [
            (None, [], "Isi prosedur pemulihan: minimal satu langkah."),
            (None, [{**STEPS[0], "owner": "  "}], "Setiap langkah prosedur harus punya penanggung jawab."),
            ([], None, "Isi minimal satu kontak darurat."),
        ],
        ids=["no-steps", "step-without-owner", "no-contact"],
    )
    def test_an_incomplete_drp_cannot_be_submitted(self, world, service, contacts, steps, message):
        plan = draft_plan(world, service)
        if contacts is not None:
            plan.contacts.all().delete()
        if steps is not None:
            plan.steps.all().delete()
            PlanStep.objects.bulk_create([PlanStep(plan=plan, order=i, **row) for i, row in enumerate(steps, 1)])
        assert plan.submission_errors() == [message]
        with pytest.raises(ValidationError, match=message):
            approvals.submit(world.vendor, plan)
        plan.refresh_from_db()
        assert plan.status == ApprovalStatus.DRAFT

    def test_a_complete_drp_has_no_submission_errors(self, world, service):
        assert draft_plan(world, service).submission_errors() == []


def plan_post(service, **overrides) -> dict:
    """The DRP page's fields: one contact and two procedure rows."""
    data = {
        "pd": service.pd_id, "title": "DRP Cetak KTP-el", "services": [service.pk], "rpo_value": "1",
        "rpo_unit": "hari", "rto_value": "4", "rto_unit": "jam", "backup_method": "pg_dump harian",
        "backup_frequency": "harian 01.00", "backup_check": "", "recovery_site": "pdn",
        "recovery_site_detail": "", "disaster_conditions": "Pusat data padam lebih dari 1 jam",
        "kontak-TOTAL_FORMS": "2", "kontak-INITIAL_FORMS": "0", "kontak-MIN_NUM_FORMS": "0",
        "kontak-MAX_NUM_FORMS": "1000",
        "kontak-0-name": "Yoga Vendor", "kontak-0-role": "Koordinator teknis", "kontak-0-phone": "0811-2222-333",
        "kontak-0-email": "",
        "langkah-TOTAL_FORMS": "2", "langkah-INITIAL_FORMS": "0", "langkah-MIN_NUM_FORMS": "0",
        "langkah-MAX_NUM_FORMS": "1000",
        "langkah-0-action": "Nyalakan server cadangan di PDN", "langkah-0-owner": "Admin Infrastruktur",
        "langkah-0-expected_minutes": "45",
        "langkah-1-action": "Pulihkan basis data dari cadangan terakhir", "langkah-1-owner": "",
        "langkah-1-expected_minutes": "90",
    }  # fmt: skip
    data.update(overrides)
    return data


class TestPlanForm:
    def test_a_step_without_owner_is_explained_next_to_owner(self, world):
        from spbe.continuity.forms import ProcedureStepForm

        form = ProcedureStepForm({"action": "Pulihkan basis data", "owner": "", "expected_minutes": 30})
        assert not form.is_valid()
        assert form.errors["owner"] == ["Setiap langkah harus punya penanggung jawab."]
        assert ProcedureStepForm({"action": "", "owner": "", "expected_minutes": ""}).is_valid()  # an empty row

    def test_the_page_saves_nothing_and_gives_back_what_was_typed(self, world, service, login):
        counts = (RecoveryPlan.objects.count(), PlanContact.objects.count(), PlanStep.objects.count())
        response = login(world.vendor).post(reverse("continuity:plan_create"), plan_post(service))
        assert response.status_code == 400
        row = response.context["steps"].forms[1]
        assert row.errors["owner"] == ["Setiap langkah harus punya penanggung jawab."]
        html = response.content.decode()
        owner_cell = html[html.index('name="langkah-1-owner"') :]
        assert owner_cell.index("Setiap langkah harus punya penanggung jawab.") < owner_cell.index("langkah-1-expected")
        assert "Pulihkan basis data dari cadangan terakhir</textarea>" in html
        assert 'value="DRP Cetak KTP-el"' in html and 'value="0811-2222-333"' in html
        assert (RecoveryPlan.objects.count(), PlanContact.objects.count(), PlanStep.objects.count()) == counts

    def test_the_page_saves_a_complete_draft_in_the_typed_order(self, world, service, login):
        response = login(world.vendor).post(
            reverse("continuity:plan_create"), plan_post(service, **{"langkah-1-owner": "DBA Diskominfo"})
        )
        plan = RecoveryPlan.objects.get()
        assert response["Location"] == plan.get_absolute_url()
        assert (plan.status, plan.drafted_by, plan.series) == (ApprovalStatus.DRAFT, world.vendor, plan.pk)
        assert list(plan.steps.values_list("order", "owner")) == [(1, "Admin Infrastruktur"), (2, "DBA Diskominfo")]
        assert list(plan.contacts.values_list("name", flat=True)) == ["Yoga Vendor"]

    def test_the_page_puts_the_target_error_on_the_rto_field(self, world, service, login):
        data = plan_post(service, rto_value="6", **{"langkah-1-owner": "DBA"})
        response = login(world.vendor).post(reverse("continuity:plan_create"), data)
        assert response.status_code == 400
        assert "lebih lama dari target" in response.context["form"].errors["rto_value"][0]
        assert not RecoveryPlan.objects.exists()


# --- Approval ------------------------------------------------------------------------------------


class TestApproval:
    def test_the_pj_penyedia_approves_and_the_review_falls_due_after_the_packs_months(
        self,
        world,
        service,
        kabid,
        time_machine,
    ):
        """Approved 31 Dec 2026 20:00 UTC, which is 1 Jan 2027 03:00 WIB: the
        review is due 12 months (Yogya's pack) after the local day."""
        moment = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
        time_machine.move_to(moment, tick=False)
        plan = draft_plan(world, service)
        approvals.submit(world.vendor, plan)
        approvals.approve(kabid, plan)
        plan.refresh_from_db()
        assert plan.status == ApprovalStatus.APPROVED and plan.is_current
        assert plan.approved_at == moment
        assert plan.review_due == date(2028, 1, 1)
        assert actions.current_plan_for(service) == plan

    def test_an_amended_pack_interval_is_used(self, world, service, kabid, packs, time_machine):
        time_machine.move_to(datetime(2026, 8, 31, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False)
        amended = versions.amend(packs["kota-yogyakarta-kepwal-110-2026"], "open_values.drp_review_months", 6,
                                 reason="Reviu tiap semester", legal_basis="Kepwal", actor=None)  # fmt: skip
        world.yogya.policy_version = amended
        world.yogya.save()
        plan = approved_plan(world, service, kabid)
        assert plan.review_due == date(2027, 2, 28)  # 31 August + 6 months: February has no 31st

    def test_without_a_pack_the_review_is_due_after_twelve_months(self, world, service, kabid, time_machine):
        time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False)
        world.yogya.policy_version = None
        world.yogya.save()
        assert approved_plan(world, service, kabid).review_due == date(2027, 3, 10)

    def test_the_drafter_cannot_approve_their_own_drp(self, world, service, kabid):
        give(kabid, Role.ADMIN_INFRA, world.dukcapil)  # the PJ drafts it too
        plan = actions.save_plan(kabid, RecoveryPlan(
            pd=world.dukcapil, title="DRP sendiri", rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
            backup_method="-", backup_frequency="-", recovery_site="pdn", disaster_conditions="-",
        ), actions.PlanScope([service]), [{"name": "A", "role": "B", "phone": "1", "email": ""}], STEPS)  # fmt: skip
        approvals.submit(kabid, plan)
        with pytest.raises(PermissionDenied):
            approvals.approve(kabid, plan)
        plan.refresh_from_db()
        assert (plan.status, plan.approved_at) == (ApprovalStatus.SUBMITTED, None)

    def test_only_the_pj_penyedia_of_the_owning_pd_approves(self, world, service):
        plan = draft_plan(world, service)
        approvals.submit(world.vendor, plan)
        for outsider in (world.owner_head, world.coordinator, world.owner_admin):
            with pytest.raises(PermissionDenied):
                approvals.approve(outsider, plan)


# --- Revision ------------------------------------------------------------------------------------


class TestRevision:
    def test_a_revision_is_a_draft_copy_in_the_same_series(self, world, service, kabid):
        v1 = approved_plan(world, service, kabid)
        v2 = actions.revise_plan(world.vendor, v1)
        assert (v2.revision, v2.status, v2.previous, v2.series) == (2, ApprovalStatus.DRAFT, v1, v1.series)
        assert v2.pk != v1.pk
        assert list(v2.services.all()) == [service]
        assert list(v2.steps.values_list("order", "action", "owner", "expected_minutes")) == list(
            v1.steps.values_list("order", "action", "owner", "expected_minutes")
        )
        assert list(v2.contacts.values_list("name", "role", "phone")) == list(
            v1.contacts.values_list("name", "role", "phone")
        )
        assert v2.steps.count() == 2 and v2.contacts.count() == 1
        assert set(v1.steps.values_list("pk", flat=True)).isdisjoint(v2.steps.values_list("pk", flat=True))

    def test_the_old_version_stays_in_force_until_the_revision_is_approved(
        self,
        world,
        service,
        kabid,
        login,
    ):
        v1 = approved_plan(world, service, kabid)
        v2 = actions.revise_plan(world.vendor, v1)
        actions.save_plan(world.vendor, v2, actions.PlanScope([service]),
                          [{"name": "Dewi", "role": "DBA", "phone": "0812", "email": ""}], STEPS)  # fmt: skip
        v1.refresh_from_db()
        assert v1.is_current and v1.superseded_at is None
        assert actions.current_plan_for(service) == v1
        approvals.submit(world.vendor, v2)
        approvals.approve(kabid, v2)
        v1.refresh_from_db()
        v2.refresh_from_db()
        assert v1.superseded_at is not None and not v1.is_current
        assert v1.status == ApprovalStatus.APPROVED  # still the approved text of its time
        assert v2.is_current and actions.current_plan_for(service) == v2
        assert list(v1.contacts.values_list("name", flat=True)) == ["Yoga Vendor"]  # untouched by v2's edit
        page = login(world.owner_admin).get(v1.get_absolute_url())
        assert page.status_code == 200
        html = page.content.decode()
        assert "Digantikan" in html and "Berlaku" not in html.split("<h1", 1)[1].split("</h1>", 1)[0]
        assert reverse("continuity:plan_detail", args=[v2.pk]) in html  # the versions list links the new one

    def test_a_second_revision_returns_the_open_draft(self, world, service, kabid):
        v1 = approved_plan(world, service, kabid)
        first = actions.revise_plan(world.vendor, v1)
        again = actions.revise_plan(world.coordinator, v1)
        assert again == first
        assert RecoveryPlan.objects.filter(series=v1.series).count() == 2

    def test_only_the_version_in_force_is_revised(self, world, service, kabid):
        draft = draft_plan(world, service)
        with pytest.raises(ValidationError, match="Hanya DRP yang berlaku"):
            actions.revise_plan(world.vendor, draft)

    def test_the_generic_revisi_verb_is_refused_for_a_drp(self, world, service, kabid, login):
        from django.contrib.contenttypes.models import ContentType

        plan = approved_plan(world, service, kabid)
        type_id = ContentType.objects.get_for_model(RecoveryPlan).pk
        response = login(world.vendor).post(reverse("approvals:decide", args=[type_id, plan.pk, "revisi"]), follow=True)
        assert "direvisi sebagai versi baru" in response.content.decode()
        plan.refresh_from_db()
        assert (plan.status, plan.revision) == (ApprovalStatus.APPROVED, 1)
        assert RecoveryPlan.objects.count() == 1
        with pytest.raises(ValidationError):
            approvals.revise(world.vendor, plan)


# --- The document --------------------------------------------------------------------------------


class TestDocument:
    @pytest.mark.parametrize(("fmt", "content_type"), [("docx", DOCX_TYPE), ("pdf", "application/pdf")])
    def test_the_drp_downloads_as_docx_and_pdf(self, world, service, kabid, login, fmt, content_type):
        plan = approved_plan(world, service, kabid)
        response = login(world.owner_admin).get(reverse("continuity:plan_document", args=[plan.pk, fmt]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert f'filename="drp-{plan.pk}-v1.{fmt}"' in response["Content-Disposition"]
        body = response.content
        assert body.startswith(b"%PDF-" if fmt == "pdf" else b"PK\x03\x04")

    def test_the_docx_names_the_drp_its_step_owners_and_the_pj(self, world, service, kabid, login):
        plan = approved_plan(world, service, kabid)
        response = login(world.vendor).get(reverse("continuity:plan_document", args=[plan.pk, "docx"]))
        text = docx_text(response.content)
        assert "DRP Pencetakan KTP-el" in text
        assert "Nyalakan server cadangan di PDN" in text and "Administrator Infrastruktur" in text
        assert "Hendra Kabid" in text  # the PJ Penyedia Layanan who approved it
        assert "Yoga Vendor" in text  # who drafted it

    def test_an_unknown_format_is_404(self, world, service, kabid, login):
        plan = approved_plan(world, service, kabid)
        assert login(world.vendor).get(reverse("continuity:plan_document", args=[plan.pk, "odt"])).status_code == 404

    def test_a_superseded_versions_document_gives_the_local_day_it_was_replaced(
        self,
        world,
        service,
        kabid,
        login,
        time_machine,
    ):
        """Replaced 5 Dec 2026 18:00 UTC = 6 Dec 2026 01:00 WIB."""
        time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)
        v1 = approved_plan(world, service, kabid)
        v2 = actions.revise_plan(world.vendor, v1)
        approvals.submit(world.vendor, v2)
        time_machine.move_to(datetime(2026, 12, 5, 18, 0, tzinfo=UTC), tick=False)
        approvals.approve(kabid, v2)
        response = login(world.vendor).get(reverse("continuity:plan_document", args=[v1.pk, "docx"]))
        text = docx_text(response.content)
        assert "Digantikan versi yang lebih baru pada 6 Desember 2026" in text
