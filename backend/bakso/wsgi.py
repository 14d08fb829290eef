"""The web Lambda's entry points, named in zappa_settings.json.

`app` is the WSGI callable Zappa serves (`app_function`). It builds the Flask
app on the first request, so importing this module (Zappa does it at cold
start, tests do it to check the settings) reads no configuration and makes no
AWS client.

`lambda_handler` is the function Lambda calls (`lambda_handler`): Zappa's own
handler, with one repair. Zappa 0.63's WSGI middleware keeps each Set-Cookie
header and adds a lower-cased copy, and its API Gateway conversion then lists
every copy under both spellings: one session cookie came back four times.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from flask import Flask


class LazyApp:
    def __init__(self) -> None:
        self._app: Flask | None = None
        self._lock = threading.Lock()

    @property
    def flask(self) -> Flask:
        with self._lock:
            if self._app is None:
                from . import create_app

                self._app = create_app()
            return self._app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.flask(environ, start_response)


app = LazyApp()


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    from zappa.handler import lambda_handler as zappa_handler  # in the Lambda package

    response = zappa_handler(event, context)
    if isinstance(response, dict):
        merge_set_cookie(response)
    return response


def merge_set_cookie(response: dict[str, Any]) -> None:
    """Leave each distinct Set-Cookie value once, under one spelling.

    REST API (v1) answers: in multiValueHeaders when the event had them (API
    Gateway merges `headers` into them), else in `headers`. HTTP API (v2)
    answers carry cookies in their own list.
    """
    if isinstance(response.get("cookies"), list):
        response["cookies"] = list(dict.fromkeys(response["cookies"]))
    multi = response.get("multiValueHeaders")
    headers = response.get("headers")
    values: list[str] = []
    for mapping in (multi, headers):
        if not isinstance(mapping, dict):
            continue
        for key in [k for k in mapping if k.lower() == "set-cookie"]:
            found = mapping.pop(key)
            values.extend(found if isinstance(found, list) else [found])
    cookies = list(dict.fromkeys(values))
    if not cookies:
        return
    if isinstance(multi, dict):
        multi["Set-Cookie"] = cookies
    elif isinstance(headers, dict):
        # A plain header map holds one value per name: the last cookie set wins,
        # as it would in a browser receiving them in order.
        headers["Set-Cookie"] = cookies[-1]
