"""The DRP as a government document (O-5): an editable DOCX and a PDF with
the same content, the Pemda's letterhead and the signature blocks of who
drafted it and the PJ Penyedia Layanan who approves it."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from spbe.approvals.documents import approver_of, letterhead_for, respond
from spbe.continuity.actions import service_targets
from spbe.continuity.models import RecoveryPlan
from spbe.front import documents as doc
from spbe.front.templatetags.spbe import duration


def _status(plan: RecoveryPlan) -> str:
    if plan.superseded_at:
        day = date_format(timezone.localtime(plan.superseded_at), "j F Y")
        return _("Digantikan versi yang lebih baru pada %(day)s") % {"day": day}
    if plan.approved_at:
        return _("Disetujui %(day)s") % {"day": date_format(timezone.localtime(plan.approved_at), "j F Y")}
    return plan.get_status_display()


def plan_document(plan: RecoveryPlan) -> doc.Document:
    pemda = plan.pd.pemda
    place = pemda.name.replace("Kota ", "").replace("Kabupaten ", "")
    day = date_format(timezone.localtime(plan.approved_at) if plan.approved_at else timezone.localdate(), "j F Y")
    drafter, approver = plan.drafted_by, approver_of(plan)
    services = list(plan.services.select_related("pd"))
    targets = [
        [name, duration(rpo), duration(rto)] for service in services for name, rpo, rto in service_targets(service)
    ]
    blocks = [
        doc.KeyValues(
            [
                (_("Perangkat Daerah"), plan.pd.name),
                (_("Versi"), str(plan.revision)),
                (_("Status"), _status(plan)),
                (_("Reviu berikutnya"), date_format(plan.review_due, "j F Y") if plan.review_due else "–"),
            ]
        ),
        doc.Heading(_("1. Cakupan")),
        doc.KeyValues(
            [
                (_("Layanan"), ", ".join(f"{s.name} ({s.get_classification_display()})" for s in services) or "–"),
                (_("Aplikasi"), ", ".join(a.name for a in plan.applications.all()) or "–"),
                (_("Komponen infrastruktur"), ", ".join(c.name for c in plan.components.all()) or "–"),
            ]
        ),
        doc.Heading(_("2. Target pemulihan (RPO dan RTO)")),
        doc.Table(
            [_("Sumber"), _("RPO"), _("RTO")],
            [[_("DRP ini"), duration(plan.rpo), duration(plan.rto)], *targets],
            widths=[3, 1, 1],
        ),
        doc.Heading(_("3. Pencadangan dan lokasi pemulihan")),
        doc.KeyValues(
            [
                (_("Metode pencadangan"), plan.backup_method),
                (_("Frekuensi pencadangan"), plan.backup_frequency),
                (_("Pemantauan cadangan"), plan.backup_check.name if plan.backup_check else _("tidak ada")),
                (
                    _("Lokasi pemulihan"),
                    " — ".join(filter(None, [plan.get_recovery_site_display(), plan.recovery_site_detail])),
                ),
            ]
        ),
        doc.Heading(_("4. Kondisi yang dinyatakan bencana")),
        doc.Paragraph(plan.disaster_conditions),
        doc.Heading(_("5. Kontak darurat")),
        doc.Table(
            [_("No."), _("Nama"), _("Peran"), _("Telepon"), _("E-mail")],
            [[str(i), c.name, c.role, c.phone, c.email or "–"] for i, c in enumerate(plan.contacts.all(), 1)],
            widths=[0.4, 1.8, 2.2, 1.4, 2.4],
        ),
        doc.Heading(_("6. Prosedur pemulihan")),
        doc.Table(
            [_("No."), _("Langkah"), _("Penanggung jawab"), _("Perkiraan durasi")],
            [
                [str(i), s.action, s.owner, _("%(n)d menit") % {"n": s.expected_minutes}]
                for i, s in enumerate(plan.steps.all(), 1)
            ],
            widths=[0.5, 5, 2, 1.3],
        ),
        doc.Heading(_("7. Aktivasi pemulihan (Tabel 8)")),
        doc.Paragraph(
            _(
                "Aktivasi mengikuti tujuh langkah: penilaian kondisi fisik dan kelayakan pusat data; analisis hasil "
                "penilaian; penetapan kondisi bencana; aktivasi DRP; normalisasi; evaluasi DRP; penetapan DRP."
            )
        ),
        doc.Signatures(
            [
                doc.Signature(
                    _("Disusun oleh,\nAdministrator Infrastruktur dan Aplikasi"),
                    drafter.full_name if drafter else "",
                    getattr(drafter, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
                doc.Signature(
                    _("Disetujui oleh,\nPenanggung Jawab Penyedia Layanan"),
                    approver.full_name if approver else "",
                    getattr(approver, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
            ]
        ),
    ]
    return doc.Document(
        title=_("Rencana Pemulihan Bencana (Disaster Recovery Plan)"),
        subtitle=plan.title,
        letterhead=letterhead_for(plan.pd),
        blocks=blocks,
        footer=_("%(title)s, versi %(v)d · Layanan SPBE") % {"title": plan.title, "v": plan.revision},
    )


def plan_response(plan: RecoveryPlan, fmt: str) -> HttpResponse:
    return respond(lambda: plan_document(plan), f"drp-{plan.pk}-v{plan.revision}", fmt)
