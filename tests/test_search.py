"""The trade-in search (issue 18, item 5): any part of a code (typed with or without its dashes), an IMEI, a
dual-SIM phone's second IMEI or a serial number finds the trade-in through the trigram index; a needle of one or
two characters is still answered; search syntax typed into the box is searched for, never run."""

from __future__ import annotations

import re

from testing.factories import imei_number
from testing.samples import PIN
from tests.conftest import model_id, staff_id


def _rows(staff, needle: str) -> str:
    response = staff.get("/tradeins", query_string={"q": needle},
                         headers={"HX-Request": "true", "HX-Target": "tradein-rows"})
    assert response.status_code == 200, needle
    return response.get_data(as_text=True)


def test_any_part_of_any_identifier_finds_the_trade_in(app, staff, db):
    phone = staff.post("/tradeins", {"device_kind": "phone", "identifier": "490154203237518"})
    assert staff.post(phone.headers["Location"], {"device_id": model_id(app), "storage_gb": 64,
                                                  "imei2": "352099001761481"}).status_code == 303
    staff.post("/tradeins", {"device_kind": "console", "identifier": "XAW10075273452"})
    code = db.execute("SELECT code FROM tradeins WHERE imei IS NOT NULL").fetchone()[0]
    for needle, found in (("4203237", "490154203237518"), ("99001761", "490154203237518"),  # second IMEI
                          (code, code), (code.replace("-", "")[2:], code), (code[-4:].lower(), code),
                          ("1007527", "XAW10075273452")):
        assert found in _rows(staff, needle), needle
    assert "XAW10075273452" not in _rows(staff, "4203237")
    assert code in _rows(staff, "49")  # two characters: read row by row, still found
    listed = re.compile(r">TI-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}</a>")  # 60-bit codes (issue 29)
    assert listed.search(_rows(staff, code))  # what a listed trade-in looks like in the rows
    for hostile in ('"', '" OR "', "NEAR(a b)", "*", "imei:35*", "x" * 64, "'; DROP TABLE tradeins; --", "0\x000",
                    "\x00\x00\x00", "49\x0001"):  # a NUL ends an FTS5 query string: it answered 503 before
        assert not listed.search(_rows(staff, hostile)), hostile  # searched for as text: nothing has it
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 2


def test_a_terminal_upgraded_to_the_search_index_finds_its_older_trade_ins(app, staff, db):
    """Migration 16 on a terminal with years of trade-ins: the index is filled from the rows already there."""
    from kiosk.store.db import migrate

    staff.post("/tradeins", {"device_kind": "console", "identifier": "XAW10075273452"})
    for statement in ("DROP TRIGGER tradein_search_new", "DROP TRIGGER tradein_search_changed",
                      "DROP TRIGGER tradein_search_gone", "DROP TABLE tradein_search", "DROP INDEX tradeins_imei",
                      "DROP INDEX tradeins_imei2", "DROP INDEX tradeins_serial", "PRAGMA user_version = 15"):
        db.execute(statement)  # the database as a terminal on the previous release has it
    assert migrate(db, upto=16) == [16]  # the later ones are already there
    assert "XAW10075273452" in _rows(staff, "0752734")


def _segments(db) -> int:
    return db.execute("SELECT count(DISTINCT segid) FROM tradein_search_idx").fetchone()[0]


def test_closing_the_day_merges_the_search_index_and_every_trade_in_is_still_found(app, staff, db):
    """Each trade-in taken adds a segment to the search index; the Z report merges them into one (a search reads
    every segment), and the trade-ins before and after it are all found."""
    imeis = [imei_number(209900170000 + n).number for n in range(6)]  # 35209900 17000n + check digit
    for imei in imeis[:5]:
        assert staff.post("/tradeins", {"device_kind": "phone", "identifier": imei}).status_code in (302, 303)
    assert _segments(db) > 1
    closed = staff.post("/pos/reports/z", {"counted_cash": "0", "confirm": "1",
                                           "approver_id": staff_id(db, "Sacha Leroy"), "approver_pin": PIN})
    assert closed.status_code == 303 and _segments(db) == 1
    staff.post("/tradeins", {"device_kind": "phone", "identifier": imeis[5]})  # the next morning's first
    for imei in imeis:
        assert imei in _rows(staff, imei[6:14]), imei
    assert imeis[0] not in _rows(staff, imeis[1][6:14])
