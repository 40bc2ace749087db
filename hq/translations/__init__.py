"""HQ's French and English catalogues (.po in git, .mo compiled on first use): the same set-up and checks as
the kiosk's (core.translation_catalogues), seeded from the kiosk's French where the text is the same (the checklist)."""

from __future__ import annotations

from pathlib import Path

from core import translation_catalogues

CATALOGUES = Path(__file__).parent
HQ = translation_catalogues.Domain(
    folder=CATALOGUES,
    templates=Path(__file__).parent.parent / "templates",
    sources=(("hq/templates/**.html", "jinja2"), translation_catalogues.CHECKLIST, ("hq/**.py", "python"),
             ("core/store_profile.py", "python"), ("core/device_names.py", "python"), ("hardware/uploads.py", "python"),
             ("hardware/camera.py", "python"), ("core/photos.py", "python"),
             ("core/health.py", "python"), ("core/device_tests.py", "python"),
             ("core/data/device_tests.toml", "core.device_tests:extract_texts")),
    python_folders=("hq",),
    seed_from=translation_catalogues.ROOT / "kiosk" / "translations",
)
