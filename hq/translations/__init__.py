"""HQ's French and English catalogues (.po in git, .mo compiled on first use): the same set-up and checks as
the kiosk's (core.catalogues), seeded from the kiosk's French where the text is the same (the checklist)."""

from __future__ import annotations

from pathlib import Path

from core import catalogues

CATALOGUES = Path(__file__).parent
HQ = catalogues.Domain(
    folder=CATALOGUES,
    templates=Path(__file__).parent.parent / "templates",
    sources=(("hq/templates/**.html", "jinja2"), catalogues.CHECKLIST, ("hq/**.py", "python"),
             ("core/store_profile.py", "python"), ("core/device_names.py", "python"), ("hardware/uploads.py", "python"),
             ("hardware/camera.py", "python")),
    python_folders=("hq",),
    seed_from=catalogues.ROOT / "kiosk" / "translations",
)
