"""HQ in French and English with the kiosk's Babel set-up and checks: every HQ template string through HQ's
catalogue, both catalogues complete, French until a reader switches, money and times as the reader's locale
writes them in the store's time zone, codes shown as translated labels, the clerk by name (issue 17, item 8)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from core.money import format_money
from core.translation_catalogues import catalogue_problems, template_problems
from hq import create_app
from hq.translations import HQ
from testing.samples import PERFECT_PHONE
from tests.test_hq_receiving import HQStaff, code_of, synced_store


def test_no_hq_template_has_an_untranslated_literal():
    assert template_problems(HQ) == []


def test_both_hq_catalogues_hold_every_string_with_the_same_placeholders():
    assert catalogue_problems(HQ) == []


def test_hq_speaks_french_until_a_reader_switches(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "hq")})  # HQ_LANGUAGE's default
    staff = HQStaff(app, "Inès Moreau", "receiver")
    dashboard = staff.get("/hq/").get_data(as_text=True)
    assert '<html lang="fr">' in dashboard and "Tableau de bord" in dashboard and "réceptionnaire" in dashboard
    switched = staff.post("/hq/lang", {"lang": "en", "next": "/hq/inbox"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/hq/inbox"
    assert "Batches per store" in staff.get("/hq/inbox").get_data(as_text=True)
    assert staff.post("/hq/lang", {"lang": "de"}).status_code == 400
    assert staff.post("/hq/lang", {"lang": "fr", "next": "//evil.example/"}).headers["Location"] == "/hq/"


def test_a_trade_in_reads_in_french_with_local_times_labels_money_and_names(tmp_path, hq_app, hq_url, hq_store,
                                                                           db_of):
    app, db, (uuid,) = synced_store(tmp_path, hq_app, hq_url, hq_store, db_of)
    accepted_at, total, clerk, staff_id = db.execute(
        "SELECT t.accepted_at, t.total_minor, s.name, s.id FROM tradeins t JOIN staff s ON s.id = t.staff_id "
        "WHERE t.uuid = ?", [uuid]).fetchone()
    receiver = HQStaff(hq_app, "Inès Moreau", "receiver")
    receiver.post("/hq/lang", {"lang": "fr"})
    code = code_of(db, uuid)
    inbox = receiver.get(f"/hq/inbox?q={code}").get_data(as_text=True)
    local = format_datetime(datetime.fromisoformat(accepted_at.replace("Z", "+00:00")), "short",
                            tzinfo=ZoneInfo("Europe/Paris"), locale="fr_FR")
    assert local in inbox and format_money(total, "EUR", "fr_FR") in inbox  # 14:50 in Paris, "297,00 €"
    assert ">acceptée<" in inbox and "Boutique Démo Paris 11e" in inbox and ">accepted<" not in inbox
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d", inbox)  # no ISO instant left on the page
    day = datetime.fromisoformat(accepted_at.replace("Z", "+00:00")).date()
    typed = f"{day.day:02d}/{day.month:02d}/{day.year}"  # as a French receiver types it, not the browser's mm/dd
    assert code in receiver.get(f"/hq/inbox?date_from={typed}&date_to={typed}").get_data(as_text=True)
    after = f"{day.day:02d}/{day.month:02d}/{day.year + 1}"
    assert "Aucune reprise ne correspond" in receiver.get(f"/hq/inbox?date_from={after}").get_data(as_text=True)
    unreadable = receiver.get("/hq/inbox?date_from=31/02/26")
    assert unreadable.status_code == 200 and 'aria-invalid="true"' in unreadable.get_data(as_text=True)
    assert "p. ex. 25/12/1990" in unreadable.get_data(as_text=True)

    receiver.post("/hq/checkin", {"code": f"BAG:{code}"})
    receiver.post(f"/hq/tradeins/{uuid}/regrade", {**PERFECT_PHONE, "screen": "deep_scratches"})
    page = receiver.get(f"/hq/tradeins/{uuid}").get_data(as_text=True)
    assert f"{clerk} · acceptée le {local}" in page and staff_id[:8] not in page  # a name, not a UUID prefix
    assert "recontrôle : litige ouvert" in page and "Rayures profondes" in page  # label and checklist in French
    assert "Recontrôle : litige ouvert" in page  # the history's event label, not "dispute_opened"
    assert "tradein.accepted" not in page and "Reprise acceptée en boutique" in page
    again = receiver.post("/hq/checkin", {"code": f"BAG:{code}"}).get_data(as_text=True)
    assert f"Déjà reçu : {code} a été réceptionné le" in again  # a refusal from the service, translated


def test_a_wrong_hq_locale_or_time_zone_stops_the_start_saying_which(tmp_path):
    import pytest

    for wrong in ({"LOCALE": "xx"}, {"LOCALE": "fr"}, {"TIMEZONE": "Mars/Base"}):
        with pytest.raises(SystemExit, match="HQ_LOCALE must be like fr_FR and HQ_TIMEZONE like Europe/Paris"):
            create_app({"DATA_DIR": str(tmp_path / "hq"), **wrong})
