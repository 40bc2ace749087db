"""core: the pure rules the kiosk and HQ share, one module per concept: identifiers (imei), every code we
mint and `classify()` (codes), grading and the checklist spec (grading), pricing, estimate vs check
(estimating), trade-in states, seller rules, till arithmetic, money, messages, receipt documents
(receipts, sale_receipt), PIN hashing (pins), the store ↔ HQ protocol (protocol), the settings mechanism
(settings), retry delays (backoff) and stored times (clock).

May import the standard library and plain libraries (python-stdnum, Babel, argon2); never Flask, sqlite-utils,
psycopg, the kiosk, sync, HQ or hardware (import-linter checks it). Unit- and property-tested alone.
"""
