"""Who sees what (S-1, issue 2 item 5): every page and endpoint of ``org``
tried with every persona."""

import pytest
from django.urls import reverse

from spbe.org import access


class TestScope:
    def test_owner_sees_only_its_own_pd(self, world):
        assert set(access.visible_pds(world.owner_admin)) == {world.dukcapil}

    def test_coordinator_sees_every_pd_of_its_pemda_and_none_elsewhere(self, world):
        assert set(access.visible_pds(world.coordinator)) == {world.kominfo, world.dukcapil, world.dinkes}

    def test_system_admin_sees_every_pemda(self, world):
        assert set(access.visible_pemdas(world.sysadmin)) == {world.yogya, world.tegal}

    def test_citizen_sees_no_internal_data(self, world):
        assert not access.visible_pds(world.citizen).exists()
        assert not access.scope_for(world.citizen).is_staff_member

    def test_coordinator_sees_people_of_its_pemda_only(self, world):
        people = set(access.visible_people(world.coordinator))
        assert world.owner_admin in people
        assert world.tegal_admin not in people
        assert world.sysadmin not in people

    def test_filter_by_pd_limits_any_pd_owned_queryset(self, world):
        from spbe.org.models import RoleAssignment

        rows = access.filter_by_pd(world.owner_admin, RoleAssignment.objects.all())
        assert {r.pd_id for r in rows} == {world.dukcapil.pk}

    def test_inactive_user_has_no_scope(self, world):
        world.coordinator.is_active = False
        assert access.scope_for(world.coordinator) == access.Scope()


# (persona, expected status) for each page. 404 hides another PD's existence.
PD_DETAIL_OF_DUKCAPIL = [
    ("owner_admin", 200),
    ("owner_head", 200),
    ("other_pd_admin", 404),
    ("tegal_coordinator", 404),
    ("coordinator", 200),
    ("sysadmin", 200),
    ("citizen", 403),
]


@pytest.mark.parametrize(("persona", "status"), PD_DETAIL_OF_DUKCAPIL)
def test_pd_detail_by_persona(world, login, persona, status):
    client = login(getattr(world, persona))
    response = client.get(reverse("org:pd_detail", args=[world.dukcapil.pk]))
    assert response.status_code == status
    if status != 200:
        assert b"Disdukcapil Yogya" not in response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("sysadmin", 200), ("owner_head", 403), ("owner_admin", 403), ("citizen", 403)],
)
def test_people_management_is_for_coordinators(world, login, persona, status):
    client = login(getattr(world, persona))
    assert client.get(reverse("org:person_list")).status_code == status
    assert client.get(reverse("org:person_create")).status_code == status


def test_other_pemda_coordinator_cannot_open_or_edit_a_person(world, login):
    client = login(world.tegal_coordinator)
    assert client.get(reverse("org:person_detail", args=[world.owner_admin.pk])).status_code == 404
    response = client.post(reverse("org:person_edit", args=[world.owner_admin.pk]), {"full_name": "Diretas"})
    assert response.status_code == 404
    world.owner_admin.refresh_from_db()
    assert world.owner_admin.full_name == "Nur Admin"


def test_other_pemda_coordinator_cannot_edit_a_pd(world, login):
    client = login(world.tegal_coordinator)
    response = client.post(reverse("org:pd_edit", args=[world.dukcapil.pk]), {"name": "Diretas"})
    assert response.status_code == 404
    world.dukcapil.refresh_from_db()
    assert world.dukcapil.name == "Disdukcapil Yogya"


def test_coordinator_cannot_give_a_role_in_another_pemda(world, login):
    client = login(world.coordinator)
    response = client.post(
        reverse("org:role_assign", args=[world.owner_admin.pk]),
        {"role": "admin_layanan", "pd": world.tegal_dukcapil.pk},
    )
    assert response.status_code == 400
    assert "Masukkan pilihan yang valid" in response.content.decode()
    assert not world.owner_admin.role_assignments.filter(pd=world.tegal_dukcapil).exists()


def test_coordinator_cannot_appoint_a_system_administrator(world, login):
    client = login(world.coordinator)
    response = client.post(reverse("org:role_assign", args=[world.owner_admin.pk]), {"role": "admin_sistem"})
    assert response.status_code == 400
    assert not world.owner_admin.role_assignments.filter(role="admin_sistem").exists()


@pytest.mark.parametrize("name", ["org:pd_list", "org:person_list", "audit:list", "front:dashboard"])
def test_anonymous_visitor_is_sent_to_log_in(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


class TestApi:
    def test_pd_list_is_scoped(self, world, login):
        data = login(world.owner_admin).get("/api/v1/pd/").json()
        assert [row["name"] for row in data["results"]] == ["Disdukcapil Yogya"]

    def test_pd_of_another_pemda_is_a_json_404(self, world, login):
        response = login(world.owner_admin).get(f"/api/v1/pd/{world.tegal_dukcapil.pk}/")
        assert response.status_code == 404
        assert response.json()["message"]

    def test_anonymous_gets_json_error_with_message(self, client, world):
        response = client.get("/api/v1/pd/")
        assert response.status_code == 403
        assert "message" in response.json()

    def test_me_lists_roles(self, world, login):
        data = login(world.coordinator).get("/api/v1/me/").json()
        assert data["roles"][0]["role"] == "koordinator_spbe"

    def test_schema_is_openapi_3(self, world, login):
        response = login(world.coordinator).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")

    def test_unknown_api_url_is_json(self, world, login):
        response = login(world.coordinator).get("/api/v1/tidak-ada/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_signed_in_person_comes_with_their_pemda_in_one_query(world, django_assert_num_queries):
    """Every page needs the Pemda (time zone, navigation): loading it with
    the person saves a round trip on each request (issue 5, Speed); a
    deactivated account is not loaded at all."""
    from spbe.org.backends import AccountBackend

    with django_assert_num_queries(1):
        user = AccountBackend().get_user(world.tegal_admin.pk)
        assert user.pemda == world.tegal
    world.tegal_admin.is_active = False
    world.tegal_admin.save(update_fields=["is_active"])
    assert AccountBackend().get_user(world.tegal_admin.pk) is None
    assert AccountBackend().get_user(0) is None


def test_sessions_opened_under_the_old_backend_stay_signed_in(world, client):
    """Upgrading to AccountBackend must not sign everyone out and lose the
    form they were about to send: migration org/0005 moves the sessions."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("spbe.org.migrations.0005_sessions_use_account_backend")
    client.force_login(world.tegal_admin, backend=migration.OLD)  # as the release before this one wrote it
    assert client.get(reverse("desk:queue")).status_code == 302  # Django no longer knows that backend
    migration.forwards(apps, None)
    assert client.get(reverse("desk:queue")).status_code == 200
    migration.backwards(apps, None)
    assert client.get(reverse("desk:queue")).status_code == 302
