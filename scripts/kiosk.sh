#!/usr/bin/env bash
# Command 1 of the README: install what the kiosk needs and start it on its embedded defaults.
# Extra arguments go to the `kiosk` console script, kiosk/launcher.py (e.g. --demo for a demo store, --port 8081,
# --data-dir /srv/kiosk).
source "$(dirname "$0")/setup.sh"
ensure_venv "camera,ocr,usb-printer"
ensure_apt libzbar0 tesseract-ocr-eng fonts-ocr-b libusb-1.0-0
exec "$VENV/bin/kiosk" "$@"
