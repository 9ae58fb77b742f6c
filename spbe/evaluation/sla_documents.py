"""Evaluation of one SLA document (E-3, E-2 point 7): every commitment it
makes against what was achieved in the period, the breaches, and its
contract value so quality can be weighed against budget.

Commitments (E-3):

* **response within working hours**: tickets reported while the Pemda's
  working calendar is open, judged by their E-3 response clock;
* **response outside working hours**: tickets reported while it is closed
  must be answered by the end of the next working day (the local day of
  the calendar's next opening);
* **resolution per urgency** 1, 2 and 3: the E-3 resolution clocks;
* **on-site support** for urgency 1 (≤ 2 × 24 h): the application records
  no site visits, so the commitment is listed with its value and "not
  measured" (docs/evaluation.md says so).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from spbe.clocks.choices import ClockKind, ClockState
from spbe.clocks.models import Clock
from spbe.desk.models import Ticket
from spbe.policy.calendars import NoPolicy, working_calendar
from spbe.sla import engine

BREACH_LIMIT = 20


def _hours(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


States = dict[tuple[str, int | None], dict[str, int]]


def clock_states(documents, start: datetime, end: datetime) -> dict[int, States]:
    """Per document: (clock kind, urgency) -> met / breached E-3 clocks of
    the period's tickets, for every document in one GROUP BY."""
    rows = (
        Clock.objects.filter(
            owner_type=ContentType.objects.get_for_model(Ticket),
            kind__in=[ClockKind.SLA_RESPONSE, ClockKind.SLA_RESOLUTION],
            ticket__sla_document__in=[d.pk for d in documents],
            ticket__reported_at__gte=start,
            ticket__reported_at__lt=end,
        )
        .values("ticket__sla_document_id", "kind", "ticket__urgency")
        .annotate(
            met=Count("id", filter=Q(state=ClockState.MET)), breached=Count("id", filter=Q(state=ClockState.BREACHED))
        )
        .order_by()
    )
    states: dict[int, States] = defaultdict(dict)
    for r in rows:
        states[r["ticket__sla_document_id"]][(r["kind"], r["ticket__urgency"])] = {
            "met": r["met"], "breached": r["breached"]}  # fmt: skip
    return states


def _out_of_hours(document, pemda, start: datetime, end: datetime, now: datetime) -> dict:
    """Tickets reported outside working hours and whether each was answered
    by the end of the next working day."""
    counts = {"in_hours": 0, "out_of_hours": 0, "out_met": 0, "out_breached": 0}
    try:
        calendar = working_calendar(pemda)
    except NoPolicy:
        return counts
    zone = ZoneInfo(pemda.time_zone)
    today = now.astimezone(zone).date()
    tickets = Ticket.objects.filter(sla_document=document, reported_at__gte=start, reported_at__lt=end)
    for reported_at, responded_at in tickets.values_list("reported_at", "first_response_at").iterator():
        if engine.is_open(reported_at, calendar):
            counts["in_hours"] += 1
            continue
        counts["out_of_hours"] += 1
        last_day = engine.next_opening(reported_at, calendar).astimezone(zone).date()
        if responded_at is not None and responded_at.astimezone(zone).date() <= last_day:
            counts["out_met"] += 1
        elif responded_at is not None or today > last_day:
            counts["out_breached"] += 1
    return counts


def _breaches(document, start: datetime, end: datetime) -> list[dict]:
    breached = Clock.objects.filter(
        owner_type=ContentType.objects.get_for_model(Ticket),
        kind__in=[ClockKind.SLA_RESPONSE, ClockKind.SLA_RESOLUTION],
        state=ClockState.BREACHED,
        ticket__sla_document=document,
        ticket__reported_at__gte=start,
        ticket__reported_at__lt=end,
    ).order_by("-due_at")
    rows = breached.values("kind", "due_at", "ticket__pk", "ticket__number", "ticket__subject", "ticket__urgency")
    return [
        {
            "ticket": r["ticket__pk"],
            "number": r["ticket__number"],
            "subject": r["ticket__subject"],
            "urgency": r["ticket__urgency"],
            "commitment": r["kind"],
            "due_at": r["due_at"].isoformat(),
        }
        for r in rows[:BREACH_LIMIT]
    ]


def evaluate(document, subject, now: datetime, states: States) -> dict:
    """The document's commitments against the period's tickets (E-3);
    ``states`` are its clocks (``clock_states``)."""
    start, end = subject.bounds
    pack = subject.pemda.policy_version.pack if subject.pemda.policy_version_id else None
    response = defaultdict(int)
    for (kind, _urgency), counts in states.items():
        if kind == ClockKind.SLA_RESPONSE:
            response["met"] += counts["met"]
            response["breached"] += counts["breached"]
    hours = _out_of_hours(document, subject.pemda, start, end, now)
    resolution = []
    for urgency in (1, 2, 3):
        counts = states.get((ClockKind.SLA_RESOLUTION, urgency), {"met": 0, "breached": 0})
        resolution.append({"urgency": urgency, "target_hours": _hours(document.resolution_for(urgency)), **counts})
    measured = response["met"] + response["breached"] + sum(r["met"] + r["breached"] for r in resolution)
    kept = response["met"] + sum(r["met"] for r in resolution)
    return {
        "id": document.pk,
        "title": document.title,
        "pd": document.pd.name,
        "vendor": document.vendor,
        "contract_number": document.contract_number,
        "contract_value": None if document.contract_value is None else int(document.contract_value),
        "valid_from": document.valid_from.isoformat(),
        "valid_to": document.valid_to.isoformat(),
        "tickets": hours["in_hours"] + hours["out_of_hours"],
        "response": {
            "target_hours": _hours(document.response_target),
            "met": response["met"],
            "breached": response["breached"],
            "in_hours": hours["in_hours"],
        },
        "out_of_hours": {"tickets": hours["out_of_hours"], "met": hours["out_met"], "breached": hours["out_breached"]},
        "resolution": resolution,
        "on_site_hours": _hours(pack.sla_on_site_response) if pack else None,
        "kept_percent": round(100 * kept / measured, 1) if measured else None,
        "breaches": _breaches(document, start, end),
    }
