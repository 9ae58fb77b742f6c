"""Managing PDs, people and roles through the pages (S-1, issue 2 item 6)."""

from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from spbe.audit.models import AuditAction, AuditEvent
from spbe.conftest import make_person
from spbe.org.models import PerangkatDaerah, User

NEW_PD = {"pemda": "", "name": "Dinas Sosial", "abbreviation": "Dinsos", "kind": "dinas", "is_active": "on"}


def new_person(**overrides):
    data = {
        "full_name": "Budi Santoso",
        "email": "budi@yogya.test",
        "phone": "0274 555123",
        "nip": "",
        "pemda": "",
        "organisation": "",
        "is_active": "on",
        "first_role": "",
        "first_role_pd": "",
        "password": "",
    }
    data.update(overrides)
    return data


class TestPdPages:
    def test_coordinator_adds_a_pd_and_the_change_is_audited(self, world, login):
        client = login(world.coordinator)
        response = client.post(reverse("org:pd_create"), {**NEW_PD, "pemda": world.yogya.pk})
        pd = PerangkatDaerah.objects.get(abbreviation="Dinsos")
        assert response.status_code == 302
        assert pd.pemda == world.yogya
        event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(pd.pk))
        assert event.actor == world.coordinator
        assert event.pemda == world.yogya
        assert event.changes["name"] == [None, "Dinas Sosial"]

    def test_coordinator_cannot_create_a_pd_in_another_pemda(self, world, login):
        client = login(world.coordinator)
        response = client.post(reverse("org:pd_create"), {**NEW_PD, "pemda": world.tegal.pk})
        assert response.status_code == 400
        assert not PerangkatDaerah.objects.filter(abbreviation="Dinsos").exists()

    def test_duplicate_abbreviation_is_shown_next_to_the_field(self, world, login):
        client = login(world.coordinator)
        response = client.post(reverse("org:pd_create"), {**NEW_PD, "pemda": world.yogya.pk, "abbreviation": "Dinkes"})
        assert response.status_code == 400
        assert "Singkatan ini sudah dipakai PD lain" in response.content.decode()
        assert PerangkatDaerah.objects.filter(abbreviation="Dinkes").count() == 1

    def test_editing_a_pd_records_old_and_new_values(self, world, login):
        client = login(world.coordinator)
        data = {"name": "Dinas Kesehatan", "abbreviation": "Dinkes", "kind": "dinas", "is_active": "on"}
        client.post(reverse("org:pd_edit", args=[world.dinkes.pk]), data)
        event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(world.dinkes.pk))
        assert event.changes == {"name": ["Dinas Kesehatan Yogya", "Dinas Kesehatan"]}

    def test_list_searches_filters_and_exports(self, world, login):
        client = login(world.coordinator)
        page = client.get(reverse("org:pd_list"), {"q": "kesehatan"}).content.decode()
        assert "Dinas Kesehatan Yogya" in page
        assert "Disdukcapil Yogya" not in page
        export = client.get(reverse("org:pd_list"), {"kind": "dinas", "export": "xlsx"})
        sheet = load_workbook(BytesIO(export.content)).active
        names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert names == {"Diskominfosan", "Disdukcapil Yogya", "Dinas Kesehatan Yogya"}

    def test_list_paginates_and_keeps_filters_in_links(self, world, login):
        for number in range(30):
            PerangkatDaerah.objects.create(pemda=world.yogya, name=f"Kemantren {number:02d}", abbreviation=f"K{number}")
        client = login(world.coordinator)
        first = client.get(reverse("org:pd_list"), {"q": "Kemantren"}).content.decode()
        assert "1 / 2" in first
        assert "q=Kemantren" in first
        second = client.get(reverse("org:pd_list"), {"q": "Kemantren", "page": 2}).content.decode()
        assert "Kemantren 29" in second

    def test_list_query_count_does_not_grow_with_rows(self, world, login, django_assert_max_num_queries):
        for number in range(20):
            PerangkatDaerah.objects.create(pemda=world.yogya, name=f"Kelurahan {number}", abbreviation=f"L{number}")
        client = login(world.coordinator)
        with django_assert_max_num_queries(12):
            client.get(reverse("org:pd_list"))

    def test_htmx_search_returns_only_the_results(self, world, login):
        response = login(world.coordinator).get(reverse("org:pd_list"), {"q": "kesehatan"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "<html" not in html
        assert "Dinas Kesehatan Yogya" in html
        assert "export=xlsx" in html and "q=kesehatan" in html  # export follows the filter

    def test_empty_search_tells_what_to_do(self, world, login):
        page = login(world.coordinator).get(reverse("org:pd_list"), {"q": "zzz"}).content.decode()
        assert "Tidak ada Perangkat Daerah yang cocok" in page


class TestPeoplePages:
    def test_add_a_person_with_a_role_and_initial_password(self, world, login):
        client = login(world.coordinator)
        data = new_person(
            pemda=world.yogya.pk,
            first_role="admin_layanan",
            first_role_pd=world.dinkes.pk,
            password="Kata-sandi-kuat-1",
        )
        response = client.post(reverse("org:person_create"), data)
        person = User.objects.get(email="budi@yogya.test")
        assert response.status_code == 302
        assert person.check_password("Kata-sandi-kuat-1")
        assert [(a.role, a.pd) for a in person.role_assignments.all()] == [("admin_layanan", world.dinkes)]
        actions = set(AuditEvent.objects.filter(target_id=str(person.pk)).values_list("action", flat=True))
        assert actions == {AuditAction.CREATE, AuditAction.ROLE_ASSIGN}

    def test_a_person_without_password_gets_a_set_password_email(self, world, login):
        client = login(world.coordinator)
        client.post(reverse("org:person_create"), new_person(pemda=world.yogya.pk))
        person = User.objects.get(email="budi@yogya.test")
        assert not person.has_usable_password()
        assert len(mail.outbox) == 1
        assert "/akun/kata-sandi/atur/" in mail.outbox[0].body

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("email", "ADMIN@yogya.test", "E-mail ini sudah dipakai orang lain."),
            ("nip", "197803122005011003", "NIP ini sudah terdaftar untuk orang lain."),
            ("nip", "1234", "NIP harus terdiri dari tepat 18 digit angka."),
            ("phone", "abc", "Nomor telepon tidak valid"),
        ],
    )
    def test_bad_input_is_rejected_next_to_the_field(self, world, login, field, value, message):
        client = login(world.coordinator)
        response = client.post(reverse("org:person_create"), new_person(pemda=world.yogya.pk, **{field: value}))
        html = response.content.decode()
        assert response.status_code == 400
        assert message in html
        assert 'aria-invalid="true"' in html
        assert not User.objects.filter(full_name="Budi Santoso").exists()

    def test_official_role_without_nip_is_refused_and_nothing_is_saved(self, world, login):
        client = login(world.coordinator)
        data = new_person(pemda=world.yogya.pk, first_role="pimpinan_pd", first_role_pd=world.dinkes.pk)
        response = client.post(reverse("org:person_create"), data)
        assert "hanya untuk ASN" in response.content.decode()
        assert not User.objects.filter(email="budi@yogya.test").exists()

    def test_weak_initial_password_is_refused(self, world, login):
        client = login(world.coordinator)
        response = client.post(reverse("org:person_create"), new_person(pemda=world.yogya.pk, password="12345"))
        assert response.status_code == 400
        assert not User.objects.filter(email="budi@yogya.test").exists()

    def test_assign_and_revoke_a_role(self, world, login):
        client = login(world.coordinator)
        client.post(
            reverse("org:role_assign", args=[world.vendor.pk]),
            {"role": "admin_infra", "pd": world.dukcapil.pk, "note": "SK 12/2026"},
        )
        assignment = world.vendor.role_assignments.get(pd=world.dukcapil)
        assert assignment.assigned_by == world.coordinator
        client.post(reverse("org:role_revoke", args=[world.vendor.pk, assignment.pk]))
        assert not world.vendor.role_assignments.filter(pd=world.dukcapil).exists()
        actions = list(AuditEvent.objects.filter(target_id=str(world.vendor.pk)).values_list("action", flat=True))
        assert actions == [AuditAction.ROLE_REVOKE, AuditAction.ROLE_ASSIGN]

    def test_person_list_filters_by_role_and_pd(self, world, login):
        client = login(world.coordinator)
        page = client.get(reverse("org:person_list"), {"role": "admin_layanan", "pd": world.dukcapil.pk})
        html = page.content.decode()
        assert "Nur Admin" in html
        assert "Arif Dinkes" not in html

    def test_person_list_query_count_does_not_grow_with_rows(self, world, login, django_assert_max_num_queries):
        for number in range(20):
            make_person(f"p{number}@yogya.test", world.yogya)
        client = login(world.coordinator)
        with django_assert_max_num_queries(12):
            client.get(reverse("org:person_list"))

    def test_person_export_lists_roles(self, world, login):
        export = login(world.coordinator).get(reverse("org:person_list"), {"export": "xlsx"})
        rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True))
        by_email = {row[1]: row for row in rows}
        assert "Administrator Layanan" in by_email["admin@yogya.test"][6]
        assert "koord@tegal.test" not in by_email


class TestAuditPage:
    def test_coordinator_reads_only_its_pemda_events(self, world, login):
        login(world.tegal_coordinator).post(
            reverse("org:pd_create"), {**NEW_PD, "pemda": world.tegal.pk, "name": "Dinas Sosial Tegal"}
        )
        client = login(world.coordinator)
        client.post(reverse("org:pd_create"), {**NEW_PD, "pemda": world.yogya.pk})
        html = client.get(reverse("audit:list")).content.decode()
        assert "Dinas Sosial (Dinsos)" in html
        assert "Dinas Sosial Tegal (Dinsos)" not in html

    def test_owner_admin_cannot_read_the_trail(self, world, login):
        assert login(world.owner_admin).get(reverse("audit:list")).status_code == 403


def png_upload(name: str = "logo.png", size: int = 0):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * size, content_type="image/png")


class TestPemdaPages:
    def form(self, pemda, **overrides):
        data = {"name": pemda.name, "kind": pemda.kind, "time_zone": "Asia/Makassar"}
        data.update(overrides)
        return data

    def test_coordinator_changes_time_zone_and_logo_of_its_pemda(self, world, login, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        client = login(world.coordinator)
        response = client.post(
            reverse("org:pemda_edit", args=[world.yogya.pk]), self.form(world.yogya, logo=png_upload())
        )
        assert response.status_code == 302
        world.yogya.refresh_from_db()
        assert world.yogya.time_zone == "Asia/Makassar"
        assert world.yogya.logo.name.startswith("pemda-logo/")
        assert AuditEvent.objects.filter(target_type="org.pemda", action=AuditAction.UPDATE).exists()

    def test_a_text_file_named_png_is_refused(self, world, login, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        fake = SimpleUploadedFile("logo.png", b"bukan gambar", content_type="image/png")
        response = login(world.coordinator).post(
            reverse("org:pemda_edit", args=[world.yogya.pk]), self.form(world.yogya, logo=fake)
        )
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()
        world.yogya.refresh_from_db()
        assert not world.yogya.logo
        assert world.yogya.time_zone == "Asia/Jakarta"  # nothing partly saved

    def test_a_logo_over_one_megabyte_is_refused(self, world, login, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        response = login(world.coordinator).post(
            reverse("org:pemda_edit", args=[world.yogya.pk]), self.form(world.yogya, logo=png_upload(size=1_100_000))
        )
        assert "Ukuran berkas maksimal 1 MB." in response.content.decode()

    def test_coordinator_cannot_edit_another_pemda(self, world, login):
        response = login(world.coordinator).post(
            reverse("org:pemda_edit", args=[world.tegal.pk]), self.form(world.tegal)
        )
        assert response.status_code == 404

    def test_only_a_system_administrator_adds_a_pemda(self, world, login):
        data = {"name": "Kota Jayapura", "kind": "kota", "slug": "kota-jayapura", "time_zone": "Asia/Jayapura"}
        assert login(world.coordinator).post(reverse("org:pemda_create"), data).status_code == 403
        assert login(world.sysadmin).post(reverse("org:pemda_create"), data).status_code == 302
