"""hq_records hash-partitioned by store_id (PostgreSQL): the first step when one table grows too big, and the
same key a distributed PostgreSQL shards on (Citus: `SELECT create_distributed_table('hq_records', 'store_id')`).

The key becomes (store_id, record_uuid), because a partitioned table's unique keys must hold its partition key.
A record id taken by another store is still refused: ingest looks every id up before it inserts
(hq.services.ingest), under the store's lock; the index on record_uuid alone keeps that look-up cheap."""

from __future__ import annotations

from hq.storage import Storage

# The plain table's primary key, record_uuid alone, becomes this index: ingest's look-up of any store's ids.
RECORD_UUID_INDEX = "CREATE INDEX hq_records_uuid ON hq_records (record_uuid)"


def is_partitioned(storage: Storage) -> bool:
    if storage.backend != "postgresql":
        return False
    with storage.read() as tx:
        return bool(tx.rows("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'hq_records'::regclass"))


def partition_records(storage: Storage, partitions: int) -> int:
    """Rebuild hq_records as `partitions` hash partitions of store_id, its rows copied, in one transaction
    (ingest waits on the table's lock meanwhile). Returns how many rows were moved."""
    if storage.backend != "postgresql":
        raise ValueError("hq_records can only be partitioned on PostgreSQL")
    if not 2 <= partitions <= 1024:
        raise ValueError("partitions: between 2 and 1024")
    if is_partitioned(storage):
        raise ValueError("hq_records is partitioned already")
    with storage.transaction() as tx:
        tx.run("LOCK TABLE hq_records IN ACCESS EXCLUSIVE MODE")
        tx.run("CREATE TABLE hq_records_by_store (LIKE hq_records INCLUDING DEFAULTS, "
               "PRIMARY KEY (store_id, record_uuid), FOREIGN KEY (store_id) REFERENCES hq_stores(id)) "
               "PARTITION BY HASH (store_id)")
        for remainder in range(partitions):
            tx.run(f"CREATE TABLE hq_records_p{remainder} PARTITION OF hq_records_by_store "
                   f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {remainder})")
        moved = tx.run("INSERT INTO hq_records_by_store SELECT * FROM hq_records").rowcount
        # The plain table's other indexes, read from it rather than restated, made again on the partitioned one.
        indexes = [row[0] for row in tx.rows("SELECT pg_get_indexdef(indexrelid) FROM pg_index "
                                             "WHERE indrelid = 'hq_records'::regclass AND NOT indisprimary")]
        tx.run("DROP TABLE hq_records")
        tx.run("ALTER TABLE hq_records_by_store RENAME TO hq_records")
        for statement in [*indexes, RECORD_UUID_INDEX]:
            tx.run(statement)
    return moved
