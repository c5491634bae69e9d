"""Why a visit is not planned, in words a station manager understands.

Found by analysis, not reported as a generic "dropped": `screen` looks at each visit before
the search (skills, the chosen engineer, shift length, capacity, reachability) and
`left_out` explains a visit the finished search could not fit.
"""
from __future__ import annotations

import numpy as np

from dispatch.solver.problem import Engineer, Problem, Visit


def screen(v: Visit, problem: Problem, travel_time: np.ndarray) -> list[int] | str:
    """Engineers (indices) who could do the visit on an empty day, or why nobody can."""
    engineers = problem.engineers
    if v.fixed is not None:
        return [next(i for i, e in enumerate(engineers) if e.id == v.fixed.engineer)]
    pool = [i for i, e in enumerate(engineers) if v.engineer in (None, e.id)]
    who = f"chosen engineer {v.engineer!r}" if v.engineer else "engineer"
    if v.skill is not None:
        pool = [i for i in pool if v.skill in engineers[i].skills]
        if not pool:
            return (f"chosen engineer {v.engineer!r} does not have skill {v.skill!r}" if v.engineer
                    else f"no engineer with skill {v.skill!r}")
    pool = [i for i in pool if v.duration <= engineers[i].shift[1] - engineers[i].shift[0]]
    if not pool:
        return f"the visit ({v.duration / 3600:.1f} h) is longer than the shift of any {who} who could do it"
    pool = [i for i in pool if engineers[i].capacity is None or v.demand <= engineers[i].capacity]
    if not pool:
        return f"its demand {v.demand:g} is more than any {who}'s capacity"
    pool = [i for i in pool if _reachable(v, engineers[i], problem.location_index, travel_time)]
    if not pool:
        if v.window is None:
            return f"no {who} can get there and back within the shift"
        return f"no {who} who could do it can reach it inside its window and be back by the end of the shift"
    return pool


def left_out(v: Visit, allowed: list[int], no_solution: bool) -> str:
    """A reason for a visit the search left out of a finished plan."""
    if no_solution:
        return "no plan was found within the time limit"
    if v.engineer is not None:
        return f"the day of chosen engineer {v.engineer!r} is full"
    skill = f" with skill {v.skill!r}" if v.skill else ""
    window = " inside its window" if v.window else ""
    if len(allowed) == 1:
        return f"the only engineer{skill} who can reach it has no time left{window}"
    return f"the days of all {len(allowed)} engineers{skill} who can reach it are full{window}"


def _reachable(v: Visit, e: Engineer, loc: dict[str, int], travel_time: np.ndarray) -> bool:
    """Whether the engineer could do this visit alone in the day (breaks aside)."""
    go = float(travel_time[loc[e.start], loc[v.location]])
    back = float(travel_time[loc[v.location], loc[e.end]])
    begin = max(e.shift[0] + go, v.window[0] if v.window else 0)
    if v.window is not None and begin > v.window[1]:
        return False
    return begin + v.duration + back <= e.shift[1]
