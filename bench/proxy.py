"""A TCP proxy in front of the local server that counts the bytes on the wire and can drop the
network mid-upload: the browser talks to the proxy as its origin, so every byte it sends or
receives (headers, bodies, retries, the service worker's and workers' requests) passes here.

Requests going up are followed just enough (request line, Content-Length) to know when an
upload body is being sent; `drop_at` names which uploads to cut, and at what fraction of their
body. A cut resets every open connection and refuses new ones for `outage` seconds.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

UPLOAD_PREFIX = b"/blobs/upload/"


@dataclass
class Counts:
    up: int = 0  # bytes from the browser to the server
    down: int = 0  # bytes from the server to the browser
    body: int = 0  # of `up`: request bodies only (no request lines, no headers)
    upload_body: int = 0  # of `body`: bodies of PUTs to upload URLs, cut ones included
    # Every upload attempt, in order: [Content-Length, body bytes that arrived here].
    attempts: list[list[int]] = field(default_factory=list)
    uploads_started: int = 0
    uploads_cut: int = 0
    requests: int = 0
    cut_at: list[float] = field(default_factory=list)  # monotonic times of the cuts
    log: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, Content-Length


class _Upstream:
    """Follows the requests in one connection's upstream byte stream."""

    def __init__(self) -> None:
        self.head = b""
        self.body_left = 0
        self.body_total = 0
        self.upload_index: int | None = None

    def feed(self, data: bytes, proxy: Proxy) -> int | None:
        """Account for `data`; return how many of its bytes to forward before cutting, if a cut
        is due within it."""
        offset = 0
        while offset < len(data):
            if self.body_left == 0:
                end = (self.head + data[offset:]).find(b"\r\n\r\n")
                if end < 0:
                    self.head += data[offset:]
                    return None
                taken = end + 4 - len(self.head)
                head = self.head + data[offset : offset + taken]
                offset += taken
                self.head = b""
                self._start(head, proxy)
                continue
            chunk = min(self.body_left, len(data) - offset)
            cut = None
            if self.upload_index is not None:
                sent = self.body_total - self.body_left
                with proxy.lock:
                    fraction = proxy.drop_at.get(self.upload_index)
                if fraction is not None:
                    limit = int(self.body_total * fraction)
                    if sent + chunk >= limit:
                        cut = offset + max(0, limit - sent)
                        chunk = max(0, limit - sent)
                with proxy.lock:
                    proxy.counts.upload_body += chunk
                    if self.upload_index <= len(proxy.counts.attempts):  # not reset meanwhile
                        proxy.counts.attempts[self.upload_index - 1][1] += chunk
            with proxy.lock:
                proxy.counts.body += chunk
            self.body_left -= chunk
            offset += chunk
            if cut is not None:
                return cut
        return None

    def _start(self, head: bytes, proxy: Proxy) -> None:
        line = head.split(b"\r\n", 1)[0].split(b" ")
        length = 0
        for header in head.split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        self.body_left = self.body_total = length
        with proxy.lock:
            proxy.counts.requests += 1
            method, path = [*line, b"", b""][:2]
            proxy.counts.log.append(
                (method.decode(errors="replace"), path.decode(errors="replace"), length)
            )
            if len(line) > 1 and line[0] == b"PUT" and line[1].startswith(UPLOAD_PREFIX):
                proxy.counts.uploads_started += 1
                proxy.counts.attempts.append([length, 0])
                self.upload_index = proxy.counts.uploads_started
            else:
                self.upload_index = None


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class Proxy:
    def __init__(self, target_port: int, port: int = 0, outage: float = 2.0) -> None:
        self.target = ("127.0.0.1", target_port)
        self.outage = outage
        self.lock = threading.Lock()
        self.counts = Counts()
        self.drop_at: dict[int, float] = {}  # upload number (from 1) → fraction of its body
        self.down_until = 0.0
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def reset_counts(self) -> None:
        with self.lock:
            self.counts = Counts()

    def retarget(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)

    def close(self) -> None:
        self._closed = True
        _reset(self._listener)
        self.cut()

    def cut(self) -> None:
        """The network drops: every open connection is reset; new ones fail for a while."""
        with self.lock:
            self.down_until = time.monotonic() + self.outage
            pairs = list(self._pairs)
            self._pairs.clear()
        for client, server in pairs:
            _reset(client)
            _reset(server)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if time.monotonic() < self.down_until:
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self.lock:
                # A cut may have come while connecting: this connection is then cut too.
                down = time.monotonic() < self.down_until
                if not down:
                    self._pairs.add((client, server))
            if down:
                _reset(client)
                _reset(server)
                continue
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(client, server), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        stream = _Upstream()
        try:
            while data := client.recv(65536):
                cut = stream.feed(data, self)
                sent = data if cut is None else data[:cut]
                with self.lock:
                    self.counts.up += len(data)
                server.sendall(sent)
                if cut is not None:
                    with self.lock:
                        self.counts.uploads_cut += 1
                        self.counts.cut_at.append(time.monotonic())
                        self.drop_at.pop(stream.upload_index or 0, None)
                    self.cut()
                    return
        except OSError:
            pass
        finally:
            self._close_pair(client, server)

    def _down(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while data := server.recv(65536):
                client.sendall(data)
                with self.lock:
                    self.counts.down += len(data)
        except OSError:
            pass
        finally:
            self._close_pair(client, server)

    def _close_pair(self, client: socket.socket, server: socket.socket) -> None:
        with self.lock:
            self._pairs.discard((client, server))
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
