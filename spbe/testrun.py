"""`make test`: the whole suite, the same on a laptop and in CI.

1. ruff (lint + format), migrations up to date, `check --deploy` against
   production-like settings, translations compile;
2. pytest on SQLite with the filesystem Celery broker;
3. pytest again on PostgreSQL with the Redis broker, when both answer.
   Under CI=true a missing PostgreSQL, Redis or Chromium is a failure.

Browser tests need Debian's chromium and the mail intake tests Debian's
dovecot (a real IMAP server); without one, its tests are deselected and this
script says so plainly (never silently skipped).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("SPBE_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/spbe")
REDIS_URL = os.environ.get("SPBE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# marker → the Debian program its tests need, and its packages
PROGRAMS = {
    "browser": (Path("/usr/bin/chromium"), "chromium chromium-driver"),
    "imap": (Path("/usr/sbin/dovecot"), "dovecot-imapd"),
}


def step(title: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        print(f"\nFAILED: {title} (exit {result.returncode})", flush=True)
        sys.exit(result.returncode)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def fresh_var(name: str) -> str:
    path = ROOT / "var" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def main() -> None:
    manage = [sys.executable, "manage.py"]
    step("ruff check", [str(BIN / "ruff"), "check", "."])
    step("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."])
    step("makemigrations --check", [*manage, "makemigrations", "--check", "--dry-run"])
    production = {
        "SPBE_ENV": "production",
        "DJANGO_SECRET_KEY": "check-deploy-" + "x9Qz" * 12,
        "DJANGO_ALLOWED_HOSTS": "layanan.example.go.id",
        "DATABASE_URL": PG_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_HOST": "smtp.example.go.id",
        "SPBE_VAR_DIR": fresh_var("check-deploy"),
    }
    step("check --deploy (production settings)", [*manage, "check", "--deploy", "--fail-level", "WARNING"], production)
    step("compile translations", [*manage, "compile_translations"])

    pytest = [str(BIN / "pytest"), "-p", "no:cacheprovider"]
    left_out = ""
    for marker, (program, packages) in PROGRAMS.items():
        if program.exists():
            continue
        if CI:
            print(f"FAILED: {program} is missing under CI=true (apt-get install {packages}).")
            sys.exit(1)
        print(f"\n!!! {program} not found: the {marker} tests (-m {marker}) are LEFT OUT of this run.")
        print(f"!!! Install it with: apt-get install {packages}")
        left_out += f" and not {marker}"
    # The kill test needs PostgreSQL and Redis: it runs in the second pass.
    sqlite_selection = ["-m", "not postgres" + left_out]
    selection = ["-m", left_out.removeprefix(" and ")] if left_out else []

    step(
        "pytest on SQLite, Celery over the filesystem broker",
        [*pytest, *sqlite_selection],
        {
            "SPBE_VAR_DIR": (sqlite_var := fresh_var("test-sqlite")),
            "DATABASE_URL": "",
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": f"file://{sqlite_var}/celery-results",
        },
    )

    pg_up, redis_up = reachable("127.0.0.1", 5432), reachable("127.0.0.1", 6379)
    if not (pg_up and redis_up):
        missing = ", ".join(name for name, up in (("PostgreSQL", pg_up), ("Redis", redis_up)) if not up)
        if CI:
            print(f"FAILED: {missing} not reachable under CI=true.")
            sys.exit(1)
        print(f"\n!!! {missing} not reachable: the PostgreSQL + Redis run is LEFT OUT.")
        return
    step(
        "pytest on PostgreSQL, Celery over Redis",
        [*pytest, *selection],
        {
            "SPBE_VAR_DIR": fresh_var("test-postgres"),
            "DATABASE_URL": PG_URL,
            "DATABASE_CONN_MAX_AGE": "0",  # live-server threads must not hold the test database open
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": REDIS_URL,
        },
    )
    print("\nAll checks passed on SQLite and PostgreSQL.")


if __name__ == "__main__":
    main()
