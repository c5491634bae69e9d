"""Payouts and the ledger check: a month's batch, the bank export, Connect where the server
has it (localstripe has none: 404), and reconcile."""
from __future__ import annotations

import pytest

from accounts.models import utcnow
from extensions import db
from marketplace.models import Tip
from payments.earnings import month_of
from payments.models import PayoutAccount, PayoutLine
from payments.payouts import create_batch, export_csv, reconcile
from payments.tips import mark_paid, mark_refunded

pytestmark = pytest.mark.usefixtures("stripe_app")


def paid(rated_visit, cents=1000) -> Tip:
    tip = Tip(engineer_id=rated_visit["engineer"].id, customer_id=rated_visit["customer"].id,
              visit_id=rated_visit["visit"].id, amount_cents=cents, status="processing")
    db.session.add(tip)
    db.session.flush()
    mark_paid(tip, utcnow())
    db.session.commit()
    return tip


def test_a_monthly_export_pays_out_the_balance_and_the_ledger_reconciles(rated_visit, client, bearer):
    engineer = rated_visit["engineer"]
    db.session.add(PayoutAccount(engineer_id=engineer.id, bank_name="招商银行", account_name="王师傅",
                                 account_number="6225880000000001"))
    paid(rated_visit, 2000)
    assert reconcile() == []
    batch = create_batch(month_of(utcnow()), "export")
    lines = db.session.query(PayoutLine).all()
    assert [(line.engineer_id, line.amount_cents, line.status) for line in lines] == [(engineer.id, 2000, "exported")]
    rows = export_csv(batch).lstrip("\ufeff").splitlines()
    assert len(rows) == 2 and "王师傅,6225880000000001,招商银行,20.00" in rows[1]
    earnings = client.get("/api/me/earnings", headers=bearer(engineer.user.email)).get_json()
    assert (earnings["paid_out_cents"], earnings["pending_cents"]) == (2000, 0)
    assert reconcile() == []


def test_a_refund_after_payout_is_carried_as_a_negative_balance_and_still_reconciles(rated_visit):
    tip = paid(rated_visit, 1000)
    create_batch(month_of(utcnow()), "export")
    mark_refunded(tip, utcnow(), reason="charge-back")
    db.session.commit()
    assert reconcile() == []


def test_connect_transfers_fail_cleanly_where_the_server_has_no_connect(rated_visit):
    """localstripe answers /v1/transfers with 404: the line is failed, nothing is paid out,
    and the balance stays pending for the next batch."""
    engineer = rated_visit["engineer"]
    db.session.add(PayoutAccount(engineer_id=engineer.id, provider_account_id="acct_test"))
    paid(rated_visit, 1000)
    create_batch(month_of(utcnow()), "transfer")
    line = db.session.query(PayoutLine).one()
    assert line.status == "failed" and line.note
    assert reconcile() == []


def test_reconcile_finds_a_payout_line_that_does_not_match_its_entries(rated_visit):
    paid(rated_visit, 1000)
    create_batch(month_of(utcnow()), "export")
    db.session.query(PayoutLine).update({"amount_cents": 999})
    db.session.commit()
    assert reconcile() != []
