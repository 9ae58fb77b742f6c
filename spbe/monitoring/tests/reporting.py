"""Builders shared by the availability, status page and report tests
(O-4): services, checks that began at a given time, outages and
maintenance windows, all in WIB."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from spbe.catalog.models import Service
from spbe.monitoring.models import Check, MaintenanceWindow, Outage

WIB = ZoneInfo("Asia/Jakarta")
_codes = count(1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def make_service(pd, name: str = "Adminduk Daring", **fields) -> Service:
    """An active public service (approved, as in desk's ``kritis_public``)."""
    data = dict(
        code=f"SVC-{next(_codes)}", name=name, description="-", group="layanan_publik", classification="esensial",
        access="web", availability_target=Decimal("99.5"), help_contact="-", support_hours="24x7",
        lifecycle="active", status="approved",
    )  # fmt: skip
    data.update(fields)
    return Service.objects.create(pd=pd, **data)


def watch(subject, since: datetime, **fields) -> Check:
    """A check on a service, application or component, created at ``since``
    (monitoring began then)."""
    key = {"Service": "service", "Application": "application", "Component": "component"}[type(subject).__name__]
    data = {"name": f"Cek {subject}", "kind": "http", "target": "https://contoh.test/"}
    data.update(fields)
    check = Check.objects.create(pemda_id=subject.pd.pemda_id, pd=subject.pd, **{key: subject}, **data)
    Check.objects.filter(pk=check.pk).update(created=since)
    return check


def outage(service, start: datetime, end: datetime | None, state: str = "down", cause: str = "") -> Outage:
    return Outage.objects.create(service=service, state=state, started_at=start, ended_at=end, cause=cause)


def window(services, start: datetime, end: datetime, title: str = "Pemeliharaan server", **fields):
    first = services[0]
    maintenance = MaintenanceWindow.objects.create(
        pemda_id=first.pd.pemda_id, title=title, starts_at=start, ends_at=end, **fields
    )
    maintenance.services.set(services)
    return maintenance
