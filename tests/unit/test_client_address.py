"""The client address the throttles count: not one a client can write itself (#13)."""

from __future__ import annotations

from flask import Flask, request

from bakso.client_address import client_address


def _address(**environ: object) -> str:
    app = Flask(__name__)
    with app.test_request_context("/cek", method="POST", environ_base=environ):
        return client_address(request)


def test_on_lambda_the_source_address_api_gateway_saw_is_counted() -> None:
    # Zappa sets REMOTE_ADDR from X-Forwarded-For: "<forged>, <real>" gives the forged one.
    rest = {"requestContext": {"identity": {"sourceIp": "203.0.113.7"}}}
    http = {"version": "2.0", "requestContext": {"http": {"sourceIp": "203.0.113.8"}}}
    assert _address(REMOTE_ADDR="10.1.2.3", **{"lambda.event": rest}) == "203.0.113.7"
    assert _address(REMOTE_ADDR="10.1.2.3", **{"lambda.event": http}) == "203.0.113.8"


def test_locally_the_peer_address_is_counted_and_forwarded_headers_are_not() -> None:
    assert _address(REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="198.51.100.1") == "192.0.2.5"


# Behind the CloudFront distribution (docs/deploy-aws.md, "Client addresses behind
# CloudFront"): API Gateway's source is the edge, shared by every phone it serves.
SECRET = "kunci-asal-cloudfront-0123456789abcdef"
EDGE = {"requestContext": {"identity": {"sourceIp": "130.176.1.10"}}}  # a CloudFront edge


def _behind_edge(secret: str | None, headers: dict[str, str], environ: dict[str, object]) -> str:
    app = Flask(__name__)
    if secret is not None:
        app.config["EDGE_ORIGIN_SECRET"] = secret
    with app.test_request_context(
        "/api/v1/auth/login", method="POST", headers=headers, environ_base=environ
    ):
        return client_address(request)


def _edge(headers: dict[str, str], secret: str | None = SECRET) -> str:
    # Zappa's REMOTE_ADDR: the next-to-last X-Forwarded-For entry.
    return _behind_edge(secret, headers, {"REMOTE_ADDR": "198.51.100.99", "lambda.event": EDGE})


def test_through_the_edge_the_viewer_is_counted() -> None:
    v4 = {"X-Bakso-Edge": SECRET, "CloudFront-Viewer-Address": "36.68.12.34:50123"}
    v6 = {"X-Bakso-Edge": SECRET, "CloudFront-Viewer-Address": "2001:db8:a0b:12f0::1:443"}
    bracketed = {"X-Bakso-Edge": SECRET, "CloudFront-Viewer-Address": "[2001:DB8::7]:8443"}

    assert _edge(v4) == "36.68.12.34"
    assert _edge(v6) == "2001:db8:a0b:12f0::1"
    assert _edge(bracketed) == "2001:db8::7"


def test_a_made_up_viewer_without_the_secret_is_ignored() -> None:
    # Anyone can call the execute-api URL directly and write CloudFront's headers.
    forged = {"CloudFront-Viewer-Address": "10.9.8.7:1234", "X-Forwarded-For": "10.9.8.7, 1.2.3.4"}

    assert _edge(forged) == "130.176.1.10"
    assert _edge({**forged, "X-Bakso-Edge": SECRET[:-1] + "X"}) == "130.176.1.10"
    assert _edge({**forged, "X-Bakso-Edge": SECRET + "X"}) == "130.176.1.10"
    assert _edge({**forged, "X-Bakso-Edge": ""}) == "130.176.1.10"


def test_without_the_setting_no_edge_is_trusted() -> None:
    sent = {"X-Bakso-Edge": "", "CloudFront-Viewer-Address": "36.68.12.34:50123"}

    assert _edge(sent, secret="") == "130.176.1.10"
    assert _edge(sent, secret=None) == "130.176.1.10"
    # Locally too: the TCP peer, whatever the headers say.
    local = _behind_edge("", sent, {"REMOTE_ADDR": "192.0.2.5"})
    assert local == "192.0.2.5"


def test_through_the_edge_without_a_viewer_header_xff_names_the_viewer() -> None:
    # CloudFront appends the viewer to X-Forwarded-For, API Gateway then the edge:
    # what came before the viewer is the client's own writing.
    sent = {"X-Bakso-Edge": SECRET, "X-Forwarded-For": "10.0.0.1, 36.68.12.34, 130.176.1.10"}
    garbled = {"X-Bakso-Edge": SECRET, "CloudFront-Viewer-Address": "bukan-alamat:80"}

    assert _edge(sent) == "36.68.12.34"
    assert _edge(garbled) == "130.176.1.10"  # nothing usable: the edge, as before
