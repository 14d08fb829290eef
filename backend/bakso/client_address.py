"""The address a request came from, as the per-client throttles count it.

Locally (`bakso serve`, no proxy in front) it is the TCP peer, `remote_addr`.
On Lambda, Zappa 0.63 builds REMOTE_ADDR from X-Forwarded-For, and behind a
REGIONAL API Gateway that header is "<whatever the client sent>, <its real
address>", of which Zappa takes the next-to-last: the part the client wrote
itself. Counting that would let one client be anyone, so on Lambda the source
address API Gateway saw on the connection (`requestContext`) is used instead.

Behind the CloudFront distribution (docs/deploy-aws.md, "Client addresses
behind CloudFront") that source is a CloudFront edge, shared by every phone it
serves. The viewer is then read from what CloudFront adds, but only on a request
that carries the origin secret the distribution sends (EDGE_ORIGIN_SECRET):
anyone can call the execute-api URL directly with those headers made up.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from flask import Request, current_app

EDGE_HEADER = "X-Bakso-Edge"  # infra/bakso.yaml, EdgeDistribution's OriginCustomHeaders


def client_address(request: Request) -> str:
    viewer = _edge_viewer(request)
    if viewer:
        return viewer
    event: Any = request.environ.get("lambda.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        # REST API (v1) events: identity.sourceIp; HTTP API (v2): http.sourceIp.
        for part in ("identity", "http"):
            source = (context.get(part) or {}).get("sourceIp")
            if isinstance(source, str) and source:
                return source
    return request.remote_addr or "unknown"


def came_through_the_edge(request: Request) -> bool:
    """True if the request carries the distribution's origin secret (none set: never)."""
    secret = str(current_app.config.get("EDGE_ORIGIN_SECRET") or "")
    given = request.headers.get(EDGE_HEADER)
    if not secret or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def _edge_viewer(request: Request) -> str | None:
    """The viewer CloudFront served, on a request proven to come from it; else None."""
    if not came_through_the_edge(request):
        return None
    # "ip:port"; IPv6 unbracketed ("2001:db8::1:443"), so the port is after the last colon.
    host, _, port = request.headers.get("CloudFront-Viewer-Address", "").rpartition(":")
    found = _ip(host.strip("[]")) if port.isdigit() else None
    if found:
        return found
    # Should the origin request policy not pass CloudFront-Viewer-Address on: CloudFront
    # appends the viewer to X-Forwarded-For and API Gateway then appends the edge, so the
    # viewer is the next-to-last entry (anything before it is what the client wrote).
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    return _ip(forwarded[-2]) if len(forwarded) >= 2 else None


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
