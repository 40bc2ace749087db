"""The kiosk's French and English catalogues (.po in git, .mo compiled on first use) and the way to read
one outside a request: receipts are printed in the store's language by the background worker too."""

from __future__ import annotations

import functools
import warnings
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUES = Path(__file__).parent


def compile_catalogues() -> None:
    """Compile each .po (the source, in git) to the .mo gettext reads, when missing or older:
    a fresh clone or an edited catalogue works without a separate build step."""
    for po in CATALOGUES.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        try:
            mo.write_bytes(buffer.getvalue())
        except OSError as err:  # a read-only install: the .mo shipped with it is used
            warnings.warn(f"cannot compile {po}: {err}", stacklevel=2)


def catalogue(locale: str) -> Translations:
    """A language's catalogue outside a request (receipts printed by the background worker, the CLI)."""
    _compile_once()  # a caller without an app (CLI, print worker, tests) must not read a stale .mo
    return Translations.load(str(CATALOGUES), [locale])


@functools.cache
def _compile_once() -> None:
    compile_catalogues()
