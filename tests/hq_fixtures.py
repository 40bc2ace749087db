"""HQ fixtures: the HQ app on SQLite or on PostgreSQL (a fresh schema per test), served over real HTTP,
and a kiosk wired to it. PostgreSQL at 127.0.0.1:5432 must be up: a test that needs it fails if not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from hq import create_app as create_hq_app
from testing.pg import pg_schema
from tests.browser import live_server


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_app(request, tmp_path: Path) -> Iterator[Flask]:
    url = request.getfixturevalue("pg_schema_url") if request.param == "postgresql" else ""
    app = create_hq_app({"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "hq"), "LANGUAGE": "en"})
    yield app
    storage = app.extensions["hq.storage"]
    if hasattr(storage, "close"):
        storage.close()


@pytest.fixture
def hq_url(hq_app: Flask) -> Iterator[str]:
    with live_server(hq_app) as base:
        yield base


@pytest.fixture
def hq_store(hq_app: Flask) -> tuple[str, str]:
    return hq_app.extensions["hq.storage"].add_store("Boutique Démo Paris 11e")
