"""HQ schema, numbered migrations written in the SQL both backends (SQLite and PostgreSQL) accept."""

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE hq_stores (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acked_through_seq BIGINT NOT NULL DEFAULT 0,
    last_batch_at TEXT
);
CREATE TABLE hq_batches (
    batch_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    received_at TEXT NOT NULL,
    records INTEGER NOT NULL
);
CREATE TABLE hq_records (
    record_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX hq_records_store_seq ON hq_records (store_id, seq);
CREATE TABLE hq_seen_seqs (
    store_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (store_id, seq)
);
CREATE TABLE hq_rejections (
    store_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    record_uuid TEXT NOT NULL,
    reason TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (store_id, seq, record_uuid)
);
CREATE TABLE hq_reference (
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    published_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);
"""),
    (2, """
ALTER TABLE hq_records ADD COLUMN identifier TEXT;
ALTER TABLE hq_records ADD COLUMN entity_uuid TEXT;
CREATE INDEX hq_records_identifier ON hq_records (identifier);
CREATE INDEX hq_records_entity ON hq_records (entity_uuid);
"""),
    (3, """
CREATE TABLE hq_tradeins (
    uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    code TEXT NOT NULL,
    identifier TEXT,
    device_kind TEXT,
    brand TEXT,
    model TEXT,
    storage_gb INTEGER,
    cosmetic_grade TEXT,
    functional_grade INTEGER,
    grid_version TEXT,
    spec_version TEXT,
    currency TEXT,
    total_minor BIGINT,
    staff_id TEXT,
    accepted_at TEXT,
    synced_at TEXT NOT NULL,
    store_state TEXT NOT NULL,
    received_at TEXT,
    received_by TEXT,
    regrade_status TEXT NOT NULL DEFAULT 'none'
);
CREATE INDEX hq_tradeins_accepted ON hq_tradeins (accepted_at);
CREATE INDEX hq_tradeins_store_accepted ON hq_tradeins (store_id, accepted_at);
CREATE INDEX hq_tradeins_code ON hq_tradeins (code);
CREATE INDEX hq_tradeins_identifier ON hq_tradeins (identifier);
CREATE TABLE hq_staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('receiver', 'supervisor')),
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE hq_events (
    id TEXT PRIMARY KEY,
    tradein_uuid TEXT NOT NULL REFERENCES hq_tradeins(uuid),
    store_id TEXT NOT NULL,
    at TEXT NOT NULL,
    staff_name TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX hq_events_tradein ON hq_events (tradein_uuid, at);
CREATE INDEX hq_events_store_at ON hq_events (store_id, at);
CREATE TABLE hq_regrades (
    tradein_uuid TEXT PRIMARY KEY REFERENCES hq_tradeins(uuid),
    regraded_by TEXT NOT NULL,
    regraded_at TEXT NOT NULL,
    answers TEXT NOT NULL,
    cosmetic_grade TEXT NOT NULL,
    functional_grade INTEGER NOT NULL,
    store_minor BIGINT,
    hq_minor BIGINT,
    changes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'open', 'accepted', 'rejected')),
    decided_by TEXT,
    decided_at TEXT,
    note TEXT
);
CREATE TABLE hq_shipments (
    shipment_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    code TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    synced_at TEXT NOT NULL
);
CREATE TABLE hq_shipment_bags (
    shipment_uuid TEXT NOT NULL REFERENCES hq_shipments(shipment_uuid),
    tradein_uuid TEXT NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (shipment_uuid, tradein_uuid)
);
CREATE INDEX hq_shipment_bags_tradein ON hq_shipment_bags (tradein_uuid);
ALTER TABLE hq_stores ADD COLUMN backlog_pending BIGINT;
ALTER TABLE hq_stores ADD COLUMN backlog_oldest_at TEXT
"""),
    (4, """
CREATE TABLE hq_daily (
    store_id TEXT NOT NULL,
    day TEXT NOT NULL,
    cosmetic_grade TEXT NOT NULL,
    tradeins BIGINT NOT NULL,
    value_minor BIGINT NOT NULL,
    PRIMARY KEY (store_id, day, cosmetic_grade)
);
INSERT INTO hq_daily SELECT store_id, substr(accepted_at, 1, 10), coalesce(cosmetic_grade, '?'), count(*),
    coalesce(sum(total_minor), 0) FROM hq_tradeins WHERE store_state NOT IN ('declined', 'cancelled')
    AND accepted_at IS NOT NULL GROUP BY store_id, substr(accepted_at, 1, 10), coalesce(cosmetic_grade, '?');
CREATE INDEX hq_daily_day ON hq_daily (day);
CREATE INDEX hq_tradeins_regraded ON hq_tradeins (store_id, accepted_at) WHERE regrade_status <> 'none';
CREATE INDEX hq_tradeins_model ON hq_tradeins (model, accepted_at)
"""),
    (5, """
CREATE TABLE hq_vouchers (
    code TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    tradein_uuid TEXT,
    issued_minor BIGINT NOT NULL,
    balance_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX hq_vouchers_tradein ON hq_vouchers (tradein_uuid);
CREATE TABLE hq_voucher_uses (
    sale_uuid TEXT NOT NULL,
    code TEXT NOT NULL,
    store_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (sale_uuid, code)
)
"""),
    (6, """
CREATE TABLE hq_vouchers_checked (
    code TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    tradein_uuid TEXT,
    issued_minor BIGINT NOT NULL,
    balance_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK (issued_minor > 0 AND balance_minor >= 0 AND balance_minor <= issued_minor)
);
INSERT INTO hq_vouchers_checked SELECT code, store_id, tradein_uuid, issued_minor,
    CASE WHEN balance_minor < 0 THEN 0 WHEN balance_minor > issued_minor THEN issued_minor ELSE balance_minor END,
    status, expires_at FROM hq_vouchers WHERE issued_minor > 0;
DROP TABLE hq_vouchers;
ALTER TABLE hq_vouchers_checked RENAME TO hq_vouchers;
CREATE INDEX hq_vouchers_tradein ON hq_vouchers (tradein_uuid);
ALTER TABLE hq_voucher_uses ADD COLUMN original_uuid TEXT
"""),
    (7, """
ALTER TABLE hq_staff ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hq_staff ADD COLUMN locked_until TEXT
"""),
    (8, """
ALTER TABLE hq_stores ADD COLUMN register_seq BIGINT;
ALTER TABLE hq_stores ADD COLUMN register_hash TEXT;
ALTER TABLE hq_stores ADD COLUMN register_at TEXT
"""),
    (9, """
CREATE TABLE hq_sessions (
    sid TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES hq_staff(id),
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
)
"""),
    (10, """
ALTER TABLE hq_stores ADD COLUMN legal_name TEXT;
ALTER TABLE hq_stores ADD COLUMN siret TEXT;
ALTER TABLE hq_stores ADD COLUMN address TEXT;
ALTER TABLE hq_stores ADD COLUMN country TEXT;
ALTER TABLE hq_stores ADD COLUMN locale TEXT;
ALTER TABLE hq_stores ADD COLUMN currency TEXT;
ALTER TABLE hq_stores ADD COLUMN timezone TEXT;
ALTER TABLE hq_stores ADD COLUMN vat_regime TEXT;
ALTER TABLE hq_stores ADD COLUMN revoked_at TEXT;
CREATE TABLE hq_enrolment_codes (
    code_hash TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
ALTER TABLE hq_tradeins ADD COLUMN tracking_hash TEXT;
ALTER TABLE hq_tradeins ADD COLUMN payout_method TEXT;
ALTER TABLE hq_tradeins ADD COLUMN resold_at TEXT;
CREATE INDEX hq_tradeins_tracking ON hq_tradeins (code, tracking_hash);
CREATE TABLE hq_payouts (
    tradein_uuid TEXT PRIMARY KEY REFERENCES hq_tradeins(uuid),
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    code TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    account TEXT NOT NULL,
    iban_last4 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'exported', 'sent', 'returned')),
    attempt INTEGER NOT NULL DEFAULT 1,
    requested_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hq_payouts_status ON hq_payouts (status, requested_at);
CREATE TABLE hq_payout_exports (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    payouts BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    xml TEXT NOT NULL,
    sent_at TEXT,
    sent_by TEXT
);
CREATE TABLE hq_payout_items (
    export_id TEXT NOT NULL REFERENCES hq_payout_exports(id),
    tradein_uuid TEXT NOT NULL REFERENCES hq_payouts(tradein_uuid),
    attempt INTEGER NOT NULL,
    PRIMARY KEY (export_id, tradein_uuid),
    UNIQUE (tradein_uuid, attempt)
)
"""),
    (11, """
ALTER TABLE hq_tradeins ADD COLUMN identifier2 TEXT;
CREATE INDEX hq_tradeins_identifier2 ON hq_tradeins (identifier2)
"""),
    # Fewer index writes per ingested trade-in: a code is looked up through (code, tracking_hash), and only a
    # dual-SIM phone has a second IMEI to index.
    (12, """
DROP INDEX hq_tradeins_code;
DROP INDEX hq_tradeins_identifier2;
CREATE INDEX hq_tradeins_identifier2 ON hq_tradeins (identifier2) WHERE identifier2 IS NOT NULL
"""),
    # No query looks records up by device identifier (HQ finds a device through hq_tradeins): one index write
    # less per record. pg_stat_user_indexes after bench/bench_hq_pages.py: 0 scans.
    (13, """
DROP INDEX hq_records_identifier
"""),
    # Payouts (issue 29): one a SEPA file cannot carry, or above its store's cap, is set aside with the reason
    # (`hold`) for a supervisor, never blocking the others; a cancel that reaches HQ after the transfer was
    # ordered is flagged; each store has a payout cap (default 1,500.00) and pays before receipt only if told to.
    (14, """
ALTER TABLE hq_payouts ADD COLUMN hold TEXT;
ALTER TABLE hq_payouts ADD COLUMN approved_by TEXT;
ALTER TABLE hq_payouts ADD COLUMN late_cancel_at TEXT;
ALTER TABLE hq_payouts ADD COLUMN late_cancel_note TEXT;
CREATE INDEX hq_payouts_late_cancel ON hq_payouts (late_cancel_at) WHERE late_cancel_at IS NOT NULL;
ALTER TABLE hq_stores ADD COLUMN payout_cap_minor BIGINT NOT NULL DEFAULT 150000;
ALTER TABLE hq_stores ADD COLUMN payout_before_receipt INTEGER NOT NULL DEFAULT 0
"""),
    # A trade-in code names one trade-in network-wide (bag labels, seller links): the first trade-in to reach HQ
    # with a code holds it, and ingest refuses another store's trade-in carrying it. Codes held twice before this
    # go to the trade-in HQ received first; the other keeps its row and is found by its uuid.
    (15, """
CREATE TABLE hq_tradein_codes (
    code TEXT PRIMARY KEY,
    tradein_uuid TEXT NOT NULL,
    store_id TEXT NOT NULL
);
INSERT INTO hq_tradein_codes (code, tradein_uuid, store_id) SELECT code, uuid, store_id FROM hq_tradeins
    WHERE true ORDER BY synced_at, uuid ON CONFLICT (code) DO NOTHING
"""),
    # Every police-register head a store anchored, not only the last: a head at a number HQ already holds with
    # another hash (a fork: the register rewritten and re-chained) is refused and kept for a supervisor, and
    # `register verify` compares the terminal's entries with each anchored head.
    (16, """
CREATE TABLE hq_register_anchors (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (store_id, seq)
);
INSERT INTO hq_register_anchors SELECT id, register_seq, register_hash, register_at FROM hq_stores
    WHERE register_seq IS NOT NULL AND register_hash IS NOT NULL;
CREATE TABLE hq_register_forks (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    offered_hash TEXT NOT NULL,
    anchored_seq BIGINT NOT NULL,
    anchored_hash TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (store_id, seq, offered_hash)
)
"""),
    # The till's fiscal chain (CGI art. 286 I-3° bis): every head a store's terminals anchored (seq and the SHA-256 of
    # the record's signature), and the heads refused as forks (the chain rewritten and re-signed), shown to
    # supervisors; `fiscal verify` at the terminal compares its records with each anchored head. Each terminal's
    # public key as HQ first received it (with a head): a chain re-signed with another key does not verify under it.
    (18, """
CREATE TABLE hq_fiscal_keys (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    terminal_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (store_id, terminal_id)
);
CREATE TABLE hq_fiscal_anchors (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (store_id, seq)
);
CREATE TABLE hq_fiscal_forks (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    offered_hash TEXT NOT NULL,
    anchored_seq BIGINT NOT NULL,
    anchored_hash TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (store_id, seq, offered_hash)
)
"""),
    # Sales as every store's till synced them, so another store can take a return or a warranty claim: found by the
    # receipt number or a device line's IMEI; what each line has come back (returns at any store); warranty claims
    # opened at any store, with the status HQ's after-sales desk gives them.
    (19, """
CREATE TABLE hq_sales (
    sale_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    number TEXT NOT NULL,
    sold_at TEXT NOT NULL,
    currency TEXT NOT NULL,
    lines TEXT NOT NULL,
    tenders TEXT NOT NULL
);
CREATE INDEX hq_sales_number ON hq_sales (number);
CREATE TABLE hq_sale_devices (
    identifier TEXT NOT NULL,
    sale_uuid TEXT NOT NULL,
    PRIMARY KEY (identifier, sale_uuid)
);
CREATE TABLE hq_sale_returns (
    return_uuid TEXT NOT NULL,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    original_uuid TEXT NOT NULL,
    original_line_no INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (return_uuid, original_line_no)
);
CREATE INDEX hq_sale_returns_original ON hq_sale_returns (original_uuid);
CREATE TABLE hq_sale_refunds (
    return_uuid TEXT NOT NULL,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    original_uuid TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (return_uuid, kind)
);
CREATE INDEX hq_sale_refunds_original ON hq_sale_refunds (original_uuid);
CREATE TABLE hq_warranty_claims (
    claim_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    number TEXT NOT NULL,
    sale_uuid TEXT,
    identifier TEXT,
    problem TEXT,
    device_condition TEXT,
    opened_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    status_at TEXT NOT NULL
)
"""),
    # Issue 32, limits on payouts (hq.services.payout_limits): a keyed fingerprint of each payout's IBAN (HMAC under
    # HQ's data key: accounts compared with no IBAN in clear), which holds a supervisor released (a payout may be
    # held for more than one reason), and each store's daily total before receipt (NULL: 5 x its cap).
    (21, """
ALTER TABLE hq_payouts ADD COLUMN account_fp TEXT;
ALTER TABLE hq_payouts ADD COLUMN approved_holds TEXT NOT NULL DEFAULT '';
UPDATE hq_payouts SET approved_holds = 'cap' WHERE approved_by IS NOT NULL;
CREATE INDEX hq_payouts_account_fp ON hq_payouts (account_fp, requested_at);
ALTER TABLE hq_stores ADD COLUMN payout_daily_minor BIGINT
"""),
    # Photos behind a store's grade (issue 33): each shot's record as the store sent it (which trade-in, which kind,
    # the SHA-256 and size of its file), and the files HQ holds whole, its SHA-256 checked (hq.storage.photos keeps
    # the bytes). A file is shown once it is here and a shot of that trade-in's own store names it.
    (23, """
CREATE TABLE hq_photos (
    photo_uuid TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    tradein_uuid TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    taken_at TEXT,
    taken_by TEXT,
    source TEXT,
    synced_at TEXT NOT NULL
);
CREATE INDEX hq_photos_tradein ON hq_photos (tradein_uuid);
CREATE INDEX hq_photos_sha256 ON hq_photos (sha256, store_id);
CREATE TABLE hq_photo_files (
    sha256 TEXT PRIMARY KEY,
    bytes BIGINT NOT NULL,
    stored_at TEXT NOT NULL
)
"""),
    # Counter-offers (issue 33, hq.services.counter_offers): HQ's lower grade stands, so the seller is asked to accept
    # the new amount or take the device back, by a deadline after which the policy frozen on the offer applies. One
    # answer per offer: its row's primary key decides between two tabs, a double click and the deadline job. A refused
    # device goes back (hq_returns): to the store for pickup, or by post to the address the seller typed (sealed).
    (24, """
CREATE TABLE hq_counter_offers (
    tradein_uuid TEXT PRIMARY KEY REFERENCES hq_tradeins(uuid),
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    old_minor BIGINT NOT NULL,
    new_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    payout_method TEXT NOT NULL,
    made_at TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    policy TEXT NOT NULL CHECK (policy IN ('accept', 'return')),
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'refused', 'waived')),
    outcome TEXT NOT NULL DEFAULT '{}',
    CHECK (new_minor >= 0 AND new_minor < old_minor)
);
CREATE INDEX hq_counter_offers_due ON hq_counter_offers (deadline_at) WHERE status = 'open';
CREATE TABLE hq_counter_offer_answers (
    tradein_uuid TEXT PRIMARY KEY REFERENCES hq_counter_offers(tradein_uuid),
    answer TEXT NOT NULL CHECK (answer IN ('accept', 'refuse')),
    answered_by TEXT NOT NULL CHECK (answered_by IN ('seller', 'deadline')),
    answered_at TEXT NOT NULL
);
CREATE TABLE hq_returns (
    tradein_uuid TEXT PRIMARY KEY REFERENCES hq_tradeins(uuid),
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    code TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('store', 'post')),
    address TEXT NOT NULL DEFAULT '',
    asked_at TEXT NOT NULL,
    sent_at TEXT,
    sent_by TEXT,
    tracking TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hq_returns_asked ON hq_returns (asked_at)
"""),
    # Each terminal's health (issue 35, hq.services.fleet): when HQ last heard from it (a signed batch or report), in
    # which protocol, the clock offset HQ measured from the request's signed timestamp, and its last report as
    # core.health re-wrote it (JSON). A terminal older than protocol 2.1 sends no report and no id: terminal_id ''.
    (25, """
CREATE TABLE hq_terminal_health (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    terminal_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    protocol TEXT NOT NULL,
    hq_clock_offset_s INTEGER,
    health TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (store_id, terminal_id)
)
"""),
    # Jurisdiction packs (issue 34, core.jurisdiction): the pack a store trades under (existing stores are French) and
    # the identifiers a pack other than France's asks for: a US store's EIN and its NYC DCWP dealer licence.
    (27, """
ALTER TABLE hq_stores ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT 'fr';
ALTER TABLE hq_stores ADD COLUMN ein TEXT NOT NULL DEFAULT '';
ALTER TABLE hq_stores ADD COLUMN dealer_licence TEXT NOT NULL DEFAULT ''
"""),
    # Markets (issue 34, core.markets): a grid, catalog, promos or products version is published for one market (a
    # currency: a store pulls its own currency's), the blocklist and TAC table for every market (''). The table is
    # rebuilt for its new key: the same version name may be EUR's and USD's. What was published before markets was
    # the French stores': EUR. And each New York store's daily dealer record report (kiosk.compliance.dealer_record):
    # made at the store, then handed over to the city's service by its staff (dealer_report.* records).
    (28, """
CREATE TABLE hq_reference_v28 (
    kind TEXT NOT NULL,
    market TEXT NOT NULL,
    version TEXT NOT NULL,
    published_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, market, version)
);
INSERT INTO hq_reference_v28 SELECT kind, CASE WHEN kind IN ('blocklist', 'tacs') THEN '' ELSE 'EUR' END, version,
    published_at, data FROM hq_reference;
DROP TABLE hq_reference;
ALTER TABLE hq_reference_v28 RENAME TO hq_reference;
CREATE TABLE hq_dealer_reports (
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    day TEXT NOT NULL,
    made_at TEXT NOT NULL,
    records INTEGER NOT NULL,
    photos INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    handed_over_at TEXT,
    handed_over_by TEXT,
    PRIMARY KEY (store_id, day)
)
"""),
    # The customer's phone tests itself (issue 33, hq.services.device_tests): a test link a terminal registered (HQ
    # keeps the SHA-256 of its token, never the token), the tone drawn for it, its language, when it expires, and the
    # one report the phone sent (judged again wherever it is read: core.device_tests). No personal data is asked.
    (29, """
CREATE TABLE hq_device_tests (
    token_sha256 TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES hq_stores(id),
    tradein_uuid TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    tone_hz INTEGER NOT NULL,
    language TEXT NOT NULL,
    submitted_at TEXT,
    report TEXT
);
CREATE INDEX hq_device_tests_store ON hq_device_tests (store_id, created_at)
"""),
    # The till's fiscal head record (issue 35): the last anchored record's signed fields and signature, as its links
    # brought it (a signature is no secret: receipts print part of it). One per store, the latest only: a terminal
    # rebuilt from HQ chains its first record to it (hq.services.restore), where the digest alone could not.
    (30, """
CREATE TABLE hq_fiscal_heads (
    store_id TEXT PRIMARY KEY REFERENCES hq_stores(id),
    seq BIGINT NOT NULL,
    record TEXT NOT NULL,
    at TEXT NOT NULL
)
"""),
)
