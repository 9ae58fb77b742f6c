"""The newcomer's path of issue 2 in a real headless Chromium: a Diskominfo
coordinator of Kota Yogyakarta adds a PD and a person with a role; that person
signs in and sees only what the role allows (S-1)."""

import base64
import os
import time
from pathlib import Path

import pytest
from django.db import connections
from django_otp.oath import hotp
from playwright.sync_api import Page, expect, sync_playwright

from spbe.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop; Django's ORM in the test
    # thread must still be allowed.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, the test's ORM calls open connections
        # that only this context sees: closed here, or PostgreSQL refuses to
        # drop the test database at the end of the run ("accessed by other users").
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in through the form; a role that must use two-factor sign-in
    (issue 14) scans nothing but types the shown key's code, as a person does."""
    page.goto(f"{base}/akun/masuk/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    if "/akun/dua-langkah/daftar/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Kode verifikasi").fill(authenticator_code(secret))
        page.get_by_role("button", name="Aktifkan").click()
        page.get_by_role("link", name="Sudah saya simpan, lanjutkan").click()


def authenticator_code(secret: str) -> str:
    """What an authenticator app shows now for this base32 key (RFC 6238)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{hotp(key, int(time.time()) // 30, digits=6):06d}"


def test_coordinator_adds_pd_and_person_who_then_sees_only_their_pd(world, live_server, browser):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)

    sign_in(page, base, "koord@yogya.test", PASSWORD)
    expect(page.get_by_role("heading", name="Selamat datang, Rina")).to_be_visible()

    # add a PD
    page.get_by_role("button", name="Pengaturan").click()
    page.get_by_role("link", name="Perangkat Daerah", exact=True).click()
    page.get_by_label("Cari").fill("kesehatan")  # search as you type (htmx), no button
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(f"{base}/organisasi/pd/?q=kesehatan&kind=&active=")
    page.get_by_role("link", name="Tambah PD").click()
    page.get_by_label("Nama", exact=True).fill("Dinas Sosial")
    page.get_by_label("Singkatan").fill("Dinsos")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Perangkat Daerah Dinas Sosial ditambahkan.")).to_be_visible()

    # add a person with a role in it; a bad NIP is explained next to the field first
    page.goto(f"{base}/organisasi/orang/baru/")
    page.get_by_label("Nama lengkap").fill("Budi Santoso")
    page.get_by_label("E-mail").fill("budi@yogya.test")
    page.get_by_label("NIP").fill("123")
    page.get_by_label("Peran awal").select_option(label="Administrator Layanan")
    page.get_by_label("di Perangkat Daerah").select_option(label="Dinas Sosial (Dinsos)")
    page.get_by_label("Kata sandi awal").fill("Budi-sandi-awal-2026")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("NIP harus terdiri dari tepat 18 digit angka.")).to_be_visible()
    expect(page.get_by_label("Nama lengkap")).to_have_value("Budi Santoso")  # nothing typed is lost
    page.get_by_label("NIP").fill("")
    page.get_by_label("Kata sandi awal").fill("Budi-sandi-awal-2026")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Budi Santoso ditambahkan.")).to_be_visible()
    expect(page.get_by_text("Administrator Layanan — Dinas Sosial")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "person-created.png"), full_page=True)
    page.get_by_role("button", name="Keluar").click()

    # the new person sees only their own PD
    sign_in(page, base, "budi@yogya.test", "Budi-sandi-awal-2026")
    expect(page.get_by_role("heading", name="Selamat datang, Budi")).to_be_visible()
    page.goto(f"{base}/organisasi/pd/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Dinas Sosial")
    page.goto(f"{base}/organisasi/pd/{world.dukcapil.pk}/")
    expect(page.get_by_role("heading", name="Halaman tidak ditemukan")).to_be_visible()
    page.goto(f"{base}/organisasi/orang/")
    expect(page.get_by_role("heading", name="Akses ditolak")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "forbidden.png"), full_page=True)


def test_shell_fits_a_phone_screen(world, live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url, "koord@yogya.test", PASSWORD)
    page.goto(f"{live_server.url}/organisasi/pd/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Buka menu").click()
    expect(page.get_by_role("link", name="Perencanaan")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)


def test_pages_work_under_the_content_security_policy(world, live_server, browser):
    """Issue 14: no inline script runs, so everything interactive must come
    from the app's own files. Chromium reports every blocked script or style
    on the console; a Koordinator enrols in two-factor sign-in on the way."""
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url} {message.text[:60]}") if "Security Policy" in message.text else None
        ),
    )
    sign_in(page, base, "koord@yogya.test", PASSWORD)
    expect(page.get_by_role("heading", name="Selamat datang, Rina")).to_be_visible()
    page.goto(f"{base}/organisasi/pd/")
    page.get_by_label("Cari").fill("kesehatan")  # htmx, from its vendored file
    expect(page.locator("tbody tr")).to_have_count(1)
    page.goto(f"{base}/pemantauan/baru/")
    expect(page.get_by_role("button", name="Simpan")).to_be_visible()
    page.goto(f"{base}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # Swagger UI with its script in a file
    page.goto(f"{base}/akun/keamanan/")
    expect(page.get_by_text("Aktif", exact=True)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "account-security.png"), full_page=True)
    assert blocked == []
