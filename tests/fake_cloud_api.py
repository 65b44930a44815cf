"""A fake WhatsApp Cloud API on 127.0.0.1 (http.server in a thread) for the outbox tests.

It implements the documented shapes of ``POST /{version}/{phone-number-id}/messages``: a
success answers ``{"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid…"}]}``;
errors answer ``{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}`` with
the documented HTTP status. What it answers is chosen per recipient number (``script``) or for
everything (``default``); it records every request (path, Authorization, JSON body) and counts
requests per notice (the ``biz_opaque_callback_data`` reference).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: name -> (HTTP status, error code, message)
ERRORS: dict[str, tuple[int, int, str]] = {
    "token": (401, 190, "Error validating access token: Session has expired."),
    "template": (404, 132001, "(#132001) Template name does not exist in the translation"),
    "window": (400, 131047, "(#131047) Re-engagement message"),
    "rate": (429, 130429, "(#130429) Rate limit hit"),
    "number": (400, 131026, "(#131026) Message Undeliverable"),
    "param": (400, 100, "(#100) Invalid parameter"),
}


@dataclass
class Request:
    path: str
    auth: str
    body: dict[str, Any]


@dataclass
class FakeCloudApi:
    token: str = "TOKEN-UJI"
    default: str = "ok"
    script: dict[str, str] = field(default_factory=dict)  # recipient digits -> answer name
    requests: list[Request] = field(default_factory=list)
    per_notice: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, path: str, auth: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(Request(path, auth, body))
            ref = body.get("biz_opaque_callback_data")
            if ref:
                self.per_notice[str(ref)] += 1
            name = self.script.get(str(body.get("to")), self.default)
            n = next(self._ids)
        if auth != f"Bearer {self.token}":
            name = "token"
        if name == "ok":
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.FAKE{n:06d}"}],
            }
        status, code, message = ERRORS[name]
        return status, {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": f"Fake{n}",
            }
        }

    def start(self) -> FakeCloudApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                status, data = api.answer(self.path, self.headers.get("Authorization", ""), body)
                out = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
