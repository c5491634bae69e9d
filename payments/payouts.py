"""Monthly payouts of the earnings ledger: every engineer whose unpaid-out entries up to the
month's end add up to more than nothing gets one line, paid by the provider's transfer
(Connect, where the operator uses it) or exported for the bank's bulk-transfer upload
(payroll, as in mainland China). `reconcile()` is the check finance runs."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from dispatch.models import Engineer
from extensions import db
from marketplace.models import Tip
from payments.models import EarningEntry, PayoutAccount, PayoutBatch, PayoutLine
from payments.provider import ProviderError, provider


class PayoutError(ValueError):
    """A batch that cannot be made (a month paid already, a month not over)."""


def month_end_utc(month: str) -> datetime:
    """The first moment after `month` (YYYY-MM, station time), as naive UTC."""
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime(year, number, 1, tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def create_batch(month: str, method: str, by=None) -> PayoutBatch:
    """The month's batch; its lines take the entries they pay. A transfer that fails leaves
    its line failed and its entries pending for the next batch. Commits."""
    if db.session.execute(select(PayoutBatch.id).where(PayoutBatch.month == month)).first():
        raise PayoutError(f"{month} has a payout batch already")
    batch = PayoutBatch(month=month, method=method, created_by_id=by.id if by else None)
    db.session.add(batch)
    db.session.flush()
    end = month_end_utc(month)
    balances = db.session.execute(
        select(EarningEntry.engineer_id, func.sum(EarningEntry.amount_cents))
        .where(EarningEntry.payout_line_id.is_(None), EarningEntry.at < end)
        .group_by(EarningEntry.engineer_id).order_by(EarningEntry.engineer_id)).all()
    for engineer_id, amount in balances:
        if amount > 0:  # a balance at or below nothing waits for later tips
            pay_line(batch, engineer_id, int(amount), end)
    db.session.commit()
    return batch


def pay_line(batch: PayoutBatch, engineer_id: int, amount: int, end: datetime) -> None:
    line = PayoutLine(batch_id=batch.id, engineer_id=engineer_id, amount_cents=amount,
                      status="exported")
    db.session.add(line)
    db.session.flush()
    if batch.method == "transfer":
        account = db.session.get(PayoutAccount, engineer_id)
        try:
            if account is None or not account.provider_account_id:
                raise ProviderError("no connected account")
            line.transfer_id = provider().transfer(amount, current_app.config["TIP_CURRENCY"],
                                                   account.provider_account_id, f"payout-line-{line.id}")
            line.status = "sent"
        except ProviderError as error:
            line.status, line.note = "failed", error.message[:300]
            return
    db.session.execute(EarningEntry.__table__.update().where(
        EarningEntry.engineer_id == engineer_id, EarningEntry.payout_line_id.is_(None),
        EarningEntry.at < end).values(payout_line_id=line.id))


EXPORT_COLUMNS = ("序号 No.", "收款人户名 Payee", "收款账号 Account", "开户行 Bank",
                  "金额 Amount (CNY)", "用途 Purpose", "批次 Batch", "工号 Engineer")


def export_csv(batch: PayoutBatch) -> str:
    """One row per engineer of the batch, in the columns a bank's bulk-transfer upload
    takes; amounts in yuan with two decimals. UTF-8 with a BOM, as spreadsheet tools want."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = db.session.execute(
        select(PayoutLine, Engineer, PayoutAccount).join(Engineer, Engineer.id == PayoutLine.engineer_id)
        .outerjoin(PayoutAccount, PayoutAccount.engineer_id == PayoutLine.engineer_id)
        .where(PayoutLine.batch_id == batch.id, PayoutLine.status == "exported")
        .order_by(PayoutLine.engineer_id)).all()
    for n, (line, engineer, account) in enumerate(rows, 1):
        writer.writerow((n, (account and account.account_name) or engineer.display_name,
                         (account and account.account_number) or "", (account and account.bank_name) or "",
                         f"{line.amount_cents / 100:.2f}", f"打赏 tips {batch.month}",
                         f"WQ-{batch.month}-{batch.id}", engineer.id))
    return out.getvalue()


def reconcile() -> list[str]:
    """Check the ledger against the tips and the payouts: paid tips − refunds = paid out +
    pending, overall and per engineer, and every line is the sum of its entries. Returns
    the discrepancies (none when all agree)."""
    problems = []
    paid = db.session.execute(select(func.coalesce(func.sum(Tip.amount_cents), 0))
                              .where(Tip.paid_at.is_not(None))).scalar()
    refunded = db.session.execute(select(func.coalesce(func.sum(Tip.amount_cents), 0))
                                  .where(Tip.paid_at.is_not(None), Tip.status == "refunded")).scalar()
    paid_out = db.session.execute(select(func.coalesce(func.sum(PayoutLine.amount_cents), 0))
                                  .where(PayoutLine.status.in_(("sent", "exported")))).scalar()
    pending = db.session.execute(select(func.coalesce(func.sum(EarningEntry.amount_cents), 0))
                                 .where(EarningEntry.payout_line_id.is_(None))).scalar()
    if paid - refunded != paid_out + pending:
        problems.append(f"paid tips {paid} − refunds {refunded} ≠ paid out {paid_out} + pending {pending}")
    entries_sum = func.coalesce(func.sum(EarningEntry.amount_cents), 0)
    for line_id, amount, entries in db.session.execute(
            select(PayoutLine.id, PayoutLine.amount_cents, entries_sum)
            .outerjoin(EarningEntry, EarningEntry.payout_line_id == PayoutLine.id)
            .where(PayoutLine.status != "failed")  # a failed line pays, and holds, nothing
            .group_by(PayoutLine.id, PayoutLine.amount_cents)):
        if amount != entries:
            problems.append(f"payout line {line_id}: {amount} ≠ its entries {entries}")
    return problems
