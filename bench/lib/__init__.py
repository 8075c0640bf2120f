"""What the benchmark scripts in bench/ share.

A package, so that `make bench` (which runs every bench/*.py) never runs these modules as
benchmarks; importing them has no side effect.
"""
