"""The problem document gate: valid documents load, malformed ones are refused by field."""
from __future__ import annotations

import copy
import json
import math
import random

import pytest
from geographiclib.geodesic import Geodesic

from dispatch.solver import travel
from dispatch.solver.problem import ProblemError, dump_plan, load_problem


def test_a_valid_station_day_loads(station):
    problem = load_problem(station())
    assert [e.id for e in problem.engineers] == ["e1", "e2"]
    assert problem.engineers[0].break_.duration == 3600
    assert problem.visits[1].priority == 2 and problem.visits[0].priority == 1


def test_json_text_is_accepted(station):
    assert load_problem(json.dumps(station())).name == "test station"


def test_a_skill_nobody_holds_is_not_malformed(station):
    doc = station()
    doc["visits"][0]["skill"] = "server"
    assert load_problem(doc).visits[0].skill == "server"


def _set(path: str, value):
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


MALFORMED = [
    (_set("visits.0.duration", KeyError), "visits[0].duration: missing"),
    (_set("visits.1.duration", -5), "visits[1].duration: must not be negative"),
    (_set("visits.0.window", [43200, 36000]), "visits[0].window: end 36000 is before start 43200"),
    (_set("visits.2.location", "nowhere"), "visits[2].location: unknown location 'nowhere'"),
    (_set("visits.0.engineer", "ghost"), "visits[0].engineer: no engineer 'ghost'"),
    (_set("visits.0.fixed", {"engineer": "ghost", "start": 36000}), "visits[0].fixed.engineer: no engineer 'ghost'"),
    (_set("visits.0.skill", 7), "visits[0].skill: must be a non-empty string"),
    (_set("visits.0.priority", 0), "visits[0].priority: must be a whole number from 1 to 1000"),
    (_set("visits.0.priority", 10**30), "visits[0].priority: must be a whole number from 1 to 1000"),
    (_set("visits.0.duration", 10**400), "visits[0].duration: must be a number between"),
    (_set("visits.0.duration", math.inf), "visits[0].duration: must be a number between"),
    (_set("locations.1.lat", -95), "locations[1].lat: must be between -90 and 90"),
    (_set("locations.1.lng", 200), "locations[1].lng: must be between -180 and 180"),
    (_set("visits.1.fixed", {"engineer": "e1", "start": 36000}), "visits[1].fixed.engineer: 'e1' lacks"),
    (_set("engineers.1.shift", [64800, 28800]), "engineers[1].shift: end 28800 is before start 64800"),
    (_set("engineers.0.break.duration", 9000), "engineers[0].break: a 9000 break does not fit"),
    (_set("engineers.0.start", "moon"), "engineers[0].start: unknown location 'moon'"),
    (_set("engineers.1.id", "e1"), "engineers[1].id: duplicate id 'e1'"),
    (_set("travel.model", "teleport"), "travel.model: must be one of"),
    (_set("travel.speed_kmh", 0), "travel.speed_kmh: must be positive"),
    (_set("locations.1.lat", "north"), "locations[1].lat: must be a number"),
    (_set("format", "something/2"), "format: expected 'dispatch-problem/1'"),
]


@pytest.mark.parametrize(("change", "message"), MALFORMED, ids=[m for _, m in MALFORMED])
def test_a_malformed_document_is_refused_with_the_field_named(station, change, message):
    doc = copy.deepcopy(station())
    change(doc)
    with pytest.raises(ProblemError) as caught:
        load_problem(doc)
    assert message in str(caught.value)


def test_invalid_json_is_refused_without_a_traceback():
    with pytest.raises(ProblemError, match="not valid JSON"):
        load_problem("{nope")


def test_a_fixed_visit_outside_its_window_is_refused(station):
    doc = station()
    doc["visits"][0]["fixed"] = {"engineer": "e1", "start": 50000}
    with pytest.raises(ProblemError, match=r"visits\[0\].fixed.start: 50000 is outside"):
        load_problem(doc)


def test_two_fixed_visits_at_once_are_refused(station):
    doc = station()
    doc["visits"][0]["fixed"] = {"engineer": "e1", "start": 36000}
    doc["visits"][2].update(window=None, fixed={"engineer": "e1", "start": 37000})
    with pytest.raises(ProblemError, match=r"visits\[2\].fixed.start: 37000 overlaps visits\[0\]"):
        load_problem(doc)


def test_a_matrix_with_a_way_from_a_place_to_itself_is_refused(station):
    square = [[0 if i == j else 600 for j in range(4)] for i in range(4)]
    square[2][2] = 30
    doc = station(travel={"model": "matrix", "durations": square, "distances": square})
    with pytest.raises(ProblemError, match=r"travel.durations\[2\]\[2\]: a location's way to itself must be 0"):
        load_problem(doc)


def test_matrix_travel_must_be_square_over_the_locations(station):
    doc = station(travel={"model": "matrix", "durations": [[0, 1], [1, 0]], "distances": [[0, 1], [1, 0]]})
    with pytest.raises(ProblemError, match="travel.durations: needs 4 rows"):
        load_problem(doc)


def test_the_geodesic_matrix_matches_geographiclib_to_the_second():
    rng = random.Random(7)
    locs = [{"id": f"p{i}", "lat": 31 + rng.random(), "lng": 121 + rng.random()} for i in range(40)]
    doc = {"format": "dispatch-problem/1", "name": "g", "travel": {"model": "geodesic", "speed_kmh": 30,
           "detour_factor": 1.3}, "locations": locs, "engineers": [], "visits": []}
    problem = load_problem(doc)
    m = travel.matrices(problem.travel, problem.locations)
    for i in range(0, 40, 3):
        for j in range(1, 40, 4):
            if i == j:
                continue
            exact = Geodesic.WGS84.Inverse(locs[i]["lat"], locs[i]["lng"], locs[j]["lat"], locs[j]["lng"])["s12"] * 1.3
            assert m.distance[i, j] == pytest.approx(exact, abs=1e-3)
            assert m.time[i, j] - math.ceil(exact / (30 / 3.6)) in (0, 1)
            assert travel.leg(problem.travel, problem.locations[i], problem.locations[j]) == (
                pytest.approx(m.distance[i, j], abs=1e-3), m.time[i, j])


def test_dump_plan_writes_the_spec_fields(station):
    from dispatch.solver.problem import Plan, Route, Stop, Unassigned

    plan = Plan("p", routes=[Route("e1", [Stop("v1", 10, 20, 30)], 0, 40, 100.0, 20.0, (31, 35))],
                unassigned=[Unassigned("v2", "no engineer with skill 'x'")])
    doc = dump_plan(plan)
    assert doc["format"] == "dispatch-plan/1"
    assert doc["routes"][0]["break"] == {"start": 31, "end": 35} and doc["routes"][0]["return"] == 40
    assert doc["totals"] == {"distance": 100.0, "travel_time": 20.0, "assigned": 1, "unassigned": 1}
