"""Store hardware: receipt printers, scanners, camera decoding. Knows nothing of Flask."""
