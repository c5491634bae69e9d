"""The product's rules are read and checked when the app is created: a wrong value stops
the app at start, naming its key, instead of failing a customer's request later."""
import pytest

from app import create_app
from config import RulesError, TestConfig
from dispatch.rules import day_plan_rules
from marketplace.rules import marketplace_rules


def config_with(**changes) -> type[TestConfig]:
    return type("Changed", (TestConfig,), changes)


def test_the_running_app_reads_its_rules_typed():
    app = create_app(TestConfig)
    with app.app_context():
        plan, market = day_plan_rules(), marketplace_rules()
    assert plan.lunch_window == (11 * 3600 + 30 * 60, 14 * 3600)
    assert plan.minutes_on_site("server") == 90 and plan.minutes_on_site("printer") == 60
    assert market.points.stars[5] == 10 and market.levels.thresholds()["master"] == 8000


@pytest.mark.parametrize("changes, key", [
    ({"POINTS": {**TestConfig.POINTS, "stars": {5: 10, 4: 5}}}, "POINTS['stars']"),
    ({"POINTS": {**TestConfig.POINTS, "tip": "five"}}, "POINTS['tip']"),
    ({"POINTS": {**TestConfig.POINTS, "bonus": 1}}, "POINTS"),
    ({"RANKING": {**TestConfig.RANKING, "prior_mean": 7}}, "RANKING['prior_mean']"),
    ({"LEVELS": [("backbone", 300, None), ("elite", 200, None), ("expert", 3000, 0.95),
                 ("master", 8000, 0.97)]}, "LEVELS[elite] points"),
    ({"LEVELS": [("elite", 1000, None)]}, "LEVELS"),
    ({"LUNCH_BREAK": {"window": ("11:30", "12:00"), "minutes": 60}}, "LUNCH_BREAK"),
    ({"LUNCH_BREAK": {"window": ("noon", "14:00"), "minutes": 60}}, "LUNCH_BREAK"),
    ({"TRAVEL": {"model": "geodesic", "speed_kmh": 0}}, "TRAVEL"),
    ({"VISIT_MINUTES": {"server": 90}}, "VISIT_MINUTES"),
    ({"APPOINTMENT_WINDOW_MINUTES": 0}, "APPOINTMENT_WINDOW_MINUTES"),
    ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
    ({"BOOKING_CAP_PER_DAY": 0}, "BOOKING_CAP_PER_DAY"),
    ({"VISIT_START_LEAD_MINUTES": "two hours"}, "VISIT_START_LEAD_MINUTES"),
    ({"COMPLETION_CODE_ATTEMPTS": 0}, "COMPLETION_CODE_ATTEMPTS"),
])
def test_a_wrong_rule_refuses_to_start_with_its_key_named(changes, key):
    with pytest.raises(RulesError) as raised:
        create_app(config_with(**changes))
    assert raised.value.key == key
    assert str(raised.value).startswith(f"configuration {key}:")
