"""A Disdukcapil Yogya with a kritis service and its PJ Penyedia Layanan,
for every evaluation test."""

import pytest

from spbe.continuity.tests.factories import kritis_service, pj_penyedia


@pytest.fixture
def service(world, packs):
    return kritis_service(world)


@pytest.fixture
def pj(world):
    return pj_penyedia(world)
