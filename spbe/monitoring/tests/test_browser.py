"""Setting up a heartbeat check in a real headless Chromium (O-4): the form
shows only the fields of the chosen kind, a mistake is explained next to its
field, and the check's page gives the address the backup job must call."""

import pytest
from playwright.sync_api import expect

from spbe.conftest import PASSWORD
from spbe.desk.tests.test_actions import kritis_public  # noqa: F401  (fixture)
from spbe.front.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401  (fixture)
from spbe.monitoring.models import Check

pytestmark = pytest.mark.browser


def test_coordinator_sets_up_a_backup_heartbeat(world, kritis_public, live_server, browser):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, world.tegal_coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/pemantauan/baru/")
    page.get_by_label("Nama").fill("Cadangan malam Adminduk")
    page.get_by_label("Jenis", exact=True).select_option("dns")
    expect(page.get_by_label("Nilai yang diharapkan")).to_be_visible()
    expect(page.get_by_label("Kata kunci yang harus ada")).to_be_hidden()
    page.get_by_label("Jenis", exact=True).select_option("heartbeat")
    expect(page.get_by_label("Sasaran")).to_be_hidden()
    expect(page.get_by_label("Nilai yang diharapkan")).to_be_hidden()
    page.get_by_label("Layanan").select_option(str(kritis_public.pk))
    page.get_by_label("Selang (detik)").fill("5")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pastikan nilai ini lebih besar dari atau sama dengan 10.")).to_be_visible()
    expect(page.get_by_label("Nama")).to_have_value("Cadangan malam Adminduk")  # nothing typed is lost
    page.get_by_label("Selang (detik)").fill("86400")
    page.get_by_role("button", name="Simpan").click()
    check = Check.objects.get()
    expect(page.get_by_text(f"/pemantauan/detak/{check.heartbeat_token}/")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "monitoring-heartbeat.png"), full_page=True)
