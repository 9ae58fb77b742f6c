"""The data migration of P-5's uploaded DRP files into structured DRPs
(O-5): each service's file becomes the attachment of an approved version 1
marked ``migrated_from_file``, its review due a year after the DRP's date;
reversing puts the files back on the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("continuity", "0001_initial"), ("catalog", "0002_initial")]
PDF = b"%PDF-1.4\n% DRP lama\n%%EOF\n"


def migrate(targets):
    """Migrate to ``targets`` and return the historical apps of every
    migration then applied."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_service(apps, world, code: str, **fields):
    Service = apps.get_model("catalog", "Service")
    data = dict(
        pd_id=world.dukcapil.pk, code=code, name=f"Layanan {code}", description="-", access="web",
        availability_target=Decimal("99.5"), help_contact="-", group="layanan_publik", classification="kritis",
        lifecycle="active", status="approved", rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
        drafted_by_id=world.vendor.pk,
    )  # fmt: skip
    data.update(fields)
    return Service.objects.create(**data)


@pytest.mark.django_db(transaction=True)
def test_uploaded_drp_files_become_structured_drps_and_come_back(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "drp" / "2026").mkdir(parents=True)
    (tmp_path / "drp" / "2026" / "drp-ktp.pdf").write_bytes(PDF)
    try:
        old = migrate(BEFORE)
        ktp = old_service(old, world, "DUK-01", drp_document="drp/2026/drp-ktp.pdf", drp_date=date(2026, 3, 15))
        leap = old_service(old, world, "DUK-02", drp_document="drp/2024/hilang.pdf", drp_date=date(2024, 2, 29),
                           status="draft", lifecycle="draft")  # fmt: skip
        plain = old_service(old, world, "DUK-03", classification="normal")

        migrate(latest())
        ContentType.objects.clear_cache()
        from spbe.approvals.models import Attachment
        from spbe.catalog.models import Service
        from spbe.continuity.models import RecoveryPlan

        plan = RecoveryPlan.objects.get(services=ktp.pk)
        assert (plan.status, plan.revision, plan.migrated_from_file) == ("approved", 1, True)
        assert plan.is_current and plan.series == plan.pk
        assert (plan.pd_id, plan.title, plan.drafted_by_id) == (
            world.dukcapil.pk,
            "DRP Layanan DUK-01",
            world.vendor.pk,
        )
        assert (plan.rpo_value, plan.rpo_unit, plan.rto_value, plan.rto_unit) == (1, "hari", 4, "jam")
        assert plan.review_due == date(2027, 3, 15)
        assert list(plan.services.values_list("pk", flat=True)) == [ktp.pk]
        attachment = Attachment.objects.get(content_type=ContentType.objects.get_for_model(RecoveryPlan),
                                            object_id=plan.pk)  # fmt: skip
        assert (attachment.file.name, attachment.size, attachment.title) == (
            "drp/2026/drp-ktp.pdf",
            len(PDF),
            "Dokumen DRP DUK-01",
        )
        assert attachment.file.read() == PDF
        assert attachment.record == plan

        draft = RecoveryPlan.objects.get(services=leap.pk)
        assert (draft.status, draft.review_due) == ("draft", date(2025, 2, 28))  # no 29 February in 2025
        assert Attachment.objects.get(object_id=draft.pk).size == 0  # the file was missing
        assert not RecoveryPlan.objects.filter(services=plain.pk).exists()
        assert RecoveryPlan.objects.count() == 2
        assert not hasattr(Service, "drp_document")

        old = migrate(BEFORE)
        Service = old.get_model("catalog", "Service")
        restored = Service.objects.get(pk=ktp.pk)
        assert (restored.drp_document.name, restored.drp_date) == ("drp/2026/drp-ktp.pdf", date(2026, 3, 15))
        assert Service.objects.get(pk=leap.pk).drp_document.name == "drp/2024/hilang.pdf"
        assert Service.objects.get(pk=plain.pk).drp_document.name == ""
        assert not old.get_model("continuity", "RecoveryPlan").objects.exists()
        assert not old.get_model("approvals", "Attachment").objects.exists()
    finally:
        migrate(latest())
        ContentType.objects.clear_cache()
