"""HQ schema, numbered migrations written in the SQL both backends (SQLite and PostgreSQL) accept."""

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE hq_stores (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acked_through_seq BIGINT NOT NULL DEFAULT 0,
    last_batch_at TEXT
);
CREATE TABLE hq_batches (
    batch_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    received_at TEXT NOT NULL,
    records INTEGER NOT NULL
);
CREATE TABLE hq_records (
    record_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX hq_records_store_seq ON hq_records (store_id, seq);
CREATE TABLE hq_seen_seqs (
    store_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (store_id, seq)
);
CREATE TABLE hq_rejections (
    store_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    record_uuid TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (store_id, seq, record_uuid)
);
CREATE TABLE hq_reference (
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    published_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);
"""),
    (2, """
ALTER TABLE hq_records ADD COLUMN identifier TEXT;
ALTER TABLE hq_records ADD COLUMN entity_uuid TEXT;
CREATE INDEX hq_records_identifier ON hq_records (identifier);
CREATE INDEX hq_records_entity ON hq_records (entity_uuid);
"""),
)
