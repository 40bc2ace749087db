"""A zone's check digits: whether a field passes its own, and whether what the readings leave in doubt about it could
make another value that passes too (then the digit cannot vouch for the one read). For hardware.mrz_fields.

ICAO 9303 part 3 §4.9: each character is worth 0-9 (a digit), 10-35 (A-Z) or 0 (the filler `<`), weighted 7, 3, 1
in turn; the check digit is the sum's last digit, computed by the `mrz` package (`mrz.base.functions.hash_string`).
A single character read wrong changes that digit unless the two differ by 10, 20 or 30 (G and 6, I and S, 8 and I,
O and Y...); two wrong may cancel out one time in ten. So a field is taken only when no combination of the other
characters its readings saw, or doubt, at its places (its check digit's place included) passes as well.
"""

from __future__ import annotations

from collections.abc import Sequence

from mrz.base.functions import hash_string

VALUES = {char: value for value, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
WEIGHTS = (7, 3, 1)


def checked(field: Sequence[str], digit: str) -> str | None:
    """The field when its 7-3-1 check digit is `digit` (each position one character as read, "" when unread)."""
    try:
        return "".join(field) if all(field) and hash_string("".join(field)) == digit else None
    except ValueError:  # a character no zone holds: a vetoed look-alike
        return None


def another_passes(field: str, alternatives: Sequence[str], digit_alternatives: str = "") -> bool:
    """Whether changing one or more of the field's characters for their `alternatives` (a string of characters for
    each position: what another reading saw there, or a look-alike in doubt) gives another field that passes its
    check digit, read as it is or as one of `digit_alternatives`. The sums reachable are followed modulo 10, so
    every combination is weighed whatever their number."""
    reached: set[tuple[int, bool]] = {(0, False)}  # (the sum's change modulo 10, whether a character changed)
    for at, (char, others) in enumerate(zip(field, alternatives, strict=True)):
        steps = {
            (VALUES[other] - VALUES[char]) * WEIGHTS[at % 3] % 10 for other in set(others) - {char} if other in VALUES
        }
        reached |= {((change + step) % 10, True) for change, _ in reached for step in steps}
    digit = int(hash_string(field))
    targets = {0} | {(VALUES[other] - digit) % 10 for other in digit_alternatives if other in "0123456789<"}
    return any(changed and change in targets for change, changed in reached)


# What the composite check digit covers, as (line, start, end) slices: ICAO 9303 part 4 §4.2.2.2 (TD3) and part 5
# §4.2.2.2 (TD1); the old French card's covers both its lines but itself.
COMPOSITE_COVERS = {
    "td3": ((1, 0, 10), (1, 13, 20), (1, 21, 43)),
    "td1": ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    "cni": ((0, 0, 36), (1, 0, 35)),
}
COMPOSITE = {"td3": (1, 43), "td1": (1, 29), "cni": (1, 35)}


def covered(layout: str) -> list[tuple[int, int]]:
    """The (line, cell) places the layout's composite check digit covers, in the order it sums them."""
    return [(row, col) for row, start, end in COMPOSITE_COVERS[layout] for col in range(start, end)]
