"""The customer's phone tests itself, HQ's part (issue 33): a terminal registers a test link for one of its trade-ins
(a signed call; HQ keeps the SHA-256 of the link's token, never the token), the customer's phone opens the page at
HQ's public address with the token, and sends its report once, before the link expires. The terminal fetches the
report back (signed). The report is judged by core.device_tests wherever it is read.

Why at HQ: a phone gets the camera, the microphone and the motion sensors only on a secure page (HTTPS with a
certificate it trusts), which HQ's public address has and a store terminal on the shop's network does not
(docs/counter.md, "The phone tests itself")."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import device_tests
from core.clock import utcnow_ms
from hq.storage import Storage

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")  # what a terminal draws (secrets.token_urlsafe(32): 43 chars)
SHA256_SHAPE = re.compile(r"^[0-9a-f]{64}$")
LANGUAGES = ("fr", "en")
KEPT_UNUSED = timedelta(days=1)  # links never used are deleted a day after they expired


class LinkRefused(ValueError):
    """A registration HQ cannot take (a malformed one, or a token already registered): said to the terminal in
    English, like every refusal of the store API."""


@dataclass(frozen=True)
class Link:
    """A test link as the phone's page sees it: open, expired or used."""

    status: str  # open | expired | used
    tone_hz: int
    language: str
    expires_at: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def register(storage: Storage, store_id: str, body: object, max_minutes: int) -> dict:
    """A terminal's new test link: {token_sha256, tradein_uuid, minutes, language}. Returns {expires_at, tone_hz}."""
    if not isinstance(body, dict):
        raise LinkRefused("send {token_sha256, tradein_uuid, minutes, language}")
    digest, minutes, language = body.get("token_sha256"), body.get("minutes"), body.get("language")
    try:
        tradein_uuid = str(uuid.UUID(str(body.get("tradein_uuid"))[:40]))
    except ValueError:
        raise LinkRefused("tradein_uuid must be a UUID") from None
    if not isinstance(digest, str) or not SHA256_SHAPE.match(digest):
        raise LinkRefused("token_sha256 must be 64 lowercase hex digits")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= max_minutes:
        raise LinkRefused(f"minutes must be a whole number from 1 to {max_minutes}")
    now = datetime.now(UTC)
    expires_at = (now + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")
    tone = device_tests.draw_tone(device_tests.load_spec())
    with storage.transaction() as tx:
        tx.run("DELETE FROM hq_device_tests WHERE store_id = %s AND submitted_at IS NULL AND expires_at < %s",
               [store_id, (now - KEPT_UNUSED).isoformat(timespec="milliseconds")])
        taken = tx.rows("INSERT INTO hq_device_tests (token_sha256, store_id, tradein_uuid, created_at, expires_at, "
                        "tone_hz, language) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (token_sha256) DO NOTHING "
                        "RETURNING token_sha256", [digest, store_id, tradein_uuid, utcnow_ms(), expires_at, tone,
                                                   language if language in LANGUAGES else "fr"])
    if not taken:
        raise LinkRefused("this token is registered already: draw another")
    return {"expires_at": expires_at, "tone_hz": tone}


def link(storage: Storage, token: str) -> Link | None:
    """The link a token opens; None for a token HQ does not know (or not shaped like one)."""
    if not TOKEN_SHAPE.match(token):
        return None
    with storage.read() as tx:
        rows = tx.rows("SELECT tone_hz, language, expires_at, submitted_at FROM hq_device_tests "
                       "WHERE token_sha256 = %s", [token_hash(token)])
    if not rows:
        return None
    tone, language, expires_at, submitted_at = rows[0]
    status = "used" if submitted_at else "expired" if expires_at <= utcnow_ms() else "open"
    return Link(status, int(tone), language, expires_at)


def submit(storage: Storage, token: str, report: dict) -> dict[str, device_tests.Result] | None:
    """The phone's report, kept once while the link is open; its judged results. None: the link is used, expired
    or unknown (nothing kept)."""
    if not TOKEN_SHAPE.match(token):
        return None
    results_of = {key: value for key, value in report.items() if key in {t.id for t in device_tests.load_spec().tests}}
    now = utcnow_ms()
    with storage.transaction() as tx:
        kept = tx.rows("UPDATE hq_device_tests SET submitted_at = %s, report = %s WHERE token_sha256 = %s AND "
                       "submitted_at IS NULL AND expires_at > %s RETURNING tone_hz",
                       [now, json.dumps(results_of, sort_keys=True), token_hash(token), now])
    return device_tests.judge(results_of, int(kept[0][0])) if kept else None


def for_store(storage: Storage, store_id: str, digest: str) -> dict | None:
    """A link of this store as its terminal fetches it back: {status, expires_at, tone_hz, submitted_at, report};
    None for another store's link or an unknown one (the same answer: nobody learns which exist)."""
    if not SHA256_SHAPE.match(digest):
        return None
    with storage.read() as tx:
        rows = tx.rows("SELECT tradein_uuid, expires_at, tone_hz, submitted_at, report FROM hq_device_tests "
                       "WHERE token_sha256 = %s AND store_id = %s", [digest, store_id])
    if not rows:
        return None
    tradein_uuid, expires_at, tone, submitted_at, report = rows[0]
    status = "used" if submitted_at else "expired" if expires_at <= utcnow_ms() else "open"
    return {"status": status, "tradein_uuid": tradein_uuid, "expires_at": expires_at, "tone_hz": int(tone),
            "submitted_at": submitted_at, "report": json.loads(report) if report else None}
