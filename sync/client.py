"""The store's HTTP client for HQ: signed requests, and errors sorted into "retry later" and "fix me"."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urljoin, urlsplit

import requests

from core.messages import Message
from core.protocol import HEADER_PROTOCOL, PROTOCOL_VERSION, rejection_from_json, signed_headers, signed_target


class HQUnavailable(RuntimeError):
    """Network down, timeout, 5xx, 409: nothing is lost, the push is retried with backoff."""


class HQRefused(RuntimeError):
    """401/403/404/413/422: retrying the same request cannot help; staff must see it."""


@dataclass
class HQClient:
    base_url: str
    store_id: str
    secret: str
    timeout: float = 10.0
    protocol: str = PROTOCOL_VERSION  # sent in HEADER_PROTOCOL with every request
    clock: Callable[[], float] = time.time  # what signs the requests' timestamps: this terminal's clock

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.clock_offset_s: int | None = None  # this terminal's clock minus HQ's, from HQ's last Date header

    def _note_clock(self, response: requests.Response, sent_at: float) -> None:
        """HQ's `Date` (whole seconds) against this clock at the middle of the exchange: good to a second or so."""
        try:
            hq_time = parsedate_to_datetime(response.headers["Date"]).timestamp()
        except (KeyError, TypeError, ValueError, IndexError):
            return
        self.clock_offset_s = round((sent_at + self.clock()) / 2 - hq_time - 0.5)  # Date is cut to the second

    def _request(self, method: str, path: str, body: bytes = b"", extra: dict | None = None) -> requests.Response:
        url = urljoin(self.base_url.rstrip("/") + "/", path.lstrip("/"))
        parts = urlsplit(url)
        sent_at, self.clock_offset_s = self.clock(), None  # known again only if HQ answers
        headers = signed_headers(self.store_id, self.secret, int(sent_at), method,
                                 signed_target(parts.path, parts.query), body)
        headers[HEADER_PROTOCOL] = self.protocol
        if body:
            headers["Content-Type"] = "application/json"
        headers.update(extra or {})
        try:
            response = self.session.request(method, url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as err:
            raise HQUnavailable(f"HQ unreachable: {err.__class__.__name__}") from err
        self._note_clock(response, sent_at)
        if response.status_code >= 500 or response.status_code in (408, 409, 429):
            raise HQUnavailable(f"HQ answered {response.status_code}: {_reason(response)}")
        if response.status_code >= 400:
            coded = _coded(response)  # a refusal HQ coded (its protocol): kept as a Message, said in words
            refused = HQRefused(coded if coded else f"HQ refused ({response.status_code}): {_reason(response)}")
            refused.status = response.status_code
            raise refused
        return response

    def post_batch(self, body: bytes) -> dict:
        response = self._request("POST", f"/api/v1/stores/{self.store_id}/batches", body)
        try:
            ack = response.json()
            int(ack["acked_through_seq"])
        except (ValueError, KeyError, TypeError) as err:
            raise HQUnavailable("HQ sent an unreadable acknowledgement") from err
        return ack

    def post_health(self, body: bytes) -> None:
        """This terminal's health report alone (sync.health: when it had nothing to push for a while)."""
        self._request("POST", f"/api/v1/stores/{self.store_id}/health", body)

    def photo(self, method: str, sha256: str, body: bytes = b"", extra: dict | None = None) -> requests.Response:
        """The photo channel (sync/photos.py): HEAD (how much of the file HQ holds) or PUT (a chunk of it)."""
        return self._request(method, f"/api/v1/stores/{self.store_id}/photos/{sha256}", body, extra)

    def device_status(self, identifier: str) -> dict:
        return self._request("GET", f"/api/v1/stores/{self.store_id}/devices/{identifier}").json()

    def register_anchor(self) -> dict:
        """{seq, hash, at}: the register head HQ holds for this store (seq None: none yet)."""
        return self._request("GET", f"/api/v1/stores/{self.store_id}/register-anchor").json()

    def fiscal_anchor(self) -> dict:
        """{seq, hash, at, history, keys}: the till's fiscal chain heads HQ anchored, its terminals' public keys."""
        return self._request("GET", f"/api/v1/stores/{self.store_id}/fiscal-anchor").json()

    def reference_index(self) -> dict:
        return self._request("GET", f"/api/v1/stores/{self.store_id}/reference").json()

    def redeem_voucher(self, code: str, sale_uuid: str, amount_minor: int) -> int | None:
        """HQ takes the amount off the voucher for this sale (the balance left), HQRefused says why not,
        None: HQ does not know this voucher (not synced yet)."""
        body = json.dumps({"sale_uuid": sale_uuid, "amount_minor": amount_minor}).encode()
        path = f"/api/v1/stores/{self.store_id}/vouchers/{quote(code, safe='')}/redeem"
        try:
            return int(self._request("POST", path, body).json()["balance_minor"])
        except HQRefused as err:
            if getattr(err, "status", 0) == 404:
                return None
            raise

    def release_voucher(self, code: str, sale_uuid: str) -> None:
        body = json.dumps({"sale_uuid": sale_uuid, "amount_minor": 0}).encode()
        self._request("POST", f"/api/v1/stores/{self.store_id}/vouchers/{quote(code, safe='')}/release", body)

    def find_sale(self, key: str) -> dict | None:
        """Any store's sale by receipt number or device IMEI/serial (hq aftersales.find_sale); None: HQ has none."""
        try:
            return self._request("GET", f"/api/v1/stores/{self.store_id}/sales/{quote(key, safe='')}").json()
        except HQRefused as err:
            if getattr(err, "status", 0) == 404:
                return None
            raise

    def warranty_claim(self, claim_uuid: str) -> dict | None:
        """{status, status_at} of a claim this store opened; None: HQ has not received it yet."""
        try:
            return self._request("GET", f"/api/v1/stores/{self.store_id}/warranty-claims/{claim_uuid}").json()
        except HQRefused as err:
            if getattr(err, "status", 0) == 404:
                return None
            raise

    def register_device_test(self, body: bytes) -> dict:
        """A phone test link for one of this store's trade-ins (hq.web.device_tests): {expires_at, tone_hz, page}."""
        return self._request("POST", f"/api/v1/stores/{self.store_id}/device-tests", body).json()

    def device_test(self, token_sha256: str) -> dict | None:
        """A test link of this store as HQ holds it (its status, and the phone's report once sent); None: unknown."""
        try:
            return self._request("GET", f"/api/v1/stores/{self.store_id}/device-tests/{token_sha256}").json()
        except HQRefused as err:
            if getattr(err, "status", 0) == 404:
                return None
            raise

    def updates(self, after: str) -> list[dict]:
        path = f"/api/v1/stores/{self.store_id}/updates"
        return self._request("GET", path + (f"?after={quote(after)}" if after else "")).json()["updates"]

    def reference(self, kind: str, version: str) -> dict:
        return self._request("GET", f"/api/v1/stores/{self.store_id}/reference/{kind}/{version}").json()


def exchange_enrolment_code(base_url: str, code: str, timeout: float = 10.0) -> dict:
    """A one-time enrolment code for the store's id, HMAC secret and profile (POST /api/v1/enrol, unsigned:
    the code is the credential). The answer is the caller's to validate (core.store_profile)."""
    url = urljoin(base_url.rstrip("/") + "/", "api/v1/enrol")
    body = json.dumps({"code": code}).encode()
    try:
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=timeout)
    except requests.RequestException as err:
        raise HQUnavailable(f"HQ unreachable at {base_url}: {err.__class__.__name__}") from err
    if response.status_code >= 500 or response.status_code == 429:
        raise HQUnavailable(f"HQ answered {response.status_code}: {_reason(response)}")
    if response.status_code >= 400:
        raise HQRefused(f"HQ refused the code ({response.status_code}): {_reason(response)}")
    try:
        answer = response.json()
    except ValueError as err:
        raise HQRefused("HQ's answer is not JSON: is this HQ's address?") from err
    if not isinstance(answer, dict):
        raise HQRefused("HQ's answer is not an object: is this HQ's address?")
    return answer


def _coded(response: requests.Response) -> Message | None:
    """HQ's refusal as a coded message (core.protocol.REJECTIONS), when it sent one this terminal knows."""
    try:
        said = response.json()
    except ValueError:
        return None
    found = rejection_from_json(said) if isinstance(said, dict) and isinstance(said.get("code"), str) else None
    return found if isinstance(found, Message) else None


def said(err: Exception) -> str:
    """What the /sync page keeps of a failure: HQ's coded refusal as its Message (shown in the reader's language
    through core.messages.stored_text), any other as its text."""
    return err.args[0] if err.args and isinstance(err.args[0], Message) else str(err)


def _reason(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", response.reason))
    except (ValueError, AttributeError):
        return response.reason or "no reason given"


def batch_body(batch_id: str, rows: list[dict], backlog: dict | None = None,
               register_head: dict | None = None, health: dict | None = None) -> bytes:
    """The wire form of a batch: the outbox payload text is sent as text, stored at HQ byte for byte;
    `backlog` tells HQ what the store still holds after this batch (its sync-lag view), `register_head` the
    head of its police register's chain (anchored at HQ). A `register_head` holding "fiscal_head" (the kiosk's
    anchor: kiosk.hq_link) sends that apart: the head of the till's fiscal chain, anchored the same way. `health`
    is the terminal's report (core.health; protocol 2.1)."""
    register_head = dict(register_head or {})
    fiscal_head = register_head.pop("fiscal_head", None)
    records = [{"seq": r["seq"], "record_uuid": r["record_uuid"], "kind": r["kind"], "payload": r["payload"],
                "created_at": r["created_at"]} for r in rows]
    body = {"batch_id": batch_id, "records": records, **({"backlog": backlog} if backlog else {}),
            **({"register_head": register_head} if register_head else {}),
            **({"fiscal_head": fiscal_head} if fiscal_head else {}), **({"health": health} if health else {})}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
