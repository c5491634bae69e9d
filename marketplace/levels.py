"""The five engineer levels, lowest first. How points earn them comes with the points
ledger; listings and profiles only show and sort by the level an engineer holds."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketplace.rules import LevelRules

LEVELS = ("rookie", "backbone", "elite", "expert", "master")
LEVEL_NAMES = {
    "rookie": ("新秀", "Rookie"),
    "backbone": ("骨干", "Backbone"),
    "elite": ("精英", "Elite"),
    "expert": ("专家", "Expert"),
    "master": ("大师", "Master"),
}


def level_name(level: str, locale: str) -> str:
    zh, en = LEVEL_NAMES[level]
    return zh if locale.startswith("zh") else en


RANK = {level: i for i, level in enumerate(LEVELS)}


def level_for(points: int, praise: float | None, reviews: int, rules: LevelRules) -> str:
    """The highest level whose points threshold and praise floor (over at least
    `rules.floor_min_reviews` reviews) are met."""
    held = "rookie"
    for step in rules.steps:
        if points < step.points:
            break
        floor = step.praise_floor
        if floor is not None and (reviews < rules.floor_min_reviews or praise is None
                                  or praise < floor):
            break
        held = step.level
    return held


def missing_for(level: str, points: int, praise: float | None, reviews: int,
                rules: LevelRules) -> dict:
    """What stands between an engineer and `level`: points, reviews and praise still needed."""
    step = rules.step(level)
    missing = {"points": max(0, step.points - points)}
    if step.praise_floor is not None:
        missing["reviews"] = max(0, rules.floor_min_reviews - reviews)
        missing["praise_rate"] = (step.praise_floor
                                  if praise is None or praise < step.praise_floor else None)
    return missing


def next_level(level: str) -> str | None:
    rank = RANK[level] + 1
    return LEVELS[rank] if rank < len(LEVELS) else None


def settle(held: str, eligible: str, below_since, now, step_down_days: int):
    """(level, reason or None, below_since) after the rules were re-read at `now`: up at
    once; down only after the held level's rule failed for `step_down_days` days in a row."""
    if RANK[eligible] > RANK[held]:
        return eligible, "up", None
    if RANK[eligible] == RANK[held]:
        return held, None, None
    if below_since is None:
        return held, None, now
    if (now - below_since).days >= step_down_days:
        return eligible, "down", None
    return held, None, below_since
