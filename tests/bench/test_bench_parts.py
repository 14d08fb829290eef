"""The bench's own moving parts that need no browser: the counting proxy and the table."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bench.common import Figure, percentile
from bench.proxy import Proxy
from bench.run import table


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_PUT

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    front = Proxy(server.server_address[1], outage=0.2)
    yield front
    front.close()
    server.shutdown()
    server.server_close()


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
