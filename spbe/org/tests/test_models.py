"""Rules of the organisation model (S-1)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from spbe.conftest import make_person
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah, RoleAssignment, User
from spbe.org.validators import validate_nip, validate_phone


class TestNip:
    def test_well_formed_nip_is_accepted(self):
        validate_nip("197803122005011003")

    @pytest.mark.parametrize(
        ("nip", "fragment"),
        [
            ("12345", "18 digit"),
            ("19780312200501100A", "18 digit"),
            ("197813122005011003", "tanggal lahir"),  # month 13
            ("197803122005131003", "TMT"),  # TMT month 13
            ("197803122005013003", "jenis kelamin"),  # gender 3
            ("197803122005011000", "nomor urut"),
        ],
    )
    def test_malformed_nip_is_rejected_with_indonesian_reason(self, nip, fragment):
        with pytest.raises(ValidationError) as error:
            validate_nip(nip)
        assert fragment in error.value.messages[0]


@pytest.mark.parametrize("phone", ["0274 512345", "+62 812-3456-7890", "081234567890"])
def test_indonesian_phone_numbers_are_accepted(phone):
    validate_phone(phone)


def test_foreign_or_short_phone_is_rejected():
    with pytest.raises(ValidationError):
        validate_phone("12-34")


class TestRoles:
    def test_one_pemda_has_at_most_one_spbe_coordinator_pd(self, world):
        pd = PerangkatDaerah(pemda=world.yogya, name="Dinas Kominfo Kedua", abbreviation="K2", is_spbe_coordinator=True)
        with pytest.raises(ValidationError) as error:
            pd.full_clean()
        assert "sudah memiliki PD koordinator SPBE" in str(error.value)

    def test_coordinator_role_only_in_the_diskominfo_pd(self, world):
        assignment = RoleAssignment(user=world.owner_admin, role=Role.KOORDINATOR_SPBE, pd=world.dukcapil)
        with pytest.raises(ValidationError) as error:
            assignment.full_clean()
        assert "Diskominfo" in str(error.value)

    def test_officials_need_a_nip(self, world):
        assignment = RoleAssignment(user=world.vendor, role=Role.PJ_PENYEDIA, pd=world.dukcapil)
        with pytest.raises(ValidationError) as error:
            assignment.full_clean()
        assert "NIP" in str(error.value)

    def test_vendor_staff_may_be_infrastructure_administrator_without_nip(self, world):
        """S-1: the Administrator Infrastruktur dan Aplikasi may be a third party."""
        person = make_person("tech@vendor.test", world.tegal, organisation="CV Tegal Net")
        assignment = RoleAssignment(user=person, role=Role.ADMIN_INFRA, pd=world.tegal_kominfo)
        assignment.full_clean()

    def test_one_person_may_hold_several_roles_in_several_pds(self, world):
        RoleAssignment(user=world.owner_head, role=Role.PIMPINAN_PD, pd=world.dinkes).full_clean()
        RoleAssignment(user=world.owner_head, role=Role.PJ_PENYEDIA, pd=world.dukcapil).full_clean()

    def test_same_role_twice_in_one_pd_is_rejected(self, world):
        with pytest.raises(ValidationError) as error:
            RoleAssignment(user=world.owner_admin, role=Role.ADMIN_LAYANAN, pd=world.dukcapil).full_clean()
        assert "sudah memegang peran" in str(error.value)

    def test_database_refuses_a_structural_role_without_pd(self, world):
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(user=world.citizen, role=Role.ADMIN_LAYANAN, pd=None)


@pytest.mark.parametrize(
    ("full_name", "short"),
    [("Dra. Sri Wahyuni, M.Si.", "Sri"), ("H. Ahmad Fauzi", "Ahmad"), ("Nur Aini", "Nur"), ("Ir.", "Ir.")],
)
def test_the_greeting_uses_the_first_name_past_the_titles(full_name, short):
    assert User(email="x@y.test", full_name=full_name).get_short_name() == short
