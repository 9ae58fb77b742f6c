"""Fixtures of the continuity tests (O-5): the frozen noon of the disaster
day, the kritis service, its backup heartbeat, the PJ Penyedia Layanan,
the DRP in force and the assessment opened at 07:55. A module that defines
a fixture of the same name keeps its own."""

from __future__ import annotations

import pytest

from spbe.continuity import actions
from spbe.continuity.tests.factories import approved_plan, kritis_service, pj_penyedia
from spbe.continuity.tests.recovering import NOW, heartbeat_check, opened


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def activation(world, plan, now, time_machine):
    """The assessment of the flood in the server room, opened at 07:55."""
    return opened(time_machine, actions.open_activation, world.vendor, plan, "Ruang server terendam")


@pytest.fixture
def kabid(world):
    """The PJ Penyedia Layanan of Disdukcapil Yogya, who approves its DRPs."""
    return pj_penyedia(world)


@pytest.fixture
def service(world, packs):
    """Pencetakan KTP-el: kritis, active, public; RPO 1 day, RTO 4 h."""
    return kritis_service(world)


@pytest.fixture
def check(service):
    return heartbeat_check(service)


@pytest.fixture
def plan(world, service, kabid, check):
    """The DRP in force (v1, approved), watched by the backup heartbeat."""
    return approved_plan(world, service, kabid, backup_check=check)
