"""Benchmark tooling: a deterministic generator of a realistic province (``bench.generate``)."""
