"""Fixtures for the dispatch solver tests: the shared plan checker and small problems."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _shared_dir() -> Path | None:
    for candidate in (os.environ.get("WENQING_SHARED"), REPO.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "tools" / "verify_plan.py").exists():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    found = _shared_dir()
    if found is None:
        pytest.skip("shared folder with tools/verify_plan.py not found (set WENQING_SHARED)")
    return found


@pytest.fixture(scope="session", autouse=True)
def solver_compiled():
    """Load the solver's compiled search once (compiled the first time on a machine), so
    short time limits in tests are spent searching, as they are on a warm server."""
    from dispatch.solver import ruin_recreate

    ruin_recreate.warm()


@pytest.fixture(scope="session")
def check_plan(shared_dir):
    """verify_plan.py's own `verify`, with the tool's default tolerance; asserts OK."""
    spec = importlib.util.spec_from_file_location("verify_plan", shared_dir / "tools" / "verify_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def check(problem: dict, plan: dict) -> dict:
        tolerance = 1e-6 if problem["travel"]["model"] == "euclidean" else 1.0
        errors, totals = module.verify(problem, plan, tolerance)
        assert not errors, errors
        return totals

    return check


@pytest.fixture
def station():
    """Factory of a small valid station day; keyword arguments replace top-level fields."""
    return _station


def _station(**overrides) -> dict:
    """A small geodesic station day: two engineers, three visits, everything valid."""
    doc = {
        "format": "dispatch-problem/1",
        "name": "test station",
        "travel": {"model": "geodesic", "speed_kmh": 30, "detour_factor": 1.3},
        "locations": [
            {"id": "st", "lat": 31.2304, "lng": 121.4737},
            {"id": "a", "lat": 31.2611, "lng": 121.5012},
            {"id": "b", "lat": 31.2000, "lng": 121.4400},
            {"id": "c", "lat": 31.2400, "lng": 121.4000},
        ],
        "engineers": [
            {"id": "e1", "start": "st", "end": "st", "shift": [28800, 64800], "skills": ["laptop"],
             "break": {"window": [41400, 48600], "duration": 3600}, "capacity": None},
            {"id": "e2", "start": "st", "end": "st", "shift": [28800, 64800], "skills": ["laptop", "printer"]},
        ],
        "visits": [
            {"id": "v1", "location": "a", "duration": 2700, "window": [36000, 43200], "skill": "laptop"},
            {"id": "v2", "location": "b", "duration": 1800, "skill": "printer", "priority": 2},
            {"id": "v3", "location": "c", "duration": 3600, "window": [50400, 57600]},
        ],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def wang(ctx, make_station, make_engineer, make_user):
    """王师傅, a laptop engineer working every day at the Huangpu station (上海市 黄浦区),
    whose manager answers the station's phone."""
    from extensions import db
    from marketplace.catalog import ensure_catalog

    ensure_catalog()
    db.session.commit()
    manager = make_user("manager", phone="+8602158880000")
    station = make_station("ST310101", 31.2304, 121.4737, name="黄浦区服务站", manager=manager)
    engineer = make_engineer(station, skills=("laptop",), name="王师傅")
    engineer.work_days = "1234567"
    db.session.commit()
    return engineer
