"""`make run`: prepare the embedded installation and run web + worker + beat.

Everything runs from this one process tree so that Ctrl+C stops it all. The
same commands run separately under systemd in production (docs/deploy.md).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("SPBE_HOST", "127.0.0.1")
PORT = os.environ.get("SPBE_PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def prepare() -> None:
    manage("migrate", "--noinput", "-v0")
    manage("compile_translations")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo")


def start() -> list[subprocess.Popen]:
    env = dict(os.environ)
    metrics_dir = ROOT / "var" / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    bin_dir = Path(sys.executable).parent
    web = [str(bin_dir / "gunicorn"), "spbe.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", "2",
           "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"]  # fmt: skip
    # WARNING, not INFO: INFO logs every task, and monitoring dispatches one a second.
    worker = [str(bin_dir / "celery"), "-A", "spbe", "worker", "--beat", "--pool", "threads",
              "--concurrency", "4", "--loglevel", "WARNING"]  # fmt: skip
    return [subprocess.Popen(cmd, cwd=ROOT, env=env) for cmd in (web, worker)]


def main() -> int:
    prepare()
    manage("demo_target", "start")  # detached: stopping it shows an outage, not the end of the app
    children = start()
    print(f"\nLayanan SPBE berjalan di http://{HOST}:{PORT}/  (Ctrl+C untuk berhenti)\n", flush=True)

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    manage("demo_target", "stop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
