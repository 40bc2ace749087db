#!/usr/bin/env bash
# Command 2 of the README: install everything the tests need (system packages included) and run the whole suite.
# Extra arguments go to pytest (e.g. -k imei, -x). `--quick` first: a developer's lane, no browser and no
# crash/fault soak (CI runs everything).
source "$(dirname "$0")/setup.sh"
ensure_apt libzbar0 chromium fonts-dejavu-core fonts-liberation2 fonts-ocr-b fonts-roboto fonts-noto-core fonts-inter tesseract-ocr-eng haproxy
ensure_venv "camera,ocr,dev,hq-postgres,redis,usb-printer"
ensure_postgres
ensure_redis
cd "$ROOT"
"$VENV/bin/ruff" check .
"$VENV/bin/lint-imports" --no-cache
if [ "${1:-}" = "--quick" ]; then
  shift
  set -- -m "not browser and not slow" "$@"
fi
# Tests run in TEST_WORKERS processes (pytest-xdist; 0 = one process, as when debugging with -x or --pdb): most of a
# test's time is spent waiting on a real server, printer socket or browser, so three share two cores well.
exec "$VENV/bin/python" -m pytest -n "${TEST_WORKERS:-3}" "$@"
