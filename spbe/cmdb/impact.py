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


def dependency_edges(pemda_ids, *, upwards: bool) -> dict[int, set[int]]:
    """The dependency graph of these Pemdas in one query: ``upwards`` maps a
    component to what it depends on, otherwise to what depends on it."""
    edges: dict[int, set[int]] = defaultdict(set)
    for source, target in ComponentDependency.objects.filter(component__pemda_id__in=pemda_ids).values_list(
        "component_id", "depends_on_id"
    ):
        edges[source if upwards else target].add(target if upwards else source)
    return edges


def walk(edges: dict[int, set[int]], start: set[int]) -> set[int]:
    """``start`` and everything reachable from it along ``edges``."""
    seen, stack = set(start), list(start)
    while stack:
        for node in edges.get(stack.pop(), set()) - seen:
            seen.add(node)
            stack.append(node)
    return seen


def reachable(component_ids: set[int], *, upwards: bool) -> set[int]:
    """The components and what they depend on (``upwards``) or what depends
    on them, transitively."""
    pemdas = Component.objects.filter(pk__in=component_ids).values("pemda_id")
    return walk(dependency_edges(pemdas, upwards=upwards), component_ids)


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
    """Positions for a left-to-right SVG: the failing component, then each
    dependent component one column right of everything it depends on, then
    applications, then services, so that every arrow points right. (Putting
    every dependent component in one column drew the arrow between a VM and
    the database on it backwards across both boxes.) Within a column, nodes
    sit near the mean row of what points at them, to keep lines short."""
    root = f"c{impact.component.pk}"
    items: dict[str, tuple[object, str]] = {root: (impact.component, "root")}
    items.update((f"c{c.pk}", (c, "c")) for c in impact.components)
    items.update((f"a{a.pk}", (a, "a")) for a in impact.applications)
    items.update((f"s{s.pk}", (s, "s")) for s in impact.services)
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for a, b in impact.edges:
        if a in items and b in items and a != b:
            parents[b].append(a)
            children[a].append(b)

    # Column of a component: the longest path to it from the failing one
    # (Kahn's order over the component edges). A loop saved before the rules
    # existed never resolves; its members go to one extra column.
    component_keys = [root] + [f"c{c.pk}" for c in impact.components]
    waiting = {key: sum(1 for p in parents[key] if p[0] == "c") for key in component_keys}
    column = dict.fromkeys(component_keys, 0)
    ready = [key for key, count in waiting.items() if count == 0]
    while ready:
        node = ready.pop()
        for child in children[node]:
            if child in waiting:
                column[child] = max(column[child], column[node] + 1)
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
    last = max(column.values())
    for key, count in waiting.items():
        if count > 0:
            column[key] = last + 1
    app_column = max(column.values()) + 1
    for key, (_item, kind) in items.items():
        if kind == "a":
            column[key] = app_column
        elif kind == "s":
            column[key] = app_column + 1

    by_column: dict[int, list[str]] = defaultdict(list)
    for key in items:  # items keep the name order of the impact lists
        by_column[column[key]].append(key)
    row: dict[str, int] = {}

    def mean_parent_row(key: str) -> float:
        rows = [row[p] for p in parents[key] if p in row]
        return sum(rows) / len(rows) if rows else 0.0

    for col in sorted(by_column):
        keys = sorted(by_column[col], key=mean_parent_row)  # stable: ties keep the name order
        row.update((key, position) for position, key in enumerate(keys))

    index, nodes = {}, []
    for key, (item, kind) in items.items():
        x, y = 20 + column[key] * column_width, 30 + row[key] * row_height
        index[key] = (x, y)
        text = str(item)
        label = text if len(text) <= 34 else text[:33] + "…"
        nodes.append({"key": key, "x": x, "y": y, "label": label, "title": text, "kind": kind})
    gap = (column_width - 200) // 2
    lines = []
    for a, b in impact.edges:
        if a not in index or b not in index or a == b:
            continue
        (ax, ay), (bx, by) = index[a], index[b]
        x1, y1, x2, y2 = ax + 200, ay + 18, bx, by + 18
        if x2 - x1 <= 2 * gap:
            points = f"{x1},{y1} {x2},{y2}"
        else:
            # Skipping a column, a straight line would run under the boxes
            # between; go round them through the empty strip above the
            # higher of the two rows.
            lane = min(ay, by) - (row_height - 36) // 2
            points = f"{x1},{y1} {x1 + gap},{y1} {x1 + gap},{lane} {x2 - gap},{lane} {x2 - gap},{y2} {x2},{y2}"
        lines.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "points": points})
    columns = max(column.values()) + 1
    height = 60 + row_height * max((len(keys) for keys in by_column.values()), default=1)
    return {"nodes": nodes, "lines": lines, "width": 20 + columns * column_width, "height": height}
