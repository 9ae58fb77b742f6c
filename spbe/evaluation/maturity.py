"""The SPBE service-management maturity level (E-4; PermenPANRB 59/2020
indicator 28, Tabel 14) of a PD or of the whole Pemda, computed from the
application's own records, with the evidence (*bukti dukung*) behind each
criterion and what is missing for the next level.

The exact rules, with their reasons, are in docs/evaluation.md; their
thresholds are the pack's ``[evaluation]`` values (spbe.evaluation.rules).
Every count is a bounded query (``[:n].count()``), so a Pemda's level reads
a few dozen small queries whatever the number of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spbe.approvals.models import ApprovalStatus
from spbe.catalog.choices import Classification, Lifecycle
from spbe.catalog.models import OperatingTarget, Service, ServiceNeeds
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import Application, AppManagementTarget
from spbe.continuity.actions import add_months
from spbe.continuity.models import RecoveryPlan
from spbe.desk.choices import TicketKind
from spbe.desk.models import Problem, Ticket
from spbe.evaluation.choices import ActionStatus, ReportScope
from spbe.evaluation.figures import Subject
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.evaluation.rules import EvaluationRules, rules_for
from spbe.monitoring.availability import coverage

#: Indeks Pemerintahan Digital (Pemdi) names of the five levels (pedoman.md, C)
PEMDI_NAMES = {
    1: gettext_lazy("Rintisan"),
    2: gettext_lazy("Terkelola"),
    3: gettext_lazy("Terstandarisasi"),
    4: gettext_lazy("Terintegrasi dan Terukur"),
    5: gettext_lazy("Optimum"),
}


@dataclass
class Evidence:
    label: str
    url: str = ""


@dataclass
class Criterion:
    """One condition of one level: met or not, the records that prove it,
    and, when not met, what to do in plain Indonesian."""

    level: int
    key: str
    title: str
    met: bool
    evidence: list[Evidence] = field(default_factory=list)
    missing: str = ""


@dataclass
class Maturity:
    subject: Subject
    level: int
    criteria: list[Criterion]
    texts: dict[int, str]  # the pack's Tabel 14 criteria per level

    @property
    def name(self) -> str:
        return str(PEMDI_NAMES[self.level])

    def of_level(self, level: int) -> list[Criterion]:
        return [c for c in self.criteria if c.level == level]

    @property
    def levels(self) -> list[dict]:
        """Each level with its texts and criteria, for the page."""
        return [
            {
                "level": level,
                "name": PEMDI_NAMES[level],
                "text": self.texts.get(level, ""),
                "criteria": self.of_level(level),
                "reached": level <= self.level,
            }
            for level in range(1, 6)
        ]

    @property
    def next_missing(self) -> list[Criterion]:
        """What stands between this level and the next."""
        if self.level == 5:
            return []
        return [c for c in self.of_level(self.level + 1) if not c.met]


def default_period(today: date) -> tuple[date, date]:
    """The twelve months up to today: the span the national evaluation asks about."""
    return add_months(today, -12) + timedelta(days=1), today


def assess(pemda, pd=None, *, start: date, end: date, today: date | None = None) -> Maturity:
    """The level of ``pd`` (or of the Pemda, when None) from the records of
    [start, end] (E-4)."""
    today = today or end
    subject = Subject(pemda, pd, start, end)
    rules = rules_for(pemda)
    criteria = [
        *_planning(subject, rules),
        *_processes(subject, rules),
    ]
    level_3 = all(c.met for c in criteria)
    criteria += _reviewed(subject, rules, today, processes_met=level_3)
    level = 1
    for candidate in (2, 3, 4, 5):
        if all(c.met for c in criteria if c.level == candidate):
            level = candidate
        else:
            break
    version = pemda.policy_version
    texts = {item["level"]: item.get("criteria", "") for item in (version.pack.maturity if version else [])}
    return Maturity(subject=subject, level=level, criteria=criteria, texts=texts)


# --- helpers ------------------------------------------------------------------------------------


def _url(name: str, *args, query: str = "") -> str:
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _pd_query(subject: Subject) -> str:
    return f"pd={subject.pd.pk}" if subject.pd is not None else ""


def _bounds(subject: Subject) -> tuple[datetime, datetime]:
    return subject.bounds


def _some(qs, needed: int) -> int:
    """How many rows, counted up to ``needed`` only (a bounded query)."""
    return qs[: max(needed, 1)].count()


def _services(subject: Subject):
    return subject.scoped(Service.objects.filter(lifecycle=Lifecycle.ACTIVE))


# --- level 2: planning ----------------------------------------------------------------------------


def _planning(subject: Subject, rules: EvaluationRules) -> list[Criterion]:
    services = list(_services(subject).select_related("pd", "pd__pemda", "pd__pemda__policy_version"))
    with_targets = [s for s in services if s.status == ApprovalStatus.APPROVED and s.user_service_target is not None]
    share = 100 * len(with_targets) / len(services) if services else 0
    catalog = Criterion(
        2,
        "catalog",
        _("Katalog layanan dengan target yang disetujui (P-1, P-4, P-5)"),
        met=bool(services) and share >= rules.planning_coverage_percent,
        evidence=[
            Evidence(
                _("%(n)s dari %(total)s layanan aktif punya target yang disetujui")
                % {"n": len(with_targets), "total": len(services)},
                _url("catalog:service_list", query=_pd_query(subject)),
            )
        ],
    )
    if not services:
        catalog.missing = _("Daftarkan layanan di katalog dan minta PJ Penyedia Layanan menyetujuinya.")
    elif not catalog.met:
        catalog.missing = _(
            "%(n)s layanan aktif belum punya target pelayanan yang disetujui; lengkapi dan ajukan persetujuannya."
        ) % {"n": len(services) - len(with_targets)}
    service_ids = [s.pk for s in services]
    needs = ServiceNeeds.objects.filter(service_id__in=service_ids, status=ApprovalStatus.APPROVED)
    apps = subject.scoped(Application.objects.all())
    targets = OperatingTarget.objects.filter(application__in=apps, status=ApprovalStatus.APPROVED)
    n_needs, n_targets = _some(needs, 1), _some(targets, 1)
    records = Criterion(
        2,
        "planning_records",
        _("Dokumen perencanaan disetujui: kebutuhan layanan (P-6) dan target pengoperasian (P-8)"),
        met=n_needs >= 1 and n_targets >= 1,
        evidence=[
            Evidence(
                _("Daftar kebutuhan layanan yang disetujui"),
                _url("catalog:planning_list", "kebutuhan-layanan", query=_pd_query(subject)),
            ),
            Evidence(
                _("Target pengoperasian layanan yang disetujui"),
                _url("catalog:planning_list", "target-pengoperasian", query=_pd_query(subject)),
            ),
        ],
    )
    if not records.met:
        lacking = [
            name
            for name, n in (
                (_("daftar kebutuhan layanan (P-6)"), n_needs),
                (_("target pengoperasian (P-8)"), n_targets),
            )
            if n == 0
        ]
        records.missing = _("Susun dan setujui %(what)s.") % {"what": _(" dan ").join(lacking)}
    return [catalog, records]


# --- level 3: every process -----------------------------------------------------------------------


def _processes(subject: Subject, rules: EvaluationRules) -> list[Criterion]:
    return [_user_service(subject, rules), *_operations(subject, rules), _applications(subject, rules)]


def _user_service(subject: Subject, rules: EvaluationRules) -> Criterion:
    """Pelayanan pengguna: requests (O-1) and complaints (O-2) handled in the period."""
    start, end = _bounds(subject)
    tickets = subject.scoped(Ticket.objects.filter(reported_at__gte=start, reported_at__lt=end))
    needed = rules.min_process_records
    requests = _some(tickets.filter(kind=TicketKind.REQUEST), needed)
    complaints = _some(tickets.filter(kind=TicketKind.COMPLAINT), needed)
    problems = _some(subject.scoped(Problem.objects.all()), 1)
    criterion = Criterion(
        3,
        "user_service",
        _("Proses pelayanan pengguna: permintaan (O-1), aduan (O-2), reviu gangguan (O-3)"),
        met=requests >= needed and complaints >= needed,
        evidence=[
            Evidence(
                _("Permintaan dan aduan dalam periode"),
                _url("desk:queue", query=f"status=all&{_pd_query(subject)}".rstrip("&")),
            ),
            Evidence(_("Reviu gangguan (masalah): %(n)s") % {"n": problems}, _url("desk:review")),
        ],
    )
    if not criterion.met:
        criterion.missing = _(
            "Catat permintaan layanan dan aduan di aplikasi ini (minimal %(n)s masing-masing dalam periode)."
        ) % {"n": needed}
    return criterion


def _operations(subject: Subject, rules: EvaluationRules) -> list[Criterion]:
    """Pengoperasian layanan: monitoring (O-4), recovery (O-5), release (O-6)."""
    services = list(_services(subject).only("pk", "classification"))
    important = [s.pk for s in services if s.classification in (Classification.KRITIS, Classification.ESENSIAL)]
    watched = coverage(important)
    unwatched = [pk for pk in important if not watched[pk].monitored]
    share = 100 * (len(important) - len(unwatched)) / len(important) if important else 100
    monitoring = Criterion(
        3,
        "monitoring",
        _("Pemantauan layanan kritis dan esensial (O-4)"),
        met=share >= rules.monitoring_coverage_percent,
        evidence=[
            Evidence(
                _("%(n)s dari %(total)s layanan kritis/esensial dipantau")
                % {"n": len(important) - len(unwatched), "total": len(important)},
                _url("monitoring:checks"),
            )
        ],
    )
    if not monitoring.met:
        monitoring.missing = _(
            "Pasang pemeriksaan pemantauan untuk %(n)s layanan kritis/esensial yang belum dipantau."
        ) % {"n": len(unwatched)}
    kritis = [s.pk for s in services if s.classification == Classification.KRITIS]
    covered = set(RecoveryPlan.objects.in_force().filter(services__in=kritis).values_list("services", flat=True))
    without = [pk for pk in kritis if pk not in covered]
    recovery = Criterion(
        3,
        "recovery",
        _("DRP berlaku untuk setiap layanan kritis (O-5, P-5)"),
        met=not without,
        evidence=[
            Evidence(
                _("%(n)s dari %(total)s layanan kritis punya DRP berlaku")
                % {"n": len(kritis) - len(without), "total": len(kritis)},
                _url("continuity:plan_list"),
            )
        ],
    )
    if without:
        recovery.missing = _("Susun dan setujui DRP untuk %(n)s layanan kritis.") % {"n": len(without)}
    start, end = _bounds(subject)
    needed = rules.min_process_records
    releases = _some(
        subject.scoped(
            Release.objects.filter(window_start__gte=start, window_start__lt=end, status=ApprovalStatus.APPROVED)
        ),
        needed,
    )
    plans = _some(
        subject.scoped(
            ChangePlan.objects.filter(status=ApprovalStatus.APPROVED, planned_end__gte=start, planned_start__lt=end)
        ),
        needed,
    )
    release = Criterion(
        3,
        "release",
        _("Perubahan dan rilis layanan tercatat (P-9, O-6)"),
        met=releases + plans >= needed,
        evidence=[
            Evidence(_("Rilis disetujui dalam periode"), _url("change:release_list")),
            Evidence(_("Rencana perubahan ditetapkan dalam periode"), _url("change:plan_list")),
        ],
    )
    if not release.met:
        release.missing = _("Catat rencana perubahan (P-9) atau rencana rilis (O-6) yang disetujui dalam periode.")
    return [monitoring, recovery, release]


def _applications(subject: Subject, rules: EvaluationRules) -> Criterion:
    """Pengelolaan aplikasi: each application of the PD with its approved
    application management target (P-10); none to manage counts as met."""
    apps = list(subject.scoped(Application.objects.all()).values_list("pk", flat=True))
    with_target = set(
        AppManagementTarget.objects.filter(application_id__in=apps, status=ApprovalStatus.APPROVED).values_list(
            "application_id", flat=True
        )
    )
    share = 100 * len(with_target) / len(apps) if apps else 100
    criterion = Criterion(
        3,
        "applications",
        _("Pengelolaan aplikasi dengan target yang disetujui (P-10, O-7)"),
        met=share >= rules.planning_coverage_percent,
        evidence=[
            Evidence(
                _("%(n)s dari %(total)s aplikasi punya target pengelolaan aplikasi")
                % {"n": len(with_target), "total": len(apps)},
                _url("cmdb:application_list", query=_pd_query(subject)),
            )
        ],
    )
    if not criterion.met:
        criterion.missing = _("Tetapkan target pengelolaan aplikasi (P-10) untuk %(n)s aplikasi.") % {
            "n": len(apps) - len(with_target)
        }
    return criterion


# --- levels 4 and 5: reviewed, evaluated, followed up ---------------------------------------------


def latest_approved_report(subject: Subject, today: date, rules: EvaluationRules) -> EvaluationReport | None:
    """The subject's approved report whose period ended within
    ``evaluation_max_age_months`` of ``today``."""
    oldest = add_months(today, -rules.evaluation_max_age_months)
    reports = EvaluationReport.objects.filter(
        pemda=subject.pemda, status=ApprovalStatus.APPROVED, period_end__gte=oldest, period_end__lte=today
    )
    if subject.pd is not None:
        reports = reports.filter(pd=subject.pd, scope=ReportScope.PD)
    else:
        reports = reports.filter(scope=ReportScope.PEMDA)
    return reports.order_by("-period_end", "-pk").first()


def _reviewed(subject: Subject, rules: EvaluationRules, today: date, *, processes_met: bool) -> list[Criterion]:
    application = Criterion(
        4,
        "application",
        _("Dijalankan dengan Sistem Aplikasi Manajemen Layanan SPBE"),
        met=processes_met,
        evidence=[Evidence(_("Catatan setiap proses di atas tersimpan di aplikasi ini"))],
    )
    if not processes_met:
        application.missing = _("Jalankan seluruh proses (tingkat 3) di aplikasi ini.")
    report = latest_approved_report(subject, today, rules)
    reviewed = Criterion(
        4, "evaluated", _("Reviu dan evaluasi: laporan evaluasi disetujui (E-2)"), met=report is not None
    )
    if report is not None:
        reviewed.evidence = [Evidence(str(report), report.get_absolute_url())]
    else:
        who = _("Koordinator SPBE") if subject.pd is None else _("Pimpinan PD")
        reviewed.missing = _(
            "Susun laporan evaluasi untuk periode dalam %(months)s bulan terakhir dan minta %(who)s menyetujuinya."
        ) % {"months": rules.evaluation_max_age_months, "who": who}
    return [application, reviewed, _followed_up(report, rules, today)]


def _followed_up(report: EvaluationReport | None, rules: EvaluationRules, today: date) -> Criterion:
    criterion = Criterion(5, "followed_up", _("Hasil reviu dan evaluasi ditindaklanjuti dengan perbaikan"), met=False)
    if report is None:
        criterion.missing = _("Setujui laporan evaluasi dahulu, lalu selesaikan tindak lanjutnya dengan bukti.")
        return criterion
    from spbe.evaluation.actions import carried_actions  # actions → dashboard → maturity

    actions = list(FollowUpAction.objects.filter(report=report).exclude(status=ActionStatus.CANCELLED))
    done = [a for a in actions if a.status == ActionStatus.DONE and (a.evidence_note.strip() or a.evidence_file)]
    # an action carried from an earlier report is still owed (E-2: open actions carry over)
    overdue = [a for a in [*actions, *carried_actions(report)] if a.is_overdue(today)]
    criterion.met = len(done) >= rules.followup_min_done and len(overdue) <= rules.followup_max_overdue
    criterion.evidence = [
        Evidence(
            _("%(title)s — selesai %(when)s%(versions)s")
            % {
                "title": a.title,
                "when": a.completed_at.astimezone(ZoneInfo(a.pemda.time_zone)).date().isoformat(),
                "versions": f" ({a.before_version} → {a.after_version})" if a.before_version or a.after_version else "",
            },
            a.get_absolute_url(),
        )
        for a in done
    ]
    gaps = []
    if len(done) < rules.followup_min_done:
        gaps.append(_("selesaikan minimal %(n)s tindak lanjut dengan bukti") % {"n": rules.followup_min_done})
    if len(overdue) > rules.followup_max_overdue:
        gaps.append(_("%(n)s tindak lanjut lewat tenggat: selesaikan atau perbarui tenggatnya") % {"n": len(overdue)})
    if gaps:
        criterion.missing = "; ".join(gaps).capitalize() + "."
    return criterion
