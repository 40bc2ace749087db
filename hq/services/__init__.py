"""HQ's services: each owns its transactions; called by hq.web and hq.cli, built on hq.storage."""
