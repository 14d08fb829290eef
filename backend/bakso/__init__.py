"""BAKSO: Bikin Administrasi Kependudukan Secara Online."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app factory: configuration, adapters (built here, once), routes."""
    # Imported here, not at module level: Lambda imports this package at cold
    # start, and only the factory needs the services and their libraries.
    from . import config as config_module
    from . import logs
    from .bootstrap import build_services

    logs.configure()
    app = Flask(__name__)
    app.config.from_mapping(config_module.load(test_config))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        seconds=app.config["PERMANENT_SESSION_LIFETIME"]
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    services = build_services(app.config)
    app.extensions["bakso"] = services

    from .api import init_api
    from .compression import init_compression
    from .public import init_public
    from .public.pwa import init_pwa
    from .security_headers import init_security_headers

    init_api(app)
    init_public(app)
    init_pwa(app)
    init_security_headers(app)
    init_compression(app)
    if services.adapters == "local":
        from .api.blobs import bp as local_blobs

        app.register_blueprint(local_blobs)
    if services.adapters == "local" and app.config["NOTIFIER"] == "local":
        from .api.dev_messages import bp as dev_messages  # the developer's, docs/notifications.md

        app.register_blueprint(dev_messages)
    if app.config["RUN_WORKER"]:
        from .workers.handlers import LocalWorker

        worker = LocalWorker(services, visibility_timeout=app.config["WORKER_VISIBILITY_TIMEOUT"])
        worker.start()
        app.extensions["bakso_worker"] = worker
    return app
