"""Starting, pausing, resuming, stopping and checking SLA clocks (P-1, P-3,
E-3). Every change writes a ClockEvent; a warning and a breach are recorded
once, however often the check runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from spbe.clocks.choices import ClockEventKind, ClockState
from spbe.clocks.models import Clock, ClockEvent
from spbe.clocks.signals import clock_events
from spbe.policy.calendars import calendar_for
from spbe.sla import engine


class ClockError(ValueError):
    """A clock operation that does not fit the clock's state or pack."""


def _engine_calendar(clock: Clock) -> engine.Calendar:
    return calendar_for(clock.pemda, clock.calendar)


def _next_check(clock: Clock, cal: engine.Calendar) -> datetime | None:
    """The next instant something can happen: an unfired warning threshold
    or the due instant. None when the clock is not running."""
    if clock.state != ClockState.RUNNING:
        return None
    pauses = clock.pause_intervals()
    instants = [
        engine.deadline(clock.started_at, clock.target * threshold / 100, cal, pauses)
        for threshold in clock.warning_thresholds
        if threshold not in clock.warnings_fired
    ]
    instants.append(clock.due_at)
    return min(instants)


def start_clock(
    *, pemda, kind: str, target: timedelta, started_at: datetime, calendar: str | None = None, owner=None
) -> Clock:
    """Start a clock on the Pemda's active pack version. ``calendar`` is the
    calendar name; when omitted, the pack says which one this kind uses
    (a pack value of ``support_hours`` needs the service's own calendar)."""
    version = pemda.policy_version
    if version is None:
        raise ClockError(f"{pemda.name} has no policy pack")
    pack = version.pack
    calendar = calendar or pack.clock_calendars[kind]
    if calendar == "support_hours":
        raise ClockError("this pack runs the clock on the service's support hours: pass the service's calendar")
    cal = calendar_for(pemda, calendar)
    clock = Clock(
        pemda=pemda, kind=kind, policy_version=version, calendar=calendar, target=target, started_at=started_at,
        due_at=engine.deadline(started_at, target, cal), warning_thresholds=list(pack.warning_thresholds),
        owner=owner,
    )  # fmt: skip
    clock.next_check_at = _next_check(clock, cal)
    # Part of the caller's transaction when there is one: no savepoint round trips.
    with transaction.atomic(savepoint=False):
        clock.save()
        ClockEvent.objects.create(clock=clock, kind=ClockEventKind.STARTED, at=started_at)
    return clock


@transaction.atomic
def pause_clock(clock: Clock, at: datetime) -> Clock:
    """Waiting for the reporter: stops the clock if the pack says this kind
    pauses; otherwise it keeps running (and nothing is recorded)."""
    clock = Clock.objects.select_for_update().get(pk=clock.pk)
    if clock.state != ClockState.RUNNING or clock.kind not in clock.policy_version.pack.paused_while_waiting:
        return clock
    clock.pauses = [*clock.pauses, [at.isoformat(), None]]
    clock.state = ClockState.PAUSED
    clock.next_check_at = None
    clock.save()
    ClockEvent.objects.create(clock=clock, kind=ClockEventKind.PAUSED, at=at)
    return clock


def _close_pause(clock: Clock, at: datetime) -> None:
    start, _ = clock.pauses[-1]
    if at < datetime.fromisoformat(start):
        raise ClockError("a pause cannot end before it starts")
    clock.pauses = [*clock.pauses[:-1], [start, at.isoformat()]]


@transaction.atomic
def resume_clock(clock: Clock, at: datetime) -> Clock:
    """The reporter answered: the clock runs again and its due instant moves
    later by the paused business time."""
    clock = Clock.objects.select_for_update().get(pk=clock.pk)
    if clock.state != ClockState.PAUSED:
        return clock
    _close_pause(clock, at)
    cal = _engine_calendar(clock)
    clock.due_at = engine.deadline(clock.started_at, clock.target, cal, clock.pause_intervals())
    clock.state = ClockState.RUNNING
    clock.next_check_at = _next_check(clock, cal)
    clock.save()
    ClockEvent.objects.create(clock=clock, kind=ClockEventKind.RESUMED, at=at)
    return clock


@transaction.atomic
def stop_clock(clock: Clock, at: datetime) -> Clock:
    """The target's end event happened (first response, confirmation…):
    met if on time, breached otherwise (the breach recorded once)."""
    clock = Clock.objects.select_for_update().get(pk=clock.pk)
    if clock.stopped_at is not None:
        return clock
    if clock.state == ClockState.PAUSED:
        _close_pause(clock, at)
        clock.due_at = engine.deadline(clock.started_at, clock.target, _engine_calendar(clock), clock.pause_intervals())
    clock.stopped_at = at
    clock.next_check_at = None
    if at <= clock.due_at and clock.breached_at is None:
        clock.state = ClockState.MET
        clock.save()
    else:
        clock.state = ClockState.BREACHED
        clock.save()
        _record_breach(clock)
    ClockEvent.objects.create(clock=clock, kind=ClockEventKind.STOPPED, at=at)
    return clock


def _record_breach(clock: Clock) -> bool:
    """Mark the breach once; True if this call recorded it."""
    marked = Clock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(breached_at=clock.due_at)
    if marked:
        ClockEvent.objects.create(clock=clock, kind=ClockEventKind.BREACHED, at=clock.due_at)
        clock.breached_at = clock.due_at
    return bool(marked)


def business_elapsed(clock: Clock, now: datetime) -> timedelta:
    """Business time the clock has run so far (pauses excluded)."""
    end = clock.stopped_at or now
    return engine.elapsed(clock.started_at, end, _engine_calendar(clock), clock.pause_intervals(until=end))


@transaction.atomic
def check_clock(clock: Clock, now: datetime) -> list[ClockEvent]:
    """Fire the warnings whose thresholds have passed and the breach if the
    due instant has; returns only the events this call recorded."""
    clock = Clock.objects.select_for_update().get(pk=clock.pk)
    if clock.state != ClockState.RUNNING:
        return []
    cal = _engine_calendar(clock)
    fired: list[ClockEvent] = []
    spent = engine.elapsed(clock.started_at, now, cal, clock.pause_intervals())
    for threshold in clock.warning_thresholds:
        if threshold in clock.warnings_fired or spent < clock.target * threshold / 100:
            continue
        try:
            with transaction.atomic():
                fired.append(
                    ClockEvent.objects.create(clock=clock, kind=ClockEventKind.WARNING, at=now, threshold=threshold)
                )
        except IntegrityError:
            pass  # already recorded by a concurrent check
        clock.warnings_fired = [*clock.warnings_fired, threshold]
    if now >= clock.due_at and clock.breached_at is None:
        clock.state = ClockState.BREACHED
        if _record_breach(clock):
            fired.append(clock.events.get(kind=ClockEventKind.BREACHED))
    clock.next_check_at = _next_check(clock, cal)
    clock.save()
    if fired:
        clock_events.send(sender=Clock, clock=clock, events=fired)
    return fired


def check_due_clocks(now: datetime, limit: int = 1000) -> list[ClockEvent]:
    """The periodic job: every running clock whose next check has come."""
    events: list[ClockEvent] = []
    due = Clock.objects.filter(state=ClockState.RUNNING, next_check_at__lte=now).order_by("next_check_at")
    for clock in due.select_related("pemda", "policy_version")[:limit]:
        events.extend(check_clock(clock, now))
    return events
