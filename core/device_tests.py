"""The customer's phone tests itself (issue 33): what its browser measured, judged the same way at HQ (the summary
the customer sees) and at the terminal (the clerk's checklist), and which checklist questions the results pre-answer.
The tests, the tone's band and tolerance and the mapping to questions are data (core/data/device_tests.toml). Pure.

What the page sends is untrusted: every value is bounded and typed here before it is judged or kept; a value of the
wrong type is as if the page had not sent it, so a hostile report gives "not tested", never an error."""

from __future__ import annotations

import math
import random
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.messages import N_, Message
from core.text import printable

DATA = Path(__file__).parent / "data" / "device_tests.toml"
MAX_REPORT_BYTES = 16_384  # the page sends under 2 KB; more than this is not the page
PASSED, FAILED, NOT_RUN, INFO = "passed", "failed", "not_run", "info"
# As a results table says them ("pass", "fail": not "passed"/"failed", which the catalogues hold for other things).
OUTCOMES = {PASSED: N_("pass"), FAILED: N_("fail"), NOT_RUN: N_("not tested"), INFO: N_("information")}
# What the page reports when a browser API did not give a measure: each said in words on the results table.
ERRORS = {"unsupported": N_("not available in this browser"), "denied": N_("permission refused"),
          "not_found": N_("no such device found"), "not_readable": N_("the device would not start"),
          "silent": N_("nothing heard"), "skipped": N_("skipped by the customer")}
COLOURS = {"red": N_("red"), "green": N_("green"), "blue": N_("blue"), "white": N_("white"), "black": N_("black")}


@dataclass(frozen=True)
class DeviceTest:
    id: str
    name: str
    receipt: str  # the word on the trade-in receipt; "" for information only
    kind: str  # measured | confirmed | info
    facing: str = ""  # a camera's facingMode


@dataclass(frozen=True)
class QuestionMap:
    """A checklist question the results pre-answer: `on_pass` ("" answers nothing) when every test passed,
    `on_fail` when any failed."""

    question: str
    tests: tuple[str, ...]
    on_pass: str
    on_fail: str


@dataclass(frozen=True)
class Spec:
    version: str
    tests: tuple[DeviceTest, ...]
    columns: int
    rows: int
    min_hz: int
    max_hz: int
    tolerance_percent: float
    floor_db: float
    colours: tuple[str, ...]
    mappings: tuple[QuestionMap, ...]

    @property
    def cells(self) -> int:
        return self.columns * self.rows

    def test(self, test_id: str) -> DeviceTest:
        return next(test for test in self.tests if test.id == test_id)


@cache
def load_spec(path: Path = DATA) -> Spec:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    tests = tuple(DeviceTest(t["id"], t["name"], t["receipt"], t["kind"], t.get("facing", "")) for t in raw["tests"])
    colours = next(tuple(t["colours"]) for t in raw["tests"] if t["id"] == "dead_pixels")
    mappings = tuple(QuestionMap(m["question"], tuple(m["tests"]), m["pass"], m["fail"]) for m in raw["checklist"])
    tone = raw["tone"]
    return Spec(raw["version"], tests, raw["grid"]["columns"], raw["grid"]["rows"], tone["min_hz"], tone["max_hz"],
                tone["tolerance_percent"], tone["floor_db"], colours, mappings)


def draw_tone(spec: Spec, rng: random.Random | None = None) -> int:
    """A tone for one test link, in whole hertz within the band."""
    return (rng or random.SystemRandom()).randint(spec.min_hz, spec.max_hz)


@dataclass(frozen=True)
class Result:
    outcome: str  # passed | failed | not_run | info
    values: dict  # what the page measured, bounded and typed

    def as_json(self) -> dict:
        return {"outcome": self.outcome, "values": self.values}


# ---- Untrusted values, typed and bounded ----

def _number(value: object, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), 2) if low <= value <= high else None


def _count(value: object, high: int) -> int | None:
    number = _number(value, 0, high)
    return int(number) if number is not None and number == int(number) else None


def _text(value: object, limit: int) -> str:
    """A browser's text (its user agent): NFKC, no control or invisible character, at most `limit` characters."""
    return printable(unicodedata.normalize("NFKC", value[:limit * 2]))[:limit] if isinstance(value, str) else ""


def _error(entry: dict) -> str | None:
    if entry.get("skipped") is True:
        return "skipped"
    error = entry.get("error")
    return error if isinstance(error, str) and error in ERRORS else None


# ---- One judge per test: (its entry in the report, the spec, the tone drawn for the link) -> Result ----

def _touch(entry: dict, spec: Spec, tone: int) -> Result:
    cells, touched = _count(entry.get("cells"), 1000), _count(entry.get("touched"), 1000)
    values = {"cells": cells, "touched": touched}
    if cells == spec.cells and touched == cells:
        return Result(PASSED, values)
    if entry.get("dead_zone") is True:  # the customer said a part of the screen does not react
        return Result(FAILED, {**values, "dead_zone": True})
    return Result(NOT_RUN, {**values, "error": _error(entry)})


def _multitouch(entry: dict, spec: Spec, tone: int) -> Result:
    points = _count(entry.get("points"), 20)
    if points is not None and points >= 2:
        return Result(PASSED, {"points": points})
    if entry.get("no_response") is True:
        return Result(FAILED, {"points": points, "no_response": True})
    return Result(NOT_RUN, {"points": points, "error": _error(entry)})


def _dead_pixels(entry: dict, spec: Spec, tone: int) -> Result:
    seen = {colour: entry.get(colour) if entry.get(colour) in ("clean", "spot") else None for colour in spec.colours}
    if "spot" in seen.values():
        return Result(FAILED, seen)
    return Result(PASSED if all(seen.values()) else NOT_RUN, seen)


def _audio(entry: dict, spec: Spec, tone: int) -> Result:
    heard, level = _number(entry.get("heard_hz"), 1, 48_000), _number(entry.get("level_db"), -400, 100)
    values = {"tone_hz": tone, "heard_hz": heard, "level_db": level}
    if (error := _error(entry)) in ("silent", "not_readable"):
        return Result(FAILED, {**values, "error": error})
    if error or heard is None:
        return Result(NOT_RUN, {**values, "error": error})
    close = abs(heard - tone) * 100 <= spec.tolerance_percent * tone
    return Result(PASSED if close and level is not None and level >= spec.floor_db else FAILED, values)


def _camera(entry: dict, spec: Spec, facing: str) -> Result:
    width, height = _count(entry.get("width"), 20_000), _count(entry.get("height"), 20_000)
    opened = entry.get("facing") if entry.get("facing") in ("user", "environment") else ""
    values = {"width": width, "height": height, "facing": opened}
    if (error := _error(entry)) == "not_readable":
        return Result(FAILED, {**values, "error": error})
    if error or not width or not height:
        return Result(NOT_RUN, {**values, "error": error})
    # A phone whose back camera is dead may open the front one for "environment": a frame from the other side fails.
    return Result(PASSED if opened in ("", facing) else FAILED, values)


def _vibration(entry: dict, spec: Spec, tone: int) -> Result:
    felt = entry.get("felt")
    if isinstance(felt, bool) and not _error(entry):
        return Result(PASSED if felt else FAILED, {"felt": felt})
    return Result(NOT_RUN, {"felt": None, "error": _error(entry)})


def _motion(entry: dict, spec: Spec, tone: int) -> Result:
    readings = _count(entry.get("readings"), 1_000_000)
    if (error := _error(entry)) or readings is None:
        return Result(NOT_RUN, {"readings": readings, "error": error})
    return Result(PASSED if readings > 0 else FAILED, {"readings": readings})


def _battery(entry: dict, spec: Spec, tone: int) -> Result:
    level = _number(entry.get("level"), 0, 1)
    charging = entry.get("charging") if isinstance(entry.get("charging"), bool) else None
    if level is None:
        return Result(NOT_RUN, {"error": _error(entry) or "unsupported"})
    return Result(INFO, {"level": level, "charging": charging})


def _screen(entry: dict, spec: Spec, tone: int) -> Result:
    values = {"width": _count(entry.get("width"), 20_000), "height": _count(entry.get("height"), 20_000),
              "ratio": _number(entry.get("ratio"), 0.1, 20), "user_agent": _text(entry.get("user_agent"), 300)}
    return Result(INFO if values["width"] and values["height"] else NOT_RUN, values)


JUDGES: dict[str, Callable[[dict, Spec, int], Result]] = {
    "touch": _touch, "multitouch": _multitouch, "dead_pixels": _dead_pixels, "audio": _audio,
    "camera_front": lambda entry, spec, tone: _camera(entry, spec, spec.test("camera_front").facing),
    "camera_back": lambda entry, spec, tone: _camera(entry, spec, spec.test("camera_back").facing),
    "vibration": _vibration, "motion": _motion, "battery": _battery, "screen": _screen}


def judge(report: object, tone_hz: int, spec: Spec | None = None) -> dict[str, Result]:
    """Every test's result from the page's report ({test id: what it measured}); a test missing from the report,
    or sent as anything but an object, is "not tested"."""
    spec = spec or load_spec()
    report = report if isinstance(report, dict) else {}
    return {test.id: JUDGES[test.id](entry if isinstance(entry := report.get(test.id), dict) else {}, spec, tone_hz)
            for test in spec.tests}


@dataclass(frozen=True)
class Evidence:
    """What the device test says about one checklist question: its outcome, the answer it pre-selects ("": a pass
    that answers nothing, the question is only partly tested), and the tests it rests on (those that failed)."""

    question: str
    outcome: str
    answer: str
    tests: tuple[str, ...]


def evidence(results: Mapping[str, Result], spec: Spec | None = None) -> dict[str, Evidence]:
    """Question id -> Evidence, for each mapped question whose tests all passed or any failed."""
    found = {}
    for mapping in (spec or load_spec()).mappings:
        outcomes = [results[test].outcome for test in mapping.tests if test in results]
        if FAILED in outcomes:  # named by the tests that failed (the back camera, not both)
            failing = tuple(test for test in mapping.tests if test in results and results[test].outcome == FAILED)
            found[mapping.question] = Evidence(mapping.question, FAILED, mapping.on_fail, failing)
        elif outcomes and len(outcomes) == len(mapping.tests) and set(outcomes) == {PASSED}:
            found[mapping.question] = Evidence(mapping.question, PASSED, mapping.on_pass, mapping.tests)
    return found


def receipt_functions(results: Mapping[str, Result], spec: Spec | None = None) -> tuple[list[str], list[str]]:
    """(functions that passed, functions that failed) as the receipt words them, in the spec's order: a function
    passed when each of its tests passed (both cameras), failed when any of them failed."""
    words: dict[str, list[str]] = {}
    for test in (spec or load_spec()).tests:
        if test.receipt:
            words.setdefault(test.receipt, []).append(results[test.id].outcome if test.id in results else NOT_RUN)
    passed = [word for word, outcomes in words.items() if set(outcomes) == {PASSED}]
    return passed, [word for word, outcomes in words.items() if FAILED in outcomes]


def described(test_id: str, result: Result) -> list[Message]:
    """The measured values in words, for the results table (each Message translated by the reader's catalogue)."""
    values = result.values
    if values.get("error"):
        return [Message(ERRORS[values["error"]])]
    if result.outcome == NOT_RUN:
        return []
    describe = DESCRIPTIONS.get("camera" if test_id.startswith("camera_") else test_id)
    return describe(values) if describe else []


def _seen(values: dict) -> list[Message]:
    return [Message(N_("%(colour)s: a spot") if seen == "spot" else N_("%(colour)s: clean"),
                    colour=Message(COLOURS[colour])) for colour, seen in values.items() if seen]


def _heard(values: dict) -> list[Message]:
    if values["heard_hz"] is None:
        return [Message(N_("tone %(tone)s Hz"), tone=values["tone_hz"])]
    return [Message(N_("tone %(tone)s Hz, heard %(heard)s Hz at %(level)s dB"), tone=values["tone_hz"],
                    heard=round(values["heard_hz"]), level=round(values["level_db"] or 0))]


DESCRIPTIONS: dict[str, Callable[[dict], list[Message]]] = {
    "touch": lambda v: [Message(N_("%(touched)s of %(cells)s zones touched"), touched=v["touched"] or 0,
                                cells=v["cells"] or 0)],
    "multitouch": lambda v: [Message(N_("%(points)s fingers at once"), points=v["points"] or 0)],
    "dead_pixels": _seen, "audio": _heard,
    "camera": lambda v: [Message(N_("a picture of %(width)s × %(height)s pixels"), width=v["width"],
                                 height=v["height"])],
    "vibration": lambda v: [Message(N_("the customer felt it") if v["felt"] else N_("the customer felt nothing"))],
    "motion": lambda v: [Message(N_("%(readings)s readings"), readings=v["readings"])],
    "battery": lambda v: [Message(N_("%(level)s %% charged, charging") if v["charging"] else
                                  N_("%(level)s %% charged"), level=round(v["level"] * 100))],
    "screen": lambda v: [Message(N_("%(width)s × %(height)s points, pixel ratio %(ratio)s"), width=v["width"],
                                 height=v["height"], ratio=v["ratio"] or "—"), Message(v["user_agent"])],
}


def extract_texts(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: each test's name and receipt word, for both apps' catalogues."""
    raw = tomllib.loads(fileobj.read().decode("utf-8"))
    for test in raw.get("tests", []):
        for text in (test.get("name"), test.get("receipt")):
            if text:
                yield 0, None, text, [f"device test {test.get('id')}"]
