"""Backup and restore (issue 14, item 5): ``manage.py backup`` writes the
database and every uploaded file into one archive; after the data is wiped,
``manage.py restore`` gives back every row of every table and every file's
bytes, and proves it against the manifest. The nightly job keeps the newest
archives and pings its own heartbeat check, so monitoring shows the
application's achieved RPO.

The suite runs on SQLite and on PostgreSQL (``make test``); these tests use
whichever DATABASE_URL is active. They commit their data (pg_dump and
SQLite's backup API only see committed rows), hence ``transaction=True``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from spbe.cmdb.models import Component
from spbe.continuity.models import RecoveryPlan
from spbe.front import backup, tasks
from spbe.monitoring.models import Check, HeartbeatPing
from spbe.org.demo import load_demo
from spbe.org.models import Pemda

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
OTHER_ENGINE = {"sqlite": "postgresql", "postgresql": "sqlite"}
FILES = {
    "tiket/2026/03/bukti-gangguan.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "lampiran/2026/04/Surat Kepala Dinas (revisi ü).docx": os.urandom(70_000),
    "evaluasi/2026/05/kosong.txt": b"",
}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def every_row() -> dict[str, list[tuple]]:
    """Each table of the database (the catalogue's, not only Django's models) with all its rows, sorted."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return rows


def every_file(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def wipe(media: Path) -> None:
    """What a lost server leaves: no rows, a missing table, no uploads."""
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name('desk_timelineevent')}")
    for path in sorted(media.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()
        else:
            path.rmdir()


def rewrite(archive: Path, target: Path, *, manifest=None, member=None) -> Path:
    """A copy of ``archive`` with its manifest changed by ``manifest(dict)`` or a member's bytes by ``member``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as sink:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == backup.MANIFEST and manifest:
                changed = json.loads(data)
                manifest(changed)
                data = json.dumps(changed).encode()
            elif member and info.name == member[0]:
                data = member[1](data)
            info.size = len(data)
            sink.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(media, tmp_path) -> Path:
    """An archive of a small installation: one Pemda with a logo and two uploads."""
    Pemda.objects.create(name="Kota Contoh", slug="contoh").logo.save("logo.png", ContentFile(b"\x89PNG logo"))
    for name, data in list(FILES.items())[:2]:
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    return backup.create_backup(tmp_path / "backups").path


def test_backup_wipe_restore_gives_back_every_row_of_every_table_and_every_file(media, tmp_path):
    """On the demo data (every app has rows), plus uploads; the demo also carries the check the
    nightly job pings, with a month of pings, apart from the DRPs' own backup heartbeat."""
    load_demo()
    check = Check.objects.get(name=backup.HEARTBEAT_CHECK_NAME)
    assert check.kind == "heartbeat" and check.pemda.slug == "kota-yogyakarta"
    assert 29 <= check.pings.count() <= 31 and check.last_ping_at is not None
    assert set(RecoveryPlan.objects.values_list("backup_check__name", flat=True)) == {"Cadangan malam db-pg-01"}
    Pemda.objects.get(slug="kota-yogyakarta").logo.save("logo-jogja.png", ContentFile(b"\x89PNG" + os.urandom(2000)))
    for name, data in FILES.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    rows, files = every_row(), every_file(media)
    # the three above, the logo, and the demo's two SP4N-LAPOR! import files (one per Pemda)
    assert sum(map(len, rows.values())) > 10_000 and len(files) == 6
    assert sum(name.startswith("lapor/") for name in files) == 2

    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=io.StringIO())
    [path] = (tmp_path / "backups").glob("spbe-backup-*.tar")
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by the operator only
    manifest = backup.read_manifest(path)
    assert manifest["engine"] == connection.vendor
    assert manifest["app_version"] == "0.1.0"
    assert manifest["tables"] == {table: len(table_rows) for table, table_rows in rows.items()}
    assert {item["path"]: item["size"] for item in manifest["files"]} == {
        f"media/{name}": len(data) for name, data in files.items()
    }

    wipe(media)
    assert every_row() != rows and every_file(media) == {}

    out = io.StringIO()
    call_command("restore", str(path), "--yes", stdout=out)
    assert every_row() == rows
    assert every_file(media) == files
    assert f"{len(rows)} tabel" in out.getvalue() and "sesuai manifes" in out.getvalue()


def test_restore_counts_every_table_again_and_says_when_rows_are_missing(archive, tmp_path):
    """The check after a restore is real: an archive whose manifest promises a row that its database
    does not hold is refused after the restore, naming the table."""

    def one_more_pemda(manifest):
        manifest["tables"]["org_pemda"] += 1

    promised = rewrite(archive, tmp_path / "lying.tar", manifest=one_more_pemda)
    with pytest.raises(CommandError, match=r"jumlah baris berbeda dari manifes: org_pemda: 1 ≠ 2"):
        call_command("restore", str(promised), "--yes", stdout=io.StringIO())


def test_a_corrupt_member_is_found_before_anything_is_changed(archive, tmp_path, media):
    name = "media/" + next(iter(FILES))
    damaged = rewrite(archive, tmp_path / "damaged.tar", member=(name, lambda data: data[:-1] + b"X"))
    Pemda.objects.create(name="Kabupaten Baru", slug="baru")
    with pytest.raises(CommandError, match=rf"rusak: isi {name} tidak sesuai dengan manifes"):
        call_command("restore", str(damaged), "--yes", stdout=io.StringIO())
    with pytest.raises(CommandError, match="tidak sesuai dengan manifes"):
        call_command("restore", str(damaged), "--check", stdout=io.StringIO())
    assert Pemda.objects.filter(slug="baru").exists()  # the database was not touched
    assert not any(path.name.startswith(backup.STAGING) for path in media.iterdir())
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "Arsip utuh" in out.getvalue()


def test_restore_refuses_without_yes_and_an_archive_of_the_other_engine(archive, tmp_path):
    Pemda.objects.create(name="Kabupaten Baru", slug="baru")
    with pytest.raises(CommandError, match=r"akan DITIMPA.*Ulangi dengan --yes"):
        call_command("restore", str(archive), stdout=io.StringIO())

    def other_engine(manifest):
        manifest["engine"] = OTHER_ENGINE[manifest["engine"]]

    foreign = rewrite(archive, tmp_path / "foreign.tar", manifest=other_engine)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    expected = (
        f"berisi basis data {names[OTHER_ENGINE[connection.vendor]]}, sedangkan aplikasi ini memakai "
        + (names[connection.vendor])
    )
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(foreign), "--yes", stdout=io.StringIO())
    assert Pemda.objects.filter(slug="baru").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Arsip cadangan tidak ditemukan"),
        (b"bukan arsip", "bukan arsip cadangan Layanan SPBE atau arsipnya rusak"),
        ("tar without manifest", "bukan arsip cadangan Layanan SPBE atau arsipnya rusak"),
    ],
)
def test_a_missing_or_foreign_archive_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "arsip.tar"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content:
        with tarfile.open(path, "w") as tar:
            tar.addfile(tarfile.TarInfo("catatan.txt"), io.BytesIO(b""))
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--yes", stdout=io.StringIO())


def test_the_command_line_shows_a_message_not_a_traceback(tmp_path):
    damaged = tmp_path / "spbe-backup-rusak.tar"
    damaged.write_bytes(os.urandom(3000))
    for archive in (tmp_path / "tidak-ada.tar", damaged):
        done = subprocess.run([sys.executable, "manage.py", "restore", str(archive), "--yes"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 1
        assert "CommandError:" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def backup_check(world) -> Check:
    database = Component.objects.create(pemda=world.yogya, pd=world.kominfo, name="db-layanan", kind="database")
    return Check.objects.create(pemda=world.yogya, pd=world.kominfo, component=database, kind="heartbeat",
                                name=backup.HEARTBEAT_CHECK_NAME, interval_seconds=86400, retries=1)  # fmt: skip


def test_nightly_job_archives_keeps_the_newest_and_pings_its_heartbeat(backup_check, media, tmp_path, monkeypatch):
    folder = tmp_path / "cadangan"
    folder.mkdir()
    old = [folder / f"spbe-backup-202601{day:02d}T180000Z.tar" for day in range(1, 9)]
    for path in old:
        path.write_bytes(b"arsip lama")
    (folder / "catatan-operator.txt").write_text("jangan dihapus")
    monkeypatch.setenv("SPBE_BACKUP_DIR", str(folder))
    monkeypatch.setenv("SPBE_BACKUP_KEEP", "3")
    monkeypatch.delenv("SPBE_BACKUP_HEARTBEAT_TOKEN", raising=False)

    written = Path(tasks.nightly_backup())

    assert sorted(folder.glob("spbe-backup-*.tar")) == [*old[-2:], written]
    assert (folder / "catatan-operator.txt").exists()
    assert backup.read_manifest(written)["tables"]["monitoring_check"] == 1
    backup_check.refresh_from_db()
    assert backup_check.last_ping_at is not None
    assert list(HeartbeatPing.objects.values_list("check_ref", flat=True)) == [backup_check.pk]


def test_the_token_setting_names_the_check_and_a_failed_backup_stays_silent(backup_check, media, tmp_path, monkeypatch):
    other = Check.objects.create(pemda=backup_check.pemda, pd=backup_check.pd, component=backup_check.component,
                                 kind="heartbeat", name="Cadangan di server lain", interval_seconds=86400)  # fmt: skip
    monkeypatch.setenv("SPBE_BACKUP_HEARTBEAT_TOKEN", other.heartbeat_token)
    monkeypatch.setenv("SPBE_BACKUP_DIR", str(tmp_path / "cadangan"))
    tasks.nightly_backup()
    assert list(HeartbeatPing.objects.values_list("check_ref", flat=True)) == [other.pk]

    blocker = tmp_path / "bukan-folder"
    blocker.write_text("")
    monkeypatch.setenv("SPBE_BACKUP_DIR", str(blocker / "cadangan"))
    with pytest.raises(backup.BackupError, match="tidak dapat dibuat"):
        tasks.nightly_backup()
    assert HeartbeatPing.objects.count() == 1  # no ping: the heartbeat goes silent and monitoring says so
