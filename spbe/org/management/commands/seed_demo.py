"""Load the demo Pemda once and print the demo log-ins."""

from django.core.management.base import BaseCommand

from spbe.org.demo import DEMO_PASSWORD, demo_exists, load_demo


class Command(BaseCommand):
    help = "Memuat data demo (Kota Yogyakarta dan Kabupaten Tegal) sekali saja, lalu mencetak akun demo."

    def handle(self, *args, **options) -> None:
        existed = demo_exists()
        logins = load_demo()
        self.stdout.write("Data demo sudah ada; tidak diubah." if existed else "Data demo dimuat.")
        self.stdout.write(f"\nAkun demo (kata sandi semua akun: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.email:<34} {login.who}")
        self.stdout.write(
            "\nAdministrator Sistem dan Koordinator SPBE memakai verifikasi dua langkah: saat pertama masuk, "
            "pindai kode QR dengan aplikasi autentikator (atau ketik kuncinya) dan simpan kode pemulihannya."
        )
