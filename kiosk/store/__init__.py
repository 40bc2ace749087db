"""kiosk.store: the terminal's SQLite file: opening it with durable pragmas (db), its numbered migrations,
and the request-scoped connection (connection).

The bottom of the kiosk: may import core and sync.localdb; imports no kiosk service or view."""
