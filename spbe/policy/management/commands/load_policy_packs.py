"""Load the bundled policy packs (policy_packs/*.toml) as versions, or check
a pack file without loading it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spbe.policy.pack import PackError, bundled_packs, load_file
from spbe.policy.versions import load_pack_file


class Command(BaseCommand):
    help = "Memuat paket kebijakan (policy_packs/*.toml) sebagai versi; idempoten."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="berkas paket; bawaan: semua di policy_packs/")
        parser.add_argument("--check", action="store_true", help="hanya memeriksa, tidak memuat")

    def handle(self, *args, files: list[Path], check: bool, **options) -> None:
        failed = False
        for path in files or bundled_packs():
            try:
                if check:
                    pack = load_file(path)
                    self.stdout.write(f"OK  {path.name}: {pack.legal_reference}")
                    continue
                version, created = load_pack_file(path)
            except PackError as error:
                failed = True
                for problem in error.problems:
                    self.stderr.write(str(problem))
                continue
            state = "dimuat sebagai" if created else "tidak berubah,"
            self.stdout.write(f"{path.name}: {state} versi {version.number}")
        if failed:
            raise CommandError("Paket tidak valid; tidak ada yang dimuat dari berkas yang salah.")
