"""The counter's short path (issue 31, items 1 and 3): the checklist on one screen, the manager's approval asked on
the quote, and a returning seller's details found by their document's number. Through the kiosk's real routes."""

from __future__ import annotations

import re

from stdnum import luhn

from testing.samples import ADULT_SELLER, PERFECT_PHONE, PIN
from tests.conftest import staff_id, tradein_uuid_from


def imei(n: int) -> str:
    """A valid IMEI of the demo iPhone 13's TAC (49015420), the n-th of its serials."""
    body = f"49015420{n:06d}"
    return body + luhn.calc_check_digit(body)


def to_checklist(staff, number: int) -> str:
    uuid = tradein_uuid_from(staff.post("/tradeins", {"device_kind": "phone", "identifier": imei(number)}))
    page = staff.get(f"/tradeins/{uuid}/device").get_data(as_text=True)
    device_id = re.search(r'<option value="(\d+)" selected', page).group(1)
    response = staff.post(f"/tradeins/{uuid}/device", {"device_id": device_id, "storage_gb": 128, "imei2": ""})
    assert response.headers["Location"].endswith(f"/tradeins/{uuid}/checklist")
    return uuid


def checked(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(\w+)" value="(\w+)"\s+checked', page))


def quoted(staff, number: int, answers: dict | None = None) -> str:
    uuid = to_checklist(staff, number)
    response = staff.post(f"/tradeins/{uuid}/checklist", answers or PERFECT_PHONE)
    assert response.status_code == 303 and response.headers["Location"].endswith("/quote")
    return uuid


def accept(staff, uuid: str, seller: dict | None = None):
    return staff.post(f"/tradeins/{uuid}/seller", seller or ADULT_SELLER)


def test_the_checklist_is_one_screen_starting_at_every_fine_answer_and_quotes_in_one_post(staff, db):
    uuid = to_checklist(staff, 1)
    page = staff.get(f"/tradeins/{uuid}/checklist").get_data(as_text=True)
    fine = {q: a for q, a in PERFECT_PHONE.items() if q != "battery_health"}
    assert checked(page) == fine  # the clerk only changes the exceptions
    assert 'name="battery_health"' in page and "watch_unpaired" not in page  # the phone's questions only
    assert re.search(r'name="battery_health"[^>]*autofocus', page.replace("\n", " "))
    response = staff.post(f"/tradeins/{uuid}/checklist", {**fine, "screen": "light_scratches",
                                                           "battery_health": "88"})
    assert response.status_code == 303
    row = db.execute("SELECT state, cosmetic_grade FROM tradeins WHERE uuid = ?", [uuid]).fetchone()
    assert row == ("quoted", "B")
    assert db.execute("SELECT count(*) FROM tradein_answers WHERE tradein_uuid = ?", [uuid]).fetchone()[0] == 10


def test_a_checklist_sent_without_the_battery_keeps_every_choice_and_saves_nothing(staff, db):
    uuid = to_checklist(staff, 2)
    form = {**PERFECT_PHONE, "screen": "cracked", "battery_health": ""}
    response = staff.post(f"/tradeins/{uuid}/checklist", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="battery_health-error"' in page
    assert checked(page)["screen"] == "cracked"  # what the clerk changed is still changed
    assert db.execute("SELECT count(*) FROM tradein_answers WHERE tradein_uuid = ?", [uuid]).fetchone()[0] == 0
    forged = staff.post(f"/tradeins/{uuid}/checklist", {**PERFECT_PHONE, "screen": "shattered\x1b"})
    assert forged.status_code == 422 and "Choose one of the answers" in forged.get_data(as_text=True)


def test_a_manager_approves_a_high_offer_on_the_quote_and_the_seller_form_asks_no_pin(app, staff, db):
    app.config["APPROVAL_ABOVE_MINOR"] = 100
    uuid = quoted(staff, 3)
    quote = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
    assert 'id="approve-offer"' in quote and "an offer above" in quote
    manager = staff_id(db, "Sacha Leroy")
    wrong = staff.post(f"/tradeins/{uuid}/approve", {"approver_id": manager, "approver_pin": "000000"})
    assert wrong.status_code == 422 and 'id="approve-offer"' in wrong.get_data(as_text=True)
    right = staff.post(f"/tradeins/{uuid}/approve", {"approver_id": manager, "approver_pin": PIN})
    assert right.status_code == 303 and right.headers["Location"].endswith("/seller")
    assert "Manager approval" not in staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert accept(staff, uuid).status_code == 303
    approved = db.execute("SELECT detail FROM audit_log WHERE tradein_uuid = ? AND action = 'approved'",
                          [uuid]).fetchone()[0]
    assert manager in approved


def test_an_approval_is_for_the_offer_approved_a_new_price_asks_again(app, staff, db):
    app.config["APPROVAL_ABOVE_MINOR"] = 100
    uuid = quoted(staff, 4)
    manager = staff_id(db, "Sacha Leroy")
    staff.post(f"/tradeins/{uuid}/approve", {"approver_id": manager, "approver_pin": PIN})
    staff.post(f"/tradeins/{uuid}/override", {"new_total": "150", "reason": "scratch found",
                                               "approver_id": manager, "approver_pin": PIN})
    refused = accept(staff, uuid)
    assert refused.status_code == 422  # the new price was not the one approved before the seller form
    assert db.execute("SELECT state FROM tradeins WHERE uuid = ?", [uuid]).fetchone()[0] == "quoted"


def test_a_returning_sellers_number_fills_their_last_identity_and_the_accept_takes_it(staff, db):
    first = quoted(staff, 5)
    assert accept(staff, first).status_code == 303
    again = quoted(staff, 6)
    typed = {"id_doc_type": "national_id", "id_doc_number": "x4rt bpfw4", "payout_method": "store_credit"}
    page = staff.post(f"/tradeins/{again}/seller/find", typed).get_data(as_text=True)
    assert 'id="seller-notice"' in page and "Returning seller" in page
    for value in ("Dupont", "Élodie Marie", "12/04/1990", "3 place de la République, 75003 Paris", "X4RTBPFW4",
                  "Préfecture de Paris", "01/06/2021"):
        assert f'value="{value}"' in page, (value, re.findall(r'id="address"[^>]*', page))
    assert re.search(r'id="accept"[^>]*autofocus', page.replace("\n", " "))
    shown = db.execute("SELECT count(*) FROM audit_log WHERE action = 'returning_seller_shown' AND tradein_uuid = ?",
                       [again]).fetchone()[0]
    assert shown == 1  # showing someone's identity is logged
    form = dict(re.findall(r'name="(\w+)" type="text" value="([^"]*)"', page))
    response = accept(staff, again, {**typed, **form, "id_doc_type": "national_id"})
    assert response.status_code == 303, response.get_data(as_text=True)
    refs = db.execute("SELECT DISTINCT seller_ref FROM tradeins WHERE uuid IN (?, ?)", [first, again]).fetchall()
    assert len(refs) == 1  # the same seller


def test_an_unknown_number_says_so_and_a_look_alike_is_refused(staff, db):
    uuid = quoted(staff, 7)
    unknown = staff.post(f"/tradeins/{uuid}/seller/find", {"id_doc_type": "passport", "id_doc_number": "19AB12345"})
    assert unknown.status_code == 200 and "No earlier trade-in with this document" in unknown.get_data(as_text=True)
    assert 'value="19AB12345"' in unknown.get_data(as_text=True)  # kept, to go on typing
    cyrillic = staff.post(f"/tradeins/{uuid}/seller/find", {"id_doc_type": "passport", "id_doc_number": "Х4RTBPFW4"})
    assert cyrillic.status_code == 422


def test_an_erased_seller_is_no_longer_found(app, staff, db):
    from kiosk.compliance import privacy

    first = quoted(staff, 8)
    accept(staff, first)
    ref = db.execute("SELECT seller_ref FROM tradeins WHERE uuid = ?", [first]).fetchone()[0]
    privacy.erase(db, ref)
    again = quoted(staff, 9)
    page = staff.post(f"/tradeins/{again}/seller/find", {"id_doc_type": "national_id",
                                                         "id_doc_number": "X4RTBPFW4"}).get_data(as_text=True)
    assert "No earlier trade-in" in page and "Dupont" not in page


def test_a_sellers_fourth_trade_in_today_asks_the_manager_as_soon_as_the_document_is_found(app, staff, db):
    app.config["MAX_TRADEINS_PER_SELLER_PER_DAY"] = 1
    accept(staff, quoted(staff, 10))
    again = quoted(staff, 11)
    page = staff.post(f"/tradeins/{again}/seller/find", {"id_doc_type": "national_id",
                                                         "id_doc_number": "X4RTBPFW4"}).get_data(as_text=True)
    assert "Manager approval" in page and "trade-ins by the same seller today" in page
