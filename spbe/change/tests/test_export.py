"""The service transition plan as a government document (P-9): an editable
DOCX and a PDF with the plan, its risks and the Pimpinan PD who sets it,
in the Pemda's zone, for whoever may see the plan only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.change import actions
from spbe.change.actions import ChangeScope
from spbe.change.tests.test_plans import RISKS, plan_of
from spbe.continuity.tests.factories import kritis_service
from spbe.continuity.tests.test_plans import DOCX_TYPE, docx_text
from spbe.desk import actions as desk
from spbe.desk.actions import Reporter
from spbe.desk.choices import TicketKind
from spbe.org.choices import TimeZone

UTC = ZoneInfo("UTC")


@pytest.fixture
def service(world, packs):
    return kritis_service(world)


@pytest.fixture
def plan(world, service):
    return actions.save_plan(world.owner_admin, plan_of(world), ChangeScope([service]), RISKS)


def document(client, plan, fmt: str = "docx"):
    return client.get(reverse("change:plan_document", args=[plan.pk, fmt]))


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("docx", DOCX_TYPE, b"PK\x03\x04"),
                                                              ("pdf", "application/pdf", b"%PDF")])  # fmt: skip
def test_the_plan_downloads_as_docx_and_pdf(world, plan, login, fmt, content_type, magic):
    response = document(login(world.owner_admin), plan, fmt)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert f'filename="rencana-perubahan-{plan.pk}-r1.{fmt}"' in response["Content-Disposition"]
    assert response.content.startswith(magic)


def test_the_docx_has_the_plan_its_risks_the_impact_and_the_drafter(world, plan, login):
    text = docx_text(document(login(world.coordinator), plan).content)
    assert "RENCANA PERUBAHAN LAYANAN" in text and "Akta kelahiran daring" in text
    assert "PEMERINTAH KOTA YOGYAKARTA" in text and "DISDUKCAPIL YOGYA" in text
    assert "Penambahan layanan" in text and "Kebutuhan penyedia layanan" in text and "Draf" in text
    assert "Data lama gagal dipindahkan" in text and "2 × 4 = 8" in text and "Uji migrasi" in text
    assert "vm-DUK-01" in text and "SIAK DUK-01" in text  # the impact analysis from the CMDB
    assert "80 % akta terbit dalam 1 hari kerja" in text and "Diumumkan di portal" in text
    assert "9 Januari 2027 pukul 20.00 WIB" in text
    assert "Disusun oleh,\nAdministrator Layanan" in text and "Nur Admin" in text
    assert "Sri Kadis" in text  # the PD's Pimpinan PD, who is to set it


def test_after_approval_the_docx_names_the_pimpinan_pd_who_set_it_in_the_pemdas_zone(world, plan, login,
                                                                                      time_machine):  # fmt: skip
    """Set on 5 Dec 2026 18:00 UTC = 6 Dec 02:00 WITA; the plan starts at
    20:00 WIB = 21:00 WITA."""
    world.yogya.time_zone = TimeZone.WITA
    world.yogya.save()
    approvals.submit(world.owner_admin, plan)
    time_machine.move_to(datetime(2026, 12, 5, 18, 0, tzinfo=UTC), tick=False)
    approvals.approve(world.owner_head, plan, "Sesuai rencana strategis")
    text = docx_text(document(login(world.owner_admin), plan).content)
    assert "Ditetapkan oleh,\nPimpinan PD Penyedia Layanan" in text
    assert "Sri Kadis" in text and "NIP. 197803122005011003" in text
    assert "Ditetapkan 6 Desember 2026" in text and "Yogyakarta, 6 Desember 2026" in text
    assert "9 Januari 2027 pukul 21.00 WITA" in text


def test_a_transfer_from_a_users_request_names_both(world, service, login):
    ticket = desk.open_ticket(actor=world.owner_admin, service=service, kind=TicketKind.REQUEST,
                              reporter=Reporter("Siti Warga"), subject="Pindahkan layanan ke Dinkes",
                              description="x", reporting_method="portal")  # fmt: skip
    transfer = plan_of(world, kind="transfer", transfer_to=world.dinkes, origin="user_request", request=ticket)
    transfer = actions.save_plan(world.owner_admin, transfer, ChangeScope([service]), [])
    text = docx_text(document(login(world.owner_admin), transfer).content)
    assert "Pengalihan layanan kepada Dinas Kesehatan Yogya" in text
    assert f"{ticket.number} Pindahkan layanan ke Dinkes" in text
    assert "Belum ada risiko yang diidentifikasi." in text


@pytest.mark.parametrize(("name", "status"), [("owner_head", 200), ("other_pd_admin", 404),
                                              ("tegal_coordinator", 404), ("citizen", 403)])  # fmt: skip
def test_only_who_sees_the_plan_gets_its_document(world, plan, login, name, status):
    for fmt in ("docx", "pdf"):
        assert document(login(getattr(world, name)), plan, fmt).status_code == status


def test_an_unknown_format_is_404(world, plan, login):
    assert document(login(world.owner_admin), plan, "odt").status_code == 404
