"""Fixtures of the monitoring tests."""

import pytest

from spbe.monitoring.tests.reporting import at


@pytest.fixture
def now(time_machine):
    """5 Dec 2026 10:00 WIB, frozen: November is a closed month (reports, status page)."""
    time_machine.move_to(at(2026, 12, 5, 10, 0), tick=False)
    return at(2026, 12, 5, 10, 0)
