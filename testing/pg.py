"""A throw-away PostgreSQL schema per test or benchmark run, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_URL = os.environ.get("TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")


@contextmanager
def pg_schema() -> Iterator[str]:
    """Yields a URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"hq_run_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
