"""A terminal's health as it reports it to HQ with each push (protocol 2.1), and how HQ judges its fleet. Pure.

One schema for both ends: the terminal writes its report through `parse_health`, and HQ reads every field again
through it, because a store's word is never trusted: a number out of its range is clamped into it, a word not in
its list becomes "unknown", text is NFKC-normalised and kept only when it is written in the few characters its
field allows. HQ's fleet page and its JSON for monitors judge the reports with `reasons` (worst first).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from packaging.version import InvalidVersion, Version

from core.messages import N_, Message
from core.protocol import PROTOCOL_UNVERSIONED, protocol_version

# What a receipt printer's driver says of it (hardware.printer: PrinterSink.state()); anything else is "unknown".
PRINTER_STATES = ("ready", "paper_near_end", "paper_out", "cover_open", "fault", "offline", "driver_missing",
                  "error", "unknown")
PRINTER_DOWN = ("paper_out", "cover_open", "fault", "offline", "driver_missing", "error")  # nothing would print
PRINT_RESULTS = ("printed", "failed", "pending", "none")  # the newest print job of the terminal (print_jobs)
TEN_YEARS_S = 10 * 366 * 86400
# Each whole-number field's bounds: a report is clamped into them, never refused for them.
BOUNDS = {"outbox_pending": (0, 10**9), "outbox_oldest_age_s": (0, TEN_YEARS_S), "photo_files": (0, 10**9),
          "photo_bytes": (0, 10**14), "disk_free_bytes": (0, 10**16), "clock_offset_s": (-TEN_YEARS_S, TEN_YEARS_S)}
_TEXT = {"terminal_id": re.compile(r"[A-Za-z0-9_.:-]{1,64}"), "software": re.compile(r"[A-Za-z0-9_.+!-]{1,32}")}
MAX_HEALTH_BYTES = 4096  # a report is a few hundred bytes; HQ reads no more than this of one sent alone


@dataclass(frozen=True)
class TerminalHealth:
    """What one terminal says of itself. `clock_offset_s`: its clock minus HQ's (positive: ahead), measured from
    HQ's `Date` header of its previous exchange; None before it had one."""

    terminal_id: str = ""
    software: str = ""  # its package version (importlib.metadata), "" when it could not tell
    outbox_pending: int = 0  # records still to send after the batch that carries this report
    outbox_oldest_age_s: int = 0
    photo_files: int = 0  # photo files still to send (sync.photos), and their bytes
    photo_bytes: int = 0
    printer: str = "unknown"
    last_print: str = "none"
    last_print_at: str | None = None
    disk_free_bytes: int | None = None  # free space of the terminal's data folder
    clock_offset_s: int | None = None

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


def _whole(value: object, name: str) -> int | None:
    """A whole number clamped into its field's bounds; None for anything that is not one (bools and floats too)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    low, high = BOUNDS[name]
    return min(max(value, low), high)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > 256:
        return ""
    value = unicodedata.normalize("NFKC", value).strip()
    return value if _TEXT[name].fullmatch(value) else ""


def _word(value: object, words: tuple[str, ...], default: str) -> str:
    return value if isinstance(value, str) and value in words else default


def _instant(value: object) -> str | None:
    """An ISO 8601 instant rewritten as UTC to the second; None when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


def parse_health(raw: object) -> TerminalHealth | None:
    """A report as HQ (and the terminal itself) keeps it; None when `raw` is not an object at all."""
    if not isinstance(raw, dict):
        return None
    counts = {name: _whole(raw.get(name), name) or 0 for name in
              ("outbox_pending", "outbox_oldest_age_s", "photo_files", "photo_bytes")}
    return TerminalHealth(
        terminal_id=_text(raw.get("terminal_id"), "terminal_id"), software=_text(raw.get("software"), "software"),
        printer=_word(raw.get("printer"), PRINTER_STATES, "unknown"),
        last_print=_word(raw.get("last_print"), PRINT_RESULTS, "none"),
        last_print_at=_instant(raw.get("last_print_at")),
        disk_free_bytes=_whole(raw.get("disk_free_bytes"), "disk_free_bytes"),
        clock_offset_s=_whole(raw.get("clock_offset_s"), "clock_offset_s"), **counts)


def older_software(software: str, oldest: str) -> bool:
    """Whether `software` is a version before `oldest` (PEP 440); an unreadable version is older than any."""
    if not oldest:
        return False
    try:
        return Version(software) < Version(oldest)
    except InvalidVersion:
        return True


@dataclass(frozen=True)
class Thresholds:
    """HQ's settings for the fleet page (hq/settings.py, FLEET_*)."""

    silent_hours: int
    backlog_minutes: int
    clock_seconds: int
    oldest_software: str  # "" : no software floor, the protocol alone is judged
    protocol: str  # HQ's own protocol version: a terminal on an older one is told to update


@dataclass(frozen=True)
class Contact:
    """What HQ holds of one terminal: when it last heard from it (a signed batch or report), in which protocol, the
    clock offset HQ measured (the request's signed timestamp minus HQ's clock), and its last report (None: it
    sends none, being older than protocol 2.1)."""

    last_seen_at: datetime | None
    protocol: str = PROTOCOL_UNVERSIONED
    hq_clock_offset_s: int | None = None
    health: TerminalHealth | None = None

    @property
    def clock_offset_s(self) -> int | None:
        """HQ's own measure first (the terminal's word only when HQ has none)."""
        return self.hq_clock_offset_s if self.hq_clock_offset_s is not None else (
            self.health.clock_offset_s if self.health else None)


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASON_CODES, the worst first
    message: Message

    def as_json(self) -> dict:
        return {"code": self.code, "text": str(self.message), "params": self.message.params}


REASON_CODES = ("silent", "backlog", "printer", "clock", "version")
PRINTER_WORDS = {"paper_out": N_("printer out of paper"), "cover_open": N_("printer cover open"),
                 "fault": N_("printer fault (cutter jammed or an error it cannot clear)"),
                 "offline": N_("printer offline or unreachable"),
                 "driver_missing": N_("printer driver not installed on the terminal"),
                 "error": N_("printer output cannot be written")}


def _silence(contact: Contact, now: datetime, limit_hours: int) -> list[Reason]:
    if contact.last_seen_at is None:
        return [Reason("silent", Message(N_("never heard from")))]
    hours = int((now - contact.last_seen_at).total_seconds() // 3600)
    if hours < limit_hours:
        return []
    return [Reason("silent", Message(N_("silent for %(hours)s h (more than %(limit)s h)"), hours=hours,
                                     limit=limit_hours))]


def _clock(offset: int | None, limit: int) -> list[Reason]:
    if offset is None or abs(offset) <= limit:
        return []
    text = N_("clock %(seconds)s s ahead of HQ's") if offset > 0 else N_("clock %(seconds)s s behind HQ's")
    return [Reason("clock", Message(text, seconds=abs(offset)))]


def _version(contact: Contact, limits: Thresholds) -> list[Reason]:
    health = contact.health
    if (protocol_version(contact.protocol) or (0, 0)) < (protocol_version(limits.protocol) or (0, 0)):
        return [Reason("version", Message(N_("software older than HQ's: protocol %(version)s, HQ speaks %(current)s; "
                                             "update the terminal"), version=contact.protocol,
                                          current=limits.protocol))]
    if health and older_software(health.software, limits.oldest_software):
        return [Reason("version", Message(N_("software %(version)s older than the oldest supported, %(oldest)s"),
                                          version=health.software or "?", oldest=limits.oldest_software))]
    return []


def reasons(contact: Contact, now: datetime, limits: Thresholds) -> list[Reason]:
    """What is wrong with one terminal, the worst first (REASON_CODES' order); [] when nothing is."""
    found = _silence(contact, now, limits.silent_hours)
    health = contact.health
    if health and health.outbox_pending and health.outbox_oldest_age_s >= limits.backlog_minutes * 60:
        found.append(Reason("backlog", Message(
            N_("%(count)s record(s) unsent, the oldest for %(minutes)s min (more than %(limit)s min)"),
            count=health.outbox_pending, minutes=health.outbox_oldest_age_s // 60, limit=limits.backlog_minutes)))
    if health and health.printer in PRINTER_WORDS:
        found.append(Reason("printer", Message(PRINTER_WORDS[health.printer])))
    found += _clock(contact.clock_offset_s, limits.clock_seconds)
    return found + _version(contact, limits)


def worst_first(rows: list[tuple[Contact, list[Reason]]]) -> list[int]:
    """The order to list terminals in, as indexes of `rows`: by their worst reason, then the longest silent;
    terminals with nothing wrong last."""
    def key(index: int) -> tuple:
        contact, found = rows[index]
        rank = min((REASON_CODES.index(r.code) for r in found), default=len(REASON_CODES))
        seen = contact.last_seen_at.timestamp() if contact.last_seen_at else float("-inf")
        return rank, seen

    return sorted(range(len(rows)), key=key)
