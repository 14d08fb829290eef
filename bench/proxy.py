"""A TCP proxy in front of the local server that counts the bytes on the wire and can drop the
network mid-upload: the browser talks to the proxy as its origin, so every byte it sends or
receives (headers, bodies, retries, the service worker's and workers' requests) passes here.

Requests going up are followed just enough (request line, Content-Length) to know when an
upload body is being sent; `drop_at` names which uploads to cut, and at what fraction of their
body. A cut resets every open connection and refuses new ones for `outage` seconds.

With `shape` it is also the phone's network: one shared link each way at `shape.kbit` kbit/s
and `shape.rtt` s round trip (half of it each way, a new connection's handshake one more
round trip), so every byte is slowed — the page's, its workers' and the service worker's,
which CDP network emulation on the page does not reach. Segments of at most `MSS` bytes
queue on the link in the order they arrive, as on a bottleneck with a deep buffer; no loss,
no TCP slow start (which would only make a real link slower at first).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

UPLOAD_PREFIX = b"/blobs/upload/"
MSS = 1460  # bytes per segment on the shaped link


@dataclass(frozen=True)
class Shape:
    kbit: float = 400.0  # each way
    rtt: float = 0.4  # seconds


class Link:
    """One direction of the shaped network, shared by every connection (one phone, one radio)."""

    def __init__(self, shape: Shape) -> None:
        self.rate = shape.kbit * 1000 / 8  # bytes per second
        self.one_way = shape.rtt / 2
        self.free_at = 0.0
        self.lock = threading.Lock()

    def schedule(self, size: int, now: float) -> float:
        """When a segment of `size` bytes handed over at `now` arrives at the other end: after
        the segments queued before it have been sent, its own serialisation, and the delay."""
        with self.lock:
            start = max(now, self.free_at)
            self.free_at = start + size / self.rate
            return self.free_at + self.one_way


class _Pipe:
    """Delivers one connection's bytes in one direction at the times the link allows."""

    def __init__(
        self, link: Link, dest: socket.socket, not_before: float, done: Callable[[], None]
    ):
        self.link, self.dest, self.not_before, self.done = link, dest, not_before, done
        self.queue: queue.SimpleQueue[tuple[float, bytes | None]] = queue.SimpleQueue()
        threading.Thread(target=self._deliver, daemon=True).start()

    def send(self, data: bytes) -> None:
        for i in range(0, len(data), MSS):
            segment = data[i : i + MSS]
            now = max(time.monotonic(), self.not_before)
            self.queue.put((self.link.schedule(len(segment), now), segment))

    def close(self) -> None:
        """The sender is done: close once everything queued before has been delivered."""
        self.queue.put((time.monotonic() + self.link.one_way, None))

    def _deliver(self) -> None:
        try:
            while True:
                due, segment = self.queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if segment is None:
                    return
                self.dest.sendall(segment)
        except OSError:
            pass
        finally:
            self.done()


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
        self.drop_key: int | None = None  # the planned drop this upload will carry out

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
                    # A drop planned for the Nth upload falls on the first upload from the
                    # Nth on that gets that far: the Nth itself may have been reset by an
                    # earlier drop (uploads run side by side), and a plan that silently
                    # never fires made the bench fail now and then.
                    due = [k for k in proxy.drop_at if k <= self.upload_index]
                    self.drop_key = min(due) if due else None
                    fraction = proxy.drop_at[self.drop_key] if self.drop_key is not None else None
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
    def __init__(
        self, target_port: int, port: int = 0, outage: float = 2.0, shape: Shape | None = None
    ) -> None:
        self.target = ("127.0.0.1", target_port)
        self.outage = outage
        self.shape = shape
        self._links = (Link(shape), Link(shape)) if shape else None  # up, down
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
            to_server, to_client = self._senders(client, server)
            threading.Thread(target=self._up, args=(client, server, to_server), daemon=True).start()
            threading.Thread(
                target=self._down, args=(client, server, to_client), daemon=True
            ).start()

    def _senders(
        self, client: socket.socket, server: socket.socket
    ) -> tuple[_Pipe | None, _Pipe | None]:
        if self._links is None or self.shape is None:
            return None, None
        # The handshake costs the client a round trip before its first byte can leave.
        opened = time.monotonic() + self.shape.rtt

        def done() -> None:
            self._close_pair(client, server)

        up, down = self._links
        return _Pipe(up, server, opened, done), _Pipe(down, client, 0.0, done)

    def _up(self, client: socket.socket, server: socket.socket, pipe: _Pipe | None) -> None:
        stream = _Upstream()
        try:
            while data := client.recv(65536):
                cut = stream.feed(data, self)
                sent = data if cut is None else data[:cut]
                with self.lock:
                    self.counts.up += len(data)
                if pipe is None:
                    server.sendall(sent)
                else:
                    pipe.send(sent)
                if cut is not None:
                    with self.lock:
                        self.counts.uploads_cut += 1
                        self.counts.cut_at.append(time.monotonic())
                        self.drop_at.pop(stream.drop_key or 0, None)
                    self.cut()
                    return
        except OSError:
            pass
        finally:
            self._finish(client, server, pipe)

    def _down(self, client: socket.socket, server: socket.socket, pipe: _Pipe | None) -> None:
        try:
            while data := server.recv(65536):
                if pipe is None:
                    client.sendall(data)
                else:
                    pipe.send(data)
                with self.lock:
                    self.counts.down += len(data)
        except OSError:
            pass
        finally:
            self._finish(client, server, pipe)

    def _finish(self, client: socket.socket, server: socket.socket, pipe: _Pipe | None) -> None:
        # Shaped, the bytes still on the link are delivered first, then the pair is closed.
        if pipe is None:
            self._close_pair(client, server)
        else:
            pipe.close()

    def _close_pair(self, client: socket.socket, server: socket.socket) -> None:
        with self.lock:
            self._pairs.discard((client, server))
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
