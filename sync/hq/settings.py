"""Every HQ setting, declared once (core.settings): HQ_<NAME> environment variables, or overrides passed
to create_app(). `python -m sync.hq --help` prints them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.settings import Setting, resolve, settings_help

ENV_PREFIX = "HQ_"
SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "postgresql://user@host/db for PostgreSQL; empty = SQLite file in HQ_DATA_DIR."),
    Setting("DATA_DIR", "hq-instance", "Folder for the embedded SQLite database and the generated session key."),
    Setting("MAX_BODY_BYTES", 8 * 1024 * 1024, "Largest batch body accepted."),
    Setting("SECRET_KEY", "", "Signs HQ staff sessions; empty = one generated into HQ_DATA_DIR/secret_key."),
)


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    values = resolve(SETTINGS, ENV_PREFIX, overrides, environ)
    values["DATA_DIR"] = str(Path(values["DATA_DIR"]).resolve())
    return values


def help_text() -> str:
    return settings_help(SETTINGS, ENV_PREFIX)
