"""Issue 15's "done when" in a real headless Chromium: a citizen typing
"lupa kata sandi" on the portal's report form is offered the matching
article, marks it as having solved the problem, and no ticket is opened
(the deflection is recorded for the evaluation)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spbe.desk.models import PendingReport, Ticket
from spbe.front.tests.test_browser import ARTIFACTS, browser  # noqa: F401  (fixture)
from spbe.knowledge.models import Feedback
from spbe.knowledge.tests.factories import article

pytestmark = pytest.mark.browser


def test_a_citizen_is_helped_by_an_article_and_sends_no_report(world, service, live_server, browser):  # noqa: F811
    match = article(world, service)
    article(world, service, title="Jadwal perekaman KTP-el", summary="Datang pukul 08.00 dengan KK asli.",
            body="Ambil nomor antrean sehari sebelumnya.", keywords="ktp, antrean")  # fmt: skip
    tickets, pending = Ticket.objects.count(), PendingReport.objects.count()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/portal/yogya/lapor/{service.pk}/")
    panel = page.locator("#kb-panel")
    expect(panel.get_by_text("Pertanyaan yang sering diajukan")).to_be_visible()  # before typing: the popular ones

    page.get_by_label("Ceritakan yang terjadi").press_sequentially("lupa kata sandi", delay=30)
    expect(panel.get_by_text("Mungkin ini jawabannya")).to_be_visible()
    suggestion = panel.get_by_test_id("kb-suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion.first).to_contain_text(match.title)
    suggestion.first.get_by_text(match.title).click()  # opens inline
    expect(suggestion.first.get_by_text("tautan dikirim ke e-mail")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "knowledge-portal-suggestion.png"), full_page=True)

    suggestion.first.get_by_role("button", name="Ya, masalah saya selesai").click()
    thanks = page.get_by_test_id("kb-thanks")
    expect(thanks).to_contain_text("Laporan tidak perlu dikirim")
    expect(thanks.get_by_role("link", name="Kembali ke portal layanan")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "knowledge-portal-deflected.png"), full_page=True)

    deflection = Feedback.objects.get()
    assert (deflection.article, deflection.deflected, deflection.helpful) == (match, True, True)
    assert deflection.service == service and deflection.pd == world.dukcapil
    match.refresh_from_db()
    assert (match.helpful_count, match.deflection_count) == (1, 1)
    assert (Ticket.objects.count(), PendingReport.objects.count()) == (tickets, pending)
    page.close()
