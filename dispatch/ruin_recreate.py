"""Slack induction by string removals (SISR), compiled: the solver's own improvement phase.

Christiaens & Vanden Berghe (2020): remove a few strings of neighbouring visits from nearby
routes, put every left-out visit back at its cheapest feasible place (skipping each place
with a small "blink" probability), accept by simulated annealing. Each step costs tens of
microseconds when compiled, so a 10-second search makes hundreds of thousands of them,
where OR-Tools' own iterated local search makes a few hundred. The best routes go back to
OR-Tools (`ReadAssignmentFromRoutes`), which checks them against the full model and polishes.

It works on the solver's integer grid and knows shifts, windows, capacities and which
engineers may take a visit (skills, the chosen engineer); not breaks or fixed visits: those
problems stay with OR-Tools alone. Everything here is plain numpy in, plain numpy out.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

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
    start: np.ndarray  # (vehicles,) start node
    end: np.ndarray  # (vehicles,) end node
    shift_start: np.ndarray  # (vehicles,)
    shift_end: np.ndarray  # (vehicles,)
    capacity: np.ndarray  # (vehicles,)
    allowed: np.ndarray  # (n, vehicles) bool


@dataclass
class Result:
    routes: list[list[int]]  # visit nodes per vehicle
    cost: int  # route costs plus penalties of visits left out
    iterations: int


def improve(inst: Instance, seconds: float, *, seed: int = 1, t0: float = 1.0, tf: float = 0.01,
            progress: Callable[[float, int], None] | None = None) -> Result:
    """Search for `seconds`; temperatures are in mean arc costs of the nearest neighbours.

    The first call in a process loads the compiled code (compiles it, the first time on a
    machine: some seconds), inside the given time.
    """
    started = time.perf_counter()
    end = started + seconds
    n, k = len(inst.service), len(inst.start)
    near = np.argsort(inst.cost[:n, :n] + inst.cost[:n, :n].T, axis=1, kind="stable").astype(np.int32)
    unit = float(np.mean(np.sort(inst.cost[:n, :n] + np.eye(n, dtype=np.int64) * 2**40, axis=1)[:, :5])) or 1.0
    depot = inst.start[0]
    far = inst.cost[depot, :n].astype(np.float64)
    args = (inst.travel, inst.cost, inst.service, inst.window_start, inst.window_end, inst.demand,
            inst.penalty, inst.start, inst.end, inst.shift_start, inst.shift_end, inst.capacity,
            inst.allowed, near, far)
    cur = _state(n, k)
    cand = _state(n, k)
    best_routes, best_len = np.zeros((k, n), np.int32), np.zeros(k, np.int32)
    np_seed = np.int64(seed)
    cost = _start(args, cur, cand, best_routes, best_len, np_seed)
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
        t_chunk = time.perf_counter()
        cost, best = _run(args, cur, cand, best_routes, best_len, chunk, temperature, cost, best)
        iterations += chunk
        spent = time.perf_counter() - t_chunk
        chunk = max(10, min(20000, int(chunk * (0.05 / spent) if spent > 0 else chunk * 2)))
        if progress is not None and now - started - last_report >= 0.5:
            last_report = now - started
            progress(last_report, int(best))
    routes = [[int(x) for x in best_routes[v, :best_len[v]]] for v in range(k)]
    return Result(routes, int(best), iterations)


def warm() -> None:
    """Load (or compile) the compiled code now, so a timed search does not pay for it."""
    one = np.zeros((2, 2), np.int64)
    improve(Instance(one, one, np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1, np.int64),
                     np.zeros(1, np.int64), np.ones(1, np.int64), np.array([1]), np.array([1]),
                     np.zeros(1, np.int64), np.full(1, 10, np.int64), np.ones(1, np.int64),
                     np.ones((1, 1), bool)), 0.0)


def _state(n: int, k: int):
    return (np.zeros((k, n), np.int32), np.zeros(k, np.int32), np.full(n, -1, np.int32),
            np.zeros(n, np.int32), np.zeros((k, n), np.int64), np.zeros((k, n), np.int64),
            np.zeros(k, np.int64), np.zeros(k, np.int64))


@njit(cache=True)
def _refresh(args, st, r):
    """Earliest and latest service starts, load and cost of route r after a change."""
    travel, cost, service, wa, wb, demand = args[0], args[1], args[2], args[3], args[4], args[5]
    start, end, sa, sb = args[7], args[8], args[9], args[10]
    routes, length, rof, pos, early, late, load, rcost = st
    m = length[r]
    prev, t, c, q = start[r], sa[r], 0, 0
    for p in range(m):
        v = routes[r, p]
        rof[v] = r
        pos[v] = p
        t = max(wa[v], t + travel[prev, v])
        early[r, p] = t
        t += service[v]
        c += cost[prev, v]
        q += demand[v]
        prev = v
    if m > 0:
        c += cost[prev, end[r]]
    rcost[r] = c
    load[r] = q
    nxt_late = sb[r]
    nxt = end[r]
    for p in range(m - 1, -1, -1):
        v = routes[r, p]
        lt = min(wb[v], nxt_late - travel[v, nxt] - service[v])
        late[r, p] = lt
        nxt_late, nxt = lt, v


@njit(cache=True)
def _total(args, st):
    pen = args[6]
    rof, rcost = st[2], st[7]
    c = 0
    for r in range(len(rcost)):
        c += rcost[r]
    for v in range(len(rof)):
        if rof[v] < 0:
            c += pen[v]
    return c


@njit(cache=True)
def _copy_route(src, dst, r):
    m = src[1][r]
    for p in range(m):
        dst[0][r, p] = src[0][r, p]
        dst[4][r, p] = src[4][r, p]
        dst[5][r, p] = src[5][r, p]
        dst[2][src[0][r, p]] = r
        dst[3][src[0][r, p]] = p
    dst[1][r] = m
    dst[6][r] = src[6][r]
    dst[7][r] = src[7][r]


@njit(cache=True)
def _save_best(st, best_routes, best_len):
    routes, length = st[0], st[1]
    for r in range(len(length)):
        best_len[r] = length[r]
        for p in range(length[r]):
            best_routes[r, p] = routes[r, p]


@njit(cache=True)
def _start(args, cur, cand, best_routes, best_len, seed):
    np.random.seed(seed)
    n = len(args[2])
    removed = np.arange(n).astype(np.int32)
    _recreate(args, cur, removed, n)
    for r in range(len(cur[1])):
        _copy_route(cur, cand, r)
    for v in range(n):
        cand[2][v] = cur[2][v]
        cand[3][v] = cur[3][v]
    _save_best(cur, best_routes, best_len)
    return _total(args, cur)


@njit(cache=True)
def _remove_positions(args, st, r, first, count, keep_from, keep_count, out, n_out):
    """Remove positions first..first+count-1 of route r except the kept sub-string."""
    routes, length, rof = st[0], st[1], st[2]
    m = length[r]
    w = 0
    for p in range(m):
        v = routes[r, p]
        inside = first <= p < first + count and not (keep_from <= p < keep_from + keep_count)
        if inside:
            rof[v] = -1
            out[n_out] = v
            n_out += 1
        else:
            routes[r, w] = v
            w += 1
    length[r] = w
    _refresh(args, st, r)
    return n_out


@njit(cache=True)
def _ruin(args, st, touched, out):
    """Remove strings of neighbouring visits from up to k_s routes; returns visits removed."""
    near = args[13]
    routes, length, rof, pos = st[0], st[1], st[2], st[3]
    n, k = len(rof), len(length)
    served, used = 0, 0
    for r in range(k):
        if length[r] > 0:
            served += length[r]
            used += 1
    if served == 0:
        return 0
    ls_max = min(float(MAX_STRING), served / used)
    ks_max = 4.0 * MEAN_REMOVED / (1.0 + ls_max) - 1.0
    ks = int(np.random.random() * ks_max) + 1
    seed = np.random.randint(n)
    while rof[seed] < 0:
        seed = np.random.randint(n)
    n_out, ruined = 0, 0
    for i in range(n):
        c = near[seed, i]
        if ruined >= ks:
            break
        r = rof[c]
        if r < 0 or touched[r]:
            continue
        m = length[r]
        lt_max = min(float(m), ls_max)
        lt = int(np.random.random() * lt_max) + 1
        p = pos[c]
        if lt >= m or np.random.random() < 0.5:
            lo, hi = max(0, p - lt + 1), min(p, m - lt)
            first = lo + np.random.randint(hi - lo + 1)
            n_out = _remove_positions(args, st, r, first, lt, 0, 0, out, n_out)
        else:
            keep = 1
            while keep < m - lt and np.random.random() > SPLIT_DEPTH:
                keep += 1
            span = lt + keep
            lo, hi = max(0, p - span + 1), min(p, m - span)
            first = lo + np.random.randint(hi - lo + 1)
            keep_from = first + np.random.randint(span - keep + 1)
            n_out = _remove_positions(args, st, r, first, span, keep_from, keep, out, n_out)
        touched[r] = True
        ruined += 1
    return n_out


@njit(cache=True)
def _order(args, items, count):
    """Sort the visits to put back by a randomly chosen criterion."""
    demand, wb, far = args[5], args[4], args[14]
    keys = np.empty(count)
    total = ORDER_WEIGHTS.sum()
    u = np.random.random() * total
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
    start, end, sa, sb, cap, allowed = args[7], args[8], args[9], args[10], args[11], args[12]
    routes, length, rof, pos, early, late, load = st[0], st[1], st[2], st[3], st[4], st[5], st[6]
    k = len(length)
    _order(args, items, count)
    for i in range(count):
        c = items[i]
        best, best_r, best_p = np.int64(2**62), -1, -1
        for r in range(k):
            if not allowed[c, r] or load[r] + demand[c] > cap[r]:
                continue
            m = length[r]
            if m == 0:
                t = max(wa[c], sa[r] + travel[start[r], c])
                if t <= wb[c] and t + service[c] + travel[c, end[r]] <= sb[r]:
                    d = cost[start[r], c] + cost[c, end[r]]
                    if d < best:
                        best, best_r, best_p = d, r, 0
                continue
            for p in range(m + 1):
                if p == 0:
                    prev, dep = start[r], sa[r]
                else:
                    prev = routes[r, p - 1]
                    if early[r, p - 1] > wb[c]:
                        break
                    dep = early[r, p - 1] + service[prev]
                nxt = end[r] if p == m else routes[r, p]
                d = cost[prev, c] + cost[c, nxt] - cost[prev, nxt]
                if d >= best or np.random.random() < BLINK:
                    continue
                t = max(wa[c], dep + travel[prev, c])
                if t > wb[c]:
                    continue
                t += service[c] + travel[c, nxt]
                if p == m:
                    if t > sb[r]:
                        continue
                elif t > late[r, p]:
                    continue
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
    n, k = len(args[2]), len(cur[1])
    touched = np.zeros(k, np.bool_)
    out = np.empty(n, np.int32)
    items = np.empty(n, np.int32)
    for _ in range(steps):
        touched[:] = False
        _ruin(args, cand, touched, out)
        count = 0
        for v in range(n):
            if cand[2][v] < 0:
                items[count] = v
                count += 1
        _recreate(args, cand, items, count)
        for v in range(count):
            r = cand[2][items[v]]
            if r >= 0:
                touched[r] = True
        new = _total(args, cand)
        accept = new < cost - temperature * math.log(np.random.random())
        src, dst = (cand, cur) if accept else (cur, cand)
        for v in range(count):  # every visit removed, and those left out before
            dst[2][items[v]] = src[2][items[v]]
        for r in range(k):
            if touched[r]:
                _copy_route(src, dst, r)
        if accept:
            cost = new
            if new < best:
                best = new
                _save_best(cur, best_routes, best_len)
    return cost, best
