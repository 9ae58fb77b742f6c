"""Packs as versions in the database: loading, amending, confirming (P-1,
P-3), and that nothing half-loaded is ever left behind."""

import tomllib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from spbe.audit.models import AuditEvent
from spbe.policy import versions
from spbe.policy.models import PolicyVersion
from spbe.policy.pack import PackError, bundled_packs

TEGAL = "kabupaten-tegal-perbup-10-2024"


def test_loading_the_same_file_twice_creates_one_version(db):
    path = next(p for p in bundled_packs() if p.stem == TEGAL)
    first, created = versions.load_pack_file(path)
    again, created_again = versions.load_pack_file(path)
    assert created and not created_again
    assert first == again
    assert PolicyVersion.objects.filter(slug=TEGAL).count() == 1


def test_a_bad_file_leaves_nothing_in_the_database(db, tmp_path):
    source = next(p for p in bundled_packs() if p.stem == TEGAL).read_text()
    broken = tmp_path / "rusak.toml"
    broken.write_text(source.replace('P3 = "1h"', 'P3 = "satu jam"').replace("kritis = 1,", "kritis = 9,"))
    with pytest.raises(CommandError):
        call_command("load_policy_packs", str(broken))
    assert PolicyVersion.objects.count() == 0


def test_check_prints_each_problem_with_file_and_key(db, tmp_path, capsys):
    source = next(p for p in bundled_packs() if p.stem == TEGAL).read_text()
    broken = tmp_path / "rusak.toml"
    broken.write_text(source.replace('P3 = "1h"', 'P3 = "satu jam"'))
    with pytest.raises(CommandError):
        call_command("load_policy_packs", str(broken), "--check")
    assert "rusak.toml: response_targets.P3: 'satu jam' is not a duration" in capsys.readouterr().err


class TestAmend:
    def test_amending_creates_a_new_version_with_reason_basis_and_diff(self, world, packs):
        old = packs[TEGAL]
        new = versions.amend(
            old, "response_targets.P1", "10m", reason="Percepatan layanan kritis",
            legal_basis="Perbup Tegal No. 3 Tahun 2026", actor=world.tegal_coordinator, pemda=world.tegal,
        )  # fmt: skip
        assert new.number == 2
        assert new.previous == old
        assert new.pack.response_target(1) == timedelta(minutes=10)
        assert old.pack.response_target(1) == timedelta(minutes=15)  # history is not rewritten
        assert new.data["response_targets"]["source"] == "amended"
        assert ("response_targets.P1", "15m", "10m") in versions.diff(old.data, new.data)
        assert AuditEvent.objects.filter(target_type="policy.policyversion", target_id=str(new.pk)).exists()

    def test_an_invalid_amendment_creates_nothing(self, world, packs):
        with pytest.raises(PackError):
            versions.amend(
                packs[TEGAL], "working_hours.monday", ["13:00-12:00"], reason="x", legal_basis="y",
                actor=world.tegal_coordinator,
            )  # fmt: skip
        assert PolicyVersion.objects.filter(slug=TEGAL).count() == 1

    def test_an_amendment_needs_a_reason(self, world, packs):
        with pytest.raises(PackError):
            versions.amend(packs[TEGAL], "response_targets.P1", "10m", reason=" ", legal_basis="y", actor=None)

    def test_list_items_are_amended_by_index(self, world, packs):
        new = versions.amend(
            packs[TEGAL], "sla_document.urgency.2.resolution", "96h", reason="SLA baru", legal_basis="Kontrak 2026",
            actor=world.tegal_coordinator,
        )  # fmt: skip
        assert new.pack.sla_resolution[3] == timedelta(hours=96)

    def test_confirming_the_default_cell(self, world, packs):
        path = "user_service_targets.cells.layanan_publik.normal"
        new = versions.confirm_default(
            packs[TEGAL], path, reason="Disepakati rapat", legal_basis="Notulen 12/2026", actor=world.tegal_coordinator
        )
        target = new.pack.user_service_target("layanan_publik", "normal")
        assert not target.needs_confirmation
        assert target.source == "confirmed"
        with pytest.raises(PackError):
            versions.confirm_default(new, path, reason="lagi", legal_basis="-", actor=None)


def test_pack_file_round_trips_through_the_database(db):
    """What is stored (dates as text) validates to the same pack as the file."""
    path = next(p for p in bundled_packs() if p.stem == TEGAL)
    version, _ = versions.load_pack_file(path)
    with path.open("rb") as handle:
        from spbe.policy.pack import validate

        from_file = validate(tomllib.load(handle))
    stored = PolicyVersion.objects.get(pk=version.pk).pack
    assert stored.priority_matrix == from_file.priority_matrix
    assert stored.enacted_on == from_file.enacted_on
    assert stored.working_hours == from_file.working_hours


def test_a_version_is_parsed_once_and_an_amendment_gets_its_own_pack(db):
    """Every request loads its own PolicyVersion row; the parsed pack is kept
    per content hash (issue 5, Speed), so an amended version, whose content
    differs, never sees the pack of the version it came from."""
    path = next(p for p in bundled_packs() if p.stem == TEGAL)
    version, _created = versions.load_pack_file(path)
    loaded_twice = [PolicyVersion.objects.get(pk=version.pk) for _ in range(2)]
    assert loaded_twice[0].pack is loaded_twice[1].pack
    amended = versions.amend(version, "response_targets.P1", "10m", reason="Uji", legal_basis="Perbup 1", actor=None)
    fresh = PolicyVersion.objects.get(pk=amended.pk)
    assert fresh.pack.response_target(1) == timedelta(minutes=10)
    assert PolicyVersion.objects.get(pk=version.pk).pack.response_target(1) == timedelta(minutes=15)
