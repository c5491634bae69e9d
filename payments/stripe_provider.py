"""Stripe, through its official SDK: the only module that names Stripe. `STRIPE_API_BASE`
points the SDK at a Stripe-compatible server (localstripe in development and tests)."""
from __future__ import annotations

import stripe

from payments.provider import (
    BadSignature,
    Declined,
    Event,
    Intent,
    NotConfigured,
    ProviderError,
    Unsupported,
)


class StripeProvider:
    name = "stripe"

    def __init__(self, secret_key: str, publishable_key: str | None, webhook_secret: str | None,
                 api_base: str | None) -> None:
        addresses = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(secret_key, base_addresses=addresses,
                                          max_network_retries=2)
        self.publishable_key, self.webhook_secret = publishable_key, webhook_secret

    @classmethod
    def from_config(cls, config) -> StripeProvider:
        if not config.get("STRIPE_SECRET_KEY"):
            raise NotConfigured("STRIPE_SECRET_KEY is not configured")
        return cls(config["STRIPE_SECRET_KEY"], config.get("STRIPE_PUBLISHABLE_KEY"),
                   config.get("STRIPE_WEBHOOK_SECRET"), config.get("STRIPE_API_BASE"))

    def create_intent(self, amount_cents, currency, metadata, idempotency_key) -> Intent:
        return self._call(lambda: intent_of(self.client.v1.payment_intents.create(
            params={"amount": amount_cents, "currency": currency, "metadata": metadata},
            options={"idempotency_key": idempotency_key})))

    def retrieve_intent(self, intent_id) -> Intent:
        return self._call(lambda: intent_of(self.client.v1.payment_intents.retrieve(intent_id)))

    def confirm(self, intent_id, payment_method) -> Intent:
        # Set the method, then confirm: the same two steps Stripe.js takes for the page.
        def both():
            self.client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method})
            return intent_of(self.client.v1.payment_intents.confirm(intent_id))
        return self._call(both)

    def refund(self, intent_id, idempotency_key, metadata) -> str:
        return self._call(lambda: self.client.v1.refunds.create(
            params={"payment_intent": intent_id, "metadata": metadata},
            options={"idempotency_key": idempotency_key}).id)

    def parse_webhook(self, payload, signature) -> Event:
        if not self.webhook_secret:  # nothing to verify with: the provider must retry later
            raise NotConfigured("STRIPE_WEBHOOK_SECRET is not configured")
        if not signature:
            raise BadSignature("unsigned")
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise BadSignature(str(error)) from error
        return event_of(event)

    def recent_events(self, since) -> list[Event]:
        page = self._call(lambda: self.client.v1.events.list(
            params={"created": {"gte": since}, "limit": 100}))
        return sorted((event_of(e) for e in page.auto_paging_iter()), key=lambda e: e.created)

    def transfer(self, amount_cents, currency, destination, idempotency_key) -> str:
        return self._call(lambda: self.client.v1.transfers.create(
            params={"amount": amount_cents, "currency": currency, "destination": destination},
            options={"idempotency_key": idempotency_key}).id)

    @staticmethod
    def _call(action):
        """Stripe's errors as the interface's: declined, unsupported (404), other."""
        try:
            return action()
        except stripe.CardError as error:
            raise Declined(error.user_message or "declined", error.code) from error
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                raise Unsupported(str(error.user_message or error), error.code) from error
            raise ProviderError(str(error.user_message or error), error.code) from error
        except stripe.StripeError as error:
            raise ProviderError(str(error.user_message or error), error.code) from error


def intent_of(pi) -> Intent:
    return Intent(id=pi.id, status=pi.status, client_secret=pi.client_secret,
                  amount_cents=pi.amount, currency=pi.currency)


def event_of(event) -> Event:
    """The event's type and the payment it is about (a charge names its payment intent)."""
    obj = event.data.object.to_dict()
    kind = obj.get("object")
    intent_id = obj.get("id") if kind == "payment_intent" else obj.get("payment_intent")
    error = (obj.get("last_payment_error") or {}) if kind == "payment_intent" else {}
    return Event(id=event.id, type=event.type, intent_id=intent_id, created=int(event.created),
                 failure_message=error.get("message"))
