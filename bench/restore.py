"""Benchmark of backup and restore (issue 14, item 5): the RTO of the data. Not a test.

Each scenario builds an installation, runs ``manage.py backup --output``,
then plays the disaster — the database is gone (PostgreSQL: dropped and
created empty, as on a new server; SQLite: the file deleted) and so is
MEDIA_ROOT — and runs ``manage.py restore --yes``, which puts both back and
counts every table against the manifest (it exits non-zero on any
difference). The times are wall times of the two commands as an operator
runs them, Django's start-up included.

1. the demo (``seed_demo``) on SQLite, the embedded mode of ``make run``;
2. the demo on PostgreSQL (throw-away database ``spbe_bench_restore``);
3. the same database with N generated tickets (default 1,000,000) from
   bench/desk.py's ``generate_tickets`` (a tenth open, with their clocks);
   with ``--evaluation``, instead bench/evaluation.py's whole year
   (1,000,000 tickets shaped, ~1.9 million clocks, a year of monitoring).

Every scenario also has ``--files`` uploaded files (default 200 of 100 KB of
random bytes) under MEDIA_ROOT.

    .venv/bin/python bench/restore.py                     # demo ×2, then 1,000,000 tickets
    .venv/bin/python bench/restore.py --tickets 20000     # a smoke run
    .venv/bin/python bench/restore.py --jobs 2            # also restore the big one with pg_restore --jobs 2
    .venv/bin/python bench/restore.py --evaluation        # the big one is bench/evaluation.py's year

It prints figures and never fails for being slow; it drops its databases
and deletes var/bench-restore when done.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import desk

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
VAR = ROOT / "var" / "bench-restore"
DB_NAME = "spbe_bench_restore"
BASE_ENV = {"LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13", "DATABASE_CONN_MAX_AGE": "0"}


def manage(env: dict, *args: str) -> float:
    """Run ``manage.py args`` with ``env``; its wall time in seconds (a failure stops the bench)."""
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def add_files(media: Path, count: int, size: int) -> None:
    for n in range(count):
        path = media / "tiket" / "2026" / f"{n % 12 + 1:02d}" / f"lampiran-{n:05d}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))


def pg_size(url: str) -> str:
    return subprocess.run(["psql", url, "-tAc", "SELECT pg_size_pretty(pg_database_size(current_database()))"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip


def scenario(label: str, env: dict, wipe, jobs: tuple[int, ...] = (1,)) -> list[dict]:
    """Back up, then per ``jobs``: wipe and restore. One row of figures per restore."""
    archive = Path(env["SPBE_VAR_DIR"]) / f"{label.split()[0]}.tar"
    archive.unlink(missing_ok=True)
    backup_s = manage(env, "backup", "--output", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    rows = []
    for n in jobs:
        wipe()
        shutil.rmtree(env["MEDIA_ROOT"])
        restore_s = manage(env, "restore", str(archive), "--yes", *([f"--jobs={n}"] if n > 1 else []))
        restored = sorted(p for p in Path(env["MEDIA_ROOT"]).rglob("*") if p.is_file())
        rows.append({
            "label": label + (f", pg_restore --jobs {n}" if n > 1 else ""), "backup": backup_s,
            "size": archive.stat().st_size, "restore": restore_s, "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()), "files": len(restored),
            "tickets": manifest["tables"].get("desk_ticket", 0),
        })  # fmt: skip
        print(f"  {rows[-1]['label']}: backup {backup_s:.1f} s, restore {restore_s:.1f} s", flush=True)
    archive.unlink()
    return rows


def sqlite_demo(files: int, file_size: int) -> list[dict]:
    var = VAR / "sqlite"
    shutil.rmtree(var, ignore_errors=True)
    env = {**BASE_ENV, "DATABASE_URL": "", "CELERY_BROKER_URL": "", "SPBE_VAR_DIR": str(var),
           "MEDIA_ROOT": str(var / "media")}  # fmt: skip
    print("building the demo on SQLite …", flush=True)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo")
    add_files(var / "media", files, file_size)

    def wipe() -> None:
        for suffix in ("", "-wal", "-shm"):
            (var / f"spbe.sqlite3{suffix}").unlink(missing_ok=True)

    return scenario("demo on SQLite", env, wipe)


def postgres(args: argparse.Namespace) -> list[dict]:
    url = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    var = VAR / "postgres"
    shutil.rmtree(var, ignore_errors=True)
    env = {**BASE_ENV, "DATABASE_URL": url, "SPBE_VAR_DIR": str(var), "MEDIA_ROOT": str(var / "media")}

    def wipe(name: str = DB_NAME) -> None:
        desk.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", desk.PG_ADMIN)
        desk.psql(f"CREATE DATABASE {name}", desk.PG_ADMIN)

    print("building the demo on PostgreSQL …", flush=True)
    desk.create(env)
    add_files(var / "media", args.files, args.file_size)
    rows = scenario("demo on PostgreSQL", env, wipe)
    size = pg_size(url)
    if args.evaluation:
        import evaluation

        desk.psql(f"DROP DATABASE {DB_NAME} WITH (FORCE)", desk.PG_ADMIN)  # the year is built in its own
        evaluation.build(args.tickets)
        url, name = evaluation.DB_URL, evaluation.DB_NAME
        env = {**env, "DATABASE_URL": url}
        label = f"{args.tickets:,} tickets (bench/evaluation.py's year) on PostgreSQL"
    else:
        print(f"adding {args.tickets:,} tickets …", flush=True)
        desk.generate_tickets(args.tickets, url)
        name, label = DB_NAME, f"{args.tickets:,} tickets on PostgreSQL"
    big_size = pg_size(url)
    try:
        rows += scenario(label, env, lambda: wipe(name), (1, args.jobs) if args.jobs > 1 else (1,))
    finally:
        desk.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", desk.PG_ADMIN)
    rows[0]["db_size"], rows[1]["db_size"] = size, big_size
    return rows


def report(rows: list[dict], args: argparse.Namespace) -> None:
    version = subprocess.run(["pg_restore", "--version"], capture_output=True, text=True).stdout.strip()
    command = shlex.join([os.path.relpath(sys.executable, ROOT), os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    print(f"\nBackup and restore (issue 14, item 5) on {platform.node()}, {os.cpu_count()} cores; {version}; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"command: {command}")
    print(f"uploads: {args.files} files of {args.file_size // 1024} KB in every scenario\n")
    width = max(len(row["label"]) for row in rows) + 2
    head = (f"{'scenario':<{width}}{'database':>10}{'backup':>9}{'archive':>10}{'restore':>10}{'tables':>8}"
            f"{'rows verified':>15}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for row in rows:
        print(f"{row['label']:<{width}}{row.get('db_size', ''):>10}{row['backup']:>8.1f}s"
              f"{row['size'] / 2**20:>7.1f} MB{row['restore']:>9.1f}s{row['tables']:>8}{row['rows']:>15,}")  # fmt: skip
    print("\n  restore = RTO of the data: `manage.py restore --yes` into an empty database and an empty MEDIA_ROOT, "
          "every table counted against the manifest and every file's SHA-256 checked")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--file-size", type=int, default=100 * 1024)
    parser.add_argument("--jobs", type=int, default=1, help="also restore the big database with pg_restore --jobs N")
    parser.add_argument("--evaluation", action="store_true", help="the big database is bench/evaluation.py's year")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    rows = [] if args.skip_sqlite else sqlite_demo(args.files, args.file_size)
    rows += postgres(args)
    report(rows, args)
    shutil.rmtree(VAR, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
