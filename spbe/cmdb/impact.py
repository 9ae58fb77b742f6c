"""Impact analysis (O-2 item 10, O-4): which components, applications and
services fail when one component fails. A fixed number of queries whatever
the size of the graph: the edges of the whole Pemda are loaded once and
walked in memory."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from spbe.catalog.models import Service
from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication


@dataclass
class Impact:
    component: Component
    components: list[Component] = field(default_factory=list)  # depending on it, transitively
    applications: list[Application] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    # edges for the graph, as (from key, to key): "c12" → "a3" → "s7"
    edges: list[tuple[str, str]] = field(default_factory=list)


def impact_of(component: Component) -> Impact:
    dependents: dict[int, list[int]] = defaultdict(list)
    for source, target in ComponentDependency.objects.filter(component__pemda_id=component.pemda_id).values_list(
        "component_id", "depends_on_id"
    ):
        dependents[target].append(source)
    affected, order, stack, edges = {component.pk}, [], [component.pk], []
    while stack:
        node = stack.pop()
        for child in dependents[node]:
            edges.append((f"c{node}", f"c{child}"))
            if child not in affected:
                affected.add(child)
                order.append(child)
                stack.append(child)
    runs_on = Application.components.through.objects.filter(component_id__in=affected).values_list(
        "component_id", "application_id"
    )
    app_ids = set()
    for comp_id, app_id in runs_on:
        edges.append((f"c{comp_id}", f"a{app_id}"))
        app_ids.add(app_id)
    uses = ServiceApplication.objects.filter(application_id__in=app_ids).values_list("application_id", "service_id")
    service_ids = set()
    for app_id, service_id in uses:
        edges.append((f"a{app_id}", f"s{service_id}"))
        service_ids.add(service_id)
    return Impact(
        component=component,
        components=list(Component.objects.filter(pk__in=order).order_by("name")),
        applications=list(Application.objects.filter(pk__in=app_ids).select_related("pd").order_by("name")),
        services=list(Service.objects.filter(pk__in=service_ids).select_related("pd").order_by("name")),
        edges=sorted(set(edges)),
    )


def graph_layout(impact: Impact, column_width: int = 260, row_height: int = 56) -> dict:
    """Positions for a left-to-right SVG: failing component, dependent
    components, applications, services."""
    columns = [[impact.component], impact.components, impact.applications, impact.services]
    prefixes = ["c", "c", "a", "s"]
    nodes, index = [], {}
    for col, (items, prefix) in enumerate(zip(columns, prefixes, strict=True)):
        for row, item in enumerate(items):
            key = f"{prefix}{item.pk}"
            x, y = 20 + col * column_width, 30 + row * row_height
            index[key] = (x, y)
            nodes.append({"key": key, "x": x, "y": y, "label": str(item)[:34], "kind": ["root", "c", "a", "s"][col]})
    lines = [
        {"x1": index[a][0] + 200, "y1": index[a][1] + 18, "x2": index[b][0], "y2": index[b][1] + 18}
        for a, b in impact.edges
        if a in index and b in index
    ]
    height = 60 + row_height * max((len(c) for c in columns), default=1)
    return {"nodes": nodes, "lines": lines, "width": 20 + 4 * column_width, "height": height}
