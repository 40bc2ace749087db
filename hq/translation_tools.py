"""HQ's catalogue upkeep (core.translation_catalogues does the work).

    python -m hq.translation_tools update   # extract, merge into fr/en, fill en; then edit fr's .po
    python -m hq.translation_tools check    # what tests/test_hq_i18n.py checks, as a report
"""

from __future__ import annotations

import sys

from core.translation_catalogues import main
from hq.translations import HQ

if __name__ == "__main__":
    sys.exit(main(HQ, sys.argv[1:]))
