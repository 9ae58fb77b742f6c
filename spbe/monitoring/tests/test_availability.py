"""Availability figures (O-4 item 4, P-4 item 11): the formula checked
against hand-computed months, outages across month boundaries, degraded
time, maintenance, when monitoring began, and the fixed number of queries
of the daily bars and of the catalog's refresh."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spbe.catalog.models import Service
from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication
from spbe.monitoring import availability as av
from spbe.monitoring.tests.reporting import WIB, at, make_service, outage, watch, window

NOVEMBER = date(2026, 11, 1)


def math_floor3(value: float) -> str:
    """A figure as the module shows it: rounded down to three decimals."""
    return f"{math.floor(value * 1000) / 1000:.3f}"


@pytest.fixture
def december(time_machine):
    time_machine.move_to(at(2026, 12, 5, 10, 0), tick=False)


@pytest.fixture
def service(world):
    service = make_service(world.dukcapil)
    watch(service, at(2026, 10, 1))
    return service


def test_interval_arithmetic():
    t = [at(2026, 11, 1, h) for h in range(12)]
    assert av.merge([(t[3], t[5]), (t[1], t[2]), (t[4], t[6]), (t[2], t[3]), (t[7], t[7])]) == [(t[1], t[6])]
    assert av.subtract([(t[1], t[6]), (t[8], t[10])], [(t[0], t[2]), (t[3], t[4]), (t[9], t[11])]) == [
        (t[2], t[3]), (t[4], t[6]), (t[8], t[9])]  # fmt: skip
    assert av.total(av.clip([(t[0], t[5])], t[2], t[3])) == timedelta(hours=1)


def test_thirty_day_month_with_three_hours_down_one_inside_maintenance(world, service, december):
    """November (720 h): down 10:00–13:00 WIB on the 12th, maintenance
    12:00–14:00. Unavailable 2 h; the denominator drops the 2 h of
    maintenance: 100 × (1 − 120 / 43 080) = 99.72144… → 99.721."""
    outage(service, at(2026, 11, 12, 10), at(2026, 11, 12, 13))
    window([service], at(2026, 11, 12, 12), at(2026, 11, 12, 14))
    figure = av.month_availability(service, NOVEMBER)
    assert figure.downtime == timedelta(hours=2)
    assert figure.maintenance == timedelta(hours=2)
    assert figure.measured == timedelta(hours=718)
    assert figure.exact == Fraction(100) * (43080 - 120) / 43080
    assert figure.percent == Decimal("99.721")
    assert (figure.downtime_minutes, figure.maintenance_minutes) == (120, 120)
    assert figure.target == Decimal("99.5") and figure.met is True
    assert len(figure.outages) == 1 and figure.outages[0].duration == timedelta(hours=3)
    service.availability_target = Decimal("99.75")
    assert av.month_availability(service, NOVEMBER).met is False


def test_outage_across_a_month_boundary_is_split_in_the_pemda_zone(world, service, december):
    """31 Oct 23:00 – 1 Nov 01:00 WIB: one hour in each month. In UTC the
    whole outage would fall in October (16:00–18:00 UTC)."""
    outage(service, at(2026, 10, 31, 23), at(2026, 11, 1, 1))
    october = av.month_availability(service, date(2026, 10, 1))
    november = av.month_availability(service, NOVEMBER)
    assert october.downtime == november.downtime == timedelta(hours=1)
    assert november.percent == Decimal(math_floor3(100 * (1 - 1 / 720)))
    assert october.percent == Decimal(math_floor3(100 * (1 - 1 / 744)))
    assert november.outages[0].start == at(2026, 11, 1, 0)


def test_degraded_counts_as_available_but_is_reported(world, service, december):
    outage(service, at(2026, 11, 3, 8), at(2026, 11, 3, 13), state="degraded")
    figure = av.month_availability(service, NOVEMBER)
    assert figure.percent == Decimal("100.000") and figure.met is True
    assert figure.downtime == timedelta(0)
    assert figure.degraded == timedelta(hours=5) and figure.degraded_minutes == 300


def test_an_open_outage_counts_until_now_in_the_month_in_progress(world, service, time_machine):
    time_machine.move_to(at(2026, 11, 22, 9, 0), tick=False)
    outage(service, at(2026, 11, 22, 8, 0), None)
    figure = av.month_availability(service, NOVEMBER)
    assert figure.measured_until == at(2026, 11, 22, 9, 0)
    assert figure.downtime == timedelta(hours=1)
    measured_hours = 21 * 24 + 9
    assert figure.measured == timedelta(hours=measured_hours)
    assert figure.percent == Decimal(math_floor3(100 * (1 - 1 / measured_hours)))
    assert figure.outages[0].ongoing


def test_only_time_since_monitoring_began_counts(world, december):
    """Watched from 16 November: 15 days measured, 3 h down."""
    service = make_service(world.dukcapil)
    watch(service, at(2026, 11, 16))
    outage(service, at(2026, 11, 20, 1), at(2026, 11, 20, 4))
    figure = av.month_availability(service, NOVEMBER)
    assert figure.partial and figure.measured_from == at(2026, 11, 16)
    assert figure.percent == Decimal(math_floor3(100 * (1 - 3 / 360)))
    assert av.month_availability(service, date(2026, 10, 1)).percent is None  # before monitoring began


def test_no_figure_without_monitoring_or_when_all_was_maintenance(world, service, december):
    unwatched = make_service(world.dukcapil, name="Tanpa pemantauan")
    figure = av.month_availability(unwatched, NOVEMBER)
    assert figure.percent is None and figure.met is None and figure.measured_from is None
    window([service], at(2026, 11, 1), at(2026, 12, 1))
    figure = av.month_availability(service, NOVEMBER)
    assert figure.percent is None and figure.met is None and figure.maintenance == timedelta(days=30)
    assert av.month_availability(service, date(2027, 1, 1)).percent is None  # the future


def test_checks_on_applications_and_components_underneath_count(world, december):
    """Monitoring of a service also begins with a check on its application or
    on a component the application runs on or depends on (as in outages)."""
    service = make_service(world.dukcapil)
    app = Application.objects.create(pd=world.dukcapil, name="SIAK", hosting="pdn")
    ServiceApplication.objects.create(service=service, application=app)
    server = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="VM-1", kind="vm")
    switch = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="Switch", kind="network")
    app.components.add(server)
    ComponentDependency.objects.create(component=server, depends_on=switch)
    watch(switch, at(2026, 11, 10))
    cover = av.coverage([service.pk])[service.pk]
    assert cover.monitored and cover.since == at(2026, 11, 10)
    watch(app, at(2026, 11, 5))
    assert av.coverage([service.pk])[service.pk].since == at(2026, 11, 5)
    assert av.coverage([service.pk])[service.pk].checks == 2


def test_daily_bars_use_a_fixed_number_of_queries(world, december):
    """The 12th: 2 h down out of 22 h outside maintenance → 90.909 %."""
    few = [make_service(world.dukcapil, name=f"Layanan {i}") for i in range(2)]
    for s in few:
        watch(s, at(2026, 8, 1))
    outage(few[0], at(2026, 11, 12, 10), at(2026, 11, 12, 13))
    window([few[0]], at(2026, 11, 12, 12), at(2026, 11, 12, 14))
    with CaptureQueriesContext(connection) as small:
        bars = av.daily_bars(few, days=90, zone=WIB)
    many = few + [make_service(world.dinkes, name=f"Lain {i}") for i in range(8)]
    for s in many[2:]:
        watch(s, at(2026, 8, 1))
    with CaptureQueriesContext(connection) as large:
        av.daily_bars(many, days=90, zone=WIB)
    assert len(large) == len(small) <= 7
    row = bars[few[0].pk]
    assert len(row) == 90 and row[-1].day == date(2026, 12, 5) and row[0].day == date(2026, 9, 7)
    (bar,) = [b for b in row if b.day == date(2026, 11, 12)]
    assert bar.percent == Decimal("90.909") and bar.level == "major"
    assert all(b.level == "ok" for b in bars[few[1].pk])


def test_refresh_writes_the_rolling_thirty_days_to_the_catalog(world, service, december):
    """P-4 item 11: 1 h down in the last 30 days = 100 × (1 − 1/720)."""
    outage(service, at(2026, 11, 20, 1), at(2026, 11, 20, 2))
    outage(service, at(2026, 10, 20, 1), at(2026, 10, 20, 9))  # older than 30 days
    unwatched = make_service(world.dinkes, availability_current=Decimal("99.9"))  # a stale figure
    assert av.refresh_current_availability() == 2
    service.refresh_from_db()
    unwatched.refresh_from_db()
    assert service.availability_current == Decimal(math_floor3(100 * (1 - 1 / 720)))
    assert unwatched.availability_current is None
    assert av.refresh_current_availability() == 0  # nothing changed, nothing written
    for i in range(5):
        watch(make_service(world.dinkes, name=f"Baru {i}"), at(2026, 11, 1))
    with CaptureQueriesContext(connection) as queries:
        av.refresh_current_availability()
    assert len(queries) <= 10
    assert Service.objects.filter(availability_current=Decimal("100")).count() == 5
