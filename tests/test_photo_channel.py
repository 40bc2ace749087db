"""The photo channel (issue 33, item 2) over real HTTP, on both HQ backends: signed HEAD and chunked PUT with
Content-Range, resumable, idempotent, the whole file's SHA-256 checked before HQ shows it, another store's trade-in
refused; 50 SIGKILLs of the uploader mid-file and every photo at HQ once with its hash; a record accepted during a
100-photo backlog reaching HQ at once; HQ's trade-in page showing the files to its staff only, and an erasure at
the store taking them away at HQ too."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import random
import signal
import time
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from core import protocol
from core.codes import TRADEIN
from core.protocol import signed_headers
from kiosk.compliance import privacy
from kiosk.evidence import photos
from kiosk.store.db import open_database
from kiosk.tradein import tradeins
from sync import pusher
from sync.client import HQClient, HQRefused, HQUnavailable
from sync.photos import backlog, held_by_hq, upload
from testing.factories import accept_all, actor_of
from testing.hostile import send
from testing.pg import pg_schema
from testing.processes import hq_process
from tests.conftest import make_app
from tests.hq_fixtures import create_hq_app
from tests.test_hostile2_isolation import _tradein
from tests.test_hq_receiving import HQStaff
from tests.test_photos import quoted_tradeins

KILLS = 50


def noise(seed: int, side: int = 200) -> bytes:
    """A photo that does not compress: its file is about as large as its pixels say (200 px: 22 kB kept, 320: 55)."""
    rng = random.Random(seed)
    height = side * 3 // 4
    picture = Image.frombytes("RGB", (side, height), rng.randbytes(side * height * 3))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def store_with_photos(tmp_path: Path, base: str, store: tuple[str, str], tradeins_count: int, shots: int,
                      side: int = 200):
    """A kiosk with accepted trade-ins, `shots` photos each, their records pushed and acknowledged by HQ."""
    app = make_app(tmp_path / "kiosk", SYNC_URL=base, SYNC_STORE_ID=store[0], SYNC_SECRET=store[1])
    db = open_database(app.config["DATABASE"])
    actor, uuids = actor_of(db), quoted_tradeins(db, tradeins_count)
    for n, tradein_uuid in enumerate(uuids):
        for k, kind in enumerate(("front", "back", "screen", "imei_screen", "damage", "damage")[:shots]):
            photos.take_for_tradein(db, tradeins.get(db, tradein_uuid), kind, noise(n * 10 + k, side),
                                    actor.staff_id, actor.terminal_id)
    accept_all(db, uuids)
    client = HQClient(base, *store, timeout=10)
    pusher.drain(db, client, batch_size=500)
    return app, db, client, uuids


def put(client: HQClient, sha256: str, data: bytes, first: int, last: int, size: int | None = None):
    return client.photo("PUT", sha256, data[first:last + 1],
                        {"Content-Range": f"bytes {first}-{last}/{len(data) if size is None else size}"})


def photo_record(tradein_uuid: str, data: bytes, kind: str = "front") -> dict:
    return {"uuid": str(uuid.uuid4()), "tradein_uuid": tradein_uuid, "kind": kind,
            "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "media_type": "image/jpeg",
            "taken_at": "2026-12-07T10:00:00+00:00", "taken_by": "staff-1", "source": "counter"}


def files_at_hq(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.glob("??/*") if path.is_file()}


def test_the_channel_resumes_refuses_and_never_writes_a_file_twice(hq_app, hq_url, hq_store):
    storage, folder = hq_app.extensions["hq.storage"], Path(hq_app.config["PHOTOS_DIR"])
    client = HQClient(hq_url, *hq_store)
    tradein, data = _tradein(TRADEIN.mint(), "490154203237518", "iPhone 13"), noise(1, 320)
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(HQRefused) as unknown:  # no record yet: HQ expects nothing
        held_by_hq(client, sha)
    assert unknown.value.status == 404
    ack = send(client, (protocol.TRADEIN_ACCEPTED, tradein),
               (protocol.PHOTO_TAKEN, photo_record(tradein["uuid"], data)))
    assert ack["accepted"] == 2 and ack["rejected"] == []
    assert held_by_hq(client, sha) == (0, False)
    assert put(client, sha, data, 0, 9999).json() == {"received": 10000, "complete": False, "size": len(data)}
    assert held_by_hq(client, sha) == (10000, False)  # where a killed upload resumes
    with pytest.raises(HQUnavailable, match="409"):  # a chunk that does not start where the upload stands
        put(client, sha, data, 0, 9999)
    assert files_at_hq(folder) == {}  # not shown until whole
    assert put(client, sha, data, 10000, len(data) - 1).json()["complete"] is True
    assert files_at_hq(folder) == {sha: data} and held_by_hq(client, sha) == (len(data), True)
    again = put(client, sha, data, 0, len(data) - 1)  # bytes HQ holds: a no-op
    assert again.status_code == 200 and again.json()["complete"] is True and files_at_hq(folder) == {sha: data}
    # Bytes that are not the announced file: discarded, never shown.
    liar = noise(2, 320)
    record = {**photo_record(tradein["uuid"], liar, "back")}
    send(client, (protocol.PHOTO_TAKEN, record), first_seq=3)
    forged = bytes(reversed(liar))  # as long as the announced file, not it
    with pytest.raises(HQRefused) as wrong:
        put(client, record["sha256"], forged, 0, len(forged) - 1, len(liar))
    assert wrong.value.status == 422 and "SHA-256" in str(wrong.value)
    assert held_by_hq(client, record["sha256"]) == (0, False) and set(files_at_hq(folder)) == {sha}
    for bad in ({"Content-Range": "bytes 0-9/5"}, {"Content-Range": "items 0-9/10"},
                {"Content-Range": f"bytes 0-9/{7 * 2**20}"}):
        with pytest.raises(HQRefused) as refused:
            client.photo("PUT", record["sha256"], liar[:10], bad)
        assert refused.value.status == 422
    unsigned = requests.put(f"{hq_url}/api/v1/stores/{hq_store[0]}/photos/{sha}", data=data, timeout=10,
                            headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    assert unsigned.status_code == 401
    # Another store naming this store's trade-in: its record is refused, and HQ takes no file from it.
    other = HQClient(hq_url, *storage.add_store("Boutique B"))
    stolen = photo_record(tradein["uuid"], liar)
    ack = send(other, (protocol.PHOTO_TAKEN, stolen))
    assert [r["code"] for r in ack["rejected"]] == ["other_stores_tradein"]
    with pytest.raises(HQRefused) as refused:
        put(other, stolen["sha256"], liar, 0, len(liar) - 1)
    assert refused.value.status == 404
    bad_record = {**stolen, "sha256": "not-a-hash"}
    assert send(client, (protocol.PHOTO_TAKEN, bad_record), first_seq=4)["rejected"][0]["code"] == "bad_photo"


def _upload_until_killed(database: str, client: HQClient, ready) -> None:
    """The child's side: its own connection, the uploader at 40 kB/s (10 kB chunks, 55 kB files)."""
    db = open_database(database)
    client.session = requests.Session()  # nothing of the parent's connections
    ready.send("ready")
    upload(db, client, 40_000, round_seconds=3600)
    os._exit(0)


def _kill_mid_upload(app, client: HQClient, rng: random.Random) -> None:
    """A forked uploader (started in milliseconds: 50 interpreters would take a minute to start), SIGKILLed a random
    while after it began: inside a chunk, between two, or between a chunk and its mark in the database."""
    ours, theirs = multiprocessing.Pipe()
    worker = multiprocessing.get_context("fork").Process(target=_upload_until_killed,
                                                         args=(app.config["DATABASE"], client, theirs))
    worker.start()
    assert ours.poll(10) and ours.recv() == "ready"
    time.sleep(rng.uniform(0.02, 0.4))
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=10)
    assert worker.exitcode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_fifty_kills_of_the_uploader_leave_every_photo_at_hq_once_with_its_hash(tmp_path, backend):
    with pg_schema() if backend == "postgresql" else _no_schema() as url:
        setup = create_hq_app({"DATA_DIR": str(tmp_path / "hq"), "DATABASE_URL": url, "LANGUAGE": "en"})
        store = setup.extensions["hq.storage"].add_store("Boutique Démo Paris 11e")
        with hq_process(tmp_path / "hq", DATABASE_URL=url) as (base, _process):
            app, db, client, _ = store_with_photos(tmp_path, base, store, tradeins_count=12, shots=2, side=320)
            wanted = {r[0] for r in db.execute("SELECT DISTINCT sha256 FROM photos")}
            rng, started = random.Random(3333), time.monotonic()
            for _ in range(KILLS):
                _kill_mid_upload(app, client, rng)
            partway = backlog(db)["files"]
            assert upload(db, client, 0).ended == "done"
            killed_for = time.monotonic() - started
        folder = Path(tmp_path / "hq" / "photos")
        held = files_at_hq(folder)
        with setup.extensions["hq.storage"].read() as tx:
            rows = tx.rows("SELECT sha256 FROM hq_photo_files")
        if hasattr(setup.extensions["hq.storage"], "close"):
            setup.extensions["hq.storage"].close()
    assert len(wanted) == 24 and 0 < partway < 24  # the kills came in the middle of the backlog
    assert set(held) == wanted and sorted(r[0] for r in rows) == sorted(wanted)  # each once, as a row and a file
    assert all(hashlib.sha256(data).hexdigest() == name for name, data in held.items())
    assert list(folder.glob("uploads/*.part")) == [] and backlog(db) == {"files": 0, "bytes": 0, "refused": 0}
    print(f"\n{backend}: {KILLS} SIGKILLs mid-upload in {killed_for:.1f} s, {len(wanted)} photos at HQ once each")


class _no_schema:
    def __enter__(self) -> str:
        return ""

    def __exit__(self, *_exc) -> None:
        return None


def test_a_record_goes_to_hq_at_once_while_a_hundred_photos_wait(tmp_path, hq_app, hq_url, hq_store):
    app, db, client, _ = store_with_photos(tmp_path, hq_url, hq_store, tradeins_count=25, shots=4, side=160)
    assert backlog(db)["files"] == 100
    loop = pusher.BackgroundSync(lambda: open_database(app.config["DATABASE"]), client, 50, interval=30,
                                 photo_rate=60_000)  # 100 photos of 14 kB: about 25 s of backlog
    loop.start()
    try:
        folder = Path(hq_app.config["PHOTOS_DIR"])
        deadline = time.monotonic() + 20
        while not files_at_hq(folder) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert files_at_hq(folder), "the photo uploader never started"
        (late,) = quoted_tradeins(db, 1)
        accept_all(db, [late])
        accepted = time.monotonic()
        while not any(late in record[4] for record in hq_app.extensions["hq.storage"].records(hq_store[0])):
            assert time.monotonic() - accepted < 3, "the record waited behind the photos"
            time.sleep(0.02)
        took, waiting = time.monotonic() - accepted, backlog(db)["files"]
    finally:
        loop.stop.set()
        loop.join(timeout=10)
    assert waiting > 50  # the backlog was still there: the record did not wait for it
    print(f"\nrecord at HQ {took:.2f} s after its accept, {waiting} photos still waiting (interval 30 s)")


def test_hq_shows_the_files_to_its_staff_only_and_an_erasure_takes_them_away(tmp_path, hq_app, hq_url, hq_store):
    app, db, client, (tradein_uuid,) = store_with_photos(tmp_path, hq_url, hq_store, tradeins_count=1, shots=2)
    receiver = HQStaff(hq_app, "Inès Moreau", "receiver")
    waiting = receiver.get(f"/hq/tradeins/{tradein_uuid}").get_data(as_text=True)
    assert "2 taken at the store · 2 still on their way" in waiting and "None taken at the store" not in waiting
    assert upload(db, client, 0).files == 2
    page = receiver.get(f"/hq/tradeins/{tradein_uuid}").get_data(as_text=True)
    shas = [r[0] for r in db.execute("SELECT sha256 FROM photos ORDER BY kind DESC")]  # front, then back
    assert all(f'src="/hq/photos/{sha}"' in page for sha in shas) and "still on their way" not in page
    shown = receiver.client.get(f"/hq/photos/{shas[0]}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert hashlib.sha256(shown.data).hexdigest() == shas[0]
    assert hq_app.test_client().get(f"/hq/photos/{shas[0]}").status_code in (302, 401)  # signed-in staff only
    assert receiver.client.get(f"/hq/photos/{'0' * 64}").status_code == 404
    seller = db.execute("SELECT seller_ref FROM tradeins WHERE uuid = ?", [tradein_uuid]).fetchone()[0]
    privacy.erase(db, seller)
    pusher.drain(db, client, batch_size=50)
    assert files_at_hq(Path(hq_app.config["PHOTOS_DIR"])) == {}
    assert "None taken at the store" in receiver.get(f"/hq/tradeins/{tradein_uuid}").get_data(as_text=True)


def test_the_photo_channel_is_signed_like_every_store_request(hq_url, hq_store):
    """A captured HEAD cannot be replayed as a PUT, nor a signature moved to another file."""
    sha, other = "a" * 64, "b" * 64
    path = f"/api/v1/stores/{hq_store[0]}/photos/{sha}"
    headers = signed_headers(hq_store[0], hq_store[1], int(time.time()), "HEAD", path, b"")
    assert requests.head(hq_url + path, headers=headers, timeout=10).status_code == 404  # signed: unknown file
    assert requests.put(hq_url + path, headers=headers, timeout=10).status_code == 401
    moved = f"/api/v1/stores/{hq_store[0]}/photos/{other}"
    assert requests.head(hq_url + moved, headers=headers, timeout=10).status_code == 401


def test_hostile_requests_on_the_channel_are_refused_in_words(hq_url, hq_store):
    client = HQClient(hq_url, *hq_store)
    tradein, data = _tradein(TRADEIN.mint(), "490154203237518", "iPhone 13"), noise(5)
    send(client, (protocol.TRADEIN_ACCEPTED, tradein), (protocol.PHOTO_TAKEN, photo_record(tradein["uuid"], data)))
    sha = hashlib.sha256(data).hexdigest()
    for name in (sha.upper(), sha + "0", "..%2F..%2Fhq.db", "0" * 64):
        with pytest.raises(HQRefused) as refused:
            client.photo("PUT", name, b"x", {"Content-Range": "bytes 0-0/1"})
        assert refused.value.status == 404
    for content_range in ("", "bytes 99999999999-1/2", "bytes -1-5/10", "bytes 0-0/0", "bytes 5-4/10",
                          f"bytes 0-0/{len(data) + 1}", "bytes 0-1/" + "9" * 12):
        with pytest.raises(HQRefused) as refused:
            client.photo("PUT", sha, b"x", {"Content-Range": content_range})
        assert refused.value.status == 422 and str(refused.value)
    with pytest.raises(HQRefused) as past_the_end:
        client.photo("PUT", sha, b"xy", {"Content-Range": f"bytes {len(data) - 1}-{len(data)}/{len(data)}"})
    assert past_the_end.value.status == 422
    assert held_by_hq(client, sha) == (0, False)  # none of it was written
