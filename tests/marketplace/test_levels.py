"""The five levels: thresholds, praise floors, levelling up at once, stepping down late."""
from datetime import datetime, timedelta

import pytest

from config import Config
from marketplace.levels import level_for, missing_for, settle
from marketplace.rules import from_config

RULES = from_config(vars(Config)).levels


@pytest.mark.parametrize("points, praise, reviews, level", [
    (0, None, 0, "rookie"), (299, 1.0, 500, "rookie"), (300, None, 0, "backbone"),
    (1000, 0.5, 10, "elite"), (3000, 0.96, 120, "expert"), (3000, 0.94, 500, "elite"),
    (3000, 1.0, 99, "elite"),             # the floor needs 100 reviews
    (8000, 0.97, 100, "master"), (8000, 0.96, 400, "expert"), (50_000, 0.90, 1000, "elite")])
def test_level_for(points, praise, reviews, level):
    assert level_for(points, praise, reviews, RULES) == level


def test_what_is_missing_is_said_exactly():
    assert missing_for("expert", 2878, 0.93, 80, RULES) == {
        "points": 122, "reviews": 20, "praise_rate": 0.95}
    assert missing_for("backbone", 120, None, 0, RULES) == {"points": 180}


def test_up_at_once_down_only_after_thirty_days_below():
    now = datetime(2026, 11, 23)
    assert settle("elite", "expert", None, now, 30) == ("expert", "up", None)
    level, move, since = settle("expert", "elite", None, now, 30)
    assert (level, move, since) == ("expert", None, now)
    assert settle("expert", "elite", since, now + timedelta(days=29), 30)[:2] == ("expert", None)
    assert settle("expert", "elite", since, now + timedelta(days=30), 30)[:2] == ("elite", "down")
    assert settle("expert", "expert", since, now + timedelta(days=10), 30) == ("expert", None, None)


def test_level_changes_are_recorded_with_their_reason(ctx, station, make_engineer):
    from extensions import db
    from marketplace.models import EngineerStats, LevelChange
    from marketplace.points import record
    engineer = make_engineer(station)
    now = datetime(2026, 11, 23)
    record(engineer.id, 1000, "bonus for the test", "test", 1, "test:1", now)
    db.session.commit()
    stats = db.session.get(EngineerStats, engineer.id)
    assert stats.level == "elite"
    change = db.session.query(LevelChange).one()
    assert (change.from_level, change.to_level) == ("rookie", "elite") and "1000 points" in change.reason
    record(engineer.id, -800, "a correction", "test", 2, "test:2", now + timedelta(days=1))
    db.session.commit()
    assert db.session.get(EngineerStats, engineer.id).level == "elite"  # grace period
    from marketplace.points import refresh_level
    refresh_level(engineer.id, now + timedelta(days=31))
    db.session.commit()
    assert db.session.get(EngineerStats, engineer.id).level == "rookie"
    last = db.session.query(LevelChange).order_by(LevelChange.id.desc()).first()
    assert last.to_level == "rookie" and "30 days" in last.reason
