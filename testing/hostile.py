"""The outside attack run's findings, replayed over HTTP against a running kiosk and HQ: each probe says whether
the defence held, with what it saw. Used by tests/test_hostile.py and `python -m bench.hostile`."""

from __future__ import annotations

import json
import re
import struct
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from sync.client import HQClient, HQRefused, batch_body

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MAX_PEAK_MB = 300
# A refusal from the header alone answers in tens of milliseconds; decoding the bomb took 11.5 s. Three seconds tells
# one from the other with room for a loaded machine (the suite runs in three processes on two cores).
MAX_SECONDS = 3.0


@dataclass(frozen=True)
class Finding:
    item: str
    held: bool
    detail: str

    def line(self) -> str:
        return f"{'held  ' if self.held else 'FAILED'}  {self.item}: {self.detail}"


class Browser:
    """A requests session that carries the CSRF token of the last page it read, as a browser's form does."""

    def __init__(self, base: str) -> None:
        self.base, self.session, self.token = base, requests.Session(), ""

    def get(self, path: str, **kw) -> requests.Response:
        response = self.session.get(self.base + path, timeout=10, **kw)
        if match := CSRF.search(response.text):
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict | None = None, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        response = self.session.post(self.base + path, data={"csrf_token": self.token, **(data or {})}, timeout=30,
                                     **kw)
        if match := CSRF.search(response.text):
            self.token = match.group(1)
        return response


def kiosk_staff(base: str, name: str, pin: str) -> Browser:
    browser = Browser(base)
    page = browser.get("/login").text
    staff_id = re.search(r'name="staff_id" value="([^"]+)"[^>]*>\s*' + re.escape(name), page).group(1)
    assert browser.post("/login", {"staff_id": staff_id, "pin": pin}).status_code in (302, 303)
    browser.get("/tradeins")
    return browser


def hq_staff(base: str, name: str, pin: str) -> Browser:
    browser = Browser(base)
    browser.get("/hq/login")
    assert browser.post("/hq/login", {"name": name, "pin": pin}).status_code == 302
    browser.get("/hq/checkin")
    return browser


def blank_png(width: int, height: int) -> bytes:
    """A 1-bit grey PNG of width×height white pixels: a few KB on the wire whatever it claims once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row, packer = b"\x00" + b"\xff" * ((width + 7) // 8), zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def bomb_png(side: int = 16000) -> bytes:
    """16000×16000 white pixels: ~50 KB on the wire, 256 million pixels once decoded."""
    return blank_png(side, side)


# Issue 29, High 1: under the pixel limit, but a scale to a fixed width (OCR's 900 px) made them gigapixels.
THIN_PICTURES = ((50, 80_000), (100, 40_000))
AT_ONCE = 3


def _upload(browser: Browser, path: str, data: bytes, field: str = "image") -> tuple[requests.Response, float]:
    started = time.perf_counter()
    response = browser.post(path, files={field: ("photo.png", data, "image/png")})
    return response, time.perf_counter() - started


def probe_picture_uploads(routes: dict[str, tuple[Browser, str] | tuple[Browser, str, str]], peak_mb=None
                          ) -> list[Finding]:
    """High 1: every picture route refuses a pixel bomb fast (413, the reason in words) and an empty upload (422),
    and (issue 29) a long thin picture under the pixel limit, alone and AT_ONCE together: a 4xx that names its
    size, never a 500; `peak_mb()` is the kiosk process's peak memory afterwards."""
    findings, bomb = [], bomb_png()
    for name, (browser, path, *named) in routes.items():  # the file's field: "image" unless the route names one
        field = named[0] if named else "image"
        response, seconds = _upload(browser, path, bomb, field)
        held = response.status_code == 413 and "pixels" in response.text and seconds < MAX_SECONDS
        seen = f"{len(bomb) // 1024} KB PNG of 16000×16000 → {response.status_code} in {seconds:.2f} s"
        findings.append(Finding(f"1 picture bomb, {name}", held, seen))
        empty, _ = _upload(browser, path, b"", field)
        findings.append(Finding(f"1 empty picture, {name}", empty.status_code == 422,
                                f"empty upload → {empty.status_code}"))
        findings += _probe_thin_pictures(name, browser, path, field)
    if peak_mb:
        peak = peak_mb()
        findings.append(Finding("1 kiosk peak memory", peak < MAX_PEAK_MB, f"{peak:.0f} MB (limit {MAX_PEAK_MB})"))
    return findings


def _thin_refused(response: requests.Response, seconds: float, width: int, height: int) -> bool:
    """A 4xx saying the picture's size (the same digits in every language), fast."""
    return 400 <= response.status_code < 500 and f"{width} × {height}" in response.text and seconds < MAX_SECONDS


def _probe_thin_pictures(name: str, browser: Browser, path: str, field: str) -> list[Finding]:
    findings = []
    for width, height in THIN_PICTURES:
        picture = blank_png(width, height)
        response, seconds = _upload(browser, path, picture, field)
        findings.append(Finding(f"1 long thin picture, {name}", _thin_refused(response, seconds, width, height),
                                f"{len(picture):,} B PNG of {width}×{height} → {response.status_code} in "
                                f"{seconds:.2f} s"))
    width, height = THIN_PICTURES[-1]
    picture = blank_png(width, height)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(lambda _: _upload(browser, path, picture, field), range(AT_ONCE)))
    held = all(_thin_refused(response, seconds, width, height) for response, seconds in answers)
    findings.append(Finding(f"1 {AT_ONCE} long thin pictures at once, {name}", held,
                            f"{width}×{height} → {[(r.status_code, round(s, 2)) for r, s in answers]}"))
    return findings


def _record(seq: int, kind: str, payload: dict) -> dict:
    return {"seq": seq, "record_uuid": str(uuid.uuid4()), "kind": kind,
            "payload": json.dumps(payload, sort_keys=True, separators=(",", ":")), "created_at": "2026-11-28T10:00:00"}


def send(client: HQClient, *records: tuple[str, dict], first_seq: int = 1) -> dict:
    rows = [_record(first_seq + n, kind, payload) for n, (kind, payload) in enumerate(records)]
    return client.post_batch(batch_body(uuid.uuid4().hex, rows))


def probe_voucher_forgery(base: str, store_a: tuple[str, str], store_b: tuple[str, str]) -> list[Finding]:
    """High 2: store B, signing with its own secret, cannot mint value on store A's voucher (a negative "refund"),
    cannot drain it with a forged offline spend, and cannot issue itself a voucher for a trade-in it never made."""
    a, b = HQClient(base, *store_a, timeout=10), HQClient(base, *store_b, timeout=10)
    tradein, code = str(uuid.uuid4()), "V-" + "-".join(uuid.uuid4().hex[i:i + 4].upper() for i in (0, 4, 8))
    send(a, ("tradein.accepted", {"uuid": tradein, "code": "TI-AAAA-" + code[-4:], "total_minor": 90000}),
         ("voucher.issued", {"code": code, "tradein_uuid": tradein, "issued_minor": 90000, "expires_at": "2099-01-01"}))
    forged_sale = str(uuid.uuid4())
    send(b, ("sale.returned", {"uuid": str(uuid.uuid4()), "original_uuid": forged_sale, "tenders": [
        {"kind": "voucher", "reference": code, "amount_minor": -5_000_000}]}),
         ("sale.completed", {"uuid": str(uuid.uuid4()), "tenders": [
             {"kind": "voucher", "reference": code, "amount_minor": 80000}]}),
         ("voucher.issued", {"code": "V-BBBB-BBBB-BBBB", "tradein_uuid": str(uuid.uuid4()),
                             "issued_minor": 10_000_000, "expires_at": "2099-01-01"}))
    findings = []
    try:
        b.redeem_voucher(code, str(uuid.uuid4()), 5_000_000)
        findings.append(Finding("2 mint by a forged refund", False, "store B spent 50,000.00 of A's voucher"))
    except HQRefused as err:
        findings.append(Finding("2 mint by a forged refund", True, f"B's 50,000.00 spend refused: {err}"))
    balance = a.redeem_voucher(code, str(uuid.uuid4()), 90000)
    findings.append(Finding("2 drain by a forged offline spend", balance == 0,
                            f"A's holder still spends the whole 900.00 (balance left {balance})"))
    minted = b.redeem_voucher("V-BBBB-BBBB-BBBB", str(uuid.uuid4()), 100)
    findings.append(Finding("2 voucher without a trade-in", minted is None,
                            "HQ does not know B's self-issued voucher" if minted is None else f"balance {minted}"))
    return findings


def quoted_over_http(staff: Browser, imei: str) -> str:
    """A clerk's trade-in up to the quote, through the routes (the iPhone 13 of the demo TAC table)."""
    from testing.samples import PERFECT_PHONE

    started = staff.post("/tradeins", {"device_kind": "phone", "identifier": imei})
    uuid = re.search(r"/tradeins/([0-9a-f-]{36})/", started.headers["Location"]).group(1)
    page = staff.get(f"/tradeins/{uuid}/device").text
    known = re.search(r'<option value="(\d+)" selected', page)  # from the TAC table, else an iPhone 12
    device = known.group(1) if known else re.search(r'<option value="(\d+)"[^>]*>[^<]*iPhone 12<', page).group(1)
    assert staff.post(f"/tradeins/{uuid}/device", {"device_id": device, "storage_gb": "128"}).status_code == 303
    for step, value in enumerate(PERFECT_PHONE.values(), start=1):
        assert staff.post(f"/tradeins/{uuid}/checklist/{step}", {"answer": value}).status_code == 303
    staff.get(f"/tradeins/{uuid}/seller")
    return uuid


IMEIS = ("490154203237518", "352099001761481", "356938035643809", "353918057629418", "358240051111110")


def probe_identity(staff: Browser) -> list[Finding]:
    """Medium 6 and 8: control characters refused at identity capture; one ID number however it is typed."""
    from testing.samples import ADULT_SELLER

    uuid = quoted_over_http(staff, IMEIS[0])
    refused = staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "first_names": "Jean\x1bp\x00\x19"})
    findings = [Finding("6 printer command in a name", refused.status_code == 422,
                        f"seller with ESC p in the first name → {refused.status_code}")]
    typed = ("x4r-tbp-fw4", "X4R\u00adTBPFW4", "X4R\u200bTBP\u200dFW4", "X4R TBP FW4")
    statuses = []
    for imei, number in zip(IMEIS[1:], typed, strict=True):
        uuid = quoted_over_http(staff, imei)
        statuses.append(staff.post(f"/tradeins/{uuid}/seller", {**ADULT_SELLER, "id_doc_number": number})
                        .status_code)
    findings.append(Finding("8 daily limit by ID number", statuses[:3] == [303] * 3 and statuses[3] == 422,
                            f"the same ID typed 4 ways, 4 trade-ins in a day → {statuses} (the 4th needs a manager)"))
    return findings


def probe_redirects(kiosk_base: str, hq_base: str, kiosk_pin: str, hq_name: str, hq_pin: str) -> list[Finding]:
    """Medium 4: no sign-in or language switch sends anyone off this host."""
    hostile = "/\t/127.0.0.2/x"
    kiosk = Browser(kiosk_base)
    page = kiosk.get("/login").text
    member = re.search(r'name="staff_id" value="([^"]+)"', page).group(1)
    login = kiosk.session.post(kiosk_base + "/login", params={"next": hostile}, allow_redirects=False, timeout=10,
                               data={"csrf_token": kiosk.token, "staff_id": member, "pin": kiosk_pin})
    kiosk.get("/tradeins")
    lang = kiosk.post("/lang", {"lang": "en", "next": hostile})
    hq = Browser(hq_base)
    hq.get("/hq/login")
    hq_login = hq.session.post(hq_base + "/hq/login", params={"next": hostile}, allow_redirects=False, timeout=10,
                               data={"csrf_token": hq.token, "name": hq_name, "pin": hq_pin})
    places = [r.headers.get("Location", "") for r in (login, lang, hq_login)]
    return [Finding("4 open redirect", all(p.startswith("/") and not p.startswith("//") and "127.0.0.2" not in p
                                            for p in places), f"next={hostile!r} → {places}")]


def probe_sign_in(kiosk_base: str, hq_base: str, hq_name: str, hq_pin: str) -> list[Finding]:
    """Medium 3: HQ locks an account after 5 wrong PINs; both sign-ins and the customer screen are rate-limited."""
    hq = Browser(hq_base)
    hq.get("/hq/login")
    wrong = [hq.post("/hq/login", {"name": hq_name, "pin": "000000"}).status_code for _ in range(5)]
    right = hq.post("/hq/login", {"name": hq_name, "pin": hq_pin})
    findings = [Finding("3 HQ lockout", wrong == [401] * 5 and right.status_code == 401,
                        f"5 wrong PINs → {wrong}; then the right PIN → {right.status_code} (locked)")]
    limited = [hq.post("/hq/login", {"name": "nobody", "pin": "1"}).status_code for _ in range(10)]
    findings.append(Finding("3 HQ sign-in rate limit", 429 in limited, f"10 more attempts → {limited}"))
    kiosk = Browser(kiosk_base)
    kiosk.get("/login")
    tries = [kiosk.post("/login", {"staff_id": "nobody", "pin": "1"}).status_code for _ in range(12)]
    findings.append(Finding("3 kiosk sign-in rate limit", tries[-1] == 429, f"12 attempts → {tries}"))
    starts = []
    for _ in range(25):
        visitor = Browser(kiosk_base)
        visitor.get("/customer/")
        starts.append(visitor.post("/customer/start", {"kind": "phone"}).status_code)
    findings.append(Finding("3 anonymous estimates rate limit", starts.count(429) >= 5,
                            f"25 estimates started from one address → {starts.count(303)} taken, "
                            f"{starts.count(429)} refused (429)"))
    return findings


def probe_csv(hq_base: str, store: tuple[str, str], hq_browser: Browser) -> list[Finding]:
    """Medium 7: a store's record with a formula in it reaches HQ's CSV export as text, not as a formula."""
    client = HQClient(hq_base, *store, timeout=10)
    send(client, ("tradein.accepted", {"uuid": str(uuid.uuid4()), "code": "TI-CSV0-0001", "brand": "=HYPERLINK(1)",
                                       "model": "@SUM(A1)", "total_minor": 100}), first_seq=10)
    exported = hq_browser.get("/hq/inbox.csv").text
    row = next((line for line in exported.splitlines() if "TI-CSV0-0001" in line), "")
    return [Finding("7 CSV formula", "'=HYPERLINK(1)" in row and "'@SUM(A1)" in row, f"exported row: {row[:90]}")]


def probe_reference(hq_browser: Browser) -> list[Finding]:
    """Medium 9: HQ refuses a products file with a wrong EAN check digit, a negative price, rows not objects."""
    results = []
    for label, name, content in (("wrong EAN", "p.csv", b"ean,name,kind,price_minor,vat_bp\n"
                                                        b"3761234500015,Coque,accessory,1990,2000\n"),
                                 ("negative price", "p.csv", b"ean,name,kind,price_minor,vat_bp\n"
                                                             b"3761234500014,Coque,accessory,-5,2000\n"),
                                 ("rows not objects", "p.json", b'{"products": [1, "two"]}')):
        answer = hq_browser.post("/hq/publish/preview", {"kind": "products", "version": "P-HOSTILE"},
                                 files={"file": (name, content)})
        results.append(f"{label} → {answer.status_code}")
        if answer.status_code != 422 or "row 1" not in answer.text:
            return [Finding("9 reference files", False, "; ".join(results))]
    return [Finding("9 reference files", True, "; ".join(results) + " (row-level report)")]
