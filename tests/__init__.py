"""The test suite: real SQLite files, real HTTP between kiosk and HQ, real TCP printers, PostgreSQL, headless
Chromium. Shared helpers that benchmarks also use live in testing/."""
