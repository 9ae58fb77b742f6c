"""Issue 4 end to end in a real headless Chromium: an Administrator Layanan
declares a critical public service with its application and server, meets
the rule that stops activation without RPO/RTO and an approved DRP, fixes
it, submits; the
PJ Penyedia Layanan approves; the service appears on the public catalog."""

import pytest
from playwright.sync_api import expect

from spbe.catalog.models import Service
from spbe.conftest import PASSWORD, give, make_person
from spbe.continuity.tests.factories import approved_plan
from spbe.front.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401  (fixture)
from spbe.org.choices import Role

pytestmark = pytest.mark.browser


def test_declare_a_critical_service_and_get_it_approved(world, packs, live_server, browser, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    pj = make_person("kabid@yogya.test", world.yogya, nip="198001012006041002", full_name="Hendra Kabid")
    give(pj, Role.PJ_PENYEDIA, world.dukcapil)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in(page, base, "admin@yogya.test", PASSWORD)

    # the server and the application it runs
    page.goto(f"{base}/cmdb/komponen/baru/")
    page.get_by_label("PD pengelola").select_option(label="Disdukcapil Yogya (Dukcapil)")
    page.get_by_label("Nama", exact=True).fill("vm-siak-01")
    page.get_by_label("Jenis").select_option(label="Mesin virtual")
    page.get_by_role("button", name="Simpan").click()
    page.goto(f"{base}/cmdb/aplikasi/baru/")
    page.get_by_label("PD pemilik").select_option(label="Disdukcapil Yogya (Dukcapil)")
    page.get_by_label("Nama aplikasi").fill("SIAK")
    page.get_by_label("Hosting").select_option(label="Pusat Data Daerah")
    page.get_by_role("button", name="Simpan").click()
    page.get_by_label("Komponen").select_option(label="vm-siak-01 (Mesin virtual)")
    page.get_by_role("button", name="Tambahkan").click()
    expect(page.get_by_role("link", name="vm-siak-01")).to_be_visible()
    app_url = page.url

    # the critical public service, first without RPO/RTO/DRP
    page.goto(f"{base}/katalog/baru/")
    page.get_by_label("Penyedia layanan").select_option(label="Disdukcapil Yogya (Dukcapil)")
    page.get_by_label("Kode layanan").fill("DUK-01")
    page.get_by_label("Nama layanan").fill("Pencetakan KTP-el")
    page.get_by_label("Deskripsi layanan").fill("Perekaman dan pencetakan KTP elektronik.")
    page.get_by_label("Kelompok layanan").select_option(label="Layanan Publik")
    page.get_by_label("Klasifikasi").select_option(label="Kritis")
    page.get_by_label("Cara akses layanan").fill("Loket Disdukcapil, Balai Kota Timoho")
    page.get_by_label("Kontak bantuan").fill("0274 512345")
    page.get_by_label("Target ketersediaan (%)").fill("99.5")
    page.get_by_label("Target pelayanan pengguna sendiri (jam)").fill("24")
    page.get_by_label("Alasan target sendiri").fill("Ditetapkan Pimpinan PD")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Layanan Pencetakan KTP-el disimpan sebagai draf.")).to_be_visible()
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Layanan kritis wajib memiliki RPO, RTO, dan DRP sebelum diaktifkan.")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "service-rule.png"), full_page=True)

    page.get_by_role("link", name="Ubah").click()
    page.get_by_label("RPO", exact=True).fill("1")
    page.get_by_label("Satuan RPO").select_option(label="hari")
    page.get_by_label("RTO", exact=True).fill("4")
    page.get_by_label("Satuan RTO").select_option(label="jam")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("wajib untuk layanan kritis")).to_be_visible()
    # the DRP is drafted by Diskominfo and approved by the PJ (walked in spbe/continuity/tests/test_browser.py)
    approved_plan(world, Service.objects.get(code="DUK-01"), pj)
    page.get_by_role("button", name="Ajukan untuk persetujuan").click()
    expect(page.get_by_text("Diajukan untuk persetujuan.")).to_be_visible()
    service_url = page.url

    page.goto(app_url)  # the service uses the application
    page.get_by_label("Layanan", exact=True).select_option(label="Pencetakan KTP-el (Dukcapil)")
    page.get_by_role("button", name="Hubungkan").click()
    expect(page.get_by_role("link", name="Pencetakan KTP-el")).to_be_visible()
    page.get_by_role("button", name="Keluar").click()

    # the PJ Penyedia Layanan approves from the inbox
    sign_in(page, base, "kabid@yogya.test", PASSWORD)
    page.get_by_role("link", name="Persetujuan", exact=True).click()
    page.get_by_role("link", name="Pencetakan KTP-el").click()
    assert page.url == service_url
    page.get_by_label("Catatan keputusan").fill("Sesuai rapat koordinasi.")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Disetujui.", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Aktif")
    page.screenshot(path=str(ARTIFACTS / "service-approved.png"), full_page=True)

    # anyone finds it on the public catalog
    public = browser.new_page()
    public.goto(f"{base}/publik/yogya/katalog/")
    expect(public.get_by_role("heading", name="Pencetakan KTP-el")).to_be_visible()
    expect(public.get_by_text("< 24 jam")).to_be_visible()
