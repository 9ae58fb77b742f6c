"""The portal on a phone in a real headless Chromium: a citizen without an
account reports a disruption from the public catalog, verifies the e-mail,
and follows the ticket."""

import re

import pytest
from playwright.sync_api import expect

from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.front.tests.test_browser import ARTIFACTS, browser  # noqa: F401  (fixture)
from spbe.notify.models import OutboxMessage

pytestmark = pytest.mark.browser


def test_citizen_reports_from_a_phone(world, kritis_public, live_server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/publik/tegal/katalog/")
    page.get_by_role("link", name="Lapor / ajukan").first.click()
    page.get_by_label("Ada gangguan (aduan)").check()
    page.get_by_label("Ya, sama sekali tidak bisa").check()
    page.get_by_label("Judul singkat").fill("Tidak bisa masuk")
    page.get_by_label("Ceritakan yang terjadi").fill("Sejak pagi muncul galat.")
    page.get_by_label("Nama Anda").fill("Siti Warga")
    page.get_by_label("E-mail").fill("siti@mail.test")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("heading", name="Satu langkah lagi: periksa e-mail Anda")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    body = OutboxMessage.objects.get(key__startswith="portal-verify").body
    path = re.search(r"https?://[^/\s]+(/portal/verifikasi/\S+)", body).group(1)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_text("Terima kasih. Laporan Anda tercatat dengan nomor TGL-")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Tidak bisa masuk")
    page.screenshot(path=str(ARTIFACTS / "portal-phone.png"), full_page=True)
