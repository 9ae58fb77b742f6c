"""What a change touches, computed from the CMDB (P-9, O-2 item 10): the
components it names and those under its services, and every application
and service that fails with any of them. One dependency walk for the whole
Pemda (``spbe.cmdb.impact``), not one per component."""

from __future__ import annotations

from dataclasses import dataclass

from spbe.catalog.models import Service
from spbe.cmdb.impact import dependency_edges, walk
from spbe.cmdb.models import Application, Component, ServiceApplication
from spbe.monitoring.outages import components_under


@dataclass
class ChangeImpact:
    components: list[Component]
    applications: list[Application]
    services: list[Service]


def impact_of_change(plan) -> ChangeImpact:
    named = set(plan.components.values_list("pk", flat=True))
    for service in plan.services.all():
        named |= components_under(service)
    app_ids = set(plan.applications.values_list("pk", flat=True))
    if named:
        affected = walk(dependency_edges([plan.pd.pemda_id], upwards=False), named)
        runs_on = Application.components.through.objects.filter(component_id__in=affected)
        app_ids |= set(runs_on.values_list("application_id", flat=True))
    else:
        affected = set()
    service_ids = set(plan.services.values_list("pk", flat=True))
    service_ids |= set(
        ServiceApplication.objects.filter(application_id__in=app_ids).values_list("service_id", flat=True)
    )
    return ChangeImpact(
        components=list(Component.objects.filter(pk__in=affected).order_by("name")),
        applications=list(Application.objects.filter(pk__in=app_ids).select_related("pd").order_by("name")),
        services=list(Service.objects.filter(pk__in=service_ids).select_related("pd").order_by("name")),
    )
