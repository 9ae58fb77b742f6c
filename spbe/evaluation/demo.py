"""Demo evaluation per Pemda (issue 13, item 6), made through the real
actions so the audit trail and every report's timeline are written.

Kota Yogyakarta: Disdukcapil's report of the last completed semester,
drafted by its Administrator Layanan with an analysis of every chapter
phrased from the report's own figures and approved by its Pimpinan PD; three
follow-up actions (the DRP revised, done with its before/after versions; one
open, not yet due; one past its due date), so the PD stands at level 4 and
level 5 names what blocks it (E-4). The planning and process records levels
2 and 3 ask for are added only where the earlier demos left them missing.
Dinkes gets its needs inventory and operating target but no application
management target: level 2, with that gap. Diskominfo drafts the Pemda's
report and the Koordinator SPBE approves it. Kabupaten Tegal keeps its
natural levels and shows a draft of the current semester, which recomputes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from spbe.approvals import actions as approvals
from spbe.approvals.models import ApprovalStatus, Decision, DecisionKind
from spbe.audit.models import AuditAction
from spbe.audit.record import record
from spbe.catalog.choices import Classification, Lifecycle, TimeUnit
from spbe.catalog.models import OperatingTarget, Service, ServiceNeeds
from spbe.change.demo import _plan as change_plan
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import Application, AppManagementTarget, ServiceApplication
from spbe.continuity.actions import add_months
from spbe.continuity.demo import MONTHS, _person
from spbe.continuity.models import RecoveryPlan
from spbe.evaluation import actions
from spbe.evaluation.actions import Period
from spbe.evaluation.choices import ActionStatus, ActionTarget, Chapter, PeriodKind, ReportEventKind, ReportScope
from spbe.evaluation.figures import compute, subject_of
from spbe.evaluation.models import EvaluationReport, FollowUpAction, ReportEvent
from spbe.evaluation.rules import EvaluationRules, required_chapters, rules_for
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch
from spbe.org.choices import Role

DRAFTING_DAYS = 7  # the report is drafted a week before it is approved
APPROVED_AFTER = timedelta(days=21)  # three weeks after the semester ends


def load_evaluation_demo(pemda) -> None:
    zone = ZoneInfo(pemda.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    pds = {pd.abbreviation: pd for pd in pemda.pds.all()}
    with without_dispatch():
        if pemda.slug == "kota-yogyakarta":
            _planning_records(pds["Disdukcapil"], app_targets=True)
            _planning_records(pds["Dinkes"], app_targets=False)  # its gap for level 3
            period = last_semester(today)
            _change_plan(pds["Disdukcapil"], period, zone)
            approved_at = _approval_time(period, today, zone)
            _pd_report(pds["Disdukcapil"], period, today, approved_at)
            _pemda_report(pemda, period, today, approved_at + timedelta(hours=4))
        else:
            _draft_report(pds["Disdukcapil"], current_semester(today))
    OutboxMessage.objects.filter(pemda=pemda).update(status=OutboxStatus.SENT, sent_at=now)


def last_semester(today: date) -> Period:
    """The last completed half-year (E-2: the report of a semester)."""
    if today.month > 6:
        return Period(PeriodKind.SEMESTER, date(today.year, 1, 1), date(today.year, 6, 30))
    return Period(PeriodKind.SEMESTER, date(today.year - 1, 7, 1), date(today.year - 1, 12, 31))


def current_semester(today: date) -> Period:
    if today.month > 6:
        return Period(PeriodKind.SEMESTER, date(today.year, 7, 1), date(today.year, 12, 31))
    return Period(PeriodKind.SEMESTER, date(today.year, 1, 1), date(today.year, 6, 30))


def _approval_time(period: Period, today: date, zone: ZoneInfo) -> datetime:
    """Three weeks after the semester, or yesterday when that is still to come."""
    day = min(period.end + APPROVED_AFTER, today - timedelta(days=1))
    return datetime.combine(day, time(10), tzinfo=zone)


# --- planning and process records (levels 2 and 3) -----------------------------------------------


def _planning_records(pd, *, app_targets: bool) -> None:
    """P-6 for each active service and P-8 (and P-10 when ``app_targets``)
    for each application of the PD, drafted by its Administrator Layanan;
    only those not approved yet."""
    admin, pj = _person(Role.ADMIN_LAYANAN, pd), _person(Role.PJ_PENYEDIA, pd)
    coordinator = _person(Role.KOORDINATOR_SPBE, pd.pemda.spbe_coordinator)
    infra = _person(Role.ADMIN_INFRA, pd.pemda.spbe_coordinator)
    if not all((admin, pj, coordinator, infra)):
        return
    for service in Service.objects.filter(pd=pd, lifecycle=Lifecycle.ACTIVE, status=ApprovalStatus.APPROVED):
        needs = ServiceNeeds.objects.filter(service=service).exclude(status=ApprovalStatus.REJECTED).first()
        if needs is None:  # the catalog demo's inventory, waiting for the PJ, is reused
            needs = _drafted(admin, _needs(service, infra))
        if needs.status != ApprovalStatus.APPROVED:
            _approved(needs, admin, pj, "Kebutuhan layanan sesuai hasil survei pengguna.")
    for application in Application.objects.filter(pd=pd):
        if not application.operating_targets.filter(status=ApprovalStatus.APPROVED).exists():
            target = _drafted(admin, _operating_target(application))
            _approved(target, admin, pj, "Target pengoperasian dikoordinasikan dengan Pimpinan PD.")
        if app_targets and not application.management_targets.filter(status=ApprovalStatus.APPROVED).exists():
            plan = _drafted(admin, _management_target(application))
            _approved(plan, admin, coordinator, "Sesuai arsitektur SPBE Pemda.")


def _drafted(actor, planning_record):
    """A planning record saved as the planning form saves it (P-6 … P-11)."""
    planning_record.drafted_by = actor
    planning_record.full_clean()
    planning_record.save()
    record(actor=actor, action=AuditAction.CREATE, target=planning_record, pemda=planning_record.owner_pd().pemda)
    return planning_record


def _approved(planning_record, drafter, approver, comment: str) -> None:
    if planning_record.status != ApprovalStatus.SUBMITTED:
        approvals.submit(drafter, planning_record)
    approvals.approve(approver, planning_record, comment)


def _needs(service: Service, infra) -> ServiceNeeds:
    return ServiceNeeds(
        service=service, technology_confirmed_by=infra,
        business_process="Pendaftaran daring → verifikasi petugas → pelayanan di loket → umpan balik pengguna.",
        needs="1. Antrean daring terhubung aplikasi layanan\n2. Notifikasi status kepada pengguna\n3. Laporan harian",
        design="Antrean daring di aplikasi seluler Pemda; petugas memverifikasi sebelum jadwal layanan.",
        technology=f"{service.name}, API aplikasi seluler Pemda", evaluation="Survei kepuasan bulanan dan waktu tunggu.",
    )  # fmt: skip


def _operating_target(application: Application) -> OperatingTarget:
    """P-8 with the classification of the most important service the application serves (P-5)."""
    classes = set(ServiceApplication.objects.filter(application=application).values_list("service__classification",
                                                                                          flat=True))  # fmt: skip
    cls = next((c for c in (Classification.KRITIS, Classification.ESENSIAL) if c in classes), Classification.NORMAL)
    kritis = cls == Classification.KRITIS
    return OperatingTarget(
        application=application, classification=cls, availability_target=Decimal("99.50" if kritis else "98.00"),
        rpo_value=1 if kritis else None, rpo_unit=TimeUnit.DAYS if kritis else "",
        rto_value=4 if kritis else None, rto_unit=TimeUnit.HOURS if kritis else "",
        notes="Dibahas dalam rapat koordinasi layanan bersama Pimpinan PD.",
    )  # fmt: skip


def _management_target(application: Application) -> AppManagementTarget:
    return AppManagementTarget(
        application=application,
        design_plan="Perubahan modul dirancang bersama Administrator Layanan dan ditinjau Diskominfo.",
        implementation_plan="Rilis di luar jam layanan melalui rencana rilis (O-6) yang disetujui.",
        testing_plan="Uji fungsi utama di server uji oleh petugas sebelum setiap rilis.",
        maintenance_plan="Pembaruan keamanan bulanan; pencadangan harian basis data.",
        evaluation_basis="Ketersediaan 99,5%, waktu respons di bawah 2 detik, hasil uji keamanan tahunan, kepuasan.",
    )  # fmt: skip


def _change_plan(pd, period: Period, zone: ZoneInfo) -> None:
    """An approved transition plan (P-9) in the semester, when the PD has no
    change or release recorded in the last twelve months (level 3)."""
    since = timezone.now() - timedelta(days=365)
    if (
        ChangePlan.objects.filter(pd=pd, status=ApprovalStatus.APPROVED, planned_end__gte=since).exists()
        or Release.objects.filter(pd=pd, status=ApprovalStatus.APPROVED, window_start__gte=since).exists()
    ):
        return
    service = Service.objects.filter(pd=pd, lifecycle=Lifecycle.ACTIVE).order_by("code").first()
    admin, head = _person(Role.ADMIN_LAYANAN, pd), _person(Role.PIMPINAN_PD, pd)
    if service is None or admin is None or head is None:
        return
    start = datetime.combine(period.start + timedelta(days=70), time(13), tzinfo=zone)
    change_plan(pd, service, admin, head, None, start, f"Antrean daring {service.name}", "modification", "approved",
                "Sesuai rencana strategis PD.")  # fmt: skip


# --- the reports -------------------------------------------------------------------------------------


def _pd_report(pd, period: Period, today: date, approved_at: datetime) -> None:
    """Disdukcapil's approved semester report with its follow-up actions (E-2, E-4)."""
    admin, head, pj = (_person(role, pd) for role in (Role.ADMIN_LAYANAN, Role.PIMPINAN_PD, Role.PJ_PENYEDIA))
    if not all((admin, head, pj)):
        return
    report = _written_report(admin, pd, ReportScope.PD, period)
    service = Service.objects.filter(pd=pd, lifecycle=Lifecycle.ACTIVE).order_by("code").first()
    first_drp = RecoveryPlan.objects.filter(pd=pd, services=service).order_by("series", "revision").first()
    approved_day = approved_at.date()
    overdue = min(approved_day + timedelta(days=60), today - timedelta(days=1))  # blocks level 5 (E-4)
    drp_action = actions.add_action(admin, report, _drp_action(pj, first_drp, add_months(approved_day, 5)))
    late = actions.add_action(admin, report, FollowUpAction(
        chapter=Chapter.DISRUPTIONS, owner=admin, due_date=overdue,
        title="Perbarui SOP penanganan aduan: respons aduan prioritas 1 di luar jam kerja",
        description="Petugas piket menerima pemberitahuan aduan prioritas 1 di ponsel dan merespons dalam target P-3.",
        target_kind=ActionTarget.PROCEDURE, procedure="SOP Penanganan Aduan Layanan Administrasi Kependudukan",
        before_version="SOP 2024 (tanpa piket di luar jam kerja)",
    ))  # fmt: skip
    actions.add_action(admin, report, FollowUpAction(
        chapter=Chapter.RELEASE, owner=admin, due_date=add_months(today, 3), target_kind=ActionTarget.SERVICE,
        service=service, title=f"Rilis antrean daring {service.name} sesuai rencana perubahan",
        description="Susun rencana rilis (O-6) dengan jendela di luar jam layanan dan uji fungsi bersama petugas loket.",
    ))  # fmt: skip
    actions.submit(admin, report)
    actions.approve(head, report, "Laporan dan tindak lanjut disetujui.")
    _dated(report, approved_at)
    actions.complete_action(
        pj, drp_action,
        evidence_note="DRP versi baru disetujui PJ Penyedia Layanan: langkah uji beban genset dan pemeriksaan bahan "
        "bakar ditambahkan sebelum layanan dipindahkan ke lokasi pemulihan.",
        after_version="" if first_drp else "SOP pemulihan 2026 (dengan uji genset)",
    )  # fmt: skip
    actions.set_action_status(admin, late, ActionStatus.IN_PROGRESS)


def _drp_action(owner, drp: RecoveryPlan | None, due: date) -> FollowUpAction:
    """The DRP of the PD's first service revised (its version before is the
    first one), or, without a DRP, its recovery procedure."""
    action = FollowUpAction(
        chapter=Chapter.RECOVERY, owner=owner, due_date=due,
        title="Revisi DRP: uji beban genset sebelum pemindahan layanan ke lokasi pemulihan",
        description="Kesiapan genset pusat data belum pernah diuji; tambahkan langkahnya ke prosedur DRP dan ujikan.",
    )  # fmt: skip
    if drp is None:
        action.target_kind, action.procedure = ActionTarget.PROCEDURE, "Prosedur pemulihan layanan"
        action.before_version = "SOP pemulihan 2024"
    else:
        action.target_kind, action.drp, action.before_version = ActionTarget.DRP, drp, str(drp)
    return action


def _pemda_report(pemda, period: Period, today: date, approved_at: datetime) -> None:
    """The Pemda's report: drafted at Diskominfo by someone other than the
    Koordinator SPBE, who approves it (approvals refuse self-approval)."""
    diskominfo = pemda.spbe_coordinator
    drafter = _person(Role.PJ_PENYEDIA, diskominfo) or _person(Role.PJ_INFRA, diskominfo)
    coordinator = _person(Role.KOORDINATOR_SPBE, diskominfo)
    if drafter is None or coordinator is None or drafter == coordinator:
        return
    report = _written_report(drafter, diskominfo, ReportScope.PEMDA, period)
    actions.add_action(drafter, report, FollowUpAction(
        chapter=Chapter.DISRUPTIONS, owner=coordinator, due_date=add_months(today, 4), target_kind=ActionTarget.PACK,
        title="Usulkan perubahan paket kebijakan: piket aduan prioritas 1 di luar jam kerja untuk seluruh PD",
        description="Respons awal aduan prioritas 1 di luar jam kerja paling sering melewati target P-3.",
    ))  # fmt: skip
    actions.submit(drafter, report)
    actions.approve(coordinator, report, "Laporan evaluasi Pemda disetujui.")
    _dated(report, approved_at)


def _draft_report(pd, period: Period) -> None:
    """A draft of the current semester with two chapters written so far: its figures recompute on every read."""
    admin = _person(Role.ADMIN_LAYANAN, pd)
    if admin is None:
        return
    _written_report(admin, pd, ReportScope.PD, period, chapters=[Chapter.REQUESTS, Chapter.DISRUPTIONS])


def _written_report(actor, pd, scope: str, period: Period, chapters: list[str] | None = None) -> EvaluationReport:
    """A new report with its introduction, conclusion and the analysis of
    ``chapters`` (every required one by default), written from its own figures."""
    report = actions.open_report(actor, pd=pd, scope=scope, period=period)
    figures = compute(subject_of(report))
    label = f"Semester {'I' if period.start.month <= 6 else 'II'} Tahun {period.start.year}"
    actions.update_report(
        actor, report, title=report.title,
        introduction=f"Laporan ini mengevaluasi pelaksanaan manajemen layanan SPBE {report.subject_name} selama "
        f"{label} ({_day(period.start)} s.d. {_day(period.end)}) sesuai Pedoman Manajemen Layanan SPBE: permintaan "
        "layanan, penanganan gangguan, pemantauan dan pemeliharaan, pemulihan, rilis, serta perencanaan dan "
        "pengelolaan aplikasi. Seluruh angka dihitung dari catatan aplikasi Layanan SPBE.",
        conclusion=_conclusion(figures),
    )  # fmt: skip
    texts = chapter_texts(figures, rules_for(report.pemda))
    for chapter in chapters or required_chapters(report):
        obstacles, improvements = texts[chapter]
        actions.write_analysis(actor, report, chapter, obstacles=obstacles, improvements=improvements)
    return report


def _dated(report: EvaluationReport, approved_at: datetime) -> None:
    """Move the report's history to when it happened: drafted a week before
    approval, submitted the day before (as the change demo moves a past
    release). Later events, such as an action completed today, stay."""
    drafted_at = approved_at - timedelta(days=DRAFTING_DAYS)
    submitted_at = approved_at - timedelta(days=1)
    events = ReportEvent.objects.filter(report=report)
    events.exclude(kind__in=[ReportEventKind.SUBMITTED, ReportEventKind.APPROVED]).update(at=drafted_at)
    events.filter(kind=ReportEventKind.SUBMITTED).update(at=submitted_at)
    events.filter(kind=ReportEventKind.APPROVED).update(at=approved_at)
    decisions = Decision.objects.filter(content_type=ContentType.objects.get_for_model(report), object_id=report.pk)
    decisions.filter(kind=DecisionKind.SUBMITTED).update(at=submitted_at)
    decisions.filter(kind=DecisionKind.APPROVED).update(at=approved_at)
    FollowUpAction.objects.filter(report=report).update(created=drafted_at)
    report.refresh_from_db()
    figures = {**report.figures, "computed_at": approved_at.isoformat()}
    EvaluationReport.objects.filter(pk=report.pk).update(created=drafted_at, frozen_at=approved_at, figures=figures)


# --- the analysis, phrased from the figures ---------------------------------------------------------


def chapter_texts(figures: dict, rules: EvaluationRules) -> dict[str, tuple[str, str]]:
    """Each chapter's (obstacles, improvements), from the report's figures (E-2 point 6)."""
    names = {int(pk): s["name"] for pk, s in figures["services"].items()}
    return {
        Chapter.REQUESTS: _requests(figures["requests"], figures["satisfaction"], rules),
        Chapter.DISRUPTIONS: _disruptions(figures["disruptions"]),
        Chapter.MONITORING: _monitoring(figures["monitoring"], names),
        Chapter.RECOVERY: _recovery(figures["recovery"]),
        Chapter.RELEASE: _release(figures["release"]),
        Chapter.PLANNING: _planning(figures["planning"], names),
        Chapter.SLA: _sla(figures["sla"]),
    }


def _sentence(clauses: list[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}".replace(".", ",") + "%"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _requests(r: dict, satisfaction: dict, rules: EvaluationRules) -> tuple[str, str]:
    if not r["total"]:
        return (
            "Tidak ada permintaan layanan yang tercatat pada periode ini, sehingga capaian target waktu pelayanan "
            "(P-1) untuk permintaan belum dapat diukur; permintaan yang datang langsung ke loket belum dicatat.",
            "Catat setiap permintaan yang diterima di loket, telepon, atau pesan singkat sebagai tiket permintaan.",
        )
    measured = r["p1_met"] + r["p1_breached"]
    parts = [f"Tercatat {r['total']} permintaan layanan; {r['done']} diselesaikan dan {r['confirmed']} dikonfirmasi "
             "pemohon."]  # fmt: skip
    if measured:
        parts.append(f"Target waktu pelayanan (P-1) tercapai pada {r['p1_met']} dari {measured} permintaan yang "
                     f"terukur ({_pct(r['p1_percent'])}).")  # fmt: skip
    if r["breached"]:
        parts.append(
            "Melewati target: " + ", ".join(f"{b['number']} ({b['subject']})" for b in r["breached"][:5]) + "."
        )
    if satisfaction["count"]:
        average = f"{satisfaction['average']:.2f}".replace(".", ",")
        parts.append(f"Kepuasan pengguna rata-rata {average} dari 5 ({satisfaction['count']} penilaian).")
    if r["p1_percent"] is not None and r["p1_percent"] < rules.target_met_percent:
        improvement = (
            "Tetapkan petugas cadangan pada hari tersibuk dan periksa setiap pagi tiket yang mendekati batas P-1."
        )
    else:
        improvement = (f"Capaian P-1 di atas ambang {rules.target_met_percent}%; pertahankan dengan pemantauan antrean "
                       "harian.")  # fmt: skip
    if r["done"] > r["confirmed"]:
        improvement += f" Minta konfirmasi pemohon: {r['done'] - r['confirmed']} permintaan selesai tanpa konfirmasi."
    return " ".join(parts), improvement


CAUSE_REMEDIES = {
    "Kapasitas disk penuh": "pasang peringatan kapasitas disk pada pemantauan",
    "Sertifikat kedaluwarsa": "catat masa berlaku sertifikat dan perpanjang 30 hari sebelumnya",
    "Gangguan jaringan": "siapkan jalur jaringan cadangan bersama Diskominfo",
}


def _disruptions(d: dict) -> tuple[str, str]:
    if not d["total"]:
        return (
            "Tidak ada aduan gangguan yang tercatat pada periode ini.",
            "Umumkan kembali kanal aduan (portal, telepon, LAPOR!) agar gangguan yang dialami pengguna tercatat.",
        )
    responses = d["response_met"] + d["response_breached"]
    solved = d["p1_met"] + d["p1_breached"]
    parts = [f"Tercatat {d['total']} aduan gangguan; {d['done']} telah diselesaikan."]
    if responses:
        parts.append(f"Respons awal (P-3) tepat waktu pada {d['response_met']} dari {responses} aduan "
                     f"({_pct(d['response_percent'])}).")  # fmt: skip
    if solved:
        parts.append(
            f"Penyelesaian dalam target (P-1) pada {d['p1_met']} dari {solved} aduan ({_pct(d['p1_percent'])})."
        )
    late = [line for line in d["by_priority"] if line["response_breached"]]
    if late:
        listed = [f"prioritas {line['priority']} ({line['response_breached']} dari {line['total']})" for line in late]
        parts.append("Respons awal terlambat pada aduan " + ", ".join(listed) + ".")
    escalated = sum(d["escalations"].values())
    if escalated:
        parts.append(f"{escalated} aduan dieskalasi.")
    causes = Counter(b["cause"] for b in d["breached"] if b["cause"])
    if causes:
        parts.append("Penyebab pada aduan yang melewati target: "
                     + ", ".join(f"{cause} ({n})" for cause, n in causes.most_common()) + ".")  # fmt: skip
    for problem in d["problems"][:3]:
        parts.append(f"Gangguan berulang: {problem['title']} ({problem['complaints']} aduan).")
    fixes = []
    if any(line["priority"] == 1 for line in late):
        fixes.append("aktifkan pemberitahuan aduan prioritas 1 ke ponsel petugas piket, juga di luar jam kerja, dan "
                     "perbarui SOP penanganan aduan")  # fmt: skip
    fixes += [CAUSE_REMEDIES[cause] for cause in causes if cause in CAUSE_REMEDIES]
    if not fixes:
        fixes.append("pertahankan pemantauan antrean aduan harian dan reviu gangguan bulanan (O-3)")
    return " ".join(parts), _sentence(fixes)


def _monitoring(m: dict, names: dict[int, str]) -> tuple[str, str]:
    parts = []
    if not m["services_measured"]:
        parts.append(f"Ketersediaan {m['services_without_data']} layanan belum dapat diukur: belum ada hasil pemeriksaan "
                     "otomatis pada periode ini.")  # fmt: skip
        improvement = ("Jalankan pemeriksaan otomatis sepanjang periode dan catat jadwal pemeliharaan agar tidak "
                       "dihitung sebagai gangguan.")  # fmt: skip
    else:
        parts.append(f"{m['services_met']} dari {m['services_measured']} layanan mencapai target ketersediaan.")
        below = [row for row in m["per_service"] if row["met"] is False]
        parts += [f"{names.get(row['service'], row['service'])}: {_pct(row['percent'])} dari target "
                  f"{_pct(row['target'])}." for row in below]  # fmt: skip
        improvement = ("Telusuri penyebab gangguan terlama bersama Diskominfo dan jadwalkan pemeliharaan di luar jam "
                       "layanan." if below else "Pertahankan pemeliharaan terjadwal di luar jam layanan.")  # fmt: skip
    if m["outages"]["count"]:
        longest = m["outages"]["longest"][0]
        parts.append(f"Pemantauan mencatat {m['outages']['count']} gangguan; terlama {longest['minutes']} menit pada "
                     f"{longest['service']} ({longest['cause'] or 'penyebab belum dicatat'}).")  # fmt: skip
    if m["over_threshold"]:
        parts.append("Komponen melewati ambang pemakaian: " + ", ".join(
            f"{row['component']} ({row['hours']} jam)" for row in m["over_threshold"][:3]) + ".")  # fmt: skip
        improvement += " Tambah kapasitas atau pindahkan beban komponen yang sering melewati ambang."
    if m["important_services"]:
        parts.append(f"Cakupan pemantauan layanan kritis dan esensial: {_pct(m['coverage_percent'])}.")
    if m["unwatched"]:
        improvement += f" Pasang pemeriksaan untuk {len(m['unwatched'])} layanan kritis/esensial yang belum dipantau."
    return " ".join(parts), improvement


def _recovery(rc: dict) -> tuple[str, str]:
    if rc["activations"] or rc["drills"]:
        parts = [f"DRP diaktifkan {rc['activations']} kali dan diuji coba {rc['drills']} kali; RTO tercapai "
                 f"{rc['rto_met']} kali, tidak tercapai {rc['rto_missed']} kali."]  # fmt: skip
        improvement = "Catat temuan setiap aktivasi dan uji coba sebagai revisi DRP."
    else:
        parts = [f"Tidak ada aktivasi maupun uji coba DRP pada periode ini, sehingga kesiapan pemulihan "
                 f"{rc['kritis_services']} layanan kritis belum teruji, termasuk kesiapan genset pusat data."]  # fmt: skip
        improvement = ("Jadwalkan uji coba DRP minimal sekali setahun dan tambahkan uji beban genset ke prosedur "
                       "pemulihan.")  # fmt: skip
    if rc["kritis_without_drp"]:
        parts.append(f"{len(rc['kritis_without_drp'])} layanan kritis belum memiliki DRP yang berlaku.")
        improvement += " Susun dan setujui DRP untuk layanan kritis yang belum memilikinya."
    elif rc["kritis_services"]:
        parts.append("Setiap layanan kritis sudah memiliki DRP yang berlaku.")
    if rc["review_overdue"]:
        parts.append("DRP melewati tanggal reviu: " + ", ".join(p["title"] for p in rc["review_overdue"]) + ".")
    return " ".join(parts), improvement


def _release(rl: dict) -> tuple[str, str]:
    changes = rl["changes"]
    if rl["total"]:
        parts = [f"Dilaksanakan {rl['total']} rilis: {rl['succeeded']} berhasil, {rl['rolled_back']} dikembalikan "
                 f"(rollback), {rl['failed']} gagal."]  # fmt: skip
    else:
        parts = ["Tidak ada rilis layanan yang dilaksanakan pada periode ini."]
    late = [item for item in changes["items"] if item["state"] == "late"]
    if changes["total"]:
        parts.append(f"{changes['total']} rencana perubahan jatuh tempo; {changes['as_planned']} terlaksana sesuai "
                     f"rencana, {changes['late']} terlambat.")  # fmt: skip
        parts += [f"Rencana “{item['title']}” belum terwujud dalam rilis yang berhasil hingga akhir jadwalnya."
                  for item in late[:3]]  # fmt: skip
    if late:
        improvement = ("Susun rencana rilis (O-6) untuk rencana perubahan yang tertunda, dengan jendela di luar jam "
                       "layanan dan uji fungsi bersama petugas.")  # fmt: skip
    elif rl["rolled_back"] or rl["failed"]:
        improvement = "Uji setiap rilis di server uji sebelum dijadwalkan ulang."
    else:
        improvement = "Setiap perubahan layanan tetap direncanakan (P-9) dan dirilis (O-6) melalui aplikasi ini."
    return " ".join(parts), improvement


def _planning(pl: dict, names: dict[int, str]) -> tuple[str, str]:
    parts = [
        f"{pl['services_with_targets']} dari {pl['services_active']} layanan aktif memiliki target yang disetujui; "
        f"{pl['needs_inventories']} daftar kebutuhan layanan (P-6) dan {pl['operating_targets']} target "
        f"pengoperasian (P-8) disetujui; {pl['applications_with_p10']} dari {pl['applications']} aplikasi memiliki "
        "target pengelolaan aplikasi (P-10)."
    ]
    fixes = []
    if pl["without_targets"]:
        listed = ", ".join(names.get(pk, str(pk)) for pk in pl["without_targets"][:5])
        parts.append(f"Belum punya target yang disetujui: {listed}.")
        fixes.append("lengkapi target layanan yang belum disetujui dan ajukan kepada PJ Penyedia Layanan")
    if pl["applications_without_p10"]:
        fixes.append(f"tetapkan target pengelolaan aplikasi (P-10) untuk {pl['applications_without_p10']} aplikasi")
    if not pl["needs_inventories"] or not pl["operating_targets"]:
        fixes.append("susun daftar kebutuhan layanan (P-6) dan target pengoperasian (P-8)")
    if not fixes:
        fixes.append("reviu dokumen perencanaan setiap tahun bersama evaluasi ini")
    return " ".join(parts), _sentence(fixes)


def _sla(sla: dict) -> tuple[str, str]:
    documents = sla["documents"]
    if not documents:
        return "Tidak ada dokumen SLA yang berlaku pada periode ini.", "Tidak ada."
    parts = [f"{doc['title']}: {_pct(doc['kept_percent'])} komitmen terpenuhi pada {doc['tickets']} tiket, "
             f"{len(doc['breaches'])} pelanggaran tercatat." for doc in documents]  # fmt: skip
    return " ".join(parts), "Bahas pelanggaran komitmen SLA dengan penyedia dan kaitkan dengan nilai kontrak."


def _conclusion(figures: dict) -> str:
    chapters = (("requests", "permintaan layanan"), ("disruptions", "penanganan gangguan"),
                ("monitoring", "ketersediaan"), ("planning", "perencanaan"))  # fmt: skip
    parts = [
        f"{figures[key]['services_met']} dari {figures[key]['services_measured']} layanan memenuhi target {label}"
        for key, label in chapters
        if figures[key]["services_measured"]
    ]
    summary = "; ".join(parts) if parts else "Belum ada layanan yang capaiannya dapat diukur"
    return f"{summary}. Tindak lanjut dicatat pada laporan ini dan dipantau hingga selesai dengan bukti."
