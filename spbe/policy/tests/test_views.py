"""The pack and calendar pages (P-1, P-2, P-3, E-3, C): who sees and who
changes, and bad input answered next to the field."""

import pytest
from django.urls import reverse

from spbe.policy.models import HolidayChange, PolicyVersion

TEGAL = "kabupaten-tegal-perbup-10-2024"


def amend_data(**overrides):
    data = {"path": "response_targets.P1", "value": "10m", "reason": "Percepatan", "legal_basis": "Perbup 3/2026"}
    data.update(overrides)
    return data


class TestPackPage:
    def test_shows_tables_and_where_each_value_comes_from(self, world, packs, login):
        html = login(world.tegal_admin).get(reverse("policy:pack", args=[world.tegal.pk])).content.decode()
        assert "Dari regulasi: Tabel 3 Prioritas Penanganan Aduan" in html
        assert "Nilai bawaan, bukan dari regulasi" in html
        assert "Perlu konfirmasi" in html
        assert "36 jam" in html  # P-1 Layanan Publik × Esensial
        assert "Buat versi baru" not in html  # an Administrator Layanan reads, does not amend

    def test_my_pack_goes_to_the_users_pemda(self, world, packs, login):
        response = login(world.tegal_admin).get(reverse("policy:mine"))
        assert response["Location"] == reverse("policy:pack", args=[world.tegal.pk])

    @pytest.mark.parametrize(("persona", "status"), [("tegal_admin", 200), ("owner_admin", 404), ("citizen", 403)])
    def test_who_sees_the_pack(self, world, packs, login, persona, status):
        assert login(getattr(world, persona)).get(reverse("policy:pack", args=[world.tegal.pk])).status_code == status

    def test_coordinator_amends_and_the_pemda_adopts_the_new_version(self, world, packs, login):
        client = login(world.tegal_coordinator)
        response = client.post(reverse("policy:amend", args=[world.tegal.pk]), amend_data())
        world.tegal.refresh_from_db()
        assert world.tegal.policy_version.number == 2
        assert response["Location"] == reverse("policy:version", args=[world.tegal.pk, world.tegal.policy_version.pk])
        diff = client.get(response["Location"]).content.decode()
        assert "response_targets.P1" in diff and "15m" in diff and "10m" in diff

    def test_bad_value_is_explained_next_to_the_field_and_nothing_is_saved(self, world, packs, login):
        client = login(world.tegal_coordinator)
        response = client.post(reverse("policy:amend", args=[world.tegal.pk]), amend_data(value="sepuluh menit"))
        assert response.status_code == 400
        assert "Tulis durasi seperti 15m, 1h30m, atau 48h." in response.content.decode()
        assert PolicyVersion.objects.filter(slug=TEGAL).count() == 1

    def test_overlapping_hours_are_refused(self, world, packs, login):
        client = login(world.tegal_coordinator)
        data = amend_data(path="working_hours.monday", value="07:30-12:30, 12:00-16:00")
        response = client.post(reverse("policy:amend", args=[world.tegal.pk]), data)
        assert response.status_code == 400
        assert "Rentang jam bertumpang tindih." in response.content.decode()

    def test_an_administrator_cannot_amend(self, world, packs, login):
        response = login(world.tegal_admin).post(reverse("policy:amend", args=[world.tegal.pk]), amend_data())
        assert response.status_code == 404
        assert PolicyVersion.objects.filter(slug=TEGAL).count() == 1

    def test_confirm_the_default_cell(self, world, packs, login):
        client = login(world.tegal_coordinator)
        client.post(
            reverse("policy:confirm", args=[world.tegal.pk]),
            {"path": "user_service_targets.cells.layanan_publik.normal", "reason": "Rapat", "legal_basis": "Notulen"},
        )
        world.tegal.refresh_from_db()
        assert not world.tegal.policy_version.pack.user_service_target("layanan_publik", "normal").needs_confirmation


class TestCalendarPage:
    def test_year_page_shows_holidays_and_regional_days(self, world, packs, login):
        html = login(world.tegal_admin).get(reverse("policy:calendar", args=[world.tegal.pk, 2026])).content.decode()
        assert "Cuti Bersama Hari Raya Idul Fitri" in html
        assert "Jumlah jam kerja setahun" in html

    def test_coordinator_adds_a_regional_holiday_with_reason(self, world, packs, login):
        client = login(world.tegal_coordinator)
        data = {
            "date": "2026-05-18",
            "action": "add",
            "name": "Hari Jadi Kabupaten Tegal",
            "reason": "Perda",
            "year": 2026,
        }
        response = client.post(reverse("policy:holiday_add", args=[world.tegal.pk]), data)
        assert response.status_code == 302
        change = HolidayChange.objects.get(pemda=world.tegal)
        assert change.created_by == world.tegal_coordinator
        html = client.get(response["Location"]).content.decode()
        assert "Hari Jadi Kabupaten Tegal" in html

    def test_missing_reason_is_shown_next_to_the_field(self, world, packs, login):
        client = login(world.tegal_coordinator)
        data = {"date": "2026-05-18", "action": "add", "name": "Hari Jadi", "reason": "", "year": 2026}
        response = client.post(reverse("policy:holiday_add", args=[world.tegal.pk]), data)
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.content.decode()
        assert not HolidayChange.objects.exists()

    def test_overlapping_ramadan_period_is_refused(self, world, packs, login):
        client = login(world.tegal_coordinator)
        url = reverse("policy:period_add", args=[world.tegal.pk])
        first = {"name": "Ramadan", "date_from": "2026-02-19", "date_to": "2026-03-20", "year": 2026}
        assert client.post(url, first).status_code == 302
        second = {"name": "Ramadan", "date_from": "2026-03-01", "date_to": "2026-03-30", "year": 2026}
        response = client.post(url, second)
        assert response.status_code == 400
        assert "Bertumpang tindih" in response.content.decode()

    def test_period_ending_before_it_starts_is_refused(self, world, packs, login):
        client = login(world.tegal_coordinator)
        data = {"name": "Ramadan", "date_from": "2026-03-20", "date_to": "2026-02-19", "year": 2026}
        response = client.post(reverse("policy:period_add", args=[world.tegal.pk]), data)
        assert response.status_code == 400
        assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.content.decode()

    def test_other_pemda_cannot_change_the_calendar(self, world, packs, login):
        data = {"date": "2026-05-18", "action": "add", "name": "X", "reason": "Y", "year": 2026}
        response = login(world.coordinator).post(reverse("policy:holiday_add", args=[world.tegal.pk]), data)
        assert response.status_code == 404
        assert not HolidayChange.objects.exists()
