"""The kiosk's French and English catalogues (.po in git, .mo compiled on first use) and the way to read
one outside a request: receipts are printed in the store's language by the background worker too."""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from core import translation_catalogues

CATALOGUES = Path(__file__).parent
KIOSK = translation_catalogues.Domain(
    folder=CATALOGUES,
    templates=translation_catalogues.ROOT / "kiosk" / "templates",
    sources=(("kiosk/templates/**.html", "jinja2"), translation_catalogues.CHECKLIST, ("kiosk/**.py", "python"),
             ("core/**.py", "python"), ("hardware/**.py", "python"),
             ("core/data/jurisdictions/*.toml", "core.jurisdiction:extract_texts"),  # a pack's texts
             ("core/data/device_tests.toml", "core.device_tests:extract_texts")),  # the phone test's names
    python_folders=("kiosk", "hardware"),
    fixed_language_templates={
        "compliance/register_export.html": "the police register is kept in French (Code pénal R321-3)"},
)


def compile_catalogues() -> None:
    translation_catalogues.compile_catalogues(CATALOGUES)


def catalogue(locale: str) -> Translations:
    """A language's catalogue outside a request (receipts printed by the background worker, the CLI)."""
    return translation_catalogues.load(KIOSK, locale)
