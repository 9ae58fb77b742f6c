"""The evidence pack (*bukti dukung*, E-4) of a PD or of the whole Pemda for
a period: one ZIP, ready to upload to the national SPBE evaluation, with
the maturity assessment as a PDF, the documents that prove each criterion
and an index (INDEKS.txt and INDEKS.csv) naming, for every file, the
criterion of Tabel 14 it proves.

Folders follow the levels: ``01-perencanaan`` (level 2: the approved
catalog and the planning records' attachments), ``02-proses`` (level 3:
DRPs in force, transition plans and releases of the period), ``03-evaluasi``
(level 4: the approved evaluation reports) and ``04-tindak-lanjut`` (level
5: the completed follow-up actions and their evidence). The pack is
bounded: no file per ticket, at most ``LIMIT`` documents of each kind.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from datetime import date
from io import BytesIO, StringIO
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

from spbe.approvals.documents import letterhead_for
from spbe.approvals.models import ApprovalStatus, Attachment
from spbe.catalog.choices import Lifecycle
from spbe.catalog.io import catalog_pdf
from spbe.catalog.models import InfraPolicy, OperatingTarget, Service, ServiceNeeds
from spbe.change import export as change_export
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import AppManagementTarget, AppNeedsAnalysis
from spbe.continuity import export as continuity_export
from spbe.continuity.models import RecoveryPlan
from spbe.evaluation import export as report_export
from spbe.evaluation import maturity as maturity_rules
from spbe.evaluation.choices import ActionStatus, ReportScope
from spbe.evaluation.figures import Subject
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.evaluation.rules import rules_for
from spbe.front import documents as doc

LIMIT = 50  # documents of each kind in one pack
MATURITY_FILE = "00-tingkat-kematangan.pdf"
FOLDERS = {2: "01-perencanaan", 3: "02-proses", 4: "03-evaluasi", 5: "04-tindak-lanjut"}
# the planning records whose attachments are evidence, with the criterion each proves (maturity.py's keys)
PLANNING_RECORDS = [
    (Service, "pd", "catalog"),
    (ServiceNeeds, "service__pd", "planning_records"),
    (OperatingTarget, "application__pd", "planning_records"),
    (InfraPolicy, "pd", "planning_records"),
    (AppManagementTarget, "application__pd", "applications"),
    (AppNeedsAnalysis, "pd", "applications"),
]


@dataclass
class _Entry:
    path: str
    criterion: str  # a maturity criterion's key, or "" for the assessment itself
    description: str


class _Pack:
    """The ZIP being written and its index."""

    def __init__(self, criteria: dict[str, maturity_rules.Criterion]):
        self.buffer = BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.criteria = criteria
        self.entries: list[_Entry] = []
        self.notes: list[str] = []

    def add(self, path: str, content: bytes, criterion: str, description: str) -> None:
        taken = {e.path for e in self.entries}
        stem, suffix = path.rsplit(".", 1) if "." in PurePosixPath(path).name else (path, "")
        number = 2
        while path in taken:  # two attachments of the same name
            path = f"{stem}-{number}.{suffix}" if suffix else f"{stem}-{number}"
            number += 1
        self.zip.writestr(path, content)
        self.entries.append(_Entry(path, criterion, description))

    def criterion_label(self, key: str) -> tuple[str, str]:
        criterion = self.criteria.get(key)
        if criterion is None:
            return "", _("Seluruh kriteria")
        return str(criterion.level), str(criterion.title)


# --- names ----------------------------------------------------------------------------------------


def ascii_name(text: str, limit: int = 50) -> str:
    """A file-name part in ASCII (slugify drops what ASCII cannot write)."""
    return slugify(text.replace("_", " "))[:limit].strip("-") or "berkas"


def _file_name(name: str) -> str:
    path = PurePosixPath(name)
    return f"{ascii_name(path.stem)}{path.suffix.lower()}"


def _read(field) -> bytes | None:
    try:
        with field.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):  # the file is gone from storage
        return None


# --- what belongs to the subject -------------------------------------------------------------------


def _scoped(qs, subject: Subject, pd_path: str = "pd"):
    if subject.pd is not None:
        return qs.filter(**{pd_path: subject.pd})
    return qs.filter(**{f"{pd_path}__pemda": subject.pemda})


def _reports(subject: Subject) -> list[EvaluationReport]:
    """Approved reports of the subject overlapping the period, and the one the maturity level cites."""
    reports = EvaluationReport.objects.filter(
        pemda=subject.pemda,
        status=ApprovalStatus.APPROVED,
        period_start__lte=subject.end,
        period_end__gte=subject.start,
        scope=ReportScope.PD if subject.pd is not None else ReportScope.PEMDA,
    )
    if subject.pd is not None:
        reports = reports.filter(pd=subject.pd)
    found = list(reports.order_by("period_end", "pk")[:LIMIT])
    cited = maturity_rules.latest_approved_report(subject, subject.end, rules_for(subject.pemda))
    if cited is not None and cited not in found:
        found.append(cited)
    return found


# --- the folders ----------------------------------------------------------------------------------


def _planning(pack: _Pack, subject: Subject) -> None:
    folder = FOLDERS[2]
    services = _scoped(Service.objects.filter(status=ApprovalStatus.APPROVED), subject).exclude(
        lifecycle=Lifecycle.DRAFT
    )
    title = _("Katalog Layanan SPBE %(subject)s") % {"subject": _subject_name(subject)}
    pack.add(
        f"{folder}/katalog-layanan.pdf",
        catalog_pdf(services.order_by("pd__name", "name"), title).content,
        "catalog",
        _("Katalog layanan yang disetujui, dengan targetnya (P-4)"),
    )
    for model, pd_path, criterion in PLANNING_RECORDS:
        records = _scoped(model.objects.filter(status=ApprovalStatus.APPROVED), subject, pd_path)
        attachments = Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=records.values("pk")
        ).order_by("object_id", "pk")
        for attachment in attachments[:LIMIT]:
            record = attachment.record
            content = _read(attachment.file)
            if content is None:
                pack.notes.append(_("Lampiran “%(title)s” tidak ditemukan di penyimpanan.") % {"title": attachment})
                continue
            pack.add(
                f"{folder}/lampiran/{model.pedoman_id.lower() or 'p'}-{record.pk}-{_file_name(attachment.file.name)}",
                content,
                criterion,
                f"{model._meta.verbose_name.capitalize()} ({model.pedoman_id}): {record} — {attachment.title}",
            )


def _both(pack: _Pack, stem: str, document: doc.Document, criterion: str, description: str) -> None:
    pack.add(f"{stem}.pdf", doc.to_pdf(document), criterion, description)
    pack.add(f"{stem}.docx", doc.to_docx(document), criterion, description + _(" (DOCX)"))


def _processes(pack: _Pack, subject: Subject) -> None:
    folder = FOLDERS[3]
    start, end = subject.bounds
    plans = _scoped(RecoveryPlan.objects.filter(status=ApprovalStatus.APPROVED), subject).filter(
        Q(superseded_at__isnull=True) | Q(superseded_at__gte=start)
    )
    for plan in plans.order_by("pk")[:LIMIT]:
        _both(
            pack,
            f"{folder}/drp/drp-{plan.pk}-v{plan.revision}-{ascii_name(plan.title)}",
            continuity_export.plan_document(plan),
            "recovery",
            _("%(title)s, versi %(v)s (O-5)") % {"title": plan.title, "v": plan.revision},
        )
    changes = _scoped(
        ChangePlan.objects.filter(status=ApprovalStatus.APPROVED, planned_end__gte=start, planned_end__lt=end), subject
    )
    for change in changes.order_by("planned_end", "pk")[:LIMIT]:
        _both(
            pack,
            f"{folder}/perubahan/rencana-perubahan-{change.pk}-{ascii_name(change.title)}",
            change_export.plan_document(change),
            "release",
            _("Rencana perubahan layanan %(title)s (P-9)") % {"title": change.title},
        )
    releases = _scoped(
        Release.objects.filter(status=ApprovalStatus.APPROVED, window_start__gte=start, window_start__lt=end), subject
    )
    for release in releases.order_by("window_start", "pk")[:LIMIT]:
        _both(
            pack,
            f"{folder}/rilis/rencana-rilis-{release.pk}-{ascii_name(release.title)}",
            change_export.release_document(release),
            "release",
            _("Rencana rilis %(title)s, hasil: %(stage)s (O-6)")
            % {"title": release, "stage": release.get_stage_display()},
        )


def _evaluation(pack: _Pack, reports: list[EvaluationReport]) -> None:
    for report in reports:
        stem = f"{FOLDERS[4]}/{report_export.file_stem(report)}"
        _both(
            pack,
            stem,
            report_export.build(report),
            "evaluated",
            _("Laporan evaluasi disetujui: %(title)s (E-2)") % {"title": report.title},
        )


def _follow_up(pack: _Pack, reports: list[EvaluationReport], zone: ZoneInfo) -> None:
    folder = FOLDERS[5]
    done = list(
        FollowUpAction.objects.filter(report__in=reports, status=ActionStatus.DONE)
        .select_related("owner", "report")
        .order_by("completed_at", "pk")[: LIMIT * 2]
    )
    table = StringIO()
    writer = csv.writer(table)
    writer.writerow(
        [
            _("No."),
            _("Tindak lanjut"),
            _("Laporan asal"),
            _("Penanggung jawab"),
            _("Selesai"),
            _("Versi sebelum"),
            _("Versi sesudah"),
            _("Bukti penyelesaian"),
            _("Berkas bukti"),
        ]
    )
    for number, action in enumerate(done, 1):
        evidence = ""
        if action.evidence_file:
            content = _read(action.evidence_file)
            if content is None:
                pack.notes.append(_("Berkas bukti “%(title)s” tidak ditemukan.") % {"title": action.title})
            else:
                evidence = f"{folder}/tl-{action.pk}-{_file_name(action.evidence_file.name)}"
                pack.add(evidence, content, "followed_up", _("Bukti tindak lanjut: %(title)s") % {"title": action})
                evidence = pack.entries[-1].path
        writer.writerow(
            [
                number,
                action.title,
                action.report.title,
                action.owner.full_name,
                timezone.localtime(action.completed_at, zone).date().isoformat(),
                action.before_version,
                action.after_version,
                action.evidence_note,
                evidence,
            ]
        )
    pack.add(
        f"{folder}/daftar-tindak-lanjut-selesai.csv",
        ("\ufeff" + table.getvalue()).encode(),
        "followed_up",
        _("Tindak lanjut yang selesai dengan bukti, versi sebelum dan sesudah"),
    )


# --- the maturity assessment as a document ----------------------------------------------------------


def _subject_name(subject: Subject) -> str:
    return subject.pd.name if subject.pd is not None else subject.pemda.name


def _now_text(subject: Subject) -> str:
    now = timezone.localtime(timezone=ZoneInfo(subject.pemda.time_zone))
    return f"{date_format(now, 'j F Y H.i')} {now.tzname()}"


def _letterhead(subject: Subject) -> doc.Letterhead:
    pd = subject.pd or subject.pemda.spbe_coordinator
    if pd is not None:
        return letterhead_for(pd)
    logo = subject.pemda.logo.path if subject.pemda.logo else None
    return doc.Letterhead(pemda_name=subject.pemda.name, pd_name="", logo_path=logo)


def _evidence_text(criterion: maturity_rules.Criterion) -> str:
    lines = []
    for item in criterion.evidence:
        link = f"{settings.SITE_URL}{item.url}" if item.url.startswith("/") else item.url
        lines.append(f"• {item.label}" + (f"\n  {link}" if link else ""))
    return "\n".join(lines) or "–"


def maturity_document(assessment: maturity_rules.Maturity) -> doc.Document:
    """The maturity level (E-4) with each criterion, its evidence and what is missing."""
    subject = assessment.subject
    period = f"{date_format(subject.start, 'j F Y')} – {date_format(subject.end, 'j F Y')}"
    blocks: list[doc.Block] = [
        doc.KeyValues(
            [
                (_("Yang dinilai"), _subject_name(subject)),
                (_("Periode catatan"), period),
                (_("Tingkat kematangan"), f"{assessment.level} — {assessment.name}"),
                (_("Dihitung pada"), _now_text(subject)),
            ]
        ),
        doc.Paragraph(
            _(
                "Tingkat dihitung dari catatan aplikasi Layanan SPBE menurut kriteria Tabel 14 (PermenPANRB 59/2020 "
                "indikator 28). Berkas bukti dukung setiap kriteria tercantum di INDEKS.txt dalam paket ini."
            )
        ),
    ]
    for level in assessment.levels:
        reached = _("tercapai") if level["reached"] else _("belum tercapai")
        blocks.append(doc.Heading(f"{_('Tingkat')} {level['level']} — {level['name']} ({reached})", level=2))
        if level["text"]:
            blocks.append(doc.Paragraph(level["text"]))
        if level["criteria"]:
            blocks.append(
                doc.Table(
                    [_("Kriteria"), _("Status"), _("Bukti"), _("Yang kurang")],
                    [
                        [
                            str(c.title),
                            _("Terpenuhi") if c.met else _("Belum"),
                            _evidence_text(c),
                            str(c.missing) or "–",
                        ]
                        for c in level["criteria"]
                    ],
                    widths=[2.4, 1.3, 3.4, 2.4],
                )
            )
    missing = assessment.next_missing
    if missing:
        blocks += [
            doc.Heading(_("Yang kurang untuk tingkat berikutnya"), level=2),
            doc.Paragraph("\n".join(f"• {c.missing}" for c in missing if c.missing)),
        ]
    return doc.Document(
        title=_("Tingkat Kematangan Manajemen Layanan SPBE"),
        subtitle=f"{_subject_name(subject)}\n{period}",
        letterhead=_letterhead(subject),
        blocks=blocks,
        footer=_("Bukti dukung evaluasi SPBE (E-4) · Layanan SPBE"),
    )


# --- the index ----------------------------------------------------------------------------------------


def _index(pack: _Pack, assessment: maturity_rules.Maturity) -> None:
    subject = assessment.subject
    rows = [(e, *pack.criterion_label(e.criterion)) for e in sorted(pack.entries, key=lambda e: e.path)]
    table = StringIO()
    writer = csv.writer(table)
    writer.writerow([_("Berkas"), _("Tingkat"), _("Kriteria"), _("Keterangan")])
    for entry, level, title in rows:
        writer.writerow([entry.path, level, title, entry.description])
    names = [subject.pd.name, subject.pemda.name] if subject.pd is not None else [subject.pemda.name]
    lines = [
        _("BUKTI DUKUNG MANAJEMEN LAYANAN SPBE"),
        " · ".join([*names, f"{subject.start:%d-%m-%Y} s.d. {subject.end:%d-%m-%Y}"]),
        _("Tingkat kematangan: %(level)s — %(name)s") % {"level": assessment.level, "name": assessment.name},
        _("Disusun oleh aplikasi Layanan SPBE pada %(when)s") % {"when": _now_text(subject)},
        "",
    ]
    for entry, level, title in rows:
        criterion = f"{_('Tingkat')} {level}: {title}" if level else title
        lines += [entry.path, f"    {_('Kriteria')}: {criterion}", f"    {entry.description}", ""]
    lines += [f"{_('Catatan')}: {note}" for note in pack.notes]
    pack.zip.writestr("INDEKS.txt", "\r\n".join(lines) + "\r\n")  # read on Windows as well
    pack.zip.writestr("INDEKS.csv", "\ufeff" + table.getvalue())  # the BOM: Excel reads UTF-8


# --- the pack ------------------------------------------------------------------------------------------


def evidence_pack(pemda, pd, *, start: date, end: date) -> tuple[bytes, str]:
    """The ZIP of the evidence of ``pd`` (the Pemda when None) for [start, end], and its file name."""
    assessment = maturity_rules.assess(pemda, pd, start=start, end=end, today=pemda.today())
    subject = assessment.subject
    pack = _Pack({c.key: c for c in assessment.criteria})
    pack.add(
        MATURITY_FILE,
        doc.to_pdf(maturity_document(assessment)),
        "",
        _("Tingkat kematangan dengan bukti dan kekurangannya (E-4)"),
    )
    reports = _reports(subject)
    _planning(pack, subject)
    _processes(pack, subject)
    _evaluation(pack, reports)
    _follow_up(pack, reports, subject.zone)
    _index(pack, assessment)
    pack.zip.close()
    name = f"bukti-dukung-{ascii_name(_subject_name(subject), 40)}-{start:%Y%m%d}-{end:%Y%m%d}.zip"
    return pack.buffer.getvalue(), name


def evidence_response(pemda, pd, *, start: date, end: date) -> HttpResponse:
    content, name = evidence_pack(pemda, pd, start=start, end=end)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
