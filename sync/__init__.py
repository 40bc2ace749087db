"""Offline-first sync: the transactional outbox on the kiosk, and (later) the pusher, puller and HQ service."""
