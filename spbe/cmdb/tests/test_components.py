"""Infrastructure components (O-2 item 10): attributes, dependencies and
their rules, the list and its export."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from spbe.audit.models import AuditAction, AuditEvent
from spbe.cmdb.forms import AttributesField
from spbe.cmdb.models import Component, ComponentDependency
from spbe.cmdb.tests.conftest import make_component


def new_component(pd, **overrides) -> dict:
    data = {"pd": pd.pk, "name": "vm-simpeg", "kind": "vm", "location": "Pusat Data Daerah",
            "attributes": "IP: 10.0.2.7\nOS: Debian 12\nURL: https://simpeg.local:8443"}  # fmt: skip
    data.update(overrides)
    return data


def audit_of(component, action=AuditAction.UPDATE):
    return list(AuditEvent.objects.filter(target_type="cmdb.component", target_id=str(component.pk), action=action))


class TestAttributes:
    def test_lines_become_key_value_pairs(self):
        field = AttributesField(required=False)
        assert field.clean("IP: 10.0.1.5\n\n  RAM :  16 GB \nURL: http://a:80/x") == {
            "IP": "10.0.1.5",
            "RAM": "16 GB",
            "URL": "http://a:80/x",
        }
        assert field.clean("") == {}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("IP 10.0.1.5", "Baris 1: tulis dalam bentuk"),
            ("OS: Debian\n: tanpa nama", "Baris 2: tulis dalam bentuk"),
            ("IP: 1\nip: 2", "Baris 2: atribut \u201cip\u201d sudah ditulis"),
        ],
    )
    def test_bad_lines_are_explained(self, text, message):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as error:
            AttributesField(required=False).clean(text)
        assert message in error.value.messages[0]

    def test_the_edit_form_shows_them_as_lines(self, graph, world, login):
        page = login(world.coordinator).get(reverse("cmdb:component_edit", args=[graph.server.pk])).content.decode()
        assert "IP: 10.0.1.5\nOS: Proxmox VE 8" in page

    def test_the_detail_page_shows_them_as_a_table(self, graph, world, login):
        page = login(world.coordinator).get(reverse("cmdb:component_detail", args=[graph.server.pk])).content.decode()
        assert '<th scope="row" class="fw-normal">IP</th><td>10.0.1.5</td>' in page


class TestCreateAndEdit:
    def test_owner_adds_a_component_in_its_pemda_audited(self, world, login):
        response = login(world.owner_admin).post(reverse("cmdb:component_create"), new_component(world.dukcapil))
        component = Component.objects.get(name="vm-simpeg")
        assert response.status_code == 302
        assert component.pemda == world.yogya
        assert component.attributes == {"IP": "10.0.2.7", "OS": "Debian 12", "URL": "https://simpeg.local:8443"}
        (event,) = audit_of(component, AuditAction.CREATE)
        assert event.changes["attributes"] == [None, "IP: 10.0.2.7; OS: Debian 12; URL: https://simpeg.local:8443"]
        assert event.pemda == world.yogya

    def test_bad_attribute_line_is_400_next_to_the_field(self, world, login):
        response = login(world.owner_admin).post(
            reverse("cmdb:component_create"), new_component(world.dukcapil, attributes="IP 10.0.2.7")
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "Baris 1: tulis dalam bentuk" in content
        assert 'aria-invalid="true"' in content
        assert not Component.objects.filter(name="vm-simpeg").exists()

    def test_duplicate_name_in_the_pemda_is_refused_even_from_another_pd(self, graph, world, login):
        response = login(world.owner_admin).post(
            reverse("cmdb:component_create"), new_component(world.dukcapil, name="SRV-PDD-01")
        )
        assert response.status_code == 400
        assert "Nama komponen ini sudah dipakai di Pemda ini." in response.content.decode()

    def test_same_name_in_another_pemda_is_fine(self, graph, world, login):
        response = login(world.tegal_coordinator).post(
            reverse("cmdb:component_create"), new_component(world.tegal_dukcapil, name="srv-pdd-01")
        )
        assert response.status_code == 302

    def test_crafted_pd_of_another_pemda_is_refused(self, world, login):
        response = login(world.owner_admin).post(reverse("cmdb:component_create"), new_component(world.tegal_dukcapil))
        assert response.status_code == 400
        assert not Component.objects.exists()

    def test_edit_records_old_and_new_attributes(self, graph, world, login):
        data = new_component(
            world.kominfo, name="srv-pdd-01", kind="server", attributes="IP: 10.0.1.6\nOS: Proxmox VE 8"
        )
        response = login(world.vendor).post(reverse("cmdb:component_edit", args=[graph.server.pk]), data)
        assert response.status_code == 302
        graph.server.refresh_from_db()
        assert graph.server.attributes == {"IP": "10.0.1.6", "OS": "Proxmox VE 8"}
        (event,) = audit_of(graph.server)
        assert event.changes["attributes"] == ["IP: 10.0.1.5; OS: Proxmox VE 8", "IP: 10.0.1.6; OS: Proxmox VE 8"]
        assert event.actor == world.vendor

    def test_editing_keeps_its_own_name(self, graph, world, login):
        data = new_component(world.dukcapil, name="vm-dukcapil", location="Rak C1", attributes="")
        assert (
            login(world.owner_admin).post(reverse("cmdb:component_edit", args=[graph.vm.pk]), data).status_code == 302
        )


class TestDependencies:
    @pytest.fixture
    def abc(self, world):
        return [make_component(world.dukcapil, name, "vm") for name in ("A", "B", "C")]

    def add(self, client, component, target):
        return client.post(reverse("cmdb:component_dependency_add", args=[component.pk]), {"depends_on": target.pk})

    def test_a_b_c_a_cycle_is_refused_next_to_the_field_and_nothing_is_saved(self, abc, world, login):
        a, b, c = abc
        client = login(world.owner_admin)
        assert self.add(client, a, b).status_code == 302
        assert self.add(client, b, c).status_code == 302
        response = self.add(client, c, a)
        assert response.status_code == 400
        content = response.content.decode()
        assert "C tidak dapat bergantung pada A: hubungan itu membuat lingkaran ketergantungan." in content
        assert 'id="id_depends_on_info"' in content
        assert not ComponentDependency.objects.filter(component=c).exists()
        assert audit_of(c) == []
        assert [e.changes for e in audit_of(a)] == [{"depends_on": [None, "B (Mesin virtual)"]}]

    def test_self_dependency_is_refused_with_a_clear_message(self, abc, world, login):
        a = abc[0]
        response = self.add(login(world.owner_admin), a, a)
        assert response.status_code == 400
        assert "Komponen tidak dapat bergantung pada dirinya sendiri." in response.content.decode()
        assert not ComponentDependency.objects.exists()

    def test_the_choice_list_leaves_out_itself_and_existing_dependencies(self, graph, world, login):
        page = login(world.coordinator).get(reverse("cmdb:component_detail", args=[graph.db.pk])).content.decode()
        options = page[page.index('name="depends_on"') :].split("</select>")[0]
        assert "srv-pdd-01" in options
        assert "db-dukcapil" not in options
        assert "vm-dukcapil" not in options

    def test_duplicate_dependency_is_refused(self, graph, world, login):
        response = self.add(login(world.owner_admin), graph.db, graph.vm)
        assert response.status_code == 400
        assert "db-dukcapil sudah tercatat bergantung pada vm-dukcapil." in response.content.decode()

    def test_component_of_another_pemda_in_a_crafted_post_is_refused(self, graph, world, login):
        client = login(world.coordinator)
        for target in (graph.tegal_server.pk, 999999, "abc"):
            response = client.post(reverse("cmdb:component_dependency_add", args=[graph.db.pk]), {"depends_on": target})
            assert response.status_code == 400
            assert "Pilih komponen infrastruktur milik Pemda yang sama." in response.content.decode()
        assert list(graph.db.depends_on.all()) == [graph.vm]

    def test_a_longer_loop_through_other_pds_is_also_refused(self, graph, world, login):
        # srv-pdd-01 ← vm ← db; making the server depend on db closes a loop
        response = self.add(login(world.coordinator), graph.server, graph.db)
        assert response.status_code == 400
        assert "lingkaran ketergantungan" in response.content.decode()

    def test_remove_is_audited(self, graph, world, login):
        url = reverse("cmdb:component_dependency_remove", args=[graph.db.pk, graph.vm.pk])
        assert login(world.owner_admin).post(url).status_code == 302
        assert not ComponentDependency.objects.filter(component=graph.db).exists()
        (event,) = audit_of(graph.db)
        assert event.changes == {"depends_on": ["vm-dukcapil (Mesin virtual)", None]}

    def test_detail_lists_both_directions_and_counts_what_is_hidden(self, graph, world, login):
        page = login(world.owner_admin).get(reverse("cmdb:component_detail", args=[graph.vm.pk])).content.decode()
        assert "db-dukcapil" in page  # depends on vm
        assert "srv-pdd-01" not in page  # Kominfo's server: counted, not named
        assert "Juga bergantung pada 1 komponen yang dikelola PD lain." in page
        assert ">SIAK</a>" in page


class TestList:
    def test_search_finds_attributes_and_filters_by_kind_and_pd(self, graph, world, login):
        client = login(world.coordinator)
        page = client.get(reverse("cmdb:component_list"), {"q": "10.0.1.5"}).content.decode()
        assert ">srv-pdd-01<" in page and ">srv-pdd-02<" not in page
        page = client.get(reverse("cmdb:component_list"), {"kind": "database"}).content.decode()
        assert ">db-dukcapil<" in page and ">vm-dukcapil<" not in page
        page = client.get(reverse("cmdb:component_list"), {"pd": world.kominfo.pk, "sort": "-name"}).content.decode()
        assert page.index(">srv-pdd-02<") < page.index(">srv-pdd-01<")
        assert ">vm-dukcapil<" not in page

    def test_empty_state_says_what_to_do(self, world, login):
        page = login(world.owner_admin).get(reverse("cmdb:component_list")).content.decode()
        assert "Belum ada komponen infrastruktur." in page
        assert reverse("cmdb:component_create") in page

    def test_export_content(self, graph, world, login):
        response = login(world.coordinator).get(reverse("cmdb:component_list"), {"export": "xlsx"})
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        by_name = {row[2]: dict(zip(header, row, strict=True)) for row in body}
        assert set(by_name) == {"db-dukcapil", "srv-pdd-01", "srv-pdd-02", "vm-dukcapil"}
        assert by_name["srv-pdd-01"]["Atribut"] == "IP: 10.0.1.5; OS: Proxmox VE 8"
        assert by_name["srv-pdd-01"]["Jenis"] == "Server fisik"
        assert by_name["vm-dukcapil"]["Bergantung pada"] == "srv-pdd-01"
        assert by_name["vm-dukcapil"]["Lokasi"] == "Pusat Data Daerah, rak B3"
        assert by_name["db-dukcapil"]["PD pengelola"] == "Disdukcapil Yogya"

    def test_export_names_only_dependencies_the_user_sees(self, graph, world, login):
        response = login(world.owner_admin).get(reverse("cmdb:component_list"), {"export": "xlsx"})
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
        assert {row[2]: row[6] for row in rows} == {"db-dukcapil": "vm-dukcapil", "vm-dukcapil": None}
