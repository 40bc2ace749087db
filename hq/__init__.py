"""hq: the HQ service that receives every store's records and publishes reference data: its own app,
settings, security headers, extensions, templates and static files.

    python -m hq [--port 8090]            serve (waitress) on the embedded SQLite file
    HQ_DATABASE_URL=postgresql://... python -m hq   the same on PostgreSQL
    flask --app hq stores add "Store name" / publish KIND FILE --version V

May import core and hardware.camera (sticker photos); never the kiosk nor the terminal's sync modules."""

from __future__ import annotations

from hq.app import create_app

__all__ = ["create_app"]
