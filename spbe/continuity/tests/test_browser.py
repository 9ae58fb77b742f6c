"""Issue 11, "Done when", in a real headless Chromium (O-5, P-5): Diskominfo's
infrastructure administrator drafts a DRP for a kritis service (meeting the
rule that every step needs an owner) and the PJ Penyedia Layanan approves
it; a monitoring outage opens a complaint, the service administrator flags
it for DRP assessment, the infrastructure administrator walks the seven
steps; the public status page announces the disaster; normalisation stops
the RTO clock with the achieved RTO and RPO shown against the targets;
step 6 opens a revision of the DRP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from spbe.cmdb.models import Component
from spbe.conftest import PASSWORD
from spbe.continuity.models import Recovery, RecoveryPlan
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.desk.models import Ticket
from spbe.front.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401  (fixture)
from spbe.monitoring import outages
from spbe.monitoring.choices import CheckStatus
from spbe.monitoring.models import Check, HeartbeatPing

pytestmark = pytest.mark.browser


def local(value: datetime) -> str:
    """What a datetime-local input takes, in the Pemda's zone (WIB)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def sign_out(page) -> None:
    page.get_by_role("button", name="Keluar").click()


def test_drp_from_draft_to_recovery_and_revision(world, packs, live_server, browser, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    world.yogya.slug = "kota-yogyakarta"
    world.yogya.save(update_fields=["slug"])
    pj = pj_penyedia(world)
    service = kritis_service(world)
    server = Component.objects.get(name=f"vm-{service.code}")
    backup = Check.objects.create(
        pemda=world.yogya, pd=world.kominfo, component=server, name="Cadangan malam SIAK", kind="heartbeat",
        interval_seconds=86400, retries=1,
    )  # fmt: skip
    for hours in (27, 3):  # the backup job's last two pings
        HeartbeatPing.objects.create(check_ref=backup, at=timezone.now() - timedelta(hours=hours))
    web = Check.objects.create(
        pemda=world.yogya, pd=world.dukcapil, service=service, name="Beranda KTP-el", kind="http",
        target="http://127.0.0.1:9/", interval_seconds=60,
    )  # fmt: skip
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(10_000)

    # 1. Diskominfo's infrastructure administrator drafts the DRP
    sign_in(page, base, world.vendor.email, PASSWORD)
    page.goto(f"{base}/pemulihan/drp/baru/?pd={world.dukcapil.pk}&service={service.pk}")
    page.get_by_label("Judul DRP").fill("DRP Pencetakan KTP-el")
    page.get_by_label("RPO", exact=True).fill("1")
    page.get_by_label("Satuan RPO").select_option(label="hari")
    page.get_by_label("RTO", exact=True).fill("4")
    page.get_by_label("Satuan RTO").select_option(label="jam")
    page.get_by_label("Metode pencadangan").fill("pg_dump terenkripsi ke server cadangan PDD")
    page.get_by_label("Frekuensi pencadangan").fill("Harian 01.00")
    page.get_by_label("Pemeriksaan detak cadangan").select_option(label="Cadangan malam SIAK")
    page.get_by_label("Lokasi pemulihan", exact=True).select_option(label="Pusat Data Nasional (PDN)")
    page.get_by_label("Kondisi yang dinyatakan bencana").fill("Pusat data padam lebih dari 1 jam")
    page.get_by_label("Nama 1").fill("Yoga Vendor")
    page.get_by_label("Peran dalam pemulihan 1").fill("Koordinator teknis pemulihan")
    page.get_by_label("Telepon 1").fill("0811-2222-333")
    page.get_by_label("Langkah 1", exact=True).fill("Nyalakan server cadangan di PDN")
    page.get_by_label("Perkiraan durasi (menit) 1").fill("45")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("Setiap langkah harus punya penanggung jawab.")).to_be_visible()
    expect(page.get_by_label("Langkah 1", exact=True)).to_have_value("Nyalakan server cadangan di PDN")  # nothing lost
    assert not RecoveryPlan.objects.exists()
    page.get_by_label("Penanggung jawab 1").fill("Administrator Infrastruktur")
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("DRP disimpan sebagai draf.")).to_be_visible()
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Diajukan untuk persetujuan.")).to_be_visible()
    plan_url = page.url
    sign_out(page)

    # 2. the PJ Penyedia Layanan approves it
    sign_in(page, base, pj.email, PASSWORD)
    page.goto(plan_url)
    page.get_by_label("Catatan keputusan").fill("Sesuai rapat kesiapsiagaan.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Berlaku")
    expect(page.get_by_role("link", name="SIAK DUK-01")).to_be_visible()  # the scope came from the CMDB
    expect(page.get_by_role("link", name="vm-DUK-01")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "drp-approved.png"), full_page=True)
    sign_out(page)

    # 3. monitoring sees the service down: one complaint opens
    web_down_at = timezone.now()
    Check.objects.filter(pk=web.pk).update(status=CheckStatus.DOWN, last_error="Batas waktu 10 detik habis")
    outages.judge_service(service.pk, web_down_at)
    complaint = Ticket.objects.get(service=service)

    # 4. the service administrator hands it to the infrastructure administrator and flags it for DRP assessment
    sign_in(page, base, world.owner_admin.email, PASSWORD)
    page.goto(f"{base}/layanan-pengguna/{complaint.pk}/")
    hand_over = page.locator("details", has_text="Serahkan ke Administrator Infrastruktur")
    hand_over.locator("summary").click()
    hand_over.get_by_label("Administrator infrastruktur").select_option(label=str(world.vendor))
    hand_over.get_by_label("Alasan").fill("Di luar perkiraan: pusat data padam")
    hand_over.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Tersimpan di linimasa tiket.")).to_be_visible()
    flag = page.locator("details", has_text="Tandai: aktivasi DRP perlu dinilai (O-5)")
    flag.locator("summary").click()
    flag.get_by_label("Alasan").fill("Listrik pusat data padam, UPS habis")
    flag.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("aktivasi DRP perlu dinilai", exact=True)).to_be_visible()
    sign_out(page)

    # 5. the infrastructure administrator walks the seven steps
    sign_in(page, base, world.vendor.email, PASSWORD)
    page.goto(f"{base}/layanan-pengguna/{complaint.pk}/")
    page.get_by_role("link", name="Mulai penilaian aktivasi DRP").click()
    page.get_by_role("button", name="Mulai penilaian").click()
    expect(page.get_by_text("Penilaian aktivasi DRP dibuka.")).to_be_visible()

    def step(notes: str, **fields) -> None:
        page.get_by_label("Catatan").fill(notes)
        for label, value in fields.items():
            page.get_by_label(label).fill(value)
        page.get_by_role("button", name="Simpan langkah").click()

    step("Ruang server gelap, genset gagal menyala.")
    expect(page.get_by_text("Langkah 1 dicatat.")).to_be_visible()
    step("Server tidak dapat dinyalakan di PDD hari ini.")
    disruption = web_down_at - timedelta(minutes=20)
    page.get_by_label("Awal gangguan").fill(local(disruption + timedelta(days=1)))  # first a wrong one
    step("Pusat data padam lebih dari 1 jam.")
    expect(page.get_by_text("Awal gangguan tidak boleh setelah penetapan kondisi bencana.")).to_be_visible()
    page.get_by_label("Awal gangguan").fill(local(disruption))
    step("Pusat data padam lebih dari 1 jam.")
    expect(page.get_by_text("Langkah 3 dicatat.")).to_be_visible()
    expect(page.locator("#rto-clock")).to_contain_text("berjalan")
    linked = page.locator(".card", has_text="Aduan dan gangguan terkait")
    expect(linked).to_contain_text(complaint.number)
    expect(linked).to_contain_text("Gangguan Pencetakan KTP-el")
    page.screenshot(path=str(ARTIFACTS / "recovery-declared.png"), full_page=True)

    status = browser.new_page()
    status.goto(f"{base}/status/kota-yogyakarta/")
    expect(status.get_by_text("Pemulihan bencana sedang berlangsung")).to_be_visible()
    expect(status.get_by_text("Pencetakan KTP-el").first).to_be_visible()
    status.screenshot(path=str(ARTIFACTS / "status-disaster.png"), full_page=True)
    status.close()

    step("Server cadangan PDN dinyalakan, basis data dipulihkan dari cadangan 01.05.")
    step("Layanan berjalan dari PDN; uji fungsi berhasil.")
    expect(page.get_by_text("Langkah 5 dicatat.")).to_be_visible()
    recovery = Recovery.objects.get()
    assert recovery.rto_met and recovery.rpo_met
    achieved = page.locator(".card", has_text="RTO dan RPO tercapai")
    expect(achieved).to_contain_text("4 jam")  # the RTO target beside the figure achieved
    expect(achieved).to_contain_text("24 jam")  # the RPO target
    expect(achieved.get_by_text("terpenuhi")).to_have_count(2)
    expect(page.locator("#rto-clock")).not_to_contain_text("berjalan")
    page.screenshot(path=str(ARTIFACTS / "recovery-normalised.png"), full_page=True)

    page.get_by_label("Buka revisi DRP dari evaluasi ini").check()
    step("RTO tercapai. Genset belum pernah diuji beban: tambahkan uji genset bulanan.")
    expect(page.get_by_text("Langkah 6 dicatat.")).to_be_visible()
    page.get_by_role("link", name="DRP Pencetakan KTP-el (v2)").click()
    expect(page.locator("h1")).to_contain_text("versi 2")
    expect(page.get_by_role("link", name="versi 1")).to_be_visible()  # the old version stays readable
    page.screenshot(path=str(ARTIFACTS / "drp-revision.png"), full_page=True)
    assert RecoveryPlan.objects.get(revision=1).is_current  # in force until the revision is approved
