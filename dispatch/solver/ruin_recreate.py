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

import numpy as np
from numba import njit

# Christiaens & Vanden Berghe's parameters: longest string, mean visits removed per step,
# preserved-string depth and blink rate.
MAX_STRING = 10
MEAN_REMOVED = 10
SPLIT_DEPTH = 0.01
BLINK = 0.01
# Recreate orders and their weights: random, largest demand, farthest, closest, earliest
# window end (the last one added for time windows).
ORDER_WEIGHTS = np.array([4.0, 4.0, 2.0, 1.0, 2.0])
INF = 2**60  # "cannot": an earliest time never reached, a latest time never kept


@dataclass
class Instance:
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


@dataclass
class Result:
    routes: list[list[int]]  # visit nodes per vehicle
    cost: int  # route costs plus penalties of visits left out
    iterations: int


def improve(inst: Instance, seconds: float, *, seed: int = 1, t0: float = 10.0, tf: float = 0.05,
            progress: Callable[[float, int], None] | None = None) -> Result:
    """Search for `seconds`; temperatures are in mean arc costs of the nearest neighbours.

    The first call in a process loads the compiled code (compiles it, the first time on a
    machine: some seconds) on the given time, and may overrun it; `warm()` does that first.
    """
    started = time.perf_counter()
    end = started + seconds
    n, k = len(inst.service), len(inst.start)
    pair = inst.cost[:n, :n] + inst.cost[:n, :n].T
    near = np.argsort(pair, axis=1, kind="stable").astype(np.int32)
    nearest = np.sort(inst.cost[:n, :n] + np.eye(n, dtype=np.int64) * INF, axis=1)[:, :min(5, n - 1)]
    unit = float(nearest.mean()) if nearest.size else 1.0
    unit = unit or 1.0
    far = inst.cost[inst.start[0], :n].astype(np.float64)
    args = (inst.travel, inst.cost, inst.service, inst.window_start, inst.window_end, inst.demand,
            inst.penalty, inst.fixed, inst.allowed, inst.start, inst.end, inst.shift_start, inst.shift_end,
            inst.capacity, inst.break_start, inst.break_end, inst.break_duration, near, far)
    cur, cand = _state(n, k), _state(n, k)
    best_routes, best_len = np.zeros((k, n), np.int32), np.zeros(k, np.int32)
    cost = _start(args, cur, cand, best_routes, best_len, np.int64(seed))
    best = cost
    _run(args, cur, cand, best_routes, best_len, 0, 1.0, cost, best)  # compiled before the clock matters
    search_start = time.perf_counter()
    chunk, last_report, iterations = 50, -1.0, 0
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        frac = (now - search_start) / max(end - search_start, 1e-9)
        temperature = unit * t0 * (tf / t0) ** frac
        cost, best = _run(args, cur, cand, best_routes, best_len, chunk, temperature, cost, best)
        iterations += chunk
        spent = time.perf_counter() - now
        chunk = max(10, min(20000, int(chunk * (0.05 / spent) if spent > 0 else chunk * 2)))
        if progress is not None and now - started - last_report >= 0.5:
            last_report = now - started
            progress(last_report, int(best))
    routes = [[int(x) for x in best_routes[v, :best_len[v]]] for v in range(k)]
    return Result(routes, int(best), iterations)


def warm() -> None:
    """Load (or compile) the compiled code now, so a timed search does not pay for it."""
    one, ints = np.zeros((2, 2), np.int64), (lambda *v: np.array(v, np.int64))
    improve(Instance(one, one, ints(0), ints(0), ints(1), ints(0), ints(1), np.zeros(1, bool),
                     np.ones((1, 1), bool), ints(1), ints(1), ints(0), ints(10), ints(1), ints(0), ints(10),
                     ints(1)), 0.0)


# The state of a solution: routes (vehicles × positions), lengths, route and position of each
# visit (route -1: left out), per position the earliest service start before / after the
# break is taken (e0, e1) and the latest start with the break still to take / already taken
# (l0, l1), per route load and cost.
ROUTES, LENGTH, ROUTE_OF, POS, E0, E1, L0, L1, LOAD, COST = range(10)


def _state(n: int, k: int):
    return (np.zeros((k, n), np.int32), np.zeros(k, np.int32), np.full(n, -1, np.int32),
            np.zeros(n, np.int32), np.zeros((k, n), np.int64), np.zeros((k, n), np.int64),
            np.zeros((k, n), np.int64), np.zeros((k, n), np.int64), np.zeros(k, np.int64),
            np.zeros(k, np.int64))


# The helpers called once per place take plain numbers: passing the argument tuples would
# cost a reference count per array on every call (measured: seven times slower).
@njit(cache=True)
def _with_break(w0, w1, d, depart, t):
    """Earliest arrival after leaving at `depart`, taking the break on the way; INF if it can't."""
    if depart >= INF or d == 0 or max(depart, w0) + d > w1:
        return INF
    return max(depart + t, w0) + d


@njit(cache=True)
def _arrive(wa, wb, w0, w1, d, dep0, dep1, t):
    """Earliest service starts at a visit (break to take, break taken), each INF if too late."""
    e0 = max(wa, dep0 + t) if dep0 < INF else INF
    if e0 > wb:
        e0 = INF
    e1 = max(wa, min(dep1 + t if dep1 < INF else INF, _with_break(w0, w1, d, dep0, t)))
    if e1 > wb:
        e1 = INF
    return e0, e1


@njit(cache=True)
def _leave(e, service):
    return e + service if e < INF else INF


@njit(cache=True)
def _refresh(args, st, r):
    """Earliest and latest service starts, load and cost of route r after a change."""
    travel, cost, service, wb, demand = args[0], args[1], args[2], args[4], args[5]
    end, sb, w1, d = args[10][r], args[12][r], args[15][r], args[16][r]
    w0 = args[14][r]
    routes, rof, pos = st[ROUTES], st[ROUTE_OF], st[POS]
    m = st[LENGTH][r]
    prev, c, q = args[9][r], 0, 0
    dep0, dep1 = (args[11][r], INF) if d > 0 else (INF, args[11][r])
    e0s, e1s = st[E0], st[E1]
    for p in range(m):
        v = routes[r, p]
        rof[v] = r
        pos[v] = p
        e0, e1 = _arrive(args[3][v], wb[v], w0, w1, d, dep0, dep1, travel[prev, v])
        e0s[r, p], e1s[r, p] = e0, e1
        dep0, dep1 = _leave(e0, service[v]), _leave(e1, service[v])
        c += cost[prev, v]
        q += demand[v]
        prev = v
    if m > 0:
        c += cost[prev, end]
    st[COST][r] = c
    st[LOAD][r] = q
    nxt, late0, late1 = end, -INF, sb  # at the end the break must have been taken
    for p in range(m - 1, -1, -1):
        v = routes[r, p]
        t = travel[v, nxt]
        lt1 = min(wb[v], late1 - t - service[v])
        by_break = -INF
        if d > 0 and w0 + d <= late1:
            by_break = min(late1 - t - d, w1 - d)
        lt0 = min(wb[v], max(by_break, late0 - t) - service[v])
        st[L0][r, p], st[L1][r, p] = lt0, lt1
        nxt, late0, late1 = v, lt0, lt1


@njit(cache=True)
def _total(args, st):
    pen = args[6]
    rof, rcost = st[ROUTE_OF], st[COST]
    c = 0
    for r in range(len(rcost)):
        c += rcost[r]
    for v in range(len(rof)):
        if rof[v] < 0:
            c += pen[v]
    return c


@njit(cache=True)
def _copy_route(src, dst, r):
    m = src[LENGTH][r]
    for p in range(m):
        v = src[ROUTES][r, p]
        dst[ROUTES][r, p] = v
        dst[E0][r, p] = src[E0][r, p]
        dst[E1][r, p] = src[E1][r, p]
        dst[L0][r, p] = src[L0][r, p]
        dst[L1][r, p] = src[L1][r, p]
        dst[ROUTE_OF][v] = r
        dst[POS][v] = p
    dst[LENGTH][r] = m
    dst[LOAD][r] = src[LOAD][r]
    dst[COST][r] = src[COST][r]


@njit(cache=True)
def _save_best(st, best_routes, best_len):
    routes, length = st[ROUTES], st[LENGTH]
    for r in range(len(length)):
        best_len[r] = length[r]
        for p in range(length[r]):
            best_routes[r, p] = routes[r, p]


@njit(cache=True)
def _start(args, cur, cand, best_routes, best_len, seed):
    """All visits inserted one by one (the fixed ones first)."""
    np.random.seed(seed)
    fixed = args[7]
    n = len(args[2])
    items = np.empty(n, np.int32)
    count = 0
    for v in range(n):
        if fixed[v]:
            items[count] = v
            count += 1
    _recreate(args, cur, items, count)
    count = 0
    for v in range(n):
        if not fixed[v]:
            items[count] = v
            count += 1
    _recreate(args, cur, items, count)
    for r in range(len(cur[LENGTH])):
        _copy_route(cur, cand, r)
    for v in range(n):
        cand[ROUTE_OF][v] = cur[ROUTE_OF][v]
        cand[POS][v] = cur[POS][v]
    _save_best(cur, best_routes, best_len)
    return _total(args, cur)


@njit(cache=True)
def _remove_positions(args, st, r, first, count, keep_from, keep_count):
    """Remove positions first..first+count-1 of route r, except the kept sub-string and
    fixed visits."""
    fixed = args[7]
    routes, rof = st[ROUTES], st[ROUTE_OF]
    m = st[LENGTH][r]
    w = 0
    for p in range(m):
        v = routes[r, p]
        if first <= p < first + count and not (keep_from <= p < keep_from + keep_count) and not fixed[v]:
            rof[v] = -1
        else:
            routes[r, w] = v
            w += 1
    st[LENGTH][r] = w
    _refresh(args, st, r)


@njit(cache=True)
def _ruin(args, st, touched):
    """Remove strings of neighbouring visits from up to k_s routes."""
    near = args[17]
    length, rof, pos = st[LENGTH], st[ROUTE_OF], st[POS]
    n, k = len(rof), len(length)
    served, used = 0, 0
    for r in range(k):
        if length[r] > 0:
            served += length[r]
            used += 1
    if served == 0:
        return
    ls_max = min(float(MAX_STRING), served / used)
    ks_max = 4.0 * MEAN_REMOVED / (1.0 + ls_max) - 1.0
    ks = int(np.random.random() * ks_max) + 1
    seed = np.random.randint(n)
    while rof[seed] < 0:
        seed = np.random.randint(n)
    ruined = 0
    for i in range(n):
        c = near[seed, i]
        if ruined >= ks:
            break
        r = rof[c]
        if r < 0 or touched[r]:
            continue
        m = length[r]
        lt = int(np.random.random() * min(float(m), ls_max)) + 1
        p = pos[c]
        if lt >= m or np.random.random() < 0.5:
            lo, hi = max(0, p - lt + 1), min(p, m - lt)
            first = lo + np.random.randint(hi - lo + 1)
            _remove_positions(args, st, r, first, lt, 0, 0)
        else:
            keep = 1
            while keep < m - lt and np.random.random() > SPLIT_DEPTH:
                keep += 1
            span = lt + keep
            lo, hi = max(0, p - span + 1), min(p, m - span)
            first = lo + np.random.randint(hi - lo + 1)
            keep_from = first + np.random.randint(span - keep + 1)
            _remove_positions(args, st, r, first, span, keep_from, keep)
        touched[r] = True
        ruined += 1


@njit(cache=True)
def _order(args, items, count):
    """Sort the visits to put back by a randomly chosen criterion."""
    demand, wb, far = args[5], args[4], args[18]
    keys = np.empty(count)
    u = np.random.random() * ORDER_WEIGHTS.sum()
    kind = 0
    while u > ORDER_WEIGHTS[kind] and kind < len(ORDER_WEIGHTS) - 1:
        u -= ORDER_WEIGHTS[kind]
        kind += 1
    for i in range(count):
        v = items[i]
        jitter = np.random.random()
        if kind == 0:
            keys[i] = jitter
        elif kind == 1:
            keys[i] = -demand[v] - jitter
        elif kind == 2:
            keys[i] = -far[v] - jitter
        elif kind == 3:
            keys[i] = far[v] + jitter
        else:
            keys[i] = wb[v] + jitter
    order = np.argsort(keys)
    sorted_items = items[:count].copy()
    for i in range(count):
        items[i] = sorted_items[order[i]]


@njit(cache=True)
def _recreate(args, st, items, count):
    """Put each visit back at its cheapest feasible place, blinking past some places."""
    travel, cost, service, wa, wb, demand = args[0], args[1], args[2], args[3], args[4], args[5]
    allowed, start, end, sb, cap = args[8], args[9], args[10], args[12], args[13]
    routes, length, load = st[ROUTES], st[LENGTH], st[LOAD]
    e0s, e1s, l0s, l1s = st[E0], st[E1], st[L0], st[L1]
    sa, w0s, w1s, bds = args[11], args[14], args[15], args[16]
    k = len(length)
    _order(args, items, count)
    for i in range(count):
        c = items[i]
        best, best_r, best_p = np.int64(INF), -1, -1
        for r in range(k):
            if not allowed[c, r] or load[r] + demand[c] > cap[r]:
                continue
            m = length[r]
            w0, w1, bd = w0s[r], w1s[r], bds[r]
            for p in range(m + 1):
                if p > 0 and min(e0s[r, p - 1], e1s[r, p - 1]) > wb[c]:
                    break  # later places start later still
                prev = start[r] if p == 0 else routes[r, p - 1]
                nxt = end[r] if p == m else routes[r, p]
                d = cost[prev, c] + cost[c, nxt] - (cost[prev, nxt] if m > 0 else 0)
                if d >= best or np.random.random() < BLINK:
                    continue
                if p == 0:
                    dep0, dep1 = (sa[r], INF) if bd > 0 else (INF, sa[r])
                else:
                    dep0, dep1 = _leave(e0s[r, p - 1], service[prev]), _leave(e1s[r, p - 1], service[prev])
                e0, e1 = _arrive(wa[c], wb[c], w0, w1, bd, dep0, dep1, travel[prev, c])
                if e0 >= INF and e1 >= INF:
                    continue
                t = travel[c, nxt]
                d0, d1 = _leave(e0, service[c]), _leave(e1, service[c])
                a1 = min(d1 + t if d1 < INF else INF, _with_break(w0, w1, bd, d0, t))
                if p == m:
                    ok = a1 <= sb[r]
                else:
                    ok = (d0 < INF and max(wa[nxt], d0 + t) <= l0s[r, p]) or max(wa[nxt], a1) <= l1s[r, p]
                if ok:
                    best, best_r, best_p = d, r, p
        if best_r >= 0:
            r, m = best_r, length[best_r]
            for p in range(m, best_p, -1):
                routes[r, p] = routes[r, p - 1]
            routes[r, best_p] = c
            length[r] = m + 1
            _refresh(args, st, r)


@njit(cache=True)
def _run(args, cur, cand, best_routes, best_len, steps, temperature, cost, best):
    """`steps` ruin-and-recreate steps from the current solution (cand == cur on entry)."""
    n, k = len(args[2]), len(cur[LENGTH])
    touched = np.zeros(k, np.bool_)
    items = np.empty(n, np.int32)
    for _ in range(steps):
        touched[:] = False
        _ruin(args, cand, touched)
        count = 0
        for v in range(n):
            if cand[ROUTE_OF][v] < 0:
                items[count] = v
                count += 1
        _recreate(args, cand, items, count)
        for v in range(count):
            r = cand[ROUTE_OF][items[v]]
            if r >= 0:
                touched[r] = True
        new = _total(args, cand)
        accept = new < cost - temperature * math.log(np.random.random())
        src, dst = (cand, cur) if accept else (cur, cand)
        for v in range(count):  # every visit removed, and those left out before
            dst[ROUTE_OF][items[v]] = src[ROUTE_OF][items[v]]
        for r in range(k):
            if touched[r]:
                _copy_route(src, dst, r)
        if accept:
            cost = new
            if new < best:
                best = new
                _save_best(cur, best_routes, best_len)
    return cost, best
