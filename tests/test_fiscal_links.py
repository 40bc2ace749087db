"""The fiscal chain's links checked at HQ (core.fiscal_links, hq.services.fiscal_links): HQ moves a terminal's
anchor only along records whose Ed25519 signatures verify under the key it keeps and that chain from the head it
anchored. A store that rewrites its past and re-signs it with its own key, then pushes a HIGHER head, is refused
as a fork and shown to HQ's supervisors. Through the till's routes and a real HQ over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

from core import fiscal
from core.fiscal_links import MAX_LINKS_PER_BATCH
from hq.services import register_anchors
from kiosk.hq_link import push
from kiosk.till import fiscal_chain, journal
from sync import pusher
from sync.client import batch_body
from sync.localdb import set_mark, write_transaction
from tests.conftest import KioskClient
from tests.test_fiscal import drop_triggers, sell
from tests.test_hq_receiving import HQStaff
from tests.test_pos import BOOK, CASE, CHARGER
from tests.test_sync import client_of, kiosk_for


def _till(tmp_path, hq_url, hq_store, db_of) -> tuple:
    app = kiosk_for(tmp_path, hq_url, hq_store)
    staff = KioskClient(app.test_client())
    staff.login(app)
    return app, staff, db_of(app)


def _terminal(db) -> str:
    return db.execute("SELECT terminal_id FROM fiscal_keys").fetchone()[0]


def _anchored_seqs(hq_app, store_id: str) -> list[int]:
    found = register_anchors.fiscal_anchor(hq_app.extensions["hq.storage"], store_id)
    return [head["seq"] for head in found["history"]]


def _offer(app, fiscal_head: dict) -> dict:
    """A batch carrying only a fiscal head and its links, as a store's terminal (or a hostile store) sends it."""
    return client_of(app).post_batch(batch_body(uuid.uuid4().hex, [], None, {"fiscal_head": fiscal_head}))


def _fiscal_forks(hq_app) -> list[dict]:
    return register_anchors.all_forks(hq_app.extensions["hq.storage"], "fiscal")


def test_an_honest_chain_pushed_in_several_batches_is_anchored_link_by_link(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    app, staff, db = _till(tmp_path, hq_url, hq_store, db_of)
    for code in (CASE, CHARGER, BOOK):
        sell(staff, db, code)
        push(db, client_of(app), 2)  # small batches: each carries the links after HQ's anchor
        head = fiscal_chain.head(db)
        anchored = client_of(app).fiscal_anchor()
        assert (anchored["seq"], anchored["hash"]) == (head["seq"], head["hash"])
        assert pusher.fiscal_anchored_seq(db) == head["seq"]  # the terminal learnt HQ's anchor from the ack
    terminal = _terminal(db)
    for _ in range(MAX_LINKS_PER_BATCH + 20):  # a long backlog: more records than one batch carries
        journal.record_now(db, "printer_fault", terminal)
    before = pusher.fiscal_anchored_seq(db)
    sell(staff, db, CASE)
    sell(staff, db, CHARGER)
    push(db, client_of(app), 1)  # several batches: the first carries MAX links, the next ones the rest
    seqs = _anchored_seqs(hq_app, hq_store[0])
    assert before + MAX_LINKS_PER_BATCH in seqs  # the head stopped at the last link the first batch carried
    assert seqs[-1] == fiscal_chain.head(db)["seq"] and not _fiscal_forks(hq_app)
    assert pusher.status(db)["fiscal_refused"] is None
    with write_transaction(db):  # a terminal that lost what HQ anchored (its database restored): links from the start
        set_mark(db, pusher.FISCAL_ANCHORED, "")
    sell(staff, db, BOOK)
    sell(staff, db, CASE)  # two batches: the first's links end before HQ's anchor (no verdict, the ack tells it)
    push(db, client_of(app), 1)
    assert client_of(app).fiscal_anchor()["seq"] == fiscal_chain.head(db)["seq"] and not _fiscal_forks(hq_app)


def _rewrite_and_resign_with_the_same_key(db, key_folder: Path) -> int:
    """What a store that wants to lower a past sale would do with its own key: drop the triggers, change the first
    sale's record, re-sign every record from the first. Returns the record's number."""
    drop_triggers(db, "fiscal_records")
    private = (key_folder / f"fiscal-{_terminal(db)}.pem").read_text()  # the SAME key: every signature verifies
    first_sale = db.execute("SELECT seq FROM fiscal_records WHERE kind = 'sale' ORDER BY seq").fetchone()[0]
    db.execute("UPDATE fiscal_records SET total_minor = total_minor - 100 WHERE seq = ?", [first_sale])
    db.execute("UPDATE fiscal_records SET perpetual_minor = perpetual_minor - 100 WHERE seq >= ?", [first_sale])
    names = [d[0] for d in db.execute("SELECT * FROM fiscal_records").description]
    prev = fiscal.GENESIS
    for row in db.execute("SELECT * FROM fiscal_records ORDER BY seq").fetchall():
        record = {**dict(zip(names, row, strict=True)), "prev_signature": prev}
        prev = fiscal.sign(private, record)
        db.execute("UPDATE fiscal_records SET prev_signature = ?, signature = ? WHERE seq = ?",
                   [record["prev_signature"], prev, record["seq"]])
    db.conn.commit()
    return first_sale


def test_a_past_rewritten_and_re_signed_with_the_same_key_then_a_higher_head_is_a_refused_fork(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    app, staff, db = _till(tmp_path, hq_url, hq_store, db_of)
    sell(staff, db, CASE)
    sell(staff, db, CHARGER)
    push(db, client_of(app), 100)
    anchored = client_of(app).fiscal_anchor()
    _rewrite_and_resign_with_the_same_key(db, Path(app.config["REGISTER_KEY_FILE"]).parent)
    assert fiscal.chain_problems(fiscal_chain.records(db), fiscal_chain.public_keys(db), {}) == []  # looks whole
    sell(staff, db, BOOK)  # a new sale: the head is now HIGHER than HQ's
    push(db, client_of(app), 100)
    head = fiscal_chain.head(db)
    assert head["seq"] > anchored["seq"]
    assert client_of(app).fiscal_anchor()["hash"] == anchored["hash"]  # HQ's anchor did not move
    assert "does not extend the head HQ anchored" in pusher.status(db)["fiscal_refused"]
    assert [(f["seq"], f["anchored_seq"]) for f in _fiscal_forks(hq_app)] == [(head["seq"], anchored["seq"])]
    page = HQStaff(hq_app, "Inès Moreau", "supervisor").get("/hq/stores").get_data(as_text=True)
    assert "Till fiscal chain forks" in page and head["hash"][:16] in page  # shown to HQ's supervisors
    # The terminal "forgetting" HQ's anchor and sending the whole re-signed chain from record 1: refused too.
    ack = _offer(app, fiscal_chain.head_for_hq(db, None))
    assert ack["fiscal"]["code"] == "fiscal_fork" and ack["fiscal_anchor"]["seq"] == anchored["seq"]
    assert client_of(app).fiscal_anchor()["hash"] == anchored["hash"]


def _variants(offer: dict) -> dict[str, dict]:
    """The honest offer of three links, spoiled the ways a hostile store (or a broken terminal) could."""
    links = offer["links"]
    forged = {**links[1], "total_minor": links[1]["total_minor"] + 100}
    return {"no links": {**offer, "links": []}, "middle link missing": {**offer, "links": [links[0], links[2]]},
            "first link missing": {**offer, "links": links[1:]},
            "reordered": {**offer, "links": [links[1], links[0], links[2]]},
            "a link changed": {**offer, "links": [links[0], forged, links[2]]},
            "a link that is not a record": {**offer, "links": [links[0], {"seq": links[1]["seq"]}, links[2]]}}


def test_links_missing_reordered_or_changed_are_refused_and_the_honest_ones_then_taken(
        tmp_path, hq_app, hq_url, hq_store, db_of):
    app, staff, db = _till(tmp_path, hq_url, hq_store, db_of)
    sell(staff, db, CASE)
    push(db, client_of(app), 100)
    anchored = client_of(app).fiscal_anchor()
    for code in (CHARGER, BOOK, CASE):
        sell(staff, db, code)
    offer = fiscal_chain.head_for_hq(db, anchored["seq"])
    assert [link["seq"] for link in offer["links"]] == list(range(anchored["seq"] + 1, offer["seq"] + 1))
    assert len(offer["links"]) >= 3
    offer = {**offer, "links": offer["links"][:3], "seq": offer["links"][2]["seq"],
             "hash": fiscal.signature_digest(offer["links"][2]["signature"])}
    for name, spoiled in _variants(offer).items():
        ack = _offer(app, spoiled)
        assert ack.get("fiscal", {}).get("code") == "fiscal_fork", name
        assert client_of(app).fiscal_anchor()["seq"] == anchored["seq"], name
    assert len(_fiscal_forks(hq_app)) >= 1
    ack = _offer(app, offer)
    assert "fiscal" not in ack and ack["fiscal_anchor"] == {"seq": offer["seq"], "hash": offer["hash"]}
