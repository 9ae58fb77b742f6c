"""The service catalog (P-4, P-5) and its approval (S-1): rules, who may
approve, read-only after approval, and the public catalog."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spbe.approvals import actions
from spbe.approvals.models import ApprovalStatus, Decision
from spbe.catalog.models import Service
from spbe.conftest import give, make_person
from spbe.continuity.tests.factories import draft_plan
from spbe.org.choices import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pj(world):
    """Penanggung Jawab Penyedia Layanan of Disdukcapil Yogya: approves its services."""
    person = make_person("kabid@yogya.test", world.yogya, nip="198001012006041002", full_name="Hendra Kabid")
    give(person, Role.PJ_PENYEDIA, world.dukcapil)
    return person


def service(world, **overrides) -> Service:
    data = dict(
        pd=world.dukcapil, code="DUK-01", name="Pencetakan KTP-el", description="Cetak KTP elektronik",
        group="layanan_publik", classification="kritis", access="Loket Disdukcapil",
        availability_target=Decimal("99.5"), help_contact="0274-123456",
        user_service_target_override=timedelta(hours=24), user_service_target_reason="Ditetapkan Pimpinan PD",
        drafted_by=world.owner_admin,
    )  # fmt: skip
    data.update(overrides)
    return Service.objects.create(**data)


def form_data(world, **overrides) -> dict:
    data = {
        "pd": world.dukcapil.pk, "code": "DUK-09", "name": "Legalisir Dokumen", "description": "Legalisir daring",
        "group": "layanan_publik", "classification": "normal", "access": "JSS", "url": "", "help_contact": "0274-1",
        "support_hours": "working_hours", "availability_target": "98", "target_hours": "72",
        "user_service_target_reason": "Kepwal 110/2026", "rpo_value": "", "rpo_unit": "", "rto_value": "",
        "rto_unit": "",
    }  # fmt: skip
    data.update(overrides)
    return data


class TestRules:
    def test_kritis_service_cannot_be_submitted_without_rpo_rto_and_drp(self, world, packs):
        draft = service(world)
        with pytest.raises(ValidationError) as error:
            actions.submit(world.owner_admin, draft)
        assert "Belum ada: RPO, RTO, DRP yang disetujui." in str(error.value)
        draft.refresh_from_db()
        assert draft.status == ApprovalStatus.DRAFT

    def test_kritis_service_needs_an_approved_drp_not_a_draft_one(self, world, packs, pj):
        """P-5 moved to the structured DRP of O-5 (spbe.continuity)."""
        draft = service(world, rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam")
        plan = draft_plan(world, draft)
        with pytest.raises(ValidationError, match="Belum ada: DRP yang disetujui"):
            actions.submit(world.owner_admin, draft)
        actions.submit(world.vendor, plan)
        actions.approve(pj, plan)
        actions.submit(world.owner_admin, draft)
        assert draft.status == ApprovalStatus.SUBMITTED

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"availability_target": "101"}, "availability_target", "sama dengan 100"),
            ({"rto_value": "4"}, "rto_unit", "Pilih satuan RTO"),
            ({"rpo_unit": "jam"}, "rpo_value", "Isi angka RPO"),
            ({"target_hours": "", "user_service_target_reason": ""}, "target_hours", "per layanan"),
            ({"user_service_target_reason": ""}, "user_service_target_reason", "alasan"),
        ],
    )
    def test_bad_input_is_explained_next_to_the_field(self, world, packs, login, overrides, field, message):
        response = login(world.owner_admin).post(reverse("catalog:service_create"), form_data(world, **overrides))
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert message in " ".join(errors[field])
        assert not Service.objects.exists()

    def test_tegal_default_cell_needs_confirmation_before_such_a_service_is_saved(self, world, packs, login):
        data = form_data(world, pd=world.tegal_dukcapil.pk, target_hours="", user_service_target_reason="")
        response = login(world.tegal_admin).post(reverse("catalog:service_create"), data)
        assert "belum dikonfirmasi" in " ".join(response.context["form"].errors["target_hours"])

    def test_tegal_pack_target_applies_when_no_own_target(self, world, packs, login):
        data = form_data(world, pd=world.tegal_dukcapil.pk, classification="esensial", target_hours="",
                         user_service_target_reason="")  # fmt: skip
        assert login(world.tegal_admin).post(reverse("catalog:service_create"), data).status_code == 302
        assert Service.objects.get().user_service_target == timedelta(hours=36)  # Tabel 2: LP × Esensial

    def test_a_pd_cannot_create_a_service_for_another_pd(self, world, packs, login):
        response = login(world.owner_admin).post(
            reverse("catalog:service_create"), form_data(world, pd=world.dinkes.pk)
        )
        assert response.status_code == 400
        assert not Service.objects.exists()


class TestApproval:
    def test_pj_penyedia_approves_and_the_service_becomes_active(self, world, packs, pj):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        actions.approve(pj, draft, "OK")
        draft.refresh_from_db()
        assert (draft.status, draft.lifecycle) == ("approved", "active")
        kinds = list(actions.history(draft).values_list("kind", "actor__email"))
        assert kinds == [("submitted", "admin@yogya.test"), ("approved", "kabid@yogya.test")]

    def test_only_the_named_role_of_the_same_pd_approves(self, world, packs, pj):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        for someone in (world.owner_head, world.coordinator, world.sysadmin, world.other_pd_admin):
            with pytest.raises(PermissionDenied):
                actions.approve(someone, draft)
        other_pj = make_person("kabid@dinkes.test", world.yogya, nip="198101012006041003")
        give(other_pj, Role.PJ_PENYEDIA, world.dinkes)
        with pytest.raises(PermissionDenied):
            actions.approve(other_pj, draft)

    def test_the_drafter_cannot_approve_their_own_record(self, world, packs, pj):
        draft = service(world, classification="normal", drafted_by=pj)
        actions.submit(pj, draft)
        with pytest.raises(PermissionDenied):
            actions.approve(pj, draft)

    def test_rejection_needs_a_reason_and_returns_the_record_for_editing(self, world, packs, pj):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        with pytest.raises(ValidationError):
            actions.reject(pj, draft, "  ")
        actions.reject(pj, draft, "Lengkapi kontak bantuan")
        assert draft.status == ApprovalStatus.REJECTED
        assert actions.can_edit(world.owner_admin, draft)

    def test_approved_record_is_read_only_until_a_revision(self, world, packs, pj, login):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        actions.approve(pj, draft)
        client = login(world.owner_admin)
        response = client.post(reverse("catalog:service_edit", args=[draft.pk]), form_data(world, name="Diubah"))
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.name == "Pencetakan KTP-el"
        client.post(reverse("approvals:decide", args=[_type(draft), draft.pk, "revisi"]))
        draft.refresh_from_db()
        assert (draft.status, draft.revision, draft.lifecycle) == ("draft", 2, "active")
        approved = Decision.objects.get(kind="approved")
        assert approved.snapshot["name"] == "Pencetakan KTP-el"  # what was approved stays on record

    def test_inbox_lists_what_the_user_may_decide(self, world, packs, pj, login):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        assert actions.awaiting(pj) == [draft]
        assert actions.awaiting(world.owner_admin) == []
        assert "Pencetakan KTP-el" in login(pj).get(reverse("approvals:inbox")).content.decode()

    def test_approve_through_the_page(self, world, packs, pj, login):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        login(pj).post(reverse("approvals:decide", args=[_type(draft), draft.pk, "setujui"]), {"comment": "Setuju"})
        draft.refresh_from_db()
        assert draft.lifecycle == "active"

    def test_a_forbidden_decision_through_the_page_changes_nothing(self, world, packs, pj, login):
        draft = service(world, classification="normal")
        actions.submit(world.owner_admin, draft)
        response = login(world.owner_admin).post(
            reverse("approvals:decide", args=[_type(draft), draft.pk, "setujui"]), follow=True
        )
        assert "tidak berhak" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == ApprovalStatus.SUBMITTED


def _type(record) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


class TestAttachments:
    def upload(self, client, record, name, content):
        url = reverse("approvals:attach", args=[_type(record), record.pk])
        return client.post(url, {"title": "Dokumen", "file": SimpleUploadedFile(name, content)}, follow=True)

    def test_real_pdf_is_accepted_and_only_visible_to_who_may_see_the_record(
        self, world, packs, login, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        draft = service(world)
        self.upload(login(world.owner_admin), draft, "kajian.pdf", PDF)
        from spbe.approvals.models import Attachment

        attachment = Attachment.objects.get()
        url = reverse("approvals:download", args=[attachment.pk])
        assert login(world.owner_admin).get(url).status_code == 200
        assert login(world.tegal_admin).get(url).status_code == 404

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("kajian.pdf", b"bukan pdf", "tidak sesuai dengan ekstensinya"),
            ("skrip.exe", b"MZ", "Jenis berkas tidak diterima"),
            ("besar.pdf", PDF + b"0" * (10 * 1024 * 1024), "maksimal 10 MB"),
        ],
    )
    def test_bad_uploads_are_refused(self, world, packs, login, settings, tmp_path, name, content, message):
        settings.MEDIA_ROOT = tmp_path
        response = self.upload(login(world.owner_admin), service(world), name, content)
        assert message in response.content.decode()
        from spbe.approvals.models import Attachment

        assert not Attachment.objects.exists()


class TestPublicCatalog:
    def test_shows_active_services_of_the_pemda_without_log_in(self, world, packs, client, pj):
        active = service(world, classification="normal")
        actions.submit(world.owner_admin, active)
        actions.approve(pj, active)
        service(world, code="DUK-02", name="Layanan Draf", classification="normal")
        html = client.get(reverse("public:catalog", args=["yogya"])).content.decode()
        assert "Pencetakan KTP-el" in html
        assert "Layanan Draf" not in html
        assert "24 jam" in html  # its user-service target
        assert "Pencetakan KTP-el" not in client.get(reverse("public:catalog", args=["tegal"])).content.decode()

    def test_unknown_pemda_is_a_404(self, db, client):
        assert client.get(reverse("public:catalog", args=["tidak-ada"])).status_code == 404
