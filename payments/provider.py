"""The payment provider interface: everything payments asks of a payment service, and the
plain values it gets back. Stripe is the first provider (payments.stripe_provider, the only
module that names it); a WeChat Pay or Alipay adapter for mainland China implements the
same methods. `provider()` returns the configured one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import current_app


class ProviderError(Exception):
    """The provider refused or could not be reached; `message` is safe to show."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code = message, code


class NotConfigured(ProviderError):
    """No provider is set up on this server (its keys are missing): nothing can be paid or
    verified until an operator configures one; callers answer 503, not 500."""


class Declined(ProviderError):
    """The customer's bank or card declined the payment."""


class Unsupported(ProviderError):
    """The provider (or the server it points at) does not offer this, e.g. no Connect."""


class BadSignature(ProviderError):
    """A webhook call whose signature does not verify: not from the provider."""


@dataclass(frozen=True)
class Intent:
    """A payment the customer is asked to make."""

    id: str
    status: str           # the provider's words: requires_payment_method, succeeded…
    client_secret: str | None
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class Event:
    """A verified webhook event, reduced to what payments acts on."""

    id: str
    type: str             # payment_intent.succeeded, payment_intent.payment_failed, charge.refunded
    intent_id: str | None
    created: int
    failure_message: str | None = None


class PaymentProvider(Protocol):
    name: str
    publishable_key: str | None

    def create_intent(self, amount_cents: int, currency: str, metadata: dict,
                      idempotency_key: str) -> Intent: ...

    def retrieve_intent(self, intent_id: str) -> Intent: ...

    def confirm(self, intent_id: str, payment_method: str) -> Intent:
        """Confirm on the server with a test payment method (tests, the demo, and the
        page's button where the provider's script cannot load)."""

    def refund(self, intent_id: str, idempotency_key: str, metadata: dict) -> str:
        """Refund the whole payment; returns the refund's id."""

    def parse_webhook(self, payload: bytes, signature: str | None) -> Event:
        """The event, if the signature verifies with the endpoint secret; else BadSignature."""

    def recent_events(self, since: int) -> list[Event]:
        """Events created at or after `since` (epoch seconds), oldest first, read from the
        provider's API: catching up on webhooks that could not be delivered."""

    def transfer(self, amount_cents: int, currency: str, destination: str,
                 idempotency_key: str) -> str:
        """Pay a connected account (payouts); returns the transfer's id, or Unsupported."""


def provider() -> PaymentProvider:
    """The app's provider, built once per app from its configuration; NotConfigured (and
    nothing kept) while its keys are missing."""
    found = current_app.extensions.get("payment_provider")
    if found is None:
        from payments.stripe_provider import StripeProvider
        found = current_app.extensions["payment_provider"] = StripeProvider.from_config(
            current_app.config)
    return found
