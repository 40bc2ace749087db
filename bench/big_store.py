"""A busy store's years of data for the page benchmarks: up to 1,000,000 trade-ins and 2,000,000 sales over ten years,
written straight into a demo terminal's database (the services would take an hour to write them one by one).
Broad on purpose: every state, kind and payout, dual-SIM phones, serial-only devices, returns, several lines a
sale, a Z report a day, a shipment a day holding the bags that left, each bought device's receipt and bag label
printed and its voucher when paid in store credit, a few of today's trade-ins among the years; `seed` picks the
data."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import random
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils
from stdnum import luhn

from core.codes import SALE, SHIPMENT, TRADEIN, VOUCHER
from kiosk.tradein.listing import tidy_search_index

STATES = (("received", 62), ("shipped", 8), ("accepted", 2), ("printed", 2), ("bagged", 3), ("declined", 12),
          ("cancelled", 4), ("draft", 3), ("graded", 1), ("quoted", 3))
KINDS = (("phone", 80), ("tablet", 9), ("watch", 6), ("console", 5))
IN_FLIGHT = ("draft", "quoted", "graded", "accepted", "printed", "bagged")
IN_FLIGHT_FOR = timedelta(days=14)
YEARS = 10  # a big store's ten years
TODAY = 40  # trade-ins taken today: the length of today's list


@dataclass(frozen=True)
class BigStore:
    """What a benchmark looks up in the seeded data."""

    old_tradein: str  # a received trade-in from years ago
    imei_fragment: str  # eight digits from the middle of one trade-in's IMEI
    today_count: int


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def _imei(rng: random.Random) -> str:
    body = f"35{rng.randrange(10**12):012d}"
    return body + luhn.calc_check_digit(body)


def _unique(mint, seen: set) -> str:
    while (code := mint()) in seen:
        pass
    seen.add(code)
    return code


def _demo_ids(db) -> tuple[str, str, str]:
    """The demo store's id, its first terminal's and its first clerk's: who the seeded years belong to."""
    return tuple(db.execute(f"SELECT id FROM {table} LIMIT 1").fetchone()[0]
                 for table in ("stores", "terminals", "staff"))


def _tradein_rows(db, rng: random.Random, count: int, now: datetime, shipments: dict[str, str]):
    """The rows to insert; a bag that left the store (shipped, received) is in its day's shipment, whose uuid is
    kept in `shipments` by day."""
    store, terminal, staff = _demo_ids(db)
    devices = {kind: [r[0] for r in db.execute("SELECT id FROM devices WHERE kind = ?", [kind])]
               for kind, _ in KINDS}
    grid = db.execute("SELECT version FROM price_grids WHERE active = 1").fetchone()[0]
    zone = ZoneInfo(db.execute("SELECT timezone FROM stores WHERE id = ?", [store]).fetchone()[0])
    since_midnight = (now - datetime.combine(now.astimezone(zone).date(), time.min, zone)).total_seconds()
    codes: set[str] = set()
    identities: set[str] = set()  # IMEIs and serials drawn once: at a million, random ones repeat (a unique index)
    for n in range(count):
        kind, state = _weighted(rng, KINDS), _weighted(rng, STATES)
        at = now - timedelta(seconds=rng.randrange(YEARS * 365 * 86400)) if n >= TODAY else now - timedelta(
            seconds=rng.random() * since_midnight)  # the first ones: today, whatever the hour the benchmark runs
        if state in IN_FLIGHT and at < now - IN_FLIGHT_FOR:
            state = "received"  # a bag from years ago reached HQ long since: only recent ones wait in the store
        stamp = at.isoformat(timespec="seconds")
        on_imei = kind == "phone" or (kind == "tablet" and rng.random() < 0.5)
        taken = state in ("accepted", "printed", "bagged", "shipped", "received")
        total = rng.randrange(0, 90000, 100)
        yield (str(uuid.uuid4()), _unique(TRADEIN.mint, codes), store, terminal, staff, state, kind,
               _unique(lambda: _imei(rng), identities) if on_imei else None,
               _unique(lambda: _imei(rng), identities) if on_imei and kind == "phone" and rng.random() < 0.3 else None,
               None if on_imei else _unique(lambda: f"{rng.choice('CDFGHJKLMN')}{rng.randrange(10**10):010d}",
                                            identities),
               rng.choice(devices[kind]), 128, "2026.12-1", rng.choice("ABCD"), rng.randrange(4, 10), "[]", grid,
               "EUR", total, 0, total, "[]", stamp, rng.choice(("store_credit", "bank_transfer")), stamp, stamp,
               stamp if taken else None,
               shipments.setdefault(stamp[:10], str(uuid.uuid4())) if state in ("shipped", "received") else None)


TRADEIN_COLUMNS = ("uuid, code, store_id, terminal_id, staff_id, state, device_kind, imei, imei2, serial, device_id, "
                   "storage_gb, spec_version, cosmetic_grade, functional_grade, gate_reasons, grid_version, currency, "
                   "base_minor, bonus_minor, total_minor, bonuses, quote_valid_until, payout_method, created_at, "
                   "updated_at, accepted_at, shipment_uuid")


def _sales(db, rng: random.Random, count: int, now: datetime, numbers: set[str]):
    store, terminal, staff = _demo_ids(db)
    products = db.execute("SELECT ean, name, price_minor, vat_bp FROM products").fetchall()
    sales, lines, tenders = [], [], []  # one chunk of sales: seed() asks for them CHUNK at a time
    for n in range(count):
        at = (now - timedelta(seconds=rng.randrange(YEARS * 365 * 86400 - 86400) + 86400)).isoformat(
            timespec="seconds")  # before today: each day was closed by a Z report
        sale_uuid, total = str(uuid.uuid4()), 0
        for line_no in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
            ean, name, price, vat = rng.choice(products)
            quantity = rng.choice((1, 1, 1, 2))
            lines.append((sale_uuid, line_no, ean, name, quantity, price, 0, "", vat, None, None))
            total += price * quantity
        kind = "return" if n % 40 == 39 else "sale"
        total = -total if kind == "return" else total
        sales.append((sale_uuid, _unique(SALE.mint, numbers), store, terminal, staff, kind, None, total, "EUR", 0, 0,
                      at))
        tenders.append((sale_uuid, 1, rng.choice(("cash", "card")), total, ""))
    return sales, lines, tenders


SALE_INSERT = ("INSERT INTO sales (uuid, number, store_id, terminal_id, staff_id, kind, original_uuid, total_minor, "
               "currency, cash_given_minor, change_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
LINE_INSERT = ("INSERT INTO sale_lines (sale_uuid, line_no, ean, name, quantity, unit_minor, discount_minor, "
               "discount_reason, vat_bp, imei, original_line_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
TENDER_INSERT = "INSERT INTO tenders (sale_uuid, line_no, kind, amount_minor, reference) VALUES (?, ?, ?, ?, ?)"
CHUNK = 20_000  # rows held in memory at once: a million trade-ins as one list took gigabytes


def seed(db: sqlite_utils.Database, tradeins: int = 100_000, sales: int = 200_000, seed: int = 1) -> BigStore:
    """Fill a prepared demo terminal's database (kiosk.provisioning.setup.prepare_database): the years in one
    transaction without a journal (a seed lost half-way is thrown away, never used), today's one commit each."""
    rng, now = random.Random(seed), datetime.now(UTC)
    shipments: dict[str, str] = {}  # day: uuid, as the rows name them
    written: set[str] = set()
    vouchers: set[str] = set()  # voucher codes minted so far
    rows = _tradein_rows(db, rng, tradeins, now, shipments)
    today = list(itertools.islice(rows, TODAY))
    insert_tradeins = f"INSERT INTO tradeins ({TRADEIN_COLUMNS}) VALUES ({', '.join('?' * 28)})"
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")  # 1 GB: the random uuid keys touch every page of their indexes
    old = with_imei = None
    with db.conn:
        while chunk := list(itertools.islice(rows, CHUNK)):
            old = old or next((r for r in chunk if r[5] == "received"), None)
            with_imei = with_imei or next((r for r in chunk if r[7]), None)
            _shipments(db, shipments, written, now)  # before the bags they hold (a foreign key)
            db.conn.executemany(insert_tradeins, chunk)
            _paperwork(db, chunk, vouchers)
        _insert_sales(db, rng, sales, now)
        _z_reports(db, now)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    tidy_search_index(db)  # as closing last night's Z did
    for row in today:  # today's, one commit each as the counter takes them
        with db.conn:
            db.conn.execute(insert_tradeins, row)
            _paperwork(db, [row], vouchers)
    db.execute("ANALYZE")
    return BigStore(old[0], with_imei[7][4:12], TODAY)


def _insert_sales(db, rng: random.Random, sales: int, now: datetime) -> None:
    numbers: set[str] = set()  # sale numbers minted so far, across the chunks
    for done in range(0, sales, CHUNK):
        sale_rows, line_rows, tender_rows = _sales(db, rng, min(CHUNK, sales - done), now, numbers)
        db.conn.executemany(SALE_INSERT, sale_rows)
        db.conn.executemany(LINE_INSERT, line_rows)
        db.conn.executemany(TENDER_INSERT, tender_rows)


def cached(database: Path, tradeins: int, sales: int, seed_number: int) -> BigStore:
    """`database` (a demo terminal's, prepared) filled as `seed` fills it, from a copy kept in BENCH_CACHE
    (default: the system's temporary folder) between runs: a million trade-ins take minutes to seed. The copy is
    named by the seed, the sizes, the schema version, this generator's source and the day (today's trade-ins and
    the Z reports up to yesterday depend on it); older copies of the same seed and sizes are removed."""
    folder = Path(os.environ.get("BENCH_CACHE", Path(tempfile.gettempdir()) / "kiosk-bench-cache"))
    folder.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(database)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
    stem = f"big-store-{seed_number}-{tradeins}-{sales}"
    name = f"{stem}-v{version}-{source}-{datetime.now(UTC).date()}"
    copy, facts = folder / f"{name}.db", folder / f"{name}.json"
    if not facts.exists():
        for stale in folder.glob(f"{stem}-*"):
            stale.unlink()
        db = sqlite_utils.Database(sqlite3.connect(database))
        store = seed(db, tradeins, sales, seed_number)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        shutil.copyfile(database, copy)
        facts.write_text(json.dumps(dataclasses.asdict(store)))
        return store
    for journal in ("-wal", "-shm"):  # the prepared file's, which would be replayed over the copy
        Path(f"{database}{journal}").unlink(missing_ok=True)
    shutil.copyfile(copy, database)
    return BigStore(**json.loads(facts.read_text()))


def _shipments(db, shipments: dict[str, str], written: set[str], now: datetime) -> None:
    """Each day's shipment not `written` yet, closed the next morning (or now, for today's): the shipments page
    lists the latest."""
    store, _, staff = _demo_ids(db)
    codes = {code for (code,) in db.execute("SELECT code FROM shipments")}
    new = [(day, shipment) for day, shipment in shipments.items() if shipment not in written]
    db.conn.executemany("INSERT INTO shipments (uuid, code, store_id, staff_id, closed_at) VALUES (?, ?, ?, ?, ?)",
                        [(shipment, _unique(SHIPMENT.mint, codes), store, staff,
                          min(f"{date.fromisoformat(day) + timedelta(days=1)}T09:00:00+00:00",
                              now.isoformat(timespec="seconds"))) for day, shipment in new])
    written.update(shipment for _, shipment in new)


def _paperwork(db, rows: list[tuple], codes: set[str]) -> None:
    """What an accept leaves beside each trade-in it bought (accepted_at set): its receipt and bag label printed,
    and its voucher when it paid in store credit. Tables the pages read by trade-in or by period, as large as
    the years made them."""
    taken = [row for row in rows if row[26]]
    db.conn.executemany("INSERT INTO print_jobs (tradein_uuid, terminal_id, kind, status, attempts, created_at, "
                        "printed_at) VALUES (?, ?, ?, 'printed', 1, ?, ?)",
                        [(row[0], row[3], kind, row[26], row[26]) for row in taken for kind in ("receipt", "label")])
    db.conn.executemany("INSERT INTO vouchers (code, store_id, tradein_uuid, issued_minor, balance_minor, currency, "
                        "status, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                        [(_unique(VOUCHER.mint, codes), row[2], row[0], row[20], row[20], row[17], row[26],
                          (datetime.fromisoformat(row[26]) + timedelta(days=365)).isoformat(timespec="seconds"))
                         for row in taken if row[23] == "store_credit" and row[20] > 0])


def _z_reports(db, now: datetime) -> None:
    """One Z a day until yesterday: what the till sums since the last one is today's, as in a real store."""
    store, _, staff = _demo_ids(db)
    start = (now - timedelta(days=YEARS * 365)).replace(hour=0, minute=0, second=0, microsecond=0)
    days = [start + timedelta(days=d) for d in range(YEARS * 365)]
    db.conn.executemany("INSERT INTO z_reports (store_id, staff_id, period_start, period_end, data, "
                        "counted_cash_minor, expected_cash_minor) VALUES (?, ?, ?, ?, ?, 0, 0)",
                        [(store, staff, d.isoformat(), (d + timedelta(days=1)).isoformat(), json.dumps({"sales": 0}))
                         for d in days])
