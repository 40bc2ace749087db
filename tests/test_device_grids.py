"""Price grid per kind (issue 15, item 2): the shipped catalog's tablets, watches and consoles with sourced launch
prices, grid rows keyed by kind, a row whose kind disagrees with the catalog refused at HQ's publish and on the
terminal's pull (the same core.reference check), and the publish preview's changes counted per kind. Kiosk and HQ
over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_DATA, demo_references, reference_minor
from core.reference import ROWS
from kiosk.tradein.reference import pull
from tests.browser import chromium_page, screenshot
from tests.test_golive import publish_demo_kinds
from tests.test_hq_receiving import HQStaff
from tests.test_sync import client_of, kiosk_for

TODAY = date(2026, 11, 28)


def catalog_rows() -> list[dict]:
    with (DEMO_DATA / "catalog.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_catalog_ships_tablets_watches_and_consoles_each_with_a_sourced_launch_price():
    rows = catalog_rows()
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in ("tablet", "watch", "console")}
    assert counts["tablet"] >= 8 and counts["watch"] >= 8 and counts["console"] >= 6, counts
    sourced = {}  # (kind, "brand model" or "model") -> (price, source) from the README's table
    for line in (DEMO_DATA / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[3].startswith("https://"):
            for name, price in zip(cells[1].split(", "), cells[2].split(", "), strict=True):
                sourced[(cells[0], name)] = (price, cells[3])
    for row in rows:
        if row["kind"] == "phone":
            continue
        found = sourced.get((row["kind"], f"{row['brand']} {row['model']}")) or sourced.get((row["kind"], row["model"]))
        assert found is not None, f"no source for {row['model']}"
        assert float(found[0]) == float(row["launch_price_eur"]) > 0, (row, found)


def test_the_demo_grid_has_rows_keyed_by_kind_priced_from_the_launch_price_and_age():
    values = demo_references(TODAY)["grid"][1]["values"]
    assert {v["kind"] for v in values} == {"phone", "tablet", "watch", "console"}
    assert ROWS["grid"][1][0] == "kind"  # what a diff and the uniqueness check key rows by
    se = next(r for r in catalog_rows() if r["model"] == "Apple Watch SE (2nd generation)")
    best = next(v for v in values if v["model"] == se["model"] and (v["cosmetic"], v["functional_band"]) == ("A", "F1"))
    assert best["kind"] == "watch"
    assert best["base_minor"] == reference_minor(se, TODAY) // 100 * 100 == int(29900 * 0.45 * 0.72 ** 4) // 100 * 100
    assert demo_references(date(2030, 1, 1))["grid"][1]["values"] != values  # older devices are worth less


def test_a_grid_row_whose_kind_disagrees_with_the_catalog_is_refused_by_the_terminal(tmp_path, hq_app, hq_url,
                                                                                      hq_store, db_of):
    """HQ's publish refuses such a grid (next test); a terminal checks again, with the same code, whatever
    reached it: it keeps the grid it has."""
    publish_demo_kinds(hq_app, "catalog", "grid")
    app = kiosk_for(tmp_path, hq_url, hq_store)
    db = db_of(app)
    pull(db, client_of(app))  # HQ's demo catalog and grid: the ones this demo terminal was seeded with
    good = db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()[0]
    grid = demo_references(date.today())["grid"][1]
    watch_as_phone = [{**v, "kind": "phone"} if v["model"] == "Apple Watch Series 10" else v for v in grid["values"]]
    hq_app.extensions["hq.storage"].publish("grid", "G-BAD", json.dumps({**grid, "values": watch_as_phone}))
    assert pull(db, client_of(app)) == ["grid G-BAD refused"]
    assert db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()[0] == good
    reason = db.execute("SELECT value FROM sync_state WHERE key = 'refused.grid.reason'").fetchone()[0]
    assert "is phone but the catalog lists Apple Apple Watch Series 10 as watch" in reason


def _upload(supervisor: HQStaff, version: str, grid: dict):
    form = {"kind": "grid", "version": version,
            "file": (io.BytesIO(json.dumps(grid).encode()), "grid.json")}
    return supervisor.post("/hq/publish/preview", form, content_type="multipart/form-data")


def test_hq_publish_shows_changes_per_kind_and_refuses_a_row_of_the_wrong_kind(hq_app):
    publish_demo_kinds(hq_app, "catalog", "grid")
    supervisor = HQStaff(hq_app, "Nadia Benali", "supervisor")
    grid = demo_references(date.today())["grid"][1]
    watches_up = [{**v, "base_minor": v["base_minor"] + 500} if v["kind"] == "watch" else v for v in grid["values"]]
    preview = _upload(supervisor, "G-WATCHES", {**grid, "values": watches_up})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    per_kind = {m[0]: m[1:] for m in re.findall(
        r"<tr><th scope=\"row\">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)}
    watch_rows = sum(v["kind"] == "watch" for v in grid["values"])
    assert per_kind["watches"] == ("0", "0", str(watch_rows), "0")
    assert per_kind["phones"][2] == "0" and int(per_kind["phones"][3]) > 0  # phones untouched

    wrong = [{**v, "kind": "tablet"} if v["model"] == "Galaxy Watch7" else v for v in grid["values"]]
    refused = _upload(supervisor, "G-WRONG", {**grid, "values": wrong})
    assert refused.status_code == 422
    assert "is tablet but the catalog lists Samsung Galaxy Watch7 as watch" in refused.get_data(as_text=True)
    unknown = grid["values"] + [{**grid["values"][0], "model": "Watch That Does Not Exist"}]
    refused = _upload(supervisor, "G-UNKNOWN", {**grid, "values": unknown})
    assert refused.status_code == 422 and "Watch That Does Not Exist is not in the catalog" in refused.get_data(
        as_text=True)
    assert set(hq_app.extensions["hq.storage"].latest_references()) == {"catalog", "grid"}


@pytest.mark.browser
def test_a_supervisor_sees_a_watch_only_change_counted_per_kind_in_the_browser(tmp_path, hq_app, hq_url):
    from hq.services.staff import add_staff
    from tests.test_hq_receiving import HQ_PIN

    publish_demo_kinds(hq_app, "catalog", "grid")
    add_staff(hq_app.extensions["hq.storage"], "Nadia Benali", "supervisor", HQ_PIN)
    grid = demo_references(date.today())["grid"][1]
    upload = tmp_path / "grid-watches.json"
    upload.write_text(json.dumps({**grid, "values": [{**v, "base_minor": v["base_minor"] + 500}
                                                     if v["kind"] == "watch" else v for v in grid["values"]]}))
    with chromium_page() as page:
        page.goto(hq_url + "/hq/login")
        page.get_by_label("Name").press_sequentially("Nadia Benali")
        page.get_by_label("PIN").fill(HQ_PIN)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/hq/$"))
        page.goto(hq_url + "/hq/publish")
        page.get_by_label("Kind").select_option("grid")
        page.get_by_label("New version name").fill("G-WATCHES")
        page.get_by_label("File (JSON, or CSV with a header row)").set_input_files(str(upload))
        page.get_by_role("button", name="Show what changes").click()
        table = page.locator("#per-kind")
        expect(table.get_by_role("row", name=re.compile("^watches"))).to_contain_text(
            str(sum(v["kind"] == "watch" for v in grid["values"])))
        page.locator("#preview").scroll_into_view_if_needed()
        screenshot(page, "hq-publish-per-kind")
