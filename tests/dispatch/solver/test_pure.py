"""The solver package stands alone: a planning worker without Flask or SQLAlchemy runs it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter: the test process itself has Flask loaded by other tests.
SCRIPT = r'''
import importlib.abc
import json
import sys

BLOCKED = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug")


class Unimportable(importlib.abc.MetaPathFinder):
    """Every import of a web or database package fails, as on a worker without them."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed here")
        return None


sys.meta_path.insert(0, Unimportable())

import dispatch.solver as solver

solver.ruin_recreate.warm()
problem = solver.load_problem(sys.stdin.read())
plan = solver.dump_plan(solver.solve(problem, 0.5))
loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
print(json.dumps({"plan": plan, "loaded": loaded}))
'''


def _solve_without_the_web(problem: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", SCRIPT], input=json.dumps(problem), capture_output=True,
                         text=True, cwd=REPO, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_solver_plans_a_day_with_flask_and_sqlalchemy_unimportable(station, check_plan):
    """Tests that `dispatch.solver` imports, solves and returns a plan the shared checker
    accepts in an interpreter where Flask, SQLAlchemy and Werkzeug cannot be imported."""
    problem = station()
    result = _solve_without_the_web(problem)

    assert result["loaded"] == []
    plan = result["plan"]
    routed = sorted(stop["visit"] for route in plan["routes"] for stop in route["stops"])
    assert routed == ["v1", "v2", "v3"]
    assert plan["unassigned"] == []
    check_plan(problem, plan)


def test_the_guard_really_blocks_flask():
    """Tests that the blocking finder of the script above makes `import flask` fail, so the
    test of the solver cannot pass merely because nothing tried to import Flask."""
    guard = SCRIPT.split("import dispatch.solver")[0]
    probe = guard + "try:\n    import flask\nexcept ImportError:\n    print('blocked')\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=60,
                         check=False)
    assert out.stdout.strip() == "blocked", out.stderr
