"""The kiosk's translation catalogues (core.translation_catalogues does the work): what is extracted into them, and the
templates kept out on purpose.

    python -m kiosk.translation_tools update   # extract, merge into fr/en, fill en; then edit fr's .po
    python -m kiosk.translation_tools check    # what tests/test_i18n.py checks, as a report
"""

from __future__ import annotations

import sys

from core.translation_catalogues import main
from kiosk.translations import KIOSK

if __name__ == "__main__":
    sys.exit(main(KIOSK, sys.argv[1:]))
