"""The address a request came from, as the per-client throttles count it.

Locally (`bakso serve`, no proxy in front) it is the TCP peer, `remote_addr`.
On Lambda, Zappa 0.63 builds REMOTE_ADDR from X-Forwarded-For, and behind a
REGIONAL API Gateway that header is "<whatever the client sent>, <its real
address>", of which Zappa takes the next-to-last: the part the client wrote
itself. Counting that would let one client be anyone, so on Lambda the source
address API Gateway saw on the connection (`requestContext`) is used instead.
(Put CloudFront in front and that becomes CloudFront's address: read the
CloudFront-Viewer-Address header here then.)
"""

from __future__ import annotations

from typing import Any

from flask import Request


def client_address(request: Request) -> str:
    event: Any = request.environ.get("lambda.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        # REST API (v1) events: identity.sourceIp; HTTP API (v2): http.sourceIp.
        for part in ("identity", "http"):
            source = (context.get(part) or {}).get("sourceIp")
            if isinstance(source, str) and source:
                return source
    return request.remote_addr or "unknown"
