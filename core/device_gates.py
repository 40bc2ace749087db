"""Whether a device may be traded in at all, decided the moment its identifier is scanned (before any question).
Pure: the kiosk applies it to its own rows, HQ to every store's, and HQ answers with a reason *code* that the
kiosk turns into words in the reader's language (`REASONS`).

Re-trade policy: a device traded in earlier is refused while that trade-in is still open (not settled at HQ)
or was accepted less than `min_days` ago; once HQ marks the device resold (refurbished and sold again, e.g. by
a store's till), its new owner may trade it in again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.messages import N_, Message
from core.text import printable

BLOCKLISTED, OPEN_HERE, OPEN_ELSEWHERE, TOO_RECENT = "blocklisted", "open_here", "open_elsewhere", "too_recent"
REASONS = {
    BLOCKLISTED: N_("This device is on HQ's blocklist (%(detail)s): do not buy it and follow the store's "
                    "procedure."),
    OPEN_HERE: N_("This device was already traded in here (%(since)s) and that trade-in is still open: the same "
                  "device cannot be bought twice."),
    OPEN_ELSEWHERE: N_("HQ reports this device already traded in at another store (%(since)s) and still open: "
                       "the same device cannot be bought twice."),
    TOO_RECENT: N_("This device was traded in on %(since)s, less than %(days)s days ago: it cannot be traded in "
                   "again yet."),
}


@dataclass(frozen=True)
class Earlier:
    """An earlier trade-in of the same device that was not undone (declined or cancelled)."""

    accepted_on: date
    settled: bool  # HQ has finished with it (received, and any regrade dispute decided)
    resold: bool  # HQ marked the device resold: it belongs to someone else now
    same_store: bool


@dataclass(frozen=True)
class Refusal:
    code: str
    since: str = ""
    days: int = 0
    detail: str = ""  # the blocklist's reason and list version

    def message(self) -> Message:
        return Message(REASONS[self.code], since=self.since, days=self.days, detail=self.detail)

    def as_json(self) -> dict:
        return {"code": self.code, "since": self.since, "days": self.days, "detail": self.detail}


def refusal_from_json(raw: object) -> Refusal | None:
    """What HQ answered (a trust boundary: anything unknown is no refusal, never a crash)."""
    if not isinstance(raw, dict) or raw.get("code") not in REASONS:
        return None
    since, days, detail = raw.get("since"), raw.get("days"), raw.get("detail")
    return Refusal(raw["code"], printable(since[:10]) if isinstance(since, str) else "",
                   days if isinstance(days, int) and not isinstance(days, bool) and 0 <= days < 10**5 else 0,
                   printable(detail[:120]) if isinstance(detail, str) else "")


def retrade_refusal(earlier: Iterable[Earlier], today: date, min_days: int) -> Refusal | None:
    """The first reason an earlier trade-in of this device stands in the way, or None."""
    for item in sorted(earlier, key=lambda e: e.accepted_on, reverse=True):
        if item.resold:
            continue
        since = item.accepted_on.isoformat()
        if not item.settled:
            return Refusal(OPEN_HERE if item.same_store else OPEN_ELSEWHERE, since)
        if (today - item.accepted_on).days < min_days:
            return Refusal(TOO_RECENT, since, min_days)
    return None
