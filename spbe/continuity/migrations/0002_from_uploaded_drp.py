"""P-5 moves from the uploaded DRP file to the structured DRP (O-5).

Each service that had an uploaded DRP gets a DRP version 1 with the file as
its attachment and the service's RPO/RTO. The PJ Penyedia Layanan approved
that file with the service, so the DRP of an approved service is approved
(its review due a year after the DRP's date) when the service has the RPO
and RTO a DRP needs, a draft otherwise; it is marked ``migrated_from_file``
so the overview asks for the structure through a revision. Reversing puts
the files back on the services and removes the migrated DRPs, except those
revised or used by an activation or drill since: they are history."""

from __future__ import annotations

from datetime import date

from django.db import migrations
from django.utils import timezone


def _years_later(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def forward(apps, schema_editor):
    Service = apps.get_model("catalog", "Service")
    Plan = apps.get_model("continuity", "RecoveryPlan")
    Attachment = apps.get_model("approvals", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    plan_type, _created = ContentType.objects.get_or_create(app_label="continuity", model="recoveryplan")
    now = timezone.now()
    for service in Service.objects.exclude(drp_document="").exclude(drp_document__isnull=True).iterator():
        # approved with the service, but only with the RPO and RTO a DRP cannot do without
        approved = service.status == "approved" and service.rpo_value is not None and service.rto_value is not None
        plan = Plan.objects.create(
            pd_id=service.pd_id, title=f"DRP {service.name}", status="approved" if approved else "draft",
            rpo_value=service.rpo_value or 1, rpo_unit=service.rpo_unit or "hari",
            rto_value=service.rto_value or 1, rto_unit=service.rto_unit or "hari",
            backup_method="(lihat dokumen DRP terlampir)", backup_frequency="(lihat dokumen DRP terlampir)",
            recovery_site="pdd", disaster_conditions="(lihat dokumen DRP terlampir)",
            review_due=_years_later(service.drp_date) if service.drp_date else None,
            approved_at=now if approved else None,
            drafted_by_id=service.drafted_by_id, migrated_from_file=True,
        )  # fmt: skip
        Plan.objects.filter(pk=plan.pk).update(series=plan.pk)
        plan.services.add(service)
        name = service.drp_document.name
        try:
            size = service.drp_document.size
        except OSError:
            size = 0
        Attachment.objects.create(
            content_type=plan_type, object_id=plan.pk, file=name, title=f"Dokumen DRP {service.code}", size=size,
            uploaded_by_id=service.drafted_by_id,
        )  # fmt: skip


def backward(apps, schema_editor):
    Service = apps.get_model("catalog", "Service")
    Plan = apps.get_model("continuity", "RecoveryPlan")
    Attachment = apps.get_model("approvals", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    plan_type = ContentType.objects.filter(app_label="continuity", model="recoveryplan").first()
    for plan in Plan.objects.filter(migrated_from_file=True):
        attachment = Attachment.objects.filter(content_type=plan_type, object_id=plan.pk).first()
        for service in plan.services.all():
            if attachment is not None:
                service.drp_document = attachment.file.name
                service.drp_date = (plan.review_due.replace(year=plan.review_due.year - 1)
                                    if plan.review_due else None)  # fmt: skip
                service.save(update_fields=["drp_document", "drp_date"])
        if plan.later_versions.exists() or plan.recoveries.exists():
            continue  # revised or used since: kept, it is history now
        Attachment.objects.filter(content_type=plan_type, object_id=plan.pk).delete()
        plan.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("continuity", "0001_initial"),
        ("catalog", "0002_initial"),
        ("approvals", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
