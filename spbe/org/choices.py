"""Kinds and roles of the organisation (Pedoman S-1), with Indonesian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PemdaKind(models.TextChoices):
    KOTA = "kota", _("Kota")
    KABUPATEN = "kabupaten", _("Kabupaten")
    PROVINSI = "provinsi", _("Provinsi")


class TimeZone(models.TextChoices):
    """Indonesia's three zones; none has daylight saving (Pedoman C)."""

    WIB = "Asia/Jakarta", _("WIB (Asia/Jakarta, UTC+7)")
    WITA = "Asia/Makassar", _("WITA (Asia/Makassar, UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (Asia/Jayapura, UTC+9)")


class PDKind(models.TextChoices):
    SEKRETARIAT = "sekretariat", _("Sekretariat")
    INSPEKTORAT = "inspektorat", _("Inspektorat")
    DINAS = "dinas", _("Dinas")
    BADAN = "badan", _("Badan")
    KANTOR = "kantor", _("Kantor / Satuan")
    RSUD = "rsud", _("Rumah Sakit Umum Daerah")
    KECAMATAN = "kecamatan", _("Kecamatan / Kemantren")
    LAINNYA = "lainnya", _("Lainnya")


class Role(models.TextChoices):
    """The five structural roles of Tabel 1 plus the two non-structural ones.

    *Pengguna Layanan* (service user) is not stored: every signed-in person is
    one.
    """

    PIMPINAN_PD = "pimpinan_pd", _("Pimpinan PD Penyedia Layanan")
    PJ_PENYEDIA = "pj_penyedia", _("Penanggung Jawab Penyedia Layanan")
    PJ_INFRA = "pj_infra", _("Penanggung Jawab Pengelola Infrastruktur dan Aplikasi")
    ADMIN_LAYANAN = "admin_layanan", _("Administrator Layanan")
    ADMIN_INFRA = "admin_infra", _("Administrator Infrastruktur dan Aplikasi")
    KOORDINATOR_SPBE = "koordinator_spbe", _("Koordinator SPBE (Diskominfo)")
    ADMIN_SISTEM = "admin_sistem", _("Administrator Sistem")


STRUCTURAL_ROLES = frozenset({Role.PIMPINAN_PD, Role.PJ_PENYEDIA, Role.PJ_INFRA, Role.ADMIN_LAYANAN, Role.ADMIN_INFRA})
# Officials (Eselon II/III, Kepala Bidang) are civil servants and need a NIP;
# the two administrator teams may include contract staff and vendors (S-1).
ROLES_REQUIRING_NIP = frozenset({Role.PIMPINAN_PD, Role.PJ_PENYEDIA, Role.PJ_INFRA})
# The infrastructure and application managers (S-1), who in a Pemda are
# usually Diskominfo's data-centre team.
INFRA_ROLES = frozenset({Role.ADMIN_INFRA, Role.PJ_INFRA})
