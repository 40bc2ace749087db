"""kiosk.tradein: the trade-in services: every trade-in write with its audit and outbox rows (tradeins),
accepting one with its seller, register entry and payment (acceptance), the gates checked at the scan (gates),
customer estimates and the clerk's handoff (estimates), devices, TAC table, grids and promos in the
database (catalog), HQ's reference data applied on pull (reference), shipments and HQ's outcomes
(shipping), and print jobs (printing). Each service owns its transaction.

May import core, kiosk.store, kiosk.compliance, kiosk.till, sync (outbox, puller) and hardware; never a
view or Flask's request."""
