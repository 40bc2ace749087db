"""A terminal rebuilt from HQ continues the till's fiscal chain (issue 35, item 2), over real HTTP on both HQ
backends: the old terminal sells, syncs (HQ anchors its fiscal head and keeps that record) and dies. The new
terminal's first record is that head, its JET's restore is chained to it under its own key, its next sale continues
the numbering and the perpetual total, `fiscal verify` passes and names the link, and HQ anchors the new head as
extending the store's chain (no fork). A restore page whose till head is not the one HQ anchored is refused, nothing
kept; an HQ that sends the head's digest only (as before it kept the record) gets a chain of the terminal's own."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask, Response, request

from core import fiscal
from core.restore import RestoreRefused, checked_summary
from hq.services import enrolment, register_anchors
from kiosk import create_app
from kiosk.hq_link import push
from kiosk.till import fiscal_chain, reports
from sync import pusher
from sync.localdb import get_mark
from testing.factories import actor_of
from tests.browser import live_server
from tests.test_golive import (
    add_store_by_cli,
    client_of,
    enrol_by_cli,
    first_manager,
    fresh_terminal,
    publish_demo_kinds,
)
from tests.test_restore import _sell

Forgery = Callable[[dict], None]  # changes the summary HQ sent, in place


def _old_terminal_dies(tmp_path: Path, hq_url: str, code: str, db_of) -> dict:
    """The old terminal signs in and sells 3 times, syncs, and its folder goes: its last record, as it was."""
    _, old = enrol_by_cli(fresh_terminal(tmp_path / "old" / "terminal"), hq_url, code)
    first_manager(old)
    db = db_of(old)
    _sell(db, 3)
    with old.app_context():
        push(db, client_of(old), 500)
    head = fiscal_chain.last(db)
    db.close()
    shutil.rmtree(tmp_path / "old")
    return head


def _restore(app: Flask, hq_url: str, storage, store_id: str):
    code = enrolment.issue_code(storage, store_id, 24)
    return app.test_cli_runner().invoke(args=["enrol", "--hq", hq_url, "--code", code, "--restore"])


@contextmanager
def _forging_hq(hq_url: str, forge: Forgery) -> Iterator[str]:
    """A server in front of HQ passing every request through, the restore summary changed by `forge` on its way."""
    proxy = Flask("forging_hq")

    @proxy.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def relay(path: str) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.request(
            request.method,
            f"{hq_url}/{path}",
            params=request.args,
            data=request.get_data(),
            headers=headers,
            timeout=30,
        )
        body = answer.content
        if path.endswith("/restore/summary") and answer.ok:
            summary = answer.json()
            forge(summary)
            body = json.dumps(summary).encode()
        passed = {k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "date")}
        return Response(body, status=answer.status_code, headers=passed)

    with live_server(proxy) as base:
        yield base


def test_a_rebuilt_terminal_continues_the_fiscal_chain(tmp_path, hq_app, hq_url, db_of):
    publish_demo_kinds(hq_app, "catalog", "grid", "products")
    store_id, code = add_store_by_cli(hq_app)
    old_head = _old_terminal_dies(tmp_path, hq_url, code, db_of)
    storage = hq_app.extensions["hq.storage"]
    assert fiscal_chain.anchored_heads(register_anchors.fiscal_anchor(storage, store_id))[
        old_head["seq"]
    ] == fiscal.signature_digest(old_head["signature"])

    new = fresh_terminal(tmp_path / "new" / "terminal")
    result = _restore(new, hq_url, storage, store_id)
    assert result.exit_code == 0, result.output
    seq = old_head["seq"]
    assert f"till: the fiscal chain continues the store's: record {seq}, terminal {old_head['terminal_id']}'s" in (
        result.output
    )
    assert f"record {seq + 1}, the JET's restore (E-1), is chained to it" in result.output
    new = create_app({"DATA_DIR": new.config["DATA_DIR"], "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
    db = db_of(new)
    first, restore = fiscal_chain.records(db)
    assert {k: first[k] for k in (*fiscal.SIGNED_FIELDS, "signature")} == {
        k: old_head[k] for k in (*fiscal.SIGNED_FIELDS, "signature")
    }
    assert first["doc_uuid"] == old_head["doc_uuid"]  # the last sale, restored from HQ, is its ticket
    assert (restore["seq"], restore["kind"], restore["prev_signature"]) == (seq + 1, "jet", old_head["signature"])
    assert restore["terminal_id"] != old_head["terminal_id"]  # signed under the new terminal's own key
    detail = json.loads(db.execute("SELECT detail FROM fiscal_events WHERE code = 'restore'").fetchone()[0])
    assert (detail["fiscal_from"], detail["fiscal_hash"]) == (seq, fiscal.signature_digest(old_head["signature"]))
    assert detail["fiscal_terminal"] == old_head["terminal_id"] and detail["fiscal_at"]

    first_manager(new)  # a sign-in, then a sale: the numbering and the perpetual total go on
    # Terminals write times to the second; the dead terminal's sales were minutes or days before, not this second
    time.sleep(1.01 - time.time() % 1)
    _sell(db, 1)
    sale = fiscal_chain.last(db, fiscal.TICKET_KINDS)
    assert sale["seq"] > seq + 1 and sale["perpetual_minor"] == old_head["perpetual_minor"] + sale["total_minor"]
    verified = new.test_cli_runner().invoke(args=["fiscal", "verify"])
    assert verified.exit_code == 0, verified.output
    assert f"continues terminal {old_head['terminal_id']}'s chain from its record {seq}, the head HQ anchored" in (
        verified.output
    )
    with new.app_context():
        push(db, client_of(new), 500)
    assert pusher.fiscal_anchored_seq(db) == fiscal_chain.last(db)["seq"]
    assert register_anchors.fiscal_anchor(storage, store_id)["seq"] == fiscal_chain.last(db)["seq"]
    assert register_anchors.all_forks(storage, "fiscal") == []  # continues the store's chain, no fork
    assert get_mark(db, "fiscal_refused") == ""
    verified = new.test_cli_runner().invoke(args=["fiscal", "verify"])  # against HQ's heads, old and new
    assert verified.exit_code == 0 and f"compared with HQ's anchor (record {sale['seq']}" in verified.output, (
        verified.output
    )
    # The first Z counts this terminal's own sale only: the 3 restored sales and the restored head were the dead
    # terminal's, in its Z reports (the cash expected would otherwise ask for an explanation of a difference)
    z = reports.close_z(db, actor_of(db), sale["total_minor"])
    assert (z["data"]["sales"], z["data"]["sales_minor"]) == (1, sale["total_minor"])
    day = json.loads(db.execute("SELECT data FROM fiscal_closures WHERE level = 'day'").fetchone()[0])
    assert (day["tickets"], day["period_minor"]) == (1, sale["total_minor"])


def _swap_signature(summary: dict) -> None:
    """Another record's signature in the head: it is not the head HQ anchored."""
    summary["fiscal"]["record"]["signature"] = summary["fiscal"]["record"]["prev_signature"]


def _rewrite_head(summary: dict) -> None:
    """The head's perpetual total changed and the anchored digest with it: its signature no longer verifies."""
    summary["fiscal"]["record"]["perpetual_minor"] += 100


def test_a_forged_till_head_is_refused_and_an_old_hq_gets_a_new_chain(tmp_path, hq_app, hq_url, db_of):
    publish_demo_kinds(hq_app, "catalog", "grid", "products")
    store_id, code = add_store_by_cli(hq_app)
    old_head = _old_terminal_dies(tmp_path, hq_url, code, db_of)
    storage = hq_app.extensions["hq.storage"]
    refusals = {
        _swap_signature: f"is not the head HQ anchored at record {old_head['seq']}",
        _rewrite_head: f"does not verify with terminal {old_head['terminal_id']}'s public key",
    }
    for forge, said in refusals.items():
        with _forging_hq(hq_url, forge) as forged_url:
            folder = tmp_path / forge.__name__ / "terminal"
            result = _restore(fresh_terminal(folder), forged_url, storage, store_id)
        assert result.exit_code != 0 and "the restore failed" in result.output and said in result.output
        app = create_app({"DATA_DIR": str(folder), "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
        kept = db_of(app)
        assert [kept.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("fiscal_records", "sales")] == [0, 0]

    def old_hq(summary: dict) -> None:  # an HQ from before it kept the head's record
        for key in ("record", "public_key"):
            summary["fiscal"].pop(key)

    with _forging_hq(hq_url, old_hq) as old_url:
        result = _restore(fresh_terminal(tmp_path / "old_hq" / "terminal"), old_url, storage, store_id)
    assert result.exit_code == 0, result.output
    assert "HQ sent that record's signature digest only" in result.output
    assert f"HQ will take its head as a fork of the store's chain once it reaches record {old_head['seq']}" in (
        result.output
    )
    app = create_app({"DATA_DIR": str(tmp_path / "old_hq" / "terminal"), "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
    db = db_of(app)
    assert [(r["seq"], r["prev_signature"]) for r in fiscal_chain.records(db)] == [(1, fiscal.GENESIS)]
    assert fiscal_chain.restored_from(db) is None and fiscal_chain.verify(db) == []


def test_hq_leaves_out_a_head_record_that_is_not_its_anchor(tmp_path, hq_app, hq_url, db_of):
    """HQ checks the record it keeps with the terminal's own function before serving it: one changed in its
    database is left out (logged), and the restore goes on with the digest only."""
    publish_demo_kinds(hq_app, "catalog", "grid", "products")
    store_id, code = add_store_by_cli(hq_app)
    old_head = _old_terminal_dies(tmp_path, hq_url, code, db_of)
    storage = hq_app.extensions["hq.storage"]
    with storage.transaction() as tx:
        kept = json.loads(tx.rows("SELECT record FROM hq_fiscal_heads WHERE store_id = %s", [store_id])[0][0])
        assert kept["seq"] == old_head["seq"] and kept["signature"] == old_head["signature"]
        tx.run(
            "UPDATE hq_fiscal_heads SET record = %s WHERE store_id = %s",
            [json.dumps({**kept, "total_minor": kept["total_minor"] + 1}), store_id],
        )
    result = _restore(fresh_terminal(tmp_path / "new" / "terminal"), hq_url, storage, store_id)
    assert result.exit_code == 0 and "HQ sent that record's signature digest only" in result.output, result.output


def _signed_head(seq: int = 7) -> tuple[dict, str, dict]:
    """A record signed as a terminal signs it, the summary's head anchoring it, and its terminal's public key."""
    private = fiscal.new_private_key_pem()
    record = {
        "seq": seq,
        "kind": "sale",
        "number": "T-7",
        "at": "2026-03-01T10:00:00+00:00",
        "totals": "{}",
        "total_minor": 500,
        "perpetual_minor": 9500,
        "terminal_id": "old-till",
        "software_version": "1.0",
        "prev_signature": "c2ln",
    }
    record["signature"] = fiscal.sign(private, record)
    head = {"seq": seq, "hash": fiscal.signature_digest(record["signature"]), "at": "2026-03-01T10:00:05+00:00"}
    return record, fiscal.public_key_pem(private), head


def test_the_summary_check_refuses_each_kind_of_wrong_till_head():
    record, key, head = _signed_head()
    summary = {"terminals": [], "fiscal": {**head, "record": record, "public_key": key}}
    assert checked_summary(summary)["fiscal"]["record"] == record
    assert checked_summary({"terminals": [], "fiscal": head})["fiscal"]["record"] is None  # an older HQ
    wrong = {
        "not a fiscal record": [
            {"record": "x"},
            {"record": {**record, "kind": "void"}},
            {"record": {**record, "at": "2026-13-45T99:00:00"}},
            {"record": {k: v for k, v in record.items() if k != "totals"}},
        ],
        "is not the head HQ anchored at record 7": [{"record": {**record, "seq": 8}}, {"hash": "0" * 64}],
        "does not verify with terminal old-till's public key": [
            {"public_key": None},
            {"public_key": "x" * 2000},
            {"public_key": _signed_head()[1]},
            {"record": {**record, "number": "T-8"}},
        ],
    }
    for said, changes in wrong.items():
        for change in changes:
            with pytest.raises(RestoreRefused, match=said):
                checked_summary({"terminals": [], "fiscal": {**summary["fiscal"], **change}})
