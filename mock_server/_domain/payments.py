"""Payment providers, as Medusa's payment provider service sees them.

``manual`` behaves like the ``medusa-payment-manual`` plugin a Medusa project installs: a new
session holds ``{"status": "pending"}``, authorizing it always succeeds (``{"status":
"authorized"}``), and an update merges the ``data`` key *of the update* into the session's data
(so ``{"data": {"note": "x"}}`` changes nothing and ``{"data": {"data": {"note": "x"}}}`` adds
``note``, as the plugin does).

``mock-payment`` exists only in the mock (a seed lists it among a region's providers through the
``payment_providers`` extension): it lets a storefront test the paths a real card provider takes.
Its session data starts as ``{"status": "pending", "outcome": "authorized"}``; a storefront
changes ``outcome`` through ``POST /store/carts/{id}/payment-sessions/mock-payment`` (``{"data":
{"outcome": "requires_more"}}``, or ``"error"``) and authorizing the session then ends in that
status, as a 3-D Secure challenge or a declined card would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .._quirks import implements
from .errors import ErrorType, MedusaError

MANUAL = "manual"
MOCK_PAYMENT = "mock-payment"
OUTCOMES = ("authorized", "requires_more", "error")


@dataclass(frozen=True)
class Authorization:
    status: str  # authorized | requires_more | error | pending
    data: dict[str, Any]


class PaymentProviders:
    """The providers the mock knows, by id."""

    known = (MANUAL, MOCK_PAYMENT)

    def is_known(self, provider_id: str) -> bool:
        return provider_id in self.known

    def _require(self, provider_id: str) -> None:
        if provider_id not in self.known:
            # Medusa's container lookup fails with this message for an unregistered provider.
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Could not find a payment provider with id: {provider_id}")

    @implements("mock-payment-provider")
    def initiate(self, provider_id: str, context: dict[str, Any]) -> dict[str, Any]:
        """The data of a new session (``createPayment``/``initiatePayment``)."""
        self._require(provider_id)
        if provider_id == MOCK_PAYMENT:
            return {"status": "pending", "outcome": "authorized"}
        return {"status": "pending"}

    @implements("manual-session-update-nested-data", "mock-payment-provider")
    def update_data(self, provider_id: str, data: dict[str, Any],
                    update: dict[str, Any]) -> dict[str, Any]:
        """``updatePaymentData``: the update merged into the session's data."""
        self._require(provider_id)
        merged = copy.deepcopy(data)
        if provider_id == MOCK_PAYMENT:
            merged.update(copy.deepcopy(update))
            if merged.get("outcome") not in OUTCOMES:
                merged["outcome"] = "authorized"
            return merged
        # the manual provider merges the update's own ``data`` key (``{...data, ...update.data}``)
        inner = update.get("data")
        if isinstance(inner, dict):
            merged.update(copy.deepcopy(inner))
        return merged

    @implements("mock-payment-provider", "order-edit-seed")
    def authorize(self, provider_id: str, data: dict[str, Any]) -> Authorization:
        self._require(provider_id)
        if provider_id == MOCK_PAYMENT:
            outcome = data.get("outcome", "authorized")
            new = dict(data, status=outcome)
            return Authorization(outcome, new)
        return Authorization("authorized", {"status": "authorized"})

    def status(self, provider_id: str, data: dict[str, Any]) -> str:
        self._require(provider_id)
        return str(data.get("status", "pending"))
