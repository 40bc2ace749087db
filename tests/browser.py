"""Real headless Chromium (Debian's package) driven by Playwright, and a live server in a thread."""

from __future__ import annotations

import atexit
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def wedge_scan(page, text: str, gap_ms: float = 5) -> None:
    """A keyboard-wedge scanner's burst: each character a key `gap_ms` apart, then Enter, every key stamped with the
    time the device sent it (as the operating system stamps a real scanner's keys). Playwright's own typing is paced
    by this test process: on a loaded machine its 5 ms became 200 ms now and then, splitting the burst in two, which
    a real scanner never does (scanner.js measures the keys' own times, not when the page got to them)."""
    cdp = page.context.new_cdp_session(page)
    try:
        sent_at = time.time()
        for char in [*text, "\r"]:
            key, code = ("Enter", 13) if char == "\r" else (char, ord(char.upper()) if char.isalnum() else 0)
            down = {"type": "keyDown", "key": key, "text": char, "windowsVirtualKeyCode": code, "timestamp": sent_at}
            cdp.send("Input.dispatchKeyEvent", down)
            cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "windowsVirtualKeyCode": code,
                                                "timestamp": sent_at + gap_ms / 2000})
            sent_at += gap_ms / 1000
    finally:
        cdp.detach()


_SHARED: dict = {}  # one Playwright driver and one Chromium for the whole test session


def _shared_browser(extra_args: tuple[str, ...] = ()):
    """Chromium started once per test session and per set of extra flags (starting it was a good part of each
    browser test's time); each test still gets fresh contexts, so no cookie or page outlives it."""
    if "driver" not in _SHARED:
        from playwright.sync_api import sync_playwright

        _SHARED["driver"] = sync_playwright().start()
        atexit.register(_close_shared)
    browser = _SHARED.get(extra_args)
    if browser is None or not browser.is_connected():
        browser = _SHARED["driver"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + list(extra_args))
        _SHARED[extra_args] = browser
    return browser


def _close_shared() -> None:
    driver = _SHARED.pop("driver", None)
    for browser in _SHARED.values():
        browser.close()
    _SHARED.clear()
    if driver is not None:
        driver.stop()


@contextmanager
def chromium(*extra_args: str) -> Iterator:
    """The browser itself, for tests that need several independent visitors (contexts). The contexts a test
    opens are closed when it ends."""
    browser = _shared_browser(tuple(extra_args))
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        for context in browser.contexts:
            if context not in before:
                context.close()


def new_page(browser, width: int = 1280, height: int = 800, **options):
    """A page in a context of its own (own cookies): one visitor."""
    page = browser.new_context(viewport={"width": width, "height": height}, **options).new_page()
    page.set_default_timeout(10_000)
    return page


@contextmanager
def chromium_page(width: int = 1280, height: int = 800, **options) -> Iterator:
    with chromium() as browser:
        yield new_page(browser, width, height, **options)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def code128_in(png: bytes) -> list[str]:
    """The Code128 codes a scanner would read in a picture (an element's screenshot, a receipt PNG)."""
    import cv2  # the camera extra, installed by the test command
    import numpy as np
    import zxingcpp

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
