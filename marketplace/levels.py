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
