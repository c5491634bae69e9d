"""A problem in, a plan out: wires the dispatch solver's parts.

Knows nothing of Flask or the database. The problem is checked (`_check_fixed_days`), each
visit screened for the engineers who could take it (`reasons.screen`), the OR-Tools model
built (`model.build_model`); our compiled ruin and recreate (`ruin_recreate.improve`)
searches on the model's own integers for most of the time, then OR-Tools takes its best
routes (`ReadAssignmentFromRoutes`), checks them against every constraint and polishes
them. Visits that cannot be planned get a reason found by analysis (`reasons.left_out`).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from dispatch.solver import reasons, ruin_recreate, travel as travel_model
from dispatch.solver.model import (
    ITERATED_LOCAL_SEARCH,
    Model,
    RoutingParams,
    ScaledProblem,
    build_model,
    scale_problem,
    search_parameters,
)
from dispatch.solver.problem import Engineer, Plan, Problem, ProblemError, Route, Stop, Unassigned, Visit
from dispatch.solver.ruin_recreate import SearchParams

Progress = Callable[[float, int], None]


def solve(problem: Problem, seconds: float, *, progress: Progress | None = None,
          routing: RoutingParams | None = None, search: SearchParams | None = None,
          initial: dict[str, list[str]] | None = None) -> Plan:
    """Plan the problem's day within about `seconds` of search.

    `routing` and `search` are the settings of OR-Tools' search and of ours (the measured
    best when None). `initial` is a warm start: visit ids per engineer id in route order
    (the published plan, when re-planning after a change); visits it names that no longer
    fit, or no longer exist, are simply planned afresh. Raises `ProblemError` when fixed
    visits cannot all be kept (their engineer cannot travel between them, get home in the
    shift, take the break or carry their load).
    """
    clock = time.perf_counter()
    plan = Plan(problem=problem.name)
    if not problem.engineers or not problem.visits:
        plan.unassigned = [Unassigned(v.id, "no engineer on duty") for v in problem.visits]
        plan.solver = {"name": "ortools-routing", "status": "EMPTY", "seconds": 0.0}
        return plan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds: must be a positive number, got {seconds}")
    routing, search = routing or RoutingParams(), search or SearchParams()
    real = travel_model.matrices(problem.travel, problem.locations)
    _check_fixed_days(problem, real.time)
    data = scale_problem(problem, real)
    matrix_s = time.perf_counter() - clock

    allowed, why_not = {}, {}
    for v in problem.visits:
        engineers_or_reason = reasons.screen(v, data.problem, data.real.time)
        if isinstance(engineers_or_reason, str):
            why_not[v.id] = engineers_or_reason
        else:
            allowed[v.id] = engineers_or_reason
    planned = [v for v in problem.visits if v.id in allowed]
    model, solution, status, search_s, model_s = None, None, "NOTHING_TO_PLAN", 0.0, 0.0
    if planned:
        model, solution, status, search_s, model_s = _search(data, planned, allowed, seconds, routing, search,
                                                             progress, initial)
    read_start = time.perf_counter()
    if solution is not None:
        plan.routes = _read_routes(model, data, solution)
    routed = {s.visit for r in plan.routes for s in r.stops}
    for v in problem.visits:
        if v.id in why_not:
            plan.unassigned.append(Unassigned(v.id, why_not[v.id]))
        elif v.id not in routed:
            plan.unassigned.append(Unassigned(v.id, reasons.left_out(v, allowed[v.id], solution is None)))
    read_s = time.perf_counter() - read_start
    plan.solver = {
        "name": "ortools-routing", "status": status,
        "seconds": round(time.perf_counter() - clock, 3),
        "search_seconds": round(search_s, 3), "matrix_seconds": round(matrix_s, 3),
        "model_seconds": round(model_s, 3), "read_seconds": round(read_s, 3),
        "first_solution": routing.first_solution, "metaheuristic": routing.metaheuristic,
        **(model.notes if model is not None else {}),
    }
    return plan


def _check_fixed_days(problem: Problem, travel_time: np.ndarray) -> None:
    """Refuse fixed visits their engineer cannot keep: no plan could hold them all.

    The loader checks each fixed visit alone; this walks each engineer's fixed visits in
    order with the travel between them, the way home, the break and the load.
    """
    loc = problem.location_index
    by_engineer: dict[str, list[tuple[int, Visit]]] = {}
    for i, v in enumerate(problem.visits):
        if v.fixed is not None:
            by_engineer.setdefault(v.fixed.engineer, []).append((i, v))
    for j, e in enumerate(problem.engineers):
        fixed = sorted(by_engineer.get(e.id, []), key=lambda item: item[1].fixed.start)
        if not fixed:
            continue
        clock, here, gaps = -math.inf, e.start, []  # the break may also fall before the shift
        for i, v in fixed:
            go = float(travel_time[loc[here], loc[v.location]])
            if max(clock, e.shift[0]) + go > v.fixed.start + 1e-6:
                raise ProblemError(f"visits[{i}].fixed.start: {e.id!r} cannot be there at {v.fixed.start:g}: "
                                   f"leaving {here!r} at {max(clock, e.shift[0]):g} takes {go:g} s of travel")
            gaps.append((clock, v.fixed.start - go))
            clock, here = v.fixed.start + v.duration, v.location
        home = float(travel_time[loc[here], loc[e.end]])
        if clock + home > e.shift[1] + 1e-6:
            raise ProblemError(f"visits[{fixed[-1][0]}].fixed.start: {e.id!r} cannot be back at {e.end!r} "
                               f"by the end of the shift ({e.shift[1]:g}) after it")
        gaps += [(clock, e.shift[1] - home), (clock + home, math.inf)]  # on the way home, or after it
        b = e.break_
        if b is not None and not any(max(b.window[0], g0) + b.duration <= min(b.window[1], g1) + 1e-6
                                     for g0, g1 in gaps):
            raise ProblemError(f"engineers[{j}].break: no room for the break between {e.id!r}'s fixed visits")
        load = sum(v.demand for _i, v in fixed)
        if e.capacity is not None and load > e.capacity + 1e-9:
            raise ProblemError(f"visits[{fixed[-1][0]}].fixed.engineer: {e.id!r}'s fixed visits carry "
                               f"{load:g}, over the capacity {e.capacity:g}")


def _t(data: ScaledProblem, a: str, b: str) -> float:  # real travel time between two locations
    return float(data.real.time[data.loc[a], data.loc[b]])


def _search(data: ScaledProblem, visits: list[Visit], allowed: dict[str, list[int]], seconds: float,
            routing_params: RoutingParams, search_params: SearchParams, progress: Progress | None,
            initial: dict[str, list[str]] | None = None):
    """Build and search; returns (model, solution or None, status, search s, model s)."""
    built = time.perf_counter()
    model = build_model(data, visits, allowed, finalizers=routing_params.finalizers)
    model_s = time.perf_counter() - built
    started = time.perf_counter()
    if search_params.enabled:
        solution = _improve_then_polish(model, started + seconds, routing_params, search_params, progress,
                                        started, _warm_nodes(model, data, initial))
    else:
        fixed_routes = _fixed_routes(model, data)
        params = search_parameters(seconds, routing_params, model.mean_arc_cost)
        solution = _run(model, params, fixed_routes if any(fixed_routes) else None, routing_params, progress,
                        started)
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
    if "polish" in model.notes:
        status = "SEARCH_ROUTES_KEPT"
    return model, solution, status, time.perf_counter() - started, model_s


def _warm_nodes(model: Model, data: ScaledProblem, initial: dict[str, list[str]] | None
                ) -> list[list[int]] | None:
    """The warm start's routes as visit nodes per vehicle (unknown ids dropped)."""
    if not initial:
        return None
    node_of = {v.id: node for node, v in enumerate(model.visits)}
    return [[node_of[v] for v in initial.get(e.id, []) if v in node_of] for e in data.problem.engineers]


def _improve_then_polish(model: Model, deadline: float, routing_params: RoutingParams,
                         search_params: SearchParams, progress: Progress | None, started: float,
                         warm: list[list[int]] | None = None):
    """Our compiled ruin and recreate for most of the time (from the warm start's routes if
    given), then OR-Tools from its best routes."""
    routing, manager = model.routing, model.manager
    polish = replace(routing_params, metaheuristic=routing_params.polish)
    routing.CloseModelWithParameters(search_parameters(1.0, polish, model.mean_arc_cost))
    instance = ruin_recreate.Instance(**{name: model.grid[name] for name in ruin_recreate.Instance._fields})
    budget = (deadline - time.perf_counter()) * search_params.time_share
    report = None if progress is None else (lambda _t, cost: progress(time.perf_counter() - started, cost))
    clock = time.perf_counter()
    result = ruin_recreate.improve(instance, max(budget, 0.0), search_params, progress=report, initial=warm)
    model.notes = {"first_solution": "SISR_RECREATE", "metaheuristic": f"SISR, then {polish.metaheuristic}",
                   "improver": "sisr", "improver_seconds": round(time.perf_counter() - clock, 3),
                   "improver_iterations": result.iterations,
                   "warm_start": warm is not None}
    routes = [[manager.NodeToIndex(node) for node in route] for route in result.routes]
    initial = routing.ReadAssignmentFromRoutes(
        routes,
        True,  # ignore inactive indices: visits left out are simply not in the routes
    )
    # A budget in steps: the polish (greedy descent, which stops at its local optimum) gets the
    # whole time limit, so that it ends at that optimum, not at the clock, and the plan is
    # reproduced exactly; the status says ROUTING_SUCCESS when it did.
    left = deadline - started if search_params.iterations else deadline - time.perf_counter()
    params = search_parameters(max(left, 0.01), polish, model.mean_arc_cost)
    if warm is not None and search_params.move_cost > 0:
        # OR-Tools does not know what moving a published stop costs: its descent would undo
        # our search's choice to keep them. It only checks and times the routes.
        params.solution_limit = 1
        model.notes["polish_skipped"] = "warm re-plan: the routes kept as searched"
    if initial is None:  # never expected: the routes break a rule of the model; search afresh
        model.notes["improver"] = "sisr routes refused by the model"
        return routing.SolveWithParameters(params)
    if progress is not None:
        routing.AddAtSolutionCallback(_BestSoFar(routing, started, progress))
    polished = routing.SolveFromAssignmentWithParameters(initial, params)
    if polished is None:  # OR-Tools ran out of time before it had restored them: keep our routes
        model.notes["polish"] = "timed out; the search's routes, as checked by the model, kept"
        return initial
    return polished


def _run(model: Model, params, initial_routes: list[list[int]] | None, routing_params: RoutingParams,
         progress: Progress | None, started: float):
    """One OR-Tools search, from the given routes if any."""
    routing = model.routing
    if progress is not None:
        routing.AddAtSolutionCallback(_BestSoFar(routing, started, progress))
    if initial_routes is not None:
        if routing_params.metaheuristic == ITERATED_LOCAL_SEARCH:  # no ILS from given routes
            params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        routing.CloseModelWithParameters(params)
        initial = routing.ReadAssignmentFromRoutes(initial_routes, True)  # True: ignore inactive indices
        if initial is None:  # the given routes do not fit together: search from scratch
            return routing.SolveWithParameters(params)
        return routing.SolveFromAssignmentWithParameters(initial, params)
    if routing_params.metaheuristic == ITERATED_LOCAL_SEARCH:
        return routing.SolveWithIteratedLocalSearch(params)
    return routing.SolveWithParameters(params)


class _BestSoFar:
    """Solution callback: reports the best objective so far, at most twice a second."""

    def __init__(self, routing: pywrapcp.RoutingModel, started: float, progress: Progress):
        self.routing, self.started, self.progress = routing, started, progress
        self.best: int | None = None
        self.last = -1.0

    def __call__(self) -> None:
        value = self.routing.CostVar().Value()
        now = time.perf_counter() - self.started
        if self.best is None or value < self.best:
            self.best = value
            if now - self.last >= 0.5:
                self.last = now
                self.progress(now, value)


def _fixed_routes(model: Model, data: ScaledProblem) -> list[list[int]]:
    """Routes holding only the fixed visits, in time order: a start that honours them."""
    routes: list[list[tuple[float, int]]] = [[] for _ in data.problem.engineers]
    by_id = {e.id: i for i, e in enumerate(data.problem.engineers)}
    for node, v in enumerate(model.visits):
        if v.fixed is not None:
            routes[by_id[v.fixed.engineer]].append((v.fixed.start, model.manager.NodeToIndex(node)))
    return [[index for _, index in sorted(r)] for r in routes]


def _read_routes(model: Model, data: ScaledProblem, solution) -> list[Route]:
    """Routes in real arithmetic (times on the grid / scale, distances recomputed)."""
    routing, manager, k = model.routing, model.manager, data.scale
    breaks = {}
    for vi, interval in model.breaks.items():
        start = solution.StartValue(interval) / k if k != 1 else solution.StartValue(interval)
        breaks[vi] = (start, start + data.problem.engineers[vi].break_.duration)
    routes = []
    for vi, e in enumerate(data.problem.engineers):
        index = solution.Value(routing.NextVar(routing.Start(vi)))
        visits = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            cumul = solution.Value(model.time_dim.CumulVar(index))
            visits.append((model.visits[node], cumul / k if k != 1 else cumul))
            index = solution.Value(routing.NextVar(index))
        if not visits:
            continue
        depart = solution.Value(model.time_dim.CumulVar(routing.Start(vi)))
        ret = solution.Value(model.time_dim.CumulVar(routing.End(vi)))
        routes.append(_timed_route(data, e, visits, depart / k if k != 1 else depart,
                                   ret / k if k != 1 else ret, breaks.get(vi)))
    return routes


def _timed_route(data: ScaledProblem, e: Engineer, visits: list[tuple[Visit, float]], depart: float,
                 ret: float, brk: tuple[float, float] | None) -> Route:
    """Arrival, start and end of each stop, with the real travel times of the model."""
    places = [e.start] + [v.location for v, _ in visits] + [e.end]
    legs = [(float(data.real.distance[data.loc[a], data.loc[b]]), _t(data, a, b))
            for a, b in zip(places, places[1:])]
    break_length = brk[1] - brk[0] if brk else 0.0

    def break_in(gap_start: float, gap_end: float) -> bool:
        return brk is not None and gap_start <= brk[0] and brk[1] <= gap_end

    first_start = visits[0][1]
    if not break_in(depart, first_start):
        depart = max(depart, first_start - legs[0][1])
    stops, clock = [], depart
    for (v, start), (_distance, travel_time) in zip(visits, legs):
        extra = break_length if break_in(clock, start) and brk[0] < clock + travel_time else 0.0
        stops.append(Stop(v.id, clock + travel_time + extra, start, start + v.duration))
        clock = start + v.duration
    last_leg = legs[-1][1]
    if break_in(clock, ret):
        ret = min(ret, max(clock + last_leg + break_length, brk[1]))
    else:
        ret = min(ret, clock + last_leg) if clock + last_leg <= ret else ret
    return Route(engineer=e.id, stops=stops, depart=depart, return_=ret,
                 distance=sum(d for d, _ in legs), travel_time=sum(t for _, t in legs), break_=brk)
