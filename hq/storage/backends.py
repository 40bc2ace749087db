"""Which storage HQ runs on: the embedded SQLite file (hq.storage) or PostgreSQL (hq.storage.postgres)."""

from __future__ import annotations

from pathlib import Path

from hq.storage import SecretBox, SqliteStorage, Storage


def open_storage(database_url: str, data_dir: str | Path, keys: list[str]) -> Storage:
    """PostgreSQL when a postgresql:// URL is given, else the embedded SQLite file in data_dir (mode 0600);
    `keys` seal the stores' secrets."""
    if database_url.startswith(("postgresql://", "postgres://")):
        from hq.storage.postgres import PostgresStorage  # the hq-postgres extra: psycopg, psycopg-pool

        storage: Storage = PostgresStorage(database_url)
    else:
        storage = SqliteStorage(Path(data_dir) / "hq.db")
    storage.box = SecretBox(keys)
    storage.migrate()
    storage.seal_plain_secrets()
    return storage
