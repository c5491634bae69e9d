"""The marketplace's rules, typed: the recommended order (ranking), the points each event
earns, and the level thresholds with their praise floors. Built once from the configuration
when the app is created (`from_config`); a wrong value refuses to start with the key named.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from flask import current_app

from config import RulesError, number, whole_number
from marketplace.levels import LEVELS

EXTENSION_KEY = "marketplace.rules"


@dataclass(frozen=True)
class RankingRules:
    """A Bayesian average of stars plus a newcomer bonus that fades out (marketplace.ranking)."""

    prior_mean: float      # stars a reviewer expects of an engineer nobody has rated
    prior_weight: float    # how many reviews that expectation is worth
    newcomer_bonus: float  # added to a brand-new engineer's score...
    newcomer_reviews: int  # ...and gone after this many reviews

    def __post_init__(self) -> None:
        number("RANKING['prior_mean']", self.prior_mean, 1, 5)
        number("RANKING['prior_weight']", self.prior_weight, 0, 10_000)
        number("RANKING['newcomer_bonus']", self.newcomer_bonus, 0, 5)
        whole_number("RANKING['newcomer_reviews']", self.newcomer_reviews, 1, 10_000)


@dataclass(frozen=True)
class PointsRules:
    """Points per event of the ledger (marketplace.points)."""

    visit_completed: int
    stars: Mapping[int, int]  # points by star count, 1 to 5
    positive_tag: int
    positive_tags_max: int
    favourite: int            # by a customer served, once per customer
    tip: int                  # once per visit, whatever the amount
    first_time_fix: int

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "stars":
                whole_number(f"POINTS['{f.name}']", getattr(self, f.name), -1000, 1000)
        if not isinstance(self.stars, Mapping) or set(self.stars) != {1, 2, 3, 4, 5}:
            raise RulesError("POINTS['stars']", "must give the points for each of 1 to 5 stars")
        for stars, points in self.stars.items():
            whole_number(f"POINTS['stars'][{stars}]", points, -1000, 1000)
        object.__setattr__(self, "stars", MappingProxyType(dict(self.stars)))


@dataclass(frozen=True)
class FlagRules:
    """When feedback is flagged for an admin besides the same phone or address
    (marketplace.reviews): a young account, and a customer–engineer pair that keeps repeating."""

    new_account_days: int    # feedback from an account younger than this is flagged
    repeat_pair_visits: int  # the n-th confirmed visit of one pair...
    repeat_pair_days: int    # ...within this many days is flagged

    def __post_init__(self) -> None:
        whole_number("FLAGS['new_account_days']", self.new_account_days, 0, 3650)
        whole_number("FLAGS['repeat_pair_visits']", self.repeat_pair_visits, 2, 1000)
        whole_number("FLAGS['repeat_pair_days']", self.repeat_pair_days, 1, 3650)


@dataclass(frozen=True)
class LevelStep:
    level: str
    points: int
    praise_floor: float | None  # the praise rate the level needs, if any


@dataclass(frozen=True)
class LevelRules:
    """Levels above 新秀: each needs its points and, where set, a praise floor that counts
    only over `floor_min_reviews` reviews; an engineer steps down after `step_down_days`."""

    steps: tuple[LevelStep, ...]
    floor_min_reviews: int
    step_down_days: int

    def thresholds(self) -> dict[str, int]:
        return {"rookie": 0, **{s.level: s.points for s in self.steps}}

    def step(self, level: str) -> LevelStep:
        return next(s for s in self.steps if s.level == level)


def _level_rules(config: Mapping) -> LevelRules:
    try:
        steps = tuple(LevelStep(level, points, floor) for level, points, floor in config["LEVELS"])
    except (TypeError, ValueError):
        raise RulesError("LEVELS", "must list (level, points, praise floor or None)") from None
    if tuple(s.level for s in steps) != LEVELS[1:]:
        raise RulesError("LEVELS", f"must list the levels {', '.join(LEVELS[1:])} in order")
    previous = 0
    for s in steps:
        whole_number(f"LEVELS[{s.level}] points", s.points, previous + 1, 10**9)
        if s.praise_floor is not None:
            number(f"LEVELS[{s.level}] praise floor", s.praise_floor, 0, 1)
        previous = s.points
    return LevelRules(
        steps,
        whole_number("LEVEL_FLOOR_MIN_REVIEWS", config["LEVEL_FLOOR_MIN_REVIEWS"], 0, 100_000),
        whole_number("LEVEL_STEP_DOWN_DAYS", config["LEVEL_STEP_DOWN_DAYS"], 0, 3650))


def _from_mapping(cls, key: str, value: object):
    if not isinstance(value, Mapping):
        raise RulesError(key, "must be a mapping")
    names = {f.name for f in fields(cls)}
    if value.keys() != names:
        missing, unknown = names - value.keys(), value.keys() - names
        raise RulesError(key, "; ".join(
            [f"missing {', '.join(sorted(missing))}"] * bool(missing)
            + [f"unknown {', '.join(sorted(map(str, unknown)))}"] * bool(unknown)))
    return cls(**value)


@dataclass(frozen=True)
class MarketplaceRules:
    ranking: RankingRules
    points: PointsRules
    levels: LevelRules
    flags: FlagRules


def from_config(config: Mapping) -> MarketplaceRules:
    """The marketplace rules of a configuration, checked."""
    return MarketplaceRules(_from_mapping(RankingRules, "RANKING", config["RANKING"]),
                            _from_mapping(PointsRules, "POINTS", config["POINTS"]),
                            _level_rules(config),
                            _from_mapping(FlagRules, "FLAGS", config["FLAGS"]))


def marketplace_rules() -> MarketplaceRules:
    """The running app's marketplace rules."""
    return current_app.extensions[EXTENSION_KEY]
