"""Translation catalogues, one set per application (the kiosk's, HQ's): extraction from templates, Python and
the checklist spec, the English catalogue filled from its source text, compilation of .po to .mo on first use,
and the checks tests and the `check` commands run (every string translated, same placeholders, no readable
literal in a template that bypasses the catalogue). Babel and Jinja's lexer only: no Flask.

    python -m kiosk.translation_tools update | check
    python -m hq.translation_tools update | check
"""

from __future__ import annotations

import functools
import re
import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("fr", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
CHECKLIST = ("core/data/checklist.toml", "core.translation_catalogues:extract_checklist")
SPEC_TEXT_KEYS = ("text", "help", "customer_text", "customer_help", "short", "label", "gate")


@dataclass(frozen=True)
class Domain:
    """One application's catalogues: where its .po files live and what is extracted into them."""

    folder: Path  # <folder>/<locale>/LC_MESSAGES/messages.po
    templates: Path
    sources: tuple[tuple[str, str], ...]  # Babel's method map, paths relative to ROOT
    python_folders: tuple[str, ...]  # searched for _() inside f-strings
    # Templates whose language the law sets, whatever the reader's: kept out of the catalogue on purpose.
    fixed_language_templates: dict[str, str] = field(default_factory=dict)
    # A sibling catalogue whose translations seed new entries with the same text (the checklist's questions).
    seed_from: Path | None = None

    def po_path(self, locale: str) -> Path:
        return self.folder / locale / "LC_MESSAGES" / "messages.po"


def extract_checklist(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for the checklist spec: every text a clerk, customer or HQ receiver reads."""
    spec = tomllib.loads(fileobj.read().decode("utf-8"))
    for question in spec["questions"]:
        for item in (question, *question.get("answers", []), *question.get("bands", [])):
            for key in SPEC_TEXT_KEYS:
                if item.get(key):
                    yield 0, None, item[key], [f"checklist {question['id']}.{key}"]


def compile_catalogues(folder: Path) -> None:
    """Compile each .po (the source, in git) to the .mo gettext reads, when missing or older:
    a fresh clone or an edited catalogue works without a separate build step."""
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
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


@functools.cache
def _compiled_once(folder: Path) -> None:
    compile_catalogues(folder)


def load(domain: Domain, locale: str) -> Translations:
    """A language's catalogue outside a request (receipts printed by a background worker, the CLI)."""
    _compiled_once(domain.folder)  # a caller without an app must not read a stale .mo
    return _loaded(domain.folder, locale)


# Parsed once a process: a .mo takes about a millisecond to parse, and a trade-in's page shows its receipt in the
# store's language every time it is opened. The .mo does not change while the process runs (_compiled_once).
@functools.lru_cache(maxsize=32)
def _loaded(folder: Path, locale: str) -> Translations:
    return Translations.load(str(folder), [locale])


def extract(domain: Domain) -> Catalog:
    catalog = Catalog(project="tradein", charset="utf-8")
    options = {pattern: TEMPLATE_OPTIONS for pattern, method in domain.sources if method == "jinja2"}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), list(domain.sources), options, KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(domain: Domain, locale: str) -> Catalog:
    with domain.po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def update(domain: Domain) -> None:
    """Extract, merge into each locale, complete English from the source text and seed from the sibling."""
    for locale in LOCALES:
        path = domain.po_path(locale)
        catalog = read(domain, locale) if path.exists() else Catalog(locale=locale, charset="utf-8")
        catalog.update(extract(domain), no_fuzzy_matching=True)  # its own template: update() shares messages
        seed = _seed(domain, locale)
        for message in catalog:
            if message.id and not message.string:
                # English is the source language: complete by construction.
                message.string = message.id if locale == "en" else seed.get(message.id, "")
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = BytesIO()
        write_po(buffer, catalog, width=120, omit_header=False, ignore_obsolete=True, sort_output=False)
        path.write_bytes(buffer.getvalue())


def _seed(domain: Domain, locale: str) -> dict[str, str]:
    path = domain.seed_from / locale / "LC_MESSAGES" / "messages.po" if domain.seed_from else None
    if path is None or not path.exists():
        return {}
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=locale) if isinstance(m.id, str) and m.string}


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
FSTRING_GETTEXT = re.compile(r"""f["'][^"'\n]*\{_\(""")


def catalogue_problems(domain: Domain) -> list[str]:
    """Strings in the code missing from a catalogue, untranslated, fuzzy, or with other placeholders;
    and _() inside an f-string, which extraction cannot see."""
    wanted = {m.id for m in extract(domain) if m.id}
    problems = [f"{path.relative_to(ROOT)}: _() inside an f-string is never extracted"
                for folder in domain.python_folders for path in sorted((ROOT / folder).rglob("*.py"))
                if FSTRING_GETTEXT.search(path.read_text(encoding="utf-8"))]
    for locale in LOCALES:
        catalog = {m.id: m for m in read(domain, locale) if m.id}
        for msgid in sorted(wanted):
            message = catalog.get(msgid)
            if message is None or not message.string or message.fuzzy:
                problems.append(f"{locale}: no translation for {msgid!r}")
            elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(message.string)):
                problems.append(f"{locale}: placeholders differ in {msgid!r}")
    return problems


TRANSLATED_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
WORD = re.compile(r"[^\W\d_]{2,}")


def _readable(text: str) -> bool:
    """Words in a language: codes, acronyms and formats in capitals (SIRET, BAG:TI-XXXX) are not."""
    return bool(WORD.search(text)) and any(ch.islower() for ch in text)


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_code = 0  # a command shown to type (<code>) is the same in every language

    def handle_data(self, data: str) -> None:
        if _readable(data) and self.lasttag not in ("style", "script") and not self.in_code:
            self.found.append(data.strip())

    def handle_starttag(self, tag, attrs) -> None:
        self.in_code += tag == "code"
        self.found += [v for k, v in attrs if k in TRANSLATED_ATTRIBUTES and v and _readable(v)]

    def handle_endtag(self, tag) -> None:
        self.in_code -= tag == "code" and self.in_code > 0


def untranslated_literals(source: str) -> list[str]:
    """Readable text in a template that does not go through the catalogue: HTML text and labelling
    attributes outside {% trans %}, and quoted words in Jinja code not passed to _()/gettext."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    skeleton, strings, in_trans, previous = [], [], False, []
    for _, kind, value in env.lex(source):
        if kind == "name" and value in ("trans", "endtrans") and previous[-1:] == ["{%"]:
            in_trans = value == "trans"
        if kind == "data" and not in_trans:
            skeleton.append(value)
        elif kind.endswith("_begin"):
            skeleton.append("§")  # where Jinja puts something: neither text nor markup
        elif kind == "string" and re.search(r"[A-Z ]", value.strip("'\"")) and WORD.search(value) \
                and not re.search(r"[=<]", value) \
                and previous[-2:] not in (["_", "("], ["gettext", "("], ["ngettext", "("]):
            strings.append(value)
        if kind not in ("whitespace", "data"):
            previous = [*previous[-2:], value]
    finder = _TextFinder()
    finder.feed("".join(skeleton))
    return finder.found + strings


def template_problems(domain: Domain) -> list[str]:
    return [f"{path.relative_to(ROOT)}: {text!r}" for path in sorted(domain.templates.rglob("*.html"))
            if path.relative_to(domain.templates).as_posix() not in domain.fixed_language_templates
            for text in untranslated_literals(path.read_text(encoding="utf-8"))]


def main(domain: Domain, argv: list[str]) -> int:
    """`update` extracts and merges, then reports; `check` reports and fails on any problem."""
    if argv == ["update"]:
        update(domain)
    problems = template_problems(domain) + catalogue_problems(domain)
    print("\n".join(problems) or "catalogues complete, no untranslated literal")
    return 1 if problems and argv == ["check"] else 0
