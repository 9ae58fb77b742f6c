"""`manage.py restore ARCHIVE`: put back the database and the uploaded files of
an archive made by `manage.py backup`, then check every table's row count
against its manifest (issue 14, item 5). Stop the web server and the worker
first (docs/deploy.md, Backups)."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from spbe.front import backup
from spbe.front.management.commands.backup import describe, seconds


class Command(BaseCommand):
    help = (
        "Memulihkan basis data dan berkas unggahan dari arsip `manage.py backup`, lalu memeriksa jumlah baris "
        "setiap tabel terhadap manifes. Menimpa data yang ada."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="Berkas arsip spbe-backup-….tar")
        parser.add_argument("--yes", action="store_true", help="Tanpa pertanyaan konfirmasi.")
        parser.add_argument("--check", action="store_true", help="Hanya memeriksa keutuhan arsip; tidak memulihkan.")
        parser.add_argument("--jobs", type=int, default=1,
                            help="PostgreSQL: pulihkan dengan N proses sejajar (lebih cepat, tetapi tidak dalam "
                                 "satu transaksi).")  # fmt: skip

    def handle(self, *args, **options) -> None:
        try:
            self._handle(options["archive"], options)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None

    def _handle(self, archive: Path, options: dict) -> None:
        manifest = backup.read_manifest(archive)
        summary = backup.Outcome(archive, manifest, 0.0)
        self.stdout.write(_("Arsip %(path)s, dibuat %(created)s (versi aplikasi %(version)s)") % {
            "path": archive, "created": manifest["created"], "version": manifest.get("app_version", "?")})  # fmt: skip
        self.stdout.write(describe(summary))
        if options["check"]:
            backup.verify_archive(archive)
            self.stdout.write(_("Arsip utuh: semua isi sesuai dengan manifes."))
            return
        backup.check_compatible(manifest)
        if not options["yes"]:
            self._confirm()
        outcome = backup.restore_backup(archive, jobs=options["jobs"])
        self.stdout.write(_("Dipulihkan dalam %(seconds)s detik.") % {"seconds": seconds(outcome.seconds)})
        self.stdout.write(_("Diperiksa: %(tables)s tabel, %(rows)s baris sesuai manifes; %(files)s berkas.") % {
            "tables": outcome.tables, "rows": number_format(outcome.rows, force_grouping=True),
            "files": outcome.files})  # fmt: skip
        if outcome.extra_tables:
            self.stdout.write(_("Tabel yang tidak ada di arsip dibiarkan: %(tables)s") % {
                "tables": ", ".join(outcome.extra_tables)})  # fmt: skip
        if outcome.pending_migrations:
            self.stdout.write(_("Arsip dari versi lebih lama: jalankan `manage.py migrate` (%(count)s migrasi).") % {
                "count": len(outcome.pending_migrations)})  # fmt: skip

    def _confirm(self) -> None:
        target = _("Basis data %(database)s dan berkas di %(media)s akan DITIMPA dengan isi arsip.") % {
            "database": connection.settings_dict["NAME"], "media": settings.MEDIA_ROOT}  # fmt: skip
        if not sys.stdin.isatty():
            raise CommandError(_("%(target)s Ulangi dengan --yes untuk melanjutkan.") % {"target": target})
        self.stdout.write(target)
        try:
            answer = input(_("Ketik 'ya' untuk melanjutkan: "))
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() not in {"ya", "yes"}:
            raise CommandError(_("Dibatalkan; tidak ada yang diubah."))
