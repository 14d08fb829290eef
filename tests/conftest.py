"""Shared fixtures: an app on a fresh data folder, seeded officers, a live server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bakso.bootstrap import Services
from helpers import PASSWORD, USERS, Api, close_app, make_app, services_of


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path) -> Iterator[Flask]:
    app = make_app(data_dir)
    accounts = services_of(app).accounts
    for username, role, desa in USERS:
        accounts.create_user(username, role, desa, PASSWORD)
    yield app
    close_app(app)


@pytest.fixture
def services(app: Flask) -> Services:
    return services_of(app)


@pytest.fixture
def api_factory(app: Flask) -> Callable[[str | None], Api]:
    """`api_factory("op.a")`: a client logged in as that officer; None: anonymous."""

    def make(username: str | None = None) -> Api:
        api = Api(app.test_client())
        if username:
            assert api.login(username).status_code == 200
        return api

    return make


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app behind a real threaded HTTP server, for tests that need real sockets."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()
