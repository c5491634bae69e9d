"""An engineer's earnings: every tip (pending, paid, refunded), totals by month (station
time) and what has been paid out, all read from the tips and the earnings ledger."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from marketplace.models import Tip
from payments.models import EarningEntry, PayoutLine


def month_of(moment) -> str:
    """YYYY-MM of a UTC moment in station time."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%Y-%m")


def earnings_of(engineer_id: int) -> dict:
    """What the earnings page and API show. The engineer sees tips that were paid or are
    being paid; declined attempts are the customer's business."""
    tips = db.session.execute(select(Tip).where(
        Tip.engineer_id == engineer_id, Tip.status.in_(("processing", "paid", "refunded")))
        .order_by(Tip.created_at.desc())).scalars().all()
    entries = db.session.execute(select(EarningEntry).where(
        EarningEntry.engineer_id == engineer_id)).scalars().all()
    months: dict[str, dict] = {}
    for entry in entries:
        month = months.setdefault(month_of(entry.at), {"paid_cents": 0, "refunded_cents": 0, "tips": 0})
        if entry.kind == "tip":
            month["paid_cents"] += entry.amount_cents
            month["tips"] += 1
        else:
            month["refunded_cents"] -= entry.amount_cents
    paid_out = db.session.execute(select(func.coalesce(func.sum(PayoutLine.amount_cents), 0)).where(
        PayoutLine.engineer_id == engineer_id, PayoutLine.status.in_(("sent", "exported")))).scalar()
    earned = sum(e.amount_cents for e in entries)
    return {"tips": tips, "months": [{"month": m, **v} for m, v in sorted(months.items(), reverse=True)],
            "earned_cents": earned, "paid_out_cents": int(paid_out),
            "pending_cents": sum(e.amount_cents for e in entries if e.payout_line_id is None)}
