"""The rules an engineer's day is planned by, typed: appointment windows, lead time and
cut-off, the lunch break, time on site per product line, and the travel model. Built once
from the configuration when the app is created (`from_config`); a wrong value refuses to
start with the configuration key named. Slots, booking and the solver's problems read them
from here, so the windows customers see and the plans managers get follow the same rules.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from config import RulesError, whole_number

EXTENSION_KEY = "dispatch.rules"


@dataclass(frozen=True)
class TravelRules:
    """How long the road takes: geodesic distance × detour factor at an average speed."""

    speed_kmh: float
    detour_factor: float = 1.0
    model: str = "geodesic"

    def __post_init__(self) -> None:
        if self.model != "geodesic":
            raise RulesError("TRAVEL", f"model: stations plan with 'geodesic', got {self.model!r}")
        if not (isinstance(self.speed_kmh, int | float) and 1 <= self.speed_kmh <= 200):
            raise RulesError("TRAVEL", f"speed_kmh: must be from 1 to 200, got {self.speed_kmh!r}")
        if not (isinstance(self.detour_factor, int | float) and 1 <= self.detour_factor <= 3):
            raise RulesError("TRAVEL",
                             f"detour_factor: must be from 1 to 3, got {self.detour_factor!r}")


@dataclass(frozen=True)
class DayPlanRules:
    """Windows, lead time, cut-off, lunch and time on site (minutes; lunch in seconds after
    midnight, station time)."""

    timezone: str
    window_minutes: int
    lead_minutes: int
    slot_days: int
    change_cutoff_minutes: int
    lunch_window: tuple[int, int]
    lunch_minutes: int
    visit_minutes: Mapping[str, int]
    travel: TravelRules
    start_lead_minutes: int       # an engineer sets off from this long before the window
    completion_code_attempts: int  # wrong codes before only the app confirmation is left
    booking_cap_per_day: int      # active visits one customer may hold on a day

    def minutes_on_site(self, skill_code: str) -> int:
        """Time on site for a product line (the default for lines not listed)."""
        return self.visit_minutes.get(skill_code, self.visit_minutes["default"])


def clock(key: str, text: object) -> int:
    """'11:30' → seconds after midnight."""
    try:
        hours, minutes = str(text).split(":")
        seconds = int(hours) * 3600 + int(minutes) * 60
    except ValueError:
        raise RulesError(key, f"times are written HH:MM, got {text!r}") from None
    if not 0 <= seconds <= 24 * 3600:
        raise RulesError(key, f"{text!r} is not a time of day")
    return seconds


def from_config(config: Mapping) -> DayPlanRules:
    """The day-plan rules of a configuration, checked."""
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise RulesError("TIMEZONE", f"unknown time zone {config['TIMEZONE']!r}") from None
    lunch = config["LUNCH_BREAK"]
    if not isinstance(lunch, Mapping) or {"window", "minutes"} - lunch.keys():
        raise RulesError("LUNCH_BREAK", "needs 'window': (start, end) and 'minutes'")
    window = tuple(clock("LUNCH_BREAK", t) for t in lunch["window"])
    minutes = whole_number("LUNCH_BREAK", lunch["minutes"], 0, 240)
    if len(window) != 2 or window[1] - window[0] < minutes * 60:
        raise RulesError("LUNCH_BREAK", "the window must be a start and an end that hold the break")
    on_site = config["VISIT_MINUTES"]
    if not isinstance(on_site, Mapping) or "default" not in on_site:
        raise RulesError("VISIT_MINUTES", "needs a 'default' entry")
    travel = config["TRAVEL"]
    if not isinstance(travel, Mapping):
        raise RulesError("TRAVEL", "must be a mapping")
    try:
        travel_rules = TravelRules(**travel)
    except TypeError as err:
        raise RulesError("TRAVEL", str(err)) from None
    return DayPlanRules(
        timezone=config["TIMEZONE"],
        window_minutes=whole_number("APPOINTMENT_WINDOW_MINUTES",
                                    config["APPOINTMENT_WINDOW_MINUTES"], 15, 720),
        lead_minutes=whole_number("BOOKING_LEAD_MINUTES", config["BOOKING_LEAD_MINUTES"], 0, 10080),
        slot_days=whole_number("SLOT_DAYS", config["SLOT_DAYS"], 1, 60),
        change_cutoff_minutes=whole_number("CHANGE_CUTOFF_MINUTES",
                                           config["CHANGE_CUTOFF_MINUTES"], 0, 10080),
        lunch_window=window, lunch_minutes=minutes,
        visit_minutes=MappingProxyType({code: whole_number("VISIT_MINUTES", m, 5, 720)
                                        for code, m in on_site.items()}),
        travel=travel_rules,
        start_lead_minutes=whole_number("VISIT_START_LEAD_MINUTES",
                                        config["VISIT_START_LEAD_MINUTES"], 0, 24 * 60),
        completion_code_attempts=whole_number("COMPLETION_CODE_ATTEMPTS",
                                              config["COMPLETION_CODE_ATTEMPTS"], 1, 10),
        booking_cap_per_day=whole_number("BOOKING_CAP_PER_DAY", config["BOOKING_CAP_PER_DAY"],
                                         1, 100))


def day_plan_rules() -> DayPlanRules:
    """The running app's day-plan rules."""
    return current_app.extensions[EXTENSION_KEY]
