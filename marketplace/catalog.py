"""The starting catalogue: product lines engineers repair and the curated review tags.
Admins edit both afterwards; `ensure_catalog()` only adds what is missing."""
from __future__ import annotations

from dispatch.models import Skill
from extensions import db
from marketplace.models import Tag

SKILLS = (  # code, 中文, English
    ("laptop", "笔记本电脑", "Laptop"), ("desktop", "台式电脑", "Desktop"),
    ("printer", "打印机", "Printer"), ("server", "服务器", "Server"),
    ("tv", "电视", "TV"), ("monitor", "显示器", "Monitor"),
    ("tablet", "平板电脑", "Tablet"), ("phone", "手机", "Phone"),
)
TAGS = (  # code, 中文, English, positive
    ("on_time", "准时", "On time", True),
    ("patient", "耐心", "Patient", True),
    ("expert", "专业", "Expert", True),
    ("explains_clearly", "讲解清楚", "Explains clearly", True),
    ("tidy", "干净整洁", "Tidy", True),
    ("friendly", "态度好", "Friendly", True),
    ("fast", "效率高", "Quick fix", True),
    ("fair_price", "收费合理", "Fair price", True),
    ("late", "迟到", "Late", False),
    ("rude", "态度差", "Rude", False),
    ("not_fixed", "没修好", "Not fixed", False),
    ("messy", "不整洁", "Left a mess", False),
)


def ensure_catalog() -> tuple[list[Skill], list[Tag]]:
    """Add missing default skills and tags; return all skills and tags by code order above."""
    skills = {s.code: s for s in db.session.execute(db.select(Skill)).scalars()}
    for code, zh, en in SKILLS:
        if code not in skills:
            skills[code] = Skill(code=code, name_zh=zh, name_en=en)
            db.session.add(skills[code])
    tags = {t.code: t for t in db.session.execute(db.select(Tag)).scalars()}
    for code, zh, en, positive in TAGS:
        if code not in tags:
            tags[code] = Tag(code=code, name_zh=zh, name_en=en, positive=positive)
            db.session.add(tags[code])
    db.session.flush()
    return list(skills.values()), list(tags.values())


def skill_codes() -> frozenset[str]:
    """Known skill codes, kept per process for REFERENCE_DATA_SECONDS (checked on every
    listing request)."""
    import time

    from flask import current_app
    holder = current_app.extensions.setdefault("skill_codes", {})
    max_age = current_app.config["REFERENCE_DATA_SECONDS"]
    if "codes" not in holder or time.monotonic() - holder["loaded"] > max_age:
        holder["codes"] = frozenset(db.session.execute(db.select(Skill.code)).scalars())
        holder["loaded"] = time.monotonic()
    return holder["codes"]
