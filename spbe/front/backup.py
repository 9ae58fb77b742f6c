"""Backup and restore of a whole installation (issue 14, item 5): the
database and every uploaded file in one archive, with a manifest that lets a
restore prove it put everything back.

An archive is a plain tar, ``spbe-backup-<UTC time>.tar``:

* ``database.dump`` — PostgreSQL's custom format (``pg_dump -Fc``, already
  compressed), or ``database.sqlite3.gz`` — a copy made with SQLite's online
  backup API, gzipped;
* ``media/<path>`` — every file under MEDIA_ROOT as it is (uploads are mostly
  PDF and images, compressed already);
* ``manifest.json``, last — the time, engine, application version, the row
  count of every table *of the copy*, and the size and SHA-256 of every
  member.

Both copies are consistent while the application runs. SQLite's backup API
copies one snapshot. On PostgreSQL the rows are counted inside a REPEATABLE
READ transaction whose snapshot pg_dump shares (``--snapshot``), so the
counts are those of the dump. The database is copied before the files, so
every file a copied row names is in the archive.

A restore reads the whole archive and checks every hash before it changes
anything; on PostgreSQL it runs in one transaction, so a failure leaves the
database as it was. Afterwards it counts every table again against the
manifest.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.env import env_int, env_str

logger = logging.getLogger(__name__)

FORMAT = "spbe-backup/1"
PREFIX, SUFFIX = "spbe-backup-", ".tar"
MANIFEST = "manifest.json"
MEDIA = "media/"
STAGING = ".spbe-restore-"  # inside MEDIA_ROOT while a restore runs; never backed up
# The heartbeat check the nightly job pings when SPBE_BACKUP_HEARTBEAT_TOKEN is not set (the demo makes one).
HEARTBEAT_CHECK_NAME = "Pencadangan harian Layanan SPBE"
CHUNK = 1024 * 1024
# libpq's environment variables for the connection OPTIONS a DATABASE_URL may carry
PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


@dataclass
class Outcome:
    """What a backup or a restore did."""

    path: Path
    manifest: dict
    seconds: float
    pinged: int = 0
    removed: list[Path] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)
    extra_tables: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def tables(self) -> int:
        return len(self.manifest["tables"])

    @property
    def files(self) -> int:
        return len(self.manifest["files"])

    @property
    def file_bytes(self) -> int:
        return sum(item["size"] for item in self.manifest["files"])


def backup_dir() -> Path:
    return Path(env_str("SPBE_BACKUP_DIR", str(settings.VAR_DIR / "backups")))


def backup_keep() -> int:
    return env_int("SPBE_BACKUP_KEEP", 7)


# ---------------------------------------------------------------------------------------------------- backup


def create_backup(
    directory: Path | None = None, *, output: Path | None = None, using: str = DEFAULT_DB_ALIAS
) -> Outcome:
    """Write one archive of the database and MEDIA_ROOT into ``directory``
    (a new ``spbe-backup-<time>.tar``) or to ``output``."""
    started = time.monotonic()
    connection = connections[using]
    engine = _engine(connection)
    now = timezone.now()
    output = Path(output) if output else Path(directory or backup_dir()) / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIX}"
    try:
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(_("Folder cadangan %(path)s tidak dapat dibuat: %(error)s") % {
            "path": output.parent, "error": error.strerror}) from None  # fmt: skip
    partial = output.with_name(output.name + ".partial")
    with _locked(output.parent), tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        try:
            dump = _dump_sqlite if engine == "sqlite" else _dump_postgresql
            database, tables, server = dump(connection, Path(work))
            manifest = {
                "format": FORMAT, "created": now.isoformat(), "engine": engine, "server_version": server,
                "database_name": Path(str(connection.settings_dict["NAME"])).name, "app_version": _app_version(),
                "django_version": django.get_version(), "tables": tables,
            }  # fmt: skip
            partial.touch(mode=0o600)  # personal data and password hashes: for the operator only
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                manifest["database"] = _add(tar, database, database.name)
                manifest["files"] = [_add(tar, path, MEDIA + name) for name, path in _media_files()]
                data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        except OSError as error:
            raise BackupError(_("Arsip cadangan %(path)s tidak dapat ditulis: %(error)s") % {
                "path": output, "error": error.strerror or error}) from None  # fmt: skip
        finally:
            partial.unlink(missing_ok=True)
    outcome = Outcome(output, manifest, time.monotonic() - started)
    logger.info("backup written", extra={"path": str(output), "tables": outcome.tables, "rows": outcome.rows,
                                         "files": outcome.files, "seconds": round(outcome.seconds, 2)})  # fmt: skip
    return outcome


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives of ``directory`` (their names sort by time)."""
    if keep < 1:
        raise BackupError(_("SPBE_BACKUP_KEEP harus 1 atau lebih, bukan %(keep)s.") % {"keep": keep})
    archives = sorted(path for path in Path(directory).glob(f"{PREFIX}*{SUFFIX}") if path.is_file())
    removed = archives[:-keep]
    for path in removed:
        path.unlink()
    return removed


def ping_heartbeat() -> int:
    """Tell the application's own monitoring that a backup was made, through
    the action behind /pantau/detak/<token>/: the check named by
    SPBE_BACKUP_HEARTBEAT_TOKEN, or else every heartbeat check called
    HEARTBEAT_CHECK_NAME. The number of checks pinged."""
    from spbe.monitoring import actions as monitoring
    from spbe.monitoring.choices import CheckKind
    from spbe.monitoring.models import Check

    token = env_str("SPBE_BACKUP_HEARTBEAT_TOKEN")
    tokens = [token] if token else list(
        Check.objects.filter(kind=CheckKind.HEARTBEAT, name=HEARTBEAT_CHECK_NAME).values_list("heartbeat_token",
                                                                                               flat=True))  # fmt: skip
    now = timezone.now()
    pinged = sum(monitoring.record_ping(value, now) for value in tokens)
    if not pinged:
        logger.warning("backup heartbeat not pinged: no such check", extra={"token_set": bool(token)})
    return pinged


def scheduled_backup() -> Outcome:
    """The nightly job: an archive in SPBE_BACKUP_DIR, the newest SPBE_BACKUP_KEEP
    kept, then the heartbeat pinged (only after a good archive, so a failing
    job shows as a silent heartbeat: the RPO measured by the application itself)."""
    directory, keep = backup_dir(), backup_keep()
    outcome = create_backup(directory)
    outcome.removed = prune(directory, keep)
    outcome.pinged = ping_heartbeat()
    return outcome


def _dump_sqlite(connection, work: Path) -> tuple[Path, dict[str, int], str]:
    copy = work / "database.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
        tables = _sqlite_counts(target)
    except sqlite3.Error as error:
        raise BackupError(_("Basis data SQLite tidak dapat disalin: %(error)s") % {"error": error}) from None
    finally:
        target.close()
    packed = work / "database.sqlite3.gz"
    with copy.open("rb") as source, gzip.open(packed, "wb", compresslevel=3) as sink:
        shutil.copyfileobj(source, sink, CHUNK)
    copy.unlink()
    return packed, tables, sqlite3.sqlite_version


def _dump_postgresql(connection, work: Path) -> tuple[Path, dict[str, int], str]:
    _require("pg_dump")
    path = work / "database.dump"
    # A connection of its own, so the snapshot is not the caller's transaction.
    snapshot_holder = connections.create_connection(connection.alias)
    try:
        snapshot_holder.set_autocommit(False)
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
            tables = _counts(snapshot_holder, cursor)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}", "--no-password"],
             _pg_env(connection.settings_dict, work), _("pg_dump gagal"))  # fmt: skip
    finally:
        snapshot_holder.close()
    return path, tables, server


def _media_files() -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under MEDIA_ROOT, sorted."""
    root = Path(settings.MEDIA_ROOT)
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(STAGING)]
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return iter(sorted(found))


class _HashingReader:
    """A file read once: into the tar and into the hash."""

    def __init__(self, raw):
        self.raw, self.hash = raw, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.hash.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=name)
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.hash.hexdigest()}


@contextmanager
def _locked(directory: Path):
    """One backup at a time per folder; whatever an interrupted run left is removed."""
    with (directory / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(_("Pencadangan lain sedang berjalan di %(path)s.") % {"path": directory}) from None
        for stale in directory.glob(f"{PREFIX}*{SUFFIX}.partial"):
            stale.unlink(missing_ok=True)
        for stale in directory.glob(".backup-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


# --------------------------------------------------------------------------------------------------- restore


def read_manifest(path: Path) -> dict:
    """The manifest of the archive at ``path``; BackupError when it is missing, not an archive or not ours."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("Arsip cadangan tidak ditemukan: %(path)s") % {"path": path})
    with _open(path) as tar:
        return _manifest(tar, path)


def check_compatible(manifest: dict, using: str = DEFAULT_DB_ALIAS) -> None:
    """A PostgreSQL dump goes back into PostgreSQL and a SQLite copy into SQLite."""
    engine = _engine(connections[using])
    if manifest["engine"] != engine:
        raise BackupError(_(
            "Arsip ini berisi basis data %(archive)s, sedangkan aplikasi ini memakai %(current)s (DATABASE_URL). "
            "Pulihkan ke basis data %(archive)s, atau ubah DATABASE_URL."
        ) % {"archive": ENGINES.get(manifest["engine"], manifest["engine"]), "current": ENGINES[engine]})  # fmt: skip


def verify_archive(path: Path) -> dict:
    """Check every member's size and SHA-256 against the manifest without restoring; the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    with _open(path) as tar:
        for item in [manifest["database"], *manifest["files"]]:
            _copy_member(tar, item, None, path)
    return manifest


def restore_backup(path: Path, *, jobs: int = 1, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Put the database and the files of the archive back, then count every table against the manifest.

    ``jobs`` > 1 restores PostgreSQL with that many parallel processes (faster on big
    databases, but not in one transaction)."""
    started = time.monotonic()
    path = Path(path)
    manifest = read_manifest(path)
    check_compatible(manifest, using)
    connection = connections[using]
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=media_root))
    try:
        with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix="restore-") as work, _open(path) as tar:
            database = Path(work) / PurePosixPath(manifest["database"]["path"]).name
            _copy_member(tar, manifest["database"], database, path)
            for item in manifest["files"]:
                _copy_member(tar, item, staging / item["path"].removeprefix(MEDIA), path)
            if manifest["engine"] == "sqlite":
                _restore_sqlite(connection, database, Path(work))
            else:
                _restore_postgresql(connection, database, Path(work), jobs)
        for item in manifest["files"]:
            name = item["path"].removeprefix(MEDIA)
            (media_root / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, media_root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    connections.close_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # pg_restore leaves no planner statistics: the first queries would crawl
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    outcome = Outcome(path, manifest, 0.0)
    outcome.extra_tables = _verify_counts(connection, manifest["tables"])
    outcome.pending_migrations = _pending_migrations(connection)
    outcome.seconds = time.monotonic() - started
    logger.info("backup restored", extra={"path": str(path), "tables": outcome.tables, "rows": outcome.rows,
                                          "files": outcome.files, "seconds": round(outcome.seconds, 2)})  # fmt: skip
    return outcome


def _not_an_archive(path: Path) -> str:
    return _("%(path)s bukan arsip cadangan Layanan SPBE atau arsipnya rusak.") % {"path": path}


@contextmanager
def _open(path: Path):
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 — closed below, after the open's own errors are told apart
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(_not_an_archive(path)) from None
    with tar:
        yield tar


def _manifest(tar: tarfile.TarFile, path: Path) -> dict:
    corrupt = _not_an_archive(path)
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, tarfile.TarError, OSError, EOFError, ValueError):
        raise BackupError(corrupt) from None
    keys = {"format", "engine", "created", "tables", "database", "files"}
    if not isinstance(manifest, dict) or not keys <= manifest.keys():
        raise BackupError(corrupt)
    if manifest["format"] != FORMAT:
        raise BackupError(_("Format arsip %(found)s tidak dikenal (diharapkan %(expected)s).") % {
            "found": manifest["format"], "expected": FORMAT})  # fmt: skip
    for item in [manifest["database"], *manifest["files"]]:
        name = PurePosixPath(item["path"])
        if name.is_absolute() or ".." in name.parts:
            raise BackupError(corrupt)
    return manifest


def _copy_member(tar: tarfile.TarFile, item: dict, target: Path | None, archive: Path) -> None:
    """Copy a member to ``target`` (or only read it) and check its size and hash."""
    corrupt = _("Arsip %(archive)s rusak: isi %(member)s tidak sesuai dengan manifes.") % {
        "archive": archive, "member": item["path"]}  # fmt: skip
    try:
        source = tar.extractfile(item["path"])
    except (KeyError, tarfile.TarError, OSError):
        source = None
    if source is None:
        raise BackupError(corrupt)
    digest, size = hashlib.sha256(), 0
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    sink = target.open("wb") if target is not None else open(os.devnull, "wb")  # noqa: SIM115
    with source, sink:
        try:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
        except (tarfile.TarError, EOFError):
            raise BackupError(corrupt) from None
    if size != item["size"] or digest.hexdigest() != item["sha256"]:
        raise BackupError(corrupt)


def _restore_sqlite(connection, packed: Path, work: Path) -> None:
    plain = work / "database.sqlite3"
    try:
        with gzip.open(packed, "rb") as source, plain.open("wb") as sink:
            shutil.copyfileobj(source, sink, CHUNK)
    except (OSError, EOFError) as error:
        raise BackupError(_("Salinan SQLite di arsip tidak dapat dibuka: %(error)s") % {"error": error}) from None
    connection.ensure_connection()
    source = sqlite3.connect(plain)
    try:
        # The backup API replaces the live database page by page, under SQLite's own lock: other
        # connections (a running web server) see the restored data at their next transaction.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(_("Basis data SQLite tidak dapat dipulihkan: %(error)s") % {"error": error}) from None
    finally:
        source.close()


def _restore_postgresql(connection, dump: Path, work: Path, jobs: int) -> None:
    _require("pg_restore")
    env = _pg_env(connection.settings_dict, work)
    listing = _run(["pg_restore", "--list", str(dump)], env, _("Arsip pg_dump tidak terbaca")).splitlines()
    # An extension the database already has stays: it may belong to a superuser, whom
    # DROP EXTENSION would need (docs/deploy.md: pg_trgm is created once by the superuser).
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        present = {name for (name,) in cursor.fetchall()}
    entry = re.compile(r"^\d+; \d+ \d+ (?:COMMENT - )?EXTENSION (?:- )?(\S+)")
    keep = [line for line in listing if not ((found := entry.match(line)) and found.group(1) in present)]
    (work / "toc.list").write_text("\n".join(keep) + "\n")
    connections.close_all()  # an idle connection of ours must not hold a lock the restore waits for
    database = connection.settings_dict["NAME"]
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
               "--no-password", f"--use-list={work / 'toc.list'}", f"--dbname={database}"]  # fmt: skip
    if jobs > 1:
        _run([*command, f"--jobs={jobs}", str(dump)], env, _("pg_restore gagal"))
    else:
        _run([*command, "--single-transaction", str(dump)], env, _("pg_restore gagal; basis data tidak diubah"))


def _verify_counts(connection, expected: dict[str, int]) -> list[str]:
    """Every table of the manifest holds its number of rows again; the tables the archive did not have."""
    with connection.cursor() as cursor:
        found = _counts(connection, cursor)
    wrong = [f"{table}: {found.get(table, _('tidak ada'))} ≠ {count}" for table, count in sorted(expected.items())
             if found.get(table) != count]  # fmt: skip
    if wrong:
        raise BackupError(_("Pemulihan tidak lengkap; jumlah baris berbeda dari manifes: %(tables)s") % {
            "tables": "; ".join(wrong[:20])})  # fmt: skip
    return sorted(set(found) - set(expected))


def _counts(connection, cursor) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        if connection.vendor == "sqlite" and table.startswith("sqlite_"):
            continue
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(database: sqlite3.Connection) -> dict[str, int]:
    """The same tables Django's introspection lists on the live connection, counted in the copy."""
    names = [row[0] for row in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]  # fmt: skip
    return {name: database.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in sorted(names)}


def _pending_migrations(connection) -> list[str]:
    """Migrations of this code the restored database has not had (an archive of an older release)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# ---------------------------------------------------------------------------------------------------- helpers


def _engine(connection) -> str:
    if connection.vendor not in ENGINES:
        raise BackupError(_("Basis data %(vendor)s tidak didukung; hanya SQLite dan PostgreSQL.") % {
            "vendor": connection.vendor})  # fmt: skip
    return connection.vendor


def _require(program: str) -> None:
    if shutil.which(program) is None:
        message = _("Program %(program)s tidak ditemukan. Pasang klien PostgreSQL yang versinya sama dengan servernya "
                    "(Debian: apt-get install postgresql-client).")  # fmt: skip
        raise BackupError(message % {"program": program})


def _pg_env(database: dict, work: Path) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore from DATABASES: the password goes into a
    0600 password file, never onto a command line."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[variable] = str(database[key])
    for option, variable in PG_OPTIONS.items():
        if database.get("OPTIONS", {}).get(option) not in (None, ""):
            env[variable] = str(database["OPTIONS"][option])
    if database.get("PASSWORD"):
        passfile = work / ".pgpass"
        secret = str(database["PASSWORD"]).replace("\\", "\\\\").replace(":", "\\:")
        passfile.touch(mode=0o600)
        passfile.write_text(f"*:*:*:*:{secret}\n")
        env["PGPASSFILE"] = str(passfile)
    return env


def _run(command: list[str], env: dict[str, str], failure: str) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{failure}: {error}") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{failure}: {detail}")
    return done.stdout


def _app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as project:
            return tomllib.load(project)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
