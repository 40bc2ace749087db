"""The staff trade-in flow through app.test_client() over a real SQLite file."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from kiosk.store.db import write_transaction
from testing.samples import ADULT_SELLER, IMEI_KNOWN_TAC, IMEI_UNKNOWN_TAC, PERFECT_PHONE, PIN
from tests.conftest import model_id, run_to_quote, staff_id, tradein_uuid_from


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_pages_need_a_signed_in_clerk(client):
    for url in ("/tradeins", "/tradeins/00000000-0000-0000-0000-000000000000/quote"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_pin_is_refused_and_says_so(app, client):
    response = client.login(app, pin="000000")
    assert response.status_code == 401
    assert "Wrong PIN" in response.get_data(as_text=True)
    assert client.get("/tradeins").status_code == 302


def test_post_without_csrf_token_is_refused(app, staff):
    response = staff.client.post("/tradeins", data={"device_kind": "phone", "identifier": IMEI_KNOWN_TAC})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


@pytest.mark.parametrize("raw, message", [
    ("49015420323751", "Too short: 14 digits"),
    ("490154203237519", "check digit"),
    ("49015420323751A", "contains “A”"),
    ("", "Enter or scan the IMEI"),
])
def test_invalid_imei_is_named_inline_and_nothing_is_stored(staff, db, raw, message):
    response = staff.post("/tradeins", {"device_kind": "phone", "identifier": raw})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="identifier-error"' in page
    assert count(db, "tradeins") == 0 and count(db, "audit_log") == 0


def test_invalid_imei_answers_a_fragment_to_htmx(staff):
    response = staff.post("/tradeins", {"device_kind": "phone", "identifier": "12"},
                          headers={"HX-Request": "true", "HX-Target": "start-form"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith('<form id="start-form"') and "<html" not in page


def test_scanner_noise_and_imeisv_are_accepted(staff, db):
    response = staff.post("/tradeins", {"device_kind": "phone", "identifier": "IMEI: 49-015420-323751-8"})
    assert response.status_code == 303
    again = staff.post("/tradeins", {"device_kind": "phone", "identifier": "4901542032375186"})  # IMEISV
    assert tradein_uuid_from(again) == tradein_uuid_from(response)  # the same phone: its trade-in resumes
    assert [r[0] for r in db.execute("SELECT imei FROM tradeins")] == [IMEI_KNOWN_TAC]


def test_known_tac_suggests_the_model_unknown_tac_asks(staff):
    known = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_KNOWN_TAC}))
    page = staff.get(f"/tradeins/{known}/device").get_data(as_text=True)
    assert "Identified from the IMEI: <strong>Apple iPhone 13</strong>" in page
    unknown = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_UNKNOWN_TAC}))
    page = staff.get(f"/tradeins/{unknown}/device").get_data(as_text=True)
    assert "not in the catalog" in page and "selected" not in page


def test_full_trade_in_commits_everything_together_then_prints(app, staff, db):
    uuid = run_to_quote(staff)
    quote_page = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
    ti = db["tradeins"].get(uuid)
    assert ti["state"] == "quoted" and ti["cosmetic_grade"] == "A" and ti["functional_grade"] == 9
    assert ti["total_minor"] == ti["base_minor"] > 0 and ti["grid_version"].startswith("DEMO-")
    assert "Price grid " + ti["grid_version"] in quote_page

    response = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert response.status_code == 303
    ti = db["tradeins"].get(uuid)
    identity = json.loads(app.extensions["kiosk.cipher"].decrypt(ti["seller_identity"]))
    assert ti["state"] == "printed" and identity["surname"] == "Dupont"
    assert "Dupont" not in str(ti) and "X4RTBPFW4" not in str(ti)  # identity is encrypted at rest
    row, voucher = db.execute("SELECT kind, payload FROM outbox WHERE entity_uuid = ? ORDER BY seq", [uuid]).fetchall()
    assert voucher[0] == "voucher.issued"  # paid in store credit, in the same transaction
    payload = json.loads(row[1])
    assert row[0] == "tradein.accepted" and payload["imei"] == IMEI_KNOWN_TAC
    assert payload["answers"] == PERFECT_PHONE and payload["total_minor"] == ti["total_minor"]
    assert "Dupont" not in row[1] and "X4RTBPFW4" not in row[1]  # identity stays in the store
    job, label = db.execute("SELECT status, output_ref FROM print_jobs WHERE tradein_uuid = ? ORDER BY id",
                            [uuid]).fetchall()
    assert job[0] == label[0] == "printed"
    with open(label[1], "rb") as bag:
        sticker = bag.read()
    assert f"BAG:{ti['code']}".encode() in sticker and b"{B" + ti["code"].encode() in sticker  # QR and Code128
    with open(job[1], "rb") as printed:
        receipt = printed.read()
    assert IMEI_KNOWN_TAC.encode() in receipt and ti["code"].encode() in receipt
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE tradein_uuid = ? ORDER BY id", [uuid])]
    assert actions[0] == "created" and actions[-2:] == ["accepted", "printed"]
    [entry] = db.execute("SELECT seq, identifier, price_minor FROM police_register").fetchall()
    assert entry == (1, IMEI_KNOWN_TAC, ti["total_minor"])


def test_receipt_preview_shows_what_was_printed(staff, db):
    uuid = run_to_quote(staff)
    staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    ti = db["tradeins"].get(uuid)
    page = staff.get(f"/tradeins/{uuid}/receipt").get_data(as_text=True)
    assert ti["code"] in page and IMEI_KNOWN_TAC in page and "Élodie Marie Dupont" in page
    assert "\u00a0€" in page or " €" in page  # Babel's French money format


def test_samsung_promo_is_listed_apart_from_the_base(app, staff, db):
    s24 = db.execute("SELECT id FROM devices WHERE model = 'Galaxy S24'").fetchone()[0]
    uuid = run_to_quote(staff, imei=IMEI_UNKNOWN_TAC, device_id=s24, storage_gb=256)
    ti = db["tradeins"].get(uuid)
    assert ti["bonus_minor"] == 2000 and ti["total_minor"] == ti["base_minor"] + 2000
    assert "Bonus: Samsung trade-in bonus" in staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)


def test_activation_lock_gate_blocks_acceptance(staff, db):
    uuid = run_to_quote(staff, answers={**PERFECT_PHONE, "activation_lock": "on"})
    page = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
    assert "Not eligible" in page and "Activation lock is still on" in page
    response = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert response.status_code == 422 and "Nothing was saved" in response.get_data(as_text=True)
    assert db["tradeins"].get(uuid)["state"] == "quoted" and count(db, "outbox") == 0


def test_same_imei_cannot_be_bought_twice(staff, db):
    first = run_to_quote(staff)
    again = staff.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_KNOWN_TAC})  # scanned again
    assert tradein_uuid_from(again) == first  # resumed, not a second trade-in of the same phone
    staff.post(f"/tradeins/{first}/seller", ADULT_SELLER)
    drafts = count(db, "tradeins")
    refused = staff.post("/tradeins", {"device_kind": "phone", "identifier": IMEI_KNOWN_TAC})  # bought: refused
    assert refused.status_code == 422 and "already traded in here" in refused.get_data(as_text=True)
    assert count(db, "tradeins") == drafts  # refused at the scan, before any question: nothing was created


def test_a_draft_is_discarded_and_a_stale_one_expires(app, staff, db):
    first = run_to_quote(staff)
    listed = staff.get("/tradeins").get_data(as_text=True)
    assert f"/tradeins/{first}/discard" in listed and "Resume" in listed
    staff.post(f"/tradeins/{first}/discard")
    assert db["tradeins"].get(first)["state"] == "declined" and count(db, "outbox") == 0  # HQ never knew it
    stale = run_to_quote(staff, imei="352099001761481", device_id=model_id(app))
    db.execute("UPDATE tradeins SET updated_at = '2026-01-01T00:00:00+00:00' WHERE uuid = ?", [stale])
    db.conn.commit()
    fresh = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": "352099001761481"}))
    assert fresh != stale and db["tradeins"].get(stale)["state"] == "declined"  # expired, a new one started
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE tradein_uuid IN (?, ?) ORDER BY id",
                                        [first, stale])]
    assert "discarded" in actions and "expired" in actions


def test_under_18_seller_is_refused_with_the_reason(staff, db):
    uuid = run_to_quote(staff)
    response = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "birth_date": "2012-01-01"})
    assert response.status_code == 422
    assert "must be 18 or older" in response.get_data(as_text=True)
    assert db["tradeins"].get(uuid)["state"] == "quoted" and count(db, "outbox") == 0


def test_seller_form_reports_every_bad_field(staff):
    uuid = run_to_quote(staff)
    response = staff.post(f"/tradeins/{uuid}/seller", {"birth_date": "12/04/90", "surname": "x" * 500})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("At most 80 characters", "e.g. 25/12/1990", "Choose the type of ID document", "Choose how"):
        assert message in page


def test_bad_answer_is_refused_with_a_message(staff, db):
    uuid = run_to_quote(staff, answers={"powers_on": "yes"})
    response = staff.post(f"/tradeins/{uuid}/checklist/2", {"answer": "maybe"})
    assert response.status_code == 422 and "Choose one of the answers" in response.get_data(as_text=True)
    response = staff.post(f"/tradeins/{uuid}/checklist/10", {"answer": "150"})
    assert response.status_code == 422 and "0 to 100" in response.get_data(as_text=True)


def test_decline_then_accept_is_an_illegal_transition(staff, db):
    uuid = run_to_quote(staff)
    staff.post(f"/tradeins/{uuid}/decline")
    assert db["tradeins"].get(uuid)["state"] == "declined"
    response = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert response.status_code == 303 and db["tradeins"].get(uuid)["state"] == "declined"
    assert [r[0] for r in db.execute("SELECT kind FROM outbox")] == ["tradein.declined"]


def test_cancel_after_printing_needs_a_manager_then_writes_audit_and_outbox(app, staff, db):
    uuid = run_to_quote(staff)
    staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    assert db["tradeins"].get(uuid)["state"] == "printed"
    refused = staff.post(f"/tradeins/{uuid}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "A manager must approve cancelling after printing" in refused
    clerk = staff_id(db, "Camille Martin")
    refused = staff.post(f"/tradeins/{uuid}/cancel", {"approver_id": clerk, "approver_pin": PIN},
                         follow_redirects=True).get_data(as_text=True)
    assert "is not a manager" in refused and db["tradeins"].get(uuid)["state"] == "printed"
    staff.post(f"/tradeins/{uuid}/cancel", {"approver_id": staff_id(db, "Sacha Leroy"), "approver_pin": PIN})
    assert db["tradeins"].get(uuid)["state"] == "cancelled"
    assert [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY seq")] == [
        "tradein.accepted", "voucher.issued", "tradein.cancelled"]
    approval = db.execute("SELECT detail FROM audit_log WHERE action = 'approved'").fetchone()[0]
    assert "cancel after printing" in approval


def test_today_list_and_search(staff, db):
    uuid = run_to_quote(staff)
    code = db["tradeins"].get(uuid)["code"]
    assert code in staff.get("/tradeins").get_data(as_text=True)
    fragment = staff.get("/tradeins?q=" + code.lower().replace("-", ""),
                         headers={"HX-Request": "true", "HX-Target": "tradein-rows"})
    text = fragment.get_data(as_text=True)
    assert text.startswith('<div id="tradein-rows">') and code in text
    assert "No trade-in matches" in staff.get("/tradeins?q=999999").get_data(as_text=True)


def test_a_listed_row_follows_its_trade_in_the_readers_language_and_keeps_a_working_discard(app, staff, db):
    """A finished row is rendered once for what it shows (kiosk.formatting.tradein_rows): what changes its
    state or the reader's language shows at the next look, and a row still open carries a CSRF token that works."""
    def row_of(uuid: str) -> str:
        rows = staff.get("/tradeins", headers={"HX-Request": "true", "HX-Target": "tradein-rows"}).get_data(
            as_text=True)
        return next(row for row in rows.split("<tr>") if uuid in row)

    taken = run_to_quote(staff)
    staff.post(f"/tradeins/{taken}/seller", ADULT_SELLER)
    for language, label in (("en", "Receipt printed"), ("fr", "Reçu imprimé"), ("en", "Receipt printed")):
        staff.post("/lang", {"lang": language, "next": "/tradeins"})
        assert f'state-printed">{label}</span>' in row_of(taken), (language, row_of(taken))
    staff.post(f"/tradeins/{taken}/cancel", {"approver_id": staff_id(db, "Sacha Leroy"), "approver_pin": PIN})
    assert 'state-cancelled">Cancelled</span>' in row_of(taken)

    open_one = run_to_quote(staff, imei="352099001761481", device_id=model_id(app))
    assert f"/tradeins/{open_one}/discard" in row_of(open_one)
    assert staff.post("/logout").status_code == 302
    staff.get("/login")
    assert staff.login(app, "Sacha Leroy").status_code == 302  # a new session, with a token of its own
    assert f"/tradeins/{open_one}/discard" in row_of(open_one)  # the token the client now holds is that row's
    assert staff.post(f"/tradeins/{open_one}/discard").status_code == 303
    assert db["tradeins"].get(open_one)["state"] == "declined" and 'state-declined">Declined' in row_of(open_one)


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["printer"] == {"driver": "file", "state": "ready"} and body["outbox"] == {"pending": 0}
    assert body["sync"]["enabled"] is False and body["sync"]["last_error"] is None


def test_unknown_trade_in_is_a_clear_404(staff):
    response = staff.get("/tradeins/not-a-uuid/quote")
    assert response.status_code == 404 and "nothing at this address" in response.get_data(as_text=True)


def fill_to_the_brim(db, pages: int) -> None:
    """Cap the file at its current size and fill the last page of the tables an accept writes to,
    so the accept's inserts meet a real SQLITE_FULL ("database or disk is full")."""
    db.execute(f"PRAGMA max_page_count = {pages}")
    for size in (2000, 400, 60, 1):
        for table, sql in (("outbox", "INSERT INTO outbox (record_uuid, entity_uuid, kind, payload, created_at) "
                                      "VALUES (hex(randomblob(16)), 'filler', 'filler', ?, '')"),
                           ("audit_log", "INSERT INTO audit_log (at, action, detail) VALUES ('', 'filler', ?)")):
            try:
                while True:
                    with write_transaction(db):
                        db.execute(sql, ["x" * size])
            except sqlite3.OperationalError as err:
                assert "full" in str(err), table


def test_disk_full_during_accept_saves_nothing_and_says_so(app, staff, db):
    uuid = run_to_quote(staff)
    with app.app_context():
        from kiosk.store.connection import get_db

        kept = get_db()  # the connection the next request uses (same thread)
        fill_to_the_brim(kept, kept.execute("PRAGMA page_count").fetchone()[0])
    before = {t: count(db, t) for t in ("outbox", "audit_log", "print_jobs")}
    response = staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "NOT saved" in page and "full" in page
    ti = db["tradeins"].get(uuid)
    assert ti["state"] == "quoted" and ti["seller_identity"] is None and ti["accepted_at"] is None
    assert {t: count(db, t) for t in before} == before


def test_scan_route_leads_where_the_code_says(staff, db):
    uuid = run_to_quote(staff)
    code = db["tradeins"].get(uuid)["code"]
    response = staff.post("/scan", {"code": code.lower()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tradeins/{uuid}")
    assert staff.post("/scan", {"code": f"BAG:{code}"}).headers["Location"].endswith(f"/tradeins/{uuid}")
    unknown = staff.post("/scan", {"code": "hello"})
    assert unknown.status_code == 422 and "not a code this kiosk knows" in unknown.get_data(as_text=True)
    before = count(db, "tradeins")
    assert staff.post("/scan", {"code": "352099001761481"}).status_code == 303
    assert count(db, "tradeins") == before + 1


def test_a_camera_snapshot_is_decoded_and_followed(staff, db):
    import cv2
    import numpy as np

    from bench.frames import make_frame

    frame = make_frame(np.random.default_rng(3), "medium")
    imei = next(text for text, kind in frame.expected if kind == "CODE128")
    png = cv2.imencode(".png", frame.image)[1].tobytes()
    response = staff.post("/scan/image", {"image": (io.BytesIO(png), "snapshot.png")},
                          content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith("/device")
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [(imei,)]
    blank = cv2.imencode(".png", np.full((480, 640), 200, np.uint8))[1].tobytes()
    response = staff.post("/scan/image", {"image": (io.BytesIO(blank), "x.png")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "No barcode" in response.get_data(as_text=True)
    junk = staff.post("/scan/image", {"image": (io.BytesIO(b"not an image"), "x.png")},
                      content_type="multipart/form-data")
    assert junk.status_code == 422 and "not an image" in junk.get_data(as_text=True)


def test_a_photo_of_a_dual_sim_box_starts_the_trade_in_with_both_imeis(staff, db):
    import cv2

    from tests.test_camera import dual_sim_box_label, in_a_frame

    first, second = "356938035643809", "352099001761481"
    photo = cv2.imencode(".jpg", in_a_frame(dual_sim_box_label(first, second, 12), -30))[1].tobytes()
    response = staff.post("/scan/image", {"image": (io.BytesIO(photo), "box.jpg")},
                          content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/device?imei2={second}")
    assert db.execute("SELECT imei FROM tradeins").fetchall() == [(first,)]
    device_step = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{second}"' in device_step  # the second-IMEI field filled in, for the clerk to confirm
    again = staff.post("/scan/image", {"image": (io.BytesIO(photo), "box.jpg")}, content_type="multipart/form-data")
    assert again.status_code == 303 and again.headers["Location"].split("?")[0] == \
        response.headers["Location"].split("?")[0]  # the same box photographed again: the same trade-in, resumed
    assert db.execute("SELECT count(*) FROM tradeins").fetchone()[0] == 1


def test_receipt_as_png(staff, db):
    from PIL import Image

    uuid = run_to_quote(staff)
    staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER)
    response = staff.get(f"/tradeins/{uuid}/receipt.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.width == 576 and image.height > 800
    (tmp := Path(__file__).parent / "artifacts").mkdir(exist_ok=True)
    image.save(tmp / "receipt.png")
