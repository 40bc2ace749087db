"""Every form a user can reach, found the way a browser finds it: a real HTTP session crawls an app's pages from a
few seeds, follows its same-host links and parses each <form> (action, method, fields, CSRF token). A new form is
found without editing a list. Used by testing/hostile_sweep.py."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import requests

CSRF_FIELD = "csrf_token"
# Links a crawler must not follow: they sign out, or answer something that is not a page.
NOT_FOLLOWED = re.compile(r"logout|/static/|\.(png|jpe?g|csv|xml|pdf|svg|js|css|ico)(\?|$)")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[A-Z]{1,3}-[A-Z0-9-]{4,}|\d+")


# What a user types into an empty field of this input type, when the page suggests nothing.
TYPED_DEFAULTS = {"date": "1990-04-12", "number": "1", "tel": "0102030405", "email": "a@example.com"}


def pattern(path: str) -> str:
    """A path with its ids and numbers as placeholders: one page (and one form) per shape is enough."""
    return _ID.sub("{}", urlsplit(path).path)


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    fields: tuple[tuple[str, str], ...]  # name, default value (what the browser would send untouched)
    files: tuple[str, ...] = ()

    @property
    def route(self) -> str:
        return f"{self.method} {pattern(self.action)}"

    def key(self) -> tuple:
        return self.route, tuple(sorted({name for name, _ in self.fields} | set(self.files)))


class _PageParser(HTMLParser):
    """The links and forms of one page; a field's default is what the browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or ""
            method = "GET" if a.get("hx-get") or a.get("method", "get").lower() == "get" and not a.get("hx-post") \
                else "POST"
            self.forms.append({"action": action, "method": method, "fields": [], "files": []})
        elif self.forms:
            self._field(tag, a)

    def _field(self, tag: str, a: dict) -> None:
        form, name = self.forms[-1], a.get("name")
        if not name:
            return
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag == "input" and kind == "file":
            form["files"].append(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a or not any(n == name for n, _ in form["fields"]):
                form["fields"] = [f for f in form["fields"] if f[0] != name] + [(name, a.get("value", "on"))]
        elif tag == "input" or (tag == "button" and kind == "submit"):
            form["fields"].append((name, a.get("value") or TYPED_DEFAULTS.get(kind, a.get("min", ""))))
        elif tag == "select":
            self._select = name
            form["fields"].append((name, ""))
        elif tag == "textarea":
            self._textarea = name
            form["fields"].append((name, ""))
        elif tag == "option" and self._select:
            self._option(form, a)

    def _option(self, form: dict, a: dict) -> None:
        """A select's default: its selected option, else its first that is a choice (not "Choose…")."""
        current = dict(form["fields"]).get(self._select, "")
        if "selected" in a or (current == "" and a.get("value")):
            form["fields"] = [(n, a.get("value", "") if n == self._select else v) for n, v in form["fields"]]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"] = [(n, data if n == self._textarea else v) for n, v in self.forms[-1]["fields"]]


@dataclass
class Visitor:
    """One user of one app over HTTP: a session, the CSRF token of its last page, and how it signs in again when a
    swept form signed it out (None: an anonymous visitor)."""

    app: str
    base: str
    sign_in: Callable[[Visitor], None] | None = None
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def get(self, path: str) -> requests.Response:
        response = self.session.get(self.base + path, timeout=30, allow_redirects=True)
        self._keep_token(response.text)
        return response

    def _keep_token(self, text: str) -> None:
        if match := re.search(r'name="csrf_token" value="([^"]+)"', text):
            self.token = match.group(1)

    def submit(self, form: Form, fields: list[tuple[str, bytes]], files: dict[str, bytes]) -> int:
        """The form sent as a browser sends it, with these raw field values (bytes, percent-encoded here); the
        status, 0 when the server dropped the connection. Signs in again if the form signed this visitor out."""
        url = self.base + form.action
        fields = [(n, self.token.encode() if n == CSRF_FIELD else v) for n, v in fields]
        try:
            if form.method == "GET":
                query = "&".join(f"{quote_from_bytes(n.encode())}={quote_from_bytes(v)}" for n, v in fields)
                response = self.session.get(url.split("?")[0] + "?" + query, timeout=30, allow_redirects=False)
            elif files:
                response = self.session.post(url, data=fields, files={n: ("x.png", v) for n, v in files.items()},
                                             timeout=30, allow_redirects=False)
            else:
                body = "&".join(f"{quote_from_bytes(n.encode())}={quote_from_bytes(v)}" for n, v in fields)
                response = self.session.post(url, data=body, timeout=30, allow_redirects=False, headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
        except requests.RequestException:
            return 0
        if self.sign_in and "login" in response.headers.get("Location", "") and "login" not in form.action:
            self.sign_in(self)
        return response.status_code


def _parse(page: str, text: str) -> tuple[list[str], list[Form]]:
    parser = _PageParser()
    parser.feed(text)
    forms = [Form(page, urlsplit(urljoin(page, f["action"] or page)).path, f["method"], tuple(f["fields"]),
                  tuple(f["files"])) for f in parser.forms]
    return [urljoin(page, href) for href in parser.links], forms


def crawl(visitor: Visitor, seeds: list[str], max_pages: int = 60) -> list[Form]:
    """The distinct forms on the pages reachable from `seeds` (same host, one page per path shape)."""
    queue, seen, forms, host = deque(seeds), set(), {}, urlsplit(visitor.base).netloc
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        if pattern(path) in seen or NOT_FOLLOWED.search(path):
            continue
        seen.add(pattern(path))
        response = visitor.get(path)
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        links, found = _parse(urlsplit(response.url).path, response.text)
        for form in found:
            forms.setdefault(form.key(), form)
        for link in links:
            parts = urlsplit(link)
            if parts.netloc in ("", host) and parts.scheme in ("", "http"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(forms.values())
