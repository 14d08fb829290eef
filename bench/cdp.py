"""A browser-level CDP connection of our own, beside Playwright's, to count the bytes Chromium
receives for every target: the page, its dedicated workers and the service worker.

Playwright's CDP sessions reach only a page or a frame, and do not pass on the events of the
targets a session auto-attaches to; the service worker is one of those. So Chromium is also
started with `--remote-debugging-port=0` (the port is read from `DevToolsActivePort` in the
profile), and this module speaks the DevTools protocol over a WebSocket (RFC 6455, the little
of it CDP needs; the standard library has no client). `Target.setAutoAttach` (flatten) on the
browser attaches every page and service worker, and on each page its dedicated workers, each
paused at start until its `Network.enable` is in, so no request is missed.

The figure per request is `Network.loadingFinished.encodedDataLength`: the bytes received for
it as Chromium counts them, headers included, compressed as served. One exception, checked
against the proxy's count on Chromium 156: for a worker's own script (the service worker's
`sw.js`, the compression worker) Chromium counts only the headers there. When the body counted
(`loadingFinished` less the headers counted at `responseReceived`) is short of the response's
`Content-Length` (the encoded length as served), the body is counted from `Content-Length`;
for `sw.js` Chromium sends no `responseReceived` at all, so its body is counted by fetching
it again from the server with the `Accept-Encoding` Chromium sent (`served_body`). Responses
from the HTTP cache count 0.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WATCHED = {"page", "service_worker", "worker", "shared_worker"}
AUTO_ATTACH = {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}


@dataclass
class Response:
    target: str  # the target type: page, worker, service_worker
    url: str
    kind: str  # CDP resource type: Document, Script, Stylesheet, Fetch, …
    started: float  # monotonic time of Network.requestWillBeSent, as seen here
    from_service_worker: bool = False
    finished_length: int = 0  # Network.loadingFinished.encodedDataLength
    headers_length: int = 0  # Network.responseReceived's response.encodedDataLength
    content_length: int | None = None
    responded: bool = False  # a Network.responseReceived came
    from_cache: bool = False
    decoded: int = 0  # the sum of Network.dataReceived.dataLength
    served_body: int | None = None  # the body's length as served, fetched again (sw.js)
    finished: bool = False

    @property
    def body_uncounted(self) -> bool:
        """Chromium counted less body than it received (a worker's own script)."""
        if self.from_cache or self.decoded == 0:
            return False
        if not self.responded:
            return True
        body = self.finished_length - self.headers_length
        return self.content_length is not None and body < self.content_length

    @property
    def encoded(self) -> int:
        """Bytes received for this response: headers and body, as they came over the wire."""
        if self.from_cache:
            return 0
        if self.body_uncounted:
            if self.responded and self.content_length is not None:
                return self.headers_length + self.content_length
            # No response event: what Chromium counted is the headers.
            return self.finished_length + (self.served_body or self.decoded)
        return self.finished_length

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def devtools_url(profile: Path, timeout: float = 30.0) -> str:
    """The browser's WebSocket URL, from the file Chromium writes once it listens."""
    file = profile / "DevToolsActivePort"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if file.is_file():
            lines = file.read_text().split()
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    raise RuntimeError(f"Chromium wrote no {file}")


class WebSocket:
    """A blocking client: text frames out (masked), frames in (unmasked, maybe fragmented)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        status, _, self.buffer = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {status[:200]!r}")
        self.sock.settimeout(None)
        self.lock = threading.Lock()

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        with self.lock:
            self.sock.sendall(header + mask + masked)

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            opcode = first & 0x0F
            if opcode == 8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode == 9:  # ping: a pong with the same payload (client frames are masked)
                with self.lock:
                    self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | n) + b"\0" * 4 + payload)
                continue
            if opcode in (0, 1, 2):
                message += payload
                if first & 0x80:
                    return message.decode()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class NetworkLog:
    """Every response of every target of one browser, from the moment it is created."""

    def __init__(self, profile: Path) -> None:
        self.ws = WebSocket(devtools_url(profile))
        self.lock = threading.Lock()
        self.responses: dict[tuple[str, str], Response] = {}
        self.targets: dict[str, str] = {}  # session id → target type
        self.accept_encoding = "gzip, deflate"  # replaced by what Chromium really sends
        self._attached: set[str] = set()  # target ids: a service worker is offered twice
        self._next = 0
        self._closed = False
        self._unanswered: set[int] = set()  # ids of the Network.enable calls not answered yet
        self._answered = threading.Condition(self.lock)
        threading.Thread(target=self._listen, daemon=True).start()
        self._send("Target.setAutoAttach", AUTO_ATTACH)
        self.wait_enabled()

    def wait_enabled(self, timeout: float = 30.0) -> None:
        """Until a page is attached and every target attached so far logs its network."""
        with self._answered:
            done = self._answered.wait_for(
                lambda: not self._unanswered and "page" in self.targets.values(), timeout
            )
        if not done:
            raise RuntimeError("Chromium attached no page to the network log")

    def _send(self, method: str, params: dict[str, Any], session: str | None = None) -> int:
        with self.lock:
            self._next += 1
            message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
            if method == "Network.enable":
                self._unanswered.add(self._next)
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return int(message["id"])

    def _listen(self) -> None:
        try:
            while not self._closed:
                self._event(json.loads(self.ws.receive()))
        except (OSError, ConnectionError, ValueError):
            return

    def _event(self, message: dict[str, Any]) -> None:
        if "id" in message:
            with self._answered:
                self._unanswered.discard(message["id"])
                self._answered.notify_all()
            return
        method, params = message.get("method"), message.get("params", {})
        session = message.get("sessionId", "")
        if method == "Target.attachedToTarget":
            child, kind = params["sessionId"], params["targetInfo"]["type"]
            with self.lock:
                again = params["targetInfo"]["targetId"] in self._attached
                self._attached.add(params["targetInfo"]["targetId"])
            # The browser's auto-attach and the page's both offer the page's service worker.
            if kind in WATCHED and not again:
                self._send("Network.enable", {}, child)
                with self.lock:  # after the call is queued, so wait_enabled waits for it
                    self.targets[child] = kind
                if kind == "page":  # dedicated workers are the page's own children
                    self._send("Target.setAutoAttach", AUTO_ATTACH, child)
            if params.get("waitingForDebugger"):
                self._send("Runtime.runIfWaitingForDebugger", {}, child)
        elif method == "Network.requestWillBeSent":
            key = (session, params["requestId"])
            with self.lock:
                if key not in self.responses:  # a redirect keeps its id: the first one stays
                    self.responses[key] = Response(
                        self.targets.get(session, "?"),
                        params["request"]["url"],
                        params.get("type", "Other"),
                        time.monotonic(),
                    )
        elif method == "Network.responseReceived":
            response = params["response"]
            key = (session, params["requestId"])
            with self.lock:
                # A worker's script may be under way before its target is attached.
                entry = self.responses.setdefault(
                    key, Response(self.targets.get(session, "?"), "", "Other", time.monotonic())
                )
                entry.url = response["url"]
                entry.kind = params.get("type", entry.kind)
                entry.from_service_worker = bool(response.get("fromServiceWorker"))
                length = {k.lower(): v for k, v in response.get("headers", {}).items()}.get(
                    "content-length"
                )
                entry.content_length = int(str(length)) if str(length or "").isdigit() else None
                entry.headers_length = int(response.get("encodedDataLength", 0))
                entry.responded = True
                entry.from_cache = bool(
                    response.get("fromDiskCache") or response.get("fromPrefetchCache")
                )
        elif method == "Network.requestServedFromCache":
            with self.lock:
                found = self.responses.get((session, params["requestId"]))
                if found:
                    found.from_cache = True
        elif method == "Network.requestWillBeSentExtraInfo":
            headers = {k.lower(): v for k, v in params.get("headers", {}).items()}
            if "accept-encoding" in headers:
                self.accept_encoding = str(headers["accept-encoding"])
        elif method == "Network.dataReceived":
            with self.lock:
                found = self.responses.get((session, params["requestId"]))
                if found:
                    found.decoded += int(params.get("dataLength", 0))
        elif method == "Network.loadingFinished":
            with self.lock:
                found = self.responses.get((session, params["requestId"]))
                if found:
                    found.finished_length = int(params.get("encodedDataLength", 0))
                    found.finished = True

    def since(self, start: float) -> list[Response]:
        """The finished responses whose request started at or after `start` (monotonic)."""
        with self.lock:
            found = [r for r in self.responses.values() if r.finished and r.started >= start]
        for response in found:
            if response.body_uncounted and not response.responded and response.served_body is None:
                response.served_body = served_length(response.url, self.accept_encoding)
        return found

    def close(self) -> None:
        self._closed = True
        self.ws.close()


def served_length(url: str, accept_encoding: str) -> int:
    """The length of the body the server sends for `url`, encoded as it would be for Chromium."""
    import requests

    with requests.get(
        url, headers={"Accept-Encoding": accept_encoding}, stream=True, timeout=30
    ) as answer:
        return len(answer.raw.read(decode_content=False))


def wire_bytes(responses: list[Response]) -> int:
    """Bytes on the wire for these responses. One the service worker answered is counted where
    its bytes really came in (the worker's own fetch, or its cache: nothing)."""
    return sum(r.encoded for r in responses if not r.from_service_worker)
