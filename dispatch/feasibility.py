"""Can one engineer make all of these visits in a day? An exact answer for the handful of
visits a day holds, by the same rules the solver and `verify_plan.py` apply: service
starts inside each window, travel between visits, one break inside its window taken in a
gap between leaving the station and coming back, out and back inside the shift.

Dynamic programming over (visits done, where the engineer is, break taken) keeping the
earliest time each state can be reached; waiting is always allowed, so earlier is never
worse and the search is exact. A day of 7 visits has at most 1,792 states, and time
windows leave few of them alive.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

INF = float("inf")


@dataclass(frozen=True)
class DayStop:
    """A visit of the day; times in seconds after midnight, `node` indexes travel times."""

    key: Hashable
    node: int
    duration: int
    window: tuple[int, int]  # service must start inside; [t, t] for a visit already started


@dataclass(frozen=True)
class Day:
    shift: tuple[int, int]
    depot: int
    stops: tuple[DayStop, ...]
    break_window: tuple[int, int] | None = None
    break_minutes: int = 0

    @property
    def has_break(self) -> bool:
        return self.break_window is not None and self.break_minutes > 0


@dataclass(frozen=True)
class Timed:
    key: Hashable
    start: int
    end: int


@dataclass
class DayRoute:
    """A feasible day: stops in order with times, the break, leaving and coming back."""

    stops: list[Timed] = field(default_factory=list)
    break_: tuple[int, int] | None = None
    depart: int = 0
    back: int = 0


def after_gap(clock: float, travel: float, day: Day, take_break: bool) -> tuple[float, float | None]:
    """Earliest arrival after leaving at `clock` and travelling `travel` seconds, and when
    the break starts if it is taken in this gap (arrival INF if it cannot fit its window)."""
    if not take_break:
        return clock + travel, None
    w0, w1 = day.break_window
    length = day.break_minutes * 60
    begin = max(clock, w0)
    if begin + length > w1:
        return INF, None
    return max(begin + length, clock + travel + length), begin


def route_for(day: Day, travel: Callable[[int, int], float]) -> DayRoute | None:
    """A feasible day for all of `day.stops`, or None if there is none."""
    stops, n = day.stops, len(day.stops)
    if n == 0:
        return DayRoute(depart=day.shift[0], back=day.shift[0])
    # state (mask, last, broke) -> (time, previous entry, stop index, start, break start);
    # built layer by layer (one more stop each), keeping only states that can still reach
    # every remaining stop before its window closes.
    layer = {(0, -1, not day.has_break): (day.shift[0], None, -1, day.shift[0], None)}
    for _ in range(n):
        following: dict = {}
        for state, entry in layer.items():
            clock = entry[0]
            mask, last, broke = state
            here = day.depot if last < 0 else stops[last].node
            if not _alive(stops, mask, here, clock, travel):
                continue
            for j in range(n):
                if mask >> j & 1:
                    continue
                stop = stops[j]
                for brk in ((False, True) if not broke else (False,)):
                    arrival, break_start = after_gap(clock, travel(here, stop.node), day, brk)
                    start = max(arrival, stop.window[0])
                    if start > stop.window[1]:
                        continue
                    nxt = (mask | 1 << j, j, broke or brk)
                    end = start + stop.duration
                    if end < following.get(nxt, (INF,))[0]:
                        following[nxt] = (end, entry, j, start, break_start)
        layer = following
    return _back_home(day, travel, layer)


def _alive(stops, mask: int, here: int, clock: float, travel) -> bool:
    """No stop still to do has a window that closes before the engineer could get there."""
    return all(mask >> k & 1 or clock + travel(here, stop.node) <= stop.window[1]
               for k, stop in enumerate(stops))


def _back_home(day: Day, travel, complete: dict) -> DayRoute | None:
    for state, (clock, *_rest) in sorted(complete.items(), key=lambda kv: kv[1][0]):
        _mask, last, broke = state
        back, break_start = after_gap(clock, travel(day.stops[last].node, day.depot), day, not broke)
        if back <= day.shift[1]:
            route = _walk_back(complete[state], day)
            if break_start is not None:
                route.break_ = (int(break_start), int(break_start) + day.break_minutes * 60)
            route.back = int(back)
            return route
    return None


def _walk_back(entry: tuple, day: Day) -> DayRoute:
    """Rebuild the route from the last entry through the entries it came from."""
    route = DayRoute(depart=day.shift[0])
    while entry is not None and entry[2] >= 0:
        _end, previous, j, start, break_start = entry
        stop = day.stops[j]
        route.stops.append(Timed(stop.key, int(start), int(start + stop.duration)))
        if break_start is not None:
            route.break_ = (int(break_start), int(break_start) + day.break_minutes * 60)
        entry = previous
    route.stops.reverse()
    return route


def feasible(day: Day, travel: Callable[[int, int], float]) -> bool:
    return route_for(day, travel) is not None
