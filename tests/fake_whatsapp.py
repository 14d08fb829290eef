"""A stand-in for the WhatsApp Business Cloud API on loopback: records every request and
answers from a script (a status per request, the last one repeated)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_VERSION = "v21.0"
PHONE_NUMBER_ID = "109876543210"
TOKEN = "EAAG-test-token-never-logged"
TEMPLATE = "bakso_status"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int  # what the fake answered


@dataclass
class FakeWhatsApp:
    url: str  # what WHATSAPP_API_URL would be: .../v21.0
    received: list[Received] = field(default_factory=list)
    # (status, JSON body) per request; the last one answers every request after it.
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def answer(self, *answers: int | tuple[int, dict[str, Any]]) -> None:
        self.script = [a if isinstance(a, tuple) else (a, _body(a)) for a in answers]

    def delivered(self) -> list[Received]:
        """The requests answered 200: messages the API took."""
        return [r for r in self.received if r.status == 200]


def _body(status: int) -> dict[str, Any]:
    if status == 200:
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "x", "wa_id": "x"}],
            "messages": [{"id": "wamid.fake"}],
        }
    return {"error": {"message": "(#131000) Something went wrong", "code": 131000}}


@contextmanager
def fake_whatsapp() -> Iterator[FakeWhatsApp]:
    lock = threading.Lock()
    fake = FakeWhatsApp(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                script = fake.script or [(200, _body(200))]
                status, body = script[min(len(fake.received), len(script) - 1)]
                fake.received.append(Received(self.path, headers, json.loads(raw or b"{}"), status))
            data = json.dumps(body).encode()
            self.send_response(status)
            if 300 <= status < 400:  # somewhere else on this server, to see who follows
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST  # a client following a redirect comes back with GET

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll: shutdown() waits up to one poll interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/{API_VERSION}"
    try:
        yield fake
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
