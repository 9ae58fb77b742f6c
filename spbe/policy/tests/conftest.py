import pytest

from spbe.policy.pack import bundled_packs
from spbe.policy.versions import load_pack_file


@pytest.fixture
def packs(world):
    """Both bundled packs loaded; Tegal and Yogyakarta point at theirs."""
    loaded = {v.slug: v for v in (load_pack_file(path)[0] for path in bundled_packs())}
    world.tegal.policy_version = loaded["kabupaten-tegal-perbup-10-2024"]
    world.tegal.save()
    world.yogya.policy_version = loaded["kota-yogyakarta-kepwal-110-2026"]
    world.yogya.save()
    return loaded
