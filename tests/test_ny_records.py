"""Issue 34's leftover: a store keeps the registers its jurisdiction pack lists, each for the pack's period
(core/data/jurisdictions: [registers] keep, [retention]). The New York store (added and enrolled by the README's
commands, served over real HTTP on 127.0.0.1) writes New York City's dealer record at the accept and no French police
register entry, and no register line reaches its receipt or its Z report; its retention purge keeps and purges by
New York's periods (the dealer record six years, NYC Admin. Code § 20-273(b)). A French store still writes its
register entry and prints its number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from core import clock
from core.jurisdiction import PACKS_DIR, Deadline, PackInvalid, load_pack, pack
from kiosk.launcher import daily_jobs
from kiosk.translations import catalogue
from testing.factories import imei_number
from testing.hostile import Browser, kiosk_staff, quoted_over_http
from testing.paper import paper_text
from testing.samples import ADULT_SELLER
from tests.browser import live_server
from tests.conftest import run_to_quote, staff_id
from tests.test_golive import MANAGER, MANAGER_PIN
from tests.test_jurisdictions import US_SELLER, jpeg, ny_store

SHOTS = ("front", "back", "screen", "imei_screen")  # the New York pack's required photos
NYC = pack("us-ny-nyc")


@contextmanager
def ny_over_http(tmp_path: Path, hq_app: Flask, hq_url: str) -> Iterator[tuple[Flask, Browser]]:
    """The New York store enrolled by the two commands, served on 127.0.0.1, its manager signed in over HTTP."""
    app, _ = ny_store(tmp_path, hq_app, hq_url)
    with live_server(app) as base:
        yield app, kiosk_staff(base, MANAGER, MANAGER_PIN)


def accept_over_http(staff: Browser, number: int, seller: dict) -> str:
    """A trade-in quoted, photographed and accepted through the kiosk's routes; its uuid."""
    uuid = quoted_over_http(staff, imei_number(number).number)
    for n, kind in enumerate(SHOTS):
        taken = staff.post(
            f"/tradeins/{uuid}/photos",
            {"kind": kind},
            files={"image": ("p.jpg", jpeg((n * 60, 20 + number, 9)), "image/jpeg")},
        )
        assert taken.status_code == 303, taken.text
    staff.get(f"/tradeins/{uuid}/seller")
    accepted = staff.post(f"/tradeins/{uuid}/seller", seller)
    assert accepted.status_code == 303, accepted.text
    return uuid


def printed(app: Flask, pattern: str) -> str:
    files = sorted((Path(app.config["DATA_DIR"]) / "prints").glob(pattern), key=lambda f: f.stat().st_mtime)
    return " ".join(paper_text(files[-1].read_bytes()).split())


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_new_york_accept_writes_its_dealer_record_and_no_police_register_entry_nor_register_line(
    tmp_path, hq_app, hq_url, db_of
):
    assert NYC.registers == ("dealer_record",) and pack("fr").registers == ("police_register",)
    with ny_over_http(tmp_path, hq_app, hq_url) as (ny, staff):
        db = db_of(ny)
        uuid = accept_over_http(staff, 1, US_SELLER)
        assert (count(db, "dealer_records"), count(db, "police_register")) == (1, 0)
        receipt = printed(ny, "*-receipt.escpos")
        assert "TRADE-IN RECEIPT" in receipt and "Police register" not in receipt and "register entry" not in receipt
        assert "State driver's license *****6789" in receipt  # the seller's rows stand, without a register number
        assert "Police register" not in staff.get(f"/tradeins/{uuid}").text
        assert staff.post("/staff", {"name": "Jordan Lee", "role": "manager", "pin": "735193"}).status_code == 303
        closed = staff.post(
            "/pos/reports/z",
            {
                "counted_cash": "0.00",
                "confirm": "1",
                "comment": "",
                "approver_id": staff_id(db, "Jordan Lee"),
                "approver_pin": "735193",
            },
        )
        assert closed.status_code == 303, closed.text
        z = printed(ny, "Z-00001*")
    assert "Z" in z and "Police register" not in z and "chain" not in z
    assert "register_head" not in json.loads(db.execute("SELECT data FROM z_reports").fetchone()[0])
    verified = ny.test_cli_runner().invoke(args=["register", "verify"])
    assert verified.exit_code == 0, verified.output  # an empty register at a store that keeps none: nothing wrong


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_the_new_york_purge_keeps_and_purges_by_new_yorks_periods_and_touches_no_register(
    tmp_path, hq_app, hq_url, db_of
):
    now = datetime.now(UTC)
    years = NYC.retention["dealer_record"].years  # 6: NYC Admin. Code § 20-273(b)
    older, younger = now - timedelta(days=365 * years + 10), now - timedelta(days=365 * years - 10)
    with ny_over_http(tmp_path, hq_app, hq_url) as (ny, staff):
        db = db_of(ny)
        bought = {}
        for number, (at, doc) in enumerate(((older, "111222333"), (younger, "444555666")), start=2):
            with clock.set_to(at):  # bought that day (the database's own clock still says today)
                bought[at] = accept_over_http(staff, number, {**US_SELLER, "id_doc_number": doc})
    for uuid in bought.values():  # each record is kept until its New York day plus the pack's years
        local_day, kept_until = db.execute(
            "SELECT local_day, retain_until FROM dealer_records WHERE tradein_uuid = ?", [uuid]
        ).fetchone()
        accepted = datetime.fromisoformat(db["tradeins"].get(uuid)["accepted_at"])
        assert local_day == accepted.astimezone(ZoneInfo(NYC.timezone)).date().isoformat()
        assert kept_until == Deadline(months=12 * years).after(date.fromisoformat(local_day)).isoformat()
    daily_jobs(ny)(db)  # the terminal's background round: today's purge, then the records past their date
    assert [row[0] for row in db.execute("SELECT tradein_uuid FROM dealer_records")] == [bought[younger]]
    identities = {uuid: db["tradeins"].get(uuid)["seller_identity"] for uuid in bought.values()}
    assert identities[bought[older]] is None and identities[bought[younger]] is not None
    purge_marks = db.execute("SELECT count(*) FROM register_marks WHERE kind = 'purged_through'").fetchone()[0]
    assert count(db, "police_register") == 0 and purge_marks == 0  # no French register, no purge of one
    audit = json.loads(db.execute("SELECT detail FROM audit_log WHERE action = 'retention_purge'").fetchone()[0])
    assert audit["redacted_trade_ins"] == 1 and audit["register_entries_removed"] == 0


def test_a_french_store_still_writes_its_police_register_entry_and_prints_its_number(app, db, staff):
    uuid = run_to_quote(staff)
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    assert (count(db, "police_register"), count(db, "dealer_records")) == (1, 0)
    seq = db.execute("SELECT seq FROM police_register WHERE tradein_uuid = ?", [uuid]).fetchone()[0]
    french = catalogue("fr_FR").gettext
    receipt = printed(app, "*-receipt.escpos")
    assert f"{french('Police register entry')} {french('No. %(number)s') % {'number': seq}}" in receipt
    assert pack("fr").retention["police_register"].years == 10


def test_a_pack_keeping_a_register_without_its_period_or_an_unknown_one_is_refused(tmp_path):
    text = (PACKS_DIR / "us-ny-nyc.toml").read_text(encoding="utf-8")
    broken = tmp_path / "us-ny-nyc.toml"
    for change, refused in (
        ('keep = ["dealer_record"]', 'keep = ["dealer_record", "police_register"]'),
        ('keep = ["dealer_record"]', 'keep = ["livre_de_police"]'),
        ('keep = ["dealer_record"]', "keep = []"),  # its [dealer_record] fields say it keeps one
        ("seller_after_activity = {", "seller_after_a_while = {"),
    ):
        broken.write_text(text.replace(change, refused), encoding="utf-8")
        with pytest.raises(PackInvalid, match=r"\[(registers|dealer_record|retention)\]"):
            load_pack(broken)
    broken.write_text(text, encoding="utf-8")
    assert load_pack(broken).registers == ("dealer_record",)
