"""The service transition plan (P-9), the release plan (O-6) and the
application development project (O-7) as government documents: an
editable DOCX and a PDF with the same content, the Pemda's letterhead and
the signature blocks of who drafted it and who sets or approves it. The plan shows what the change touches from the CMDB
and its risks; the release its steps, rollback, tests, window and, once
known, its result; the project its phases and the gates Diskominfo
approved."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from spbe.approvals.documents import approval_of, approver_of, letterhead_for, respond
from spbe.change.choices import ChangeKind, ReleaseStage
from spbe.change.impact import impact_of_change
from spbe.change.models import ChangePlan, Release
from spbe.change.models_projects import AppProject, ProjectPhase, Sourcing
from spbe.front import documents as doc
from spbe.org.choices import Role
from spbe.org.models import RoleAssignment


def _drafter_role(plan: ChangePlan) -> str:
    """The drafter's role in the PD (or the Koordinator SPBE's), for the signature block."""
    if plan.drafted_by_id is None:
        return ""
    roles = RoleAssignment.objects.filter(user_id=plan.drafted_by_id)
    held = roles.filter(pd=plan.pd).first() or roles.filter(role=Role.KOORDINATOR_SPBE).first()
    return held.get_role_display() if held else ""


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return _("%(day)s pukul %(time)s %(zone)s") % {
        "day": date_format(local, "j F Y"),
        "time": date_format(local, "H.i"),
        "zone": local.tzname(),
    }


def _names(items, with_pd: bool = False) -> str:
    return ", ".join(f"{i.name} ({i.pd.abbreviation or i.pd.name})" if with_pd else i.name for i in items) or "–"


def _status(plan: ChangePlan, approval) -> str:
    if approval is not None:
        return _("Ditetapkan %(day)s") % {"day": date_format(timezone.localtime(approval.at), "j F Y")}
    return plan.get_status_display()


def _identity(plan: ChangePlan, approval) -> doc.KeyValues:
    kind = plan.get_kind_display()
    if plan.kind == ChangeKind.TRANSFER and plan.transfer_to:
        kind = _("%(kind)s kepada %(pd)s") % {"kind": kind, "pd": plan.transfer_to.name}
    origin = plan.get_origin_display()
    if plan.request:
        origin = f"{origin} — {plan.request.number} {plan.request.subject}"
    return doc.KeyValues(
        [
            (_("PD penyedia layanan"), plan.pd.name),
            (_("Jenis perubahan"), kind),
            (_("Asal perubahan"), origin),
            (_("Revisi"), str(plan.revision)),
            (_("Status"), _status(plan, approval)),
        ]
    )


def _risks(plan: ChangePlan) -> doc.Block:
    risks = list(plan.risks.all())
    if not risks:
        return doc.Paragraph(_("Belum ada risiko yang diidentifikasi."))
    return doc.Table(
        [_("No."), _("Risiko"), _("Kemungkinan × dampak = skor"), _("Penanganan")],
        [
            [str(i), r.description, f"{r.likelihood} × {r.impact} = {r.score}", r.mitigation]
            for i, r in enumerate(risks, 1)
        ],
        widths=[0.7, 3.2, 1.9, 3.2],
    )


def plan_document(plan: ChangePlan) -> doc.Document:
    pemda = plan.pd.pemda
    place = pemda.name.replace("Kota ", "").replace("Kabupaten ", "")
    approval = approval_of(plan)
    day = date_format(timezone.localtime(approval.at) if approval else timezone.localdate(), "j F Y")
    drafter, approver = plan.drafted_by, approver_of(plan, approval)
    impact = impact_of_change(plan)
    blocks = [
        _identity(plan, approval),
        doc.Heading(_("1. Alasan perubahan")),
        doc.Paragraph(plan.reason),
        doc.Heading(_("2. Cakupan perubahan")),
        doc.KeyValues(
            [
                (_("Layanan"), _names(plan.services.select_related("pd"), with_pd=True)),
                (_("Aplikasi"), _names(plan.applications.all())),
                (_("Komponen infrastruktur"), _names(plan.components.all())),
            ]
        ),
        doc.Heading(_("Analisis dampak dari basis data konfigurasi"), level=2),
        doc.Paragraph(
            _(
                "Komponen yang disebut dan yang berada di bawah layanan terdampak, beserta semua aplikasi dan "
                "layanan yang bergantung padanya."
            )
        ),
        doc.KeyValues(
            [
                (_("Layanan terdampak"), _names(impact.services, with_pd=True)),
                (_("Aplikasi terdampak"), _names(impact.applications)),
                (_("Komponen terdampak"), _names(impact.components)),
            ]
        ),
        doc.Heading(_("3. Reviu perubahan")),
        doc.KeyValues(
            [
                (_("Teknologi"), plan.technology_review),
                (_("Proses"), plan.process_review),
                (_("Kebijakan"), plan.policy_review),
            ]
        ),
        doc.Heading(_("4. Dampak perubahan")),
        doc.KeyValues(
            [
                (_("Terhadap proses bisnis"), plan.business_impact),
                (_("Terhadap kepuasan pengguna"), plan.satisfaction_impact),
            ]
        ),
        doc.Heading(_("5. Pengendalian kualitas")),
        doc.Paragraph(plan.quality_control),
        doc.Heading(_("6. Ukuran keberhasilan")),
        doc.Paragraph(plan.success_measure),
        doc.Heading(_("7. Jadwal")),
        doc.KeyValues(
            [(_("Rencana mulai"), _when(plan.planned_start)), (_("Rencana selesai"), _when(plan.planned_end))]
        ),
        doc.Heading(_("8. Informasi kepada pengguna layanan")),
        doc.Paragraph(plan.user_notice),
        doc.Heading(_("9. Risiko perubahan")),
        _risks(plan),
        doc.Paragraph(
            _("Skor risiko = kemungkinan × dampak, masing-masing 1 (sangat rendah) sampai 5 (sangat tinggi).")
        ),
        doc.Signatures(
            [
                doc.Signature(
                    "\n".join(filter(None, [_("Disusun oleh,"), _drafter_role(plan)])),
                    drafter.full_name if drafter else "",
                    getattr(drafter, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
                doc.Signature(
                    _("Ditetapkan oleh,\nPimpinan PD Penyedia Layanan"),
                    approver.full_name if approver else "",
                    getattr(approver, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
            ]
        ),
    ]
    return doc.Document(
        title=_("Rencana Perubahan Layanan"),
        subtitle=plan.title,
        letterhead=letterhead_for(plan.pd),
        blocks=blocks,
        footer=_("%(title)s, revisi %(v)d · Layanan SPBE") % {"title": plan.title, "v": plan.revision},
    )


def plan_response(plan: ChangePlan, fmt: str) -> HttpResponse:
    return respond(lambda: plan_document(plan), f"rencana-perubahan-{plan.pk}-r{plan.revision}", fmt)


# --- The release plan (O-6) ------------------------------------------------------------------------


def _text(value: str) -> str:
    return value.strip() or "–"


def _versions(release: Release) -> str:
    """The application's version before and the one the release brings."""
    before = release.previous_version
    if not before and release.stage != ReleaseStage.SUCCEEDED:
        before = release.application.version  # not released yet: what runs now
    if before and release.version:
        return f"{before} → {release.version}"
    return release.version or "–"


def _release_identity(release: Release, approval) -> doc.KeyValues:
    basis = release.get_basis_display()
    if release.change_plan:
        basis = _("%(basis)s — rencana perubahan layanan “%(plan)s”") % {
            "basis": basis,
            "plan": release.change_plan.title,
        }
    rows = [(_("PD penyedia layanan"), release.pd.name), (_("Dasar rilis"), basis)]
    if release.application:
        rows += [(_("Aplikasi"), release.application.name), (_("Versi"), _versions(release))]
    elif release.version:
        rows.append((_("Versi"), release.version))
    status = release.get_status_display()
    if approval is not None:
        status = _("Disetujui %(day)s") % {"day": date_format(timezone.localtime(approval.at), "j F Y")}
    rows += [
        (_("Layanan"), _names(release.services.select_related("pd"), with_pd=True)),
        (_("Status persetujuan"), status),
        (_("Tahap"), release.get_stage_display()),
    ]
    return doc.KeyValues(rows)


def _release_result(release: Release, number: int) -> list[doc.Block]:
    """What happened, once anything is known: verification, tests, problems,
    rollback and the provider's feedback."""
    rows = []
    if release.verified_at:  # one row each: a row is not split across pages
        rows += [
            (_("Diverifikasi"), _when(release.verified_at)),
            (_("Hasil verifikasi"), _text(release.verification_note)),
        ]
    if release.test_results:
        rows.append((_("Hasil pengujian"), release.test_results))
    if release.rollback_notes:
        if release.rolled_back_at:
            rows.append((_("Dikembalikan"), _when(release.rolled_back_at)))
        rows.append((_("Pengembalian (rollback)"), release.rollback_notes))
    if release.feedback:
        rows.append((_("Umpan balik penyedia layanan"), release.feedback))
    problems = list(release.problems.select_related("ticket"))
    if not rows and not problems:
        return []
    blocks: list[doc.Block] = [doc.Heading(_("%(n)d. Hasil rilis") % {"n": number})]
    if rows:
        blocks.append(doc.KeyValues(rows))
    if problems:
        blocks += [
            doc.Heading(_("Masalah yang ditemui"), level=2),
            doc.Table(
                [_("No."), _("Masalah"), _("Dicatat"), _("Aduan")],
                [
                    [str(i), p.description, _when(p.at), p.ticket.number if p.ticket else "–"]
                    for i, p in enumerate(problems, 1)
                ],
                widths=[0.6, 4.1, 2.4, 1.9],
            ),
        ]
    return blocks


def release_document(release: Release) -> doc.Document:
    pemda = release.pd.pemda
    place = pemda.name.replace("Kota ", "").replace("Kabupaten ", "")
    approval = approval_of(release)
    day = date_format(timezone.localtime(approval.at) if approval else timezone.localdate(), "j F Y")
    drafter, approver = release.drafted_by, approver_of(release, approval)
    verified_until = release.window_end + timedelta(minutes=release.verification_minutes)
    blocks = [
        _release_identity(release, approval),
        doc.Heading(_("1. Yang dirilis")),
        doc.Paragraph(release.description),
        doc.Heading(_("2. Langkah rilis")),
        doc.Paragraph(release.steps),
        doc.Heading(_("3. Rencana pengembalian (rollback)")),
        doc.Paragraph(release.rollback_plan),
        doc.Heading(_("4. Rencana pengujian")),
        doc.Paragraph(release.test_plan),
        doc.Heading(_("5. Jendela rilis dan verifikasi")),
        doc.KeyValues(
            [
                (_("Jendela rilis mulai"), _when(release.window_start)),
                (_("Jendela rilis selesai"), _when(release.window_end)),
                (
                    _("Masa verifikasi"),
                    _("%(m)d menit setelah jendela rilis, sampai %(until)s")
                    % {
                        "m": release.verification_minutes,
                        "until": _when(verified_until),
                    },
                ),
            ]
        ),
        doc.Paragraph(
            _(
                "Selama jendela rilis, pemeriksaan pemantauan layanan dihentikan dan waktunya tidak dihitung "
                "dalam ketersediaan layanan; jendela diumumkan sebagai pemeliharaan di halaman status. Rilis "
                "berhasil bila semua pemeriksaan layanan tetap hijau selama masa verifikasi."
            )
        ),
        doc.Heading(_("6. Pengumuman kepada pengguna layanan")),
        doc.Paragraph(release.announcement),
        *_release_result(release, 7),
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
        title=_("Rencana Rilis Layanan"),
        subtitle=str(release),
        letterhead=letterhead_for(release.pd),
        blocks=blocks,
        footer=_("Rencana rilis %(title)s · Layanan SPBE") % {"title": release},
    )


def release_response(release: Release, fmt: str) -> HttpResponse:
    return respond(lambda: release_document(release), f"rencana-rilis-{release.pk}", fmt)


# --- The application development project (O-7) ----------------------------------------------------


def _days(start, end) -> str:
    if start is None:
        return "–"
    return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y') if end else '…'}"


def _gate(phase: ProjectPhase) -> str:
    if not phase.needs_gate_approval:
        return _("Tidak diperlukan")
    if phase.gate_approved_at is None:
        return _("Menunggu persetujuan Koordinator SPBE")
    who = phase.gate_approved_by.full_name if phase.gate_approved_by else "–"
    return _("Disetujui %(who)s, %(when)s") % {"who": who, "when": _when(phase.gate_approved_at)}


def _project_identity(project: AppProject, approval) -> doc.KeyValues:
    application = project.application.name
    if project.application.version:
        application = f"{application} {project.application.version}"
    sourcing = project.get_sourcing_display()
    rows = [
        (_("Aplikasi"), application),
        (_("PD pemilik aplikasi"), project.pd.name),
        (_("Metode SDLC"), project.get_method_display()),
        (_("Pelaksana"), sourcing),
    ]
    if project.sourcing == Sourcing.OUTSOURCED:
        rows += [(_("Vendor"), _text(project.vendor)), (_("Nomor kontrak"), _text(project.contract_number))]
    analysis, target = project.needs_analysis, project.management_target
    status = project.get_status_display()
    if approval is not None:
        status = _("Disetujui %(day)s") % {"day": date_format(timezone.localtime(approval.at), "j F Y")}
    rows += [
        (
            _("Analisis kebutuhan (P-11)"),
            f"{analysis.title} — {analysis.get_status_display()}" if analysis else _("Belum ditautkan"),
        ),
        (
            _("Target pengelolaan (P-10)"),
            f"{target} — {target.get_status_display()}" if target else _("Belum ditautkan"),
        ),
        (_("Revisi"), str(project.revision)),
        (_("Status persetujuan"), status),
    ]
    return doc.KeyValues(rows)


def _phases(project: AppProject) -> doc.Block:
    phases = list(project.phases.select_related("gate_approved_by"))
    if not phases:
        return doc.Paragraph(_("Belum ada fase yang direncanakan."))
    return doc.Table(
        [_("Fase"), _("Rencana"), _("Realisasi"), _("Keluaran"), _("Gerbang Diskominfo")],
        [
            [
                f"{p.get_phase_display()}\n({p.get_status_display()})",
                _days(p.planned_start, p.planned_end),
                _days(p.actual_start, p.actual_end),
                p.deliverables,
                _gate(p),
            ]
            for p in phases
        ],
        widths=[2.1, 1.9, 1.9, 2.0, 2.0],
    )


def project_document(project: AppProject) -> doc.Document:
    pemda = project.pd.pemda
    place = pemda.name.replace("Kota ", "").replace("Kabupaten ", "")
    approval = approval_of(project)
    day = date_format(timezone.localtime(approval.at) if approval else timezone.localdate(), "j F Y")
    drafter, approver = project.drafted_by, approver_of(project, approval)
    blocks = [
        _project_identity(project, approval),
        doc.Heading(_("1. Tujuan")),
        doc.Paragraph(project.goal),
        doc.Heading(_("2. Ruang lingkup")),
        doc.Paragraph(project.scope),
        doc.Heading(_("3. Fase SDLC")),
        _phases(project),
        doc.Paragraph(
            _(
                "Implementasi dan fase sesudahnya dimulai setelah proyek disetujui Koordinator SPBE; fase yang "
                "memerlukan persetujuan gerbang selesai setelah keluarannya disetujui Koordinator SPBE."
            )
        ),
        doc.Signatures(
            [
                doc.Signature(
                    "\n".join(filter(None, [_("Disusun oleh,"), _drafter_role(project)])),
                    drafter.full_name if drafter else "",
                    getattr(drafter, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
                doc.Signature(
                    _("Disetujui oleh,\nKoordinator SPBE (Diskominfo)"),
                    approver.full_name if approver else "",
                    getattr(approver, "nip", "") or "",
                    place_date=f"{place}, {day}",
                ),
            ]
        ),
    ]
    return doc.Document(
        title=_("Proyek Pengembangan Aplikasi"),
        subtitle=project.title,
        letterhead=letterhead_for(project.pd),
        blocks=blocks,
        footer=_("Proyek %(title)s, revisi %(v)d · Layanan SPBE") % {"title": project.title, "v": project.revision},
    )


def project_response(project: AppProject, fmt: str) -> HttpResponse:
    return respond(lambda: project_document(project), f"proyek-aplikasi-{project.pk}-r{project.revision}", fmt)
