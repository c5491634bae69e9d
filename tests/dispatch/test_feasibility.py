"""The exact day check behind booking slots agrees with the plan checker and the solver:
a day it calls feasible comes with a route that `verify_plan.py` accepts, and a day it
calls infeasible is one the OR-Tools solver cannot fit either."""

from hypothesis import HealthCheck, given, settings, strategies as st

from dispatch.feasibility import Day, DayStop, route_for
from dispatch.rules import TravelRules
from dispatch.slots import Place, travel_seconds
from dispatch.solver import solve
from dispatch.solver.problem import load_problem

HOME = Place(31.2304, 121.4737)
TRAVEL = {"model": "geodesic", "speed_kmh": 30, "detour_factor": 1.3}
SHIFT = (9 * 3600, 18 * 3600)
LUNCH = ((11 * 3600 + 1800, 14 * 3600), 60)

visit_specs = st.lists(st.tuples(
    st.floats(-0.08, 0.08), st.floats(-0.08, 0.08),   # where, around the station
    st.sampled_from([30, 45, 60, 90]),                 # minutes on site
    st.sampled_from([9, 11, 13, 15])), min_size=1, max_size=5)  # window start hour


def documents(specs, route):
    """The day as the exchange format's problem, and (if any) the route as its plan."""
    problem = {
        "format": "dispatch-problem/1", "name": "one engineer's day", "travel": TRAVEL,
        "locations": [{"id": "home", "lat": HOME.lat, "lng": HOME.lng}] + [
            {"id": f"p{i}", "lat": HOME.lat + dy, "lng": HOME.lng + dx}
            for i, (dy, dx, _m, _h) in enumerate(specs)],
        "engineers": [{"id": "e", "start": "home", "end": "home", "shift": list(SHIFT),
                       "break": {"window": list(LUNCH[0]), "duration": LUNCH[1] * 60}}],
        "visits": [{"id": f"v{i}", "location": f"p{i}", "duration": m * 60, "engineer": "e",
                    "window": [h * 3600, (h + 2) * 3600]} for i, (_y, _x, m, h) in enumerate(specs)],
    }
    plan = None
    if route is not None:
        plan = {"format": "dispatch-plan/1", "problem": problem["name"], "unassigned": [],
                "routes": [{"engineer": "e", "depart": route.depart, "return": route.back,
                            "break": {"start": route.break_[0], "end": route.break_[1]},
                            "stops": [{"visit": t.key, "start": t.start, "end": t.end}
                                      for t in route.stops]}]}
    return problem, plan


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(visit_specs)
def test_the_day_check_agrees_with_the_checker_and_the_solver(check_plan, specs):
    places = [HOME] + [Place(HOME.lat + dy, HOME.lng + dx) for dy, dx, _m, _h in specs]
    seconds = travel_seconds(TravelRules(**TRAVEL), places)
    day = Day(SHIFT, 0, tuple(DayStop(f"v{i}", i + 1, m * 60, (h * 3600, (h + 2) * 3600))
                              for i, (_y, _x, m, h) in enumerate(specs)), *LUNCH)
    route = route_for(day, lambda a, b: seconds[a][b])
    problem, plan = documents(specs, route)
    if route is not None:
        check_plan(problem, plan)
    else:
        solved = solve(load_problem(problem), 0.5)
        assert solved.unassigned, "the solver fitted a day the exact check called impossible"


def test_an_empty_day_needs_no_break():
    route = route_for(Day(SHIFT, 0, (), *LUNCH), lambda a, b: 0)
    assert route is not None and route.stops == [] and route.break_ is None


def test_a_started_visit_stays_at_its_time():
    day = Day(SHIFT, 0, (DayStop("started", 1, 3600, (10 * 3600, 10 * 3600)),
                         DayStop("later", 2, 3600, (9 * 3600, 18 * 3600))), *LUNCH)
    route = route_for(day, lambda a, b: 600 if a != b else 0)
    assert next(t for t in route.stops if t.key == "started").start == 10 * 3600


def test_the_lunch_break_needs_room_in_its_window():
    # Two long visits covering 11:00-15:00 leave no hour between 11:30 and 14:00.
    day = Day(SHIFT, 0, (DayStop("a", 1, 2 * 3600, (11 * 3600, 11 * 3600)),
                         DayStop("b", 1, 2 * 3600, (13 * 3600, 13 * 3600))), *LUNCH)
    assert route_for(day, lambda a, b: 0) is None
