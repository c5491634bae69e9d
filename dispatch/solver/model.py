"""The OR-Tools routing model of a problem, and OR-Tools' own search settings.

Nodes are the visits to plan, then the engineers' start and end places; vehicle i is
engineer i. Hard rules (shifts, windows, breaks, skills, chosen engineers, fixed visits,
capacities) are constraints; leaving a visit out costs a disjunction penalty larger than
any set of routes, so the objective is first the priority-weighted work planned, then the
arc costs (travel time, or distance for the euclidean model of the benchmarks). The same
numbers, on the same integer grid, go to our own search (`Model.grid`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from dispatch.solver import travel as travel_model
from dispatch.solver.problem import Problem, Visit

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
ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"  # its own entry point, not a metaheuristic enum
ILS_RUINS = ("sisr", "random_walk")


@dataclass(frozen=True)
class RoutingParams:
    """OR-Tools' search: used alone (`SearchParams(enabled=False)`) and, with `polish`, for
    the last part of the time after our own search. The defaults are the measured best
    (docs/solver.md, stage 1); the others are experiments.

    first_solution, ils_recreate: names of `FirstSolutionStrategy` values.
    metaheuristic: a `LocalSearchMetaheuristic` name, or "ITERATED_LOCAL_SEARCH".
    gls_lambda: guided local search's penalty coefficient.
    extra_operators, disabled_operators: `local_search_operators` fields to switch on / off.
    neighbors_ratio, min_neighbors: neighbour lists of the local search operators.
    ils_*: OR-Tools' iterated local search: the ruin ("sisr" or "random_walk"), the mean
        number of visits it removes, the simulated-annealing temperatures in mean arc
        costs (initial 0: automatic), the recreate heuristic, and whether each perturbed
        solution gets a local search.
    finalizers: let OR-Tools push departures late and returns early.
    polish: the `LocalSearchMetaheuristic` that polishes our own search's routes.
    """

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = ITERATED_LOCAL_SEARCH
    gls_lambda: float = 0.1
    extra_operators: tuple[str, ...] = ()
    disabled_operators: tuple[str, ...] = SLOW_LNS_OPERATORS
    neighbors_ratio: float = 1.0
    min_neighbors: int = 1
    ils_ruin: str = "sisr"
    ils_avg_removed: int = 10
    ils_initial_temperature: float = 3.0
    ils_final_temperature: float = 0.03
    ils_recreate: str = "LOCAL_CHEAPEST_INSERTION"
    ils_improve: bool = True
    finalizers: bool = False
    polish: str = "GREEDY_DESCENT"

    def __post_init__(self):
        for name in ("extra_operators", "disabled_operators"):  # JSON gives lists
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _one_of("first_solution", self.first_solution, _enum_names(routing_enums_pb2.FirstSolutionStrategy))
        _one_of("ils_recreate", self.ils_recreate, _enum_names(routing_enums_pb2.FirstSolutionStrategy))
        metaheuristics = _enum_names(routing_enums_pb2.LocalSearchMetaheuristic)
        _one_of("metaheuristic", self.metaheuristic, (*metaheuristics, ITERATED_LOCAL_SEARCH))
        _one_of("polish", self.polish, metaheuristics)
        _one_of("ils_ruin", self.ils_ruin, ILS_RUINS)
        defaults = pywrapcp.DefaultRoutingSearchParameters()
        operators = set(defaults.local_search_operators.DESCRIPTOR.fields_by_name)
        for name in ("extra_operators", "disabled_operators"):
            for operator in getattr(self, name):
                _one_of(name, operator, sorted(operators))
        _at_least("gls_lambda", self.gls_lambda, 0)
        if not 0 < self.neighbors_ratio <= 1:
            raise ValueError(f"neighbors_ratio: must be in (0, 1], got {self.neighbors_ratio}")
        _at_least("min_neighbors", self.min_neighbors, 1)
        _at_least("ils_avg_removed", self.ils_avg_removed, 1)
        _at_least("ils_initial_temperature", self.ils_initial_temperature, 0)
        _at_least("ils_final_temperature", self.ils_final_temperature, 0)
        if self.ils_final_temperature > self.ils_initial_temperature > 0:
            raise ValueError(f"ils_final_temperature: must not exceed ils_initial_temperature "
                             f"({self.ils_initial_temperature}), got {self.ils_final_temperature}")


def _enum_names(enum) -> tuple[str, ...]:
    return tuple(enum.Value.keys())


def _one_of(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(map(str, choices))}")


def _at_least(name: str, value, low: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= low:
        raise ValueError(f"{name}: must be a number >= {low}, got {value!r}")


@dataclass
class ScaledProblem:
    """Problem numbers on the solver's integer grid."""

    problem: Problem
    real: travel_model.Matrices
    scale: int  # grid units per second
    loc: dict[str, int]  # location id -> matrix row


@dataclass
class Model:
    """The OR-Tools model and the bookkeeping needed to read its solution back."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    visits: list[Visit]  # node i < len(visits) is visits[i]
    mean_arc_cost: float = 1.0
    breaks: dict[int, pywrapcp.IntervalVar] = field(default_factory=dict)
    grid: dict[str, np.ndarray] = field(default_factory=dict)  # the integers, for our own search
    notes: dict[str, object] = field(default_factory=dict)  # what the search reports in the plan


def scale_problem(problem: Problem, real: travel_model.Matrices) -> ScaledProblem:
    """The problem with its grid: whole seconds when every time is whole, else the fine grid."""
    values = [t for e in problem.engineers for t in e.shift]
    values += [t for e in problem.engineers if e.break_ for t in (*e.break_.window, e.break_.duration)]
    values += [t for v in problem.visits for t in (v.duration, *(v.window or ()))]
    values += [v.fixed.start for v in problem.visits if v.fixed]
    whole = all(float(t).is_integer() for t in values) and bool(np.all(np.mod(real.time, 1) == 0))
    return ScaledProblem(problem, real, 1 if whole else FINE_TIME_SCALE, problem.location_index)


def build_model(data: ScaledProblem, visits: list[Visit], allowed: dict[str, list[int]],
                finalizers: bool = False) -> Model:
    """The routing model of `visits` (each with the engineers `allowed` to take it)."""
    problem, k = data.problem, data.scale
    engineers = problem.engineers

    # Create the routing index manager: one node per visit, then one per start/end place.
    depots = sorted({data.loc[e.start] for e in engineers} | {data.loc[e.end] for e in engineers})
    depot_node = {loc: len(visits) + i for i, loc in enumerate(depots)}
    node_loc = np.array([data.loc[v.location] for v in visits] + depots, dtype=int)
    starts = [depot_node[data.loc[e.start]] for e in engineers]
    ends = [depot_node[data.loc[e.end]] for e in engineers]
    manager = pywrapcp.RoutingIndexManager(
        len(node_loc),  # number of nodes
        len(engineers),  # number of vehicles
        starts,  # each vehicle's start node
        ends,  # each vehicle's end node
    )
    routing = pywrapcp.RoutingModel(manager)

    # Define the cost of each arc (travel time, or distance for the euclidean model).
    travel = np.ceil(data.real.time[np.ix_(node_loc, node_loc)] * k - 1e-9).astype(np.int64)
    service = np.array([math.ceil(v.duration * k - 1e-9) for v in visits] + [0] * len(depots), dtype=np.int64)
    cost = _arc_costs(data, node_loc)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost.tolist()))

    # Add the time dimension: an arc takes the service at its tail plus the travel.
    horizon = int(max([e.shift[1] for e in engineers] + [v.window[1] for v in visits if v.window]) * k) + 1
    transit = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    routing.AddDimension(
        transit,
        horizon,  # allow waiting time
        horizon,  # maximum time per vehicle
        False,  # don't force start cumul to zero
        "time",
    )
    time_dim = routing.GetDimensionOrDie("time")
    model = Model(manager, routing, time_dim, visits, mean_arc_cost=float(cost.mean()) or 1.0)
    model.grid = _grid(model, travel, cost, service, starts, ends)

    _add_visits(model, data, allowed, horizon, penalty_unit=_penalty_unit(node_loc, engineers, cost))
    _add_shifts(model, data, finalizers)
    _add_breaks(model, data, service)
    _add_capacity(model, data)
    return model


def _penalty_unit(node_loc: np.ndarray, engineers: list, cost: np.ndarray) -> int:
    """More than the cost of any set of routes: one planned visit outweighs all travel."""
    return int((len(node_loc) + len(engineers)) * max(int(cost.max()), 1) + 1)


def _grid(model: Model, travel: np.ndarray, cost: np.ndarray, service: np.ndarray,
          starts: list[int], ends: list[int]) -> dict[str, np.ndarray]:
    """The arrays our search reads (`ruin_recreate.Instance`); the steps below fill them."""
    visits, vehicles = len(model.visits), len(starts)
    return {
        "travel": travel, "cost": cost, "service": service[:visits],
        "window_start": np.zeros(visits, np.int64), "window_end": np.zeros(visits, np.int64),
        "penalty": np.zeros(visits, np.int64), "allowed": np.zeros((visits, vehicles), bool),
        "fixed": np.array([v.fixed is not None for v in model.visits], bool),
        "break_start": np.zeros(vehicles, np.int64), "break_end": np.zeros(vehicles, np.int64),
        "break_duration": np.zeros(vehicles, np.int64),
        "start": np.array(starts, np.int64), "end": np.array(ends, np.int64),
        "shift_start": np.zeros(vehicles, np.int64), "shift_end": np.zeros(vehicles, np.int64)}


def _add_visits(model: Model, data: ScaledProblem, allowed: dict[str, list[int]], horizon: int,
                penalty_unit: int) -> None:
    """Time windows, who may take each visit, fixed visits, and the penalty of leaving one out."""
    routing, manager, grid, k = model.routing, model.manager, model.grid, data.scale
    for node, v in enumerate(model.visits):
        # Add the time window: service starts inside it (the whole day when none is given).
        index = manager.NodeToIndex(node)
        cumul = model.time_dim.CumulVar(index)
        lo, hi = (v.window if v.window else (0, horizon / k))
        window = math.ceil(lo * k - 1e-9), math.floor(hi * k + 1e-9)
        cumul.SetRange(*window)
        vehicles = allowed[v.id]
        grid["window_start"][node], grid["window_end"][node] = window
        grid["penalty"][node] = penalty_unit * v.priority
        grid["allowed"][node, vehicles] = True
        # A fixed visit: its engineer and its start are set; it is never left out.
        if v.fixed is not None:
            routing.VehicleVar(index).SetValue(vehicles[0])
            cumul.SetValue(round(v.fixed.start * k))
            grid["window_start"][node] = grid["window_end"][node] = round(v.fixed.start * k)
            continue
        # Any other visit may be left out at a cost (its priority), and only its allowed
        # engineers (skills, the customer's choice) may take it; -1 is "not performed".
        routing.AddDisjunction([index], penalty_unit * v.priority)
        if len(vehicles) < len(data.problem.engineers):
            routing.VehicleVar(index).SetValues([-1] + vehicles)


def _add_shifts(model: Model, data: ScaledProblem, finalizers: bool) -> None:
    """Each engineer leaves and returns inside the shift."""
    routing, time_dim, k = model.routing, model.time_dim, data.scale
    for vi, e in enumerate(data.problem.engineers):
        shift = (math.ceil(e.shift[0] * k - 1e-9), math.floor(e.shift[1] * k + 1e-9))
        time_dim.CumulVar(routing.Start(vi)).SetRange(*shift)
        time_dim.CumulVar(routing.End(vi)).SetRange(*shift)
        model.grid["shift_start"][vi], model.grid["shift_end"][vi] = shift
        if finalizers:
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(vi)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(vi)))


def _arc_costs(data: ScaledProblem, node_loc: np.ndarray) -> np.ndarray:
    """Integer arc costs: distance for the euclidean model, else travel time."""
    if data.problem.travel.model == "euclidean":
        dist = data.real.distance[np.ix_(node_loc, node_loc)]
        top = float(dist.max()) if dist.size else 0.0
        # log10 of each side apart: COST_DIGITS / a subnormal distance is infinite
        exponent = min(math.floor(math.log10(COST_DIGITS) - math.log10(top)), 9) if top > 0 else 0
        return np.rint(dist * 10 ** max(exponent, 0)).astype(np.int64)
    return np.ceil(data.real.time[np.ix_(node_loc, node_loc)] * data.scale - 1e-9).astype(np.int64)


def _add_breaks(model: Model, data: ScaledProblem, service: np.ndarray) -> None:
    """One break per engineer inside its window, never during a visit, no travel during it."""
    engineers, k = data.problem.engineers, data.scale
    if not any(e.break_ for e in engineers):
        return
    routing, manager = model.routing, model.manager
    # The time at each node that a break may not interrupt: the service there.
    visit_transits = [0] * routing.Size()
    for index in range(routing.Size()):
        node = manager.IndexToNode(index)
        visit_transits[index] = int(service[node]) if node < len(model.visits) else 0
    solver = routing.solver()
    for vi, e in enumerate(engineers):
        if e.break_ is None:
            continue
        # Add the break as an interval of fixed length inside its window.
        window_start = math.ceil(e.break_.window[0] * k - 1e-9)
        window_end = math.floor(e.break_.window[1] * k + 1e-9)
        duration = math.ceil(e.break_.duration * k - 1e-9)
        interval = solver.FixedDurationIntervalVar(
            window_start,  # earliest start
            window_end - duration,  # latest start
            duration,
            False,  # not optional: every engineer with a break takes it
            f"break-{vi}",
        )
        model.grid["break_start"][vi], model.grid["break_end"][vi] = window_start, window_end
        shift_start, shift_end = model.grid["shift_start"][vi], model.grid["shift_end"][vi]
        # A break that only fits before the shift or after it (an afternoon shift, the usual
        # lunch window) is no rule for the day's route: our search leaves it out and OR-Tools,
        # which allows breaks outside the route, places it.
        inside = max(window_start, shift_start) + duration <= min(window_end, shift_end)
        model.grid["break_duration"][vi] = duration if inside else 0
        model.time_dim.SetBreakIntervalsOfVehicle([interval], vi, visit_transits)
        model.breaks[vi] = interval


def _add_capacity(model: Model, data: ScaledProblem) -> None:
    """A load dimension when any engineer has a capacity or any visit a demand."""
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
    model.routing.AddDimensionWithVehicleCapacity(
        callback,
        0,  # null capacity slack
        caps,  # each vehicle's maximum load
        True,  # start cumul to zero
        "load",
    )


def search_parameters(seconds: float, params: RoutingParams, mean_arc_cost: float = 1.0):
    """OR-Tools' search parameters for `seconds` of search with these settings."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
    # Iterated local search has its own entry point and uses this field for its improvement
    # step, which must stay a descent (AUTOMATIC); guided local search there never returns.
    meta = "AUTOMATIC" if params.metaheuristic == ITERATED_LOCAL_SEARCH else params.metaheuristic
    search.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, meta)
    search.guided_local_search_lambda_coefficient = params.gls_lambda
    for name in params.extra_operators:
        setattr(search.local_search_operators, name, optional_boolean_pb2.BOOL_TRUE)
    for name in params.disabled_operators:
        setattr(search.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    search.ls_operator_neighbors_ratio = params.neighbors_ratio
    search.ls_operator_min_neighbors = params.min_neighbors
    if params.metaheuristic == ITERATED_LOCAL_SEARCH:
        _ils_parameters(search, params, mean_arc_cost)
    search.time_limit.FromMilliseconds(max(int(seconds * 1000), 10))
    return search


def _ils_parameters(search, params: RoutingParams, mean_arc_cost: float) -> None:
    ils = search.iterated_local_search_parameters
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    ruin = ruin_recreate.ruin_strategies.add()
    if params.ils_ruin == "sisr":
        ruin.sisr.max_removed_sequence_size = 10
        ruin.sisr.avg_num_removed_visits = params.ils_avg_removed
        ruin.sisr.bypass_factor = 0.01
    else:
        ruin.random_walk.num_removed_visits = params.ils_avg_removed
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    if params.ils_initial_temperature:
        annealing.initial_temperature = params.ils_initial_temperature * mean_arc_cost
        annealing.final_temperature = params.ils_final_temperature * mean_arc_cost
    else:
        annealing.automatic_temperatures = True
    ruin_recreate.recreate_strategy.heuristic = getattr(routing_enums_pb2.FirstSolutionStrategy,
                                                        params.ils_recreate)
    ils.improve_perturbed_solution = params.ils_improve
