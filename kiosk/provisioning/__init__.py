"""kiosk.provisioning: bringing a terminal's database into being: create and migrate it (setup), and the
demo store with its staff, catalog and price grid when asked for (seed).

May import kiosk's services and store, and core."""
