"""Benchmarks of the solver: Solomon VRPTW against PyVRP, and seeded station days.

Benchmark-only code: it may import PyVRP (requirements-bench.txt); the product never imports
this package.
"""
