"""What an admin needs to judge a reported review or a flag: the review with its engineer,
reviewer, date and every report's reason; flags in the reader's language; and closing a flag
with a note that stays on record."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts.models import utcnow
from extensions import db
from marketplace.models import AbuseFlag, Review, ReviewReport

# The reasons the profile's report form offers (stored as their code; the API takes text).
REPORT_REASONS = {
    "offensive": _l("Offensive or abusive"),
    "advertising": _l("Advertising or spam"),
    "fake": _l("Not a real customer's experience"),
    "personal_data": _l("Shows someone's personal data"),
    "other": _l("Something else"),
}

FLAG_KINDS = {"review": _l("review"), "favourite": _l("favourite"), "tip": _l("tip"),
              "visit": _l("visit")}

# The flag reasons as marketplace.reviews writes them (English, in the database), read back
# in the reader's language.
_FLAG_REASONS = [
    (re.compile(r"same phone number"), lambda m: _l("same phone number as the engineer")),
    (re.compile(r"saved address within (\d+) m of the engineer's"),
     lambda m: _l("a saved address within %(metres)s m of the engineer's", metres=m.group(1))),
    (re.compile(r"account younger than (\d+) days"),
     lambda m: _l("an account younger than %(days)s days", days=m.group(1))),
    (re.compile(r"phone not verified"), lambda m: _l("phone not verified")),
    (re.compile(r"visit (\d+): confirmed visit (\d+) of this customer with this engineer within (\d+) days"),
     lambda m: _l("visit %(visit)s: confirmed visit %(n)s of this customer with this engineer "
                  "within %(days)s days", visit=m.group(1), n=m.group(2), days=m.group(3))),
]


def report_reason_text(reason: str) -> str:
    return str(REPORT_REASONS.get(reason, reason))


def flag_reasons(detail: str) -> list[str]:
    """A flag's detail, reason by reason, translated where it is one of ours."""
    found = []
    for part in (p.strip() for p in detail.split(";") if p.strip()):
        for pattern, text in _FLAG_REASONS:
            match = pattern.fullmatch(part)
            if match:
                found.append(str(text(match)))
                break
        else:
            found.append(part)
    return found


@dataclass
class Reported:
    review: Review
    reports: list[ReviewReport]

    @property
    def last_reported(self) -> datetime:
        return max(r.created_at for r in self.reports)


def reported_reviews(limit: int = 200) -> list[Reported]:
    """Reviews with reports, the most reported first, with their engineer, reviewer and
    every report (reason, reporter, when) loaded."""
    counts = (select(ReviewReport.review_id, func.count(ReviewReport.id).label("n"))
              .group_by(ReviewReport.review_id).subquery())
    reviews = db.session.execute(
        select(Review).join(counts, counts.c.review_id == Review.id)
        .options(selectinload(Review.engineer), selectinload(Review.customer), selectinload(Review.tags))
        .order_by(counts.c.n.desc(), Review.id.desc()).limit(limit)).scalars().all()
    reports = db.session.execute(
        select(ReviewReport).where(ReviewReport.review_id.in_([r.id for r in reviews]))
        .options(selectinload(ReviewReport.reporter)).order_by(ReviewReport.created_at)).scalars().all()
    by_review: dict[int, list[ReviewReport]] = {}
    for report in reports:
        by_review.setdefault(report.review_id, []).append(report)
    return [Reported(review, by_review.get(review.id, [])) for review in reviews]


def open_flags(limit: int = 200) -> list[AbuseFlag]:
    return list(db.session.execute(
        select(AbuseFlag).where(AbuseFlag.resolved.is_(False))
        .options(selectinload(AbuseFlag.engineer), selectinload(AbuseFlag.customer))
        .order_by(AbuseFlag.id.desc()).limit(limit)).scalars())


def resolve_flag(flag: AbuseFlag, admin, note: str) -> AbuseFlag:
    """Close a flag with what the admin found; the flag and the note stay on record."""
    flag.resolved, flag.resolved_at, flag.resolved_by_id = True, utcnow(), admin.id
    flag.resolution_note = note
    return flag
