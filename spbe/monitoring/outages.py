"""From checks to services (O-4 → O-2): a confirmed outage opens, or
updates, one complaint on the affected service; recovery is written to its
timeline.

A service's state comes from the checks on the service itself and on the
applications it uses (its own checks: all down → *Tidak tersedia*, impact
Mayor; some down → *Terganggu sebagian*, Minor) and from the checks on the
infrastructure components those applications run on, directly or through
dependencies (a failing component marks the service as affected). A service
in a maintenance window is *Dalam pemeliharaan*: silenced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.catalog.choices import Lifecycle
from spbe.catalog.models import Service
from spbe.cmdb.impact import reachable
from spbe.cmdb.models import Application, ServiceApplication
from spbe.desk import actions
from spbe.desk.choices import OPEN_STATUSES, Impact, ReportingMethod, TicketKind, TimelineKind
from spbe.desk.models import Ticket
from spbe.monitoring.choices import CheckStatus, ServiceState
from spbe.monitoring.models import Check, MaintenanceWindow, Outage
from spbe.monitoring.views_public import forget

OUTAGE_STATES = {ServiceState.DOWN, ServiceState.DEGRADED}
MONITOR_NAME = "Pemantauan otomatis"


def services_of_checks(check_ids: Iterable[int]) -> set[int]:
    """The services whose state depends on these checks."""
    rows = Check.objects.filter(pk__in=list(check_ids)).values_list("service_id", "application_id", "component_id")
    services, apps, components = set(), set(), set()
    for service_id, app_id, component_id in rows:
        if service_id:
            services.add(service_id)
        elif app_id:
            apps.add(app_id)
        else:
            components.add(component_id)
    if components:
        apps |= _applications_on(components)
    if apps:
        services |= set(ServiceApplication.objects.filter(application_id__in=apps).values_list("service_id", flat=True))
    return services - {None}


def _applications_on(component_ids: set[int]) -> set[int]:
    """Applications running on these components or on anything depending on
    them (a failing switch takes down the servers behind it)."""
    through = Application.components.through.objects.filter(component_id__in=reachable(component_ids, upwards=False))
    return set(through.values_list("application_id", flat=True))


def components_under(service: Service) -> set[int]:
    """The components the service's applications run on, and what those
    depend on, transitively."""
    app_ids = ServiceApplication.objects.filter(service=service).values("application_id")
    start = Application.components.through.objects.filter(application_id__in=app_ids)
    return reachable(set(start.values_list("component_id", flat=True)), upwards=True)


def in_maintenance(service: Service, now: datetime) -> bool:
    return MaintenanceWindow.objects.filter(services=service, starts_at__lte=now, ends_at__gt=now).exists()


def service_state(service: Service, now: datetime) -> tuple[str, str]:
    """The service's state and, when not up, which checks say so."""
    if in_maintenance(service, now):
        return ServiceState.MAINTENANCE, ""
    app_ids = ServiceApplication.objects.filter(service=service).values("application_id")
    own = list(Check.objects.filter(enabled=True, service=service)) + list(
        Check.objects.filter(enabled=True, application_id__in=app_ids)
    )
    components = list(Check.objects.filter(enabled=True, component_id__in=components_under(service)))
    down = [c for c in own + components if c.status == CheckStatus.DOWN]
    cause = "\n".join(f"{c.name}: {c.last_error or _('gagal')}" for c in down)
    if own and all(c.status == CheckStatus.DOWN for c in own):
        return ServiceState.DOWN, cause
    if down:
        return ServiceState.DEGRADED, cause
    if not own and not components:
        return ServiceState.UNKNOWN, ""
    return ServiceState.UP, ""


def judge_checks(check_ids: Iterable[int], now: datetime | None = None) -> None:
    for service_id in sorted(services_of_checks(check_ids)):
        judge_service(service_id, now)


def judge_service(service_id: int, now: datetime | None = None) -> Outage | None:
    """Open, update or close the service's outage to match its state. The
    service row is locked, so two workers cannot open two outages."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            service = Service.objects.select_for_update().select_related("pd__pemda").get(pk=service_id)
            state, cause = service_state(service, now)
            current = Outage.objects.filter(service=service, ended_at__isnull=True).first()
            if (current.state if current else ServiceState.UP) != state:
                transaction.on_commit(lambda: forget(service.pd.pemda.slug))
            if current is None and state in OUTAGE_STATES:
                return _begin(service, state, cause, now)
            if current is not None and state not in OUTAGE_STATES:
                return _recover(current, state, now)
            if current is not None and state != current.state:
                return _change(current, state, cause, now)
            return current
    except IntegrityError:  # another worker opened it a moment ago
        return Outage.objects.filter(service_id=service_id, ended_at__isnull=True).first()


def _impact(state: str) -> str:
    return Impact.MAYOR if state == ServiceState.DOWN else Impact.MINOR


def open_monitoring_complaint(service: Service) -> Ticket | None:
    """The service's open complaint raised by monitoring, which every new
    outage or alert of the service joins instead of opening another."""
    return (
        Ticket.objects.filter(service=service, reporting_method=ReportingMethod.MONITORING, status__in=OPEN_STATUSES)
        .order_by("-reported_at")
        .first()
    )


def _begin(service: Service, state: str, cause: str, now: datetime) -> Outage:
    outage = Outage.objects.create(service=service, state=state, started_at=now, cause=cause)
    label = ServiceState(state).label
    ticket = open_monitoring_complaint(service)
    if ticket is not None:  # never a second complaint for the same service
        actions.note(ticket, TimelineKind.MONITORING, None, _("Gangguan terdeteksi lagi: %(state)s.\n%(cause)s") % {
            "state": label, "cause": cause}, at=now, outage=outage.pk)  # fmt: skip
    elif service.lifecycle == Lifecycle.ACTIVE:
        ticket = actions.open_ticket(
            actor=None, service=service, kind=TicketKind.COMPLAINT, reporter=actions.Reporter(MONITOR_NAME),
            subject=_("%(service)s: %(state)s") % {"service": service.name, "state": label},
            description=_("Pemantauan memastikan gangguan pada %(time)s.\n%(cause)s") % {
                "time": timezone.localtime(now).strftime("%d-%m-%Y %H:%M"), "cause": cause},
            reporting_method=ReportingMethod.MONITORING, reported_at=now, impact=_impact(state),
            category=_("Pemantauan"),
        )  # fmt: skip
    outage.ticket = ticket
    outage.save(update_fields=["ticket"])
    return outage


def _change(outage: Outage, state: str, cause: str, now: datetime) -> Outage:
    outage.state, outage.cause = state, cause
    outage.save(update_fields=["state", "cause"])
    ticket = outage.ticket
    if ticket is not None and ticket.status in OPEN_STATUSES:
        message = _("Keadaan berubah: %(state)s.") % {"state": ServiceState(state).label}
        actions.note(ticket, TimelineKind.MONITORING, None, f"{message}\n{cause}", at=now, outage=outage.pk)
        if ticket.impact != _impact(state):
            actions.set_impact(None, ticket, _impact(state), message)
    return outage


def _recover(outage: Outage, state: str, now: datetime) -> Outage:
    outage.ended_at = now
    outage.save(update_fields=["ended_at"])
    if outage.ticket is not None:
        minutes = int((now - outage.started_at).total_seconds() // 60)
        actions.note(outage.ticket, TimelineKind.MONITORING, None,
                     _("Layanan pulih pada %(time)s setelah %(minutes)d menit (%(state)s).") % {
                         "time": timezone.localtime(now).strftime("%d-%m-%Y %H:%M"), "minutes": minutes,
                         "state": ServiceState(state).label},
                     at=now, outage=outage.pk)  # fmt: skip
    return outage
