"""The Pedoman's requirements as the navigation knows them: each stage page
lists its requirement IDs and links to the screen that implements each one,
so the product shows its own traceability (pedoman.md, preamble)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.org import access


def _alert_source_managers(user) -> bool:
    from spbe.monitoring.views_intake import source_pemdas

    return source_pemdas(user).exists()


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    url_name: str | None = None  # None: not built yet
    managers_only: bool = False  # only for Koordinator SPBE / Administrator Sistem
    args: tuple = ()
    #: who may open the screen when not every staff member may: the view's own rule (issue 14)
    opens: Callable | None = None

    @property
    def href(self) -> str | None:
        return reverse(self.url_name, args=self.args) if self.url_name else None

    def shown_to(self, user) -> bool:
        """The navigation lists only what the person may open."""
        if self.managers_only and not access.can_manage_org(user):
            return False
        return self.opens is None or self.opens(user)


STAGES = {
    "perencanaan": (
        _("Perencanaan"),
        _("Pedoman 2.1 — menetapkan target, katalog, dan rencana sebelum layanan dioperasikan."),
        [
            Requirement("P-1", _("Target Pelayanan Pengguna"), "policy:mine"),
            Requirement("P-2", _("Prioritas Penanganan Aduan"), "policy:mine"),
            Requirement("P-3", _("Target Waktu Tanggap"), "policy:mine"),
            Requirement("C", _("Kalender jam kerja, hari libur, dan Ramadan"), "policy:my_calendar"),
            Requirement("P-4", _("Katalog Layanan"), "catalog:service_list"),
            Requirement("P-5", _("Klasifikasi Layanan (kritis, esensial, normal)"), "catalog:service_list"),
            Requirement("P-6", _("Pendataan Kebutuhan Layanan"), "catalog:planning_list", args=("kebutuhan-layanan",)),
            Requirement(
                "P-7",
                _("Kebijakan Penggunaan dan Pemeliharaan Infrastruktur"),
                "catalog:planning_list",
                args=("kebijakan-infrastruktur",),
            ),
            Requirement(
                "P-8", _("Target Pengoperasian Layanan"), "catalog:planning_list", args=("target-pengoperasian",)
            ),
            Requirement("P-9", _("Rencana Perubahan Layanan"), "change:plan_list"),
            Requirement("P-9", _("Kalender perubahan, rilis, dan pemeliharaan"), "change:calendar"),
            Requirement(
                "P-10", _("Target Pengelolaan Aplikasi"), "catalog:planning_list", args=("target-pengelolaan-aplikasi",)
            ),
            Requirement(
                "P-11", _("Analisis Kebutuhan Aplikasi"), "catalog:planning_list", args=("analisis-kebutuhan-aplikasi",)
            ),
            Requirement("P-4", _("Persetujuan yang menunggu saya"), "approvals:inbox"),
        ],
    ),
    "operasional": (
        _("Operasional"),
        _("Pedoman 2.2 — melayani pengguna, mengoperasikan, dan memulihkan layanan."),
        [
            Requirement("O-1", _("Permintaan Layanan"), "desk:queue"),
            Requirement("O-2", _("Penanganan Aduan"), "desk:queue"),
            Requirement("O-3", _("Reviu Berkala Gangguan Layanan"), "desk:review"),
            Requirement("O-2", _("Basis pengetahuan: artikel bantuan dan solusi sementara"), "knowledge:list"),
            Requirement("O-2", _("Kanal e-mail: kotak surel dan triase"), "mail:mailbox_list"),
            Requirement("O-2", _("Kanal chat: Telegram dan WhatsApp"), "chat:channel_list"),
            Requirement("O-2", _("SP4N-LAPOR!: impor laporan, tenggat, dan ekspor tindak lanjut"), "lapor:overview"),
            Requirement("O-4", _("Pemantauan dan Pemeliharaan Layanan: pemeriksaan dan gangguan"), "monitoring:checks"),
            Requirement("O-4", _("Jadwal pemeliharaan"), "monitoring:maintenance"),
            Requirement("O-4", _("Ketersediaan dan Formulir Pemantauan"), "monitoring_reports:availability"),
            Requirement("O-4", _("Utilisasi infrastruktur (node_exporter)"), "monitoring_intake:targets"),
            Requirement(
                "O-4",
                _("Peringatan dari Alertmanager / Zabbix"),
                "monitoring_intake:sources",
                opens=_alert_source_managers,
            ),
            Requirement("O-5", _("Pemulihan Layanan: ringkasan keberlangsungan"), "continuity:overview"),
            Requirement("O-5", _("Rencana pemulihan bencana (DRP)"), "continuity:plan_list"),
            Requirement("O-5", _("Aktivasi dan uji coba DRP"), "continuity:recovery_list"),
            Requirement("O-6", _("Rilis Layanan"), "change:release_list"),
            Requirement("O-7", _("Pengelolaan Aplikasi: aplikasi (basis data konfigurasi)"), "cmdb:application_list"),
            Requirement("O-7", _("Proyek pengembangan aplikasi (SDLC)"), "change:project_list"),
            Requirement("O-2", _("Komponen infrastruktur dan analisis dampak"), "cmdb:component_list"),
        ],
    ),
    "evaluasi": (
        _("Evaluasi"),
        _("Pedoman 2.3 — mengukur efektivitas manajemen layanan dan menindaklanjutinya."),
        [
            Requirement(
                "E-1", _("Dasbor evaluasi: target, ketersediaan, kepuasan, kematangan"), "evaluation:dashboard"
            ),
            Requirement("E-2", _("Laporan Evaluasi"), "evaluation:report_list"),
            Requirement("E-2", _("Tindak lanjut evaluasi"), "evaluation:action_list"),
            Requirement("E-3", _("Dokumen Kesepakatan Tingkat Layanan (SLA): tabel paket kebijakan"), "policy:mine"),
            Requirement("E-3", _("Dokumen SLA per PD atau kontrak vendor"), "desk:sla_list"),
            Requirement("E-4", _("Tingkat Kematangan (PermenPANRB 59/2020) dan bukti dukung"), "evaluation:maturity"),
        ],
    ),
    "pengaturan": (
        _("Pengaturan"),
        _("Struktur organisasi (BAB I, Tabel 1): Perangkat Daerah, orang, dan peran."),
        [
            Requirement("S-1", _("Pemerintah Daerah"), "org:pemda_list", managers_only=True),
            Requirement("S-1", _("Perangkat Daerah"), "org:pd_list"),
            Requirement("S-1", _("Orang dan peran"), "org:person_list", managers_only=True),
            Requirement("S-1", _("Jejak audit"), "audit:list", managers_only=True),
        ],
    ),
}
