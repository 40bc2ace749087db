#!/usr/bin/env python3
"""Thin launcher of the `kiosk` console script (kiosk/launcher.py), for a checkout without it on the PATH:

    python run_kiosk.py [--host 127.0.0.1] [--port 8080] [--data-dir ./instance] [--demo]
"""

import sys

from kiosk.launcher import main

if __name__ == "__main__":
    sys.exit(main())
