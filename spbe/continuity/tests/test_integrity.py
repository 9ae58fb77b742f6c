"""What keeps recovery records consistent (O-5, P-5): one DRP in force per
service, a revision stays in its PD, a DRP holds one Pemda's records only,
an activation starts from a flagged complaint, a recovery outlives the
version it started with, and nothing of a refused step reaches storage."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from spbe.approvals import actions as approvals
from spbe.cmdb.models import Component
from spbe.continuity import actions
from spbe.continuity.actions import PlanScope
from spbe.continuity.models import RecoveryPlan, StepEvidence
from spbe.continuity.tests.factories import CONTACTS, STEPS, draft_plan
from spbe.continuity.tests.recovering import complaint, evidence, flagged_complaint, walk, wib
from spbe.monitoring.models import Check, HeartbeatPing
from spbe.notify.models import OutboxMessage


def errors_of(error: pytest.ExceptionInfo) -> dict:
    return error.value.message_dict


class TestOneDrpInForce:
    def test_a_second_drp_for_a_covered_service_is_not_submitted(self, world, plan, service):
        second = draft_plan(world, service, title="DRP kedua")
        with pytest.raises(ValidationError, match="sudah dicakup DRP Pencetakan KTP-el"):
            approvals.submit(world.vendor, second)

    def test_a_revision_is_submitted_beside_the_version_it_replaces(self, world, plan):
        revision = actions.revise_plan(world.vendor, plan)
        approvals.submit(world.vendor, revision)
        assert revision.status == "submitted"

    def test_a_revision_stays_with_the_pd_of_the_drp_it_revises(self, world, plan):
        revision = actions.revise_plan(world.vendor, plan)
        revision.pd = world.dinkes
        with pytest.raises(ValidationError) as error:
            actions.save_plan(world.vendor, revision, PlanScope([]), CONTACTS, STEPS)
        assert "Revisi DRP tetap milik PD versi sebelumnya." in errors_of(error)["pd"]
        revision.refresh_from_db()
        assert revision.pd == world.dukcapil


class TestOnePemda:
    def test_components_and_the_backup_check_of_another_pemda_are_refused(self, world, service):
        tegal_server = Component.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, name="srv-tegal", kind="vm")
        tegal_check = Check.objects.create(pemda=world.tegal, pd=world.tegal_kominfo, component=tegal_server,
                                           name="Cadangan Tegal", kind="heartbeat", interval_seconds=86400)  # fmt: skip
        plan = RecoveryPlan(
            pd=service.pd, title="DRP campur", rpo_value=1, rpo_unit="hari", rto_value=4, rto_unit="jam",
            backup_method="pg_dump", backup_frequency="harian", recovery_site="pdn", disaster_conditions="padam",
            backup_check=tegal_check,
        )  # fmt: skip
        with pytest.raises(ValidationError) as error:
            actions.save_plan(world.sysadmin, plan, PlanScope([service], [], [tegal_server]), CONTACTS, STEPS)
        assert set(errors_of(error)) == {"components", "backup_check"}
        assert not RecoveryPlan.objects.exists()


class TestActivationOrigin:
    def test_an_unflagged_complaint_does_not_open_an_activation(self, world, plan, service, now):
        ticket = complaint(world, service, reported_at=wib(7, 10))
        with pytest.raises(ValidationError) as error:
            actions.open_activation(world.vendor, plan, "Padam", ticket)
        assert "ticket" in errors_of(error)

    def test_a_flagged_complaint_opens_one(self, world, plan, service, now):
        ticket = flagged_complaint(world, service, reported_at=wib(7, 10))
        recovery = actions.open_activation(world.vendor, plan, "Padam", ticket)
        assert list(recovery.complaints.all()) == [ticket]

    @pytest.mark.parametrize("value", ["abc", "1x", "-1"])
    def test_a_malformed_complaint_id_is_not_found(self, world, plan, login, value):
        response = login(world.vendor).get(reverse("continuity:activation_create"), {"aduan": value})
        assert response.status_code == 404


@pytest.fixture
def backed_up(check):
    """The nightly backup pinged at 01:00 on the disaster's day."""
    HeartbeatPing.objects.create(check_ref=check, at=wib(1, 0))
    return check


@pytest.mark.usefixtures("backed_up")
class TestAVersionReplacedMeanwhile:
    def test_step_six_revises_the_version_in_force_and_step_seven_accepts_it(
        self, world, plan, kabid, activation, time_machine
    ):
        walk(world.vendor, activation, 5)
        v2 = actions.revise_plan(world.vendor, plan)  # revised from the DRP page while the recovery ran
        approvals.submit(world.vendor, v2)
        approvals.approve(kabid, v2)
        walk(world.vendor, activation, 6, step6={"open_revision": True})
        assert activation.revision_plan.revision == 3 and activation.revision_plan.previous == v2
        v3 = activation.revision_plan
        approvals.submit(world.vendor, v3)
        approvals.approve(kabid, v3)
        v4 = actions.revise_plan(world.vendor, v3)
        approvals.submit(world.vendor, v4)
        approvals.approve(kabid, v4)  # v3 is superseded too: still approved, so step 7 ratifies it
        assert walk(world.vendor, activation, 7).status == "closed"

    def test_a_refused_step_leaves_no_evidence_file(self, world, plan, kabid, activation, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        walk(world.vendor, activation, 5)
        RecoveryPlan.objects.filter(pk=plan.pk).update(superseded_at=wib(9))  # no version in force any more
        with pytest.raises(ValidationError) as error:
            walk(world.vendor, activation, 6, step6={"open_revision": True, "files": [evidence()]})
        assert "open_revision" in errors_of(error)
        assert not StepEvidence.objects.exists()
        assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_the_disaster_mail_gives_the_pemdas_time_and_the_target_in_hours(world, plan, activation, kabid):
    walk(world.vendor, activation, 3)
    message = OutboxMessage.objects.get(key=f"recovery-{activation.pk}-declared")
    assert "05-12-2026 08:30 WIB" in message.body and "Target RTO: 4 jam" in message.body


def test_the_overview_asks_to_complete_drps_moved_from_uploaded_files(world, plan, login):
    RecoveryPlan.objects.filter(pk=plan.pk).update(migrated_from_file=True)
    page = login(world.coordinator).get(reverse("continuity:overview"))
    assert [p.pk for p in page.context["overview"].to_complete] == [plan.pk]
    assert "perlu dilengkapi" in page.content.decode()


def test_an_activation_in_a_wita_pemda_is_typed_in_wita(world, plan, activation, login):
    world.yogya.time_zone = "Asia/Makassar"
    world.yogya.save(update_fields=["time_zone"])
    client = login(world.sysadmin)  # no Pemda of their own: WIB by default
    response = client.post(
        reverse("continuity:recovery_step", args=[activation.pk, 1]),
        {"langkah-at": "2026-12-05T09:00", "langkah-notes": "Ruang server diperiksa"},
    )
    assert response.status_code == 302
    assert activation.steps.get().at == wib(8, 0)  # 09:00 WITA is 08:00 WIB
