"""The local demo target of `make run` (issue 6 item 9): a tiny web server
on 127.0.0.1 that the demo checks watch, so a fresh installation shows live
ups and downs without internet. Stop it and the demo services turn red on
the status page; start it and they recover:

    .venv/bin/python manage.py demo_target stop
    .venv/bin/python manage.py demo_target start

It runs detached (its own session, a pid file under var/) so stopping it
does not stop the application.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

BODY = "<!doctype html><title>Layanan demo</title><h1>Layanan {path} berjalan</h1>"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = BODY.format(path=self.path.strip("/") or "utama").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def pid_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-target.pid"


def running_pid() -> int | None:
    try:
        pid = int(pid_file().read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def start(port: int | None = None) -> int:
    """Start the target detached unless it runs; returns its pid."""
    if pid := running_pid():
        return pid
    port = port or settings.MONITORING_DEMO_TARGET_PORT
    process = subprocess.Popen(
        [sys.executable, "-m", "spbe.monitoring.demo_target", str(port)], start_new_session=True,
        cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    pid_file().write_text(str(process.pid))
    _wait_listening(port)
    return process.pid


def _wait_listening(port: int, seconds: float = 15.0) -> None:
    """Return once the target accepts connections (a loaded machine may take
    a few seconds to start Python), so no one probes it half-started."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)


def stop() -> bool:
    pid = running_pid()
    pid_file().unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # http.server's 5 drops the SYNs of concurrent probes (1 s retransmit)


def serve(port: int) -> None:
    server = Server(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
