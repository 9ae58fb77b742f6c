"""Demo recovery per Pemda (issue 11, item 8), made through the real
actions so it is what a user would have produced: an approved DRP for every
active kritis service (drafted by Diskominfo's infrastructure team,
approved by the PD's PJ Penyedia Layanan), nightly backup pings on the
database heartbeat, one drill per Pemda with measured RTO/RPO, and in Kota
Yogyakarta one past data-centre power failure that went through all seven
steps and revised the DRP."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from spbe.approvals import actions as approvals
from spbe.catalog.models import Service
from spbe.cmdb.models import ServiceApplication
from spbe.continuity import actions
from spbe.continuity.actions import PlanScope, StepInput
from spbe.continuity.choices import RecoverySite, Step
from spbe.continuity.models import RecoveryPlan
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.monitoring.models import Check, HeartbeatPing
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch
from spbe.org.choices import Role
from spbe.org.models import RoleAssignment

PING_DAYS = 120
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]  # fmt: skip
PROCEDURE = [
    (
        "Umumkan gangguan kepada pengguna dan PD pemilik melalui halaman status dan grup koordinasi.",
        "Administrator Layanan",
        15,
    ),
    ("Nyalakan server cadangan di lokasi pemulihan dan periksa jaringan.", "Administrator Infrastruktur", 45),
    (
        "Pulihkan basis data dari cadangan terakhir yang baik dan periksa keutuhannya.",
        "Administrator Infrastruktur",
        90,
    ),
    ("Arahkan DNS layanan ke lokasi pemulihan.", "Administrator Infrastruktur", 20),
    ("Uji fungsi utama layanan bersama Administrator Layanan.", "Administrator Layanan", 30),
]


def _person(role: Role, pd):
    assignment = RoleAssignment.objects.filter(role=role, pd=pd).select_related("user").order_by("pk").first()
    return assignment.user if assignment else None


def load_continuity_demo(pemda) -> None:
    coordinator = pemda.spbe_coordinator
    drafter = _person(Role.ADMIN_INFRA, coordinator)
    backup = Check.objects.filter(pemda=pemda, kind="heartbeat").first()
    zone = ZoneInfo(pemda.time_zone)
    now = timezone.now()
    if backup is not None:
        _nightly_pings(backup, zone, now)
    plans = []
    with without_dispatch():
        for service in Service.objects.filter(pd__pemda=pemda, classification="kritis", status="approved"):
            plan = _approved_plan(service, drafter, backup)
            if plan is not None:
                plans.append(plan)
        plans.sort(key=lambda plan: plan.pd.abbreviation != "Disdukcapil")  # the best-known public service first
        if plans:
            _drill(plans[0], drafter, zone, now - timedelta(days=95))
        if pemda.slug == "kota-yogyakarta" and len(plans) > 1:
            _power_failure(plans[0], drafter, zone, now - timedelta(days=58))
    OutboxMessage.objects.filter(pemda=pemda).update(status=OutboxStatus.SENT, sent_at=now)


def _nightly_pings(check: Check, zone: ZoneInfo, now: datetime) -> None:
    """The backup job pinged at 01:05 every night."""
    today = now.astimezone(zone).date()
    pings = []
    for days in range(PING_DAYS, -1, -1):
        at = datetime.combine(today - timedelta(days=days), time(1, 5), tzinfo=zone)
        if at <= now:
            pings.append(HeartbeatPing(check_ref=check, at=at))
    HeartbeatPing.objects.bulk_create(pings)
    Check.objects.filter(pk=check.pk).update(last_ping_at=pings[-1].at)


def _approved_plan(service: Service, drafter, backup: Check | None) -> RecoveryPlan | None:
    approver = _person(Role.PJ_PENYEDIA, service.pd)
    if drafter is None or approver is None:
        return None
    apps = [
        link.application for link in ServiceApplication.objects.filter(service=service).select_related("application")
    ]
    components = {c for app in apps for c in app.components.all()}
    plan = RecoveryPlan(
        pd=service.pd, title=f"DRP {service.name}", rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
        backup_method="pg_dump terenkripsi ke server cadangan di Pusat Data Daerah, salinan mingguan ke PDN",
        backup_frequency="Harian pukul 01.00 WIB; mingguan Minggu 02.00", backup_check=backup,
        recovery_site=RecoverySite.PDN, recovery_site_detail="Pusat Data Nasional, ruang sewa bersama Pemda",
        disaster_conditions="Pusat data daerah padam lebih dari 1 jam; kebakaran, banjir, atau gempa di ruang server;"
        " kerusakan perangkat inti yang tidak dapat dipulihkan dalam target RTO; serangan siber yang melumpuhkan"
        " server utama.",
    )  # fmt: skip
    contacts = [
        {"name": drafter.full_name, "role": "Koordinator teknis pemulihan", "phone": drafter.phone or "0274-515000",
         "email": drafter.email},
        {"name": approver.full_name, "role": "PJ Penyedia Layanan, keputusan aktivasi", "phone": approver.phone or
         "0274-515001", "email": approver.email},
        {"name": "Piket PDN", "role": "Operator pusat data pemulihan", "phone": "021-3800100", "email": ""},
    ]  # fmt: skip
    steps = [{"action": a, "owner": o, "expected_minutes": m} for a, o, m in PROCEDURE]
    plan = actions.save_plan(drafter, plan, PlanScope([service], apps, sorted(components, key=str)), contacts, steps)
    approvals.submit(drafter, plan)
    approvals.approve(approver, plan, "Sesuai hasil rapat kesiapsiagaan bencana TIK.")
    plan.refresh_from_db()
    return plan


def _at(zone: ZoneInfo, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def _drill(plan: RecoveryPlan, drafter, zone: ZoneInfo, when: datetime) -> None:
    """A drill that met its RTO: server room fire simulated on a Saturday morning."""
    day = when.astimezone(zone).date()
    drill = actions.plan_drill(
        drafter, plan, title=f"Uji coba DRP {plan.services.first().name} {MONTHS[day.month - 1]} {day.year}",
        scheduled_for=_at(zone, day, 8), scenario="Simulasi kebakaran ruang server utama: server aplikasi dan basis "
        "data dinyatakan tidak dapat dipakai; layanan dipindahkan ke lokasi pemulihan.",
        participants="Tim infrastruktur Diskominfo, Administrator Layanan PD pemilik, vendor aplikasi, operator PDN",
        at=_at(zone, day - timedelta(days=14), 10),
    )  # fmt: skip
    start = _at(zone, day, 8, 30)
    notes = {
        Step.ASSESS: "Ruang server dinyatakan tidak layak (skenario kebakaran).",
        Step.ANALYSE: "Server aplikasi dan basis data tidak dapat dipulihkan di tempat dalam target RTO.",
        Step.DEFINE: "Kondisi bencana simulasi ditetapkan pukul 08.45.",
        Step.ACTIVATE: "Prosedur DRP dijalankan: server cadangan PDN dinyalakan, basis data dipulihkan.",
        Step.NORMALISE: "Layanan berjalan dari PDN; uji fungsi utama berhasil.",
        Step.EVALUATE: "RTO tercapai. Pemulihan basis data 20 menit lebih cepat dari perkiraan.",
        Step.RATIFY: "DRP tetap berlaku tanpa perubahan.",
    }
    times = {1: (8, 35), 2: (8, 40), 3: (8, 45), 4: (9, 0), 5: (11, 50), 6: (14, 0), 7: (15, 0)}
    for number, text in notes.items():
        actions.record_step(drafter, drill, StepInput(
            number=number, at=_at(zone, day, *times[number]), notes=text,
            disruption_started_at=start if number == Step.DEFINE else None,
            findings="Daftar kontak vendor belum mencantumkan nomor darurat malam." if number == Step.EVALUATE else "",
            follow_up="Perbarui kontak vendor pada reviu DRP berikutnya." if number == Step.EVALUATE else "",
        ))  # fmt: skip


def _power_failure(plan: RecoveryPlan, drafter, zone: ZoneInfo, when: datetime) -> None:
    """The real one: the data centre's power failed, the UPS ran out, the
    service recovered from the PDN within its RTO; the evaluation revised
    the DRP (a generator check was added), approved by the PJ Penyedia."""
    day = when.astimezone(zone).date()
    service = plan.services.first()
    admin = service.service_admin or drafter
    start = _at(zone, day, 14, 20)
    ticket = desk.open_ticket(
        actor=None, service=service, kind=TicketKind.COMPLAINT, impact="mayor", reported_at=start,
        reporter=Reporter("Pemantauan otomatis"), subject=f"{service.name} tidak dapat diakses",
        description="Semua pemeriksaan gagal: batas waktu habis. Listrik pusat data daerah padam.",
        reporting_method=ReportingMethod.MONITORING,
    )  # fmt: skip
    desk.respond(
        admin, ticket, "Gangguan diterima; tim infrastruktur memeriksa pusat data.", at=start + timedelta(minutes=6)
    )
    desk.flag_drp_assessment(admin, ticket, "Listrik pusat data padam, UPS hanya bertahan 30 menit.")
    recovery = actions.open_activation(drafter, plan, "Listrik pusat data daerah padam", ticket,
                                       at=start + timedelta(minutes=15))  # fmt: skip
    steps = [
        (Step.ASSESS, (14, 40), "PLN: gangguan gardu, perkiraan pulih lebih dari 6 jam. Genset gagal menyala."),
        (Step.ANALYSE, (14, 55), "UPS habis pukul 14.50; server tidak dapat dinyalakan kembali di PDD hari ini."),
        (Step.DEFINE, (15, 5), "Pusat data padam lebih dari 1 jam: memenuhi kondisi bencana DRP."),
        (Step.ACTIVATE, (15, 10), "Server cadangan di PDN dinyalakan; basis data dipulihkan dari cadangan 01.05."),
        (Step.NORMALISE, (17, 30), "Layanan berjalan dari PDN; DNS dialihkan, uji fungsi oleh Administrator Layanan."),
    ]
    for number, (hour, minute), text in steps:
        actions.record_step(drafter, recovery, StepInput(
            number=number, at=_at(zone, day, hour, minute), notes=text,
            disruption_started_at=start if number == Step.DEFINE else None,
        ))  # fmt: skip
    actions.record_step(drafter, recovery, StepInput(
        number=Step.EVALUATE, at=_at(zone, day + timedelta(days=2), 10), open_revision=True,
        notes="RTO dan RPO tercapai. Genset tidak pernah diuji beban: tambahkan langkah uji genset bulanan.",
    ))  # fmt: skip
    desk.resolve(admin, ticket, "Layanan dipulihkan dari PDN sesuai DRP.", at=_at(zone, day, 17, 40))
    desk.confirm(None, ticket, at=_at(zone, day + timedelta(days=1), 9), automatic=True)
    recovery.refresh_from_db()
    revision = recovery.revision_plan
    procedure = [{"action": "Uji beban genset dan periksa bahan bakar sebelum memindahkan layanan.",
                  "owner": "Teknisi genset PDD", "expected_minutes": 20}]  # fmt: skip
    procedure += [{"action": s.action, "owner": s.owner, "expected_minutes": s.expected_minutes}
                  for s in revision.steps.all()]  # fmt: skip
    contacts = [{"name": c.name, "role": c.role, "phone": c.phone, "email": c.email} for c in revision.contacts.all()]
    scope = PlanScope(list(revision.services.all()), list(revision.applications.all()), list(revision.components.all()))
    actions.save_plan(drafter, revision, scope, contacts, procedure)
    approvals.submit(drafter, revision)
    approvals.approve(_person(Role.PJ_PENYEDIA, plan.pd), revision, "Perbaikan dari evaluasi pemadaman listrik.")
    actions.record_step(drafter, recovery, StepInput(
        number=Step.RATIFY, at=timezone.now(), notes=f"{revision} ditetapkan menggantikan versi {plan.revision}.",
    ))  # fmt: skip
