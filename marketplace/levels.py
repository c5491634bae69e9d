"""The five engineer levels, lowest first. How points earn them comes with the points
ledger; listings and profiles only show and sort by the level an engineer holds."""

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


def level_for(points: int, praise: float | None, reviews: int, rules: list, min_reviews: int) -> str:
    """The highest level whose points threshold and praise floor (over at least
    `min_reviews` reviews) are met. `rules`: [(level, points, floor or None), ...]."""
    held = "rookie"
    for level, threshold, floor in rules:
        if points < threshold:
            break
        if floor is not None and (reviews < min_reviews or praise is None or praise < floor):
            break
        held = level
    return held


def missing_for(level: str, points: int, praise: float | None, reviews: int, rules: list,
                min_reviews: int) -> dict:
    """What stands between an engineer and `level`: points, reviews and praise still needed."""
    _, threshold, floor = next(rule for rule in rules if rule[0] == level)
    missing = {"points": max(0, threshold - points)}
    if floor is not None:
        missing["reviews"] = max(0, min_reviews - reviews)
        missing["praise_rate"] = floor if praise is None or praise < floor else None
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
