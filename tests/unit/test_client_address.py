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
