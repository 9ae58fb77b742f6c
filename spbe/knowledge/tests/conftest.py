"""Fixtures of the knowledge tests (issue 15)."""

from __future__ import annotations

import pytest

from spbe.knowledge.tests.factories import active_service, pj_penyedia


@pytest.fixture
def service(world):
    """Akta Kelahiran Daring of Disdukcapil Yogya, active; its administrator is ``world.owner_admin``."""
    return active_service(world)


@pytest.fixture
def writer(world):
    """The PJ Penyedia Layanan of Disdukcapil Yogya: writes articles, does not review them."""
    return pj_penyedia(world)
