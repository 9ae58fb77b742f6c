"""The evaluation report (E-2) as a government document: an editable DOCX
and a PDF with the same content, in the layout of an Indonesian government
report — a cover, BAB I Pendahuluan, BAB II Hasil Evaluasi with one section
per chapter (the recap tables from ``figures_of``, charts, the staff's
analysis and the chapter's follow-up actions), BAB III Tindak Lanjut (the
report's actions and the open ones carried from earlier reports), BAB IV
Penutup and the signature blocks of who drafted and who approves it.

A draft is marked "DRAF — angka dihitung ulang" (its figures are computed
at each download); an approved report carries the figures frozen at
approval and says when they were frozen (E-2).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from spbe.approvals.documents import approver_of, letterhead_for, respond
from spbe.approvals.models import ApprovalStatus
from spbe.evaluation.actions import carried_actions
from spbe.evaluation.choices import ActionStatus, Chapter
from spbe.evaluation.export_chapters import LETTERS, SECTIONS, Context, day, short_day
from spbe.evaluation.figures import figures_of
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.evaluation.rules import rules_for
from spbe.front import documents as doc
from spbe.org.choices import Role
from spbe.org.models import RoleAssignment

# --- follow-up actions -----------------------------------------------------------------------------


def _target(action: FollowUpAction) -> str:
    target = action.target
    return f"{action.get_target_kind_display()}: {target or '–'}"


def _status(action: FollowUpAction, today: date) -> str:
    status = action.get_status_display()
    return status + _(" (lewat tenggat)") if action.is_overdue(today) else status


def _evidence(action: FollowUpAction) -> str:
    if action.status != ActionStatus.DONE:
        return "–"
    parts = [action.evidence_note]
    if action.evidence_file:
        parts.append(_("Berkas: %(name)s") % {"name": action.evidence_file.name.rsplit("/", 1)[-1]})
    if action.before_version or action.after_version:
        parts.append(f"{action.before_version or '–'} → {action.after_version or '–'}")
    return "\n".join(filter(None, parts))


def _what(action: FollowUpAction, with_evidence: bool = False) -> str:
    evidence = _evidence(action) if with_evidence and action.status == ActionStatus.DONE else ""
    return "\n".join(filter(None, [action.title, _target(action), evidence and _("Bukti: %(e)s") % {"e": evidence}]))


def _actions_table(actions: list[FollowUpAction], today: date, *, first: str, first_of) -> doc.Table:
    """BAB III: every action with where it comes from; the evidence under its title."""
    return doc.Table(
        [_("No."), first, _("Tindak lanjut"), _("Penanggung jawab"), _("Tenggat"), _("Status")],
        [
            [str(i), first_of(a), _what(a, True), a.owner.full_name, short_day(a.due_date), _status(a, today)]
            for i, a in enumerate(actions, 1)
        ],
        widths=[0.8, 2.4, 3.6, 2.0, 1.6, 1.6],
    )


def _chapter_actions(actions: list[FollowUpAction], today: date) -> doc.Block:
    if not actions:
        return doc.Paragraph(_("Belum ada tindak lanjut untuk bab ini."))
    return doc.Table(
        [_("No."), _("Tindak lanjut"), _("Penanggung jawab"), _("Tenggat"), _("Status"), _("Bukti")],
        [
            [str(i), _what(a), a.owner.full_name, short_day(a.due_date), _status(a, today), _evidence(a)]
            for i, a in enumerate(actions, 1)
        ],
        widths=[0.8, 3.2, 1.9, 1.6, 1.6, 2.4],
    )


# --- the document -------------------------------------------------------------------------------------


def _introduction(report: EvaluationReport) -> str:
    if report.introduction.strip():
        return report.introduction
    version = report.pemda.policy_version
    basis = version.legal_reference if version else _("peraturan kepala daerah tentang manajemen layanan SPBE")
    return _(
        "Evaluasi manajemen layanan SPBE dilaksanakan sesuai Pedoman Manajemen Layanan SPBE (%(basis)s) bagian 2.3 "
        "Evaluasi (E-1, E-2): memantau, mengukur, dan menganalisis efektivitas perencanaan dan pengoperasian "
        "layanan agar hasilnya menjadi umpan balik bagi perencanaan dan pengoperasian berikutnya.\n"
        "Laporan ini mengevaluasi manajemen layanan %(subject)s untuk periode %(start)s sampai dengan %(end)s. "
        "Ruang lingkupnya: permintaan layanan, penanganan gangguan, pemantauan dan pemeliharaan, pemulihan "
        "layanan, rilis layanan, perencanaan dan pengelolaan aplikasi, serta evaluasi dokumen SLA (E-3). Setiap "
        "bab memuat rekapitulasi yang dihitung dari catatan aplikasi Layanan SPBE, analisis hambatan dan peluang "
        "perbaikan, serta tindak lanjutnya."
    ) % {
        "basis": basis,
        "subject": report.subject_name,
        "start": day(report.period_start),
        "end": day(report.period_end),
    }


def _conclusion(ctx: Context, actions: list[FollowUpAction]) -> str:
    if ctx.report.conclusion.strip():
        return ctx.report.conclusion
    f = ctx.figures
    open_actions = sum(1 for a in actions if a.is_open)
    return _(
        "Dalam periode ini %(req)s dari %(req_n)s layanan terukur memenuhi target permintaan layanan, %(dis)s dari "
        "%(dis_n)s memenuhi target penanganan aduan, dan %(mon)s dari %(mon_n)s memenuhi target ketersediaan. "
        "Hambatan dan peluang perbaikan diuraikan pada setiap bagian BAB II; %(open)s tindak lanjut yang belum "
        "selesai dipantau dan dibawa ke laporan evaluasi periode berikutnya."
    ) % {
        "req": f["requests"]["services_met"],
        "req_n": f["requests"]["services_measured"],
        "dis": f["disruptions"]["services_met"],
        "dis_n": f["disruptions"]["services_measured"],
        "mon": f["monitoring"]["services_met"],
        "mon_n": f["monitoring"]["services_measured"],
        "open": open_actions,
    }


def is_frozen(report: EvaluationReport) -> bool:
    return report.status == ApprovalStatus.APPROVED and report.figures is not None


def figures_mark(report: EvaluationReport, figures: dict, zone: ZoneInfo) -> str:
    """The mark on the cover and every page (E-2): "DRAF — angka dihitung ulang" until the
    report is approved, then "Angka dibekukan pada …"."""
    if is_frozen(report) and report.frozen_at:
        frozen = timezone.localtime(report.frozen_at, zone)
        return _("Angka dibekukan pada %(when)s") % {"when": f"{date_format(frozen, 'j F Y H.i')} {frozen.tzname()}"}
    computed = datetime.fromisoformat(figures["computed_at"]).astimezone(zone)
    return _("DRAF — angka dihitung ulang (%(when)s)") % {
        "when": f"{date_format(computed, 'j F Y H.i')} {computed.tzname()}"
    }


def _role_in(user, pd) -> str:
    if user is None:
        return ""
    held = RoleAssignment.objects.filter(user=user, pd=pd).order_by("pk").first()
    return held.get_role_display() if held else ""


def _cover(ctx: Context, drafter, approver, mark: str) -> list[doc.Block]:
    report = ctx.report
    approver_label = str(Role(report.approver_role).label)
    approved = report.status == ApprovalStatus.APPROVED
    return [
        doc.KeyValues(
            [
                (_("Yang dievaluasi"), report.subject_name),
                (_("Cakupan"), report.get_scope_display()),
                (_("Periode"), f"{day(report.period_start)} – {day(report.period_end)}"),
                (_("Status laporan"), f"{report.get_status_display()}, {_('revisi')} {report.revision}"),
                (_("Angka laporan"), mark),
                (_("Disusun oleh"), f"{drafter.full_name} ({report.pd.name})" if drafter else "–"),
                (
                    _("Disetujui oleh"),
                    f"{approver.full_name}, {approver_label}"
                    if approved and approver
                    else _("Belum disetujui — %(role)s") % {"role": approver_label},
                ),
            ]
        ),
        doc.PageBreak(),
    ]


def _chapters(ctx: Context, actions: list[FollowUpAction]) -> list[doc.Block]:
    analyses = {a.chapter: a for a in ctx.report.analyses.all()}
    blocks: list[doc.Block] = [doc.Heading(_("BAB II HASIL EVALUASI"))]
    for letter, chapter in zip(LETTERS, Chapter, strict=True):
        analysis = analyses.get(chapter)
        blocks += [
            doc.Heading(f"{letter}. {chapter.label}", level=2),
            *SECTIONS[chapter](ctx),
            doc.Heading(_("Analisis hambatan dan peluang perbaikan"), level=3),
            doc.KeyValues(
                [
                    (_("Hambatan"), (analysis.obstacles if analysis else "") or _("Belum diisi.")),
                    (_("Peluang perbaikan"), (analysis.improvements if analysis else "") or _("Belum diisi.")),
                ]
            ),
            doc.Heading(_("Tindak lanjut"), level=3),
            _chapter_actions([a for a in actions if a.chapter == chapter], ctx.today),
        ]
    return blocks


def _follow_up(ctx: Context, actions: list[FollowUpAction]) -> list[doc.Block]:
    carried = list(carried_actions(ctx.report).order_by("due_date", "pk"))
    blocks: list[doc.Block] = [
        doc.Heading(_("BAB III TINDAK LANJUT")),
        doc.Paragraph(
            _(
                "Tindak lanjut hasil evaluasi dicatat dengan penanggung jawab, tenggat, dan bukti penyelesaian; "
                "yang belum selesai dibawa ke laporan periode berikutnya."
            )
        ),
        doc.Heading(_("A. Tindak lanjut laporan ini"), level=2),
    ]
    chapters = {c.value: c.label for c in Chapter}
    if actions:
        blocks.append(_actions_table(actions, ctx.today, first=_("Bab"), first_of=lambda a: str(chapters[a.chapter])))
    else:
        blocks.append(doc.Paragraph(_("Belum ada tindak lanjut yang dicatat.")))
    blocks.append(doc.Heading(_("B. Tindak lanjut terbuka dari laporan sebelumnya"), level=2))
    if carried:
        blocks.append(_actions_table(carried, ctx.today, first=_("Laporan asal"), first_of=lambda a: a.report.title))
    else:
        blocks.append(doc.Paragraph(_("Tidak ada tindak lanjut terbuka dari laporan sebelumnya.")))
    return blocks


def _signatures(ctx: Context, drafter, approver) -> doc.Signatures:
    report = ctx.report
    place = report.pemda.name.replace("Kota ", "").replace("Kabupaten ", "")
    frozen = is_frozen(report) and report.frozen_at
    signed_on = day(timezone.localtime(report.frozen_at, ctx.zone).date() if frozen else ctx.today)
    drafter_role = _role_in(drafter, report.pd)
    return doc.Signatures(
        [
            doc.Signature(
                "\n".join(filter(None, [_("Disusun oleh,"), drafter_role])),
                drafter.full_name if drafter else "",
                getattr(drafter, "nip", "") or "",
                place_date=f"{place}, {signed_on}",
            ),
            doc.Signature(
                _("Disetujui oleh,\n%(role)s") % {"role": Role(report.approver_role).label},
                approver.full_name if approver else "",
                getattr(approver, "nip", "") or "",
                place_date=f"{place}, {signed_on}",
            ),
        ]
    )


def build(report: EvaluationReport) -> doc.Document:
    """The report as a government document (E-2), figures frozen or computed now."""
    zone = ZoneInfo(report.pemda.time_zone)
    figures = figures_of(report)
    ctx = Context(
        report,
        figures,
        zone,
        figures.get("rules", {}).get("target_met_percent") or rules_for(report.pemda).target_met_percent,
        timezone.localdate(timezone=zone),
    )
    actions = list(
        report.actions.select_related("owner", "service", "drp", "policy_version").order_by("due_date", "pk")
    )
    drafter, approver = report.drafted_by, approver_of(report)
    mark = figures_mark(report, figures, zone)
    blocks = [
        *_cover(ctx, drafter, approver, mark),
        doc.Heading(_("BAB I PENDAHULUAN")),
        doc.Paragraph(_introduction(report)),
        *_chapters(ctx, actions),
        *_follow_up(ctx, actions),
        doc.Heading(_("BAB IV PENUTUP")),
        doc.Paragraph(_conclusion(ctx, actions)),
        _signatures(ctx, drafter, approver),
    ]
    period = _("Periode %(start)s – %(end)s") % {"start": day(report.period_start), "end": day(report.period_end)}
    return doc.Document(
        title=report.title,
        subtitle=f"{period}\n{mark}",
        letterhead=letterhead_for(report.pd),
        blocks=blocks,
        footer=f"{mark} · Layanan SPBE",
    )


def file_stem(report: EvaluationReport) -> str:
    """ASCII, e.g. laporan-evaluasi-12-r1-disdukcapil-yogya."""
    return f"laporan-evaluasi-{report.pk}-r{report.revision}-{slugify(report.subject_name)[:40]}".rstrip("-")


def report_document(report: EvaluationReport, fmt: str) -> HttpResponse:
    """The report as DOCX or PDF; any other format is not found."""
    return respond(lambda: build(report), file_stem(report), fmt)
