"""The recap of each chapter (E-2 point 6) computed from the records: what
is counted, what is left out of the period, which service met its target,
and the SLA document's commitments against what was achieved (E-3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from spbe.desk.choices import TicketKind
from spbe.desk.models import SlaDocument
from spbe.evaluation.figures import Subject, compute
from spbe.evaluation.tests.factories import at, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def semester(world):
    return Subject(world.yogya, world.dukcapil, date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture
def handled(world, service):
    """Complaint 1 answered in 5 min and solved the same morning (rated 5);
    complaint 2 answered after 2 h and solved a week later (rated 2, disk
    full); a request fulfilled in an hour; a complaint in July (next period)."""
    on_time = ticket(service, world.owner_admin, reported=at(2026, 3, 2, 9, 0), responded=at(2026, 3, 2, 9, 5),
                     resolved=at(2026, 3, 2, 10, 0), rating=5)  # fmt: skip
    late = ticket(service, world.owner_admin, reported=at(2026, 3, 3, 9, 0), responded=at(2026, 3, 3, 11, 0),
                  resolved=at(2026, 3, 10, 9, 0), rating=2, cause="Disk server penuh")  # fmt: skip
    request = ticket(service, world.owner_admin, TicketKind.REQUEST, reported=at(2026, 4, 1, 9, 0),
                     resolved=at(2026, 4, 1, 10, 0))  # fmt: skip
    ticket(service, world.owner_admin, reported=at(2026, 7, 1, 9, 0), responded=at(2026, 7, 1, 9, 5))
    return on_time, late, request


def test_complaints_are_counted_by_priority_with_their_clocks(semester, handled):
    figures = compute(semester)["disruptions"]
    assert figures["total"] == 2  # July's complaint is in the next period
    (p1,) = figures["by_priority"]
    assert p1["priority"] == 1
    assert (p1["response_met"], p1["response_breached"]) == (1, 1)  # P-3: 15 minutes for P1
    assert (p1["p1_met"], p1["p1_breached"]) == (1, 1)  # P-1: 24 working hours for this service
    assert figures["response_percent"] == 50.0


def test_a_service_meets_its_target_only_when_enough_of_its_clocks_were_met(semester, handled, service):
    figures = compute(semester)
    (verdict,) = figures["disruptions"]["per_service"]
    assert verdict["service"] == service.pk
    assert verdict["percent"] == 50.0 and verdict["met"] is False  # 2 of 4 clocks, pack threshold 90 %
    assert (figures["disruptions"]["services_met"], figures["disruptions"]["services_measured"]) == (0, 1)
    assert (figures["requests"]["services_met"], figures["requests"]["services_measured"]) == (1, 1)


def test_breached_tickets_are_listed_with_their_cause(semester, handled):
    _on_time, late, _request = handled
    breached = compute(semester)["disruptions"]["breached"]
    assert [(b["number"], b["cause"]) for b in breached] == [(late.number, "Disk server penuh")]


def test_requests_and_satisfaction(semester, handled):
    figures = compute(semester)
    assert figures["requests"]["total"] == 1 and figures["requests"]["confirmed"] == 1
    assert figures["requests"]["p1_percent"] == 100.0
    assert figures["satisfaction"]["average"] == 3.5 and figures["satisfaction"]["count"] == 2
    assert figures["satisfaction"]["by_month"] == [{"month": "2026-03", "average": 3.5, "count": 2}]


def test_another_pd_and_the_pemda_see_their_own_figures(world, semester, handled):
    other = compute(Subject(world.yogya, world.dinkes, date(2026, 1, 1), date(2026, 6, 30)))
    assert other["disruptions"]["total"] == 0 and other["services"] == {}
    pemda = compute(Subject(world.yogya, None, date(2026, 1, 1), date(2026, 6, 30)))
    assert pemda["disruptions"]["total"] == 2
    tegal = compute(Subject(world.tegal, None, date(2026, 1, 1), date(2026, 6, 30)))
    assert tegal["disruptions"]["total"] == 0


def test_kritis_service_without_drp_is_a_fact_of_the_recovery_chapter(semester, service):
    recovery = compute(semester)["recovery"]
    assert recovery["kritis_without_drp"] == [service.pk]


def test_sla_document_commitments_against_what_was_achieved(world, service, semester):
    """E-3: a response within working hours in 3 h; outside them by the next
    working day; the contract value is shown for quality against budget."""
    document = SlaDocument.objects.create(
        pemda=world.yogya, pd=world.dukcapil, title="SLA SIAK 2026", vendor="PT Data Solusi",
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), response_target=timedelta(hours=3),
        resolution_1=timedelta(hours=48), resolution_2=timedelta(hours=72), resolution_3=timedelta(hours=120),
        contract_value=150_000_000,
    )  # fmt: skip
    document.services.add(service)
    ticket(service, world.owner_admin, reported=at(2026, 5, 5, 9, 0), responded=at(2026, 5, 5, 10, 0))
    # Saturday 9 May: answered Monday (the next working day) and Tuesday (late)
    ticket(service, world.owner_admin, reported=at(2026, 5, 9, 10, 0), responded=at(2026, 5, 11, 8, 0))
    ticket(service, world.owner_admin, reported=at(2026, 5, 9, 11, 0), responded=at(2026, 5, 12, 8, 0))
    (evaluated,) = compute(semester)["sla"]["documents"]
    assert evaluated["contract_value"] == 150_000_000
    assert evaluated["tickets"] == 3
    assert evaluated["response"]["in_hours"] == 1 and evaluated["response"]["met"] >= 1
    assert evaluated["out_of_hours"] == {"tickets": 2, "met": 1, "breached": 1}
