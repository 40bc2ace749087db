"""Translation catalogue upkeep: extraction (templates, Python, the checklist spec), the English
catalogue filled from its source text, and the search for literals that bypass the catalogue.

    python -m kiosk.catalogue_tools update   # extract, merge into fr/en, fill en; then edit fr's .po
    python -m kiosk.catalogue_tools check    # what tests/test_i18n.py checks, as a report
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "kiosk" / "translations"
LOCALES = ("fr", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}
METHOD_MAP = [
    ("kiosk/templates/**.html", "jinja2"),
    ("core/data/checklist.toml", "kiosk.catalogue_tools:extract_checklist"),
    ("kiosk/**.py", "python"),
    ("core/**.py", "python"),
    ("hardware/**.py", "python"),
]
OPTIONS = {"kiosk/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
SPEC_TEXT_KEYS = ("text", "help", "customer_text", "customer_help", "short", "label", "gate")


def extract_checklist(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for the checklist spec: every text a clerk or customer reads."""
    spec = tomllib.loads(fileobj.read().decode("utf-8"))
    for question in spec["questions"]:
        for item in (question, *question.get("answers", []), *question.get("bands", [])):
            for key in SPEC_TEXT_KEYS:
                if item.get(key):
                    yield 0, None, item[key], [f"checklist {question['id']}.{key}"]


def extract() -> Catalog:
    catalog = Catalog(project="tradein-kiosk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return CATALOGUES / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def update() -> None:
    template = extract()
    for locale in LOCALES:
        path = po_path(locale)
        catalog = read(locale) if path.exists() else Catalog(locale=locale, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        for message in catalog:
            if locale == "en" and message.id and not message.string:
                message.string = message.id  # English is the source language: complete by construction
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = BytesIO()
        write_po(buffer, catalog, width=120, omit_header=False, ignore_obsolete=True, sort_output=False)
        path.write_bytes(buffer.getvalue())


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


FSTRING_GETTEXT = re.compile(r"""f["'][^"'\n]*\{_\(""")


def catalogue_problems() -> list[str]:
    """Strings in the code missing from a catalogue, untranslated, fuzzy, or with other placeholders;
    and _() inside an f-string, which extraction cannot see."""
    wanted = {m.id for m in extract() if m.id}
    problems = [f"{path.relative_to(ROOT)}: _() inside an f-string is never extracted"
                for folder in ("kiosk", "hardware") for path in sorted((ROOT / folder).rglob("*.py"))
                if FSTRING_GETTEXT.search(path.read_text(encoding="utf-8"))]
    for locale in LOCALES:
        catalog = {m.id: m for m in read(locale) if m.id}
        for msgid in sorted(wanted):
            message = catalog.get(msgid)
            if message is None or not message.string or message.fuzzy:
                problems.append(f"{locale}: no translation for {msgid!r}")
            elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(message.string)):
                problems.append(f"{locale}: placeholders differ in {msgid!r}")
    return problems


TRANSLATED_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
WORD = re.compile(r"[^\W\d_]{2,}")


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        if WORD.search(data) and self.lasttag not in ("style", "script"):
            self.found.append(data.strip())

    def handle_starttag(self, tag, attrs) -> None:
        self.found += [v for k, v in attrs if k in TRANSLATED_ATTRIBUTES and v and WORD.search(v)]


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


# Documents whose language the law sets, whatever the reader's: kept out of the catalogue on purpose.
FIXED_LANGUAGE_TEMPLATES = {
    "compliance/register_export.html": "the police register is kept in French (Code pénal R321-3)",
}


def template_problems() -> list[str]:
    templates = ROOT / "kiosk" / "templates"
    return [f"{path.relative_to(ROOT)}: {text!r}" for path in sorted(templates.rglob("*.html"))
            if path.relative_to(templates).as_posix() not in FIXED_LANGUAGE_TEMPLATES
            for text in untranslated_literals(path.read_text(encoding="utf-8"))]


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        update()
    problems = template_problems() + catalogue_problems()
    print("\n".join(problems) or "catalogues complete, no untranslated literal")
    sys.exit(1 if problems and sys.argv[1:] == ["check"] else 0)
