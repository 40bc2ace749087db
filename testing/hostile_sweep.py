"""The generated hostile sweep (issue 29): every form of the kiosk and HQ (found by crawling them as their users:
testing/form_discovery.py) and every field of HQ's signed store API (records of every kind a kiosk pushes,
testing/hostile_corpus.py) fed with hostile strings, one field at a time, against real processes on 127.0.0.1; then
every route of both apps, taken from their url_map (testing/route_doors.py, issue 31: its path's parts and its body),
so a route no page links to (the diagnostics, the photo channel, a phone's report) is swept too.
The report gives, per route and field, the statuses seen; any 5xx (or a dropped connection) is a failure.
Used by tests/test_hostile_sweep.py and `python -m bench.hostile`."""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import requests

from core.codes import TRADEIN, VOUCHER
from core.protocol import signed_headers, signed_target
from testing.form_discovery import CSRF_FIELD, Form, Visitor, crawl
from testing.hostile_corpus import TEXT, TYPED, Hostile, Kit, leaves, records_of_every_kind, replaced, sampler, sealed
from testing.route_doors import Door, Routes
from testing.samples import BANK_SELLER

SEED = 29  # the number: the same sample every run
KIOSK_PIN, HQ_PIN = "246810", "135790"
# What a user types into a field the page leaves empty, by the field's name: the other fields of a form hold these
# while one carries the hostile string, so that the request gets past "required" to where that field is used.
PLAUSIBLE = {**BANK_SELLER, "payout_method": "store_credit", "approver_pin": KIOSK_PIN, "pin": "975310",
             "name": "Alex Martin", "reason": "Écran rayé",
             "new_total": "100", "counted_cash": "0", "comment": "Comptage vérifié", "code": "490154203237518",
             "identifier": "352099001761481", "storage_gb": "128", "amount": "10", "trading_name": "Boutique Sud",
             "legal_name": "Boutique Sud SAS", "siret": "73282932000074", "address": "1 rue de la Paix, 75002 Paris"}
# A door's hostile body (its query, for a GET) fills every field a form or filter of ours names (the handler reads
# the ones it knows).
BODY_FIELDS = (*PLAUSIBLE, "answer", "kind", "decision", "note", "lang", "next", "day", "confirm", "tradein",
               "voucher_code", "cash_given", "quantity", "tone_hz", "document", "image", "return_to", "from", "to",
               "q", "page", "person", "action", "status", "store")


@dataclass(frozen=True)
class Outcome:
    app: str
    route: str
    field: str
    hostile: str
    status: int

    @property
    def failed(self) -> bool:
        return self.status >= 500 or self.status == 0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    forms: int = 0
    seconds: float = 0.0
    doors: list[Door] = field(default_factory=list)  # every route and method of both apps' url_map, but the skipped
    door_seconds: float = 0.0  # of `seconds`, the doors'

    def unswept(self) -> list[str]:
        """The doors no request reached: each should have been knocked on."""
        knocked = {(o.app, o.route) for o in self.outcomes}
        return [door.route for door in self.doors if (f"route {door.app}", door.route) not in knocked]

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def fields(self, app_prefix: str = "") -> int:
        return len({(o.app, o.route, o.field) for o in self.outcomes if o.app.startswith(app_prefix)})

    def lines(self) -> list[str]:
        """One line per route and field: the statuses seen, and which hostile strings got a 5xx."""
        grouped: dict[tuple, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            grouped[(outcome.app, outcome.route, outcome.field)].append(outcome)
        lines = []
        for (app, route, name), seen in sorted(grouped.items()):
            statuses = ", ".join(f"{s}×{n}" for s, n in sorted(_count(o.status for o in seen).items()))
            bad = [o.hostile for o in seen if o.failed]
            lines.append(f"{'FAILED' if bad else 'held  '}  {app} {route} [{name}]: {statuses}"
                         + (f" — 5xx on {bad}" if bad else ""))
        return lines

    def summary(self) -> str:
        return (f"{len(self.outcomes)} requests, {self.forms} forms, {self.fields()} fields "
                f"({self.fields('kiosk')} kiosk, {self.fields('hq ')} HQ pages, {self.fields('hq-api')} signed API, "
                f"{self.fields('route')} route parts of {len(self.doors)} routes), "
                f"{len(self.failures())} × 5xx, {self.seconds:.0f} s ({self.door_seconds:.0f} s the routes')")


def _count(values: Iterator[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return counts


def sweep_forms(visitor: Visitor, forms: list[Form], per_field: int, seed: int = SEED) -> list[Outcome]:
    """Each field of each form in turn gets `per_field` hostile strings, the others their defaults. Forms that
    sign in go last: they may trip the sign-in limits or sign the visitor out."""
    samples, outcomes = sampler(TEXT, per_field, seed), []
    for form in sorted(forms, key=lambda f: ("login" in f.action, f.route)):
        names = [n for n, _ in form.fields if n != CSRF_FIELD] + list(form.files)
        for name in dict.fromkeys(names):
            for hostile in next(samples):
                fields = [(n, hostile.form_bytes() if n == name else (v or PLAUSIBLE.get(n, "")).encode())
                          for n, v in form.fields]
                files = {f: hostile.form_bytes() if f == name else b"" for f in form.files}
                status = visitor.submit(form, fields, files)
                outcomes.append(Outcome(visitor.app, form.route, name, hostile.label, status))
    return outcomes


@dataclass
class Store:
    """A store's signed door to HQ, as sync/client.py signs it; the path is signed as HQ reads it (decoded)."""

    base: str
    store_id: str
    secret: str
    session: requests.Session = field(default_factory=requests.Session)

    def send(self, method: str, path: str, body: bytes = b"", query: str = "") -> int:
        return self.answer(method, path, body, query)[0]

    def answer(self, method: str, path: str, body: bytes = b"", query: str = "") -> tuple[int, str]:
        """The status and text of HQ's answer (0: the connection dropped)."""
        seen_path = unquote(path, errors="replace")
        headers = signed_headers(self.store_id, self.secret, int(time.time()), method,
                                 signed_target(seen_path, query), body)
        headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(method, self.base + path + (f"?{query}" if query else ""), data=body,
                                            headers=headers, timeout=30)
        except requests.RequestException as err:
            return 0, str(err)
        return response.status_code, response.text

    def batch(self, records: list[tuple[str, dict]], first_seq: int, envelope: dict | None = None) -> tuple[int, str]:
        rows = [{"seq": first_seq + n, "record_uuid": str(uuid.uuid4()), "kind": kind, "created_at":
                 "2026-11-28T10:00:00", "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}
                for n, (kind, payload) in enumerate(records)]
        body = {"batch_id": uuid.uuid4().hex, "records": rows}
        for path, value in (envelope or {}).items():
            body = replaced(body, tuple(int(p) if p.isdigit() else p for p in path.split(".")), value)
        return self.answer("POST", f"/api/v1/stores/{self.store_id}/batches", json.dumps(body).encode())


def _segment(hostile: Hostile) -> str:
    return quote(hostile.form_bytes(), safe="")


def well_formed_kit(store: Store) -> Kit:
    """A trade-in paid by transfer, a voucher on it and a sale that spent from it, sent first: hostile records
    then name real ones, and HQ's pages have a payout to export and a trade-in to check in."""
    kit = Kit(store.store_id, store.secret, str(uuid.uuid4()), VOUCHER.mint(), str(uuid.uuid4()), TRADEIN.mint())
    payloads = records_of_every_kind(kit)
    tradein = {**payloads["tradein.accepted"], "uuid": kit.tradein, "code": kit.tradein_code,
               "payout_method": "bank_transfer"}
    voucher = {**payloads["voucher.issued"], "code": kit.voucher, "issued_minor": 30000}
    sale = {**payloads["sale.completed"], "uuid": kit.sale}
    payout = sealed(payloads["payout.requested"], kit.secret)
    status, text = store.batch([("tradein.accepted", tradein), ("voucher.issued", voucher),
                                ("sale.completed", sale), ("payout.requested", payout)], 1)
    assert status == 200 and '"rejected":[]' in text.replace(" ", ""), f"HQ refused the sweep's own records: {text}"
    return kit


def sweep_batches(store: Store, kit: Kit, per_field: int, seed: int = SEED) -> list[Outcome]:
    """Every leaf of a record of every kind in turn, then every field of the batch's envelope, one batch each."""
    samples, outcomes, seq = sampler(TEXT + TYPED, per_field, seed), [], 10
    route = "POST /api/v1/stores/{}/batches"
    for kind, template in records_of_every_kind(kit).items():
        for path in leaves(template):
            for hostile in next(samples):
                payload = replaced(records_of_every_kind(kit)[kind], path, hostile.value)
                if kind == "payout.requested":
                    payload = sealed(payload, kit.secret)  # type: ignore[arg-type]
                status = store.batch([(kind, payload)], seq)[0]  # type: ignore[list-item]
                outcomes.append(Outcome("hq-api", route, f"{kind}:{'.'.join(map(str, path))}", hostile.label, status))
                seq += 1
    envelope = ("batch_id", "records.0.seq", "records.0.record_uuid", "records.0.kind", "records.0.payload",
                "records.0.created_at", "backlog.pending", "backlog.oldest_at", "register_head.seq",
                "register_head.hash", "records.0", "records")
    tradein = records_of_every_kind(kit)["tradein.cancelled"]
    for name in envelope:
        for hostile in next(samples):
            status = store.batch([("tradein.cancelled", tradein)], seq, {name: hostile.value})[0]
            outcomes.append(Outcome("hq-api", route, name, hostile.label, status))
            seq += 1
    return outcomes


def sweep_signed_doors(store: Store, kit: Kit, per_field: int, seed: int = SEED) -> list[Outcome]:
    """The signed API's other doors: each path part, query and body field in turn."""
    samples, outcomes, mine = sampler(TEXT + TYPED, per_field, seed + 1), [], f"/api/v1/stores/{store.store_id}"
    doors = [
        ("GET /api/v1/stores/{}/devices/{}", "identifier",
         lambda h: store.send("GET", f"{mine}/devices/{_segment(h)}")),
        ("GET /api/v1/stores/{}/reference/{}/{}", "kind",
         lambda h: store.send("GET", f"{mine}/reference/{_segment(h)}/1")),
        ("GET /api/v1/stores/{}/reference/{}/{}", "version",
         lambda h: store.send("GET", f"{mine}/reference/grid/{_segment(h)}")),
        ("GET /api/v1/stores/{}/updates", "after", lambda h: store.send("GET", f"{mine}/updates",
                                                                       query="after=" + _segment(h))),
        ("GET /api/v1/stores/{}/register-anchor", "store_id",
         lambda h: store.send("GET", f"/api/v1/stores/{_segment(h)}/register-anchor")),
        ("POST /api/v1/enrol", "code", lambda h: store.send("POST", "/api/v1/enrol", json.dumps({"code": h.value})
                                                            .encode())),
    ]
    for action in ("redeem", "release"):
        route = f"POST /api/v1/stores/{{}}/vouchers/{{}}/{action}"
        body = {"sale_uuid": str(uuid.uuid4()), "amount_minor": 100}
        doors += [
            (route, "code", lambda h, a=action, b=body: store.send(
                "POST", f"{mine}/vouchers/{_segment(h)}/{a}", json.dumps(b).encode())),
            (route, "sale_uuid", lambda h, a=action, b=body: store.send(
                "POST", f"{mine}/vouchers/{kit.voucher}/{a}", json.dumps({**b, "sale_uuid": h.value}).encode())),
            (route, "amount_minor", lambda h, a=action, b=body: store.send(
                "POST", f"{mine}/vouchers/{kit.voucher}/{a}", json.dumps({**b, "amount_minor": h.value}).encode())),
        ]
    for route, name, door in doors:
        for hostile in next(samples):
            outcomes.append(Outcome("hq-api", route, name, hostile.label, door(hostile)))
    return outcomes


def sweep(kiosk_visitors: list[tuple[Visitor, list[str]]], hq_visitors: list[tuple[Visitor, list[str]]],
          store: Store, per_field: int = 4, routes: Routes | None = None) -> Report:
    """The whole sweep: the signed API first (its records give HQ's pages trade-ins to show), then every form, then
    every route's door (`routes`; a door's request may settle what a form needed)."""
    started, report = time.perf_counter(), Report()
    kit = well_formed_kit(store)
    for visitor, _ in hq_visitors[:1]:  # received at HQ (before hostile records cancel it): its page has more forms
        visitor.session.post(visitor.base + "/hq/checkin", data={
            "csrf_token": visitor.token, "code": kit.tradein_code, "expected_store": store.store_id})
    report.outcomes += sweep_batches(store, kit, per_field)
    report.outcomes += sweep_signed_doors(store, kit, per_field)
    for visitor, seeds in [*kiosk_visitors, *hq_visitors]:
        forms = crawl(visitor, seeds)
        report.forms += len(forms)
        report.outcomes += sweep_forms(visitor, forms, per_field)
    if routes:
        knocking = time.perf_counter()
        report.doors = routes.doors
        report.outcomes += _knock(routes, kit, per_field)
        report.door_seconds = time.perf_counter() - knocking
    report.seconds = time.perf_counter() - started
    return report


def _knock(routes: Routes, kit: Kit, per_field: int) -> list[Outcome]:
    """Every door with hostile values in its path and body (HQ's trade-in and code: the sweep's own kit's)."""
    samples = sampler(TEXT, max(1, per_field // 2), SEED + 2)
    knocks = routes.knock(samples, {"hq": {"tradein_uuid": kit.tradein, "code": kit.tradein_code}})
    return [Outcome(f"route {k.door.app}", k.door.route, k.part, k.hostile.label, k.status) for k in knocks]


def write_report(report: Report, path: Path) -> None:
    path.write_text("\n".join([report.summary(), *report.lines()]) + "\n")


UNLIMITED = "10000 per minute"  # the sweep looks for 5xx, not for the rate limits (tests/test_hostile.py has those)


def run(folder: Path, per_field: int = 4) -> Report:
    """The sweep against a kiosk and an HQ started here as real processes on 127.0.0.1 (SQLite both): their users,
    store and doors are made by testing/hostile_sweep_apps.py."""
    from testing.hostile_sweep_apps import run_against_processes

    return run_against_processes(folder, per_field)
