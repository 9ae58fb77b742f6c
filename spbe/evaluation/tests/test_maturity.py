"""The maturity level (E-4, Tabel 14) from the records: planning lifts a PD
to level 2, every process to 3, an approved evaluation to 4, follow-up
done with evidence to 5; what is missing for the next level is named."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spbe.approvals import actions as approvals
from spbe.evaluation import actions
from spbe.evaluation.choices import ActionTarget, Chapter
from spbe.evaluation.figures import figures_of
from spbe.evaluation.maturity import assess
from spbe.evaluation.tests.factories import (
    approved_with_action,
    at,
    follow_up,
    operate,
    plan,
    report_of,
    ticket,
    write_all,
)
from spbe.policy import versions

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 10)


def level(world, pd="dukcapil", **kw):
    return assess(world.yogya, getattr(world, pd) if pd else None, start=START, end=END, today=TODAY, **kw)


@pytest.fixture
def planned(world, service):
    return plan(world, service)


@pytest.fixture
def operated(world, service, pj, planned):
    operate(world, service, pj, START)


def test_a_pd_without_planning_is_at_level_1_and_is_told_what_to_plan(world, service):
    result = level(world, "dinkes")
    assert result.level == 1 and result.name == "Rintisan"
    missing = [c.missing for c in result.next_missing]
    assert any("katalog" in m for m in missing)


def test_approved_planning_records_make_level_2_and_the_missing_processes_are_named(world, service, planned):
    result = level(world)
    assert result.level == 2 and result.name == "Terkelola"
    keys = {c.key for c in result.next_missing}
    assert {"monitoring", "recovery", "release", "user_service"} <= keys
    recovery = next(c for c in result.next_missing if c.key == "recovery")
    assert recovery.missing == "Susun dan setujui DRP untuk 1 layanan kritis."


def test_every_process_with_records_makes_level_3(world, operated):
    result = level(world)
    assert result.level == 3 and result.name == "Terstandarisasi"
    assert [c.key for c in result.next_missing] == ["evaluated"]


def _approved_report(world, pj):
    report = report_of(world)
    write_all(report, world.owner_admin)
    actions.submit(world.owner_admin, report)
    actions.approve(world.owner_head, report)
    return report


def test_an_approved_evaluation_makes_level_4_with_the_report_as_evidence(world, operated, pj):
    report = _approved_report(world, pj)
    result = level(world)
    assert result.level == 4 and result.name == "Terintegrasi dan Terukur"
    evaluated = next(c for c in result.criteria if c.key == "evaluated")
    assert evaluated.evidence[0].url == report.get_absolute_url()
    assert level(world, pd=None).level < 4  # the Pemda's own report is the Koordinator's, not a PD's


def test_a_follow_up_done_with_evidence_makes_level_5_and_an_overdue_one_takes_it_back(
    world, operated, pj, time_machine
):
    time_machine.move_to(at(2026, 7, 10, 9, 0))
    plan = world.dukcapil.recovery_plans.get()
    report, done = approved_with_action(
        world, chapter=Chapter.RECOVERY, title="Uji coba DRP ulang", target_kind=ActionTarget.DRP, drp=plan
    )
    assert level(world).level == 4
    actions.complete_action(world.owner_admin, done, evidence_note="Berita acara uji coba 3 Juli 2026")
    done.refresh_from_db()
    assert done.before_version == done.after_version == str(plan)  # the DRP was not revised meanwhile
    assert level(world).level == 5
    late = follow_up(report, chapter=Chapter.MONITORING, title="Pasang pemantauan", due_date=date(2026, 7, 1))
    result = level(world)
    assert result.level == 4
    followed = next(c for c in result.criteria if c.key == "followed_up")
    assert "lewat tenggat" in followed.missing
    late.delete()


def test_thresholds_come_from_the_pack(world, operated, pj, packs):
    """A Pemda that asks for two completed actions sees level 4 with one."""
    report = _approved_report(world, pj)
    amended = versions.amend(
        packs["kota-yogyakarta-kepwal-110-2026"],
        "evaluation.followup_min_done",
        2,
        reason="Uji",
        legal_basis="SE Wali Kota",
        actor=world.coordinator,
    )
    world.yogya.policy_version = amended
    world.yogya.save()
    follow_up(report, status="done", evidence_note="SOP v2", completed_at=at(2026, 7, 5, 9, 0))
    result = level(world)
    assert result.level == 4
    assert "minimal 2 tindak lanjut" in next(c for c in result.criteria if c.key == "followed_up").missing


def test_approval_keeps_the_figures_as_they_were(world, operated, pj, service):
    report = _approved_report(world, pj)
    frozen = report.figures["disruptions"]["total"]
    ticket(service, world.owner_admin, reported=at(2026, 5, 5, 9, 0), responded=at(2026, 5, 5, 9, 5))
    report.refresh_from_db()
    assert figures_of(report)["disruptions"]["total"] == frozen
    assert report_of(world, period=actions.Period("custom", START, END - timedelta(days=1)))  # a new draft
    approvals.revise(world.owner_admin, report)  # any path that reopens it recomputes
    report.refresh_from_db()
    assert figures_of(report)["disruptions"]["total"] == frozen + 1


def test_an_overdue_action_carried_from_an_earlier_report_still_blocks_level_5(world, operated, pj, time_machine):
    """E-2: open actions carry into the next period; a late one of last
    year's report is still owed after this semester's report is approved."""
    time_machine.move_to(at(2026, 7, 10, 9, 0))
    old = report_of(world, period=actions.Period("year", date(2025, 1, 1), date(2025, 12, 31)))
    follow_up(old, chapter=Chapter.MONITORING, title="Pasang pemantauan", due_date=date(2026, 3, 1))
    _report, done = approved_with_action(world)
    actions.complete_action(world.owner_admin, done, evidence_note="SOP v2 ditetapkan")
    assert level(world).level == 4


def test_the_dashboard_level_moves_as_soon_as_an_action_is_done(world, operated, pj, time_machine):
    """The board keeps its slow figures in the cache under a key that
    changes with the PD's reports and actions: every web process sees the
    new level at once, not ten minutes later."""
    from spbe.evaluation.dashboard import boards

    time_machine.move_to(at(2026, 7, 10, 9, 0))
    _report, action = approved_with_action(world)
    assert boards([world.dukcapil])[0].level == 4
    time_machine.shift(timedelta(seconds=1))
    actions.complete_action(world.owner_admin, action, evidence_note="SOP v2 ditetapkan")
    assert boards([world.dukcapil])[0].level == 5
