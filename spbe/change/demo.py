"""Demo change and release per Pemda (issue 12, item 6), made through the
real actions: transition plans in each state (one from a citizen's
request), a release verified by monitoring that updated its application's
version, and one that failed its verification and was rolled back."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from spbe.approvals import actions as approvals
from spbe.catalog.models import Service
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import ServiceApplication
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.monitoring.models import Check, CheckResult, MaintenanceWindow
from spbe.notify.models import OutboxMessage, OutboxStatus
from spbe.notify.outbox import without_dispatch
from spbe.org.choices import Role
from spbe.org.models import RoleAssignment

RISKS = [
    {"description": "Data lama gagal dipindahkan", "likelihood": 2, "impact": 4, "mitigation": "Uji migrasi di server uji"},
    {"description": "Pengguna belum paham alur baru", "likelihood": 3, "impact": 2, "mitigation": "Panduan dan sosialisasi"},
]  # fmt: skip
PLANS = [  # title, kind, decision (None: draft), reviewer's comment
    ("Layanan daring pengurusan akta kelahiran", "addition", "approved", "Sesuai rencana strategis PD."),
    ("Penyederhanaan formulir permohonan", "modification", "submitted", ""),
    ("Penghapusan layanan cetak ulang manual", "removal", "rejected", "Masih dibutuhkan warga lansia; kaji ulang."),
    ("Integrasi tanda tangan elektronik", "modification", None, ""),
]


def _person(role: Role, pd):
    assignment = RoleAssignment.objects.filter(role=role, pd=pd).select_related("user").order_by("pk").first()
    return assignment.user if assignment else None


def load_change_demo(pemda) -> None:
    infra = _person(Role.ADMIN_INFRA, pemda.spbe_coordinator)
    watched = Service.objects.filter(pd__pemda=pemda, lifecycle="active", checks__isnull=False).distinct()
    for service in watched.select_related("pd").order_by("code"):  # a monitored service whose PD has every role
        pd = service.pd
        admin, head, pj = (_person(role, pd) for role in (Role.ADMIN_LAYANAN, Role.PIMPINAN_PD, Role.PJ_PENYEDIA))
        if all((admin, head, infra, pj)):
            break
    else:
        return
    zone = ZoneInfo(pemda.time_zone)
    now = timezone.now()
    with without_dispatch():
        request = desk.open_ticket(
            actor=admin, service=service, kind=TicketKind.REQUEST, reporter=Reporter("Dewi Lestari", "dewi@contoh.id"),
            subject="Mohon akta kelahiran bisa diurus daring", reporting_method="portal",
            description="Kami bekerja di luar kota; mohon pengurusan akta bisa tanpa datang ke loket.",
            reported_at=now - timedelta(days=40),
        )  # fmt: skip
        plans = [_plan(pd, service, admin, head, request if i == 0 else None, now + timedelta(days=14 + 7 * i),
                       *spec) for i, spec in enumerate(PLANS)]  # fmt: skip
        _releases(pd, service, plans[0], infra, pj, zone, now)
    OutboxMessage.objects.filter(pemda=pemda).update(status=OutboxStatus.SENT, sent_at=now)


def _plan(pd, service, admin, head, request, start, title, kind, decision, comment) -> ChangePlan:
    plan = ChangePlan(
        pd=pd, title=title, kind=kind, origin="user_request" if request else "provider_need", request=request,
        reason=request.description if request else "Evaluasi layanan semester lalu.",
        technology_review="Modul baru pada aplikasi yang sama; tidak ada perangkat baru.",
        process_review="Verifikasi berkas secara daring oleh Administrator Layanan.",
        policy_review="SOP layanan diperbarui dan ditetapkan Pimpinan PD.",
        business_impact="Antrean loket berkurang; petugas loket dialihkan ke verifikasi.",
        satisfaction_impact="Diharapkan naik: warga tidak perlu datang.",
        quality_control="Uji penerimaan bersama 20 warga dan 3 petugas.",
        success_measure="80 % permohonan selesai dalam 1 hari kerja pada bulan pertama.",
        planned_start=start.replace(hour=13, minute=0, second=0, microsecond=0), planned_end=start.replace(
            hour=17, minute=0, second=0, microsecond=0),
        user_notice="Diumumkan di portal dan media sosial PD dua minggu sebelumnya.",
    )  # fmt: skip
    plan = actions.save_plan(admin, plan, ChangeScope([service] if kind != "addition" else []), RISKS)
    if decision:
        approvals.submit(admin, plan)
        if decision == "approved":
            approvals.approve(head, plan, comment)
        elif decision == "rejected":
            approvals.reject(head, plan, comment)
    return plan


def _releases(pd, service, plan, infra, pj, zone, now) -> None:
    """Two past releases of the service's application: 30 days ago verified
    green; 10 days ago red after the window, rolled back."""
    link = ServiceApplication.objects.filter(service=service).select_related("application").first()
    if link is None:
        return
    application = link.application
    checks = list(Check.objects.filter(service=service))
    for days, version, ok in ((30, "2.5", True), (10, "2.6", False)):
        day = (now - timedelta(days=days)).astimezone(zone).date()
        start = datetime.combine(day, time(21, 0), tzinfo=zone)
        release = actions.save_release(infra, Release(
            pd=pd, title=application.name, basis="change" if ok else "initiative", change_plan=plan if ok else None,
            application=application, version=version, description=f"Versi {version}: perbaikan antrean dan cetak.",
            steps="1. Cadangkan basis data\n2. Pasang paket\n3. Jalankan migrasi\n4. Uji fungsi utama",
            rollback_plan="Pasang kembali versi sebelumnya dari cadangan malam itu.",
            test_plan="Uji fungsi utama oleh Administrator Layanan (10 transaksi).",
            window_start=now + timedelta(days=1), window_end=now + timedelta(days=1, hours=2),
            announcement=f"{service.name} diperbarui ke versi {version}: layanan lebih cepat.",
        ), [service])  # fmt: skip
        approvals.submit(infra, release)
        approvals.approve(pj, release, "Jadwal di luar jam layanan, silakan.")
        # the release happened in the past: its window (and maintenance) moved back to when it ran
        end = start + timedelta(hours=2)
        Release.objects.filter(pk=release.pk).update(window_start=start, window_end=end)
        MaintenanceWindow.objects.filter(pk=release.maintenance_window_id).update(starts_at=start, ends_at=end)
        release.timeline.update(at=start - timedelta(days=3))
        for minute in range(1, 31, 5):
            CheckResult.objects.bulk_create(
                [CheckResult(check_ref=check, at=end + timedelta(minutes=minute), ok=ok or minute > 10,
                             error="" if ok or minute > 10 else "Kode status 500") for check in checks]
            )  # fmt: skip
        actions.verify_due_releases(end + timedelta(minutes=1))
        actions.verify_due_releases(end + timedelta(minutes=31))
        release.refresh_from_db()
        actions.record_tests(infra, release, "10 transaksi uji berhasil." if ok else "Cetak gagal: galat 500.")
        if not ok:
            actions.record_rollback(infra, release, "Versi 2.5 dipasang kembali; layanan normal.",
                                    at=end + timedelta(minutes=40))  # fmt: skip
        actions.record_feedback(
            pj, release, "Berjalan lancar." if ok else "Uji di server uji sebelum dijadwalkan ulang."
        )


def load_project_demo(pemda) -> None:
    """Two application projects per Pemda (issue 12, item 6): one agile
    in-house, one outsourced waterfall, approved by Diskominfo."""
    from spbe.change.actions_projects import save_project
    from spbe.change.models_projects import AppProject
    from spbe.cmdb.models import Application

    coordinator = _person(Role.KOORDINATOR_SPBE, pemda.spbe_coordinator)
    # applications of PDs other than Diskominfo, whose coordinator approves them
    applications = list(Application.objects.filter(pd__pemda=pemda, pd__is_spbe_coordinator=False).order_by("name")[:2])
    kinds = (("agile", "in_house", ""), ("waterfall", "outsourced", "PT Nusantara Solusi Digital"))
    for application, (method, sourcing, vendor) in zip(applications, kinds, strict=False):
        drafter = _person(Role.ADMIN_LAYANAN, application.pd) or _person(Role.ADMIN_INFRA, pemda.spbe_coordinator)
        project = AppProject(
            application=application, title=f"Pengembangan {application.name}", method=method, sourcing=sourcing,
            vendor=vendor, contract_number="027/KONTRAK/DISKOMINFO/2027" if vendor else "",
            goal="Layanan daring penuh dan terhubung dengan SPLP nasional.",
            scope="Modul permohonan daring, verifikasi petugas, dan notifikasi warga.",
        )  # fmt: skip
        project = save_project(drafter, project, _phases(timezone.localdate() + timedelta(days=14)))
        approvals.submit(drafter, project)
        if coordinator is not None and coordinator != drafter:
            approvals.approve(coordinator, project, "Sesuai arsitektur SPBE Pemda.")


DELIVERABLES = ["Dokumen desain", "Kode sumber dan basis data", "Laporan uji penerimaan", "Laporan pemeliharaan"]


def _phases(start) -> list[dict]:
    """Design, implementation, testing (a gate Diskominfo approves), maintenance, one after the other."""
    phases = []
    for number, days in enumerate((30, 60, 30, 180), start=1):
        end = start + timedelta(days=days)
        phases.append({"phase": number, "planned_start": start, "planned_end": end,
                       "needs_gate_approval": number == 3, "deliverables": DELIVERABLES[number - 1]})  # fmt: skip
        start = end + timedelta(days=1)
    return phases
