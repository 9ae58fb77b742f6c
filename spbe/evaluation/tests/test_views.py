"""The evaluation pages (E-2, E-4) through the eyes of each persona: who
may see and change which report, and bad input answered next to its field
with nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from spbe.evaluation import actions
from spbe.evaluation.choices import ActionStatus, Chapter
from spbe.evaluation.models import EvaluationReport, FollowUpAction
from spbe.evaluation.tests.factories import at, follow_up, report_of, ticket, write_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world, service):
    ticket(
        service,
        world.owner_admin,
        reported=at(2026, 3, 3, 9, 0),
        responded=at(2026, 3, 3, 11, 0),
        resolved=at(2026, 3, 10, 9, 0),
        cause="Disk server penuh",
    )
    return report_of(world)


def test_service_admin_opens_a_semester_report_and_sees_every_chapter(world, login, service):
    client = login(world.owner_admin)
    response = client.post(
        reverse("evaluation:report_create"),
        {"pd": world.dukcapil.pk, "scope": "pd", "period_kind": "semester", "year": 2026, "semester": "1"},
    )
    report = EvaluationReport.objects.get()
    assert response.status_code == 302 and (report.period_start, report.period_end) == (
        date(2026, 1, 1),
        date(2026, 6, 30),
    )
    assert report.title == "Laporan Evaluasi Manajemen Layanan SPBE Disdukcapil Yogya Semester I Tahun 2026"
    html = client.get(report.get_absolute_url()).content.decode()
    for chapter in (
        "a. Permintaan layanan",
        "b. Penanganan gangguan",
        "c. Pemantauan dan pemeliharaan",
        "d. Pemulihan layanan",
        "e. Rilis layanan",
        "f. Perencanaan dan pengelolaan aplikasi",
        "g. Evaluasi dokumen SLA",
    ):
        assert chapter in html


def test_a_period_that_ends_before_it_starts_is_refused_next_to_the_field(world, login):
    response = login(world.owner_admin).post(
        reverse("evaluation:report_create"),
        {
            "pd": world.dukcapil.pk,
            "scope": "pd",
            "period_kind": "custom",
            "period_start": "2026-06-30",
            "period_end": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "Tanggal akhir periode tidak boleh sebelum tanggal mulai." in response.content.decode()
    assert not EvaluationReport.objects.exists()


def test_a_report_for_a_pd_you_do_not_belong_to_is_refused(world, login):
    response = login(world.owner_admin).post(
        reverse("evaluation:report_create"), {"pd": world.dinkes.pk, "scope": "pd", "period_kind": "year", "year": 2026}
    )
    assert response.status_code == 400
    assert not EvaluationReport.objects.exists()


@pytest.mark.parametrize("persona", ["other_pd_admin", "tegal_coordinator", "tegal_admin"])
def test_another_pd_or_pemda_sees_nothing_of_the_report(world, login, report, persona):
    client = login(getattr(world, persona))
    for url in (
        report.get_absolute_url(),
        reverse("evaluation:report_document", args=[report.pk, "pdf"]),
        reverse("evaluation:report_edit", args=[report.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("evaluation:report_decide", args=[report.pk, "ajukan"])).status_code == 404
    assert report.title not in client.get(reverse("evaluation:report_list")).content.decode()


def test_a_citizen_gets_no_evaluation_page(world, login, report):
    client = login(world.citizen)
    assert client.get(reverse("evaluation:report_list")).status_code == 403
    assert client.get(reverse("evaluation:dashboard")).status_code == 403


def test_the_coordinator_and_the_head_see_the_pd_report(world, login, report):
    assert login(world.coordinator).get(report.get_absolute_url()).status_code == 200
    assert login(world.owner_head).get(report.get_absolute_url()).status_code == 200


def test_submitting_with_unwritten_analysis_names_the_chapters_and_changes_nothing(world, login, report):
    response = login(world.owner_admin).post(
        reverse("evaluation:report_decide", args=[report.pk, "ajukan"]), follow=True
    )
    assert "Analisis hambatan belum diisi untuk bab: Permintaan layanan" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "draft"


def test_analysis_is_prefilled_with_the_facts_and_saved(world, login, report):
    client = login(world.owner_admin)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Disk server penuh" in html  # the breached complaint's cause, as a first draft of the analysis
    response = client.post(
        reverse("evaluation:analysis_save", args=[report.pk, "disruptions"]),
        {"disruptions-obstacles": "Disk penuh karena log tidak dirotasi.", "disruptions-improvements": "Rotasi log."},
    )
    assert response.status_code == 302
    assert report.analyses.get(chapter="disruptions").obstacles == "Disk penuh karena log tidak dirotasi."
    assert report.timeline.filter(kind="analysis").exists()


def test_the_head_approves_and_the_figures_freeze(world, login, report):
    write_all(report, world.owner_admin)
    login(world.owner_admin).post(reverse("evaluation:report_decide", args=[report.pk, "ajukan"]))
    response = login(world.owner_head).post(
        reverse("evaluation:report_decide", args=[report.pk, "setujui"]), {"comment": "Setuju"}, follow=True
    )
    report.refresh_from_db()
    assert report.status == "approved" and report.figures["disruptions"]["total"] == 1
    assert "Angka dibekukan pada" in response.content.decode()


def test_an_action_without_owner_is_refused_next_to_the_field(world, login, report):
    response = login(world.owner_admin).post(
        reverse("evaluation:action_create", args=[report.pk]),
        {
            "chapter": "disruptions",
            "title": "Rotasi log server",
            "due_date": "2026-09-30",
            "target_kind": "procedure",
            "procedure": "SOP pemeliharaan server",
        },
    )
    assert response.status_code == 400
    assert "Pilih penanggung jawab tindak lanjut." in response.content.decode()
    assert not FollowUpAction.objects.exists()


def test_an_action_is_recorded_and_completed_with_evidence(world, login, report):
    client = login(world.owner_admin)
    response = client.post(
        reverse("evaluation:action_create", args=[report.pk]),
        {
            "chapter": "disruptions",
            "title": "Rotasi log server",
            "owner": world.owner_admin.pk,
            "due_date": "2026-09-30",
            "target_kind": "procedure",
            "procedure": "SOP pemeliharaan server",
            "before_version": "SOP v1",
        },
    )
    assert response.status_code == 302
    action = FollowUpAction.objects.get()
    url = action.get_absolute_url()
    refused = client.post(url, {"evidence_note": "", "after_version": ""})
    assert refused.status_code == 400 and "Tuliskan bukti penyelesaian" in refused.content.decode()
    done = client.post(url, {"evidence_note": "SOP v2 ditetapkan 1 Agustus", "after_version": "SOP v2"})
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and (action.before_version, action.after_version) == ("SOP v1", "SOP v2")
    assert login(world.other_pd_admin).get(url).status_code == 404


def test_action_list_filters_and_exports(world, login, report):
    follow_up(report, title="Perbarui SOP permintaan", due_date=date(2026, 1, 5))
    client = login(world.owner_admin)
    html = client.get(reverse("evaluation:action_list"), {"overdue": "on"}).content.decode()
    assert "Perbarui SOP permintaan" in html and "lewat tenggat" in html
    export = client.get(reverse("evaluation:action_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "Perbarui SOP permintaan"
        not in login(world.other_pd_admin).get(reverse("evaluation:action_list")).content.decode()
    )


def test_the_head_finds_the_pd_board_on_the_home_page(world, login, service):
    html = login(world.owner_head).get("/").content.decode()
    assert "Dasbor Disdukcapil Yogya" in html and service.name in html and "Tingkat kematangan" in html


def test_the_coordinator_sees_every_pd_side_by_side(world, login, service):
    from spbe.continuity.tests.factories import kritis_service

    kritis_service(world, pd=world.dinkes, code="DINKES-01", name="Rekam Medis Elektronik")
    html = login(world.coordinator).get(reverse("evaluation:dashboard")).content.decode()
    assert "Setiap PD berdampingan" in html
    assert "Disdukcapil Yogya" in html and "Dinas Kesehatan Yogya" in html


def test_a_pd_board_of_another_pd_is_not_found(world, login, service):
    response = login(world.other_pd_admin).get(reverse("evaluation:dashboard"), {"pd": world.dukcapil.pk})
    assert response.status_code == 404


def test_maturity_page_shows_the_level_and_a_pd_cannot_ask_for_another(world, login, service):
    client = login(world.owner_admin)
    html = client.get(reverse("evaluation:maturity")).content.decode()
    assert "Tingkat 1 — Rintisan" in html and "Yang belum ada untuk tingkat 2" in html
    assert client.get(reverse("evaluation:maturity"), {"pd": world.dinkes.pk}).status_code == 400
    assert client.get(reverse("evaluation:evidence_pack"), {"pd": world.dinkes.pk}).status_code == 404


def test_approved_report_cannot_take_new_actions(world, report):
    write_all(report, world.owner_admin)
    actions.submit(world.owner_admin, report)
    actions.approve(world.owner_head, report)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.add_action(
            world.owner_admin,
            report,
            FollowUpAction(
                chapter=Chapter.REQUESTS,
                title="Terlambat",
                owner=world.owner_admin,
                due_date=date(2026, 9, 1),
                target_kind="procedure",
                procedure="SOP",
            ),
        )


def test_the_submitted_report_waits_in_the_heads_inbox(world, login, report):
    write_all(report, world.owner_admin)
    actions.submit(world.owner_admin, report)
    assert report.title in login(world.owner_head).get(reverse("approvals:inbox")).content.decode()
    assert report.title not in login(world.owner_admin).get(reverse("approvals:inbox")).content.decode()


@pytest.fixture
def kominfo_head(world):
    from spbe.conftest import give, make_person
    from spbe.org.choices import Role

    head = make_person("kadis.kominfo@yogya.test", world.yogya, nip="197501012000031001", full_name="Kadis Kominfo")
    give(head, Role.PIMPINAN_PD, world.kominfo)
    return head


def test_diskominfo_head_drafts_the_pemda_report_and_the_coordinator_approves_it(world, login, kominfo_head):
    client = login(kominfo_head)
    response = client.post(
        reverse("evaluation:report_create"),
        {"pd": world.kominfo.pk, "scope": "pemda", "period_kind": "year", "year": 2026},
    )
    assert response.status_code == 302
    report = EvaluationReport.objects.get(scope="pemda")
    assert report.pd == world.kominfo and report.get_approver_role_label() == "Koordinator SPBE (Diskominfo)"
    write_all(report, kominfo_head)
    client.post(reverse("evaluation:report_decide", args=[report.pk, "ajukan"]))
    login(world.coordinator).post(reverse("evaluation:report_decide", args=[report.pk, "setujui"]))
    report.refresh_from_db()
    assert report.status == "approved"


def test_the_pemda_report_is_not_for_diskominfo_administrators_or_vendors(world, login, kominfo_head, service):
    """It lists every PD's tickets: the vendor at Diskominfo, who sees no
    Disdukcapil ticket on the desk, must not read them there either (S-1)."""
    report = actions.open_report(
        kominfo_head,
        pd=world.kominfo,
        scope="pemda",
        period=actions.Period("year", date(2026, 1, 1), date(2026, 12, 31)),
    )
    client = login(world.vendor)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.post(reverse("evaluation:report_decide", args=[report.pk, "revisi"])).status_code == 404
    refused = client.post(
        reverse("evaluation:report_create"),
        {"pd": world.kominfo.pk, "scope": "pemda", "period_kind": "year", "year": 2025},
    )
    assert refused.status_code == 400 and EvaluationReport.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31"), ("2010-01-01", "2026-12-31")]
)
def test_far_away_or_too_long_periods_are_refused_not_crashed(world, login, service, start, end):
    client = login(world.owner_admin)
    response = client.post(
        reverse("evaluation:report_create"),
        {"pd": world.dukcapil.pk, "scope": "pd", "period_kind": "custom", "period_start": start, "period_end": end},
    )
    assert response.status_code == 400 and not EvaluationReport.objects.exists()
    assert (
        client.get(reverse("evaluation:maturity"), {"pd": world.dukcapil.pk, "start": start, "end": end}).status_code
        == 400
    )


def test_cancelling_an_action_needs_a_reason(world, login, report):
    action = follow_up(report)
    client = login(world.owner_admin)
    client.post(reverse("evaluation:action_status", args=[action.pk]), {"status": "cancelled", "reason": ""})
    action.refresh_from_db()
    assert action.status == "open"
    client.post(
        reverse("evaluation:action_status", args=[action.pk]),
        {"status": "cancelled", "reason": "Digantikan aplikasi SP4N-LAPOR! pusat"},
    )
    action.refresh_from_db()
    assert action.status == "cancelled" and action.cancel_reason == "Digantikan aplikasi SP4N-LAPOR! pusat"


def test_the_generic_approval_route_does_not_decide_a_report(world, login, report):
    """A report is decided on its own page, which writes its timeline and freezes its figures."""
    from django.contrib.contenttypes.models import ContentType

    write_all(report, world.owner_admin)
    actions.submit(world.owner_admin, report)
    type_id = ContentType.objects.get_for_model(EvaluationReport).pk
    url = reverse("approvals:decide", args=[type_id, report.pk, "setujui"])
    assert login(world.owner_head).post(url).status_code == 404
    report.refresh_from_db()
    assert report.status == "submitted"


def test_an_owner_from_another_pd_sees_the_action_but_no_dead_link_to_its_report(world, login, report):
    action = follow_up(report, title="Integrasi data Dinkes", owner=world.other_pd_admin)
    html = login(world.other_pd_admin).get(action.get_absolute_url()).content.decode()
    assert "Integrasi data Dinkes" in html and report.get_absolute_url() not in html
    assert report.get_absolute_url() in login(world.owner_admin).get(action.get_absolute_url()).content.decode()


def test_the_boards_open_p1_p2_count_links_to_exactly_those_complaints(world, login, service):
    """The figure and the queue behind it agree: open P1 and P2 complaints
    of the PD, not the closed ones, not P3."""
    from spbe.evaluation.dashboard import boards

    urgent = ticket(service, world.owner_admin, reported=at(2026, 3, 2, 9, 0))  # mayor × publik × kritis: P1
    closed = ticket(
        service,
        world.owner_admin,
        reported=at(2026, 3, 3, 9, 0),
        responded=at(2026, 3, 3, 9, 5),
        resolved=at(2026, 3, 3, 10, 0),
    )
    minor = ticket(service, world.owner_admin, reported=at(2026, 3, 4, 9, 0))
    minor.priority = 3
    minor.save(update_fields=["priority"])
    board = boards([world.dukcapil])[0]
    assert board.open_urgent == 1
    html = login(world.owner_head).get(board.queue_url).content.decode()
    assert urgent.number in html and closed.number not in html and minor.number not in html


def test_introduction_and_conclusion_are_edited_and_a_blank_title_is_refused(world, login, report):
    client = login(world.owner_admin)
    url = reverse("evaluation:report_edit", args=[report.pk])
    refused = client.post(url, {"title": " ", "introduction": "Latar belakang", "conclusion": ""})
    assert refused.status_code == 400
    saved = client.post(url, {"title": report.title, "introduction": "Evaluasi semester I.", "conclusion": "Baik."})
    assert saved.status_code == 302
    report.refresh_from_db()
    assert (report.introduction, report.conclusion) == ("Evaluasi semester I.", "Baik.")


def test_the_evidence_file_is_served_only_to_who_sees_the_action(world, login, report, settings, tmp_path):
    from spbe.continuity.tests.recovering import evidence

    settings.MEDIA_ROOT = tmp_path
    action = follow_up(report)
    actions.complete_action(world.owner_admin, action, evidence_note="", evidence_file=evidence("berita-acara.pdf"))
    url = reverse("evaluation:action_evidence", args=[action.pk])
    response = login(world.owner_admin).get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert login(world.other_pd_admin).get(url).status_code == 404


def test_the_evidence_pack_downloads_from_the_maturity_page(world, login, service):
    import io
    import zipfile

    response = login(world.owner_admin).get(reverse("evaluation:evidence_pack"), {"pd": world.dukcapil.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "INDEKS.txt" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
