"""A problem in, a plan out: the dispatch solver on Google OR-Tools routing.

Knows nothing of Flask or the database. Hard rules (shifts, breaks, skills, chosen
engineers, fixed visits, capacities, windows) are constraints; the objective is, in order,
least priority-weighted work left unassigned (disjunction penalties larger than any route
cost), then least travel time (least distance for the euclidean model of the benchmarks).
The search is our compiled ruin and recreate (`dispatch/ruin_recreate.py`) on the model's
own integers; OR-Tools then takes its best routes (`ReadAssignmentFromRoutes`), checks them
against every constraint and polishes them. Visits that cannot be planned get a reason
found by analysis (`dispatch/reasons.py`).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from dispatch.solver import reasons, ruin_recreate, travel as travel_model
from dispatch.solver.problem import Engineer, Plan, Problem, ProblemError, Route, Stop, Unassigned, Visit

Progress = Callable[[float, int], None]
# Fine time grid for problems whose times are not whole seconds (euclidean benchmarks):
# travel times are rounded *up* on this grid, so plans stay feasible in real arithmetic.
FINE_TIME_SCALE = 1000
# Route costs are integers; a distance objective is scaled so arcs keep about six digits.
COST_DIGITS = 1e6


# Insertion-based LNS operators that OR-Tools runs by default, each with a 100 ms budget:
# inside iterated local search they eat most of the time (docs/solver.md, idea 6).
SLOW_LNS_OPERATORS = (
    "use_global_cheapest_insertion_path_lns", "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns", "use_local_cheapest_insertion_visit_types_lns",
)


@dataclass(frozen=True)
class Tuning:
    """Search settings; the defaults are the measured best (docs/solver.md), others are experiments."""

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "ITERATED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    extra_operators: tuple[str, ...] = ()
    disabled_operators: tuple[str, ...] = SLOW_LNS_OPERATORS
    neighbors_ratio: float = 1.0
    min_neighbors: int = 1
    ils_ruin: str = "sisr"
    ils_avg_removed: int = 10
    ils_t0: float = 3.0  # simulated-annealing temperatures, in mean arc costs; 0 = automatic
    ils_tf: float = 0.03
    ils_recreate: str = "LOCAL_CHEAPEST_INSERTION"
    ils_improve: bool = True  # local search on every perturbed solution
    finalizers: bool = False  # let OR-Tools push departures late / returns early
    improver: str = "sisr"  # "sisr": our own ruin and recreate first, OR-Tools polishes its routes
    improver_share: float = 0.95  # of the time; the rest is OR-Tools' local search
    improver_t0: float = 10.0  # simulated-annealing temperatures, in nearest-neighbour arc costs
    improver_tf: float = 0.05
    polish: str = "GREEDY_DESCENT"


@dataclass
class _Model:
    """The OR-Tools model and the bookkeeping needed to read its solution back."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    visits: list[Visit]  # node i < len(visits) is visits[i]
    mean_arc_cost: float = 1.0
    breaks: dict[int, pywrapcp.IntervalVar] = field(default_factory=dict)
    grid: dict[str, np.ndarray] = field(default_factory=dict)  # the integers, for our own search
    notes: dict[str, object] = field(default_factory=dict)  # what the search reports in the plan


@dataclass
class _Data:
    """Problem numbers on the solver's integer grid."""

    problem: Problem
    real: travel_model.Matrices
    scale: int
    loc: dict[str, int]


def solve(problem: Problem, seconds: float, *, progress: Progress | None = None,
          tuning: Tuning | None = None) -> Plan:
    """Plan the problem's day within about `seconds` of search.

    Raises `ProblemError` when fixed visits cannot all be kept (their engineer cannot travel
    between them, get home in the shift, take the break or carry their load).
    """
    clock = time.perf_counter()
    plan = Plan(problem=problem.name)
    if not problem.engineers or not problem.visits:
        plan.unassigned = [Unassigned(v.id, "no engineer on duty") for v in problem.visits]
        plan.solver = {"name": "ortools-routing", "status": "EMPTY", "seconds": 0.0}
        return plan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds: must be a positive number, got {seconds}")
    real = travel_model.matrices(problem.travel, problem.locations)
    _check_fixed_days(problem, real.time)
    data = _Data(problem, real, _time_scale(problem, real), problem.location_index)
    matrix_s = time.perf_counter() - clock

    allowed, why_not = {}, {}
    for v in problem.visits:
        engineers_or_reason = reasons.screen(v, data.problem, data.real.time)
        if isinstance(engineers_or_reason, str):
            why_not[v.id] = engineers_or_reason
        else:
            allowed[v.id] = engineers_or_reason
    planned = [v for v in problem.visits if v.id in allowed]
    tuning = tuning or Tuning()
    model, solution, status, search_s, model_s = None, None, "NOTHING_TO_PLAN", 0.0, 0.0
    if planned:
        model, solution, status, search_s, model_s = _search(data, planned, allowed, seconds, tuning, progress)
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
        "first_solution": tuning.first_solution, "metaheuristic": tuning.metaheuristic,
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
            raise ProblemError(f"visits[{fixed[-1][0]}].fixed.engineer: {e.id!r}'s fixed visits carry {load:g}, "
                               f"over the capacity {e.capacity:g}")


def _time_scale(problem: Problem, real: travel_model.Matrices) -> int:
    """1 when every time is a whole number (seconds), else the fine grid."""
    values = [t for e in problem.engineers for t in e.shift]
    values += [t for e in problem.engineers if e.break_ for t in (*e.break_.window, e.break_.duration)]
    values += [t for v in problem.visits for t in (v.duration, *(v.window or ()))]
    values += [v.fixed.start for v in problem.visits if v.fixed]
    whole = all(float(t).is_integer() for t in values) and bool(np.all(np.mod(real.time, 1) == 0))
    return 1 if whole else FINE_TIME_SCALE


def _t(data: _Data, a: str, b: str) -> float:  # real travel time between two locations
    return float(data.real.time[data.loc[a], data.loc[b]])


def _build(data: _Data, visits: list[Visit], allowed: dict[str, list[int]],
           finalizers: bool = False) -> _Model:
    """The routing model: nodes are visits, then the engineers' start/end locations."""
    problem, k = data.problem, data.scale
    engineers = problem.engineers  # vehicle i is engineer i
    depots = sorted({data.loc[e.start] for e in engineers} | {data.loc[e.end] for e in engineers})
    depot_node = {loc: len(visits) + i for i, loc in enumerate(depots)}
    node_loc = np.array([data.loc[v.location] for v in visits] + depots, dtype=int)
    starts = [depot_node[data.loc[e.start]] for e in engineers]
    ends = [depot_node[data.loc[e.end]] for e in engineers]
    manager = pywrapcp.RoutingIndexManager(len(node_loc), len(engineers), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    travel = np.ceil(data.real.time[np.ix_(node_loc, node_loc)] * k - 1e-9).astype(np.int64)
    service = np.array([math.ceil(v.duration * k - 1e-9) for v in visits] + [0] * len(depots), dtype=np.int64)
    cost = _arc_costs(data, node_loc)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost.tolist()))

    horizon = int(max([e.shift[1] for e in engineers] + [v.window[1] for v in visits if v.window]) * k) + 1
    transit = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    routing.AddDimension(transit, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    model = _Model(manager, routing, time_dim, visits, mean_arc_cost=float(cost.mean()) or 1.0)

    penalty_unit = int((len(node_loc) + len(engineers)) * max(int(cost.max()), 1) + 1)
    grid = model.grid = {
        "travel": travel, "cost": cost, "service": service[:len(visits)],
        "window_start": np.zeros(len(visits), np.int64), "window_end": np.zeros(len(visits), np.int64),
        "penalty": np.zeros(len(visits), np.int64), "allowed": np.zeros((len(visits), len(engineers)), bool),
        "fixed": np.array([v.fixed is not None for v in visits], bool),
        "break_start": np.zeros(len(engineers), np.int64), "break_end": np.zeros(len(engineers), np.int64),
        "break_duration": np.zeros(len(engineers), np.int64),
        "start": np.array(starts, np.int64), "end": np.array(ends, np.int64),
        "shift_start": np.zeros(len(engineers), np.int64), "shift_end": np.zeros(len(engineers), np.int64)}
    for node, v in enumerate(visits):
        index = manager.NodeToIndex(node)
        cumul = time_dim.CumulVar(index)
        lo, hi = (v.window if v.window else (0, horizon / k))
        window = math.ceil(lo * k - 1e-9), math.floor(hi * k + 1e-9)
        cumul.SetRange(*window)
        vehicles = allowed[v.id]
        grid["window_start"][node], grid["window_end"][node] = window
        grid["penalty"][node] = penalty_unit * v.priority
        grid["allowed"][node, vehicles] = True
        if v.fixed is not None:
            routing.VehicleVar(index).SetValue(vehicles[0])
            cumul.SetValue(round(v.fixed.start * k))
            grid["window_start"][node] = grid["window_end"][node] = round(v.fixed.start * k)
            continue
        routing.AddDisjunction([index], penalty_unit * v.priority)
        if len(vehicles) < len(engineers):
            routing.VehicleVar(index).SetValues([-1] + vehicles)
    for vi, e in enumerate(engineers):
        shift = (math.ceil(e.shift[0] * k - 1e-9), math.floor(e.shift[1] * k + 1e-9))
        time_dim.CumulVar(routing.Start(vi)).SetRange(*shift)
        time_dim.CumulVar(routing.End(vi)).SetRange(*shift)
        grid["shift_start"][vi], grid["shift_end"][vi] = shift
        if finalizers:
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(vi)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(vi)))
    _add_breaks(model, data, service)
    _add_capacity(model, data)
    return model


def _arc_costs(data: _Data, node_loc: np.ndarray) -> np.ndarray:
    """Integer arc costs: distance for the euclidean model, else travel time."""
    if data.problem.travel.model == "euclidean":
        dist = data.real.distance[np.ix_(node_loc, node_loc)]
        top = float(dist.max()) if dist.size else 0.0
        # log10 of each side apart: COST_DIGITS / a subnormal distance is infinite
        exponent = min(math.floor(math.log10(COST_DIGITS) - math.log10(top)), 9) if top > 0 else 0
        return np.rint(dist * 10 ** max(exponent, 0)).astype(np.int64)
    return np.ceil(data.real.time[np.ix_(node_loc, node_loc)] * data.scale - 1e-9).astype(np.int64)


def _add_breaks(model: _Model, data: _Data, service: np.ndarray) -> None:
    """One break per engineer inside its window, never during a visit, no travel during it."""
    engineers, k = data.problem.engineers, data.scale
    if not any(e.break_ for e in engineers):
        return
    routing, manager = model.routing, model.manager
    visit_transits = [0] * routing.Size()
    for index in range(routing.Size()):
        node = manager.IndexToNode(index)
        visit_transits[index] = int(service[node]) if node < len(model.visits) else 0
    solver = routing.solver()
    for vi, e in enumerate(engineers):
        if e.break_ is None:
            continue
        w0, w1 = math.ceil(e.break_.window[0] * k - 1e-9), math.floor(e.break_.window[1] * k + 1e-9)
        duration = math.ceil(e.break_.duration * k - 1e-9)
        interval = solver.FixedDurationIntervalVar(w0, w1 - duration, duration, False, f"break-{vi}")
        model.grid["break_start"][vi], model.grid["break_end"][vi] = w0, w1
        shift_start, shift_end = model.grid["shift_start"][vi], model.grid["shift_end"][vi]
        # A break that only fits before the shift or after it (an afternoon shift, the usual
        # lunch window) is no rule for the day's route: our search leaves it out and OR-Tools,
        # which allows breaks outside the route, places it.
        inside = max(w0, shift_start) + duration <= min(w1, shift_end)
        model.grid["break_duration"][vi] = duration if inside else 0
        model.time_dim.SetBreakIntervalsOfVehicle([interval], vi, visit_transits)
        model.breaks[vi] = interval


def _add_capacity(model: _Model, data: _Data) -> None:
    engineers = data.problem.engineers
    model.grid["demand"] = np.zeros(len(model.visits), np.int64)
    model.grid["capacity"] = np.full(len(engineers), 2**40, np.int64)
    if all(e.capacity is None for e in engineers) and not any(v.demand for v in model.visits):
        return
    values = [v.demand for v in model.visits] + [e.capacity for e in engineers if e.capacity is not None]
    factor = 1 if all(float(x).is_integer() for x in values) else 1000
    demand = [math.ceil(v.demand * factor - 1e-9) for v in model.visits]
    demand += [0] * (model.manager.GetNumberOfNodes() - len(demand))
    total = sum(demand) + 1
    caps = [total if e.capacity is None else math.floor(e.capacity * factor + 1e-9) for e in engineers]
    model.grid["demand"][:] = demand[:len(model.visits)]
    model.grid["capacity"][:] = caps
    callback = model.routing.RegisterUnaryTransitVector(demand)
    model.routing.AddDimensionWithVehicleCapacity(callback, 0, caps, True, "load")


def _search_parameters(seconds: float, tuning: Tuning, mean_arc_cost: float = 1.0):
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, tuning.first_solution)
    # Iterated local search has its own entry point and uses this field for its improvement
    # step, which must stay a descent (AUTOMATIC); guided local search there never returns.
    meta = "AUTOMATIC" if tuning.metaheuristic == "ITERATED_LOCAL_SEARCH" else tuning.metaheuristic
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, meta)
    params.guided_local_search_lambda_coefficient = tuning.gls_lambda
    for name in tuning.extra_operators:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_TRUE)
    for name in tuning.disabled_operators:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    params.ls_operator_neighbors_ratio = tuning.neighbors_ratio
    params.ls_operator_min_neighbors = tuning.min_neighbors
    if tuning.metaheuristic == "ITERATED_LOCAL_SEARCH":
        _ils_parameters(params, tuning, mean_arc_cost)
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 10))
    return params


def _ils_parameters(params, tuning: Tuning, mean_arc_cost: float) -> None:
    rr = params.iterated_local_search_parameters.ruin_recreate_parameters
    del rr.ruin_strategies[:]
    ruin = rr.ruin_strategies.add()
    if tuning.ils_ruin == "sisr":
        ruin.sisr.max_removed_sequence_size = 10
        ruin.sisr.avg_num_removed_visits = tuning.ils_avg_removed
        ruin.sisr.bypass_factor = 0.01
    else:
        ruin.random_walk.num_removed_visits = tuning.ils_avg_removed
    sa = params.iterated_local_search_parameters.reference_solution_acceptance_strategy.simulated_annealing
    if tuning.ils_t0:
        sa.initial_temperature = tuning.ils_t0 * mean_arc_cost
        sa.final_temperature = tuning.ils_tf * mean_arc_cost
    else:
        sa.automatic_temperatures = True
    rr.recreate_strategy.heuristic = getattr(routing_enums_pb2.FirstSolutionStrategy, tuning.ils_recreate)
    params.iterated_local_search_parameters.improve_perturbed_solution = tuning.ils_improve


def _search(data: _Data, visits: list[Visit], allowed: dict[str, list[int]], seconds: float,
            tuning: Tuning, progress: Progress | None):
    """Build and search; returns (model, solution or None, status, search s, model s)."""
    built = time.perf_counter()
    model = _build(data, visits, allowed, finalizers=tuning.finalizers)
    model_s = time.perf_counter() - built
    started = time.perf_counter()
    if tuning.improver == "sisr":
        solution = _improve_then_polish(model, started + seconds, tuning, progress, started)
    else:
        fixed_routes = _fixed_routes(model, data)
        params = _search_parameters(seconds, tuning, model.mean_arc_cost)
        solution = _run(model, params, fixed_routes if any(fixed_routes) else None, tuning, progress, started)
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(model.routing.status())
    if "polish" in model.notes:
        status = "SEARCH_ROUTES_KEPT"
    return model, solution, status, time.perf_counter() - started, model_s


def _improve_then_polish(model: _Model, deadline: float, tuning: Tuning, progress: Progress | None,
                         started: float):
    """Our compiled ruin and recreate for most of the time, then OR-Tools from its best routes."""
    routing, manager = model.routing, model.manager
    polish = replace(tuning, metaheuristic=tuning.polish)
    params = _search_parameters(1.0, polish, model.mean_arc_cost)
    routing.CloseModelWithParameters(params)
    grid = model.grid
    instance = ruin_recreate.Instance(**{f.name: grid[f.name] for f in fields(ruin_recreate.Instance)})
    budget = (deadline - time.perf_counter()) * tuning.improver_share
    report = None if progress is None else (lambda _t, cost: progress(time.perf_counter() - started, cost))
    clock = time.perf_counter()
    result = ruin_recreate.improve(instance, max(budget, 0.0), t0=tuning.improver_t0, tf=tuning.improver_tf,
                                   progress=report)
    model.notes = {"first_solution": "SISR_RECREATE", "metaheuristic": f"SISR, then {tuning.polish}",
                   "improver": "sisr", "improver_seconds": round(time.perf_counter() - clock, 3),
                   "improver_iterations": result.iterations}
    routes = [[manager.NodeToIndex(node) for node in route] for route in result.routes]
    initial = routing.ReadAssignmentFromRoutes(routes, True)
    params = _search_parameters(max(deadline - time.perf_counter(), 0.01), polish, model.mean_arc_cost)
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


def _run(model: _Model, params, initial_routes: list[list[int]] | None, tuning: Tuning,
         progress: Progress | None, started: float):
    """One OR-Tools search, from the given routes if any."""
    routing = model.routing
    if progress is not None:
        routing.AddAtSolutionCallback(_BestSoFar(routing, started, progress))
    if initial_routes is not None:
        if tuning.metaheuristic == "ITERATED_LOCAL_SEARCH":  # no ILS from given routes
            params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        routing.CloseModelWithParameters(params)
        initial = routing.ReadAssignmentFromRoutes(initial_routes, True)
        if initial is None:  # the given routes do not fit together: search from scratch
            return routing.SolveWithParameters(params)
        return routing.SolveFromAssignmentWithParameters(initial, params)
    if tuning.metaheuristic == "ITERATED_LOCAL_SEARCH":
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


def _fixed_routes(model: _Model, data: _Data) -> list[list[int]]:
    """Routes holding only the fixed visits, in time order: a start that honours them."""
    routes: list[list[tuple[float, int]]] = [[] for _ in data.problem.engineers]
    by_id = {e.id: i for i, e in enumerate(data.problem.engineers)}
    for node, v in enumerate(model.visits):
        if v.fixed is not None:
            routes[by_id[v.fixed.engineer]].append((v.fixed.start, model.manager.NodeToIndex(node)))
    return [[index for _, index in sorted(r)] for r in routes]


def _read_routes(model: _Model, data: _Data, solution) -> list[Route]:
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


def _timed_route(data: _Data, e: Engineer, visits: list[tuple[Visit, float]], depart: float,
                 ret: float, brk: tuple[float, float] | None) -> Route:
    """Arrival, start and end of each stop, with the real travel times of the model."""
    places = [e.start] + [v.location for v, _ in visits] + [e.end]
    legs = [(float(data.real.distance[data.loc[a], data.loc[b]]), _t(data, a, b)) for a, b in zip(places, places[1:])]
    bd = brk[1] - brk[0] if brk else 0.0

    def break_in(gap_start: float, gap_end: float) -> bool:
        return brk is not None and gap_start <= brk[0] and brk[1] <= gap_end

    first_start = visits[0][1]
    if not break_in(depart, first_start):
        depart = max(depart, first_start - legs[0][1])
    stops, clock = [], depart
    for (v, start), (_dist, t) in zip(visits, legs):
        extra = bd if break_in(clock, start) and brk[0] < clock + t else 0.0
        stops.append(Stop(v.id, clock + t + extra, start, start + v.duration))
        clock = start + v.duration
    last_t = legs[-1][1]
    if break_in(clock, ret):
        ret = min(ret, max(clock + last_t + bd, brk[1]))
    else:
        ret = min(ret, clock + last_t) if clock + last_t <= ret else ret
    return Route(engineer=e.id, stops=stops, depart=depart, return_=ret,
                 distance=sum(d for d, _ in legs), travel_time=sum(t for _, t in legs), break_=brk)
