"""kiosk.evidence: photos behind every grade. A shot of a device (front, back, lit screen, *#06# screen, damage)
taken at the counter or at the customer totem is bounded before decoding, re-encoded without any metadata
(imaging), kept once per SHA-256 in the data folder's photos/ (0600), and linked to its trade-in or estimate
(photos); its record goes to HQ through the outbox and its file follows on the photo channel (sync.photos).

Below the services (kiosk.tradein's accept checks the store's required shots, kiosk.compliance's erasure and
retention delete them), above the store."""
