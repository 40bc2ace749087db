"""A dead terminal rebuilt from HQ (issue 35), over real HTTP on both HQ backends: the old terminal takes 200 trade-ins
(each paid by a voucher) and 30 sales, syncs, takes 3 more it never sends, tells HQ its backlog, and dies (its data
folder deleted). A new terminal enrolled with `enrol --restore` has the same shipment list, HQ's voucher balances,
the warranty period's sales, a police register that continues HQ's anchored head (`register verify` passes against
HQ's anchor, and HQ anchors its next entry without a fork), and a 0600 report naming what was lost."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import date
from pathlib import Path

from hq.services import enrolment, register_anchors
from kiosk import create_app
from kiosk.hq_link import local_facts, push
from kiosk.provisioning.restore import REPORT_FILE
from kiosk.till import sales
from kiosk.tradein.shipping import ready_to_ship
from sync import health, pusher
from testing.factories import accepted_tradeins, actor_of
from tests.test_golive import (
    add_store_by_cli,
    client_of,
    enrol_by_cli,
    first_manager,
    fresh_terminal,
    publish_demo_kinds,
)


def _sell(db, count: int) -> None:
    actor, ean = actor_of(db), db.execute("SELECT ean FROM products WHERE kind = 'accessory' LIMIT 1").fetchone()[0]
    for _ in range(count):
        sales.scan(db, actor.terminal_id, ean)
        total = sum(c.line.total_minor for c in sales.cart(db, actor.terminal_id))
        sales.checkout(db, actor, "EUR", sales.Payment(cash_given_minor=total), date.today())


def _old_terminal_dies(tmp_path: Path, hq_url: str, code: str, db_of) -> tuple[set[str], set[str]]:
    """The old terminal's life: (codes it shipped to HQ's knowledge, codes it never sent); then its folder goes."""
    _, old = enrol_by_cli(fresh_terminal(tmp_path / "old" / "terminal"), hq_url, code)
    first_manager(old)
    db = db_of(old)
    cipher = old.extensions["kiosk.cipher"]
    sent = accepted_tradeins(db, 200, cipher=cipher)
    _sell(db, 30)
    with old.app_context():
        push(db, client_of(old), 500)
        assert pusher.status(db)["pending"] == 0
        unsent = accepted_tradeins(db, 3, first=200, cipher=cipher)
        report = health.report(db, health.remaining(db, pusher.checkpoint(db)), local_facts(old))
    client_of(old).post_health(json.dumps({"health": report}).encode())  # its last word: 6 records still to send
    codes = {uuid: code for uuid, code in db.execute("SELECT uuid, code FROM tradeins").fetchall()}
    db.close()
    shutil.rmtree(tmp_path / "old")
    return {codes[u] for u in sent}, {codes[u] for u in unsent}


def test_a_dead_terminal_is_rebuilt_from_hq(tmp_path, hq_app, hq_url, db_of):
    publish_demo_kinds(hq_app, "catalog", "grid", "products")
    store_id, code = add_store_by_cli(hq_app)
    sent, unsent = _old_terminal_dies(tmp_path, hq_url, code, db_of)
    storage = hq_app.extensions["hq.storage"]
    anchored = register_anchors.anchor(storage, store_id)
    assert anchored["seq"] == 200

    new = fresh_terminal(tmp_path / "new" / "terminal")
    result = new.test_cli_runner().invoke(args=["enrol", "--hq", hq_url, "--code",
                                                enrolment.issue_code(storage, store_id, 24), "--restore"])
    assert result.exit_code == 0, result.output
    assert "restored from HQ: 200 trade-in(s) not yet received at HQ, 200 open voucher(s)" in result.output
    assert "30 sale(s)" in result.output and "continues after entry 200" in result.output
    assert "holding 6 record(s) not yet sent" in result.output  # the 3 unsent trade-ins and their vouchers
    report = Path(new.config["DATA_DIR"]) / REPORT_FILE
    assert stat.S_IMODE(report.stat().st_mode) == 0o600 and "LOST: terminal" in report.read_text()
    new = create_app({"DATA_DIR": new.config["DATA_DIR"], "PRINTER_DRIVER": "file", "LANGUAGE": "en"})
    db = db_of(new)

    assert {t["code"] for t in ready_to_ship(db, store_id)} == sent and not unsent & sent  # the same shipment list
    with storage.read() as tx:
        hq_balances = dict(tx.rows("SELECT code, balance_minor FROM hq_vouchers WHERE store_id = %s", [store_id]))
    assert dict(db.execute("SELECT code, balance_minor FROM vouchers").fetchall()) == hq_balances
    assert db.execute("SELECT count(*) FROM sales WHERE kind = 'sale'").fetchone()[0] == 30
    assert db.execute("SELECT count(*) FROM fiscal_events WHERE code = 'restore'").fetchone()[0] == 1

    verified = new.test_cli_runner().invoke(args=["register", "verify"])
    assert verified.exit_code == 0 and "compared with HQ's anchor: entry 200" in verified.output, verified.output
    first_manager(new)  # staff come back as for any enrolment; the next purchase is entry 201
    accepted_tradeins(db, 1, first=300, cipher=new.extensions["kiosk.cipher"])
    assert db.execute("SELECT seq FROM police_register").fetchall() == [(201,)]
    with new.app_context():
        push(db, client_of(new), 500)
    assert register_anchors.anchor(storage, store_id)["seq"] == 201  # extends HQ's chain: no fork
    verified = new.test_cli_runner().invoke(args=["register", "verify"])
    assert verified.exit_code == 0 and "register intact: 1 entries" in verified.output, verified.output


def test_a_restore_is_refused_on_a_terminal_that_holds_a_store(tmp_path, hq_app, hq_url):
    publish_demo_kinds(hq_app, "catalog", "grid")
    store_id, code = add_store_by_cli(hq_app)
    _, app = enrol_by_cli(fresh_terminal(tmp_path / "t"), hq_url, code)
    storage = hq_app.extensions["hq.storage"]
    again = enrolment.issue_code(storage, store_id, 24)
    result = app.test_cli_runner().invoke(args=["enrol", "--hq", hq_url, "--code", again, "--restore"])
    assert result.exit_code != 0 and "empty data folder only" in result.output
    fresh = fresh_terminal(tmp_path / "u")  # the code was not used by the refusal
    assert fresh.test_cli_runner().invoke(args=["enrol", "--hq", hq_url, "--code", again]).exit_code == 0
