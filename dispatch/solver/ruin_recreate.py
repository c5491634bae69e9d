"""Slack induction by string removals (SISR), compiled: the solver's own improvement phase.

Christiaens & Vanden Berghe (2020): remove a few strings of neighbouring visits from nearby
routes, put every left-out visit back at its cheapest feasible place (skipping each place
with a small "blink" probability), accept by simulated annealing. Each step costs tens of
microseconds when compiled, so a 10-second search makes hundreds of thousands of them,
where OR-Tools' own iterated local search makes a few hundred. The best routes go back to
OR-Tools (`ReadAssignmentFromRoutes`), which checks them against the full model and polishes.

It works on the solver's integer grid and knows everything the model does: shifts,
windows, capacities, which engineers may take a visit (skills, the chosen engineer), one
break per engineer, fixed visits, priorities (as the penalty of leaving a visit out).
Everything here is plain numpy in, plain numpy out.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

# Recreate orders and their weights: random, largest demand, farthest, closest, earliest
# window end (added for time windows), worth (drawn only while some visit is left out).
ORDER_WEIGHTS = np.array([4.0, 4.0, 2.0, 1.0, 2.0, 2.0])
INF = 2**60  # "cannot": an earliest time never reached, a latest time never kept
SCOUT_SHARE = 0.5  # of a warm re-plan's budget: searched without the move cost first
NEIGHBOURHOOD = 10  # nearest visits tried for a 2-opt* move (tail_exchange)


@dataclass(frozen=True)
class SearchParams:
    """Our ruin and recreate. The defaults are the measured best (docs/solver.md, stage 2).

    enabled: run it (else OR-Tools searches alone, with `RoutingParams`).
    time_share: of the time limit; OR-Tools polishes the routes in the rest.
    initial_temperature, final_temperature: simulated annealing, in mean arc costs of each
        visit's five nearest neighbours; the temperature falls geometrically with the time.
    max_string_size, mean_removed, split_depth, blink_rate: Christiaens & Vanden Berghe's
        longest string removed, mean visits removed per step, preserved-string depth and
        the probability of skipping a place on recreate.
    seed: of the random numbers; the same seed and steps give the same routes.
    iterations: 0 (the default) searches for the time given; a positive number makes
        exactly that many steps whatever the clock (the temperature falls with the steps), so
        a seed and a number of steps reproduce a plan exactly (tests, bug reports).
    move_cost: warm re-plans only: what moving a published stop costs (to another engineer,
        or behind another visit), in the same unit as the temperatures; a change is then
        taken only when it saves more travel than that. Leaving work undone always costs
        more (the penalties grow with it), so it never changes what is served. 0: off.
    new_route_rate: the share of steps whose recreate first puts one removed visit alone on
        an engineer with an empty day (the others then join it where that is cheapest):
        cheapest insertion never opens a route a nearby one can absorb (the triangle
        inequality), so without it the number of routes only falls. Cold starts only (a
        re-plan keeps the published days' engineers). 0: off.
    tail_exchange: the share of steps whose recreate is followed by a descent of 2-opt*
        moves (two routes swap their tails) around the visits just put back: a crossing of
        two long routes, which string removals undo only by taking out most of both, goes
        in one move. Only while the routes hold more visits on average than
        `max_string_size`, between engineers with the same start, end, shift and break (each
        allowed to serve the tail it takes), and not in a warm re-plan with a move cost. 0: off.
    """

    enabled: bool = True
    time_share: float = 0.95
    initial_temperature: float = 10.0
    final_temperature: float = 0.05
    max_string_size: int = 10
    mean_removed: float = 10.0
    split_depth: float = 0.01
    blink_rate: float = 0.01
    seed: int = 1
    iterations: int = 0
    move_cost: float = 1.0
    new_route_rate: float = 0.2
    tail_exchange: float = 1.0

    def __post_init__(self):
        if not isinstance(self.enabled, bool):
            raise ValueError(f"enabled: must be true or false, got {self.enabled!r}")
        _in_range("time_share", self.time_share, 0, 1, low_open=True)
        _in_range("initial_temperature", self.initial_temperature, 0, math.inf, low_open=True)
        _in_range("final_temperature", self.final_temperature, 0, self.initial_temperature, low_open=True)
        _whole("max_string_size", self.max_string_size, 1)
        _in_range("mean_removed", self.mean_removed, 1, math.inf)
        _in_range("split_depth", self.split_depth, 0, 1)
        _in_range("blink_rate", self.blink_rate, 0, 1, high_open=True)
        _whole("seed", self.seed, 0)
        _whole("iterations", self.iterations, 0)
        _in_range("move_cost", self.move_cost, 0, math.inf)
        _in_range("new_route_rate", self.new_route_rate, 0, 1)
        _in_range("tail_exchange", self.tail_exchange, 0, 1)


def _number(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name}: must be a finite number, got {value!r}")


def _in_range(name: str, value, low: float, high: float, low_open: bool = False,
              high_open: bool = False) -> None:
    _number(name, value)
    if value < low or value > high or (low_open and value == low) or (high_open and value == high):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name}: must be in {left}{low:g}, {high:g}{right}, got {value!r}")


def _whole(name: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name}: must be a whole number >= {low}, got {value!r}")


class Instance(NamedTuple):
    """A routing problem on the integer grid. Nodes 0..n-1 are visits, then depots."""

    travel: np.ndarray  # (nodes, nodes) travel time
    cost: np.ndarray  # (nodes, nodes) arc cost
    service: np.ndarray  # (n,)
    window_start: np.ndarray  # (n,) service may start from ...
    window_end: np.ndarray  # (n,) ... until
    demand: np.ndarray  # (n,)
    penalty: np.ndarray  # (n,) cost of leaving the visit out
    fixed: np.ndarray  # (n,) bool: placed first, never removed (window = its start)
    allowed: np.ndarray  # (n, vehicles) bool
    start: np.ndarray  # (vehicles,) start node
    end: np.ndarray  # (vehicles,) end node
    shift_start: np.ndarray  # (vehicles,)
    shift_end: np.ndarray  # (vehicles,)
    capacity: np.ndarray  # (vehicles,)
    break_start: np.ndarray  # (vehicles,) break window start
    break_end: np.ndarray  # (vehicles,) break window end (the break must end by then)
    break_duration: np.ndarray  # (vehicles,) 0 = no break


class _Search(NamedTuple):
    """What every compiled step reads: the instance, the neighbours and the settings."""

    instance: Instance
    neighbours: np.ndarray  # (n, n) int32: row v lists the visits by closeness to v
    remoteness: np.ndarray  # (n,) float: arc cost from the first engineer's start
    worth: np.ndarray  # (n,) float: penalty per second the visit takes (its service and a hop to it)
    moved: np.ndarray  # (n, vehicles) int64: cost of serving a visit off its published engineer
    max_string_size: float
    mean_removed: float
    split_depth: float
    blink_rate: float
    new_route_rate: float
    tail_exchange: float
    alike: np.ndarray  # (vehicles, vehicles) bool: the same start, end, shift and break


class _State(NamedTuple):
    """A solution. "Ahead" / "taken": the engineer's break is still to take / already taken."""

    routes: np.ndarray  # (vehicles, n) int32: visits in order
    length: np.ndarray  # (vehicles,) int32
    route_of: np.ndarray  # (n,) int32: -1 = left out
    position: np.ndarray  # (n,) int32
    earliest_ahead: np.ndarray  # (vehicles, n) earliest service start at each position
    earliest_taken: np.ndarray
    latest_ahead: np.ndarray  # (vehicles, n) latest service start that keeps the rest feasible
    latest_taken: np.ndarray
    load: np.ndarray  # (vehicles,)
    cost: np.ndarray  # (vehicles,) arc costs


@dataclass
class Result:
    routes: list[list[int]]  # visit nodes per vehicle
    cost: int  # route costs plus penalties of visits left out
    iterations: int


def improve(inst: Instance, seconds: float, params: SearchParams | None = None, *,
            progress: Callable[[float, int], None] | None = None,
            initial: list[list[int]] | None = None) -> Result:
    """Search for `seconds` with `params` (the defaults when None), from `initial` routes
    (visit nodes per vehicle: a warm start, e.g. the published plan) where given.

    The first call in a process loads the compiled code (compiles it, the first time on a
    machine: some seconds) on the given time, and may overrun it; `warm()` does that first.
    """
    params = params or SearchParams()
    started = time.perf_counter()
    end = started + seconds
    n, k = len(inst.service), len(inst.start)
    pair_cost = inst.cost[:n, :n] + inst.cost[:n, :n].T
    neighbours = np.argsort(pair_cost, axis=1, kind="stable").astype(np.int32)
    nearest = np.sort(inst.cost[:n, :n] + np.eye(n, dtype=np.int64) * INF, axis=1)[:, :min(5, n - 1)]
    unit = float(nearest.mean()) if nearest.size else 1.0
    unit = unit or 1.0
    remoteness = inst.cost[inst.start[0], :n].astype(np.float64)
    free = _Search(inst, neighbours, remoteness, _worth(inst), np.zeros((n, k), np.int64),
                   float(params.max_string_size),
                   float(params.mean_removed), float(params.split_depth), float(params.blink_rate),
                   float(params.new_route_rate), float(params.tail_exchange), _alike(inst))
    anneal = _Annealing(params, unit, started, progress)
    if initial is not None:  # a re-plan: its engineers' days are given, and an opened one moves stops
        free = free._replace(new_route_rate=0.0)
    if initial is None or params.move_cost <= 0:
        routes, best, iterations = anneal.run(free, [initial] if initial else [], end, params.iterations)
        return Result(routes, best, iterations)
    # A warm re-plan with the cost of moving a published stop, so that stops stay where they
    # were wherever that costs nothing. That cost can hold the search near the published
    # routes when serving more needs many moves, so a free search runs first (SCOUT_SHARE of
    # the budget), then the one with the move cost from the published routes: whichever
    # serves more, or as much for less (with moves counted), is kept.
    scout = started + seconds * SCOUT_SHARE
    steps = int(params.iterations * SCOUT_SHARE)
    found, _cost, made = anneal.run(free, [initial], scout, steps)
    arcs, moved = _with_move_costs(inst, initial, round(params.move_cost * unit))
    stable = free._replace(instance=arcs, moved=moved, tail_exchange=0.0)  # its deltas ignore `moved`
    routes, best, more = anneal.run(stable, [initial], end, params.iterations - steps)
    scouted = anneal.cost_of(stable, found)
    if scouted < best:
        routes, best = found, scouted
    return Result(routes, best, made + more)


class _Annealing:
    """The search loop: chunks of compiled steps, the temperature falling with the time (or
    with the steps, given a budget in steps)."""

    def __init__(self, params: SearchParams, unit: float, started: float,
                 progress: Callable[[float, int], None] | None):
        self.params, self.unit, self.started, self.progress = params, unit, started, progress
        self.last_report = -1.0

    def run(self, search: _Search, starts: list[list[list[int]]], end: float, steps: int
            ) -> tuple[list[list[int]], int, int]:
        """Anneal from the cheapest of the given starts (all visits inserted afresh when none)
        until `end`, or for `steps` steps if positive: (best routes, best cost, steps made)."""
        params, unit = self.params, self.unit
        n, k = len(search.instance.service), len(search.instance.start)
        current, candidate, best_routes, best_length, cost = self._start(search, starts, n, k)
        best = cost
        # compiled before the clock matters
        _run(search, current, candidate, best_routes, best_length, 0, 1.0, cost, best)
        search_start = time.perf_counter()
        chunk, iterations = 50, 0
        t0, tf = params.initial_temperature, params.final_temperature
        counted = params.iterations > 0
        while True:
            now = time.perf_counter()
            if counted:  # a budget in steps: fixed chunks, the temperature by the steps made
                if iterations >= steps:
                    break
                chunk = min(1000, steps - iterations)
                elapsed_share = iterations / steps
            elif now >= end:
                break
            else:
                elapsed_share = (now - search_start) / max(end - search_start, 1e-9)
            temperature = unit * t0 * (tf / t0) ** elapsed_share
            cost, best = _run(search, current, candidate, best_routes, best_length, chunk, temperature, cost,
                              best)
            iterations += chunk
            spent = time.perf_counter() - now
            if not counted:
                chunk = max(10, min(20000, int(chunk * (0.05 / spent) if spent > 0 else chunk * 2)))
            if self.progress is not None and now - self.started - self.last_report >= 0.5:
                self.last_report = now - self.started
                self.progress(self.last_report, int(best))
        routes = [[int(x) for x in best_routes[v, :best_length[v]]] for v in range(k)]
        return routes, int(best), iterations

    def cost_of(self, search: _Search, routes: list[list[int]]) -> int:
        """The cost of the given routes under the search's objective (left-out visits that
        now fit inserted)."""
        n, k = len(search.instance.service), len(search.instance.start)
        return int(self._start(search, [routes], n, k)[-1])

    def _start(self, search: _Search, starts: list[list[list[int]]], n: int, k: int):
        seed = np.int64(self.params.seed)
        if not starts:
            current, candidate = _state(n, k), _state(n, k)
            best_routes, best_length = np.zeros((k, n), np.int32), np.zeros(k, np.int32)
            cost = _start(search, current, candidate, best_routes, best_length, seed)
            return current, candidate, best_routes, best_length, cost
        chosen = None
        for routes in starts:
            current, candidate = _state(n, k), _state(n, k)
            best_routes, best_length = np.zeros((k, n), np.int32), np.zeros(k, np.int32)
            given, given_length = np.zeros((k, max(n, 1)), np.int32), np.zeros(k, np.int32)
            for r, route in enumerate(routes[:k]):
                nodes = [v for v in route if 0 <= v < n][:n]
                given[r, :len(nodes)], given_length[r] = nodes, len(nodes)
            cost = _start_from(search, current, candidate, best_routes, best_length, seed, given,
                               given_length)
            if chosen is None or cost < chosen[-1]:
                chosen = (current, candidate, best_routes, best_length, cost)
        return chosen


def _with_move_costs(inst: Instance, published: list[list[int]], cost: int) -> tuple[Instance, np.ndarray]:
    """The instance as a warm re-plan sees it: every arc into a published visit costs `cost`
    more unless it comes from the visit's published predecessor, and serving the visit on
    another engineer costs `cost` (the returned (visits, vehicles) array). Each penalty grows
    by more than all these costs together can reach, so serving work still comes first."""
    n, k = len(inst.service), len(inst.start)
    arcs, moved = inst.cost.copy(), np.zeros((n, k), np.int64)
    seen = np.zeros(n, bool)
    for r, route in enumerate(published[:k]):
        before = int(inst.start[r])
        for v in route:
            if not 0 <= v < n or seen[v]:
                continue
            seen[v] = True
            arcs[:, v] += cost
            arcs[before, v] -= cost
            moved[v, :] = cost
            moved[v, r] = 0
            before = v
    largest_arc = max(int(inst.cost.max()), 1)
    # The penalty is (nodes + vehicles) x largest arc + 1 per priority: scaled up so it covers
    # the largest arc plus both move costs, as before it covered the largest arc.
    penalty = inst.penalty + inst.penalty * (2 * cost) // largest_arc + 2 * cost * n
    return inst._replace(cost=arcs, penalty=penalty), moved


def _worth(inst: Instance) -> np.ndarray:
    """What serving each visit is worth per second of an engineer's day: its penalty (its
    priority) over its service time and the mean travel to its five nearest visits. When not
    every visit fits, a recreate that puts the dense ones back first fills a day with more work
    (a knapsack's greedy order); the plain orders fill it with whatever comes first."""
    n = len(inst.service)
    if n < 2:
        return inst.penalty.astype(np.float64)
    others = inst.travel[:n, :n] + np.eye(n, dtype=np.int64) * INF
    hops = np.sort(others, axis=1)[:, :min(5, n - 1)].mean(axis=1)
    return inst.penalty / (inst.service + hops + 1.0)


def _alike(inst: Instance) -> np.ndarray:
    """Which engineers can swap route tails with the latest times as they are: the same start
    and end, shift and break (capacity and allowed visits are checked per move)."""
    k = len(inst.start)
    key = np.stack([inst.start, inst.end, inst.shift_start, inst.shift_end, inst.break_start, inst.break_end,
                    inst.break_duration]).astype(np.int64)
    return (key[:, :, None] == key[:, None, :]).all(axis=0) & ~np.eye(k, dtype=bool)


def warm() -> None:
    """Load (or compile) the compiled code now, so a timed search does not pay for it."""
    one, ints = np.zeros((2, 2), np.int64), (lambda *v: np.array(v, np.int64))
    improve(Instance(one, one, ints(0), ints(0), ints(1), ints(0), ints(1), np.zeros(1, bool),
                     np.ones((1, 1), bool), ints(1), ints(1), ints(0), ints(10), ints(1), ints(0), ints(10),
                     ints(1)), 0.0)


def _state(n: int, k: int) -> _State:
    return _State(np.zeros((k, n), np.int32), np.zeros(k, np.int32), np.full(n, -1, np.int32),
                  np.zeros(n, np.int32), np.zeros((k, n), np.int64), np.zeros((k, n), np.int64),
                  np.zeros((k, n), np.int64), np.zeros((k, n), np.int64), np.zeros(k, np.int64),
                  np.zeros(k, np.int64))


# The helpers called once per place take plain numbers: passing the named tuples would
# cost a reference count per array on every call (measured: seven times slower).
@njit(cache=True)
def _arrival_with_break(break_from, break_until, break_length, depart, travel_time):
    """Earliest arrival after leaving at `depart`, taking the break on the way; INF if it can't."""
    if depart >= INF or break_length == 0 or max(depart, break_from) + break_length > break_until:
        return INF
    return max(depart + travel_time, break_from) + break_length


@njit(cache=True)
def _arrive(window_start, window_end, break_from, break_until, break_length, depart_ahead, depart_taken,
            travel_time):
    """Earliest service starts at a visit (break ahead, break taken), each INF if too late."""
    start_ahead = max(window_start, depart_ahead + travel_time) if depart_ahead < INF else INF
    if start_ahead > window_end:
        start_ahead = INF
    arrive_taken = depart_taken + travel_time if depart_taken < INF else INF
    by_break = _arrival_with_break(break_from, break_until, break_length, depart_ahead, travel_time)
    start_taken = max(window_start, min(arrive_taken, by_break))
    if start_taken > window_end:
        start_taken = INF
    return start_ahead, start_taken


@njit(cache=True)
def _leave(service_start, service_time):
    return service_start + service_time if service_start < INF else INF


@njit(cache=True)
def _refresh(search, state, r):
    """Earliest and latest service starts, load and cost of route r after a change."""
    inst = search.instance
    travel, cost, service, demand = inst.travel, inst.cost, inst.service, inst.demand
    window_start, window_end = inst.window_start, inst.window_end
    end_node, shift_end = inst.end[r], inst.shift_end[r]
    break_from, break_until, break_length = inst.break_start[r], inst.break_end[r], inst.break_duration[r]
    routes, route_of, position = state.routes, state.route_of, state.position
    length = state.length[r]
    before, route_cost, load = inst.start[r], 0, 0
    if break_length > 0:
        depart_ahead, depart_taken = inst.shift_start[r], INF
    else:
        depart_ahead, depart_taken = INF, inst.shift_start[r]
    earliest_ahead, earliest_taken = state.earliest_ahead, state.earliest_taken
    for p in range(length):
        visit = routes[r, p]
        route_of[visit] = r
        position[visit] = p
        start_ahead, start_taken = _arrive(window_start[visit], window_end[visit], break_from, break_until,
                                           break_length, depart_ahead, depart_taken, travel[before, visit])
        earliest_ahead[r, p], earliest_taken[r, p] = start_ahead, start_taken
        depart_ahead, depart_taken = _leave(start_ahead, service[visit]), _leave(start_taken, service[visit])
        route_cost += cost[before, visit] + search.moved[visit, r]
        load += demand[visit]
        before = visit
    if length > 0:
        route_cost += cost[before, end_node]
    state.cost[r] = route_cost
    state.load[r] = load
    # Backwards: the latest start at each position from which the rest of the route still
    # fits; at the end the break must have been taken.
    after, latest_ahead, latest_taken = end_node, -INF, shift_end
    for p in range(length - 1, -1, -1):
        visit = routes[r, p]
        travel_time = travel[visit, after]
        here_taken = min(window_end[visit], latest_taken - travel_time - service[visit])
        by_break = -INF
        if break_length > 0 and break_from + break_length <= latest_taken:
            by_break = min(latest_taken - travel_time - break_length, break_until - break_length)
        here_ahead = min(window_end[visit], max(by_break, latest_ahead - travel_time) - service[visit])
        state.latest_ahead[r, p], state.latest_taken[r, p] = here_ahead, here_taken
        after, latest_ahead, latest_taken = visit, here_ahead, here_taken


@njit(cache=True)
def _total(search, state):
    """Route costs plus the penalties of the visits left out."""
    penalty = search.instance.penalty
    route_of, route_cost = state.route_of, state.cost
    total = 0
    for r in range(len(route_cost)):
        total += route_cost[r]
    for visit in range(len(route_of)):
        if route_of[visit] < 0:
            total += penalty[visit]
    return total


@njit(cache=True)
def _copy_route(source, target, r):
    length = source.length[r]
    for p in range(length):
        visit = source.routes[r, p]
        target.routes[r, p] = visit
        target.earliest_ahead[r, p] = source.earliest_ahead[r, p]
        target.earliest_taken[r, p] = source.earliest_taken[r, p]
        target.latest_ahead[r, p] = source.latest_ahead[r, p]
        target.latest_taken[r, p] = source.latest_taken[r, p]
        target.route_of[visit] = r
        target.position[visit] = p
    target.length[r] = length
    target.load[r] = source.load[r]
    target.cost[r] = source.cost[r]


@njit(cache=True)
def _save_best(state, best_routes, best_length):
    routes, length = state.routes, state.length
    for r in range(len(length)):
        best_length[r] = length[r]
        for p in range(length[r]):
            best_routes[r, p] = routes[r, p]


@njit(cache=True)
def _start(search, current, candidate, best_routes, best_length, seed):
    """All visits inserted one by one (the fixed ones first): a warm start from nothing."""
    k = len(current.length)
    return _start_from(search, current, candidate, best_routes, best_length, seed,
                       np.zeros((k, 1), np.int32), np.zeros(k, np.int32))


@njit(cache=True)
def _start_from(search, current, candidate, best_routes, best_length, seed, given, given_length):
    """A warm start: each vehicle's given visits in their order, as far as they still fit
    (a visit that no longer does is left for the recreate), then the rest inserted."""
    np.random.seed(seed)
    inst = search.instance
    n = len(inst.service)
    placed = np.zeros(n, np.bool_)
    for r in range(len(given_length)):
        for i in range(given_length[r]):
            visit = given[r, i]
            if placed[visit] or not inst.allowed[visit, r] \
                    or current.load[r] + inst.demand[visit] > inst.capacity[r]:
                continue
            if _fits(search, current, visit, r, current.length[r]):
                current.routes[r, current.length[r]] = visit
                current.length[r] += 1
                placed[visit] = True
                _refresh(search, current, r)
    items = np.empty(n, np.int32)
    count = 0
    for visit in range(n):
        if not placed[visit] and inst.fixed[visit]:
            items[count] = visit
            count += 1
    served, every = np.zeros(n, np.int32), np.ones(len(given_length), np.bool_)  # every visit, every route
    _recreate(search, current, items, count, False, served, every)
    count = 0
    for visit in range(n):
        if not placed[visit] and not inst.fixed[visit]:
            items[count] = visit
            count += 1
    _recreate(search, current, items, count, False, served, every)
    for r in range(len(current.length)):
        _copy_route(current, candidate, r)
    for visit in range(n):
        candidate.route_of[visit] = current.route_of[visit]
        candidate.position[visit] = current.position[visit]
    _save_best(current, best_routes, best_length)
    return _total(search, current)


@njit(cache=True)
def _remove_positions(search, state, r, first, count, keep_from, keep_count):
    """Remove positions first..first+count-1 of route r, except the kept sub-string and
    fixed visits."""
    fixed = search.instance.fixed
    routes, route_of = state.routes, state.route_of
    length = state.length[r]
    written = 0
    for p in range(length):
        visit = routes[r, p]
        removed = first <= p < first + count and not (keep_from <= p < keep_from + keep_count)
        if removed and not fixed[visit]:
            route_of[visit] = -1
        else:
            routes[r, written] = visit
            written += 1
    state.length[r] = written
    _refresh(search, state, r)


@njit(cache=True)
def _ruin(search, state, touched):
    """Remove strings of neighbouring visits from a few routes near a random visit."""
    neighbours = search.neighbours
    length, route_of, position = state.length, state.route_of, state.position
    n, k = len(route_of), len(length)
    served, used = 0, 0
    for r in range(k):
        if length[r] > 0:
            served += length[r]
            used += 1
    if served == 0:
        return
    # Christiaens & Vanden Berghe: the longest string, then how many strings (routes).
    longest_string = min(search.max_string_size, served / used)
    most_strings = 4.0 * search.mean_removed / (1.0 + longest_string) - 1.0
    strings = int(np.random.random() * most_strings) + 1
    seed_visit = np.random.randint(n)
    while route_of[seed_visit] < 0:
        seed_visit = np.random.randint(n)
    ruined = 0
    for i in range(n):
        visit = neighbours[seed_visit, i]
        if ruined >= strings:
            break
        r = route_of[visit]
        if r < 0 or touched[r]:
            continue
        route_length = length[r]
        string_length = int(np.random.random() * min(float(route_length), longest_string)) + 1
        at = position[visit]
        if string_length >= route_length or np.random.random() < 0.5:
            # One string through `visit`.
            lowest, highest = max(0, at - string_length + 1), min(at, route_length - string_length)
            first = lowest + np.random.randint(highest - lowest + 1)
            _remove_positions(search, state, r, first, string_length, 0, 0)
        else:
            # "Split string": a longer string through `visit`, of which a part stays.
            kept = 1
            while kept < route_length - string_length and np.random.random() > search.split_depth:
                kept += 1
            span = string_length + kept
            lowest, highest = max(0, at - span + 1), min(at, route_length - span)
            first = lowest + np.random.randint(highest - lowest + 1)
            keep_from = first + np.random.randint(span - kept + 1)
            _remove_positions(search, state, r, first, span, keep_from, kept)
        touched[r] = True
        ruined += 1


@njit(cache=True)
def _order(search, items, count, choosing):
    """Sort the visits to put back by a randomly chosen criterion; by worth only when
    `choosing` (some visit was left out before the ruin, so not all of them fit)."""
    demand, window_end, remoteness = search.instance.demand, search.instance.window_end, search.remoteness
    worth = search.worth
    keys = np.empty(count)
    kinds = len(ORDER_WEIGHTS) if choosing else len(ORDER_WEIGHTS) - 1
    u = np.random.random() * ORDER_WEIGHTS[:kinds].sum()
    kind = 0
    while u > ORDER_WEIGHTS[kind] and kind < kinds - 1:
        u -= ORDER_WEIGHTS[kind]
        kind += 1
    for i in range(count):
        visit = items[i]
        jitter = np.random.random()
        if kind == 0:
            keys[i] = jitter
        elif kind == 1:
            keys[i] = -demand[visit] - jitter
        elif kind == 2:
            keys[i] = -remoteness[visit] - jitter
        elif kind == 3:
            keys[i] = remoteness[visit] + jitter
        elif kind == 4:
            keys[i] = window_end[visit] + jitter
        else:
            keys[i] = -worth[visit] * (1.0 + 0.1 * jitter)
    order = np.argsort(keys)
    sorted_items = items[:count].copy()
    for i in range(count):
        items[i] = sorted_items[order[i]]


@njit(cache=True)
def _fits(search, state, visit, r, p):
    """Whether `visit` can go at position p of route r: its window, the break, what follows.
    The same test as `_recreate`'s inner loop, which keeps its own copy: called from there,
    a function (even inlined) makes the search several times slower (measured: 74,000 ->
    11,000 steps/s on r101). Used where it runs once per visit (the warm start)."""
    inst = search.instance
    travel, service, window_start, window_end = inst.travel, inst.service, inst.window_start, inst.window_end
    break_from, break_until, break_length = inst.break_start[r], inst.break_end[r], inst.break_duration[r]
    length = state.length[r]
    before = inst.start[r] if p == 0 else state.routes[r, p - 1]
    after = inst.end[r] if p == length else state.routes[r, p]
    if p == 0:
        if break_length > 0:
            depart_ahead, depart_taken = inst.shift_start[r], INF
        else:
            depart_ahead, depart_taken = INF, inst.shift_start[r]
    else:
        depart_ahead = _leave(state.earliest_ahead[r, p - 1], service[before])
        depart_taken = _leave(state.earliest_taken[r, p - 1], service[before])
    start_ahead, start_taken = _arrive(window_start[visit], window_end[visit], break_from, break_until,
                                       break_length, depart_ahead, depart_taken, travel[before, visit])
    if start_ahead >= INF and start_taken >= INF:
        return False
    travel_on = travel[visit, after]
    leave_ahead = _leave(start_ahead, service[visit])
    leave_taken = _leave(start_taken, service[visit])
    on_time = leave_taken + travel_on if leave_taken < INF else INF
    by_break = _arrival_with_break(break_from, break_until, break_length, leave_ahead, travel_on)
    next_taken = min(on_time, by_break)  # earliest arrival at `after`, break taken
    if p == length:
        return next_taken <= inst.shift_end[r]
    return ((leave_ahead < INF
             and max(window_start[after], leave_ahead + travel_on) <= state.latest_ahead[r, p])
            or max(window_start[after], next_taken) <= state.latest_taken[r, p])


@njit(cache=True)
def _recreate(search, state, items, count, choosing, before_ruin, ruined):
    """Put each visit back at its cheapest feasible place, blinking past some places.

    A visit already left out before the ruin (`before_ruin` -1) is tried only on the routes
    the ruin shortened (`ruined`): it did not fit the others then, and putting visits in
    only takes room away (travel times keep the triangle inequality), so it cannot fit them
    now. On a thin day, where a third of the visits stay out, that is most of a step's work
    (docs/solver.md, idea 31)."""
    inst = search.instance
    travel, cost, service, demand = inst.travel, inst.cost, inst.service, inst.demand
    window_start, window_end = inst.window_start, inst.window_end
    allowed, start_node, end_node, capacity = inst.allowed, inst.start, inst.end, inst.capacity
    fixed = inst.fixed
    shift_start, shift_end = inst.shift_start, inst.shift_end
    break_froms, break_untils, break_lengths = inst.break_start, inst.break_end, inst.break_duration
    routes, lengths, load = state.routes, state.length, state.load
    earliest_ahead, earliest_taken = state.earliest_ahead, state.earliest_taken
    latest_ahead, latest_taken = state.latest_ahead, state.latest_taken
    blink_rate, moved = search.blink_rate, search.moved
    k = len(lengths)
    _order(search, items, count, choosing)
    for i in range(count):
        visit = items[i]
        best_delta, best_route, best_position = np.int64(INF), -1, -1
        # A fixed visit has one place and must take it: blinked past, it can stay out for good
        # (visits worth more take its time) and OR-Tools refuses routes without it.
        may_blink = not fixed[visit]
        stale = before_ruin[visit] < 0
        for r in range(k):
            if not allowed[visit, r] or load[r] + demand[visit] > capacity[r] or (stale and not ruined[r]):
                continue
            length = lengths[r]
            break_from, break_until, break_length = break_froms[r], break_untils[r], break_lengths[r]
            for p in range(length + 1):
                if p > 0 and min(earliest_ahead[r, p - 1], earliest_taken[r, p - 1]) > window_end[visit]:
                    break  # later places start later still
                before = start_node[r] if p == 0 else routes[r, p - 1]
                after = end_node[r] if p == length else routes[r, p]
                delta = (cost[before, visit] + cost[visit, after] - (cost[before, after] if length > 0 else 0)
                         + moved[visit, r])
                if delta >= best_delta or (may_blink and np.random.random() < blink_rate):
                    continue
                if p == 0:
                    if break_length > 0:
                        depart_ahead, depart_taken = shift_start[r], INF
                    else:
                        depart_ahead, depart_taken = INF, shift_start[r]
                else:
                    depart_ahead = _leave(earliest_ahead[r, p - 1], service[before])
                    depart_taken = _leave(earliest_taken[r, p - 1], service[before])
                start_ahead, start_taken = _arrive(window_start[visit], window_end[visit], break_from,
                                                   break_until, break_length, depart_ahead, depart_taken,
                                                   travel[before, visit])
                if start_ahead >= INF and start_taken >= INF:
                    continue
                travel_on = travel[visit, after]
                leave_ahead = _leave(start_ahead, service[visit])
                leave_taken = _leave(start_taken, service[visit])
                on_time = leave_taken + travel_on if leave_taken < INF else INF
                by_break = _arrival_with_break(break_from, break_until, break_length, leave_ahead, travel_on)
                next_taken = min(on_time, by_break)  # earliest arrival at `after`, break taken
                if p == length:
                    fits = next_taken <= shift_end[r]
                else:
                    fits = ((leave_ahead < INF
                             and max(window_start[after], leave_ahead + travel_on) <= latest_ahead[r, p])
                            or max(window_start[after], next_taken) <= latest_taken[r, p])
                if fits:
                    best_delta, best_route, best_position = delta, r, p
        if best_route >= 0:
            r, length = best_route, lengths[best_route]
            for p in range(length, best_position, -1):
                routes[r, p] = routes[r, p - 1]
            routes[r, best_position] = visit
            lengths[r] = length + 1
            _refresh(search, state, r)


@njit(cache=True)
def _open_route(search, state, items, count):
    """Put one of the left-out visits, drawn at random, alone on an engineer whose day is
    empty (the cheapest such engineer it fits), and move it to the end of `items`. The
    recreate that follows may then grow that route from the visits around it. Cheapest
    insertion alone never opens a route that a closer one can absorb, so without this the
    search only ever loses routes. False (nothing changed) when no empty day takes it."""
    inst = search.instance
    cost, moved = inst.cost, search.moved
    j = np.random.randint(count)
    visit = items[j]
    if inst.fixed[visit]:
        return False
    best_route, best_delta = -1, np.int64(INF)
    for r in range(len(state.length)):
        if state.length[r] != 0 or not inst.allowed[visit, r] or inst.demand[visit] > inst.capacity[r]:
            continue
        delta = cost[inst.start[r], visit] + cost[visit, inst.end[r]] + moved[visit, r]
        if delta < best_delta and _fits(search, state, visit, r, 0):
            best_route, best_delta = r, delta
    if best_route < 0:
        return False
    state.routes[best_route, 0] = visit
    state.length[best_route] = 1
    _refresh(search, state, best_route)
    items[j], items[count - 1] = items[count - 1], visit
    return True


@njit(cache=True)
def _joins(search, state, r, head, q, t):
    """Whether the first `head` visits of route r followed by route q's visits from position t
    on are feasible on r's engineer (alike q's: q's latest times hold there unchanged)."""
    inst = search.instance
    travel, service, window_start = inst.travel, inst.service, inst.window_start
    break_from, break_until, break_length = inst.break_start[r], inst.break_end[r], inst.break_duration[r]
    if head == 0:
        before = inst.start[r]
        if break_length > 0:
            depart_ahead, depart_taken = inst.shift_start[r], INF
        else:
            depart_ahead, depart_taken = INF, inst.shift_start[r]
    else:
        before = state.routes[r, head - 1]
        depart_ahead = _leave(state.earliest_ahead[r, head - 1], service[before])
        depart_taken = _leave(state.earliest_taken[r, head - 1], service[before])
    if t == state.length[q]:
        if head == 0:
            return True  # an empty day
        after = inst.end[r]
    else:
        after = state.routes[q, t]
    travel_on = travel[before, after]
    on_time = depart_taken + travel_on if depart_taken < INF else INF
    by_break = _arrival_with_break(break_from, break_until, break_length, depart_ahead, travel_on)
    next_taken = min(on_time, by_break)
    if t == state.length[q]:
        return next_taken <= inst.shift_end[r]
    return ((depart_ahead < INF
             and max(window_start[after], depart_ahead + travel_on) <= state.latest_ahead[q, t])
            or max(window_start[after], next_taken) <= state.latest_taken[q, t])


@njit(cache=True)
def _exchange(search, state, r, a, q, b, scratch):
    """Route r keeps its visits up to position a and takes q's from position b on; q keeps
    its first b and takes r's after a."""
    length_r, length_q = state.length[r], state.length[q]
    written = 0
    for p in range(b, length_q):
        scratch[written] = state.routes[q, p]
        written += 1
    tail_r = length_r - a - 1
    for p in range(tail_r):
        state.routes[q, b + p] = state.routes[r, a + 1 + p]
    for p in range(written):
        state.routes[r, a + 1 + p] = scratch[p]
    state.length[r], state.length[q] = a + 1 + written, b + tail_r
    _refresh(search, state, r)
    _refresh(search, state, q)


@njit(cache=True)
def _takes(search, state, r, q, t):
    """Whether route r's engineer may serve every visit of route q from position t on."""
    allowed = search.instance.allowed
    for p in range(t, state.length[q]):
        if not allowed[state.routes[q, p], r]:
            return False
    return True


@njit(cache=True)
def _load_before(search, state, r, loads):
    demand = search.instance.demand
    total = 0
    for p in range(state.length[r]):
        loads[r, p] = total
        total += demand[state.routes[r, p]]
    loads[r, state.length[r]] = total


@njit(cache=True)
def _tail_exchanges(search, state, items, count, touched, loads, scratch):
    """2-opt* descent around the visits just put back: for each such visit v and each of its
    nearest visits w on another (alike) route, try the arc v -> w (v's route goes on with w's
    tail, w's route with the rest of v's) and w -> v; take each move that shortens the two
    routes, until none does (or a few rounds)."""
    inst = search.instance
    cost, capacity, start_node, end_node = inst.cost, inst.capacity, inst.start, inst.end
    neighbours, alike = search.neighbours, search.alike
    routes, length, route_of, position = state.routes, state.length, state.route_of, state.position
    n, k = len(route_of), len(length)
    width = min(NEIGHBOURHOOD, n - 1)
    for r in range(k):
        _load_before(search, state, r, loads)
    for _ in range(4):
        improved = False
        for i in range(count):
            v = items[i]
            for j in range(1, width + 1):
                w = neighbours[v, j]
                for side in range(2):
                    x, y = (v, w) if side == 0 else (w, v)  # the arc x -> y
                    r, q = route_of[x], route_of[y]
                    if r < 0 or q < 0 or r == q or not alike[r, q]:
                        continue
                    a, b = position[x], position[y]  # r keeps 0..a, q keeps 0..b-1
                    after_x = end_node[r] if a == length[r] - 1 else routes[r, a + 1]
                    before_y = start_node[q] if b == 0 else routes[q, b - 1]
                    delta = cost[x, y] - cost[x, after_x] - cost[before_y, y]
                    if b > 0 or a < length[r] - 1:  # else q's day ends empty: no arc at all
                        delta += cost[before_y, after_x]
                    if delta >= 0:
                        continue
                    if loads[r, a + 1] + loads[q, length[q]] - loads[q, b] > capacity[r] \
                            or loads[q, b] + loads[r, length[r]] - loads[r, a + 1] > capacity[q]:
                        continue
                    if not (_joins(search, state, r, a + 1, q, b) and _joins(search, state, q, b, r, a + 1)
                            and _takes(search, state, r, q, b) and _takes(search, state, q, r, a + 1)):
                        continue
                    _exchange(search, state, r, a, q, b, scratch)
                    _load_before(search, state, r, loads)
                    _load_before(search, state, q, loads)
                    touched[r] = True
                    touched[q] = True
                    improved = True
        if not improved:
            break


@njit(cache=True)
def _long_routes(search, state):
    """Whether the routes are longer, on average, than the longest string a step removes: only
    there does a 2-opt* move do what string removals cannot (on a field-service day of 4-10
    visits an engineer it does not, and costs 60-70 % of the steps; docs/solver.md, idea 23)."""
    used, stops = 0, 0
    for r in range(len(state.length)):
        if state.length[r] > 0:
            used += 1
            stops += state.length[r]
    return used > 0 and stops > search.max_string_size * used


@njit(cache=True)
def _run(search, current, candidate, best_routes, best_length, steps, temperature, cost, best):
    """`steps` ruin-and-recreate steps from the current solution (candidate == current on entry)."""
    n, k = len(search.instance.service), len(current.length)
    touched, ruined = np.zeros(k, np.bool_), np.zeros(k, np.bool_)
    items = np.empty(n, np.int32)
    loads, scratch = np.zeros((k, n + 1), np.int64), np.empty(n, np.int32)
    tail_exchange = search.tail_exchange if _long_routes(search, current) else 0.0
    for _ in range(steps):
        touched[:] = False
        choosing = candidate.length.sum() < n  # some visit left out: not all of them fit
        _ruin(search, candidate, touched)
        ruined[:] = touched
        count = 0
        for visit in range(n):
            if candidate.route_of[visit] < 0:
                items[count] = visit
                count += 1
        if search.new_route_rate > 0 and count > 0 and np.random.random() < search.new_route_rate \
                and _open_route(search, candidate, items, count):
            # the last item opened a route
            _recreate(search, candidate, items, count - 1, choosing, current.route_of, ruined)
        else:
            _recreate(search, candidate, items, count, choosing, current.route_of, ruined)
        for i in range(count):
            r = candidate.route_of[items[i]]
            if r >= 0:
                touched[r] = True
        if tail_exchange > 0 and np.random.random() < tail_exchange:
            _tail_exchanges(search, candidate, items, count, touched, loads, scratch)
        new = _total(search, candidate)
        # Simulated annealing: accept a worse solution with probability exp(-worsening / T).
        accept = new < cost - temperature * math.log(np.random.random())
        source, target = (candidate, current) if accept else (current, candidate)
        for i in range(count):  # every visit removed, and those left out before
            target.route_of[items[i]] = source.route_of[items[i]]
        for r in range(k):
            if touched[r]:
                _copy_route(source, target, r)
        if accept:
            cost = new
            if new < best:
                best = new
                _save_best(current, best_routes, best_length)
    return cost, best
