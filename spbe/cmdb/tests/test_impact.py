"""Impact analysis (O-2 item 10): which components, applications and
services fail with a component, in a fixed number of queries."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spbe.catalog.models import Service
from spbe.cmdb.impact import graph_layout, impact_of
from spbe.cmdb.models import Application, Component, ComponentDependency, ServiceApplication
from spbe.cmdb.tests.conftest import make_component

# impact_of: the Pemda's edges, the "runs on" rows, the "uses" rows, then
# the components, applications and services themselves.
IMPACT_QUERIES = 6


def names(items):
    return [item.name for item in items]


class TestSmallGraph:
    def test_server_failure_reaches_vm_database_application_and_services(self, graph):
        impact = impact_of(graph.server)
        assert names(impact.components) == ["db-dukcapil", "vm-dukcapil"]
        assert names(impact.applications) == ["SIAK"]
        assert names(impact.services) == ["KTP-el", "Rujukan"]
        s, v, d, a = graph.server.pk, graph.vm.pk, graph.db.pk, graph.siak.pk
        assert impact.edges == sorted(
            [(f"c{s}", f"c{v}"), (f"c{v}", f"c{d}"), (f"c{v}", f"a{a}"),
             (f"a{a}", f"s{graph.ktp.pk}"), (f"a{a}", f"s{graph.rujukan.pk}")]
        )  # fmt: skip

    def test_a_leaf_takes_nothing_with_it(self, graph):
        impact = impact_of(graph.db)
        assert (impact.components, impact.applications, impact.services) == ([], [], [])

    def test_other_branches_and_pemda_are_untouched(self, graph):
        impact = impact_of(graph.server2)
        assert names(impact.applications) == ["SIMPUS"]
        assert names(impact.services) == ["Puskesmas"]
        assert impact.components == []

    def test_a_shared_dependency_counts_once(self, graph, world):
        # a second path server → db (db depends on the server directly too)
        ComponentDependency.objects.create(component=graph.db, depends_on=graph.server)
        graph.simpus.components.add(graph.db)
        impact = impact_of(graph.server)
        assert names(impact.components) == ["db-dukcapil", "vm-dukcapil"]
        assert names(impact.applications) == ["SIAK", "SIMPUS"]
        assert names(impact.services) == ["KTP-el", "Puskesmas", "Rujukan"]


class TestLayout:
    def test_every_arrow_points_right_even_along_a_chain(self, graph):
        graph.siak.components.add(graph.db)
        layout = graph_layout(impact_of(graph.server))
        assert layout["lines"]
        assert all(line["x2"] > line["x1"] for line in layout["lines"])
        column = {node["key"]: node["x"] for node in layout["nodes"]}
        assert column[f"c{graph.server.pk}"] < column[f"c{graph.vm.pk}"] < column[f"c{graph.db.pk}"]
        assert column[f"c{graph.db.pk}"] < column[f"a{graph.siak.pk}"] < column[f"s{graph.ktp.pk}"]
        assert max(node["x"] for node in layout["nodes"]) + 200 <= layout["width"]
        assert max(node["y"] for node in layout["nodes"]) + 36 <= layout["height"]

    def test_kinds_and_full_labels(self, graph):
        nodes = {n["key"]: n for n in graph_layout(impact_of(graph.server))["nodes"]}
        assert nodes[f"c{graph.server.pk}"]["kind"] == "root"
        assert nodes[f"c{graph.vm.pk}"]["kind"] == "c"
        assert nodes[f"a{graph.siak.pk}"]["kind"] == "a"
        assert nodes[f"s{graph.ktp.pk}"]["kind"] == "s"
        assert nodes[f"s{graph.ktp.pk}"]["title"] == "KTP-el (Dukcapil)"

    def test_long_names_are_shortened_but_kept_in_the_title(self, world):
        root = make_component(world.kominfo, "server-dengan-nama-yang-sangat-panjang-sekali-01")
        label = graph_layout(impact_of(root))["nodes"][0]
        assert len(label["label"]) == 34 and label["label"].endswith("\u2026")
        assert label["title"].startswith("server-dengan-nama-yang-sangat-panjang-sekali-01")


class TestPage:
    def test_coordinator_sees_every_name_in_lists_and_an_accessible_graph(self, graph, world, login):
        page = login(world.coordinator).get(reverse("cmdb:component_impact", args=[graph.server.pk])).content.decode()
        assert "2 komponen lain, 1 aplikasi, dan 2 layanan ikut terdampak." in page
        assert 'role="img" aria-labelledby="impact-title impact-desc"' in page
        assert '<title id="impact-title">Graf dampak bila srv-pdd-01 gagal</title>' in page
        for name in ("vm-dukcapil", "db-dukcapil", "SIAK", "KTP-el", "Rujukan"):
            assert name in page
        assert f'<a href="{reverse("cmdb:application_detail", args=[graph.siak.pk])}">' in page
        assert 'fill="#cfe2ff"' in page  # applications in blue

    def test_pd_staff_see_the_whole_chain_but_not_other_pds_names(self, graph, world, login):
        page = login(world.owner_admin).get(reverse("cmdb:component_impact", args=[graph.vm.pk])).content.decode()
        assert "1 komponen lain, 1 aplikasi, dan 2 layanan ikut terdampak." in page
        assert "KTP-el" in page
        assert "Rujukan" not in page
        assert "Layanan PD lain" in page  # the node is drawn, unnamed
        assert "Termasuk 1 layanan PD lain." in page

    def test_detail_page_summarises_the_impact(self, graph, world, login):
        page = login(world.vendor).get(reverse("cmdb:component_detail", args=[graph.server.pk])).content.decode()
        assert "2 komponen lain, 1 aplikasi, dan 2 layanan ikut terdampak." in page
        assert reverse("cmdb:component_impact", args=[graph.server.pk]) in page


def build_large_graph(pemda, pd, components: int, applications: int, services: int, seed: int = 7) -> Component:
    """A random DAG in which every component depends, directly or not, on
    the first one; applications run on one to three components; services
    use one or two applications."""
    rng = random.Random(seed)
    Component.objects.bulk_create(
        Component(pemda=pemda, pd=pd, name=f"komponen-{n:05d}", kind="vm" if n else "server") for n in range(components)
    )
    ids = list(
        Component.objects.filter(pemda=pemda, name__startswith="komponen-")
        .order_by("name")
        .values_list("pk", flat=True)
    )
    edges = set()
    for index in range(1, len(ids)):
        for parent in {rng.randrange(index) for _ in range(rng.randint(1, 2))}:
            edges.add((ids[index], ids[parent]))
    ComponentDependency.objects.bulk_create(ComponentDependency(component_id=c, depends_on_id=d) for c, d in edges)
    Application.objects.bulk_create(
        Application(pd=pd, name=f"aplikasi-{n:05d}", hosting="pdd") for n in range(applications)
    )
    app_ids = list(Application.objects.filter(pd=pd, name__startswith="aplikasi-").values_list("pk", flat=True))
    through = Application.components.through
    runs = {(a, c) for a in app_ids for c in rng.sample(ids, rng.randint(1, 3))}
    through.objects.bulk_create(through(application_id=a, component_id=c) for a, c in runs)
    Service.objects.bulk_create(
        Service(pd=pd, code=f"L-{n:05d}", name=f"layanan-{n:05d}", description="-", access="-",
                availability_target=99, help_contact="-", group="layanan_publik", classification="normal")
        for n in range(services)
    )  # fmt: skip
    service_ids = list(Service.objects.filter(pd=pd, code__startswith="L-").values_list("pk", flat=True))
    uses = {(s, a) for s in service_ids for a in rng.sample(app_ids, rng.randint(1, 2))}
    ServiceApplication.objects.bulk_create(ServiceApplication(service_id=s, application_id=a) for s, a in uses)
    return Component.objects.get(pk=ids[0])


@pytest.mark.django_db
class TestScale:
    def test_impact_of_2000_components_is_a_fixed_number_of_queries(self, world, django_assert_max_num_queries):
        root = build_large_graph(world.yogya, world.kominfo, components=2000, applications=800, services=800)
        with django_assert_max_num_queries(IMPACT_QUERIES):
            impact = impact_of(root)
        assert len(impact.components) == 1999
        assert len(impact.applications) == 800
        assert len(impact.services) == 800

    def test_same_number_of_queries_for_a_small_and_a_large_graph(self, world, django_assert_num_queries):
        small = build_large_graph(world.yogya, world.kominfo, components=5, applications=2, services=2)
        with django_assert_num_queries(IMPACT_QUERIES):
            impact_of(small)
        large = build_large_graph(world.tegal, world.tegal_kominfo, components=2000, applications=500, services=500)
        with django_assert_num_queries(IMPACT_QUERIES):
            impact_of(large)

    def test_the_pages_cost_the_same_queries_for_5_or_2000_components(self, world, login):
        small = build_large_graph(world.yogya, world.kominfo, components=5, applications=2, services=2)
        large = build_large_graph(world.tegal, world.tegal_kominfo, components=2000, applications=500, services=500)
        client = login(world.sysadmin)
        for name in ("cmdb:component_impact", "cmdb:component_detail"):
            counts = []
            for root in (small, large):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(reverse(name, args=[root.pk])).status_code == 200
                counts.append(len(queries))
            assert counts[0] == counts[1] <= 30, (name, counts)

    def test_a_large_impact_is_listed_instead_of_drawn(self, world, login):
        root = build_large_graph(world.yogya, world.kominfo, components=2000, applications=500, services=500)
        page = login(world.coordinator).get(reverse("cmdb:component_impact", args=[root.pk])).content.decode()
        assert "Graf tidak digambar karena terlalu besar" in page
        assert "<svg xmlns" not in page
        assert "komponen-01999" in page and "aplikasi-00499" in page and "layanan-00499" in page
