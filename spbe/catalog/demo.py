"""Demo catalog, applications, servers and planning records for the demo
Pemda (issue 4, item 6): some services active (approved), some drafts, and
records waiting for a decision, so every screen has something true to show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from spbe.approvals.models import ApprovalStatus, Decision, DecisionKind
from spbe.catalog.choices import Classification, Lifecycle, ServiceGroup, SupportHours, TimeUnit
from spbe.catalog.models import InfraPolicy, InfraPolicyKind, Service, ServiceNeeds
from spbe.cmdb.choices import ComponentKind, Hosting, SdlcPhase, Urgency
from spbe.cmdb.models import Application, AppNeedsAnalysis, Component, ComponentDependency, ServiceApplication
from spbe.org.choices import Role
from spbe.org.models import Pemda, RoleAssignment, User

LP, AP = ServiceGroup.LAYANAN_PUBLIK, ServiceGroup.ADMINISTRASI
K, E, N = Classification.KRITIS, Classification.ESENSIAL, Classification.NORMAL

# (PD abbreviation, code, name, description, group, classification, application, access)
SERVICES = {
    "kota-yogyakarta": [
        ("Disdukcapil", "DUKCAPIL-01", "Pencetakan KTP-el", "Perekaman dan pencetakan KTP elektronik bagi penduduk Kota Yogyakarta.", LP, K, "SIAK Terpusat", "Loket Disdukcapil, Kompleks Balai Kota Timoho"),
        ("Disdukcapil", "DUKCAPIL-02", "Akta Kelahiran Daring", "Pengajuan akta kelahiran melalui Jogja Smart Service.", LP, E, "Jogja Smart Service", "Aplikasi JSS (Android/iOS) menu Kependudukan"),
        ("DPMPTSP", "DPMPTSP-01", "Perizinan Berusaha Daring", "Pengajuan dan pelacakan izin usaha dan bangunan.", LP, K, "Jogja Smart Service", "https://jss.jogjakota.go.id menu Perizinan"),
        ("Dinkes", "DINKES-01", "Pendaftaran Puskesmas Daring", "Ambil nomor antrean 18 puskesmas dari rumah.", LP, E, "SIMPUS", "Aplikasi JSS menu Kesehatan"),
        ("BPKAD", "BPKAD-01", "e-Budgeting", "Penyusunan RKA dan DPA seluruh PD.", AP, K, "SIPD e-Budgeting", "Intranet Pemkot, akun per PD"),
        ("BKPSDM", "BKPSDM-01", "Presensi Pegawai", "Presensi harian ASN dengan lokasi dan swafoto.", AP, E, "Presensi Online", "Aplikasi Presensi (Android)"),
        ("Diskominfosan", "KOMINFO-01", "Jogja Smart Service", "Aplikasi super Pemkot: 140 layanan dalam satu akun warga.", LP, K, "Jogja Smart Service", "https://jss.jogjakota.go.id dan aplikasi seluler"),
        ("Diskominfosan", "KOMINFO-02", "Surat Elektronik Dinas", "Akun e-mail dinas @jogjakota.go.id untuk ASN.", AP, N, "Mail Server Pemkot", "https://mail.jogjakota.go.id"),
    ],
    "kabupaten-tegal": [
        ("Disdukcapil", "DUKCAPIL-01", "Layanan Administrasi Kependudukan Daring", "Pengajuan KK, akta, dan pindah datang secara daring.", LP, K, "SIAK Terpusat", "https://disdukcapil.tegalkab.go.id"),
        ("DPMPTSP", "DPMPTSP-01", "Perizinan Berusaha Daerah", "Perizinan berusaha berbasis risiko tingkat daerah.", LP, E, "SiCantik", "https://sicantik.go.id"),
        ("BKD", "BKD-01", "e-Budgeting Daerah", "Penganggaran seluruh PD Kabupaten Tegal.", AP, K, "SIPD e-Budgeting", "Intranet Pemkab"),
        ("BKPSDM", "BKPSDM-01", "Presensi Online ASN", "Presensi ASN berbasis lokasi.", AP, E, "Presensi Online", "Aplikasi Presensi (Android)"),
        ("Dinkominfo", "KOMINFO-01", "Tegal Super App", "Portal layanan warga Kabupaten Tegal.", LP, E, "Tegal Super App", "Aplikasi seluler Tegal Super App"),
    ],
}  # fmt: skip

# (name, kind, location, attributes)
COMPONENTS = [
    ("host-pdd-01", ComponentKind.SERVER, "Pusat Data Daerah, rak A1", {"cpu": "2× Xeon Silver 4314", "ram": "512 GB"}),
    ("san-pdd-01", ComponentKind.STORAGE, "Pusat Data Daerah, rak A2", {"kapasitas": "60 TB"}),
    ("core-switch-pdd", ComponentKind.NETWORK, "Pusat Data Daerah, rak A0", {"model": "Layer 3, 48 port 10G"}),
    ("vm-app-01", ComponentKind.VM, "host-pdd-01", {"ip": "10.10.1.11", "os": "Ubuntu 24.04"}),
    ("vm-app-02", ComponentKind.VM, "host-pdd-01", {"ip": "10.10.1.12", "os": "Ubuntu 24.04"}),
    ("db-pg-01", ComponentKind.DATABASE, "host-pdd-01", {"engine": "PostgreSQL 16", "ip": "10.10.1.21"}),
]
DEPENDENCIES = [("vm-app-01", "host-pdd-01"), ("vm-app-02", "host-pdd-01"), ("db-pg-01", "host-pdd-01"),
                ("host-pdd-01", "san-pdd-01"), ("host-pdd-01", "core-switch-pdd")]  # fmt: skip
# application -> components it runs on
RUNS_ON = {
    "SIAK Terpusat": ["vm-app-01", "db-pg-01"], "Jogja Smart Service": ["vm-app-02", "db-pg-01"],
    "Tegal Super App": ["vm-app-02", "db-pg-01"], "SIMPUS": ["vm-app-02"], "SiCantik": ["vm-app-01"],
    "SIPD e-Budgeting": ["vm-app-01", "db-pg-01"], "Presensi Online": ["vm-app-02"], "Mail Server Pemkot": ["vm-app-01"],
}  # fmt: skip
APP_OWNER = {"SIAK Terpusat": "Disdukcapil", "SIMPUS": "Dinkes", "SiCantik": "DPMPTSP", "Presensi Online": "BKPSDM"}


def _person(pemda: Pemda, role: Role, pd) -> User | None:
    assignment = RoleAssignment.objects.filter(role=role, pd=pd).select_related("user").first()
    return assignment.user if assignment else None


def _decide(record, kind: DecisionKind, actor: User, role: str = "", comment: str = "") -> None:
    Decision.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, revision=record.revision,
        kind=kind, actor=actor, role=role, comment=comment,
    )  # fmt: skip


def load_catalog_demo(pemda: Pemda) -> None:
    pds = {pd.abbreviation: pd for pd in pemda.pds.all()}
    coordinator_pd = pemda.spbe_coordinator
    infra_admin = _person(pemda, Role.ADMIN_INFRA, coordinator_pd)
    components = {}
    for name, kind, location, attributes in COMPONENTS:
        components[name] = Component.objects.create(
            pemda=pemda, pd=coordinator_pd, name=name, kind=kind, location=location, attributes=attributes
        )
    for source, target in DEPENDENCIES:
        ComponentDependency.objects.create(component=components[source], depends_on=components[target])
    applications = {}
    for pd_abbr, code, name, description, group, cls, app_name, how in SERVICES[pemda.slug]:
        pd = pds[pd_abbr]
        if app_name not in applications:
            owner = pds.get(APP_OWNER.get(app_name, ""), coordinator_pd)
            app = Application.objects.create(
                pd=owner, name=app_name, hosting=Hosting.PUSAT_DATA_DAERAH, sdlc_phase=SdlcPhase.PRODUCTION,
                technology="PHP 8.2, PostgreSQL 16", developer="Diskominfo" if owner == coordinator_pd else "Vendor",
                version="2.4",
            )  # fmt: skip
            app.components.set([components[c] for c in RUNS_ON.get(app_name, [])])
            applications[app_name] = app
        service = _service(pemda, pd, code, name, description, group, cls, how, infra_admin)
        ServiceApplication.objects.create(service=service, application=applications[app_name])
    _planning(pemda, pds, coordinator_pd)


def _service(pemda, pd, code, name, description, group, cls, how, infra_admin) -> Service:
    admin = _person(pemda, Role.ADMIN_LAYANAN, pd)
    approver = _person(pemda, Role.PJ_PENYEDIA, pd)
    per_service = pemda.policy_version.pack.user_service_mode == "per_service"
    service = Service.objects.create(
        pd=pd, code=code, name=name, description=description, group=group, classification=cls, access=how,
        url=how if how.startswith("http") else "", availability_target=Decimal("99.50" if cls == K else "98.00"),
        help_contact=f"{pd.email} / WhatsApp 0811-2{pd.pk:03d}-{pd.pk * 37 % 10000:04d}",
        support_hours=SupportHours.ALWAYS if cls == K else SupportHours.WORKING_HOURS,
        service_admin=admin, infra_admin=infra_admin, drafted_by=admin,
        user_service_target_override=timedelta(hours={K: 24, E: 36, N: 72}[cls]) if per_service else None,
        user_service_target_reason="Ditetapkan Pimpinan PD bersama PJ Penyedia Layanan (Kepwal 110/2026)"
        if per_service else "",
        rpo_value=1 if cls == K else None, rpo_unit=TimeUnit.DAYS if cls == K else "",
        rto_value=4 if cls == K else None, rto_unit=TimeUnit.HOURS if cls == K else "",
    )  # fmt: skip
    if approver and admin:
        _decide(service, DecisionKind.SUBMITTED, admin)
        if code.endswith("-02") and pd.abbreviation == "Disdukcapil":
            service.status = ApprovalStatus.SUBMITTED  # waits for the demo PJ Penyedia
        else:
            _decide(service, DecisionKind.APPROVED, approver, Role.PJ_PENYEDIA, "Sesuai rapat koordinasi layanan.")
            service.status, service.lifecycle = ApprovalStatus.APPROVED, Lifecycle.ACTIVE
        service.save(update_fields=["status", "lifecycle"])
    return service


def _planning(pemda: Pemda, pds: dict, coordinator_pd) -> None:
    dukcapil = pds["Disdukcapil"]
    admin = _person(pemda, Role.ADMIN_LAYANAN, dukcapil)
    first = Service.objects.filter(pd=dukcapil).order_by("code").first()
    needs = ServiceNeeds.objects.create(
        service=first, drafted_by=admin,
        business_process="Perekaman biometrik → verifikasi data → pencetakan → penyerahan; antrean bergantung pada ketersediaan blangko.",
        needs="1. Alat perekam biometrik di 14 kemantren\n2. Antrean daring\n3. Notifikasi status cetak",
        design="Antrean daring terhubung SIAK; notifikasi WhatsApp.", technology="SIAK Terpusat, API antrean JSS",
        evaluation="Survei kepuasan bulanan dan waktu tunggu rata-rata.",
        technology_confirmed_by=_person(pemda, Role.ADMIN_INFRA, coordinator_pd),
    )  # fmt: skip
    if admin:
        _decide(needs, DecisionKind.SUBMITTED, admin)
        needs.status = ApprovalStatus.SUBMITTED
        needs.save(update_fields=["status"])
    InfraPolicy.objects.create(
        pd=coordinator_pd, kind=InfraPolicyKind.POLICY, title="Kebijakan pencadangan harian Pusat Data Daerah",
        content="Pencadangan penuh mingguan dan inkremental harian; salinan luar lokasi di PDN.",
        drafted_by=_person(pemda, Role.ADMIN_LAYANAN, coordinator_pd),
    )  # fmt: skip
    analysis = AppNeedsAnalysis.objects.create(
        pd=dukcapil, title="Aplikasi antrean daring terpadu", urgency=Urgency.HIGH, drafted_by=admin,
        cost_benefit="Biaya pengembangan Rp 150 juta; memangkas antrean loket 40%.",
        implications="Integrasi dengan SIAK dan JSS; pelatihan petugas loket.",
        functional_requirements="Ambil nomor, pilih jadwal, notifikasi, laporan harian.",
        non_functional_requirements="Tersedia 99,5%; respons < 2 detik; data terenkripsi.",
        principles={"effectiveness": "Antrean lebih pendek", "integration": "API SIAK", "continuity": "Kontrak pemeliharaan 3 tahun",
                    "efficiency": "Satu aplikasi untuk semua loket", "accountability": "Log akses", "interoperability": "REST/JSON",
                    "security": "TLS, autentikasi ganda petugas"},
    )  # fmt: skip
    if admin:
        _decide(analysis, DecisionKind.SUBMITTED, admin)
        analysis.status = ApprovalStatus.SUBMITTED
        analysis.save(update_fields=["status"])
