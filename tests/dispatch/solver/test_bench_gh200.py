"""The Gehring & Homberger benchmark (`dispatch/solver/bench/gh200.py`): the gap to the best
known is only meaningful if the `.sol` routes are read onto the right visits."""
from __future__ import annotations

import csv

import pytest

from dispatch.solver.bench.gh200 import best_known, gh200_dir
from dispatch.solver.bench.shared import vrplib_problem


@pytest.mark.parametrize("name", ["C1_2_1", "R2_2_5", "RC1_2_9"])
def test_best_known_routes_serve_every_customer_once_at_about_their_stated_cost(name):
    """Tests that each best-known solution, read as visits `c1`..`c200`, serves every visit of
    the converted instance exactly once, and that its real-arithmetic distance lies just
    above the stated cost (which truncates every arc to one decimal: at most 0.1 per arc)."""
    path = gh200_dir() / f"{name}.vrp"
    if not path.exists():
        pytest.skip("the shared gh200 instances are not here")
    doc = vrplib_problem(path)
    lines = (path.with_suffix(".sol")).read_text().splitlines()
    served = [f"c{k}" for line in lines if line.startswith("Route") for k in line.split(":", 1)[1].split()]
    assert sorted(served) == sorted(v["id"] for v in doc["visits"])
    with (gh200_dir() / "bks-dimacs.csv").open() as fh:
        stated = {row[0]: float(row[2]) for row in csv.reader(fh)}[name]
    routes, distance = best_known(doc, path.with_suffix(".sol"))
    arcs = len(served) + routes
    assert stated <= distance <= stated + 0.1 * arcs
