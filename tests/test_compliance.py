"""Police register (append-only, hash-chained, verified, exported) and the sellers' data rights."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core import police_register
from kiosk.compliance import privacy, register
from kiosk.store.db import write_transaction
from testing.factories import accepted_tradeins, quoted_tradeins
from testing.samples import ADULT_SELLER
from tests.conftest import KioskClient, make_app, model_id, run_to_quote

ROOT = Path(__file__).parent.parent
FLASK = Path(sys.executable).parent / "flask"


def flask_cli(app, *args, sync: bool = False) -> subprocess.CompletedProcess:
    """`flask --app kiosk ARGS` on this app's data folder (and, with `sync`, its HQ settings)."""
    env = {"KIOSK_DATA_DIR": app.config["DATA_DIR"], "PATH": "/usr/bin:/bin"}
    if sync:
        env.update({f"KIOSK_{name}": app.config[name] for name in ("SYNC_URL", "SYNC_STORE_ID", "SYNC_SECRET")})
    return subprocess.run([str(FLASK), "--app", "kiosk", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture
def registered(tmp_path):
    """A kiosk with three accepted trade-ins (so three register entries), through the real routes."""
    app = make_app(tmp_path / "kiosk")
    staff = KioskClient(app.test_client())
    staff.login(app)
    for imei in ("490154203237518", "352099001761481", "356938035643809"):
        uuid = run_to_quote(staff, imei=imei, device_id=model_id(app), storage_gb=128)
        assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    return app


def test_register_has_every_legal_field_gap_free_and_verifies(registered, db_of):
    db = db_of(registered)
    cipher = registered.extensions["kiosk.cipher"]
    assert [r[0] for r in db.execute("SELECT seq FROM police_register ORDER BY seq")] == [1, 2, 3]
    assert register.verify(db, cipher) == []
    out = flask_cli(registered, "register", "verify")
    assert out.returncode == 0 and "register intact: 3 entries" in out.stdout
    today = datetime.now(UTC).date().isoformat()
    exported = flask_cli(registered, "register", "export", "--from", today, "--to", today).stdout
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == police_register.headings("fr_FR") and len(rows) == 4  # the store's language, French
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Nom"] == "Dupont" and first["IMEI / numéro de série"] == "490154203237518"
    assert first["Numéro de la pièce"] == "X4RTBPFW4" and first["Autorité de délivrance"] == "Préfecture de Paris"
    assert first["Nature de la pièce d'identité"] == "Carte nationale d'identité"
    assert first["Mode de paiement"] == "Avoir magasin (bon d'achat)"
    html = flask_cli(registered, "register", "export", "--from", today, "--to", today, "--format", "html").stdout
    assert "Registre de police" in html and html.count("<tr>") == 4


def test_the_database_refuses_update_and_delete(registered, db_of):
    db = db_of(registered)
    for statement in ("UPDATE police_register SET price_minor = 1 WHERE seq = 2",
                      "DELETE FROM police_register WHERE seq = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only|kept 10 years"), write_transaction(db):
            db.execute(statement)


@pytest.mark.parametrize("tamper", [
    "UPDATE police_register SET price_minor = price_minor - 100 WHERE seq = 2",
    "DELETE FROM police_register WHERE seq = 2",
    "UPDATE police_register SET identifier = '111111111111111' WHERE seq = 1",
])
def test_register_verify_detects_direct_edits_of_the_file(registered, tamper):
    # Someone with the file and the sqlite3 shell: drops the guards, edits, puts them back.
    conn = sqlite3.connect(registered.config["DATABASE"])
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'police_register'").fetchall()
    conn.execute("DROP TRIGGER police_register_append_only")
    conn.execute("DROP TRIGGER police_register_kept_ten_years")
    conn.execute(tamper)
    for (sql,) in triggers:
        conn.execute(sql)
    conn.commit()
    conn.close()
    out = flask_cli(registered, "register", "verify")
    assert out.returncode == 1 and "REGISTER TAMPERED" in out.stderr


def test_gdpr_export_rectify_erase(registered, db_of):
    db = db_of(registered)
    cipher = registered.extensions["kiosk.cipher"]
    ref = privacy.reference_for(cipher, "national_id", "x4rtbpfw4 ")
    exported = json.loads(flask_cli(registered, "privacy", "export", "--doc-type", "national_id",
                                    "--doc-number", "X4RTBPFW4").stdout)
    assert len(exported["trade_ins"]) == 3 and exported["trade_ins"][0]["seller"]["surname"] == "Dupont"
    assert exported["police_register"][0]["identity"]["id_doc_number"] == "X4RTBPFW4"
    assert privacy.rectify(db, cipher, ref, "address", "5 rue Neuve, 69001 Lyon") == 3
    assert privacy.export(db, cipher, ref)["trade_ins"][0]["seller"]["address"] == "5 rue Neuve, 69001 Lyon"
    out = flask_cli(registered, "privacy", "erase", "--doc-type", "national_id", "--doc-number", "X4RTBPFW4")
    assert out.returncode == 0 and "erased the identity on 3" in out.stdout
    remaining = db.execute("SELECT seller_identity, seller_ref, total_minor FROM tradeins").fetchall()
    assert all(r[:2] == (None, None) and r[2] > 0 for r in remaining)  # business data stays
    assert db.execute("SELECT count(*) FROM police_register").fetchone()[0] == 3  # the legal copy stays
    assert register.verify(db, cipher) == []
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE 'gdpr_%' ORDER BY id")]
    assert actions == ["gdpr_export", "gdpr_rectify", "gdpr_export", "gdpr_erase"]
    # the receipt of an erased trade-in still renders, without the name
    staff = KioskClient(registered.test_client())
    staff.login(registered)
    uuid = db.execute("SELECT uuid FROM tradeins LIMIT 1").fetchone()[0]
    page = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    assert "(erased)" in page and "Dupont" not in page


def test_retention_purge_keeps_what_the_law_asks_and_no_more(tmp_path, db_of):
    app = make_app(tmp_path / "kiosk")
    db = db_of(app)
    cipher = app.extensions["kiosk.cipher"]
    accepted_tradeins(db, 2, cipher=cipher)
    now = datetime.now(UTC)
    assert privacy.purge(db, now) == {"redacted_trade_ins": 0, "register_entries_removed": 0}
    in_4_years = privacy.purge(db, now + timedelta(days=4 * 365))  # 3 years of no activity, but the orders
    assert in_4_years == {"redacted_trade_ins": 0, "register_entries_removed": 0}  # are kept 6 years
    assert db.execute("SELECT count(*) FROM tradeins WHERE seller_identity IS NOT NULL").fetchone()[0] == 2
    in_7_years = privacy.purge(db, now + timedelta(days=7 * 365))
    assert in_7_years == {"redacted_trade_ins": 2, "register_entries_removed": 0}
    assert db.execute("SELECT count(*) FROM tradeins WHERE seller_identity IS NOT NULL").fetchone()[0] == 0
    # An entry from 11 years ago goes; the database itself refuses to let younger ones go, whatever date
    # the purge is told it is.
    old = (now - timedelta(days=11 * 365)).isoformat(timespec="seconds")
    [other] = quoted_tradeins(db, 1, first=50)
    with write_transaction(db):
        db.execute("INSERT INTO police_register VALUES (100, ?, ?, 'old phone', '1', 'purchase', 'x', 1, 'EUR', "
                   "'store_credit', 'x', 'x', 'x')", [old, other])
    assert privacy.purge(db, now)["register_entries_removed"] == 1
    assert db.execute("SELECT count(*) FROM police_register").fetchone()[0] == 2
    with pytest.raises(sqlite3.IntegrityError, match="kept 10 years"):
        privacy.purge(db, now + timedelta(days=11 * 365))


def test_key_rotation_re_encrypts_and_keeps_the_register_valid(registered, db_of):
    db = db_of(registered)
    before = db.execute("SELECT seller_identity FROM tradeins LIMIT 1").fetchone()[0]
    out = flask_cli(registered, "privacy", "rotate-key")
    assert out.returncode == 0 and "register intact" in out.stdout, out.stderr
    keys = (Path(registered.config["DATA_DIR"]) / "data_keys").read_text().split()
    assert len(keys) == 2
    after = db.execute("SELECT seller_identity FROM tradeins LIMIT 1").fetchone()[0]
    assert after != before
    from kiosk.compliance.crypto import DataCipher

    newest_only = DataCipher(keys[:1])
    assert json.loads(newest_only.decrypt(after))["surname"] == "Dupont"  # readable with the new key alone
    assert flask_cli(registered, "register", "verify").returncode == 0
