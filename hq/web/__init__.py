"""HQ's web layer: blueprints and their helpers. No SQL, no transactions: they call hq.services."""
