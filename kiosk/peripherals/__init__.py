"""kiosk.peripherals: the self-test of this terminal's printer, scanner parsing and camera decoding, for the
staff hardware page and `flask --app kiosk hardware selftest`.

May import core and hardware."""
