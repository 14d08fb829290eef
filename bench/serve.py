"""A server child for the benchmarks, served the way `bakso serve` serves: waitress, 8 threads.

    python -m bench.serve bakso --data DIR [--dist DIST]   BAKSO with its in-process worker
    python -m bench.serve bare                              one bare Flask route (the baseline)

Prints `port N` once listening. BAKSO gets the bench officers (bench.serve.USERS) when missing.
"""

from __future__ import annotations

import argparse
import os
import sys

PASSWORD = "bench-kata-sandi-123"  # noqa: S105 - throwaway accounts in a temporary folder
DESA = "52.03.01.2001"
USERS = [("op.bench", "operator", DESA), ("dukcapil.bench", "dukcapil", None)]
THREADS = 8  # as `bakso serve`


def bakso_app(data: str, dist: str | None) -> object:
    from bakso import create_app

    config: dict[str, object] = {"RUN_WORKER": True, "DATA_DIR": data}
    if dist:
        config["PWA_DIST"] = dist
    app = create_app(config)
    accounts = app.extensions["bakso"].accounts
    records = app.extensions["bakso"].records
    for username, role, desa in USERS:
        if records.get_user(username) is None:
            accounts.create_user(username, role, desa, PASSWORD)
    return app


def bare_app() -> object:
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.get("/bare")
    def bare() -> object:
        return jsonify(ok=True)

    @app.put("/bare/<item>")
    def bare_put(item: str) -> object:
        return jsonify(id=item, body=request.get_json()), 201

    @app.post("/bare/<item>")
    def bare_post(item: str) -> object:
        return jsonify(id=item, body=request.get_json())

    @app.put("/bare/<item>/blob")
    def bare_blob(item: str) -> object:
        return jsonify(id=item, size=len(request.get_data()))

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=["bakso", "bare"])
    parser.add_argument("--data")
    parser.add_argument("--dist")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    app = bakso_app(args.data, args.dist) if args.app == "bakso" else bare_app()

    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=args.port, threads=THREADS, ident="bakso")
    print(f"port {server.effective_port}", flush=True)  # type: ignore[union-attr]
    # Nobody reads further: a full pipe must never block the server.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    server.run()


if __name__ == "__main__":
    main()
