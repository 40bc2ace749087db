"""assets: the browser files the kiosk and HQ both serve, kept once: the keyboard-wedge scanner's burst catcher
(scanner.js, the browser half of hardware.scanner) and the shared stylesheet (base.css). Each app serves them at
/assets/ with `register(app)`. Imports no kiosk, no HQ: they deploy apart and each brings this package along."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

STATIC = Path(__file__).parent / "static"


def register(app: Flask) -> None:
    """Serve this package's files at /assets/<name> (url_for("assets.static", filename=...))."""
    app.register_blueprint(Blueprint("assets", __name__, static_folder=str(STATIC), static_url_path="/assets"))
