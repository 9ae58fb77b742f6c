"""A local fake of the providers' send APIs (no internet here): a real HTTP
server in a thread on 127.0.0.1:151xx that records what it is sent and
answers as Telegram's Bot API and Meta's Graph API document, or fails when
told to (500, 429, a refusal) so retries can be tested."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = range(15100, 15200)


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    json: dict | None


@dataclass
class FakeProvider:
    telegram_token: str
    whatsapp_token: str
    requests: list[Request] = field(default_factory=list)
    failures: list[tuple[int, dict]] = field(default_factory=list)  # answered first, one per request
    server: ThreadingHTTPServer | None = None
    ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, status: int, body: dict | None = None, times: int = 1) -> None:
        self.failures += [(status, body or {"ok": False, "error_code": status, "description": "fake failure"})] * times

    def sent(self, suffix: str) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(suffix) and r.method == "POST"]

    def answer(self, method: str, path: str, headers: dict, body: dict | None) -> tuple[int, dict]:
        self.requests.append(Request(method, path, headers, body))
        if self.failures:
            return self.failures.pop(0)
        if path.startswith("/bot"):
            token, _, api_method = path[4:].partition("/")
            if token != self.telegram_token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if api_method == "getMe":
                return 200, {"ok": True, "result": {"id": 7000001, "is_bot": True, "first_name": "Aduan SPBE",
                                                    "username": "AduanSpbeBot"}}  # fmt: skip
            if api_method == "sendMessage":
                return 200, {"ok": True, "result": {"message_id": next(self.ids), "chat": {"id": body["chat_id"]},
                                                    "date": 1795000000, "text": body["text"]}}  # fmt: skip
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if headers.get("Authorization") != f"Bearer {self.whatsapp_token}":
            return 401, {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
        parts = path.split("?")[0].strip("/").split("/")
        if not parts or parts[0] != "v21.0":
            return 404, {"error": {"message": "Unknown version", "code": 100}}
        parts = parts[1:]
        if method == "GET" and len(parts) == 1:
            return 200, {"display_phone_number": "+62 811-2600-2026", "verified_name": "Layanan SPBE Tegal",
                         "id": parts[0]}  # fmt: skip
        if method == "POST" and len(parts) == 2 and parts[1] == "messages":
            return 200, {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                         "messages": [{"id": f"wamid.FAKE{next(self.ids)}"}]}  # fmt: skip
        return 404, {"error": {"message": "Unknown path", "code": 100}}

    def start(self) -> FakeProvider:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                status, answer = fake.answer(self.command, self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args):  # quiet
                pass

        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
