"""Shared fixtures: the personas every access test is written against
(Healthchecks style) — an owner PD, another PD of the same Pemda, another
Pemda, the Diskominfo coordinator, a system administrator, a citizen and
an anonymous visitor."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password

from spbe.org.choices import PDKind, PemdaKind, Role, TimeZone
from spbe.org.models import Pemda, PerangkatDaerah, RoleAssignment, User
from spbe.policy import calendars

PASSWORD = "Rahasia-uji-2026"
_HASH: list[str] = []


def password_hash() -> str:
    # Argon2 is slow on purpose; hash once per test session.
    if not _HASH:
        _HASH.append(make_password(PASSWORD))
    return _HASH[0]


def make_person(email: str, pemda: Pemda | None, *, nip: str | None = None, **extra) -> User:
    return User.objects.create(
        email=email, full_name=extra.pop("full_name", email.split("@")[0]), pemda=pemda, nip=nip,
        password=password_hash(), **extra,
    )  # fmt: skip


def give(user: User, role: Role, pd: PerangkatDaerah | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, pd=pd)


@dataclass
class World:
    yogya: Pemda
    tegal: Pemda
    kominfo: PerangkatDaerah  # Yogya's SPBE coordinator PD
    dukcapil: PerangkatDaerah  # the "owner" PD
    dinkes: PerangkatDaerah  # another PD of the same Pemda
    tegal_kominfo: PerangkatDaerah
    tegal_dukcapil: PerangkatDaerah
    coordinator: User  # Koordinator SPBE of Yogya
    owner_head: User  # Pimpinan PD of Dukcapil Yogya (civil servant)
    owner_admin: User  # Administrator Layanan of Dukcapil Yogya
    other_pd_admin: User  # Administrator Layanan of Dinkes Yogya
    tegal_coordinator: User
    tegal_admin: User  # Administrator Layanan of Dukcapil Tegal
    vendor: User  # Administrator Infrastruktur dan Aplikasi, a vendor's staff
    sysadmin: User
    citizen: User


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The personas, outside a fixture for module-scoped data sets (the
    authorization matrix, issue 14)."""
    yogya = Pemda.objects.create(name="Kota Yogyakarta", slug="yogya", kind=PemdaKind.KOTA, time_zone=TimeZone.WIB)
    tegal = Pemda.objects.create(name="Kabupaten Tegal", slug="tegal", kind=PemdaKind.KABUPATEN)
    pd = PerangkatDaerah.objects.create
    kominfo = pd(pemda=yogya, name="Diskominfosan", abbreviation="Kominfo", is_spbe_coordinator=True)
    dukcapil = pd(pemda=yogya, name="Disdukcapil Yogya", abbreviation="Dukcapil")
    dinkes = pd(pemda=yogya, name="Dinas Kesehatan Yogya", abbreviation="Dinkes")
    tegal_kominfo = pd(pemda=tegal, name="Dinkominfo Tegal", abbreviation="Kominfo", is_spbe_coordinator=True)
    tegal_dukcapil = pd(pemda=tegal, name="Disdukcapil Tegal", abbreviation="Dukcapil", kind=PDKind.DINAS)

    coordinator = make_person("koord@yogya.test", yogya, full_name="Rina Koordinator")
    give(coordinator, Role.KOORDINATOR_SPBE, kominfo)
    owner_head = make_person("kadis@yogya.test", yogya, nip="197803122005011003", full_name="Sri Kadis")
    give(owner_head, Role.PIMPINAN_PD, dukcapil)
    owner_admin = make_person("admin@yogya.test", yogya, full_name="Nur Admin")
    give(owner_admin, Role.ADMIN_LAYANAN, dukcapil)
    other_pd_admin = make_person("dinkes@yogya.test", yogya, full_name="Arif Dinkes")
    give(other_pd_admin, Role.ADMIN_LAYANAN, dinkes)
    tegal_coordinator = make_person("koord@tegal.test", tegal, full_name="Teguh Koordinator")
    give(tegal_coordinator, Role.KOORDINATOR_SPBE, tegal_kominfo)
    tegal_admin = make_person("admin@tegal.test", tegal, full_name="Slamet Admin")
    give(tegal_admin, Role.ADMIN_LAYANAN, tegal_dukcapil)
    vendor = make_person("vendor@vendor.test", yogya, organisation="PT Data Solusi", full_name="Yoga Vendor")
    give(vendor, Role.ADMIN_INFRA, kominfo)
    sysadmin = make_person("root@spbe.test", None, full_name="Admin Sistem")
    give(sysadmin, Role.ADMIN_SISTEM)
    citizen = make_person("warga@mail.test", yogya, full_name="Siti Warga")
    return World(
        yogya, tegal, kominfo, dukcapil, dinkes, tegal_kominfo, tegal_dukcapil,
        coordinator, owner_head, owner_admin, other_pd_admin, tegal_coordinator, tegal_admin,
        vendor, sysadmin, citizen,
    )  # fmt: skip


@pytest.fixture
def packs(world):
    """Both bundled policy packs loaded; Tegal and Yogyakarta point at theirs."""
    return load_packs(world)


def load_packs(world: World) -> dict:
    from spbe.policy.pack import bundled_packs
    from spbe.policy.versions import load_pack_file

    loaded = {v.slug: v for v in (load_pack_file(path)[0] for path in bundled_packs())}
    world.tegal.policy_version = loaded["kabupaten-tegal-perbup-10-2024"]
    world.tegal.save()
    world.yogya.policy_version = loaded["kota-yogyakarta-kepwal-110-2026"]
    world.yogya.save()
    return loaded


def pass_second_factor(client, user: User) -> None:
    """Finish the second step for a persona the policy holds back (issue 14):
    a confirmed authenticator app, verified in this session, as after typing
    its code. The step itself is tested in spbe/org/tests/test_second_factor.py."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from spbe.org import twofactor

    session = client.session
    if not session.get(twofactor.SESSION_KEY):
        return
    device = twofactor.app_device(user) or TOTPDevice.objects.create(user=user, name="uji", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    del session[twofactor.SESSION_KEY]
    session.save()


@pytest.fixture
def login(client):
    """Sign a persona in; the log-in form itself is tested in test_accounts."""

    def _login(user: User):
        client.force_login(user, backend="spbe.org.backends.AccountBackend")
        pass_second_factor(client, user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_calendars():
    """``spbe.policy.calendars`` keeps each Pemda's calendar keyed by (id,
    version, zone, revision); rolled-back tests reuse ids and revisions on
    SQLite, so one test's regional holiday could leak into the next."""
    calendars._cache.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a screenshot of every open browser page when a browser test
    fails, in test-artifacts/, to see what the user saw."""
    outcome = yield
    report = outcome.get_result()
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and browser is not None:
        from pathlib import Path

        folder = Path(__file__).resolve().parent.parent / "test-artifacts"
        folder.mkdir(exist_ok=True)
        for index, context in enumerate(browser.contexts):
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(folder / f"FAILED-{item.name}-{index}-{number}.png"), full_page=True)
