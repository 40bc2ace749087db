#!/usr/bin/env bash
# Command 2 of the README: install everything the tests need (system packages included) and run the whole suite.
# Extra arguments go to pytest (e.g. -k imei, -x).
source "$(dirname "$0")/setup.sh"
ensure_apt libzbar0 chromium fonts-dejavu-core fonts-liberation2 tesseract-ocr-eng
ensure_venv "camera,ocr,dev,hq-postgres"
ensure_postgres
cd "$ROOT"
"$VENV/bin/ruff" check .
"$VENV/bin/lint-imports" --no-cache
exec "$VENV/bin/python" -m pytest "$@"
