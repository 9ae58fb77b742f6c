"""The release plan as a government document (O-6): an editable DOCX and a
PDF with what is released, its steps, rollback and tests, the window in the
Pemda's zone, the result once known and the PJ Penyedia Layanan who
approves it, for whoever may see the release only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.models import ChangePlan, Release
from spbe.change.tests.test_plans import RISKS
from spbe.cmdb.models import Application
from spbe.continuity.tests.factories import kritis_service, pj_penyedia
from spbe.continuity.tests.test_plans import DOCX_TYPE, docx_text
from spbe.org.choices import TimeZone

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2027, 1, 9, 20, 0, tzinfo=WIB)
END = START + timedelta(hours=2)


@pytest.fixture
def service(world, packs, time_machine):
    """Two days before the window; SIAK DUK-01 runs 5.1."""
    time_machine.move_to(START - timedelta(days=2), tick=False)
    service = kritis_service(world)
    Application.objects.filter(name="SIAK DUK-01").update(version="5.1")
    return service


@pytest.fixture
def kabid(world):
    return pj_penyedia(world)


@pytest.fixture
def release(world, service, kabid) -> Release:
    draft = Release(
        pd=world.dukcapil, title="Pembaruan SIAK", basis="built", version="5.2",
        application=Application.objects.get(name="SIAK DUK-01"), description="Modul cetak KTP-el baru",
        steps="1. Snapshot VM\n2. Pasang 5.2\n3. Migrasi basis data",
        rollback_plan="Pulihkan snapshot VM", test_plan="Cetak 5 KTP-el uji", window_start=START, window_end=END,
        verification_minutes=30, announcement="Layanan KTP-el berhenti Sabtu 20.00–22.00 WIB untuk pembaruan SIAK.",
    )  # fmt: skip
    return actions.save_release(world.vendor, draft, [service])


def document(client, release, fmt: str = "docx"):
    return client.get(reverse("change:release_document", args=[release.pk, fmt]))


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("docx", DOCX_TYPE, b"PK\x03\x04"),
                                                              ("pdf", "application/pdf", b"%PDF")])  # fmt: skip
def test_the_release_plan_downloads_as_docx_and_pdf(world, release, login, fmt, content_type, magic):
    response = document(login(world.vendor), release, fmt)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert f'filename="rencana-rilis-{release.pk}.{fmt}"' in response["Content-Disposition"]
    assert response.content.startswith(magic)


def test_the_draft_has_the_plan_and_names_the_pds_pj_penyedia_who_is_to_approve(world, release, login):
    text = docx_text(document(login(world.owner_admin), release).content)
    assert "RENCANA RILIS LAYANAN" in text and "Pembaruan SIAK 5.2" in text
    assert "PEMERINTAH KOTA YOGYAKARTA" in text and "DISDUKCAPIL YOGYA" in text
    assert "Aplikasi dibangun atau dikembangkan" in text and "SIAK DUK-01" in text and "5.1 → 5.2" in text
    assert "Pencetakan KTP-el (Dukcapil)" in text and "Draf" in text and "Direncanakan" in text
    assert "Modul cetak KTP-el baru" in text and "2. Pasang 5.2" in text
    assert "Pulihkan snapshot VM" in text and "Cetak 5 KTP-el uji" in text
    assert "9 Januari 2027 pukul 20.00 WIB" in text and "9 Januari 2027 pukul 22.00 WIB" in text
    assert "30 menit setelah jendela rilis, sampai 9 Januari 2027 pukul 22.30 WIB" in text
    assert "untuk pembaruan SIAK" in text
    assert "Hasil rilis" not in text  # nothing is known yet
    assert "Disusun oleh,\nAdministrator Infrastruktur dan Aplikasi" in text and "Yoga Vendor" in text
    assert "Disetujui oleh,\nPenanggung Jawab Penyedia Layanan" in text and "Hendra Kabid" in text


def test_after_approval_it_names_the_approver_and_the_times_in_the_pemdas_zone(world, release, kabid, login,
                                                                               time_machine):  # fmt: skip
    """Approved 7 Jan 2027 17:00 UTC = 8 Jan 01:00 WITA; the window opens 20:00 WIB = 21:00 WITA."""
    world.yogya.time_zone = TimeZone.WITA
    world.yogya.save()
    approvals.submit(world.vendor, release)
    time_machine.move_to(datetime(2027, 1, 7, 17, 0, tzinfo=ZoneInfo("UTC")), tick=False)
    approvals.approve(kabid, release)
    text = docx_text(document(login(world.vendor), release).content)
    assert "RENCANA RILIS LAYANAN" in text and "5.1 → 5.2" in text and "3. Migrasi basis data" in text
    assert "Disetujui 8 Januari 2027" in text and "Yogyakarta, 8 Januari 2027" in text
    assert "Hendra Kabid" in text and "NIP. 198001012006041002" in text
    assert "9 Januari 2027 pukul 21.00 WITA" in text


def test_once_known_the_result_is_in_the_document(world, release, kabid, login, time_machine):
    """No check watches the service: verified by hand, failed, rolled back, with feedback."""
    approvals.submit(world.vendor, release)
    approvals.approve(kabid, release)
    time_machine.move_to(END + timedelta(minutes=5), tick=False)
    actions.verify_due_releases(END + timedelta(minutes=5))
    release.refresh_from_db()
    actions.record_tests(world.vendor, release, "3 dari 5 KTP-el uji tercetak buram")
    actions.record_problem(world.vendor, release, "Printer tidak dikenali modul baru", open_complaint=True)
    actions.verify_by_hand(kabid, release, False, "Cetak KTP-el gagal")
    release.refresh_from_db()
    actions.record_rollback(world.vendor, release, "Snapshot dipulihkan, 5.1 berjalan lagi")
    actions.record_feedback(kabid, release, "Uji printer sebelum rilis berikutnya")
    release.refresh_from_db()
    text = docx_text(document(login(world.vendor), release).content)
    assert "7. Hasil rilis" in text and "Gagal, dikembalikan" in text and "5.1 → 5.2" in text
    assert "Cetak KTP-el gagal" in text and "9 Januari 2027 pukul 22.05 WIB" in text
    assert "3 dari 5 KTP-el uji tercetak buram" in text and "Printer tidak dikenali modul baru" in text
    assert release.problems.get().ticket.number in text
    assert "Snapshot dipulihkan, 5.1 berjalan lagi" in text and "Uji printer sebelum rilis berikutnya" in text


def test_a_release_for_a_change_request_names_its_transition_plan(world, service, kabid, login):
    change = actions.save_plan(world.owner_admin, ChangePlan(
        pd=world.dukcapil, title="Cetak KTP-el mandiri", kind="modification", origin="provider_need",
        reason="Antrean", technology_review="x", process_review="x", policy_review="x", business_impact="x",
        satisfaction_impact="x", quality_control="x", success_measure="x", planned_start=START, planned_end=END,
        user_notice="x",
    ), actions.ChangeScope([service]), RISKS)  # fmt: skip
    approvals.submit(world.owner_admin, change)
    approvals.approve(world.owner_head, change)
    draft = Release(pd=world.dukcapil, title="Sertifikat TLS", basis="change", change_plan=change, description="x",
                    steps="x", rollback_plan="x", test_plan="x", window_start=START, window_end=END,
                    announcement="x")  # fmt: skip
    release = actions.save_release(world.vendor, draft, [service])
    text = docx_text(document(login(world.vendor), release).content)
    assert "Permintaan perubahan telah dipenuhi — rencana perubahan layanan “Cetak KTP-el mandiri”" in text


@pytest.mark.parametrize(("name", "status"), [("coordinator", 200), ("other_pd_admin", 404),
                                              ("tegal_coordinator", 404), ("citizen", 403)])  # fmt: skip
def test_only_who_sees_the_release_gets_its_document(world, release, login, name, status):
    for fmt in ("docx", "pdf"):
        assert document(login(getattr(world, name)), release, fmt).status_code == status


def test_an_unknown_format_is_404(world, release, login):
    assert document(login(world.vendor), release, "odt").status_code == 404


def test_the_release_page_offers_both_documents(world, release, login):
    page = login(world.vendor).get(release.get_absolute_url()).content.decode()
    for fmt in ("docx", "pdf"):
        assert reverse("change:release_document", args=[release.pk, fmt]) in page
