"""Pages for people without an account: the landing page (and, later, the resident status page)."""

from __future__ import annotations

from flask import Flask, Response, render_template

from .. import __version__


def init_public(app: Flask) -> None:
    @app.get("/")
    def index() -> Response:
        response = Response(render_template("index.html", version=__version__))
        response.headers["Cache-Control"] = "no-cache"
        return response
