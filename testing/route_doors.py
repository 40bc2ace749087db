"""Every route of the kiosk and HQ as the hostile sweep's doors, derived from each app's own url_map (issue 31): a
route added tomorrow (a diagnostics page, a photo channel, a phone's report) is swept without editing a list. Each
method of each route gets hostile strings in each part of its path, one part at a time (the others plausible), and,
when it takes a body, hostile values in every field a form of ours names at once (JSON where the route reads JSON,
signed where HQ's store API asks for a signature). A route not swept here is in SKIPPED, with the reason. Used by
testing/hostile_sweep.py, after the crawled forms (a door may decline the trade-in a form needed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask

from testing.form_discovery import CSRF_FIELD, Form, Visitor
from testing.hostile_corpus import Hostile

# rule -> why the doors leave it out (a rule here that no app has any more fails the sweep's test: the list stays true)
SKIPPED = {
    "/static/<path:filename>": "files served from disk by Flask: no code of ours reads the path",
    "/assets/<path:filename>": "the shared assets, served from disk the same way",
    "/logout": "signs the visitor out: every door after it would only meet the sign-in page",
    "/hq/logout": "signs the supervisor out: every door after it would only meet HQ's sign-in page",
    "/api/v1/stores/<store_id>/batches": "swept leaf by leaf by hostile_sweep.sweep_batches (every record kind, the "
    "envelope), which a whole hostile body would only repeat",
}
# Routes that read a JSON body rather than a form (the phone's report to HQ); HQ's signed store API reads JSON too.
JSON_BODIES = {"/device-test/<token>/results"}
SIGNED_PREFIX = "/api/v1/stores/<store_id>/"
LONG_VALUE = 4096  # bytes: a hostile value longer than this fills one body field, not every one
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass(frozen=True)
class Door:
    app: str  # "kiosk" or "hq"
    method: str
    rule: str  # as the url_map writes it: /tradeins/<tradein_uuid>/seller
    arguments: tuple[str, ...]

    @property
    def route(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def takes_body(self) -> bool:
        return self.method in ("POST", "PUT")

    def path(self, values: Mapping[str, str]) -> str:
        """The rule with each argument's value put in (already percent-encoded by the caller)."""
        return _ARGUMENT.sub(lambda match: values[match.group(1)], self.rule)


def doors(app: str, flask_app: Flask) -> list[Door]:
    """Every method of every route `flask_app` serves, but SKIPPED's; HEAD only where it is the route's own."""
    found = []
    for rule in flask_app.url_map.iter_rules():
        if rule.rule in SKIPPED:
            continue
        methods = set(rule.methods or ()) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # Flask answers HEAD with the GET's view
        found += [Door(app, method, rule.rule, tuple(sorted(rule.arguments))) for method in methods]
    return sorted(found, key=lambda door: (door.rule, door.method))


def stale_skips(apps: Iterable[Flask]) -> list[str]:
    """SKIPPED's rules that no app serves any more."""
    served = {rule.rule for app in apps for rule in app.url_map.iter_rules()}
    return sorted(set(SKIPPED) - served)


# What a door sends: (door, its path, the hostile value of its body or None) -> the status (0: connection dropped).
Send = Callable[[Door, str, Hostile | None], int]


def visitor_send(visitor: Visitor, body_fields: tuple[str, ...]) -> Send:
    """A browser's request as `visitor` (its session and CSRF token): the hostile value in every one of
    `body_fields`, or as a JSON document where the route reads one."""

    def send(door: Door, path: str, hostile: Hostile | None) -> int:
        if door.rule in JSON_BODIES:
            body = json.dumps(hostile.value if hostile else {}, ensure_ascii=False).encode("utf-8", "surrogatepass")
            try:
                return visitor.session.request(
                    door.method,
                    visitor.base + path,
                    data=body,
                    timeout=30,
                    allow_redirects=False,
                    headers={"Content-Type": "application/json"},
                ).status_code
            except OSError:
                return 0
        value = hostile.form_bytes() if hostile is not None else b""
        # A long value goes in one field: in all of them it makes an 8 MB request, which only tests the size limits
        names = () if hostile is None else body_fields if len(value) <= LONG_VALUE else body_fields[:1]
        fields = [(CSRF_FIELD, b""), *((name, value) for name in names)]
        return visitor.submit(Form("", path, door.method, tuple((name, "") for name, _ in fields)), fields, {})

    return send


def signed_send(store) -> Send:
    """HQ's store API as a terminal calls it (testing.hostile_sweep.Store signs the request): a JSON body."""

    def send(door: Door, path: str, hostile: Hostile | None) -> int:
        body = json.dumps(hostile.value, ensure_ascii=False).encode("utf-8", "surrogatepass") if hostile else b""
        return store.send(door.method, path, body)

    return send


@dataclass(frozen=True)
class Knock:
    door: Door
    part: str  # "<argument>" or "body"
    hostile: Hostile
    status: int


def sweep_doors(
    found: list[Door], sender: Callable[[Door], Send], plausible: Mapping[str, str], samples
) -> list[Knock]:
    """Each door: each path argument in turn hostile (the others plausible: `plausible`, "x" for a name it lacks),
    then its body hostile; `samples` gives the hostile values of one more part at each next()."""
    knocks = []
    for door in found:
        send = sender(door)
        values = {name: quote(str(plausible.get(name, "x")), safe="") for name in door.arguments}
        for name in door.arguments:
            for hostile in next(samples):
                path = door.path({**values, name: quote(hostile.form_bytes(), safe="")})
                knocks.append(Knock(door, f"<{name}>", hostile, send(door, path, None)))
        if door.takes_body or not door.arguments:
            for hostile in next(samples):
                knocks.append(Knock(door, "body", hostile, send(door, door.path(values), hostile)))
    return knocks


def knocker(door: Door) -> str:
    """Who knocks on a door: the totem's customer on its routes, the store (signed) on HQ's store API, anyone on HQ's
    public pages (sign-in, tracking, the phone's test), the signed-in manager or supervisor on the rest."""
    if door.app == "kiosk":
        return "customer" if door.rule.startswith("/customer") else "staff"
    if door.rule.startswith(SIGNED_PREFIX):
        return "signed"
    return "supervisor" if door.rule.startswith("/hq/") and door.rule != "/hq/login" else "anyone"


@dataclass
class Routes:
    """The apps' doors, who knocks on each (by knocker's name), and each app's plausible path arguments."""

    doors: list[Door]
    senders: dict[str, Send]
    plausible: dict[str, dict[str, str]]

    def knock(self, samples, more: Mapping[str, Mapping[str, str]]) -> list[Knock]:
        """Every door: the kiosk's, then HQ's, its store API before its pages (a page's door may revoke the store);
        `more` adds plausible values known only once the sweep has run (HQ's trade-in)."""
        knocks = []
        for app in ("kiosk", "hq"):
            mine = sorted((d for d in self.doors if d.app == app), key=lambda d: knocker(d) != "signed")
            knocks += sweep_doors(
                mine,
                lambda door: self.senders[knocker(door)],
                {**self.plausible.get(app, {}), **more.get(app, {})},
                samples,
            )
        return knocks


def routes_for(
    kiosk_app: Flask,
    hq_app: Flask,
    visitors: Mapping[str, Visitor],
    store,
    body_fields: tuple[str, ...],
    plausible: dict[str, dict[str, str]],
) -> Routes:
    """Both apps' doors from their url_map, knocked on by `visitors` (customer, staff, supervisor, anyone) and the
    signed `store`."""
    senders = {name: visitor_send(visitor, body_fields) for name, visitor in visitors.items()}
    return Routes(doors("kiosk", kiosk_app) + doors("hq", hq_app), {**senders, "signed": signed_send(store)}, plausible)
