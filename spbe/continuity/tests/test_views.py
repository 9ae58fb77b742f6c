"""The recovery pages (O-5, P-5) and who sees them: the owner PD's staff,
the Koordinator SPBE and Diskominfo's infrastructure team see a PD's DRPs
and recoveries; another PD and another Pemda get 404, a citizen 403. The
lists filter, search and export; evidence is checked by content; the
ticket page offers the assessment and the service page shows the DRP."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from spbe.approvals import actions as approvals
from spbe.conftest import give, make_person
from spbe.continuity import actions
from spbe.continuity.models import Recovery, RecoveryPlan, RecoveryStep, StepEvidence
from spbe.continuity.tests.factories import approved_plan, draft_plan, kritis_service
from spbe.continuity.tests.recovering import NOW, evidence, flagged_complaint, opened, step, walk, wib
from spbe.monitoring.models import HeartbeatPing
from spbe.org.choices import Role


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def dukcapil_infra(world):
    """An Administrator Infrastruktur dan Aplikasi of Disdukcapil itself."""
    person = make_person("infra@yogya.test", world.yogya, full_name="Bayu Infra")
    give(person, Role.ADMIN_INFRA, world.dukcapil)
    return person


@pytest.fixture
def records(world, plan, activation, media):
    """The DRP in force and an activation whose step 1 carries a photo."""
    step(world.vendor, activation, 1, wib(8, 0), files=[evidence("foto-ruang-server.pdf")])
    return {"plan": plan, "recovery": activation, "evidence": StepEvidence.objects.get()}


def record_urls(records) -> dict[str, str]:
    plan, recovery, proof = records["plan"], records["recovery"], records["evidence"]
    return {
        "plan_detail": reverse("continuity:plan_detail", args=[plan.pk]),
        "plan_document": reverse("continuity:plan_document", args=[plan.pk, "docx"]),
        "recovery_detail": reverse("continuity:recovery_detail", args=[recovery.pk]),
        "recovery_clock": reverse("continuity:recovery_clock", args=[recovery.pk]),
        "evidence": reverse("continuity:evidence", args=[recovery.pk, proof.pk]),
    }


LIST_PAGES = ["continuity:overview", "continuity:plan_list", "continuity:recovery_list"]
CREATE_PAGES = ["continuity:plan_create", "continuity:activation_create", "continuity:drill_create"]


# --- Who sees what --------------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("persona", ["owner_admin", "owner_head", "coordinator", "vendor"])
    def test_the_owner_pd_the_coordinator_and_diskominfos_vendor_see_every_record_page(
        self, world, records, login, persona
    ):
        client = login(getattr(world, persona))
        for name, url in record_urls(records).items():
            assert client.get(url).status_code == 200, name
        for name in LIST_PAGES:
            response = client.get(reverse(name))
            assert response.status_code == 200, name
        assert "DRP Pencetakan KTP-el" in client.get(reverse("continuity:plan_list")).content.decode()
        assert "Ruang server terendam" in client.get(reverse("continuity:recovery_list")).content.decode()

    @pytest.mark.parametrize("persona", ["coordinator", "vendor", "dukcapil_infra"])
    def test_whoever_runs_the_pds_drps_opens_the_create_pages(self, world, records, login, persona, request):
        user = request.getfixturevalue(persona) if persona == "dukcapil_infra" else getattr(world, persona)
        client = login(user)
        for name in CREATE_PAGES:
            assert client.get(reverse(name)).status_code == 200, name

    def test_the_owners_administrator_layanan_reads_but_does_not_run_drps(self, world, records, login):
        """Rules: DRPs are drafted and walked by the infrastructure roles
        (O-5), not by the Administrator Layanan."""
        client = login(world.owner_admin)
        for name in CREATE_PAGES:
            assert client.get(reverse(name)).status_code == 403, name
        recovery = records["recovery"]
        response = client.post(reverse("continuity:recovery_step", args=[recovery.pk, 2]),
                               {"langkah-at": "2026-12-05T08:15", "langkah-notes": "Analisis"})  # fmt: skip
        assert response.status_code == 403
        assert recovery.steps.count() == 1

    @pytest.mark.parametrize("persona", ["other_pd_admin", "tegal_coordinator", "tegal_admin"])
    def test_another_pd_or_pemda_gets_404_on_the_records(self, world, records, login, persona):
        client = login(getattr(world, persona))
        for name, url in record_urls(records).items():
            assert client.get(url).status_code == 404, name
        for name in LIST_PAGES:
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            html = response.content.decode()
            assert "DRP Pencetakan KTP-el" not in html and "Ruang server terendam" not in html, name

    def test_another_pemdas_coordinator_cannot_open_an_activation_from_a_yogya_complaint(
        self,
        world,
        records,
        login,
        service,
    ):
        ticket = flagged_complaint(world, service, reported_at=wib(7, 20))
        client = login(world.tegal_coordinator)
        assert client.get(reverse("continuity:activation_create"), {"aduan": ticket.pk}).status_code == 404

    def test_a_citizen_gets_403_everywhere(self, world, records, login):
        client = login(world.citizen)
        for name, url in record_urls(records).items():
            assert client.get(url).status_code == 403, name
        for name in LIST_PAGES + CREATE_PAGES:
            assert client.get(reverse(name)).status_code == 403, name

    def test_an_anonymous_visitor_is_sent_to_log_in(self, world, records, client):
        for url in [*record_urls(records).values(), *(reverse(name) for name in LIST_PAGES + CREATE_PAGES)]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url

    def test_the_evidence_is_the_uploaded_file(self, world, records, login):
        response = login(world.coordinator).get(record_urls(records)["evidence"])
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert "foto-ruang-server" in response["Content-Disposition"]

    def test_evidence_of_another_recovery_is_404(self, world, records, plan, login, time_machine):
        other = opened(time_machine, actions.open_activation, world.vendor, plan, "Kejadian lain")
        url = reverse("continuity:evidence", args=[other.pk, records["evidence"].pk])
        assert login(world.vendor).get(url).status_code == 404


# --- Lists -------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(world, service, check, kabid, now, time_machine, media):
    """KTP-el's DRP in v1 (superseded, once drilled) and v2 (in force);
    a Dinkes DRP in force whose review is overdue; a draft for Akta."""
    ktp_v1 = approved_plan(world, service, kabid, backup_check=check)
    drill = opened(time_machine, actions.plan_drill, world.vendor, ktp_v1, title="Uji coba", when=wib(7, 0),
                   scheduled_for=wib(7, 5), scenario="Banjir", participants="Tim")  # fmt: skip
    HeartbeatPing.objects.create(check_ref=check, at=wib(1))
    walk(world.vendor, drill, 5)
    ktp_v2 = actions.revise_plan(world.vendor, ktp_v1)
    approvals.submit(world.vendor, ktp_v2)
    approvals.approve(kabid, ktp_v2)

    clinic = kritis_service(world, pd=world.dinkes, code="DNK-01", name="Rekam Medis Puskesmas",
                            classification="esensial")  # fmt: skip
    dinkes_pj = make_person("pj@dinkes.test", world.yogya, full_name="PJ Dinkes")
    give(dinkes_pj, Role.PJ_PENYEDIA, world.dinkes)
    health = approved_plan(world, clinic, dinkes_pj, title="DRP Rekam Medis")
    RecoveryPlan.objects.filter(pk=health.pk).update(review_due=date(2026, 12, 1))

    akta = kritis_service(world, code="DUK-02", name="Akta Kelahiran", classification="normal")
    draft = draft_plan(world, akta, title="DRP Akta")
    return {"ktp_v1": ktp_v1, "ktp_v2": ktp_v2, "health": health, "draft": draft}


def listed(client, **params) -> list[tuple[str, int]]:
    response = client.get(reverse("continuity:plan_list"), params)
    assert response.status_code == 200
    return sorted((p.title, p.revision) for p in response.context["listing"].page.object_list)


class TestPlanList:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, [("DRP Akta", 1), ("DRP Pencetakan KTP-el", 1), ("DRP Pencetakan KTP-el", 2), ("DRP Rekam Medis", 1)]),
            ({"pd": "dinkes"}, [("DRP Rekam Medis", 1)]),
            ({"classification": "kritis"}, [("DRP Pencetakan KTP-el", 1), ("DRP Pencetakan KTP-el", 2)]),
            ({"status": "current"}, [("DRP Pencetakan KTP-el", 2), ("DRP Rekam Medis", 1)]),
            ({"status": "superseded"}, [("DRP Pencetakan KTP-el", 1)]),
            ({"status": "draft"}, [("DRP Akta", 1)]),
            ({"review_overdue": "on"}, [("DRP Rekam Medis", 1)]),
            ({"never_drilled": "on"}, [("DRP Akta", 1), ("DRP Rekam Medis", 1)]),
            ({"q": "rekam medis"}, [("DRP Rekam Medis", 1)]),
            ({"q": "KTP", "status": "current"}, [("DRP Pencetakan KTP-el", 2)]),
        ],
        ids=["all", "pd", "classification", "current", "superseded", "draft", "review-overdue", "never-drilled",
             "search-service", "search-and-status"],
    )  # fmt: skip
    def test_filters_and_search(self, world, catalogue, login, params, expected):
        if params.get("pd") == "dinkes":
            params = {**params, "pd": world.dinkes.pk}
        assert listed(login(world.coordinator), **params) == expected

    def test_a_pd_sees_only_its_own_drps(self, world, catalogue, login):
        assert [title for title, _v in listed(login(world.other_pd_admin))] == ["DRP Rekam Medis"]

    def test_badges_say_superseded_overdue_and_drill_due(self, world, catalogue, login):
        html = login(world.coordinator).get(reverse("continuity:plan_list")).content.decode()
        assert "Digantikan" in html and "terlambat" in html
        assert "perlu uji coba" in html  # Dinkes: in force, never drilled

    def test_the_excel_export_has_a_row_per_plan(self, world, catalogue, login):
        response = login(world.coordinator).get(reverse("continuity:plan_list"), {"export": "xlsx"})
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:4] == ("PD", "Judul DRP", "Versi", "Status")
        assert sorted((row[1], row[2], row[3]) for row in rows[1:]) == [
            ("DRP Akta", 1, "Draf"),
            ("DRP Pencetakan KTP-el", 1, "Digantikan"),
            ("DRP Pencetakan KTP-el", 2, "Disetujui"),
            ("DRP Rekam Medis", 1, "Disetujui"),
        ]

    def test_the_export_follows_the_filters(self, world, catalogue, login):
        response = login(world.coordinator).get(reverse("continuity:plan_list"),
                                                {"export": "xlsx", "classification": "kritis"})  # fmt: skip
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        assert sorted(row[2] for row in rows[1:]) == [1, 2]

    def test_an_empty_list_says_what_to_do_next(self, world, login):
        html = login(world.vendor).get(reverse("continuity:plan_list")).content.decode()
        assert "Belum ada DRP" in html and reverse("continuity:plan_create") in html


class TestRecoveryList:
    def test_filters_search_and_export(self, world, records, login, time_machine):
        opened(time_machine, actions.plan_drill, world.vendor, records["plan"], title="Uji coba banjir",
               scheduled_for=wib(9), scenario="Banjir", participants="Tim", when=wib(7, 0))  # fmt: skip
        client = login(world.coordinator)

        def titles(**params):
            response = client.get(reverse("continuity:recovery_list"), params)
            return sorted(r.title for r in response.context["listing"].page.object_list)

        assert titles() == ["Ruang server terendam", "Uji coba banjir"]
        assert titles(kind="drill") == ["Uji coba banjir"]
        assert titles(status="assessing") == ["Ruang server terendam"]
        assert titles(q="banjir") == ["Uji coba banjir"]
        response = client.get(reverse("continuity:recovery_list"), {"export": "xlsx"})
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        assert sorted(row[2] for row in rows[1:]) == ["Ruang server terendam", "Uji coba banjir"]


# --- Recording a step through the page ------------------------------------------------------------


class TestStepPage:
    def post(self, client, recovery, number, **data):
        fields = {"langkah-at": "2026-12-05T08:00", "langkah-notes": "Ruang server tergenang 30 cm"}
        fields.update({f"langkah-{k}": v for k, v in data.items()})
        return client.post(reverse("continuity:recovery_step", args=[recovery.pk, number]), fields)

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (SimpleUploadedFile("alat.exe", b"MZ\x90\x00\x03\x00\x00\x00"), "Jenis berkas tidak diterima"),
            (SimpleUploadedFile("foto.pdf", b"GIF89a bukan pdf"), "Isi berkas tidak sesuai"),
        ],
        ids=["exe", "fake-pdf"],
    )
    def test_a_forbidden_evidence_file_is_refused_next_to_the_field(
        self,
        world,
        activation,
        login,
        media,
        upload,
        message,
    ):
        response = self.post(login(world.vendor), activation, 1, files=upload)
        assert response.status_code == 400
        errors = response.context["step_form"].errors
        assert list(errors) == ["files"] and message in errors["files"][0]
        html = response.content.decode()
        field = html[html.index('id="id_langkah-files_info"') :]
        assert message in field[: field.index("</div>\n</div>")]
        assert not RecoveryStep.objects.exists() and not StepEvidence.objects.exists()
        activation.refresh_from_db()
        assert activation.next_step == 1

    def test_a_good_step_is_saved_with_its_evidence(self, world, activation, login, media):
        response = self.post(login(world.vendor), activation, 1, files=evidence())
        assert response["Location"] == activation.get_absolute_url()
        saved = RecoveryStep.objects.get()
        assert (saved.number, saved.at, saved.actor) == (1, wib(8, 0), world.vendor)
        assert saved.evidence.count() == 1

    def test_a_step_out_of_order_redirects_with_the_message(self, world, activation, login):
        client = login(world.vendor)
        response = self.post(client, activation, 3, disaster="ya", disruption_started_at="2026-12-05T07:00")
        assert response.status_code == 302 and response["Location"] == activation.get_absolute_url()
        page = client.get(response["Location"]).content.decode()
        assert "Langkah harus berurutan: berikutnya langkah 1" in page
        assert not RecoveryStep.objects.exists()

    def test_a_step_error_of_the_action_comes_back_on_its_field(self, world, activation, login):
        response = self.post(login(world.vendor), activation, 1, at="2026-12-05T13:00")  # after NOW
        assert response.status_code == 400
        assert response.context["step_form"].errors["at"] == ["Waktu langkah tidak boleh di masa depan."]

    def test_no_disaster_through_the_page(self, world, activation, login):
        walk(world.vendor, activation, 2)
        response = self.post(login(world.vendor), activation, 3, at="2026-12-05T08:30", disaster="tidak",
                             notes="Genset menyala, bukan bencana")  # fmt: skip
        assert response.status_code == 302
        activation.refresh_from_db()
        assert (activation.status, activation.no_disaster_reason) == ("no_disaster", "Genset menyala, bukan bencana")


# --- The ticket page and the service page ------------------------------------------------------------


class TestTicketPage:
    def test_a_flagged_complaint_offers_the_assessment_to_the_vendor(self, world, plan, service, now, login):
        ticket = flagged_complaint(world, service, reported_at=wib(7, 20))
        html = login(world.vendor).get(reverse("desk:detail", args=[ticket.pk])).content.decode()
        assert "Mulai penilaian aktivasi DRP" in html
        assert f"{reverse('continuity:activation_create')}?aduan={ticket.pk}" in html

    def test_the_assessment_opens_from_the_complaint(self, world, plan, service, now, login):
        ticket = flagged_complaint(world, service, reported_at=wib(7, 20))
        client = login(world.vendor)
        form = client.get(reverse("continuity:activation_create"), {"aduan": ticket.pk})
        assert form.status_code == 200
        assert form.context["form"].initial == {"plan": plan.pk, "title": ticket.subject}
        response = client.post(reverse("continuity:activation_create"),
                               {"aduan": ticket.pk, "plan": plan.pk, "title": ticket.subject})  # fmt: skip
        recovery = Recovery.objects.get()
        assert response["Location"] == recovery.get_absolute_url()
        assert recovery.ticket == ticket
        html = client.get(reverse("desk:detail", args=[ticket.pk])).content.decode()
        assert "Mulai penilaian aktivasi DRP" not in html and recovery.get_absolute_url() in html

    def test_no_offer_without_the_flag_or_to_who_cannot_run_the_drp(self, world, plan, service, now, login):
        from spbe.continuity.tests.recovering import complaint

        plain = complaint(world, service, reported_at=wib(7, 20))
        assert (
            "Mulai penilaian"
            not in login(world.coordinator).get(reverse("desk:detail", args=[plain.pk])).content.decode()
        )
        flagged = flagged_complaint(world, service, reported_at=wib(7, 25))
        html = login(world.owner_admin).get(reverse("desk:detail", args=[flagged.pk])).content.decode()
        assert "Mulai penilaian aktivasi DRP" not in html


class TestServicePage:
    def test_the_service_page_shows_the_drp_in_force_and_the_last_drill(
        self,
        world,
        plan,
        service,
        login,
        time_machine,
        now,
    ):
        HeartbeatPing.objects.create(check_ref=plan.backup_check, at=wib(1))
        drill = opened(time_machine, actions.plan_drill, world.vendor, plan, title="Uji coba", when=wib(7, 0),
                       scheduled_for=wib(7, 5), scenario="Banjir", participants="Tim")  # fmt: skip
        walk(world.vendor, drill, 5, times={5: wib(9, 30)})  # RTO 2 h 30 min of 4 h
        html = login(world.owner_admin).get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
        dd = html[html.index('<dt class="col-sm-5">DRP</dt>') :]
        dd = dd[: dd.index("</dd>")]
        assert plan.get_absolute_url() in dd and "berlaku" in dd
        assert "Uji coba terakhir" in dd and "RTO 2 jam 30 menit / 4 jam" in dd
        assert drill.get_absolute_url() in dd

    def test_a_kritis_service_without_a_drp_says_it_is_required(self, world, service, login):
        html = login(world.owner_admin).get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
        assert "wajib untuk layanan kritis" in html


def test_the_live_rto_clock_fragment_counts_from_the_disruption(world, activation, login, now):
    HeartbeatPing.objects.create(check_ref=activation.plan.backup_check, at=wib(1))
    walk(world.vendor, activation, 3)
    html = login(world.vendor).get(reverse("continuity:recovery_clock", args=[activation.pk])).content.decode()
    assert "5 jam" in html and "100 %" in html  # 07:00 → 12:00 of a 4 h target
    assert 'hx-trigger="every 30s"' in html
    assert NOW - activation.disruption_started_at == timedelta(hours=5)


def test_the_audit_trail_reads_the_recovery_records(world, plan, activation, login):
    """The DRP's creation, its revision and the steps are on the audit page,
    old → new, without breaking it (O-5)."""
    actions.revise_plan(world.vendor, plan)
    page = login(world.coordinator).get(reverse("audit:list"))
    assert page.status_code == 200
    assert "DRP Pencetakan KTP-el" in page.content.decode()
