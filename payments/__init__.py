"""Stripe: paying tips, webhooks and refunds. Built with the tips issue; until then a tip
is a recorded event (see marketplace.models.Tip) that the payment flow will mark paid."""
