"""Helpers that both tests/ and bench/ use: sample data, factories that drive the kiosk's own services,
a throw-away PostgreSQL schema, and an ESC/POS printer emulator on a real TCP socket.

May import core, kiosk, sync and hardware; the product never imports it, and bench/ never imports tests/."""
