"""Real local servers for the monitoring tests: an HTTP server whose answer
can be changed (or that can be stopped and started again on the same port),
a TLS server with a self-signed certificate, and a tiny DNS server."""

from __future__ import annotations

import socket
import socketserver
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.message
import dns.rcode
import dns.rrset


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops the SYNs of concurrent probes


class Target:
    """An HTTP target on 127.0.0.1: ``status``, ``body`` and ``delay`` say
    how it answers; ``stop()`` and ``start()`` take it off the air and back
    on the same port."""

    def __init__(self):
        self.port = free_port()
        self.status, self.body, self.delay, self.slow_body = 200, b"<h1>Layanan berjalan</h1>", 0.0, False
        self.server: Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Target:
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                time.sleep(target.delay)
                if target.slow_body:  # a slow-loris: a byte every half second for half a minute
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(60):
                        self.wfile.write(b"X")
                        self.wfile.flush()
                        time.sleep(0.5)
                    return
                self.send_response(target.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(target.body)))
                self.end_headers()
                self.wfile.write(target.body)

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class TlsTarget:
    """A TLS server with a fresh self-signed certificate (openssl), so a
    verifying client must refuse it."""

    def __init__(self, directory: Path):
        self.port = free_port()
        cert, key = directory / "cert.pem", directory / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.context = context
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.listener.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                conn.close()

    def stop(self) -> None:
        self.listener.close()


class DnsServer:
    """Answers A queries for the names in ``records`` over UDP; NXDOMAIN
    for anything else."""

    def __init__(self, records: dict[str, str]):
        self.records = {name.rstrip(".") + ".": address for name, address in records.items()}
        self.port = free_port()
        records_ = self.records

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                query = dns.message.from_wire(data)
                response = dns.message.make_response(query)
                question = query.question[0]
                address = records_.get(question.name.to_text())
                if address is None:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                else:
                    response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", address))
                sock.sendto(response.to_wire(), self.client_address)

        self.server = socketserver.ThreadingUDPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
