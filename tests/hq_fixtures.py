"""HQ fixtures: the HQ app on SQLite or on PostgreSQL (a fresh schema per test), served over real HTTP,
and a kiosk wired to it. PostgreSQL at 127.0.0.1:5432 must be up: a test that needs it fails if not."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask

from sync.hq import create_app as create_hq_app
from tests.browser import live_server

PG_URL = os.environ.get("TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    schema = f"hq_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_app(request, tmp_path: Path) -> Iterator[Flask]:
    url = request.getfixturevalue("pg_schema_url") if request.param == "postgresql" else ""
    app = create_hq_app({"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "hq")})
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
