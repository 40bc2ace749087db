"""Benchmarks: every figure a ratio against a floor measured in the same run (python -m bench.run). Imports the
product and testing/, never tests/."""
