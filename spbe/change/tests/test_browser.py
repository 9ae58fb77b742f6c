"""Issue 12, "Done when", in a real headless Chromium (P-9, O-6): a citizen's
request asks for a new online service; the Administrator Layanan drafts a
transition plan from it and the Pimpinan PD sets it; Diskominfo's
infrastructure administrator drafts the release plan and the PJ Penyedia
Layanan approves it. The release window silences the service's HTTP check
against the real demo target (no complaint even with the target stopped in
the window); after it the check stays green for the verification period, so
the release succeeds: the CMDB has the new version, the status page
announces it, the provider is told. A second release fails its verification
(the demo target stopped after its window) and its rollback is recorded.
The checks run through the Celery tasks beat calls (eagerly here)."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from spbe.approvals import actions as approvals
from spbe.celery import app as celery_app
from spbe.change import actions
from spbe.change import tasks as change_tasks
from spbe.change.choices import ReleaseStage
from spbe.change.models import ChangePlan, Release
from spbe.cmdb.models import Application
from spbe.conftest import PASSWORD
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.desk import actions as desk
from spbe.desk.choices import ReportingMethod, TicketKind
from spbe.desk.models import Ticket
from spbe.front.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401  (fixture)
from spbe.monitoring import demo_target
from spbe.monitoring import tasks as monitoring_tasks
from spbe.monitoring.choices import CheckStatus
from spbe.monitoring.models import Check
from spbe.monitoring.tests.servers import free_port
from spbe.notify.models import OutboxMessage

pytestmark = pytest.mark.browser

MINUTE = timedelta(minutes=1)


@pytest.fixture
def target_process(settings, tmp_path):
    """The demo target of `make run`, a real process on a free port."""
    settings.VAR_DIR = tmp_path
    settings.MONITORING_DEMO_TARGET_PORT = free_port()
    demo_target.start()
    yield settings.MONITORING_DEMO_TARGET_PORT
    demo_target.stop()


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def local(value: datetime) -> str:
    """What a datetime-local input takes, in the Pemda's zone (WIB)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def sign_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()


def stop_target(port: int) -> None:
    """Stop the demo target and wait until its port refuses connections."""
    demo_target.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError("the demo target did not stop")


def dispatch_checks() -> None:
    """What beat calls every second. The probes run in ``asyncio.run()``,
    which Playwright's event loop (running in this thread) forbids: a worker
    thread runs it, with its own database connection, closed after."""

    def run() -> None:
        try:
            monitoring_tasks.dispatch_checks()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def public_page(browser, url: str):  # noqa: F811
    """The status page as a visitor sees it, in a fresh context: the page is
    sent with max-age=30 and the browser's clock is not the moved one, so a
    page kept in the browser's cache would be the one from before the move."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(url)
    return page


def minutes_of_monitoring(time_machine, release: Release, count: int) -> str:
    """``count`` minutes of checks and of the periodic verification, one
    minute at a time; stops early once the release is decided."""
    for _minute in range(count):
        time_machine.shift(MINUTE)
        dispatch_checks()
        change_tasks.verify_releases()
        release.refresh_from_db()
        if release.stage in (ReleaseStage.SUCCEEDED, ReleaseStage.FAILED):
            break
    return release.stage


def complaints() -> int:
    return Ticket.objects.filter(kind=TicketKind.COMPLAINT).count()


def test_a_request_becomes_a_change_and_releases_verified_by_monitoring(world, packs, live_server, browser,  # noqa: F811
                                                                        target_process, eager_celery, settings,
                                                                        tmp_path, time_machine):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    time_machine.move_to(timezone.now(), tick=True)
    pj = pj_penyedia(world)
    service = kritis_service(world)
    application = Application.objects.get(name="SIAK DUK-01")
    Application.objects.filter(pk=application.pk).update(version="1.4")
    check = Check.objects.create(
        pemda=world.yogya, pd=world.dukcapil, service=service, name="Beranda KTP-el", kind="http",
        target=f"http://127.0.0.1:{target_process}/ktp-el/", keyword="berjalan", interval_seconds=60,
        timeout_seconds=5, retries=2,
    )  # fmt: skip
    dispatch_checks()  # schedules the new check within its interval
    time_machine.shift(MINUTE)
    dispatch_checks()
    check.refresh_from_db()
    assert check.status == CheckStatus.UP

    # 1. a citizen asks, through the portal, for the service online (O-1)
    request = desk.open_ticket(
        actor=world.citizen, service=service, kind=TicketKind.REQUEST,
        reporter=desk.Reporter(world.citizen.full_name, world.citizen.email, user=world.citizen),
        subject="Cetak KTP-el daring", description="Mohon KTP-el bisa diajukan dan dicetak lewat daring, "
        "tanpa antre di loket.", reporting_method=ReportingMethod.PORTAL,
    )  # fmt: skip

    base = live_server.url
    status_url = f"{base}/status/{world.yogya.slug}/"
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(10_000)

    # 2. the Administrator Layanan drafts the transition plan from the request (P-9) ...
    sign_in(page, base, world.owner_admin.email, PASSWORD)
    page.goto(f"{base}/perubahan/baru/?permintaan={request.pk}")
    expect(page.get_by_label("Judul perubahan")).to_have_value("Cetak KTP-el daring")  # the form starts from it
    expect(page.get_by_label("Asal perubahan")).to_have_value("user_request")
    expect(page.get_by_label("Permintaan layanan asal")).to_have_value(str(request.pk))
    expect(page.get_by_label("Alasan perubahan")).to_have_value(request.description)
    now = timezone.now()
    page.get_by_label("Jenis perubahan").select_option(label="Penambahan layanan")
    page.get_by_label("Layanan terdampak").select_option(label=str(service))
    page.get_by_label("Aplikasi terdampak").select_option(label="SIAK DUK-01")
    page.get_by_label("Reviu perubahan teknologi").fill("Modul permohonan daring di SIAK, tanda tangan elektronik")
    page.get_by_label("Reviu perubahan proses").fill("Verifikasi berkas daring sebelum cetak")
    page.get_by_label("Reviu perubahan kebijakan").fill("SOP pencetakan KTP-el diperbarui")
    page.get_by_label("Dampak terhadap proses bisnis").fill("Antrean loket berkurang")
    page.get_by_label("Dampak terhadap kepuasan pengguna").fill("Warga tidak perlu datang dua kali")
    page.get_by_label("Pengendalian kualitas").fill("Uji penerimaan pengguna di dua kecamatan")
    page.get_by_label("Ukuran keberhasilan").fill("80 % permohonan daring selesai dalam 1 hari kerja")
    page.get_by_label("Rencana mulai").fill(local(now + timedelta(hours=1)))
    page.get_by_label("Rencana selesai").fill(local(now + timedelta(days=7)))
    page.get_by_label("Informasi kepada pengguna").fill("KTP-el kini dapat diajukan daring di portal Pemda.")
    page.get_by_label("Risiko 1", exact=True).fill("Data kependudukan tidak sinkron setelah pembaruan")
    page.get_by_label("Kemungkinan 1", exact=True).select_option("2")
    page.get_by_label("Dampak 1", exact=True).select_option("4")
    page.get_by_label("Penanganan 1", exact=True).fill("Snapshot basis data dan uji sinkronisasi sebelum rilis")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("Rencana perubahan disimpan sebagai draf.")).to_be_visible()
    plan = ChangePlan.objects.get()
    assert (plan.request, plan.origin, plan.kind) == (request, "user_request", "addition")
    expect(page.get_by_role("link", name=request.number)).to_be_visible()  # linked to the O-1 ticket
    expect(page.get_by_text("2 × 4 = 8")).to_be_visible()
    expect(page.get_by_role("link", name="vm-DUK-01")).to_be_visible()  # the impact analysis from the CMDB
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Diajukan untuk persetujuan.")).to_be_visible()
    plan_url = page.url
    sign_out(page)

    # ... and the Pimpinan PD sets it
    sign_in(page, base, world.owner_head.email, PASSWORD)
    page.goto(plan_url)
    page.get_by_label("Catatan keputusan").fill("Ditetapkan; rilis setelah uji kecamatan.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Susun rencana rilis")).to_have_count(0)  # releases are the infra team's
    page.screenshot(path=str(ARTIFACTS / "change-plan-approved.png"), full_page=True)
    sign_out(page)

    # 3. the infrastructure administrator drafts the release plan from the approved plan (O-6) ...
    sign_in(page, base, world.vendor.email, PASSWORD)
    page.goto(plan_url)
    page.get_by_role("link", name="Susun rencana rilis").click()
    expect(page.get_by_label("Judul rilis")).to_have_value("Cetak KTP-el daring")
    expect(page.get_by_label("Dasar rilis")).to_have_value("change")
    expect(page.get_by_label("Rencana perubahan", exact=True)).to_have_value(str(plan.pk))
    expect(page.get_by_label("Pengumuman kepada pengguna")).to_have_value(
        "KTP-el kini dapat diajukan daring di portal Pemda."
    )
    now = timezone.now()
    window_start = (now + timedelta(minutes=20)).replace(second=0, microsecond=0)
    window_end = window_start + timedelta(minutes=30)
    page.get_by_label("Aplikasi", exact=True).select_option(label="SIAK DUK-01")
    page.get_by_label("Versi baru").fill("2.0")
    page.get_by_label("Yang dirilis").fill("Modul permohonan KTP-el daring")
    page.get_by_label("Langkah rilis").fill("1. Snapshot VM\n2. Pasang SIAK 2.0\n3. Migrasi basis data")
    page.get_by_label("Rencana pengembalian (rollback)").fill("Pulihkan snapshot VM, pasang SIAK 1.4")
    page.get_by_label("Rencana pengujian").fill("Ajukan 3 permohonan uji dan cetak KTP-el-nya")
    page.get_by_label("Jendela rilis mulai").fill(local(window_start))
    page.get_by_label("Jendela rilis selesai").fill(local(window_end))
    page.get_by_label("Lama verifikasi (menit)").fill("15")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Rencana rilis disimpan sebagai draf.")).to_be_visible()
    expect(page.get_by_role("link", name="Beranda KTP-el")).to_be_visible()  # the check that will verify it
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Diajukan untuk persetujuan.")).to_be_visible()
    release = Release.objects.get()
    assert (release.change_plan, release.version, release.window_start) == (plan, "2.0", window_start)
    release_url = page.url
    sign_out(page)

    # ... and the PJ Penyedia Layanan approves it: the window becomes maintenance
    sign_in(page, base, pj.email, PASSWORD)
    page.goto(release_url)
    page.get_by_label("Catatan keputusan").fill("Disetujui, jendela Sabtu malam.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.", exact=True)).to_be_visible()
    expect(page.get_by_text("diumumkan sebagai pemeliharaan")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "release-approved.png"), full_page=True)
    sign_out(page)

    # 4. inside the window the check is silenced: no complaint even with the target stopped
    time_machine.move_to(window_start + MINUTE, tick=True)
    dispatch_checks()
    check.refresh_from_db()
    assert check.status == CheckStatus.MAINTENANCE
    stop_target(target_process)
    for _interval in range(3):  # retries = 2: outside a window this would open a complaint
        time_machine.shift(MINUTE)
        dispatch_checks()
    check.refresh_from_db()
    assert check.status == CheckStatus.MAINTENANCE and complaints() == 0
    status = public_page(browser, status_url)
    window = status.get_by_role("region", name="Pemeliharaan terjadwal").locator(".card", has_text=release.announcement)
    expect(window).to_contain_text("Sedang berlangsung")
    expect(window).to_contain_text(f"Layanan terdampak: {service.name}")
    expect(status.locator("li", has_text=service.name).get_by_text("Dalam pemeliharaan")).to_be_visible()
    status.screenshot(path=str(ARTIFACTS / "status-release-window.png"), full_page=True)
    status.close()
    demo_target.start()  # the new version is up before the window ends

    # after the window the check stays green for the verification period: the release succeeds
    time_machine.move_to(window_end + timedelta(seconds=5), tick=True)
    assert minutes_of_monitoring(time_machine, release, 20) == ReleaseStage.SUCCEEDED
    assert complaints() == 0
    sign_in(page, base, world.vendor.email, PASSWORD)
    page.goto(release_url)
    expect(page.locator("h1")).to_contain_text("Berhasil")
    expect(page.get_by_text("Rilis berhasil. Semua 1 pemeriksaan hijau selama 15 menit")).to_be_visible()
    expect(page.get_by_text("(sebelumnya 1.4)")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "release-succeeded.png"), full_page=True)
    sign_out(page)

    sign_in(page, base, world.owner_admin.email, PASSWORD)  # the application is Disdukcapil's in the CMDB
    page.goto(f"{base}/cmdb/aplikasi/{application.pk}/")
    version = page.locator("dt", has_text="Versi").locator("xpath=following-sibling::dd[1]")
    expect(version).to_have_text("2.0")
    page.screenshot(path=str(ARTIFACTS / "cmdb-version.png"), full_page=True)
    sign_out(page)

    status = public_page(browser, status_url)
    news = status.get_by_role("region", name="Pembaruan layanan")
    expect(news).to_contain_text("Cetak KTP-el daring 2.0")
    expect(news).to_contain_text("KTP-el kini dapat diajukan daring di portal Pemda.")
    status.screenshot(path=str(ARTIFACTS / "status-release-announced.png"), full_page=True)
    status.close()
    told = [m for m in OutboxMessage.objects.all() if pj.email in m.to]
    assert [m.subject for m in told] == ["[Rilis] Cetak KTP-el daring 2.0: Berhasil"]
    assert release_url.removeprefix(base) in told[0].body

    # 5. a second release: the demo target stopped after its window fails the verification
    now = timezone.now()
    second = actions.save_release(world.vendor, Release(
        pd=world.dukcapil, title="Perbaikan SIAK", basis="initiative", application=application, version="2.1",
        description="Perbaikan cetak ulang", steps="Pasang SIAK 2.1", rollback_plan="Pasang SIAK 2.0 lagi",
        test_plan="Cetak ulang 2 KTP-el uji", window_start=now + timedelta(minutes=10),
        window_end=now + timedelta(minutes=25), verification_minutes=10,
        announcement="Layanan KTP-el berhenti 15 menit untuk perbaikan SIAK.",
    ), [service])  # fmt: skip
    approvals.submit(world.vendor, second)
    approvals.approve(pj, second)
    second.refresh_from_db()
    time_machine.move_to(second.window_start + MINUTE, tick=True)
    dispatch_checks()
    time_machine.move_to(second.window_end + timedelta(seconds=5), tick=True)
    stop_target(target_process)
    assert minutes_of_monitoring(time_machine, second, 12) == ReleaseStage.FAILED
    application.refresh_from_db()
    assert application.version == "2.0"  # a failed release leaves the CMDB alone
    assert any(
        pj.email in m.to and m.subject.endswith("Gagal, perlu dikembalikan") for m in OutboxMessage.objects.all()
    )

    # the infrastructure administrator records the rollback on the release's page
    sign_in(page, base, world.vendor.email, PASSWORD)
    page.goto(f"{base}{second.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text("Gagal, perlu dikembalikan")
    expect(page.get_by_text("Rilis gagal. Pemeriksaan Beranda KTP-el gagal pada")).to_be_visible()
    rollback = page.locator("details", has_text="Catat pengembalian (rollback)")
    rollback.locator("summary").click()
    rollback.get_by_label("Apa yang dikembalikan dan hasilnya").fill("SIAK 2.0 dipasang kembali dari snapshot VM")
    rollback.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Tersimpan di linimasa rilis.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Gagal, dikembalikan")
    expect(page.get_by_text("SIAK 2.0 dipasang kembali dari snapshot VM").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "release-rolled-back.png"), full_page=True)
    second.refresh_from_db()
    assert second.stage == ReleaseStage.ROLLED_BACK
