"""The problem and plan documents of `../shared/specs/dispatch-problem.md` as plain dataclasses.

`load_problem` is the one gate for outside data: it refuses anything missing or impossible
with a `ProblemError` naming the field (`visits[3].window: end 100 is before start 200`), so
the solver never meets a malformed value. A visit needing a skill nobody holds is *not*
malformed: the solver leaves it unassigned and says why.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

PROBLEM_FORMAT = "dispatch-problem/1"
PLAN_FORMAT = "dispatch-plan/1"
TRAVEL_MODELS = ("geodesic", "euclidean", "matrix")
# Bounds that keep every time, distance and penalty inside the solver's 64-bit integers.
MAX_NUMBER = 1e9
MAX_PRIORITY = 1000


class ProblemError(ValueError):
    """A problem document that cannot be planned; the message names the offending field."""


@dataclass(frozen=True)
class Travel:
    model: str
    speed_kmh: float = 0.0
    detour_factor: float = 1.0
    scale: float = 1.0
    speed: float = 1.0
    durations: list[list[float]] | None = None
    distances: list[list[float]] | None = None


@dataclass(frozen=True)
class Location:
    id: str
    index: int
    lat: float | None = None
    lng: float | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class Break:
    window: tuple[float, float]
    duration: float


@dataclass(frozen=True)
class Engineer:
    id: str
    start: str
    end: str
    shift: tuple[float, float]
    skills: frozenset[str] = frozenset()
    break_: Break | None = None
    capacity: float | None = None


@dataclass(frozen=True)
class Fixed:
    engineer: str
    start: float


@dataclass(frozen=True)
class Visit:
    id: str
    location: str
    duration: float
    window: tuple[float, float] | None = None
    skill: str | None = None
    engineer: str | None = None
    priority: int = 1
    demand: float = 0
    fixed: Fixed | None = None


@dataclass(frozen=True)
class Problem:
    name: str
    travel: Travel
    locations: list[Location]
    engineers: list[Engineer]
    visits: list[Visit]

    @cached_property
    def location_index(self) -> dict[str, int]:
        """Location id -> row of the travel matrices (built once: the screening asks per visit)."""
        return {loc.id: loc.index for loc in self.locations}


@dataclass
class Stop:
    visit: str
    arrival: float
    start: float
    end: float


@dataclass
class Route:
    engineer: str
    stops: list[Stop]
    depart: float
    return_: float
    distance: float
    travel_time: float
    break_: tuple[float, float] | None = None


@dataclass
class Unassigned:
    visit: str
    reason: str


@dataclass
class Plan:
    problem: str
    routes: list[Route] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    solver: dict[str, Any] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, float]:
        return {
            "distance": sum(r.distance for r in self.routes),
            "travel_time": sum(r.travel_time for r in self.routes),
            "assigned": sum(len(r.stops) for r in self.routes),
            "unassigned": len(self.unassigned),
        }


def dump_plan(plan: Plan) -> dict:
    """The plan as the JSON-ready document the spec describes."""
    routes = []
    for route in plan.routes:
        doc = {
            "engineer": route.engineer,
            "stops": [{"visit": s.visit, "arrival": s.arrival, "start": s.start, "end": s.end}
                      for s in route.stops],
            "depart": route.depart,
            "return": route.return_,
            "distance": route.distance,
            "travel_time": route.travel_time,
        }
        if route.break_ is not None:
            doc["break"] = {"start": route.break_[0], "end": route.break_[1]}
        routes.append(doc)
    return {
        "format": PLAN_FORMAT,
        "problem": plan.problem,
        "routes": routes,
        "unassigned": [{"visit": u.visit, "reason": u.reason} for u in plan.unassigned],
        "totals": plan.totals,
        "solver": plan.solver,
    }


def load_problem(document: dict | str | bytes) -> Problem:
    """Validate a problem document (a dict, or JSON text) and return it as dataclasses."""
    if isinstance(document, (str, bytes)):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise ProblemError(f"document: not valid JSON ({exc})") from None
    doc = _Reader(document, "document").mapping()
    if doc.get("format") != PROBLEM_FORMAT:
        raise ProblemError(f"format: expected {PROBLEM_FORMAT!r}, got {doc.get('format')!r}")
    name = _Reader(doc.get("name"), "name").text()
    locations = _locations(_Reader(doc.get("locations"), "locations").sequence(), doc)
    travel = _travel(_Reader(doc.get("travel"), "travel").mapping(), len(locations))
    known = {loc.id for loc in locations}
    engineers = [_engineer(item, f"engineers[{i}]", known)
                 for i, item in enumerate(_Reader(doc.get("engineers"), "engineers").sequence())]
    _unique([e.id for e in engineers], "engineers")
    by_id = {e.id: e for e in engineers}
    visits = [_visit(item, f"visits[{i}]", known, by_id)
              for i, item in enumerate(_Reader(doc.get("visits"), "visits").sequence())]
    _unique([v.id for v in visits], "visits")
    _check_fixed_overlaps(visits)
    return Problem(name=name, travel=travel, locations=locations, engineers=engineers, visits=visits)


class _Reader:
    """One value of the document with its path, for checks that name the field."""

    def __init__(self, value: Any, path: str):
        self.value, self.path = value, path

    def fail(self, what: str) -> ProblemError:
        return ProblemError(f"{self.path}: {what}")

    def mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise self.fail("missing" if self.value is None else "must be an object")
        return self.value

    def sequence(self) -> list:
        if not isinstance(self.value, list):
            raise self.fail("missing" if self.value is None else "must be a list")
        return self.value

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value:
            raise self.fail("missing" if self.value is None else "must be a non-empty string")
        return self.value

    def number(self, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        v = self.value
        if v is None:
            raise self.fail("missing")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"must be a number, got {v!r}")
        if not -MAX_NUMBER <= v <= MAX_NUMBER:  # also refuses nan, inf and 10**400 without overflowing
            raise self.fail(f"must be a number between {-MAX_NUMBER:g} and {MAX_NUMBER:g}, got {v!r:.40}")
        if positive and v <= 0:
            raise self.fail(f"must be positive, got {v}")
        if minimum is not None and v < minimum:
            raise self.fail(f"must not be negative, got {v}")
        return v

    def interval(self) -> tuple[float, float]:
        pair = self.sequence()
        if len(pair) != 2:
            raise self.fail("must be [start, end]")
        start = _Reader(pair[0], f"{self.path}[0]").number()
        end = _Reader(pair[1], f"{self.path}[1]").number()
        if end < start:
            raise self.fail(f"end {end} is before start {start}")
        return start, end


def _field(item: dict, key: str, path: str) -> _Reader:
    return _Reader(item.get(key), f"{path}.{key}")


def _unique(ids: list[str], path: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise ProblemError(f"{path}[{i}].id: duplicate id {value!r}")
        seen.add(value)


def _locations(items: list, doc: dict) -> list[Location]:
    model = doc.get("travel", {}).get("model") if isinstance(doc.get("travel"), dict) else None
    out = []
    for i, item in enumerate(items):
        path = f"locations[{i}]"
        item = _Reader(item, path).mapping()
        loc_id = _field(item, "id", path).text()
        if model == "geodesic":
            lat = _field(item, "lat", path).number(minimum=None)
            lng = _field(item, "lng", path).number(minimum=None)
            if not -90 <= lat <= 90:
                raise ProblemError(f"{path}.lat: must be between -90 and 90, got {lat}")
            if not -180 <= lng <= 180:
                raise ProblemError(f"{path}.lng: must be between -180 and 180, got {lng}")
            out.append(Location(loc_id, i, lat=lat, lng=lng))
        elif model == "euclidean":
            out.append(Location(loc_id, i, x=_field(item, "x", path).number(minimum=None),
                                y=_field(item, "y", path).number(minimum=None)))
        else:
            out.append(Location(loc_id, i))
    _unique([loc.id for loc in out], "locations")
    return out


def _travel(spec: dict, size: int) -> Travel:
    model = spec.get("model")
    if model not in TRAVEL_MODELS:
        raise ProblemError(f"travel.model: must be one of {', '.join(TRAVEL_MODELS)}, got {model!r}")
    if model == "geodesic":
        return Travel(model, speed_kmh=_field(spec, "speed_kmh", "travel").number(positive=True),
                      detour_factor=_optional_number(spec, "detour_factor", "travel", 1.0))
    if model == "euclidean":
        return Travel(model, scale=_optional_number(spec, "scale", "travel", 1.0),
                      speed=_optional_number(spec, "speed", "travel", 1.0))
    return Travel(model, durations=_square(spec, "durations", size),
                  distances=_square(spec, "distances", size))


def _optional_number(item: dict, key: str, path: str, default: float) -> float:
    if item.get(key) is None:
        return default
    return _field(item, key, path).number(positive=True)


def _square(spec: dict, key: str, size: int) -> list[list[float]]:
    rows = _Reader(spec.get(key), f"travel.{key}").sequence()
    if len(rows) != size:
        raise ProblemError(f"travel.{key}: needs {size} rows (one per location), got {len(rows)}")
    for i, row in enumerate(rows):
        row = _Reader(row, f"travel.{key}[{i}]").sequence()
        if len(row) != size:
            raise ProblemError(f"travel.{key}[{i}]: needs {size} entries, got {len(row)}")
        for j, value in enumerate(row):
            value = _Reader(value, f"travel.{key}[{i}][{j}]").number()
            if i == j and value != 0:
                raise ProblemError(f"travel.{key}[{i}][{i}]: a location's way to itself must be 0, "
                                   f"got {value}")
    return rows


def _known_location(item: dict, key: str, path: str, known: set[str]) -> str:
    loc = _field(item, key, path).text()
    if loc not in known:
        raise ProblemError(f"{path}.{key}: unknown location {loc!r}")
    return loc


def _engineer(item: Any, path: str, known: set[str]) -> Engineer:
    item = _Reader(item, path).mapping()
    skills = _field(item, "skills", path).sequence() if item.get("skills") is not None else []
    for k, skill in enumerate(skills):
        _Reader(skill, f"{path}.skills[{k}]").text()
    brk = None
    if item.get("break") is not None:
        spec = _field(item, "break", path).mapping()
        window = _field(spec, "window", f"{path}.break").interval()
        duration = _field(spec, "duration", f"{path}.break").number()
        if window[1] - window[0] < duration:
            raise ProblemError(f"{path}.break: a {duration} break does not fit its window {list(window)}")
        brk = Break(window, duration)
    capacity = None if item.get("capacity") is None else _field(item, "capacity", path).number()
    return Engineer(
        id=_field(item, "id", path).text(),
        start=_known_location(item, "start", path, known),
        end=_known_location(item, "end", path, known),
        shift=_field(item, "shift", path).interval(),
        skills=frozenset(skills), break_=brk, capacity=capacity,
    )


def _visit(item: Any, path: str, known: set[str], engineers: dict[str, Engineer]) -> Visit:
    item = _Reader(item, path).mapping()
    window = _field(item, "window", path).interval() if item.get("window") is not None else None
    skill = _field(item, "skill", path).text() if item.get("skill") is not None else None
    chosen = None
    if item.get("engineer") is not None:
        chosen = _field(item, "engineer", path).text()
        if chosen not in engineers:
            raise ProblemError(f"{path}.engineer: no engineer {chosen!r} in this problem")
    priority = 1
    if item.get("priority") is not None:
        value = item["priority"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PRIORITY:
            raise ProblemError(f"{path}.priority: must be a whole number from 1 to {MAX_PRIORITY}, "
                               f"got {value!r:.40}")
        priority = value
    demand = 0 if item.get("demand") is None else _field(item, "demand", path).number()
    visit = Visit(
        id=_field(item, "id", path).text(),
        location=_known_location(item, "location", path, known),
        duration=_field(item, "duration", path).number(),
        window=window, skill=skill, engineer=chosen, priority=priority, demand=demand,
    )
    if item.get("fixed") is None:
        return visit
    fixed = _fixed(_field(item, "fixed", path).mapping(), f"{path}.fixed", visit, engineers)
    return replace(visit, fixed=fixed)


def _fixed(spec: dict, path: str, visit: Visit, engineers: dict[str, Engineer]) -> Fixed:
    eid = _field(spec, "engineer", path).text()
    if eid not in engineers:
        raise ProblemError(f"{path}.engineer: no engineer {eid!r} in this problem")
    start = _field(spec, "start", path).number()
    eng = engineers[eid]
    if visit.engineer is not None and visit.engineer != eid:
        raise ProblemError(f"{path}.engineer: {eid!r} but the customer chose {visit.engineer!r}")
    if visit.skill is not None and visit.skill not in eng.skills:
        raise ProblemError(f"{path}.engineer: {eid!r} lacks the visit's skill {visit.skill!r}")
    if visit.window is not None and not visit.window[0] <= start <= visit.window[1]:
        raise ProblemError(f"{path}.start: {start} is outside the visit's window {list(visit.window)}")
    if not (eng.shift[0] <= start and start + visit.duration <= eng.shift[1]):
        raise ProblemError(f"{path}.start: {start} does not fit {eid!r}'s shift {list(eng.shift)}")
    if eng.capacity is not None and visit.demand > eng.capacity:
        raise ProblemError(f"{path}.engineer: demand {visit.demand} is over {eid!r}'s capacity "
                           f"{eng.capacity}")
    return Fixed(eid, start)


def _check_fixed_overlaps(visits: list[Visit]) -> None:
    placed: dict[str, list[tuple[float, float, int]]] = {}
    for i, v in enumerate(visits):
        if v.fixed is not None:
            placed.setdefault(v.fixed.engineer, []).append((v.fixed.start, v.fixed.start + v.duration, i))
    for spans in placed.values():
        spans.sort()
        for (_s0, e0, i0), (s1, _e1, i1) in zip(spans, spans[1:]):
            if s1 < e0:
                raise ProblemError(f"visits[{i1}].fixed.start: {s1} overlaps visits[{i0}] (fixed until {e0})")
