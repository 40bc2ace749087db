"""The HQ service that receives every store's records and publishes reference data.

    python -m sync.hq [--port 8090]            serve (waitress) on the embedded SQLite file
    HQ_DATABASE_URL=postgresql://... python -m sync.hq   the same on PostgreSQL
    flask --app sync.hq stores add "Store name" / publish KIND FILE --version V
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

# name -> (default, help): every HQ setting, read from HQ_<NAME> environment variables.
SETTINGS = {
    "DATABASE_URL": ("", "postgresql://user@host/db for PostgreSQL; empty = SQLite file in HQ_DATA_DIR."),
    "DATA_DIR": ("hq-instance", "Folder for the embedded SQLite database."),
    "MAX_BODY_BYTES": (8 * 1024 * 1024, "Largest batch body accepted."),
}


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values = {}
    for name, (default, _help) in SETTINGS.items():
        raw = (overrides or {}).get(name, os.environ.get(f"HQ_{name}", default))
        values[name] = type(default)(raw)
    return values


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from sync.hq import api, cli
    from sync.hq.storage import open_storage

    settings = load_settings(config)
    app = Flask(__name__)
    app.config.update(settings, MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"])
    app.extensions["hq.storage"] = open_storage(settings["DATABASE_URL"], settings["DATA_DIR"])
    app.register_blueprint(api.bp)
    cli.init_app(app)
    return app
