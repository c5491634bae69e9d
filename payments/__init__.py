"""Payments: tips paid through a payment provider (Stripe first, behind payments.provider),
webhooks processed exactly once, refunds, the engineers' earnings ledger and payouts.
Sits above marketplace: it may import marketplace, never the reverse."""
