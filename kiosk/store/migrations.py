"""Numbered schema migrations. Append only: never edit a migration that has shipped.
The applied number is kept in PRAGMA user_version, set in the same transaction as the DDL."""


def _search_words(row: str) -> str:
    """What the trade-in search index holds for a row (SQLite 3.40 has no concat_ws)."""
    return " || ' ' || ".join((f"{row}code", f"replace({row}code, '-', '')",
                               *(f"coalesce({row}{column}, '')" for column in ("imei", "imei2", "serial"))))


def _insert_only(*tables: str) -> str:
    """Triggers refusing UPDATE and DELETE on each table (a correction is a new document referencing the original)."""
    return "".join(f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'fiscal record: {table} is insert-only (CGI art. 286 I-3° bis)'); END;
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, 'fiscal record: {table} is insert-only (CGI art. 286 I-3° bis)'); END;
""" for table in tables)


MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "initial schema", """
CREATE TABLE stores (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    currency TEXT NOT NULL,
    locale TEXT NOT NULL,
    timezone TEXT NOT NULL
);
CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'staff' CHECK (mode IN ('staff', 'customer'))
);
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('phone', 'tablet', 'watch', 'console')),
    brand TEXT NOT NULL,
    model TEXT NOT NULL,
    storages_gb TEXT NOT NULL,            -- JSON list of storage options in GB
    release_year INTEGER,
    catalog_version TEXT NOT NULL,
    UNIQUE (brand, model)
);
CREATE TABLE device_tacs (
    tac TEXT PRIMARY KEY CHECK (length(tac) = 8),
    device_id INTEGER NOT NULL REFERENCES devices(id)
);
CREATE TABLE price_grids (
    version TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX one_active_grid ON price_grids(active) WHERE active = 1;
CREATE TABLE price_grid_values (
    grid_version TEXT NOT NULL REFERENCES price_grids(version),
    device_id INTEGER NOT NULL REFERENCES devices(id),
    storage_gb INTEGER NOT NULL,
    cosmetic TEXT NOT NULL CHECK (cosmetic IN ('A', 'B', 'C', 'D')),
    functional_band TEXT NOT NULL,
    base_minor INTEGER NOT NULL CHECK (base_minor >= 0),
    PRIMARY KEY (grid_version, device_id, storage_gb, cosmetic, functional_band)
);
CREATE TABLE promos (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    bonus_minor INTEGER NOT NULL CHECK (bonus_minor > 0),
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    brand TEXT NOT NULL DEFAULT '',
    device_id INTEGER REFERENCES devices(id)
);
CREATE TABLE tradeins (
    uuid TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL REFERENCES stores(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    state TEXT NOT NULL,
    device_kind TEXT NOT NULL,
    imei TEXT,
    imei2 TEXT,
    serial TEXT,
    device_id INTEGER REFERENCES devices(id),
    storage_gb INTEGER,
    spec_version TEXT,
    cosmetic_grade TEXT,
    functional_grade INTEGER,
    gate_reasons TEXT,                    -- JSON list, empty when eligible
    grid_version TEXT REFERENCES price_grids(version),
    currency TEXT,
    base_minor INTEGER,
    bonus_minor INTEGER,
    total_minor INTEGER,
    bonuses TEXT,                         -- JSON list of [label, minor]
    quote_valid_until TEXT,
    payout_method TEXT,
    seller_identity TEXT,                 -- encrypted JSON: names, birth date, address, ID document
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    accepted_at TEXT,
    CHECK ((imei IS NULL) <> (serial IS NULL))
);
-- One device can be taken once: a second accepted trade-in of the same IMEI/serial fails here.
CREATE UNIQUE INDEX tradeins_imei_taken ON tradeins(imei)
    WHERE state IN ('accepted', 'printed', 'bagged', 'shipped', 'received');
CREATE UNIQUE INDEX tradeins_serial_taken ON tradeins(serial)
    WHERE state IN ('accepted', 'printed', 'bagged', 'shipped', 'received');
CREATE INDEX tradeins_created ON tradeins(created_at);
CREATE TABLE tradein_answers (
    tradein_uuid TEXT NOT NULL REFERENCES tradeins(uuid),
    question_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (tradein_uuid, question_id)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id TEXT,
    tradein_uuid TEXT REFERENCES tradeins(uuid),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    tradein_uuid TEXT NOT NULL REFERENCES tradeins(uuid),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'label')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'printed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    output_ref TEXT,
    created_at TEXT NOT NULL,
    printed_at TEXT
);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_uuid TEXT NOT NULL UNIQUE,      -- this event's id at HQ
    entity_uuid TEXT NOT NULL,             -- the trade-in (sale, ...) the event is about
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""),
    (2, "sync: rejections from HQ, IMEI blocklist", """
CREATE TABLE sync_rejections (
    seq INTEGER PRIMARY KEY REFERENCES outbox(seq),
    record_uuid TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);
CREATE TABLE blocklist (
    imei TEXT PRIMARY KEY CHECK (length(imei) = 15),
    reason TEXT NOT NULL,
    version TEXT NOT NULL
);
"""),
    (3, "security: lockout, seller pseudonym, police register", """
ALTER TABLE staff ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until TEXT;
ALTER TABLE tradeins ADD COLUMN seller_ref TEXT;
ALTER TABLE tradeins ADD COLUMN override_reason TEXT;
CREATE INDEX tradeins_seller_ref ON tradeins(seller_ref);
-- Registre de police (Code penal art. 321-7, R.321-3 ff.): one entry per purchase, gap-free numbers,
-- append-only, each entry chained to the previous by a SHA-256 hash over its plaintext content.
CREATE TABLE police_register (
    seq INTEGER PRIMARY KEY,
    entered_at TEXT NOT NULL,
    tradein_uuid TEXT NOT NULL UNIQUE REFERENCES tradeins(uuid),
    description TEXT NOT NULL,
    identifier TEXT NOT NULL,
    acquisition_mode TEXT NOT NULL,
    seller_capacity TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    identity TEXT NOT NULL,               -- encrypted JSON: names, address, birth date, ID document
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- Only the encrypted identity may be rewritten (key rotation re-encrypts the same content).
CREATE TRIGGER police_register_append_only BEFORE UPDATE ON police_register
WHEN NEW.seq IS NOT OLD.seq OR NEW.entered_at IS NOT OLD.entered_at OR NEW.tradein_uuid IS NOT OLD.tradein_uuid
  OR NEW.description IS NOT OLD.description OR NEW.identifier IS NOT OLD.identifier
  OR NEW.acquisition_mode IS NOT OLD.acquisition_mode OR NEW.seller_capacity IS NOT OLD.seller_capacity
  OR NEW.price_minor IS NOT OLD.price_minor OR NEW.currency IS NOT OLD.currency
  OR NEW.payment_method IS NOT OLD.payment_method OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
BEGIN SELECT RAISE(ABORT, 'the police register is append-only'); END;
CREATE TRIGGER police_register_kept_ten_years BEFORE DELETE ON police_register
WHEN OLD.entered_at > strftime('%Y-%m-%dT%H:%M:%S', 'now', '-10 years')
BEGIN SELECT RAISE(ABORT, 'police register entries are kept 10 years'); END;
"""),
    (4, "print queue: retry with backoff", """
ALTER TABLE print_jobs ADD COLUMN next_attempt_at TEXT;
CREATE INDEX print_jobs_due ON print_jobs(status, next_attempt_at);
"""),
    (5, "customer estimates and the clerk's handoff", """
-- A customer's self-service estimate: no personal data, only the device and its answers.
CREATE TABLE estimates (
    uuid TEXT PRIMARY KEY,
    code TEXT UNIQUE,                     -- the ticket, set when the customer asks for it
    store_id TEXT NOT NULL REFERENCES stores(id),
    device_kind TEXT NOT NULL,
    device_id INTEGER REFERENCES devices(id),
    storage_gb INTEGER,
    imei TEXT,
    answers TEXT NOT NULL DEFAULT '{}',   -- JSON: question id -> answer
    spec_version TEXT NOT NULL,
    grid_version TEXT,
    currency TEXT,
    low_minor INTEGER,
    high_minor INTEGER,
    created_at TEXT NOT NULL,
    ticketed_at TEXT,
    expires_at TEXT,
    tradein_uuid TEXT REFERENCES tradeins(uuid)  -- the clerk's trade-in once picked up
);
CREATE INDEX estimates_created ON estimates(created_at);
ALTER TABLE tradeins ADD COLUMN estimate_uuid TEXT REFERENCES estimates(uuid);
ALTER TABLE tradeins ADD COLUMN handoff TEXT;  -- JSON: customer's answers vs the clerk's, with price impact
"""),
    (6, "shipments to HQ and what HQ did with each trade-in", """
CREATE TABLE shipments (
    uuid TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL REFERENCES stores(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    closed_at TEXT NOT NULL
);
ALTER TABLE tradeins ADD COLUMN shipment_uuid TEXT REFERENCES shipments(uuid);
-- HQ's outcomes, pulled: received, regrade confirmed, dispute opened / accepted / rejected.
CREATE TABLE hq_updates (
    id TEXT PRIMARY KEY,
    tradein_uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    by TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX hq_updates_tradein ON hq_updates(tradein_uuid, at);
"""),
    (7, "point of sale: products, vouchers, sales, tenders, returns, Z reports", """
CREATE TABLE products (
    ean TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('device', 'accessory')),
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),   -- VAT included
    vat_bp INTEGER NOT NULL CHECK (vat_bp BETWEEN 0 AND 10000),
    catalog_version TEXT NOT NULL
);
CREATE TABLE vouchers (
    code TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    tradein_uuid TEXT UNIQUE REFERENCES tradeins(uuid),
    issued_minor INTEGER NOT NULL CHECK (issued_minor > 0),
    -- Never below zero, never above what was issued: a voucher cannot be spent twice, whatever the code does.
    balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0 AND balance_minor <= issued_minor),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE cart_lines (
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    line_no INTEGER NOT NULL,
    ean TEXT NOT NULL REFERENCES products(ean),
    quantity INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL DEFAULT 0,
    discount_reason TEXT NOT NULL DEFAULT '',
    discount_approved_by TEXT,
    imei TEXT,
    PRIMARY KEY (terminal_id, line_no)
);
CREATE TABLE sales (
    uuid TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL REFERENCES stores(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    original_uuid TEXT REFERENCES sales(uuid),
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    cash_given_minor INTEGER NOT NULL DEFAULT 0,
    change_minor INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX sales_created ON sales(created_at);
CREATE TABLE sale_lines (
    sale_uuid TEXT NOT NULL REFERENCES sales(uuid),
    line_no INTEGER NOT NULL,
    ean TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_minor INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    discount_reason TEXT NOT NULL,
    vat_bp INTEGER NOT NULL,
    imei TEXT,
    original_line_no INTEGER,              -- a return line: the sale line it takes back
    PRIMARY KEY (sale_uuid, line_no)
);
CREATE TABLE tenders (
    sale_uuid TEXT NOT NULL REFERENCES sales(uuid),
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cash', 'card', 'voucher')),
    amount_minor INTEGER NOT NULL,         -- negative on a return: money given back
    reference TEXT NOT NULL DEFAULT '',    -- card terminal reference or voucher code; never card data
    PRIMARY KEY (sale_uuid, line_no)
);
CREATE TABLE z_reports (
    number INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    data TEXT NOT NULL,                    -- JSON: the figures as printed
    counted_cash_minor INTEGER NOT NULL,
    expected_cash_minor INTEGER NOT NULL
);
CREATE TRIGGER z_reports_immutable BEFORE UPDATE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a Z report is final: it cannot be changed'); END;
CREATE TRIGGER z_reports_kept BEFORE DELETE ON z_reports
BEGIN SELECT RAISE(ABORT, 'a Z report is final: it cannot be deleted'); END;
"""),
    (8, "police register: keyed chain, lawful purge boundary", """
-- Marks on the register's chain, append-only: 'keyed_from' (entries from this number on are chained with an
-- HMAC under a key kept outside the database; earlier ones with the plain SHA-256 of before) and
-- 'purged_through' (entries up to this number went in a lawful 10-year purge; `hash` is the last one's).
CREATE TABLE register_marks (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('keyed_from', 'purged_through')),
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (kind, seq)
);
CREATE TRIGGER register_marks_append_only BEFORE UPDATE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
CREATE TRIGGER register_marks_kept BEFORE DELETE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
INSERT INTO register_marks
    SELECT coalesce(max(seq), 0) + 1, 'keyed_from', '', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM police_register;
"""),
    (9, "staff sessions kept on the terminal: a copied cookie dies at sign-out", """
CREATE TABLE staff_sessions (
    sid TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    created_at TEXT NOT NULL
);
"""),
    (10, "sellers' requests to exercise their data rights, with the one-month deadline", """
CREATE TABLE privacy_requests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'portability',
                                       'objection')),
    seller_ref TEXT NOT NULL,
    received_at TEXT NOT NULL,
    due_on TEXT NOT NULL,
    answered_at TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX privacy_requests_open ON privacy_requests(answered_at, due_on);
"""),
    (11, "go-live: the store's legal profile from HQ, bank payouts, tracking, re-trade after resale", """
ALTER TABLE stores ADD COLUMN legal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN siret TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN country TEXT NOT NULL DEFAULT 'FR';
ALTER TABLE stores ADD COLUMN vat_regime TEXT NOT NULL DEFAULT 'margin';
-- 1 for the demo store (seeded only when asked for): nothing real is ever quoted under it.
ALTER TABLE stores ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
UPDATE stores SET demo = 1 WHERE code = 'FR-PAR-011' AND name = 'Boutique Démo Paris 11e';
-- A bank transfer's account (IBAN, holder, BIC), encrypted like the identity; the date it is due by.
ALTER TABLE tradeins ADD COLUMN payout_account TEXT;
ALTER TABLE tradeins ADD COLUMN payout_due_on TEXT;
-- The token of the seller's tracking page (HQ keeps only its hash).
ALTER TABLE tradeins ADD COLUMN tracking_token TEXT;
-- HQ marked the device resold: its new owner may trade it in again.
ALTER TABLE tradeins ADD COLUMN resold_at TEXT;
DROP INDEX tradeins_imei_taken;
DROP INDEX tradeins_serial_taken;
CREATE UNIQUE INDEX tradeins_imei_taken ON tradeins(imei)
    WHERE state IN ('accepted', 'printed', 'bagged', 'shipped', 'received') AND resold_at IS NULL;
CREATE UNIQUE INDEX tradeins_serial_taken ON tradeins(serial)
    WHERE state IN ('accepted', 'printed', 'bagged', 'shipped', 'received') AND resold_at IS NULL;
"""),
    (12, "a seller form left by Back keeps what was typed, encrypted, until the trade-in is settled", """
CREATE TABLE seller_drafts (
    tradein_uuid TEXT PRIMARY KEY REFERENCES tradeins(uuid),
    sealed TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
"""),
    (13, "the blocklist by serial number as well as IMEI (watches, consoles); a dual-SIM phone's second IMEI", """
CREATE TABLE blocklist_typed (
    type TEXT NOT NULL CHECK (type IN ('imei', 'serial')),
    identifier TEXT NOT NULL CHECK (length(identifier) BETWEEN 5 AND 30),
    reason TEXT NOT NULL,
    version TEXT NOT NULL,
    PRIMARY KEY (type, identifier)
);
INSERT INTO blocklist_typed SELECT 'imei', imei, reason, version FROM blocklist;
DROP TABLE blocklist;
ALTER TABLE blocklist_typed RENAME TO blocklist;
-- A second IMEI is taken once, like the first: the same phone cannot be bought twice under either.
CREATE UNIQUE INDEX tradeins_imei2_taken ON tradeins(imei2)
    WHERE imei2 IS NOT NULL AND state IN ('accepted', 'printed', 'bagged', 'shipped', 'received')
    AND resold_at IS NULL;
"""),
    (14, "a refurbished device for sale names its catalog model: the till checks a warranty IMEI against it", """
ALTER TABLE products ADD COLUMN brand TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN model TEXT NOT NULL DEFAULT '';
"""),
    (15, "a catalog model's name in other languages, where HQ gives one", """
ALTER TABLE devices ADD COLUMN names TEXT NOT NULL DEFAULT '{}';  -- JSON {"fr": "iPad Air 11 pouces (M3)"}
"""),
    (16, "a store's years of trade-ins searched by any part of a code, IMEI or serial without reading them all", f"""
-- Trigram full-text index: a substring of 3 characters or more is found through the index (a LIKE '%x%' read
-- every row: 0.2 s at 100,000 trade-ins). The code is indexed with and without its dashes, as it is typed.
CREATE VIRTUAL TABLE tradein_search USING fts5(uuid UNINDEXED, words, tokenize = 'trigram');
INSERT INTO tradein_search (rowid, uuid, words) SELECT rowid, uuid, {_search_words("")} FROM tradeins;
CREATE TRIGGER tradein_search_new AFTER INSERT ON tradeins BEGIN
    INSERT INTO tradein_search (rowid, uuid, words) VALUES (new.rowid, new.uuid, {_search_words("new.")});
END;
CREATE TRIGGER tradein_search_changed AFTER UPDATE OF code, imei, imei2, serial ON tradeins BEGIN
    UPDATE tradein_search SET words = {_search_words("new.")} WHERE rowid = new.rowid;
END;
CREATE TRIGGER tradein_search_gone AFTER DELETE ON tradeins BEGIN
    DELETE FROM tradein_search WHERE rowid = old.rowid;
END;
-- The scan's gates look a device up by either IMEI or its serial in every state (a trade-in in progress, an
-- earlier one): the partial unique indexes cover the taken states only.
CREATE INDEX tradeins_imei ON tradeins(imei);
CREATE INDEX tradeins_imei2 ON tradeins(imei2) WHERE imei2 IS NOT NULL;
CREATE INDEX tradeins_serial ON tradeins(serial) WHERE serial IS NOT NULL;
-- Fewer pages in the accept's commit: a device has an IMEI or a serial, not both, and a seller reference only
-- once accepted; the empty ones were index entries written (and moved) for nothing.
DROP INDEX tradeins_imei_taken;
DROP INDEX tradeins_serial_taken;
CREATE UNIQUE INDEX tradeins_imei_taken ON tradeins(imei) WHERE imei IS NOT NULL
    AND state IN ('accepted', 'printed', 'bagged', 'shipped', 'received') AND resold_at IS NULL;
CREATE UNIQUE INDEX tradeins_serial_taken ON tradeins(serial) WHERE serial IS NOT NULL
    AND state IN ('accepted', 'printed', 'bagged', 'shipped', 'received') AND resold_at IS NULL;
DROP INDEX tradeins_seller_ref;
CREATE INDEX tradeins_seller_ref ON tradeins(seller_ref) WHERE seller_ref IS NOT NULL;
-- A voucher is found by its code: the code is the table's key (WITHOUT ROWID), not a second index beside it.
CREATE TABLE vouchers_by_code (
    code TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    tradein_uuid TEXT UNIQUE REFERENCES tradeins(uuid),
    issued_minor INTEGER NOT NULL CHECK (issued_minor > 0),
    -- Never below zero, never above what was issued: a voucher cannot be spent twice, whatever the code does.
    balance_minor INTEGER NOT NULL CHECK (balance_minor >= 0 AND balance_minor <= issued_minor),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO vouchers_by_code SELECT code, store_id, tradein_uuid, issued_minor, balance_minor, currency, status,
    issued_at, expires_at FROM vouchers;
DROP TABLE vouchers;
ALTER TABLE vouchers_by_code RENAME TO vouchers;
"""),
    (17, "a print job belongs to the terminal that made it: only that terminal's printer prints or retries it", """
-- Terminals of one store share this file: without an owner, any terminal's retrier took any failed job (the
-- self-service kiosk printed a counter receipt, the seller's name on it, into its own printer).
ALTER TABLE print_jobs ADD COLUMN terminal_id TEXT REFERENCES terminals(id);
UPDATE print_jobs SET terminal_id = (SELECT terminal_id FROM tradeins WHERE tradeins.uuid = print_jobs.tradein_uuid);
DROP INDEX print_jobs_due;
CREATE INDEX print_jobs_due ON print_jobs(terminal_id, status, next_attempt_at);
"""),
    (19, "the police register's own key, and purge marks dated by their last entry", """
-- 'own_key_from': entries from this number on are chained under the register's own key (REGISTER_KEY_FILE, out of
-- the data folder); earlier keyed ones under the key derived from the data keys, which sat beside the database.
-- A 'purged_through' mark now carries the date its last entry was entered: `register verify` refuses a mark younger
-- than the register's 10 years (core/data/retention.toml), or one HQ's anchors contradict.
CREATE TABLE register_marks_sealed (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('keyed_from', 'purged_through', 'own_key_from')),
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    entered_at TEXT,
    PRIMARY KEY (kind, seq)
);
INSERT INTO register_marks_sealed (seq, kind, hash, at) SELECT seq, kind, hash, at FROM register_marks;
DROP TABLE register_marks;
ALTER TABLE register_marks_sealed RENAME TO register_marks;
CREATE TRIGGER register_marks_append_only BEFORE UPDATE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
CREATE TRIGGER register_marks_kept BEFORE DELETE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
INSERT INTO register_marks (seq, kind, hash, at)
    SELECT coalesce(max(seq), 0) + 1, 'own_key_from', '', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    FROM police_register;
"""),
    (20, "the till's fiscal chain: Ed25519 keys per terminal, signed records, closures, technical event journal", """
-- CGI art. 286 I-3° bis (core/data/fiscal.toml). Each terminal's public key (its private key sits 0600 beside the
-- register's key, out of the data folder); one chain of signed records per database, in seq order: each ticket,
-- closure, JET event and archive, signed with its terminal's key over its key fields and the previous signature.
CREATE TABLE fiscal_keys (
    terminal_id TEXT PRIMARY KEY REFERENCES terminals(id),
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE fiscal_records (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'closure', 'jet', 'archive')),
    doc_uuid TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL,
    at TEXT NOT NULL,
    local_date TEXT NOT NULL,              -- the store's local date of `at`: the day, month and year it belongs to
    terminal_id TEXT NOT NULL,
    software_version TEXT NOT NULL,
    totals TEXT NOT NULL,                  -- JSON per VAT bucket (core.fiscal.ticket_totals)
    total_minor INTEGER NOT NULL,
    perpetual_minor INTEGER NOT NULL,      -- the perpetual grand total after this record
    prev_signature TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX fiscal_records_date ON fiscal_records(local_date);
CREATE TABLE fiscal_closures (
    uuid TEXT PRIMARY KEY,
    level TEXT NOT NULL CHECK (level IN ('day', 'month', 'year')),
    label TEXT NOT NULL,                   -- 'Z-12', '2026-11', '2026'
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,             -- the last chain record the closure counts
    data TEXT NOT NULL,                    -- JSON: period and perpetual totals per VAT bucket, tickets counted
    created_at TEXT NOT NULL,
    UNIQUE (level, label)
);
CREATE TABLE fiscal_events (
    uuid TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    code TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    staff_id TEXT,
    detail TEXT NOT NULL
);
CREATE TABLE fiscal_archives (
    uuid TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    made_at TEXT NOT NULL
);
"""),
    (21, "fiscal records are insert-only: UPDATE and DELETE refused on every fiscal table", _insert_only(
        "sales", "sale_lines", "tenders", "fiscal_records", "fiscal_closures", "fiscal_events", "fiscal_archives",
        "fiscal_keys")),
    (22, "the margin scheme: a product's VAT treatment and purchase price, kept on each sale line", """
-- 'margin' (CGI art. 297 A): a second-hand device whose VAT is due on the margin over purchase_minor (VAT included,
-- from HQ's products file). The till uses a trade-in's total instead when the IMEI was traded in at this store.
ALTER TABLE products ADD COLUMN vat_scheme TEXT NOT NULL DEFAULT 'standard'
    CHECK (vat_scheme IN ('standard', 'margin'));
ALTER TABLE products ADD COLUMN purchase_minor INTEGER CHECK (purchase_minor >= 0);
-- NULL: standard VAT; a number: sold under the margin scheme, the unit purchase price the margin is taken over.
ALTER TABLE sale_lines ADD COLUMN margin_purchase_minor INTEGER CHECK (margin_purchase_minor >= 0);
"""),
    (23, "returns and warranty claims for sales of another store of the network, looked up at HQ", """
-- A return of another store's sale is this store's own document (a 'return' row in sales, its lines and refund
-- tenders); this row names the original it references, which lives in the other store's database and at HQ.
CREATE TABLE returns_elsewhere (
    return_uuid TEXT PRIMARY KEY REFERENCES sales(uuid),
    original_uuid TEXT NOT NULL,
    original_number TEXT NOT NULL,
    original_store_id TEXT NOT NULL,
    original_store_name TEXT NOT NULL
);
CREATE TRIGGER returns_elsewhere_kept BEFORE UPDATE ON returns_elsewhere
BEGIN SELECT RAISE(ABORT, 'a return is final: it cannot be changed'); END;
CREATE TRIGGER returns_elsewhere_not_deleted BEFORE DELETE ON returns_elsewhere
BEGIN SELECT RAISE(ABORT, 'a return is final: it cannot be deleted'); END;
-- A warranty claim's intake ticket: the device, the sale it was bought with (any store's), what the customer says
-- and the state it came in. hq_status is HQ's answer as last seen (the claim itself never changes).
CREATE TABLE warranty_claims (
    uuid TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    store_id TEXT NOT NULL REFERENCES stores(id),
    terminal_id TEXT NOT NULL REFERENCES terminals(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    identifier TEXT NOT NULL,
    product_name TEXT NOT NULL,
    sale_uuid TEXT NOT NULL,
    sale_number TEXT NOT NULL,
    sale_store_name TEXT NOT NULL,
    warranty_end TEXT NOT NULL,
    problem TEXT NOT NULL,
    condition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    hq_status TEXT,
    hq_status_at TEXT
);
CREATE INDEX warranty_claims_identifier ON warranty_claims(identifier);
"""),
    (25, "a manager's approval given on the quote screen, kept for the offer it approved", """
CREATE TABLE tradein_approvals (
    tradein_uuid TEXT PRIMARY KEY REFERENCES tradeins(uuid),
    approver_id TEXT NOT NULL REFERENCES staff(id),
    total_minor INTEGER NOT NULL,
    approved_at TEXT NOT NULL
);
"""),
    (26, "photos behind every grade: shots of a device, stored by the SHA-256 of their file, sent to HQ apart", """
-- A shot of a trade-in's device (taken at the counter) or of a customer's estimate (at the totem: the trade-in the
-- clerk makes of the ticket takes it over). The file is <data dir>/photos/<sha256[:2]>/<sha256>.<ext>, re-encoded
-- without any metadata; two shots of the same bytes share one file. record_seq: the outbox record that told HQ to
-- expect it (written when the trade-in is accepted, or at once after); uploaded_at: HQ holds the whole file.
CREATE TABLE photos (
    uuid TEXT PRIMARY KEY,
    tradein_uuid TEXT REFERENCES tradeins(uuid),
    estimate_uuid TEXT REFERENCES estimates(uuid) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('front', 'back', 'screen', 'imei_screen', 'damage')),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/webp')),
    bytes INTEGER NOT NULL CHECK (bytes > 0),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    taken_at TEXT NOT NULL,
    taken_by TEXT REFERENCES staff(id),   -- NULL: the customer, at the totem
    terminal_id TEXT,
    record_seq INTEGER,
    uploaded_at TEXT,
    upload_refused TEXT,                  -- HQ's refusal of the file, kept for staff (the backlog moves on)
    CHECK (tradein_uuid IS NOT NULL OR estimate_uuid IS NOT NULL)
);
CREATE INDEX photos_tradein ON photos(tradein_uuid) WHERE tradein_uuid IS NOT NULL;
CREATE INDEX photos_estimate ON photos(estimate_uuid) WHERE estimate_uuid IS NOT NULL;
CREATE INDEX photos_sha256 ON photos(sha256);
CREATE INDEX photos_to_send ON photos(record_seq) WHERE uploaded_at IS NULL AND upload_refused IS NULL;
-- The shots this store must take before it buys (comma-separated kinds); NULL: its country's rule
-- (core/data/photos.toml), '' none.
ALTER TABLE stores ADD COLUMN required_photos TEXT;
"""),
    (27, "devices HQ sends back for their sellers to pick up (a counter-offer refused), and when handed back", """
-- From HQ's feed (kiosk.tradein.counter_offers): asked when the seller refused HQ's counter-offer and chose the
-- store, sent when HQ posted it here; handed back by a clerk, which tells HQ (its device.handed_back record).
CREATE TABLE returns_from_hq (
    tradein_uuid TEXT PRIMARY KEY REFERENCES tradeins(uuid),
    asked_at TEXT NOT NULL,
    sent_at TEXT,
    handed_back_at TEXT,
    handed_back_by TEXT REFERENCES staff(id)
);
CREATE INDEX returns_from_hq_waiting ON returns_from_hq(asked_at) WHERE handed_back_at IS NULL;
"""),
    (31, "a terminal rebuilt from HQ: its police register continues after the head HQ anchored", """
-- 'restored_through' (kiosk.provisioning.restore): the dead terminal's entries up to this number are not on this one
-- (HQ held only their chained head, `hash`); `register verify` starts after it and checks it against HQ's anchor.
CREATE TABLE register_marks_v31 (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('keyed_from', 'purged_through', 'own_key_from', 'restored_through')),
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    entered_at TEXT,
    PRIMARY KEY (kind, seq)
);
INSERT INTO register_marks_v31 SELECT seq, kind, hash, at, entered_at FROM register_marks;
DROP TABLE register_marks;
ALTER TABLE register_marks_v31 RENAME TO register_marks;
CREATE TRIGGER register_marks_append_only BEFORE UPDATE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
CREATE TRIGGER register_marks_kept BEFORE DELETE ON register_marks
BEGIN SELECT RAISE(ABORT, 'register marks are append-only'); END;
"""),
    (32, "jurisdiction packs: a store's rules, its US identifiers, sales tax added at the till, US privacy rights", """
-- The pack the store trades under (core.jurisdiction; a store made before packs is French) and the identifiers a pack
-- other than France's asks for: a New York store's EIN and NYC DCWP dealer licence.
ALTER TABLE stores ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE stores ADD COLUMN ein TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN dealer_licence TEXT NOT NULL DEFAULT '';
-- Sales tax added to a sale's (or refunded with a return's) lines, and its rate in percent as the pack said it when
-- sold ('' and 0 where prices include VAT): total_minor = the lines' total + tax_minor.
ALTER TABLE sales ADD COLUMN tax_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales ADD COLUMN tax_rate TEXT NOT NULL DEFAULT '';
-- A customer's request under the store's privacy regime: GDPR's rights, or the US store's know, delete, correct
-- and opt out (its pack's policy). The table is rebuilt for its wider CHECK; its rows are kept.
CREATE TABLE privacy_requests_v32 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'restriction', 'portability',
                                       'objection', 'know', 'delete', 'correct', 'opt_out')),
    seller_ref TEXT NOT NULL,
    received_at TEXT NOT NULL,
    due_on TEXT NOT NULL,
    answered_at TEXT,
    note TEXT NOT NULL DEFAULT ''
);
INSERT INTO privacy_requests_v32 SELECT id, kind, seller_ref, received_at, due_on, answered_at, note
    FROM privacy_requests;
DROP TABLE privacy_requests;
ALTER TABLE privacy_requests_v32 RENAME TO privacy_requests;
CREATE INDEX privacy_requests_open ON privacy_requests(answered_at, due_on);
"""),
    (33, "New York City's second-hand dealer record of each purchase, and its daily reports", """
-- A purchase at a store whose jurisdiction keeps the record (core.dealer_record, kiosk.compliance.dealer_record),
-- written in the accept's transaction: the day it belongs to in the store's time zone (its report), the record's
-- columns as encrypted JSON (the seller's name, residence and ID are personal data), its photos by SHA-256, and the
-- day until which the law keeps it (six years). Not linked to tradeins: it outlives the trade-in's own purge.
CREATE TABLE dealer_records (
    tradein_uuid TEXT PRIMARY KEY,
    local_day TEXT NOT NULL,
    purchased_at TEXT NOT NULL,
    content TEXT NOT NULL,
    photos TEXT NOT NULL,
    retain_until TEXT NOT NULL
);
CREATE INDEX dealer_records_day ON dealer_records(local_day);
-- Only the encrypted content may be rewritten (a key rotation re-encrypts the same record); none goes early.
CREATE TRIGGER dealer_records_kept BEFORE UPDATE ON dealer_records
WHEN NEW.tradein_uuid IS NOT OLD.tradein_uuid OR NEW.local_day IS NOT OLD.local_day
  OR NEW.purchased_at IS NOT OLD.purchased_at OR NEW.photos IS NOT OLD.photos
  OR NEW.retain_until IS NOT OLD.retain_until
BEGIN SELECT RAISE(ABORT, 'a dealer record is kept as written'); END;
CREATE TRIGGER dealer_records_kept_six_years BEFORE DELETE ON dealer_records
WHEN OLD.retain_until > date('now')
BEGIN SELECT RAISE(ABORT, 'dealer records are kept until their retention date'); END;
-- One report a day (a ZIP of records.csv and the photos, in the data folder's dealer_reports/): made after the day's
-- midnight, then handed over to the city's service by staff (a command or the sync page's button).
CREATE TABLE dealer_reports (
    day TEXT PRIMARY KEY,
    made_at TEXT NOT NULL,
    records INTEGER NOT NULL,
    photos INTEGER NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    handed_over_at TEXT,
    handed_over_by TEXT REFERENCES staff(id),
    retain_until TEXT NOT NULL
);
"""),
    (34, "the customer's phone tests itself: its test links at HQ and the report each brought back", """
-- kiosk.diagnostics: a test link registered at HQ for a trade-in (only its token's SHA-256 is kept here and at HQ; the
-- token itself is shown once, in the QR code), and the phone's report once fetched back (JSON, as the phone sent it
-- through HQ; judged by core.device_tests whenever it is read). Nothing personal: it describes the device.
CREATE TABLE device_tests (
    token_sha256 TEXT PRIMARY KEY,
    tradein_uuid TEXT NOT NULL REFERENCES tradeins(uuid),
    started_at TEXT NOT NULL,
    started_by TEXT REFERENCES staff(id),
    expires_at TEXT NOT NULL,
    tone_hz INTEGER NOT NULL,
    -- open until HQ says the link is used (the report came) or expired without one
    hq_status TEXT NOT NULL DEFAULT 'open' CHECK (hq_status IN ('open', 'used', 'expired')),
    tested_at TEXT,    -- when the phone sent its report (HQ's clock)
    received_at TEXT,  -- when it reached this terminal (this clock: the clerk's later answers are compared with it)
    report TEXT
);
CREATE INDEX device_tests_tradein ON device_tests(tradein_uuid, started_at);
"""),
    (35, "indexes for a busy store's X/Z page and its bags ready to ship (a full scan of ten years of trade-ins)", """
CREATE INDEX tradeins_accepted_at ON tradeins(accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX tradeins_unshipped_state ON tradeins(state) WHERE shipment_uuid IS NULL;
"""),
    (38, "a busy store's years without full scans: its shipments, print jobs, vouchers and refused photos", """
-- The latest shipments by their index, then each one's bags and how many HQ received from this index alone
-- (kiosk.tradein.shipping.recent_shipments): 4 s a page with 3,650 shipments of 100,000 trade-ins, 0.5 ms with it.
CREATE INDEX shipments_store_closed ON shipments(store_id, closed_at);
CREATE INDEX tradeins_shipment_state ON tradeins(shipment_uuid, state) WHERE shipment_uuid IS NOT NULL;
-- The bags ready to ship (kiosk.tradein.shipping.ready_to_ship), in the order the page lists them: the few hundred
-- of a busy fortnight in an index of their own, where migration 35's held every trade-in never shipped (declined,
-- cancelled...) and its bags were then sorted (3.8 ms at a million trade-ins with a cold cache, 0.9 with this).
CREATE INDEX tradeins_ready_to_ship ON tradeins(store_id, accepted_at)
    WHERE shipment_uuid IS NULL AND state IN ('accepted', 'printed', 'bagged');
-- A trade-in's print jobs (its page, and each print's look for the first receipt): two a trade-in bought. And a
-- terminal's last one (the sync page's printer health), which read back through every job of the years when
-- this terminal printed none of them (48 ms a page at 100,000 trade-ins).
CREATE INDEX print_jobs_tradein ON print_jobs(tradein_uuid, kind);
CREATE INDEX print_jobs_terminal ON print_jobs(terminal_id);
-- The vouchers issued in an X/Z report's period: one a trade-in paid in store credit.
CREATE INDEX vouchers_issued ON vouchers(store_id, issued_at);
-- The photos HQ refused, newest first (the sync page), among every shot of the years.
CREATE INDEX photos_refused ON photos(taken_at) WHERE upload_refused IS NOT NULL;
"""),
)
