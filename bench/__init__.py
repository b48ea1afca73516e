"""Benchmarks: each scenario runs the product and a baseline in the same run, alternating, and prints
the ratio product / baseline.

Absolute times move by tens of percent between identical runs on the same machine; a ratio against a
baseline measured in the same process, on the same data, moments apart, does not. Run them with
``make bench`` or ``python -m bench --help``; docs/benchmarks.md explains each scenario.

Nothing here may import Django at module level except the scenario modules, the bench URLconf and the
baseline views, which are only imported once :mod:`bench.environment` has set Django up.
"""
