"""Photos of a trade-in's device (or of a customer's estimate, at the totem): kept once per SHA-256 of the
re-encoded file in photos/ beside the database (<sha[:2]>/<sha>.jpg, 0600, folders 0700), one row a shot.

A shot of a trade-in not bought yet stays on the terminal: its record (core.protocol.PHOTO_TAKEN) goes to HQ in the
accept's transaction (`announce`), or at once for a shot taken after. A shot may be taken again (it replaces the
last of its kind) until HQ has been told of it; from then on a new shot is one more, never a replacement. Erasure
and retention (kiosk.compliance.privacy) drop the rows, then the files no other row names (`remove_unreferenced`)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import sqlite_utils

from core import protocol
from core.clock import utcnow
from core.jurisdiction import pack_for
from core.messages import N_, Message, UserError
from core.photos import MAX_DAMAGE_SHOTS, REPEATABLE, SHOT_KINDS, is_sha256, parse_kinds, rule_for
from core.states import EDITABLE, SHIPPABLE
from kiosk.evidence.imaging import Encoded, reencode
from kiosk.store.db import fetch_all, fetch_one, write_transaction
from sync import outbox
from sync.photos import photo_path, photos_folder

OPEN_STATES = EDITABLE | set(SHIPPABLE)  # before the device leaves the store: photos may still be taken
_KIND_ORDER = "CASE kind " + " ".join(f"WHEN '{kind}' THEN {n}" for n, kind in enumerate(SHOT_KINDS)) + " END"
SWEEP_AFTER_SECONDS = 600  # a file is written just before its row: one younger than this may be on its way in


class PhotoRefused(UserError):
    """A shot that is not kept (unknown kind, too many, a trade-in that left the store); says why."""


def required_kinds(db: sqlite_utils.Database, store_id: str) -> tuple[str, ...]:
    """The shots this store must take before it buys: its own rule, else its jurisdiction pack's (New York City:
    front, back, screen, *#06# screen; core/data/jurisdictions), else its country's (core/data/photos.toml)."""
    store = fetch_one(db, "SELECT country, jurisdiction, required_photos FROM stores WHERE id = ?", [store_id]) or {}
    if store.get("required_photos") is None:
        return pack_for(store).required_shots or rule_for(store.get("country") or "FR").required
    return parse_kinds(store["required_photos"])


def set_required(db: sqlite_utils.Database, store_id: str, kinds: str | None) -> tuple[str, ...]:
    """The store's own rule ("front,back"; "" none), or None: its country's again. ValueError on an unknown kind."""
    stored = None if kinds is None else ",".join(parse_kinds(kinds))
    with write_transaction(db):
        db.execute("UPDATE stores SET required_photos = ? WHERE id = ?", [stored, store_id])
    return required_kinds(db, store_id)


def of_tradein(db: sqlite_utils.Database, ti: dict) -> list[dict]:
    """A trade-in's shots, the customer's at the totem included, in the order of SHOT_KINDS then taken."""
    return fetch_all(db, f"SELECT * FROM photos WHERE tradein_uuid = ? OR (estimate_uuid IS NOT NULL AND "
                         f"estimate_uuid = ?) ORDER BY {_KIND_ORDER}, taken_at", [ti["uuid"], ti.get("estimate_uuid")])


def of_estimate(db: sqlite_utils.Database, estimate_uuid: str) -> list[dict]:
    return fetch_all(db, f"SELECT * FROM photos WHERE estimate_uuid = ? ORDER BY {_KIND_ORDER}, taken_at",
                     [estimate_uuid])


def missing_required(db: sqlite_utils.Database, ti: dict) -> tuple[str, ...]:
    """The required kinds no shot of this trade-in shows."""
    required = required_kinds(db, ti["store_id"])
    if not required:  # a French store's: no look at the photos (the accept is the counter's hot path)
        return ()
    taken = {photo["kind"] for photo in of_tradein(db, ti)}
    return tuple(kind for kind in required if kind not in taken)


def file_of(db: sqlite_utils.Database, sha256: str) -> tuple[Path, str] | None:
    """(path, media type) of a kept file, for the pages that show it; None when no shot names it."""
    if not is_sha256(sha256):
        return None
    row = fetch_one(db, "SELECT media_type FROM photos WHERE sha256 = ? LIMIT 1", [sha256])
    return (photo_path(photos_folder(db), sha256, row["media_type"]), row["media_type"]) if row else None


def take_for_tradein(db: sqlite_utils.Database, ti: dict, kind: str, data: bytes, staff_id: str,
                     terminal_id: str) -> dict:
    """A clerk's shot of a trade-in's device (PictureRefused / PhotoRefused say why not). A trade-in already
    bought tells HQ at once; one not bought yet, at its accept."""
    if ti["state"] not in OPEN_STATES:
        raise PhotoRefused(N_("This trade-in has left the store or was closed: no photo can be added."))
    return _take(db, {"tradein_uuid": ti["uuid"], "estimate_uuid": None}, kind, data, staff_id, terminal_id)


def take_for_estimate(db: sqlite_utils.Database, est: dict, kind: str, data: bytes, terminal_id: str) -> dict:
    """A customer's shot at the totem, kept with their estimate (the clerk's trade-in of the ticket shows it)."""
    return _take(db, {"tradein_uuid": None, "estimate_uuid": est["uuid"]}, kind, data, None, terminal_id)


def _take(db, owner: dict, kind: str, data: bytes, staff_id: str | None, terminal_id: str) -> dict:
    if kind not in SHOT_KINDS:
        raise PhotoRefused(N_("Choose what the photo shows."))
    encoded = reencode(data)  # hardware.uploads.PictureRefused: before anything is decoded or kept
    _keep(photos_folder(db), encoded)
    try:
        photo, replaced = _insert(db, owner, kind, encoded, staff_id, terminal_id)
    except BaseException:
        remove_unreferenced(db, {encoded.sha256})
        raise
    remove_unreferenced(db, replaced)
    return photo


def _insert(db, owner: dict, kind: str, encoded: Encoded, staff_id: str | None,
            terminal_id: str) -> tuple[dict, set[str]]:
    """The shot's row (and, for a trade-in bought already, its record to HQ); the files it replaced."""
    column, key = ("tradein_uuid", owner["tradein_uuid"]) if owner["tradein_uuid"] else \
        ("estimate_uuid", owner["estimate_uuid"])
    with write_transaction(db):
        replaced = _replaceable(db, column, key, kind)
        photo = {"uuid": str(uuid.uuid4()), **owner, "kind": kind, "sha256": encoded.sha256,
                 "media_type": encoded.media_type, "bytes": len(encoded.data), "width": encoded.width,
                 "height": encoded.height, "taken_at": utcnow(), "taken_by": staff_id, "terminal_id": terminal_id}
        db.execute(f"INSERT INTO photos ({', '.join(photo)}) VALUES ({', '.join('?' * len(photo))})",
                   list(photo.values()))
        if owner["tradein_uuid"]:
            state = db.execute("SELECT state FROM tradeins WHERE uuid = ?", [key]).fetchone()[0]
            if state not in OPEN_STATES:  # shipped or closed since the page was opened
                raise PhotoRefused(N_("This trade-in has left the store or was closed: no photo can be added."))
            if state not in EDITABLE:  # bought already: HQ hears of it now
                photo["record_seq"] = _tell_hq(db, photo, key)
    return photo, replaced


def _replaceable(db, column: str, key: str, kind: str) -> set[str]:
    """Deletes the earlier shot of this kind HQ was not told of (a shot taken again); refuses a damage shot past
    MAX_DAMAGE_SHOTS. Returns the files of the rows deleted."""
    if kind in REPEATABLE:
        count = db.execute(f"SELECT count(*) FROM photos WHERE {column} = ? AND kind = ?", [key, kind]).fetchone()[0]
        if count >= MAX_DAMAGE_SHOTS:
            raise PhotoRefused(N_("At most %(count)s photos of damage: remove one first."), count=MAX_DAMAGE_SHOTS)
        return set()
    earlier = fetch_all(db, f"SELECT uuid, sha256 FROM photos WHERE {column} = ? AND kind = ? AND record_seq IS NULL",
                        [key, kind])
    db.execute(f"DELETE FROM photos WHERE {column} = ? AND kind = ? AND record_seq IS NULL", [key, kind])
    return {row["sha256"] for row in earlier}


def _tell_hq(db, photo: dict, tradein_uuid: str) -> int:
    """Inside the caller's transaction: the shot's record, which HQ needs before it takes the file."""
    seq = outbox.append(db, photo["uuid"], protocol.PHOTO_TAKEN, {
        "uuid": photo["uuid"], "tradein_uuid": tradein_uuid, "kind": photo["kind"], "sha256": photo["sha256"],
        "bytes": photo["bytes"], "media_type": photo["media_type"], "taken_at": photo["taken_at"],
        "taken_by": photo["taken_by"], "source": "counter" if photo["taken_by"] else "totem"})
    db.execute("UPDATE photos SET record_seq = ?, tradein_uuid = ? WHERE uuid = ?", [seq, tradein_uuid, photo["uuid"]])
    return seq


def announce(db: sqlite_utils.Database, ti: dict) -> int:
    """Inside the accept's transaction: every shot of the trade-in (the totem's too) goes to HQ, after the trade-in's
    own record. Returns how many."""
    pending = [p for p in of_tradein(db, ti) if p["record_seq"] is None]
    for photo in pending:
        _tell_hq(db, photo, ti["uuid"])
    return len(pending)


def remove(db: sqlite_utils.Database, photo_uuid: str, owner_column: str, owner_uuid: str) -> None:
    """A shot taken by mistake, while HQ has not been told of it (then it is evidence, and stays)."""
    with write_transaction(db):
        photo = fetch_one(db, f"SELECT * FROM photos WHERE uuid = ? AND {owner_column} = ?", [photo_uuid, owner_uuid])
        if photo is None:
            raise PhotoRefused(N_("This photo is not one of this trade-in's."))
        if photo["record_seq"] is not None:
            raise PhotoRefused(N_("HQ was told of this photo when the trade-in was accepted: it stays."))
        db.execute("DELETE FROM photos WHERE uuid = ?", [photo_uuid])
    remove_unreferenced(db, {photo["sha256"]})


def forget_tradeins(db: sqlite_utils.Database, tradein_uuids: list[str]) -> set[str]:
    """Inside the caller's transaction (erasure, retention): these trade-ins' shots (their totem's too) are
    deleted; returns their files, for `remove_unreferenced` once the transaction is committed."""
    if not tradein_uuids:
        return set()
    marks = ",".join("?" * len(tradein_uuids))
    where = (f"tradein_uuid IN ({marks}) OR estimate_uuid IN (SELECT estimate_uuid FROM tradeins WHERE uuid IN "
             f"({marks}) AND estimate_uuid IS NOT NULL)")
    hashes = {r[0] for r in db.execute(f"SELECT sha256 FROM photos WHERE {where}", tradein_uuids * 2).fetchall()}
    db.execute(f"DELETE FROM photos WHERE {where}", tradein_uuids * 2)
    return hashes


def forget_estimate(db: sqlite_utils.Database, estimate_uuid: str) -> None:
    """A customer who leaves the totem without a ticket takes their shots with them."""
    with write_transaction(db):
        hashes = {r[0] for r in db.execute("SELECT sha256 FROM photos WHERE estimate_uuid = ? AND tradein_uuid IS "
                                           "NULL", [estimate_uuid]).fetchall()}
        db.execute("DELETE FROM photos WHERE estimate_uuid = ? AND tradein_uuid IS NULL", [estimate_uuid])
    remove_unreferenced(db, hashes)


def remove_unreferenced(db: sqlite_utils.Database, hashes: set[str]) -> int:
    """Deletes the files of `hashes` that no shot names any more (two trade-ins may share one). Returns how many."""
    folder, removed = photos_folder(db), 0
    for sha256 in hashes:
        if db.execute("SELECT 1 FROM photos WHERE sha256 = ? LIMIT 1", [sha256]).fetchone():
            continue
        for path in folder.glob(f"{sha256[:2]}/{sha256}.*"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep(db: sqlite_utils.Database, older_than: float = SWEEP_AFTER_SECONDS) -> int:
    """Deletes files no shot names (their rows went with an estimate the customer never ticketed, or a crash came
    between a file and its row), except those written in the last `older_than` seconds."""
    folder = photos_folder(db)
    if not folder.is_dir():
        return 0
    named = {r[0] for r in db.execute("SELECT DISTINCT sha256 FROM photos").fetchall()}
    cutoff, removed = time.time() - older_than, 0
    for path in folder.glob("*/*"):
        if path.stem not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _keep(folder: Path, encoded: Encoded) -> Path:
    """The file, written whole or not at all (aside, synced, renamed into place), readable by the kiosk user
    only; already there when the same bytes were kept before."""
    path = photo_path(folder, encoded.sha256, encoded.media_type)
    if path.exists():
        return path
    for made in (folder, path.parent):
        made.mkdir(mode=0o700, exist_ok=True)
    aside = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(encoded.data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)
    return path


def kind_label(kind: str) -> Message:
    """What a shot shows, translatable."""
    return Message(SHOT_KINDS.get(kind, kind))
