"""Applications (O-7): create, edit, what they run on, which services use
them, their planning records, the list and its export."""

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from spbe.audit.models import AuditAction, AuditEvent
from spbe.catalog.models import OperatingTarget
from spbe.cmdb.models import Application, AppNeedsAnalysis, ServiceApplication
from spbe.cmdb.tests.conftest import make_app, make_component


def new_app(pd, **overrides) -> dict:
    data = {
        "pd": pd.pk, "name": "SIMPEG", "description": "Kepegawaian", "url": "https://simpeg.jogjakota.go.id",
        "technology": "Laravel 10", "hosting": "pdd", "developer": "PT Data Solusi", "sdlc_phase": "testing",
        "version": "1.0",
    }  # fmt: skip
    data.update(overrides)
    return data


def events(obj, action=AuditAction.UPDATE):
    return list(AuditEvent.objects.filter(target_type="cmdb.application", target_id=str(obj.pk), action=action))


class TestCreateAndEdit:
    def test_owner_adds_an_application_and_it_is_audited(self, world, login):
        response = login(world.owner_admin).post(reverse("cmdb:application_create"), new_app(world.dukcapil))
        app = Application.objects.get(name="SIMPEG")
        assert response.status_code == 302
        assert response["Location"] == reverse("cmdb:application_detail", args=[app.pk])
        (event,) = events(app, AuditAction.CREATE)
        assert event.actor == world.owner_admin
        assert event.pemda == world.yogya
        assert event.changes["name"] == [None, "SIMPEG"]
        assert event.changes["sdlc_phase"] == [None, "testing"]

    def test_the_pd_choice_is_limited_to_the_pds_one_works_in(self, world, login):
        client = login(world.owner_admin)
        page = client.get(reverse("cmdb:application_create")).content.decode()
        assert "Disdukcapil Yogya" in page
        assert "Dinas Kesehatan Yogya" not in page
        response = client.post(reverse("cmdb:application_create"), new_app(world.dinkes))
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()
        assert not Application.objects.filter(name="SIMPEG").exists()

    def test_coordinator_may_register_for_any_pd_of_its_pemda_only(self, world, login):
        client = login(world.coordinator)
        assert client.post(reverse("cmdb:application_create"), new_app(world.dinkes)).status_code == 302
        assert client.post(reverse("cmdb:application_create"), new_app(world.tegal_dukcapil)).status_code == 400

    def test_duplicate_name_in_the_same_pd_is_refused_next_to_the_field(self, graph, world, login):
        response = login(world.owner_admin).post(
            reverse("cmdb:application_create"), new_app(world.dukcapil, name="siak")
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "PD ini sudah memiliki aplikasi dengan nama tersebut." in content
        assert 'id="id_name_info"' in content
        assert Application.objects.filter(name__iexact="siak").count() == 1

    def test_same_name_in_another_pd_is_fine(self, graph, world, login):
        response = login(world.other_pd_admin).post(
            reverse("cmdb:application_create"), new_app(world.dinkes, name="SIAK")
        )
        assert response.status_code == 302

    def test_bad_input_is_400_with_indonesian_messages(self, world, login):
        response = login(world.owner_admin).post(
            reverse("cmdb:application_create"), new_app(world.dukcapil, name="", hosting="mars", url="bukan alamat")
        )
        assert response.status_code == 400
        assert "Periksa kembali isian" in response.content.decode()

    def test_edit_records_old_and_new_values(self, graph, world, login):
        client = login(world.owner_admin)
        data = new_app(world.dukcapil, name="SIAK", sdlc_phase="maintenance", version="7.3", description="")
        response = client.post(reverse("cmdb:application_edit", args=[graph.siak.pk]), data)
        assert response.status_code == 302
        (event,) = events(graph.siak)
        assert event.changes["version"] == ["7.2", "7.3"]
        assert event.changes["sdlc_phase"] == ["production", "maintenance"]
        assert "name" not in event.changes

    def test_edit_offers_only_pds_of_the_same_pemda(self, graph, world, login):
        client = login(world.sysadmin)
        response = client.post(
            reverse("cmdb:application_edit", args=[graph.siak.pk]), new_app(world.tegal_dukcapil, name="SIAK")
        )
        assert response.status_code == 400
        graph.siak.refresh_from_db()
        assert graph.siak.pd == world.dukcapil


class TestDetail:
    def test_shows_every_field_components_services_and_planning(self, graph, world, login):
        target = OperatingTarget.objects.create(application=graph.siak, classification="kritis", availability_target=99)
        analysis = AppNeedsAnalysis.objects.create(
            pd=world.dukcapil, application=graph.siak, title="Modul KIA", urgency="tinggi", cost_benefit="-",
            implications="-", functional_requirements="-", non_functional_requirements="-",
        )  # fmt: skip
        page = login(world.coordinator).get(reverse("cmdb:application_detail", args=[graph.siak.pk])).content.decode()
        for text in ("Java 17, Oracle 19c", "7.2", "Pusat Data Daerah", "Operasional", "vm-dukcapil", "KTP-el",
                     "Rujukan", target.get_absolute_url(), analysis.get_absolute_url(), "Modul KIA"):  # fmt: skip
            assert text in page, text

    def test_other_pds_services_are_counted_not_named(self, graph, world, login):
        page = login(world.owner_admin).get(reverse("cmdb:application_detail", args=[graph.siak.pk])).content.decode()
        assert "KTP-el" in page
        assert "Rujukan" not in page
        assert "Juga dipakai 1 layanan PD lain." in page


class TestRunsOn:
    def test_owner_adds_and_removes_a_component_audited(self, graph, world, login):
        client = login(world.owner_admin)
        url = reverse("cmdb:application_component_add", args=[graph.siak.pk])
        assert client.post(url, {"component": graph.db.pk}).status_code == 302
        assert set(graph.siak.components.all()) == {graph.vm, graph.db}
        remove = reverse("cmdb:application_component_remove", args=[graph.siak.pk, graph.vm.pk])
        assert client.post(remove).status_code == 302
        assert set(graph.siak.components.all()) == {graph.db}
        changes = [e.changes["components"] for e in reversed(events(graph.siak))]
        assert changes == [[None, "db-dukcapil (Basis data)"], ["vm-dukcapil (Mesin virtual)", None]]

    def test_component_of_another_pemda_in_a_crafted_post_is_refused(self, graph, world, login):
        response = login(world.coordinator).post(
            reverse("cmdb:application_component_add", args=[graph.siak.pk]), {"component": graph.tegal_server.pk}
        )
        assert response.status_code == 400
        assert "Pilih komponen infrastruktur milik Pemda yang sama dengan aplikasi ini." in response.content.decode()
        assert set(graph.siak.components.all()) == {graph.vm}
        assert events(graph.siak) == []

    def test_unknown_or_duplicate_component_is_refused(self, graph, world, login):
        client = login(world.owner_admin)
        url = reverse("cmdb:application_component_add", args=[graph.siak.pk])
        assert client.post(url, {"component": 999999}).status_code == 400
        assert client.post(url, {"component": "x"}).status_code == 400
        response = client.post(url, {"component": graph.vm.pk})
        assert response.status_code == 400
        assert "sudah tercatat berjalan di" in response.content.decode()

    def test_pd_staff_cannot_link_a_component_they_cannot_see(self, graph, world, login):
        response = login(world.owner_admin).post(
            reverse("cmdb:application_component_add", args=[graph.siak.pk]), {"component": graph.server.pk}
        )
        assert response.status_code == 400

    def test_coordinator_links_an_application_to_the_data_centre_server(self, graph, world, login):
        client = login(world.coordinator)
        url = reverse("cmdb:application_component_add", args=[graph.siak.pk])
        assert client.post(url, {"component": graph.server.pk}).status_code == 302
        assert "srv-pdd-01" in client.get(reverse("cmdb:application_detail", args=[graph.siak.pk])).content.decode()
        page = login(world.owner_admin).get(reverse("cmdb:application_detail", args=[graph.siak.pk])).content.decode()
        assert "srv-pdd-01" not in page
        assert "Juga berjalan di 1 komponen yang dikelola PD lain." in page

    def test_removing_a_link_that_does_not_exist_is_404(self, graph, world, login):
        url = reverse("cmdb:application_component_remove", args=[graph.siak.pk, graph.db.pk])
        assert login(world.owner_admin).post(url).status_code == 404

    def test_get_on_a_change_url_is_refused(self, graph, world, login):
        url = reverse("cmdb:application_component_add", args=[graph.siak.pk])
        assert login(world.owner_admin).get(url).status_code == 405


class TestServiceLinks:
    def test_owner_links_and_unlinks_a_service_audited(self, graph, world, login):
        client = login(world.owner_admin)
        url = reverse("cmdb:application_service_add", args=[graph.siak.pk])
        assert client.post(url, {"service": graph.akta.pk}).status_code == 302
        assert ServiceApplication.objects.filter(application=graph.siak, service=graph.akta).exists()
        remove = reverse("cmdb:application_service_remove", args=[graph.siak.pk, graph.akta.pk])
        assert client.post(remove).status_code == 302
        assert not ServiceApplication.objects.filter(application=graph.siak, service=graph.akta).exists()
        changes = [e.changes["services"] for e in reversed(events(graph.siak))]
        assert changes == [[None, "Akta Kelahiran (Dukcapil)"], ["Akta Kelahiran (Dukcapil)", None]]

    def test_service_of_another_pemda_or_unseen_pd_is_refused(self, graph, world, login):
        client = login(world.owner_admin)
        url = reverse("cmdb:application_service_add", args=[graph.siak.pk])
        for service in (graph.tegal_service, graph.puskesmas):
            response = client.post(url, {"service": service.pk})
            assert response.status_code == 400
            assert "Pilih layanan milik Pemda yang sama dengan aplikasi ini." in response.content.decode()
        response = client.post(url, {"service": graph.ktp.pk})
        assert response.status_code == 400
        assert "sudah tercatat memakai aplikasi ini" in response.content.decode()

    def test_pd_staff_cannot_unlink_another_pds_service(self, graph, world, login):
        url = reverse("cmdb:application_service_remove", args=[graph.siak.pk, graph.rujukan.pk])
        assert login(world.owner_admin).post(url).status_code == 404
        assert ServiceApplication.objects.filter(application=graph.siak, service=graph.rujukan).exists()

    def test_the_service_page_lists_the_application(self, graph, world, login):
        page = login(world.owner_admin).get(graph.ktp.get_absolute_url()).content.decode()
        assert reverse("cmdb:application_detail", args=[graph.siak.pk]) in page


class TestList:
    def test_search_filters_and_sort(self, graph, world, login):
        make_app(world.dukcapil, "e-Dukcapil Mobile", sdlc_phase="design", technology="Flutter")
        client = login(world.coordinator)
        page = client.get(reverse("cmdb:application_list"), {"q": "flutter"}).content.decode()
        assert "e-Dukcapil Mobile" in page and ">SIAK<" not in page
        page = client.get(reverse("cmdb:application_list"), {"hosting": "cloud"}).content.decode()
        assert ">SIMPUS<" in page and ">SIAK<" not in page
        page = client.get(reverse("cmdb:application_list"), {"pd": world.dukcapil.pk, "sdlc_phase": "production"})
        assert ">SIAK<" in page.content.decode() and "Mobile" not in page.content.decode()
        page = client.get(reverse("cmdb:application_list"), {"sort": "-name"}).content.decode()
        assert page.index(">SIMPUS<") < page.index(">SIAK<")

    def test_htmx_gets_only_the_results(self, graph, world, login):
        response = login(world.coordinator).get(reverse("cmdb:application_list"), {"q": "SIAK"}, HTTP_HX_REQUEST="true")
        assert "<html" not in response.content.decode()
        assert ">SIAK<" in response.content.decode()

    def test_empty_state_says_what_to_do(self, world, login):
        page = login(world.owner_admin).get(reverse("cmdb:application_list")).content.decode()
        assert "Belum ada aplikasi yang tercatat." in page
        assert reverse("cmdb:application_create") in page

    def test_paginates(self, world, login):
        Application.objects.bulk_create(
            Application(pd=world.dukcapil, name=f"Aplikasi {n:02d}", hosting="pdd") for n in range(30)
        )
        page = login(world.owner_admin).get(reverse("cmdb:application_list"), {"page": 2}).content.decode()
        assert "Aplikasi 29" in page and "Aplikasi 00" not in page

    def test_export_has_every_field_and_only_what_the_user_sees(self, graph, world, login):
        make_component(world.dukcapil, "vm-cadangan", "vm")
        graph.siak.components.add(graph.server)  # a Kominfo server: not the owner's to see
        response = login(world.owner_admin).get(reverse("cmdb:application_list"), {"export": "xlsx"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        header, (siak,) = rows[0], rows[1:]
        row = dict(zip(header, siak, strict=True))
        assert row["Nama aplikasi"] == "SIAK"
        assert row["PD pemilik"] == "Disdukcapil Yogya"
        assert row["Teknologi"] == "Java 17, Oracle 19c"
        assert row["Hosting"] == "Pusat Data Daerah"
        assert row["Fase SDLC"] == "Operasional"
        assert row["Berjalan di"] == "vm-dukcapil"
        assert row["Dipakai oleh layanan"] == "KTP-el (Dukcapil)"

    def test_export_follows_the_filters(self, graph, world, login):
        response = login(world.coordinator).get(
            reverse("cmdb:application_list"), {"hosting": "cloud", "export": "xlsx"}
        )
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
        assert [row[2] for row in rows] == ["SIMPUS"]


def test_history_is_shown_to_the_coordinator_only(graph, world, login):
    client = login(world.owner_admin)
    client.post(reverse("cmdb:application_component_add", args=[graph.siak.pk]), {"component": graph.db.pk})
    url = reverse("cmdb:application_detail", args=[graph.siak.pk])
    assert "Riwayat perubahan" not in client.get(url).content.decode()
    page = login(world.coordinator).get(url).content.decode()
    assert "Riwayat perubahan" in page
    assert "db-dukcapil (Basis data)" in page
