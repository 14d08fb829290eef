"""The bench's own moving parts that need no browser: the counting and shaping proxy, the
accounting of Chromium's byte counts, and the table."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.cdp import Response, wire_bytes
from bench.common import Figure, percentile
from bench.proxy import Link, Proxy, Shape
from bench.run import table

PATTERN = bytes(range(256)) * 400  # 100 KB, many segments of the shaped link


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_PUT

    def do_GET(self) -> None:
        body = PATTERN
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sink() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(sink: int) -> Iterator[Proxy]:
    front = Proxy(sink, outage=0.2)
    yield front
    front.close()


def put(port: int, path: str, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("PUT", path, body=body, headers={"Content-Type": "image/jpeg"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_proxy_counts_every_byte_sent_and_cuts_the_chosen_upload_half_way(proxy: Proxy) -> None:
    body = b"x" * 200_000
    assert put(proxy.port, "/api/v1/requests/1", b"{}") == 200
    proxy.drop_at = {1: 0.5}
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        put(proxy.port, "/blobs/upload/token", body)
    assert proxy.counts.uploads_cut == 1
    assert proxy.counts.uploads_started == 1
    assert 100_000 <= proxy.counts.upload_body < 110_000  # cut at half its body
    threading.Event().wait(0.3)  # the outage passes
    assert put(proxy.port, "/blobs/upload/token", body) == 200
    assert proxy.counts.uploads_started == 2
    assert proxy.counts.up > len(body) * 1.5  # the whole retry plus the cut half
    assert [entry[0] for entry in proxy.counts.log] == ["PUT", "PUT", "PUT"]


def test_a_planned_cut_whose_upload_died_early_falls_on_the_next_upload(proxy: Proxy) -> None:
    """Uploads run side by side: the one planned for the cut may be reset by an earlier
    drop before half its body is sent. The plan then falls on the next upload, so the sync
    bench's "2 cuts planned" never finds only 1 (it failed so now and then)."""
    body = b"x" * 200_000
    proxy.drop_at = {2: 0.5}
    assert put(proxy.port, "/blobs/upload/a", body) == 200  # upload 1: not planned
    # Upload 2 sends its head and dies before any of its body (as a reset would leave it).
    dying = socket.create_connection(("127.0.0.1", proxy.port))
    dying.sendall(b"PUT /blobs/upload/b HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n")
    threading.Event().wait(0.2)
    dying.close()
    threading.Event().wait(0.2)
    assert proxy.counts.uploads_started == 2 and proxy.counts.uploads_cut == 0
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        put(proxy.port, "/blobs/upload/c", body)  # upload 3 carries the cut
    assert proxy.counts.uploads_cut == 1
    assert proxy.drop_at == {}


def test_table_shows_budget_baseline_verdict_and_what_was_not_measured() -> None:
    over = Figure(
        "a",
        "5 Batch",
        "ratio",
        "x",
        value=1.8,
        budget=1.5,
        baseline=10.0,
        baseline_label="zip -0 -r",
        baseline_unit="s",
        note="zip took 10 s",
    )
    missing = Figure("b", "3 Scan", "size", "bytes", budget=350 * 1024, note="no Chromium")
    text = table([over, missing])
    assert "1.80×" in text and "≤ 1.50×" in text and "OVER" in text
    assert "10.00 s (zip -0 -r)" in text
    assert "not measured" in text and "[2] no Chromium" in text


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0


def test_the_shaped_link_queues_every_connection_behind_one_rate_and_delay() -> None:
    link = Link(Shape(kbit=400, rtt=0.4))  # 50,000 bytes/s, 0.2 s each way
    assert link.schedule(50_000, now=10.0) == pytest.approx(11.2)
    # A second connection's bytes wait for the first's: one radio, one rate.
    assert link.schedule(50_000, now=10.5) == pytest.approx(12.2)
    assert link.schedule(1_000, now=20.0) == pytest.approx(20.22)


def test_the_shaping_proxy_delivers_both_ways_intact_and_counts_them(sink: int) -> None:
    front = Proxy(sink, shape=Shape(kbit=200_000, rtt=0.01))
    try:
        assert put(front.port, "/blobs/upload/token", b"y" * 150_000) == 200
        conn = http.client.HTTPConnection("127.0.0.1", front.port, timeout=10)
        try:
            conn.request("GET", "/big")
            assert conn.getresponse().read() == PATTERN
        finally:
            conn.close()
    finally:
        front.close()
    assert front.counts.up > 150_000
    assert front.counts.down > len(PATTERN)
    assert [entry[:2] for entry in front.counts.log] == [
        ("PUT", "/blobs/upload/token"),
        ("GET", "/big"),
    ]


def response(**fields: object) -> Response:
    found = Response("page", "http://x/assets/a.js", "Script", 0.0, responded=True, finished=True)
    for name, value in fields.items():
        setattr(found, name, value)
    return found


def test_chromium_counts_are_taken_as_sent_and_its_worker_script_gap_filled() -> None:
    plain = response(finished_length=10_500, headers_length=500, content_length=10_000)
    assert plain.encoded == 10_500
    # Chromium counts only the headers of a worker's own script: the body as served is added.
    worker = response(finished_length=472, headers_length=472, content_length=3_598, decoded=3_598)
    assert worker.encoded == 472 + 3_598
    # sw.js may come with no response event at all: its body as the server sends it.
    script = response(responded=False, finished_length=721, decoded=34_610, served_body=10_767)
    assert script.encoded == 721 + 10_767
    cached = response(from_cache=True, content_length=9_000, decoded=9_000)
    assert cached.encoded == 0
    # What the service worker answered came over the wire once, in the worker's own fetch.
    from_worker = response(finished_length=9_000, from_service_worker=True)
    assert wire_bytes([plain, worker, cached, from_worker]) == 10_500 + 472 + 3_598
