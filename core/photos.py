"""Photos behind a grade: the shots a clerk (or a customer at the totem) may take of a device, and which ones a
store must take before it buys (core/data/photos.toml, each rule with its source). Pure: the kiosk's photo step,
its accept check and HQ's checks on a photo's record read the same kinds."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.messages import N_

RULES_FILE = Path(__file__).parent / "data" / "photos.toml"

# kind -> what the shot shows (translatable). One of each, except damage: as many as there is damage to show.
SHOT_KINDS = {
    "front": N_("Front side"),
    "back": N_("Back side"),
    "screen": N_("Screen lit"),
    "imei_screen": N_("The *#06# screen"),
    "damage": N_("Damage"),
}
REPEATABLE = frozenset({"damage"})
MAX_DAMAGE_SHOTS = 8
MAX_PHOTO_BYTES = 6 * 1024 * 1024  # a re-encoded photo (2,000 px, JPEG) is far below; HQ takes no larger file
LONG_SIDE = 2000  # pixels: enough to see a scratch, small enough to send over a shop's line
MEDIA_TYPES = {"image/jpeg": "jpg", "image/webp": "webp"}
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Rule:
    place: str
    required: tuple[str, ...]
    source: str


def _load() -> dict[str, Rule]:
    raw = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    rules = {place: Rule(place, tuple(entry["required"]), str(entry["source"])) for place, entry in raw.items()}
    for rule in rules.values():
        unknown = set(rule.required) - set(SHOT_KINDS)
        if unknown:
            raise ValueError(f"{RULES_FILE}: {rule.place} requires unknown shot kinds {sorted(unknown)}")
    return rules


RULES = _load()
NO_RULE = Rule("", (), "No rule known for this place: no shot is required until one is written in photos.toml")


def rule_for(country: str) -> Rule:
    """The photographs the law of `country` asks for (none where no rule is written)."""
    return RULES.get(country.upper(), NO_RULE)


def parse_kinds(text: str) -> tuple[str, ...]:
    """"front, back,imei_screen" -> ("front", "back", "imei_screen") in SHOT_KINDS' order; ValueError naming an
    unknown kind. An empty text is no kind at all."""
    kinds = {k.strip().lower() for k in text.split(",") if k.strip()}
    unknown = kinds - set(SHOT_KINDS)
    if unknown:
        raise ValueError(f"unknown shot kind(s) {', '.join(sorted(unknown))}: use {', '.join(SHOT_KINDS)}")
    return tuple(k for k in SHOT_KINDS if k in kinds)


def missing(required: tuple[str, ...], taken: list[str]) -> tuple[str, ...]:
    """The required kinds no shot was taken of."""
    return tuple(kind for kind in required if kind not in taken)


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and bool(SHA256.fullmatch(value))
