"""Who sees and changes what in the configuration database (O-7, S-1): every
page tried with every persona. Another PD's or Pemda's record is a 404."""

import pytest
from django.urls import reverse

# (persona, status) for a Dukcapil record: its own PD and the Pemda's
# coordinator see it; another PD, another Pemda and Kominfo's vendor do not.
DUKCAPIL_RECORD = [
    ("owner_admin", 200),
    ("owner_head", 200),
    ("other_pd_admin", 404),
    ("vendor", 404),
    ("coordinator", 200),
    ("tegal_coordinator", 404),
    ("tegal_admin", 404),
    ("sysadmin", 200),
    ("citizen", 403),
]


@pytest.mark.parametrize(("persona", "status"), DUKCAPIL_RECORD)
@pytest.mark.parametrize("page", ["application_detail", "application_edit"])
def test_application_pages_by_persona(graph, world, login, persona, status, page):
    response = login(getattr(world, persona)).get(reverse(f"cmdb:{page}", args=[graph.siak.pk]))
    assert response.status_code == status
    if status != 200:
        assert b"SIAK" not in response.content


@pytest.mark.parametrize(("persona", "status"), DUKCAPIL_RECORD)
@pytest.mark.parametrize("page", ["component_detail", "component_edit", "component_impact"])
def test_component_pages_by_persona(graph, world, login, persona, status, page):
    response = login(getattr(world, persona)).get(reverse(f"cmdb:{page}", args=[graph.vm.pk]))
    assert response.status_code == status
    if status != 200:
        assert b"vm-dukcapil" not in response.content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner_admin", {"SIAK"}),
        ("other_pd_admin", {"SIMPUS"}),
        ("coordinator", {"SIAK", "SIMPUS"}),
        ("tegal_coordinator", set()),
        ("sysadmin", {"SIAK", "SIMPUS"}),
    ],
)
def test_application_list_is_scoped(graph, world, login, persona, expected):
    page = login(getattr(world, persona)).get(reverse("cmdb:application_list")).content.decode()
    assert {name for name in ("SIAK", "SIMPUS") if f">{name}</a>" in page} == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner_admin", {"vm-dukcapil", "db-dukcapil"}),
        ("vendor", {"srv-pdd-01", "srv-pdd-02"}),
        ("coordinator", {"srv-pdd-01", "srv-pdd-02", "vm-dukcapil", "db-dukcapil"}),
        ("tegal_coordinator", {"srv-tegal"}),
    ],
)
def test_component_list_is_scoped(graph, world, login, persona, expected):
    page = login(getattr(world, persona)).get(reverse("cmdb:component_list")).content.decode()
    names = {"srv-pdd-01", "srv-pdd-02", "vm-dukcapil", "db-dukcapil", "srv-tegal"}
    assert {name for name in names if f">{name}</a>" in page} == expected


def test_anonymous_is_sent_to_sign_in(graph, client):
    for url in (reverse("cmdb:application_list"), reverse("cmdb:component_impact", args=[graph.vm.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_citizen_gets_403_on_lists(world, login):
    client = login(world.citizen)
    assert client.get(reverse("cmdb:application_list")).status_code == 403
    assert client.get(reverse("cmdb:component_list")).status_code == 403


@pytest.mark.parametrize("persona", ["other_pd_admin", "tegal_coordinator"])
def test_changes_to_another_pds_records_are_404_and_change_nothing(graph, world, login, persona):
    client = login(getattr(world, persona))
    posts = [
        (reverse("cmdb:application_edit", args=[graph.siak.pk]), {"name": "Diretas"}),
        (reverse("cmdb:application_component_add", args=[graph.siak.pk]), {"component": graph.db.pk}),
        (reverse("cmdb:application_component_remove", args=[graph.siak.pk, graph.vm.pk]), {}),
        (reverse("cmdb:application_service_remove", args=[graph.siak.pk, graph.ktp.pk]), {}),
        (reverse("cmdb:component_dependency_add", args=[graph.server2.pk]), {"depends_on": graph.vm.pk}),
        (reverse("cmdb:component_dependency_remove", args=[graph.db.pk, graph.vm.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    graph.siak.refresh_from_db()
    assert graph.siak.name == "SIAK"
    assert set(graph.siak.components.all()) == {graph.vm}
    assert set(graph.db.depends_on.all()) == {graph.vm}


def test_inactive_pd_is_read_only_for_its_staff(graph, world, login):
    world.dukcapil.is_active = False
    world.dukcapil.save()
    client = login(world.owner_admin)
    detail = client.get(reverse("cmdb:application_detail", args=[graph.siak.pk]))
    assert detail.status_code == 200
    assert reverse("cmdb:application_edit", args=[graph.siak.pk]) not in detail.content.decode()
    assert client.get(reverse("cmdb:application_edit", args=[graph.siak.pk])).status_code == 403
