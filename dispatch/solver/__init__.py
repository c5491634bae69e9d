"""The dispatch solver: a station's day in, a plan out, as plain data (the exchange format
of `docs/solver.md`). Pure: it imports neither Flask, SQLAlchemy nor any app package, so a
planning worker on another machine loads only this.

    from dispatch.solver import load_problem, solve, dump_plan
    plan = solve(load_problem(document), seconds=2)

Modules, one per part: `problem` (the format, read and checked), `travel` (the travel
model), `model` (the OR-Tools model and `RoutingParams`, OR-Tools' search settings),
`ruin_recreate` (our compiled search and `SearchParams`, its settings), `solve` (wires
them: problem, model, search, plan), `reasons` (why a visit stays unplanned), `bench`
(benchmarks only).
"""
from dispatch.solver.model import RoutingParams
from dispatch.solver.problem import (
    Break,
    Engineer,
    Fixed,
    Location,
    Plan,
    Problem,
    ProblemError,
    Route,
    Stop,
    Travel,
    Unassigned,
    Visit,
    dump_plan,
    load_problem,
)
from dispatch.solver.ruin_recreate import SearchParams
from dispatch.solver.solve import solve

__all__ = [
    "Break", "Engineer", "Fixed", "Location", "Plan", "Problem", "ProblemError", "Route",
    "RoutingParams", "SearchParams", "Stop", "Travel", "Unassigned", "Visit", "dump_plan", "load_problem",
    "solve",
]
