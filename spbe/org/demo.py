"""Demo data of two real-looking Pemda (issue 2, item 8). Later issues add
their objects here. Names of agencies are the real ones; people are invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from spbe.catalog.demo import load_catalog_demo
from spbe.change.demo import load_change_demo, load_project_demo
from spbe.chat.demo import load_chat_demo
from spbe.continuity.demo import load_continuity_demo
from spbe.desk.demo import load_desk_demo
from spbe.evaluation.demo import load_evaluation_demo
from spbe.knowledge.demo import load_knowledge_demo
from spbe.lapor.demo import load_lapor_demo
from spbe.mail.demo import load_mail_demo
from spbe.monitoring.demo import load_monitoring_demo
from spbe.org.choices import PDKind, PemdaKind, Role, TimeZone
from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User
from spbe.policy.models import HolidayAction, HolidayChange, SpecialPeriod
from spbe.policy.pack import bundled_packs
from spbe.policy.versions import load_pack_file
from spbe.sla.calendars import RAMADAN_DATES

DEMO_PASSWORD = "SPBE-demo-2026"

PEMDA = [
    {
        "name": "Kota Yogyakarta",
        "slug": "kota-yogyakarta",
        "kind": PemdaKind.KOTA,
        "domain": "jogjakota.demo",
        "pack": "kota-yogyakarta-kepwal-110-2026",
        "regional_holiday": ((10, 7), "Hari Ulang Tahun Kota Yogyakarta"),
        "pds": [
            ("Dinas Komunikasi, Informatika dan Persandian", "Diskominfosan", PDKind.DINAS),
            ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", PDKind.DINAS),
            ("Dinas Kesehatan", "Dinkes", PDKind.DINAS),
            ("Dinas Pendidikan, Pemuda dan Olahraga", "Disdikpora", PDKind.DINAS),
            ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", PDKind.DINAS),
            ("Dinas Perhubungan", "Dishub", PDKind.DINAS),
            ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", PDKind.BADAN),
            ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", PDKind.BADAN),
            ("Badan Perencanaan Pembangunan Daerah", "Bappeda", PDKind.BADAN),
            ("Sekretariat Daerah", "Setda", PDKind.SEKRETARIAT),
            ("Rumah Sakit Umum Daerah Kota Yogyakarta", "RSUD Jogja", PDKind.RSUD),
            ("Kemantren Gondokusuman", "Kem. Gondokusuman", PDKind.KECAMATAN),
        ],
        "people": [
            # (name, e-mail local part, PD abbreviation, roles, organisation, civil servant)
            (
                "Rina Kusumawardani, S.Kom., M.T.",
                "kominfo",
                "Diskominfosan",
                [Role.KOORDINATOR_SPBE, Role.ADMIN_LAYANAN],
                "",
                True,
            ),
            ("Drs. Agus Sriyanto, M.Si.", "kadis.kominfo", "Diskominfosan", [Role.PIMPINAN_PD], "", True),
            ("Bayu Pamungkas, S.T.", "aptika", "Diskominfosan", [Role.PJ_INFRA], "", True),
            ("Dimas Prasetyo", "infra", "Diskominfosan", [Role.ADMIN_INFRA], "", False),
            ("Yoga Adi Nugroho", "vendor", "Diskominfosan", [Role.ADMIN_INFRA], "PT Jogja Data Solusi", False),
            ("Dra. Sri Handayani, M.M.", "kadis.dukcapil", "Disdukcapil", [Role.PIMPINAN_PD], "", True),
            ("Hendra Wijaya, S.Kom.", "kabid.dukcapil", "Disdukcapil", [Role.PJ_PENYEDIA], "", True),
            ("Nur Aini Rahmawati, A.Md.", "admin.dukcapil", "Disdukcapil", [Role.ADMIN_LAYANAN], "", False),
            ("dr. Bambang Setiawan, M.Kes.", "kadis.dinkes", "Dinkes", [Role.PIMPINAN_PD], "", True),
            ("Fitri Lestari, S.KM.", "kabid.dinkes", "Dinkes", [Role.PJ_PENYEDIA], "", True),
            ("Arif Hidayat", "admin.dinkes", "Dinkes", [Role.ADMIN_LAYANAN], "", False),
            ("Wahyu Santoso, S.H.", "admin.dpmptsp", "DPMPTSP", [Role.ADMIN_LAYANAN], "", False),
            ("Ir. Rudy Hartono, M.T.", "kabid.dpmptsp", "DPMPTSP", [Role.PJ_PENYEDIA], "", True),
            ("Endah Puspitasari, S.E., M.Ak.", "kabid.bpkad", "BPKAD", [Role.PJ_PENYEDIA], "", True),
            ("Galih Saputra, A.Md.", "admin.bpkad", "BPKAD", [Role.ADMIN_LAYANAN], "", False),
            ("Dra. Retno Widyastuti", "kabid.bkpsdm", "BKPSDM", [Role.PJ_PENYEDIA], "", True),
            ("Anisa Rahma", "admin.bkpsdm", "BKPSDM", [Role.ADMIN_LAYANAN], "", False),
            ("Sigit Nugroho, S.Kom., M.Cs.", "kabid.layanan", "Diskominfosan", [Role.PJ_PENYEDIA], "", True),
            ("Siti Marlina", "warga", None, [], "", False),
        ],
    },
    {
        "name": "Kabupaten Tegal",
        "slug": "kabupaten-tegal",
        "kind": PemdaKind.KABUPATEN,
        "domain": "tegalkab.demo",
        "pack": "kabupaten-tegal-perbup-10-2024",
        "regional_holiday": ((5, 18), "Hari Jadi Kabupaten Tegal"),
        "pds": [
            ("Dinas Komunikasi dan Informatika", "Dinkominfo", PDKind.DINAS),
            ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", PDKind.DINAS),
            ("Dinas Kesehatan", "Dinkes", PDKind.DINAS),
            ("Dinas Pendidikan dan Kebudayaan", "Disdikbud", PDKind.DINAS),
            ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", PDKind.DINAS),
            ("Dinas Perhubungan", "Dishub", PDKind.DINAS),
            ("Badan Keuangan Daerah", "BKD", PDKind.BADAN),
            ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", PDKind.BADAN),
            ("Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan", "Bappelitbangda", PDKind.BADAN),
            ("Sekretariat Daerah", "Setda", PDKind.SEKRETARIAT),
            ("Rumah Sakit Umum Daerah dr. Soeselo Slawi", "RSUD dr. Soeselo", PDKind.RSUD),
            ("Kecamatan Slawi", "Kec. Slawi", PDKind.KECAMATAN),
        ],
        "people": [
            ("Teguh Prasetya, S.Kom.", "kominfo", "Dinkominfo", [Role.KOORDINATOR_SPBE, Role.ADMIN_LAYANAN], "", True),
            ("Ir. Mochamad Faried, M.M.", "kadis.kominfo", "Dinkominfo", [Role.PIMPINAN_PD], "", True),
            ("Eko Budi Raharjo, S.T.", "aptika", "Dinkominfo", [Role.PJ_INFRA], "", True),
            ("Rizki Maulana", "infra", "Dinkominfo", [Role.ADMIN_INFRA], "", False),
            ("Drs. Suharno, M.Si.", "kadis.dukcapil", "Disdukcapil", [Role.PIMPINAN_PD], "", True),
            ("Ayu Wulandari, S.E.", "kabid.dukcapil", "Disdukcapil", [Role.PJ_PENYEDIA], "", True),
            ("Slamet Riyadi", "admin.dukcapil", "Disdukcapil", [Role.ADMIN_LAYANAN], "", False),
            ("Khoirul Anam, S.Kom.", "admin.dpmptsp", "DPMPTSP", [Role.ADMIN_LAYANAN], "", False),
            ("Dwi Haryanto, S.T.", "kabid.dpmptsp", "DPMPTSP", [Role.PJ_PENYEDIA], "", True),
            ("Sri Mulyani, S.E.", "kabid.bkd", "BKD", [Role.PJ_PENYEDIA], "", True),
            ("Agus Salim", "admin.bkd", "BKD", [Role.ADMIN_LAYANAN], "", False),
            ("Nurul Hidayah, S.Psi.", "kabid.bkpsdm", "BKPSDM", [Role.PJ_PENYEDIA], "", True),
            ("Bagus Prakoso", "admin.bkpsdm", "BKPSDM", [Role.ADMIN_LAYANAN], "", False),
            ("Hadi Susanto, S.Kom.", "kabid.layanan", "Dinkominfo", [Role.PJ_PENYEDIA], "", True),
            ("Tri Wahyuni", "warga", None, [], "", False),
        ],
    },
]

SYSTEM_ADMIN_EMAIL = "admin@layanan-spbe.demo"


@dataclass
class DemoLogin:
    email: str
    who: str


def _nip(index: int) -> str:
    """A well-formed, invented NIP: birth date, TMT, gender, sequence."""
    year, month, day = 1970 + index % 20, 1 + index % 12, 1 + index % 27
    tmt_year, tmt_month = 1995 + index % 20, 1 + (index * 5) % 12
    return f"{year:04d}{month:02d}{day:02d}{tmt_year:04d}{tmt_month:02d}{1 + index % 2}{index + 1:03d}"


def demo_exists() -> bool:
    return Pemda.objects.filter(slug="kota-yogyakarta").exists()


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo Pemda, PDs, people and roles. Idempotent: does nothing
    if the demo is already there."""
    if demo_exists():
        return demo_logins()
    password_hash = make_password(DEMO_PASSWORD)  # Argon2 once, not per person
    User.objects.create(
        email=SYSTEM_ADMIN_EMAIL,
        full_name="Administrator Sistem",
        password=password_hash,
        is_staff=True,
        is_superuser=True,
    )
    admin = User.objects.get(email=SYSTEM_ADMIN_EMAIL)
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN_SISTEM)
    versions = {version.slug: version for version in (load_pack_file(path)[0] for path in bundled_packs())}
    nip_index = 0
    for spec in PEMDA:
        pemda = Pemda.objects.create(
            name=spec["name"],
            slug=spec["slug"],
            kind=spec["kind"],
            time_zone=TimeZone.WIB,
            policy_version=versions[spec["pack"]],
        )
        _demo_calendar(pemda, spec["regional_holiday"], admin)
        pds = {}
        for position, (name, abbreviation, kind) in enumerate(spec["pds"]):
            pds[abbreviation] = PerangkatDaerah.objects.create(
                pemda=pemda,
                name=name,
                abbreviation=abbreviation,
                kind=kind,
                is_spbe_coordinator=position == 0,
                email=f"{abbreviation.lower().replace(' ', '').replace('.', '')}@{spec['domain']}",
            )
        for name, local, pd_abbreviation, roles, organisation, civil_servant in spec["people"]:
            nip_index += 1
            person = User.objects.create(
                email=f"{local}@{spec['domain']}",
                full_name=name,
                password=password_hash,
                pemda=pemda,
                nip=_nip(nip_index) if civil_servant else None,
                organisation=organisation,
                phone=f"08{nip_index:02d}{(nip_index * 7919) % 10**8:08d}",
            )
            for role in roles:
                RoleAssignment.objects.create(user=person, role=role, pd=pds[pd_abbreviation], assigned_by=admin)
    for pemda in Pemda.objects.all():
        load_catalog_demo(pemda)
        load_desk_demo(pemda)
        load_monitoring_demo(pemda)
        load_continuity_demo(pemda)
        load_change_demo(pemda)
        load_project_demo(pemda)
        load_evaluation_demo(pemda)
        # the channels come last: the evaluation demo's frozen figures stay as they were
        load_knowledge_demo(pemda)
        load_mail_demo(pemda)
        load_chat_demo(pemda)
        load_lapor_demo(pemda)
    return demo_logins()


def _demo_calendar(pemda: Pemda, regional: tuple[tuple[int, int], str], admin: User) -> None:
    """Ramadan periods (documented defaults) and the Pemda's own anniversary
    as a regional holiday, for the years the demo tickets span."""
    for year, (first, last) in RAMADAN_DATES.items():
        SpecialPeriod.objects.create(
            pemda=pemda, name=f"Ramadan {year}", date_from=first, date_to=last, created_by=admin,
            note="Perkiraan awal; sesuaikan dengan penetapan Kementerian Agama.",
        )  # fmt: skip
    (month, day), name = regional
    for year in (2025, 2026, 2027):
        HolidayChange.objects.create(
            pemda=pemda, date=date(year, month, day), action=HolidayAction.ADD, name=name,
            reason="Hari libur daerah (contoh data demo).", created_by=admin,
        )  # fmt: skip


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(SYSTEM_ADMIN_EMAIL, "Administrator Sistem (semua Pemda)"),
        DemoLogin("kominfo@jogjakota.demo", "Koordinator SPBE, Diskominfosan Kota Yogyakarta"),
        DemoLogin("kadis.dukcapil@jogjakota.demo", "Pimpinan PD, Disdukcapil Kota Yogyakarta"),
        DemoLogin("admin.dukcapil@jogjakota.demo", "Administrator Layanan, Disdukcapil Kota Yogyakarta"),
        DemoLogin("kabid.dukcapil@jogjakota.demo", "PJ Penyedia Layanan, Disdukcapil (menyetujui layanan)"),
        DemoLogin("vendor@jogjakota.demo", "Administrator Infrastruktur (vendor), Kota Yogyakarta"),
        DemoLogin("warga@jogjakota.demo", "Pengguna Layanan (warga)"),
        DemoLogin("kominfo@tegalkab.demo", "Koordinator SPBE, Dinkominfo Kabupaten Tegal"),
    ]
