"""Photos behind a store's grade, at HQ: each shot's record arrives with the store's records (core.protocol.
PHOTO_TAKEN, kept in hq_photos by the projection) and its file on the photo channel (hq.web.photos_api): HQ takes
the bytes of a file only from a store that announced it, for a trade-in of its own, in order, and shows the file
once whole and its SHA-256 checked. A file HQ already holds is never written again. A seller's erasure drops the
shots of their trade-ins, and the files no other shot names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core import protocol
from core.clock import utcnow_ms
from core.photos import MAX_PHOTO_BYTES, MEDIA_TYPES, SHOT_KINDS, is_sha256
from hq.storage import Storage
from hq.storage.photos import OffsetMismatch, PhotoStore

PHOTO_COLUMNS = ("photo_uuid", "store_id", "tradein_uuid", "kind", "sha256", "bytes", "media_type", "taken_at",
                 "taken_by", "source", "synced_at")


def _uuid(value: object) -> str | None:
    try:
        return value if isinstance(value, str) and str(uuid.UUID(value)) == value else None
    except ValueError:
        return None


def well_formed(payload: dict) -> bool:
    """A photo's record names its shot and trade-in (UUIDs), a kind, the file's SHA-256, size and type."""
    size = payload.get("bytes")
    return bool(_uuid(payload.get("uuid")) and _uuid(payload.get("tradein_uuid"))
                and payload.get("kind") in SHOT_KINDS and is_sha256(payload.get("sha256"))
                and isinstance(size, int) and not isinstance(size, bool) and 0 < size <= MAX_PHOTO_BYTES
                and payload.get("media_type") in MEDIA_TYPES)


def _text(value: object, limit: int = 64) -> str | None:
    return value[:limit] if isinstance(value, str) and "\x00" not in value else None


class PhotoRecords:
    """The shots a batch announces, gathered as ingest sorts the records, written in its transaction (with the
    erasures the same batch carries)."""

    def __init__(self, store_id: str, now: str) -> None:
        self.store_id, self.now, self.rows = store_id, now, {}

    def add(self, kind: str, payload: dict) -> None:
        if kind == protocol.PHOTO_TAKEN and well_formed(payload):
            self.rows.setdefault(payload["uuid"], (
                payload["uuid"], self.store_id, payload["tradein_uuid"], payload["kind"], payload["sha256"],
                payload["bytes"], payload["media_type"], _text(payload.get("taken_at")),
                _text(payload.get("taken_by")), _text(payload.get("source"), 16), self.now))

    def write(self, tx, erased: list[str]) -> None:
        tx.many(f"INSERT INTO hq_photos ({', '.join(PHOTO_COLUMNS)}) VALUES ({', '.join(['%s'] * len(PHOTO_COLUMNS))})"
                " ON CONFLICT (photo_uuid) DO NOTHING", list(self.rows.values()))
        tx.many("DELETE FROM hq_photos WHERE tradein_uuid = %s AND store_id = %s",
                [(tradein_uuid, self.store_id) for tradein_uuid in erased])


class PhotoRefused(ValueError):
    """Why HQ does not take this file from this store; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Held:
    size: int  # the whole file's bytes, as the store announced them
    received: int
    complete: bool


def expected_size(storage: Storage, store_id: str, sha256: str) -> int | None:
    """The size this store announced for this file, for a trade-in of its own (or one HQ does not hold); None
    when this store announced no such photo."""
    if not is_sha256(sha256):
        return None
    with storage.read() as tx:
        rows = tx.rows("SELECT p.bytes FROM hq_photos p LEFT JOIN hq_tradeins t ON t.uuid = p.tradein_uuid "
                       "WHERE p.sha256 = %s AND p.store_id = %s AND (t.store_id IS NULL OR t.store_id = p.store_id) "
                       "LIMIT 1", [sha256, store_id])
    return int(rows[0][0]) if rows else None


def _expected(storage: Storage, store_id: str, sha256: str) -> int:
    size = expected_size(storage, store_id, sha256)
    if size is None:
        raise PhotoRefused(404, "HQ expects no photo with this SHA-256 from this store: send its record first")
    return size


def _stored(storage: Storage, sha256: str, size: int) -> None:
    with storage.transaction() as tx:
        tx.run("INSERT INTO hq_photo_files VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
               [sha256, size, utcnow_ms()])


def held(storage: Storage, files: PhotoStore, store_id: str, sha256: str) -> Held:
    """How much of the file HQ holds (PhotoRefused 404 when the store announced no such photo)."""
    size = _expected(storage, store_id, sha256)
    received, complete = files.held(sha256)
    if complete:
        _stored(storage, sha256, received)  # a file finished just before a crash gets its row now
    return Held(size, received, complete)


def receive(storage: Storage, files: PhotoStore, store_id: str, sha256: str, start: int, total: int,
            chunk: bytes) -> Held:
    """A chunk of the file at byte `start` of `total`: written when the upload stands there (else PhotoRefused 409
    saying where it stands), the file checked and shown once whole (else discarded: 422). Bytes HQ holds already
    change nothing."""
    size = _expected(storage, store_id, sha256)
    if total != size:
        raise PhotoRefused(422, f"the file is {total} bytes here, {size} in its record")
    received, complete = files.held(sha256)
    if complete:
        _stored(storage, sha256, received)
        return Held(size, received, True)
    if start + len(chunk) > total:
        raise PhotoRefused(422, "the chunk goes past the file's end")
    try:
        received = files.append(sha256, start, chunk)
    except OffsetMismatch as err:
        raise PhotoRefused(409, f"the upload stands at byte {err.received}") from None
    if received < total:
        return Held(size, received, False)
    if not files.finish(sha256):
        raise PhotoRefused(422, "the bytes received do not have this SHA-256: discarded, send the file again")
    _stored(storage, sha256, total)
    return Held(size, total, True)


def of_tradein(storage: Storage, tradein_uuid: str) -> list[dict]:
    """The trade-in's shots its own store sent, each saying whether HQ holds its file yet."""
    with storage.read() as tx:
        rows = tx.rows("SELECT p.photo_uuid, p.kind, p.sha256, p.taken_at, p.source, f.sha256 IS NOT NULL "
                       "FROM hq_photos p JOIN hq_tradeins t ON t.uuid = p.tradein_uuid AND t.store_id = p.store_id "
                       "LEFT JOIN hq_photo_files f ON f.sha256 = p.sha256 WHERE p.tradein_uuid = %s "
                       "ORDER BY p.taken_at, p.photo_uuid", [tradein_uuid])
    order = list(SHOT_KINDS)
    shots = [{"uuid": r[0], "kind": r[1], "sha256": r[2], "taken_at": r[3], "source": r[4], "held": bool(r[5])}
             for r in rows]
    return sorted(shots, key=lambda shot: order.index(shot["kind"]) if shot["kind"] in order else len(order))


def file_for_staff(storage: Storage, files: PhotoStore, sha256: str) -> tuple[bytes, str] | None:
    """A whole file some trade-in's own store announced, with its media type; None otherwise."""
    if not is_sha256(sha256):
        return None
    with storage.read() as tx:
        rows = tx.rows("SELECT p.media_type FROM hq_photos p JOIN hq_photo_files f ON f.sha256 = p.sha256 "
                       "WHERE p.sha256 = %s LIMIT 1", [sha256])
    data = files.read(sha256) if rows else None
    return (data, rows[0][0]) if data is not None else None


def drop_unreferenced(storage: Storage, files: PhotoStore) -> int:
    """After an erasure: the files (and uploads under way) no shot names any more leave HQ. Returns how many."""
    with storage.transaction() as tx:
        gone = [r[0] for r in tx.rows("SELECT sha256 FROM hq_photo_files f WHERE NOT EXISTS "
                                      "(SELECT 1 FROM hq_photos p WHERE p.sha256 = f.sha256)")]
        tx.many("DELETE FROM hq_photo_files WHERE sha256 = %s", [(sha,) for sha in gone])
        partial = [sha for sha in files.uploading() if is_sha256(sha)]
        named = set(tx.keys_in("hq_photos", "sha256", partial)) if partial else set()
    gone += [sha for sha in partial if sha not in named]
    for sha256 in gone:
        files.delete(sha256)
    return len(gone)
