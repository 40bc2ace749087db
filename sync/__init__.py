"""sync: the terminal's side of offline-first sync: the transactional outbox (outbox), the pusher with its
checkpoint and backoff (pusher), the puller of HQ's reference data and outcomes (puller), the photo files' own
resumable channel after the records (photos), the signed HQ client (client) and the SQLite primitives they run on
(localdb). HQ itself is the separate service hq.

May import core; never the kiosk (the kiosk hands the outbox its connection and the puller its appliers)."""
