"""Issue 34: HQ per market. One HQ (both backends) with a Paris store (EUR) and a New York store (USD), each added
and enrolled by the README's commands: HQ publishes a catalog and a grid per market (`publish … --market USD`), each
store pulls and quotes its own market's in its own currency, a dollar grid is never published into the euro market
(nor taken by a euro terminal if a version slipped through), the dashboard and its CSV total per currency, never
across two, and a US store pays in store credit only (SEPA carries euros): its form says why, and HQ queues no
transfer for it. Real HQ over HTTP, real SQLite terminals, Chromium for the dashboard."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from core.demo import demo_references
from core.seller import parse_seller
from hq.services import payouts
from kiosk.tradein import acceptance
from sync import pusher
from sync.client import HQRefused
from testing.factories import actor_of
from testing.samples import ADULT_SELLER, BANK_SELLER
from tests.browser import chromium, live_server, new_page, screenshot
from tests.test_golive import SIRET, client_of, enrol_by_cli, first_manager, fresh_terminal, to_quote
from tests.test_hq_receiving import HQStaff
from tests.test_jurisdictions import US_SELLER, accept_us_trade_in, add_ny_store_by_cli, jpeg, new_terminal

PARIS_IMEI = "356938035643809"  # another device than New York's (HQ refuses one device twice across stores)


def publish_by_cli(hq_app: Flask, folder: Path, kind: str, version: str, data: dict, *market: str):
    """`flask --app hq publish KIND FILE --version V [--market M]`, as docs/hq.md writes it."""
    path = folder / f"{kind}-{version}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return hq_app.test_cli_runner().invoke(args=["publish", kind, str(path), "--version", version,
                                                 *(("--market", market[0]) if market else ())])


def publish_both_markets(hq_app: Flask, folder: Path) -> dict[str, str]:
    """The demo catalog and grid for the euro market and, in dollars, for the dollar market: market -> grid version."""
    references = demo_references(date.today())
    (catalog_version, catalog), (grid_version, grid) = references["catalog"], references["grid"]
    for market, currency in (("EUR", "EUR"), ("USD", "USD")):
        assert publish_by_cli(hq_app, folder, "catalog", catalog_version, catalog, market).exit_code == 0
        made = publish_by_cli(hq_app, folder, "grid", f"{currency}-{grid_version}", {**grid, "currency": currency},
                              market)
        assert made.exit_code == 0 and f"for the {market} market" in made.output, made.output
    return {"EUR": f"EUR-{grid_version}", "USD": f"USD-{grid_version}"}


def paris_and_new_york(tmp_path: Path, hq_app: Flask, hq_url: str) -> tuple[Flask, Flask]:
    """Both stores added at HQ and enrolled by the README's commands (enrolment pulls their market's data)."""
    out = hq_app.test_cli_runner().invoke(args=[
        "stores", "add", "Boutique Paris 11e", "--legal-name", "Télé Shop SARL", "--siret", SIRET,
        "--address", "12 rue Oberkampf, 75011 Paris"]).output
    paris_code = re.search(r"enrolment code: (\S+)", out).group(1)
    _, ny_code, _ = add_ny_store_by_cli(hq_app)
    enrolled, paris = enrol_by_cli(fresh_terminal(tmp_path / "paris"), hq_url, paris_code)
    assert enrolled.exit_code == 0, enrolled.output
    enrolled, ny = enrol_by_cli(new_terminal(tmp_path / "nyc"), hq_url, ny_code)
    assert enrolled.exit_code == 0, enrolled.output
    ny.config["LANGUAGE"] = ""  # the store's own language: en_US
    return paris, ny


def test_each_store_pulls_and_quotes_its_own_markets_grid_and_a_dollar_grid_never_enters_the_euro_market(
        tmp_path, hq_app, hq_url, db_of):
    grids = publish_both_markets(hq_app, tmp_path)
    references = demo_references(date.today())
    usd_grid = {**references["grid"][1], "currency": "USD"}
    refused = publish_by_cli(hq_app, tmp_path, "grid", "USD-INTO-EUR", usd_grid, "EUR")
    assert refused.exit_code != 0 and "currency is USD, but this grid is published for the EUR market" in \
        refused.output
    refused = publish_by_cli(hq_app, tmp_path, "grid", "EUR-INTO-USD", references["grid"][1], "usd")
    assert refused.exit_code != 0 and "currency is EUR, but this grid is published for the USD market" in \
        refused.output
    storage = hq_app.extensions["hq.storage"]
    assert {m: storage.latest_references(m)["grid"]["version"] for m in ("EUR", "USD")} == grids
    paris, ny = paris_and_new_york(tmp_path, hq_app, hq_url)
    for app, market, symbol, imei in ((paris, "EUR", "€", PARIS_IMEI), (ny, "USD", "$", None)):
        db = db_of(app)
        assert db.execute("SELECT version, currency FROM price_grids WHERE active = 1").fetchone() == (
            grids[market], market)
        staff = first_manager(app)
        uuid = to_quote(staff, app, *([imei] if imei else []))
        ti = db["tradeins"].get(uuid)
        assert (ti["grid_version"], ti["currency"]) == (grids[market], market) and ti["total_minor"] > 0
        quote = staff.get(f"/tradeins/{uuid}/quote").get_data(as_text=True)
        assert symbol in quote and ({"€", "$"} - {symbol}).pop() not in quote
    ny_client = client_of(ny)
    assert ny_client.reference_index()["grid"]["version"] == grids["USD"]
    with pytest.raises(HQRefused):  # another market's version is not served to this store
        ny_client.reference("grid", grids["EUR"])


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_a_terminal_never_takes_a_grid_in_another_currency_than_its_stores(tmp_path, hq_app, hq_url, db_of):
    grids = publish_both_markets(hq_app, tmp_path)
    _, ny = paris_and_new_york(tmp_path, hq_app, hq_url)
    euro_grid = demo_references(date.today())["grid"][1]
    # An HQ of an older release (or a hand-made row) lists a euro grid for the dollar market: the terminal's check
    hq_app.extensions["hq.storage"].publish("grid", "SLIPPED-EUR", json.dumps(euro_grid), "USD")
    assert ny.test_cli_runner().invoke(args=["sync", "pull"]).exit_code == 0
    db = db_of(ny)
    assert db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()[0] == grids["USD"]
    page = first_manager(ny).get("/sync").get_data(as_text=True)
    assert "SLIPPED-EUR" in page and "is EUR, but this store trades in USD" in page


def _hq_dashboard_shot(hq_app: Flask, name: str) -> Path:
    """The dashboard in Chromium at 1280×800, signed in as a supervisor (HQStaff made them)."""
    from tests.test_browser_hq import hq_sign_in

    with live_server(hq_app) as base, chromium() as browser:
        page = new_page(browser, 1280, 800)
        hq_sign_in(page, base, "Inès Moreau")
        assert page.locator("#per-currency tbody tr").count() == 2
        return screenshot(page, name)


def test_hqs_dashboard_and_its_csv_total_per_currency_never_across_two(tmp_path, hq_app, hq_url, db_of, request):
    publish_both_markets(hq_app, tmp_path)
    paris, ny = paris_and_new_york(tmp_path, hq_app, hq_url)
    accept_us_trade_in(ny, first_manager(ny))
    staff = first_manager(paris)
    uuid = to_quote(staff, paris, PARIS_IMEI)
    assert staff.post(f"/tradeins/{uuid}/seller", ADULT_SELLER).status_code == 303
    for app in (paris, ny):
        assert app.test_cli_runner().invoke(args=["sync", "push"]).exit_code == 0
    paid = {db_of(app).execute("SELECT currency, total_minor FROM tradeins WHERE state <> 'quoted'").fetchone()
            for app in (paris, ny)}
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    page = supervisor.get("/hq/").get_data(as_text=True)
    table = page[page.index('id="per-currency"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">(\w{3})</th><td class="num">(\d+)</td><td class="num">([^<]+)</td>', table)
    assert [(currency, count) for currency, count, _ in rows] == [("EUR", "1"), ("USD", "1")]
    amounts = dict(paid)
    assert "€" in rows[0][2] and "$" in rows[1][2] and rows[0][2] != rows[1][2]
    assert "Value paid (EUR)" in page and "Value paid (USD)" in page and "Value paid per day in USD" in page
    exported = list(csv.reader(io.StringIO(supervisor.get("/hq/dashboard.csv").get_data(as_text=True))))
    today = [row for row in exported[1:] if row[2] != "0"]
    assert exported[0] == ["day", "currency", "tradeins", "value_paid_minor"]
    assert sorted((row[1], int(row[3])) for row in today) == sorted(amounts.items())
    if request.node.callspec.params["hq_app"] == "sqlite":
        _hq_dashboard_shot(hq_app, "hq-dashboard-per-currency")


@pytest.mark.parametrize("hq_app", ["sqlite", "postgresql"], indirect=True)
def test_a_us_store_pays_in_store_credit_only_says_why_and_hq_queues_no_transfer_for_it(
        tmp_path, hq_app, hq_url, db_of):
    publish_both_markets(hq_app, tmp_path)
    _, ny = paris_and_new_york(tmp_path, hq_app, hq_url)
    staff = first_manager(ny)
    uuid = to_quote(staff, ny)
    form = staff.get(f"/tradeins/{uuid}/seller").get_data(as_text=True)
    assert '<option value="store_credit"' in form and '<option value="bank_transfer"' not in form
    assert "SEPA transfers, which carry euros only" in form and 'id="bank-account"' not in form
    for n, kind in enumerate(("front", "back", "screen", "imei_screen")):
        staff.post(f"/tradeins/{uuid}/photos", {"kind": kind, "image": (io.BytesIO(jpeg((n * 50, 80, 9))), "p.jpg")},
                   content_type="multipart/form-data")
    asked = staff.post(f"/tradeins/{uuid}/seller", {**US_SELLER, "payout_method": "bank_transfer",
                                                    "iban": BANK_SELLER["iban"], "account_holder": "Ana Rivera"})
    assert asked.status_code == 422 and "carry euros only" in asked.get_data(as_text=True)
    db = db_of(ny)
    assert db["tradeins"].get(uuid)["state"] == "quoted"
    # A terminal of an older release asks anyway (its form offered a transfer): HQ queues no SEPA transfer in USD.
    seller = parse_seller(BANK_SELLER, date.today())
    with ny.app_context():
        acceptance.accept(db, actor_of(db), uuid, seller, date.today(), ny.extensions["kiosk.cipher"],
                          hq_secret=ny.config["SYNC_SECRET"], dealer_answers={"identifier_altered": "no"})
    assert pusher.drain(db, client_of(ny), 50) >= 2 and pusher.status(db)["rejections"] == 0
    storage = hq_app.extensions["hq.storage"]
    with storage.read() as tx:
        assert tx.rows("SELECT currency, payout_method FROM hq_tradeins WHERE uuid = %s", [uuid]) == [
            ("USD", "bank_transfer")]
    assert payouts.payouts(storage) == []


@pytest.mark.parametrize("hq_app", ["sqlite"], indirect=True)
def test_the_publish_page_publishes_per_market_and_refuses_a_grid_of_another_currency(tmp_path, hq_app):
    publish_both_markets(hq_app, tmp_path)
    supervisor = HQStaff(hq_app, "Inès Moreau", "supervisor")
    page = supervisor.get("/hq/publish").get_data(as_text=True)
    assert "EUR market, stores: 0" in page and "USD market, stores: 0" in page and '<select id="market"' in page
    usd_grid = {**demo_references(date.today())["grid"][1], "currency": "USD"}
    wrong = supervisor.post("/hq/publish/preview", {"kind": "grid", "version": "USD-ON-EUR", "market": "EUR",
                                                    "file": (io.BytesIO(json.dumps(usd_grid).encode()), "g.json")},
                            content_type="multipart/form-data")
    assert wrong.status_code == 422 and "currency is USD, but this grid is published for the EUR market" in \
        wrong.get_data(as_text=True)
    rows = "kind,brand,model,storage_gb,cosmetic,functional_band,base_minor\n" + "\n".join(
        ",".join(str(v[k]) for k in ("kind", "brand", "model", "storage_gb", "cosmetic", "functional_band",
                                      "base_minor")) for v in usd_grid["values"])
    preview = supervisor.post("/hq/publish/preview", {
        "kind": "grid", "version": "USD-CSV", "market": "USD", "valid_from": usd_grid["valid_from"],
        "valid_until": usd_grid["valid_until"], "file": (io.BytesIO(rows.encode()), "g.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "USD market" in preview
    data = re.search(r'name="data" value="([^"]*)"', preview).group(1)
    done = supervisor.post("/hq/publish/confirm", {"kind": "grid", "version": "USD-CSV", "market": "USD",
                                                   "data": html.unescape(data)})
    assert done.status_code == 303
    storage = hq_app.extensions["hq.storage"]
    assert storage.latest_references("USD")["grid"]["version"] == "USD-CSV"
    assert json.loads(storage.reference("grid", "USD-CSV", "USD"))["currency"] == "USD"
    assert storage.latest_references("EUR")["grid"]["version"].startswith("EUR-")  # the euro stores' grid stays
