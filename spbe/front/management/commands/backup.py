"""`manage.py backup`: one archive of the database and every uploaded file (issue 14, item 5).

The nightly Celery job (spbe.front.tasks.nightly_backup) does the same, keeps
the newest SPBE_BACKUP_KEEP archives and pings its heartbeat check.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from spbe.front import backup


class Command(BaseCommand):
    help = "Mencadangkan basis data dan semua berkas unggahan (MEDIA_ROOT) ke satu arsip beserta manifesnya."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, help="Folder arsip (bawaan: SPBE_BACKUP_DIR atau var/backups).")
        parser.add_argument("--output", type=Path, help="Berkas arsip yang ditulis (menggantikan --dir).")
        parser.add_argument("--keep", type=int, help="Sisakan hanya N arsip terbaru di folder itu.")

    def handle(self, *args, **options) -> None:
        try:
            outcome = backup.create_backup(options["dir"], output=options["output"])
            if options["keep"] is not None:
                outcome.removed = backup.prune(outcome.path.parent, options["keep"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Cadangan dibuat: %(path)s") % {"path": outcome.path})
        self.stdout.write(describe(outcome))
        self.stdout.write(_("  ukuran arsip %(size)s, waktu %(seconds)s detik") % {
            "size": size(outcome.path.stat().st_size), "seconds": seconds(outcome.seconds)})  # fmt: skip
        for path in outcome.removed:
            self.stdout.write(_("  arsip lama dihapus: %(name)s") % {"name": path.name})


def describe(outcome: backup.Outcome) -> str:
    return _("  basis data %(engine)s: %(tables)s tabel, %(rows)s baris; berkas unggahan: %(files)s (%(bytes)s)") % {
        "engine": backup.ENGINES[outcome.manifest["engine"]], "tables": outcome.tables,
        "rows": number_format(outcome.rows, force_grouping=True), "files": outcome.files,
        "bytes": size(outcome.file_bytes),
    }  # fmt: skip


def seconds(value: float) -> str:
    return number_format(round(value, 1), 1)


def size(value: int) -> str:
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{number_format(value, 0 if unit == 'B' else 1)} {unit}"
        value /= 1024
    return f"{number_format(value, 1)} GB"
