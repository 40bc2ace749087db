"""Issue 29, area D: the police register's key and forks, and the data-retention duties. One test per finding, through
the real CLI (`flask --app kiosk register verify`, `privacy erase`, `sync push`), signed pushes to a real HQ, HQ's own
process and the terminal's own background loop."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hq import create_app as create_hq_app
from kiosk.compliance import register
from kiosk.store.db import fetch_one
from sync import pusher
from sync.client import batch_body
from testing.processes import hq_process
from testing.samples import BANK_SELLER
from tests.conftest import KioskClient, make_app, model_id, run_to_quote
from tests.test_compliance import flask_cli
from tests.test_hq_receiving import HQStaff
from tests.test_sync import client_of, kiosk_for, take_trade_ins


def _rewrite_entry_2_with_the_key(db, cipher) -> None:
    """The attack: triggers dropped, entry 2's price changed, the chain recomputed with the register's key."""
    db.execute("DROP TRIGGER IF EXISTS police_register_append_only")
    prev = register.GENESIS
    for (seq,) in db.execute("SELECT seq FROM police_register ORDER BY seq").fetchall():
        row = fetch_one(db, "SELECT * FROM police_register WHERE seq = ?", [seq])
        row["price_minor"] = 1 if seq == 2 else row["price_minor"]
        digest = register.entry_hash(prev, register._content(row, json.loads(cipher.decrypt(row["identity"]))), cipher)
        db.execute("UPDATE police_register SET price_minor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   [row["price_minor"], prev, digest, seq])
        prev = digest
    db.conn.commit()


def test_medium_4_a_re_chained_register_pushed_with_the_same_seq_is_a_refused_fork_and_a_young_purge_mark_a_tamper(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    kiosk = kiosk_for(tmp_path, hq_url, hq_store)
    config = kiosk.config
    # The register's key is not beside the database by default.
    assert Path(config.get("REGISTER_KEY_FILE", config["DATA_KEYS_FILE"])).parent != Path(config["DATABASE"]).parent
    take_trade_ins(kiosk, 3)
    db, cipher = db_of(kiosk), kiosk.extensions["kiosk.cipher"]
    pusher.drain(db, client_of(kiosk), 100, anchor=register.head)
    anchored = register.head(db)
    _rewrite_entry_2_with_the_key(db, cipher)
    forked = register.head(db)
    assert forked["seq"] == anchored["seq"] and forked["hash"] != anchored["hash"]
    ack = client_of(kiosk).post_batch(batch_body(uuid.uuid4().hex, [], None, forked))
    assert ack["register"]["refused"] and ack["register"]["code"] == "register_fork", ack
    assert client_of(kiosk).register_anchor()["hash"] == anchored["hash"]  # HQ keeps the head it anchored
    verify = flask_cli(kiosk, "register", "verify", sync=True)
    assert verify.returncode == 1 and "differs from the chain head anchored outside the terminal" in verify.stderr
    page = HQStaff(hq_app, "Inès Moreau", "supervisor").get("/hq/stores").get_data(as_text=True)
    assert "Police register forks" in page and forked["hash"][:16] in page and anchored["hash"][:16] in page

    # Without the key: entries 1 and 2 of today deleted and a purge mark put in their place.
    fresh = make_app(tmp_path / "no-key")
    take_trade_ins(fresh, 3)
    fresh_db = db_of(fresh)
    second = fetch_one(fresh_db, "SELECT seq, hash FROM police_register WHERE seq = 2")
    fresh_db.execute("DROP TRIGGER police_register_kept_ten_years")
    fresh_db.execute("DELETE FROM police_register WHERE seq <= 2")
    fresh_db.execute("INSERT INTO register_marks (seq, kind, hash, at) VALUES (2, 'purged_through', ?, ?)",
                     [second["hash"], datetime.now(UTC).isoformat(timespec="seconds")])
    fresh_db.conn.commit()
    after = flask_cli(fresh, "register", "verify")
    assert after.returncode == 1 and "REGISTER TAMPERED" in after.stderr, after.stdout
    assert "10 years" in after.stderr and "purge" in after.stderr


def _hq_rows(data_dir: Path, sql: str, params: list) -> list[tuple]:
    storage = create_hq_app({"DATA_DIR": str(data_dir), "LANGUAGE": "en"}).extensions["hq.storage"]
    with storage.read() as tx:
        return tx.rows(sql, params)


def _hq_run(data_dir: Path, sql: str, params: list) -> None:
    storage = create_hq_app({"DATA_DIR": str(data_dir), "LANGUAGE": "en"}).extensions["hq.storage"]
    with storage.transaction() as tx:
        tx.run(sql, params)


def _wait_for(check, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_audit_17_an_erased_seller_leaves_no_sealed_iban_at_hq_and_the_retention_purge_runs_daily_on_its_own(
        tmp_path, db_of):
    hq_dir = tmp_path / "hq"
    store_id, secret = create_hq_app({"DATA_DIR": str(hq_dir), "LANGUAGE": "en"}).extensions[
        "hq.storage"].add_store("Télé Shop Lyon")
    other_seller = {**BANK_SELLER, "id_doc_number": "Y7QKZ21M8", "surname": "Martin"}
    account_of = "SELECT account, iban_last4, status FROM hq_payouts WHERE tradein_uuid = %s"
    with hq_process(hq_dir) as (base, _process):
        kiosk = make_app(tmp_path / "kiosk", SYNC_URL=base, SYNC_STORE_ID=store_id, SYNC_SECRET=secret)
        staff = KioskClient(kiosk.test_client())
        staff.login(kiosk)
        erased, kept = (run_to_quote(staff, imei=imei, device_id=model_id(kiosk)) for imei in
                        ("490154203237518", "352099001761481"))
        assert staff.post(f"/tradeins/{erased}/seller", BANK_SELLER).status_code == 303
        assert staff.post(f"/tradeins/{kept}/seller", other_seller).status_code == 303
        assert flask_cli(kiosk, "sync", "push", sync=True).returncode == 0
        assert _hq_rows(hq_dir, account_of, [erased])[0][0]  # HQ holds the sealed account to pay it
        out = flask_cli(kiosk, "privacy", "erase", "--doc-type", "national_id", "--doc-number", "X4RTBPFW4")
        assert out.returncode == 0, out.stderr
        assert flask_cli(kiosk, "sync", "push", sync=True).returncode == 0
    account, last4, status = _hq_rows(hq_dir, account_of, [erased])[0]
    assert account == "" and last4 == "" and status == "returned"  # never exported: nothing left to pay with
    payloads = _hq_rows(hq_dir, "SELECT payload FROM hq_records WHERE kind = 'payout.requested'", [])
    assert sum("account_sealed" in p for (p,) in payloads) == 1  # only the other seller's request keeps one
    assert _hq_rows(hq_dir, account_of, [kept])[0][0]

    # Seven years on, with no activity: HQ's own process purges at start and every day after, unasked.
    old = (datetime.now(UTC) - timedelta(days=7 * 365)).isoformat(timespec="milliseconds")
    _hq_run(hq_dir, "UPDATE hq_payouts SET requested_at = %s, updated_at = %s", [old, old])
    _hq_run(hq_dir, "UPDATE hq_records SET received_at = %s", [old])
    with hq_process(hq_dir) as (_base, _process):
        assert _wait_for(lambda: _hq_rows(hq_dir, account_of, [kept])[0][0] == ""), "HQ did not purge on its own"
    assert not any("account_sealed" in p for (p,) in _hq_rows(
        hq_dir, "SELECT payload FROM hq_records WHERE kind = 'payout.requested'", []))

    # And the terminal: its own background loop purges, with no HQ link at all.
    db = db_of(kiosk)
    db.execute("UPDATE tradeins SET accepted_at = ?, updated_at = ? WHERE uuid = ?", [old, old, kept])
    db.conn.commit()
    from kiosk.launcher import start_background_sync

    offline = make_app(tmp_path / "kiosk", SYNC_URL="", SYNC_STORE_ID="", SYNC_SECRET="")
    offline.config.update(SYNC_URL="", SYNC_SECRET="")
    loop = start_background_sync(offline)
    try:
        assert _wait_for(lambda: db.execute("SELECT seller_identity FROM tradeins WHERE uuid = ?",
                                            [kept]).fetchone()[0] is None), "the terminal did not purge on its own"
    finally:
        loop.stop.set()
    assert db.execute("SELECT count(*) FROM tradeins WHERE seller_identity IS NOT NULL OR payout_account IS NOT NULL"
                      ).fetchone()[0] == 0
